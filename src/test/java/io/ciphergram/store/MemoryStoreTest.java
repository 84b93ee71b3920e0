package io.ciphergram.store;

import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

class MemoryStoreTest extends StoreContract {

    @Override
    protected Store open(StorePolicy policy, Executor callbacks, LongSupplier millis) {
        return MemoryStore.open(policy, callbacks, millis);
    }
}

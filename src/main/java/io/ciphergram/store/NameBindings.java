package io.ciphergram.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Which identity each bound name belongs to. Names are keyed by their canonical form (ASCII lower case,
 * {@code io.ciphergram.session.UserName#canonical}); the caller passes names already valid. Binding is
 * atomic, also across the instances of a cluster: two identities asking for one free name at once end with
 * one owner. A binding not used for the policy's {@code bindingsUnusedFor} is free: no longer answered, and
 * taken by the next {@code bindIfFree} (its mailbox goes with it).
 */
public interface NameBindings {

    /** The binding of {@code name}, if it is bound. */
    CompletionStage<Optional<NameBinding>> get(String name);

    /**
     * Binds {@code name} to {@code identityKey} if it is free, else leaves it as it is; either way the
     * binding that holds now is returned (compare its owner with the key asked for). A binding it returns
     * for its own owner is marked used at {@code nowMillis}.
     */
    CompletionStage<NameBinding> bindIfFree(String name, byte[] identityKey, long nowMillis);

    /**
     * Records the owner's current signed X25519 key, if {@code name} is bound to {@code identityKey}. True if
     * {@code prekey} is the stored key now (recorded, or the same key again); false, and nothing changes, if
     * the name is not bound to that key or a key with a newer id is stored.
     */
    CompletionStage<Boolean> publishPrekey(String name, byte[] identityKey, SignedPrekey prekey);

    /** Bindings sorted by canonical name, {@code limit} of them from {@code offset} (the admin API). */
    CompletionStage<List<NameBinding>> list(int offset, int limit);

    /** How many names are bound. */
    CompletionStage<Integer> count();

    /** Releases {@code name} (an operator's decision); true if it was bound. Its mailbox goes with it. */
    CompletionStage<Boolean> release(String name);

    /** Releases every binding not used since {@code cutoffMillis}, with its mailbox; returns how many. */
    CompletionStage<Integer> expireUnusedSince(long cutoffMillis);
}

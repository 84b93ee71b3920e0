package io.ciphergram.relay;

import java.util.concurrent.atomic.AtomicLong;

import io.ciphergram.session.SessionRegistry;
import io.ciphergram.store.MemoryStore;
import io.ciphergram.store.StorePolicy;

/**
 * The relay's routing without a wire: rooms, private messages and commands over one registry, with a
 * memory store that answers at once (on the caller's thread, as the relay thread would) and a wall clock
 * the test sets.
 */
final class TestRooms {

    final SessionRegistry sessions;
    final Counters counters;
    final AtomicLong millis = new AtomicLong(1_767_225_600_000L); // 2026-01-01T00:00Z
    final MemoryStore store;
    final Rooms rooms;
    final Privately privately;
    final Commands commands;

    TestRooms(SessionRegistry sessions, Counters counters) {
        this(sessions, counters, RoomLimits.defaults());
    }

    TestRooms(SessionRegistry sessions, Counters counters, RoomLimits limits) {
        this.sessions = sessions;
        this.counters = counters;
        this.store = MemoryStore.open(StorePolicy.defaults(), Runnable::run, millis::get);
        this.rooms = new Rooms(sessions, counters, store, limits, millis::get, peer -> { });
        this.privately = new Privately(rooms, sessions, counters);
        this.commands = new Commands(rooms, privately);
    }
}

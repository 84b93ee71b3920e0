package io.ciphergram.relay;

import java.security.SecureRandom;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Outbox;
import io.ciphergram.session.SentBlocks;
import io.ciphergram.session.SessionRegistry;

/** Classic sessions made by hand, for tests of the room, the commands and the cluster that need no wire. */
final class HandMadeSessions {

    private static final SecureRandom RANDOM = new SecureRandom();

    private HandMadeSessions() {
    }

    /** Registered (a guest if {@code name} is null) and welcomed, not yet proven: not in the room. */
    static ClassicSession arrived(SessionRegistry sessions, Rooms room, PeerId peer, String name, Outbox outbox,
            long now) {
        ClassicSession session = registered(sessions, peer, name, outbox, now);
        room.arrived(session, name, null);
        return session;
    }

    /** Registered, welcomed and proven: a member of the room, announced to the others. */
    static ClassicSession member(SessionRegistry sessions, Rooms room, PeerId peer, String name, Outbox outbox, long now) {
        ClassicSession session = arrived(sessions, room, peer, name, outbox, now);
        room.proven(session);
        return session;
    }

    /** Only registered (a guest if {@code name} is null): neither welcomed nor proven. */
    static ClassicSession registered(SessionRegistry sessions, PeerId peer, String name, Outbox outbox, long now) {
        ClassicSession session = unregistered(sessions, peer, outbox, now);
        SessionRegistry.Place place = sessions.admit(peer, true);
        if (place == null) {
            throw new IllegalStateException("no room for " + peer);
        }
        if (name == null) {
            sessions.registerGuest(place, session);
        } else {
            sessions.register(place, session, name);
        }
        return session;
    }

    /** Made, not registered. */
    static ClassicSession unregistered(SessionRegistry sessions, PeerId peer, Outbox outbox, long now) {
        return new ClassicSession(peer, SessionKey.random(RANDOM), false, sessions.classicGate(peer), new SentBlocks(16),
                now, s -> outbox);
    }
}

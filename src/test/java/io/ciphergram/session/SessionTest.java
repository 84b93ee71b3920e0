package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.testing.Peers;

/** The per-profile session types and the classic handshake's state machine. */
class SessionTest {

    private static final Outbox NOWHERE = new Outbox() {
        @Override
        public boolean deliver(io.ciphergram.session.Delivery delivery) {
            return true;
        }

        @Override
        public void close() {
        }
    };

    private final SessionRegistry registry = new SessionRegistry(SessionLimits.defaults(), () -> 0,
            Confinement.firstUse());
    private final FloodGate gate = new FloodGate(new TokenBucket(10, 20, 0));

    @Test
    void aClassicHandshakeExpectsAckThenKeyThenName() {
        ClassicHandshake h = registry.startHandshake(Peers.udp("10.0.0.1", 1), gate);
        assertThat(h.state()).isEqualTo(ClassicHandshake.State.AWAIT_ACK);
        assertThat(h.expects()).isEqualTo(ClientExpects.KEY);
        assertThat(h.acknowledge()).isTrue();
        assertThat(h.acknowledge()).as("a second ACK is out of state").isFalse();
        assertThat(h.awaitsKey()).isTrue();
        h.keyed(SessionKey.random(new SecureRandom()));
        assertThat(h.state()).isEqualTo(ClassicHandshake.State.AWAIT_NAME);
        assertThat(h.expects()).isEqualTo(ClientExpects.USERNAME);
        assertThat(h.awaitsKey()).as("a key now opens a guest session instead").isFalse();
    }

    @Test
    void aKeyIsTakenBeforeTheAckTooSoALostAckDoesNotStrandAClient() {
        ClassicHandshake h = registry.startHandshake(Peers.udp("10.0.0.1", 1), gate);
        assertThat(h.awaitsKey()).isTrue();
        h.keyed(SessionKey.random(new SecureRandom()));
        assertThat(h.acknowledge()).isFalse();
    }

    @Test
    void eachProfileStatesItsOwnTextLimit() {
        ClassicSession user = new ClassicSession(Peers.udp("10.0.0.1", 1), SessionKey.random(new SecureRandom()), false,
                gate, new SentBlocks(16), 0, x -> NOWHERE);
        assertThat(user.maxTextBytes()).isEqualTo(ClassicCodec.MAX_TEXT_BYTES).isLessThan(V2Constants.MAX_MESSAGE);
    }

    @Test
    void aSessionIsProvenOnlyOnceItsPeerSentSomethingUnderItsKey() {
        ClassicSession udp = new ClassicSession(Peers.udp("10.0.0.1", 1), SessionKey.random(new SecureRandom()), false,
                gate, new SentBlocks(16), 0, x -> NOWHERE);
        assertThat(udp.proven()).isFalse();
        udp.prove();
        assertThat(udp.proven()).isTrue();
    }

    @Test
    void aSessionIsRegisteredOnlyInAPlaceMadeForItOnce() {
        ClassicSession s = new ClassicSession(Peers.udp("10.0.0.1", 1), SessionKey.random(new SecureRandom()), false,
                gate, new SentBlocks(16), 0, x -> NOWHERE);
        assertThat(s.outbox()).as("made with its outbox").isSameAs(NOWHERE);
        SessionRegistry.Place elsewhere = registry.admit(Peers.udp("10.0.0.1", 2), true);
        assertThatThrownBy(() -> registry.register(elsewhere, s, "x")).as("a place is for its own peer")
                .isInstanceOf(IllegalArgumentException.class);
        SessionRegistry.Place place = registry.admit(s.peer(), true);
        registry.register(place, s, "x");
        assertThatThrownBy(() -> registry.register(place, s, "y")).as("once").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClassicSessionIsHeardFromByAnyDatagram() {
        ClassicSession s = new ClassicSession(Peers.udp("10.0.0.1", 1), SessionKey.random(new SecureRandom()), false,
                gate, new SentBlocks(16), 5, x -> NOWHERE);
        assertThat(s.lastHeardNanos()).isEqualTo(5);
        s.heard(9);
        assertThat(s.lastHeardNanos()).isEqualTo(9);
    }
}

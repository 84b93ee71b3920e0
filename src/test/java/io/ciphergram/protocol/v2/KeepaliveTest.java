package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.protocol.TokenBucket;

/** Liveness in a quiet room: the client pings after 10 s of silence, the server answers every ping. */
class KeepaliveTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aQuietClientPingsAndTheServerAnswersSoBothSidesStayAlive() throws Exception {
        SessionSecret secret = SessionSecret.random(new SecureRandom());
        byte[] transcript = new byte[32];
        SecureChannel client = channel(SecureChannel.Role.CLIENT, secret, transcript);
        SecureChannel server = channel(SecureChannel.Role.SERVER, secret, transcript);

        assertThat(client.poll(5 * SECOND)).isEmpty();
        assertThat(client.nextWakeNanos(5 * SECOND)).isEqualTo(10 * SECOND);
        List<byte[]> ping = client.poll(10 * SECOND);
        assertThat(ping).hasSize(1);

        SecureChannel.Inbound in = server.open((V2Frame.Data) V2Codec.decode(ping.get(0)), 10 * SECOND);
        assertThat(in.messages()).isEmpty();
        assertThat(server.lastReceivedNanos()).isEqualTo(10 * SECOND);
        List<byte[]> pong = server.poll(10 * SECOND);
        assertThat(pong).hasSize(1);
        assertThat(server.poll(11 * SECOND)).as("the server never pings on its own").isEmpty();

        client.open((V2Frame.Data) V2Codec.decode(pong.get(0)), 10 * SECOND);
        assertThat(client.lastReceivedNanos()).isEqualTo(10 * SECOND);
    }

    @Test
    void aClientThatSendsMessagesDoesNotAlsoPing() {
        SessionSecret secret = SessionSecret.random(new SecureRandom());
        SecureChannel client = channel(SecureChannel.Role.CLIENT, secret, new byte[32]);
        client.offer("hi".getBytes());
        assertThat(client.poll(10 * SECOND)).hasSize(1); // the message, no ping beside it
    }

    private static SecureChannel channel(SecureChannel.Role role, SessionSecret secret, byte[] transcript) {
        return new SecureChannel(role, 42L, secret, transcript, TokenBucket.NO_LIMIT, 10 * SECOND,
                V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, 0);
    }
}

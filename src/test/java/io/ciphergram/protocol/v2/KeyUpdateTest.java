package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;

/** Time-based key updates, and a receiver that catches up when whole generations were lost. */
class KeyUpdateTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private final SessionSecret secret = SessionSecret.random(new SecureRandom());

    private SecureChannel channel(SecureChannel.Role role) {
        // keys last one (virtual) second here instead of an hour
        return new SecureChannel(role, 7L, secret, new byte[32], TokenBucket.NO_LIMIT, 1000 * SECOND,
                V2Constants.REKEY_AFTER_MESSAGES, SECOND, 0);
    }

    @Test
    void keysChangeAfterTheirTimeEvenWithFewMessages() throws Exception {
        SecureChannel client = channel(SecureChannel.Role.CLIENT);
        SecureChannel server = channel(SecureChannel.Role.SERVER);
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long now = i * 2 * SECOND;
            client.offer(("m" + i).getBytes(StandardCharsets.UTF_8));
            for (byte[] d : client.poll(now)) {
                server.open((V2Frame.Data) V2Codec.decode(d), now).messages()
                        .forEach(m -> received.add(new String(m, StandardCharsets.UTF_8)));
            }
        }
        assertThat(received).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(client.sendGeneration()).isEqualTo(4);
        assertThat(server.receiveGeneration()).isEqualTo(4);
    }

    @Test
    void aReceiverCatchesUpAcrossLostGenerationsButNotTooFar() throws Exception {
        SecureChannel client = channel(SecureChannel.Role.CLIENT);
        SecureChannel server = channel(SecureChannel.Role.SERVER);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            client.offer(("m" + i).getBytes(StandardCharsets.UTF_8));
            sent.addAll(client.poll(i * 2 * SECOND)); // a new generation at each poll (and retransmissions)
        }
        // generations 1 and 2 are lost entirely; generation 3 is three ahead of 0: accepted
        server.open((V2Frame.Data) V2Codec.decode(sent.get(0)), 0);
        V2Frame.Data third = withPhase(sent, 3);
        server.open(third, 6 * SECOND);
        assertThat(server.receiveGeneration()).isEqualTo(3);
        // generation 7 is four ahead of 3: refused, like a record of a generation long past
        V2Frame.Data seventh = withPhase(sent, 7);
        assertThatThrownBy(() -> server.open(seventh, 14 * SECOND)).isInstanceOfSatisfying(FrameException.class,
                e -> assertThat(e.reason()).isEqualTo(DropReason.BAD_KEY_PHASE));
        assertThat(server.receiveGeneration()).isEqualTo(3);
    }

    private static V2Frame.Data withPhase(List<byte[]> sent, int phase) throws FrameException {
        for (byte[] d : sent) {
            V2Frame.Data data = (V2Frame.Data) V2Codec.decode(d);
            if (data.keyPhase() == phase) {
                return data;
            }
        }
        throw new AssertionError("no record of phase " + phase);
    }
}

package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.testing.ChatPeer;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Forged source addresses on the wire, not just in the engine: a raw socket (src/test/python/spoof.py, as
 * root, loopback only) sends classic frames in the name of a v2 client and of a classic member, as an
 * off-path attacker on the internet can. Neither loses its session.
 */
@QuarkusTest
class SpoofedSourceTest {

    private static final String PYTHON = "/usr/bin/python3";

    @Inject
    UdpTransport udp;

    @Inject
    Counters counters;

    @TempDir
    Path home;

    private void spoof(InetSocketAddress as, byte[]... datagrams) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, "src/test/python/spoof.py", "127.0.0.1",
                Integer.toString(as.getPort()), "127.0.0.1", Integer.toString(udp.port())));
        for (byte[] d : datagrams) {
            command.add(HexFormat.of().formatHex(d));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "spoof.py needs root: " + out);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void forgedClassicFramesInTheNameOfAV2ClientAndAClassicMemberEndNeitherSession() throws Exception {
        byte[] key = ClassicCodec.encode(new ClassicFrame.PublicKeyOffer(
                (RSAPublicKey) RsaKeys.generate(new SecureRandom()).getPublic()));
        try (V2Peer carol = V2Peer.join(udp.port(), "s1carol", home.resolve("known"));
                ClassicPeer alice = ClassicPeer.join(udp.port(), "s1alice");
                ClassicPeer dave = ClassicPeer.join(udp.port(), "s1dave")) {
            carol.awaitLine("* s1dave joined");
            long outOfState = counters.droppedCount(DropReason.OUT_OF_STATE);

            spoof(carol.connection().localAddress(), ascii("SYN"), key);
            // The forged datagrams reached the server (this test could pass without them otherwise): the two
            // at carol's address, classic frames at a v2 address, were dropped there.
            await().atMost(ClassicPeer.WAIT)
                    .until(() -> counters.droppedCount(DropReason.OUT_OF_STATE) >= outOfState + 2);
            spoof(alice.connection().localAddress(), ascii("SYN"), ascii("ACK"), key, ascii("mallory"));

            carol.say("carol still here");
            alice.say("alice still here");
            dave.awaitLine("s1carol: carol still here");
            dave.awaitLine("s1alice: alice still here");
            ChatPeer.barrier(carol, "s1carol", dave);
            assertThat(dave.received()).noneMatch(l -> l.endsWith(" left") || l.contains("guest-") || l.contains("mallory"));
        }
    }
}

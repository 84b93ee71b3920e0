package io.ciphergram.relay;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.LogCapture;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every kind of bad input is dropped silently and counted by reason in /q/metrics; none gets a reply
 * that differs from another, none stops the socket, and no log line carries plaintext.
 */
@QuarkusTest
class BadInputTest {

    private static final String SECRET = "the-secret-plaintext-4711";

    @Inject
    UdpTransport udp;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @TestHTTPResource(value = "/metrics", management = true)
    URL metricsUrl;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readyUrl;

    long dropped(String reason) {
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^ciphergram_datagrams_dropped_total\\{reason=\"" + reason + "\"} ([0-9.E]+)$",
                Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("metric for reason %s", reason).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    /**
     * Sends a datagram and waits until the counter for {@code reason} has gone up. The counters are the
     * whole application's, so another test's traffic could add to them too: the test asserts only that
     * this datagram's reason was counted, never an exact total.
     */
    private void expectDrop(ClassicPeer from, byte[] datagram, String reason) throws Exception {
        long before = dropped(reason);
        from.sendRaw(datagram);
        await().atMost(ClassicPeer.WAIT).until(() -> dropped(reason) > before);
    }

    @Test
    void malformedAndUndecryptableMessagesAreDroppedAlikeAndCounted() throws Exception {
        try (ClassicPeer mallory = ClassicPeer.join(udp.port(), "b1mallory");
                ClassicPeer bob = ClassicPeer.join(udp.port(), "b1bob")) {
            mallory.awaitLine(l -> l.startsWith("* b1bob joined"));
            int before = mallory.received().size();

            expectDrop(mallory, ascii("%%% not base64 %%%"), "malformed_base64");
            expectDrop(mallory, b64(new byte[20]), "undecryptable");            // not whole blocks
            expectDrop(mallory, b64(new byte[16]), "undecryptable");            // IV only
            byte[] random = new byte[64];
            new SecureRandom().nextBytes(random);
            // Random ciphertext: bad padding (or, rarely, valid padding and bad UTF-8), same outcome.
            expectDrop(mallory, b64(random), "undecryptable");
            expectDrop(mallory, new byte[5000], "oversize");
            expectDrop(mallory, ascii(Base64.getEncoder().encodeToString(
                    ("-----BEGIN PUBLIC KEY-----\n" + SECRET + "\n-----END PUBLIC KEY-----").getBytes(StandardCharsets.US_ASCII))),
                    "bad_public_key");
            expectDrop(mallory, ascii("ACK"), "out_of_state");

            // None of that was answered: the reply to a later /help is the next line mallory gets.
            mallory.say("/help");
            mallory.awaitLine(l -> l.startsWith("* commands"));
            assertThat(mallory.received().subList(before, mallory.received().size()))
                    .singleElement().satisfies(l -> assertThat(l).startsWith("* commands"));
            // And the relay still works for everyone.
            mallory.say("still here " + SECRET);
            bob.awaitLine("b1mallory: still here " + SECRET);
            assertThat(bob.received()).doesNotContain("<undecryptable>");
        }
        assertThat(logs.lines()).noneMatch(l -> l.contains(SECRET));
        assertThat(logs.lines()).anyMatch(l -> l.contains("dropped a datagram") && l.contains("UNDECRYPTABLE"));
    }

    @Test
    void datagramsFromUnknownAddressesAndBadUsernamesAreCounted() throws Exception {
        try (DatagramSocket stranger = new DatagramSocket()) {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", udp.port());
            long before = dropped("unknown_peer");
            for (String s : List.of("ACK", "hello", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")) {
                byte[] d = ascii(s);
                stranger.send(new DatagramPacket(d, d.length, server));
            }
            await().atMost(ClassicPeer.WAIT).until(() -> dropped("unknown_peer") >= before + 3);

            long badNames = dropped("bad_username");
            byte[] syn = ascii("SYN");
            stranger.send(new DatagramPacket(syn, syn.length, server));
            stranger.setSoTimeout(10_000);
            stranger.receive(new DatagramPacket(new byte[16], 16));
            stranger.send(new DatagramPacket(ascii("ACK"), 3, server));
            byte[] key = ClassicCodec.encode(new ClassicFrame.PublicKeyOffer(
                    (RSAPublicKey) RsaKeys.generate(new SecureRandom()).getPublic()));
            stranger.send(new DatagramPacket(key, key.length, server));
            stranger.receive(new DatagramPacket(new byte[512], 512));
            byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
            stranger.send(new DatagramPacket(notUtf8, notUtf8.length, server));
            await().atMost(ClassicPeer.WAIT).until(() -> dropped("bad_username") > badNames);
        }
    }

    @Test
    void garbageFromOneAddressIsCutOffBeforeCryptoWithoutSpendingItsOwnersAllowance() throws Exception {
        try (ClassicPeer owner = ClassicPeer.join(udp.port(), "b3flood")) {
            long undecryptable = dropped("undecryptable");
            long forged = dropped("forged_flood");
            long flooded = dropped("flooded");
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < 400; i++) {
                byte[] garbage = new byte[64];
                random.nextBytes(garbage);
                owner.sendRaw(b64(garbage)); // each would cost an AES decryption if it got that far
            }
            await().atMost(ClassicPeer.WAIT)
                    .until(() -> dropped("undecryptable") + dropped("forged_flood") >= undecryptable + forged + 400);
            // At most the failure budget (200 at once, 100 a second since) reached the cipher; the rest never did.
            assertThat(dropped("undecryptable") - undecryptable).isLessThanOrEqualTo(260);
            assertThat(dropped("forged_flood") - forged).isGreaterThanOrEqualTo(140);
            assertThat(dropped("flooded") - flooded).as("none of it spent the owner's flood allowance").isZero();
            await().atMost(ClassicPeer.WAIT).until(() -> {
                owner.say("/help"); // once the forger stops, the owner is heard again
                return owner.received().stream().filter(l -> l.startsWith("* commands")).count() >= 2;
            });
            assertThat(owner.received()).noneMatch(l -> l.startsWith("* slow down"));
        }
    }

    @Test
    void healthAndMetricsAreServed() {
        given().get(readyUrl).then().statusCode(200);
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        // Not on the public port, where the page and the gateway are:
        given().get("/q/metrics").then().statusCode(404);
        assertThat(metrics).contains("ciphergram_datagrams_received_total", "ciphergram_sessions",
                "ciphergram_messages_relayed_total");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] b64(byte[] raw) {
        return Base64.getEncoder().encode(raw);
    }
}

package io.ciphergram.relay;

import static io.ciphergram.relay.ClassicClient.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.session.V2Session;
import io.ciphergram.testing.LogCapture;
import io.ciphergram.testing.Peers;

/**
 * Spoofed, abusive and malformed peers, driven through the engine with forged PeerIds (what a raw socket
 * on the network does): none may take over, evict, read or amplify. One test per attack.
 */
class HardeningTest {

    @TempDir
    Path dir;

    private RelayFixture f;
    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @BeforeEach
    void relay() throws Exception {
        f = RelayFixture.withV2(dir, 100);
    }

    @AfterEach
    void noErrors() {
        assertThat(logs.errors()).as("nothing a client sends may produce an ERROR log").isEmpty();
    }

    private ClassicClient classic(String ip, int port) {
        return new ClassicClient(f, Peers.udp(ip, port));
    }

    private V2Client v2(String ip, int port) {
        return new V2Client(f, Peers.udp(ip, port));
    }

    // ---- 1. a spoofed classic frame must not end, replace or change a v2 session ---------------------

    @Test
    void classicFramesFromAV2AddressChangeNothing() throws Exception {
        V2Client carol = v2("10.0.0.3", 1).join("carol");
        V2Client dave = v2("10.0.0.4", 1).join("dave");
        V2Session before = (V2Session) f.sessions.session(carol.peer);

        f.relay.onDatagram(carol.peer, ascii("SYN"));
        f.relay.onDatagram(carol.peer, ClassicClient.keyDatagram());
        f.relay.onDatagram(carol.peer, ascii("ACK"));

        assertThat(f.sessions.session(carol.peer)).isSameAs(before);
        assertThat(f.sentTo(carol.peer)).noneMatch(d -> new String(d, StandardCharsets.US_ASCII).equals("SYN-ACK"));
        carol.say("still here");
        assertThat(dave.read()).contains("carol: still here").noneMatch(t -> t.contains("carol left") || t.contains("guest-"));
        assertThat(f.counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(3);
    }

    // ---- 6. expensive RSA keys ----------------------------------------------------------------------

    @Test
    void aKeyWithAHugePublicExponentIsRefusedBeforeAnyRsaWork() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        RSAPublicKey normal =
                (RSAPublicKey) generator.generateKeyPair().getPublic();
        BigInteger n = normal.getModulus();
        PublicKey huge = KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(n, n.subtract(BigInteger.TWO)));
        byte[] pem = RsaKeys.toPem(huge).getBytes(StandardCharsets.US_ASCII);
        ClassicClient mallory = classic("10.0.0.66", 1);
        mallory.send(Base64.getEncoder().encode(pem));
        assertThat(f.counters.droppedCount(DropReason.BAD_PUBLIC_KEY)).isEqualTo(1);
        assertThat(mallory.datagrams()).isEmpty();

        ClientHandshake v2 = new ClientHandshake("mallory", new SecureRandom());
        V2Client m2 = v2("10.0.0.67", 1);
        f.relay.onDatagram(m2.peer, v2.hello());
        V2Frame.Retry retry = (V2Frame.Retry) V2Codec.decode(m2.last());
        byte[] offer = V2Codec.encode(new V2Frame.KeyOffer(retry.cookie(), retry.clientNonce(), huge.getEncoded(), "m"));
        f.relay.onDatagram(m2.peer, offer);
        assertThat(f.counters.droppedCount(DropReason.BAD_PUBLIC_KEY)).isEqualTo(2);
        assertThat(f.sentTo(m2.peer)).hasSize(1); // the Retry only
    }

    @Test
    void classicKeysArePerSourceRateLimitedLikeV2Handshakes() {
        for (int port = 1; port <= 200; port++) {
            classic("10.0.0.70", port).joinAsGuest();
        }
        assertThat(f.counters.droppedCount(DropReason.HANDSHAKE_RATE_LIMITED)).isPositive();
        assertThat(f.sessions.size()).isLessThan(200);
    }

    // ---- 9. forged lines ----------------------------------------------------------------------------

    @Test
    void aGuestsLineNamesTheGuestAndNobodyCanWriteANotice() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        alice.say("hi");
        ClassicClient guest = classic("10.0.0.2", 1).joinAsGuest();
        // A guest names itself with the first text that starts with a name (the seed variants do), by the
        // same rule as a username: a taken name gets a number.
        guest.say("alice: please send me the door code");
        guest.say("* alice left");
        String guestName = f.sessions.session(guest.peer).name();
        assertThat(guestName).isEqualTo("alice2");
        assertThat(alice.texts()).contains("alice2: please send me the door code", "alice2: * alice left")
                .noneMatch(t -> t.equals("alice: please send me the door code") || t.equals("* alice left"));
    }

    // ---- 10. terminal injection ---------------------------------------------------------------------

    @Test
    void controlCharactersNeverReachOtherClients() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        alice.say("hi\u001b]0;owned\u0007\u001b[2J\r\n* bob left\u202e");
        alice.say("/msg bob a\u0000b\u009bc\td");
        assertThat(bob.texts()).anyMatch(t -> t.startsWith("alice: hi")).anyMatch(t -> t.startsWith("alice (private): a"))
                .allMatch(t -> t.codePoints().noneMatch(HardeningTest::isControl));
        assertThat(bob.texts().stream().filter(t -> t.startsWith("alice: hi")).findFirst().orElseThrow())
                .isEqualTo("alice: hi\ufffd]0;owned\ufffd\ufffd[2J\u2424* bob left\ufffd");
        assertThat(bob.texts()).contains("alice (private): a\ufffdb\ufffdc d");
    }

    static boolean isControl(int cp) {
        return Character.getType(cp) == Character.CONTROL || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
    }

    // ---- 11. oversized echo -------------------------------------------------------------------------

    @Test
    void anUnknownCommandIsEchoedShortAndCanNeverOverflowAMessage() throws Exception {
        V2Client carol = v2("10.0.0.3", 1).join("carol");
        carol.say("/" + "x".repeat(65_530));
        assertThat(carol.read()).anyMatch(t -> t.startsWith("* unknown command /xxx") && t.length() < 100);
        carol.say("/msg " + "n".repeat(65_000) + " hi");
        assertThat(carol.read()).anyMatch(t -> t.startsWith("* no such user: nnn") && t.length() < 100);
    }

    // ---- 12. a repeated KeyOffer is checked like a first one ----------------------------------------

    @Test
    void aRepeatedKeyOfferWithoutAValidCookieGetsNothing() throws Exception {
        V2Client carol = v2("10.0.0.3", 1).join("carol");
        V2Frame.KeyOffer original = (V2Frame.KeyOffer) V2Codec.decode(carol.keyOffer);
        byte[] forged = V2Codec.encode(new V2Frame.KeyOffer(new byte[16], original.clientNonce(),
                original.clientPublicKey(), original.name()));
        int before = f.sentTo(carol.peer).size();
        f.relay.onDatagram(carol.peer, forged);
        assertThat(f.sentTo(carol.peer)).hasSize(before);
        assertThat(f.counters.droppedCount(DropReason.BAD_COOKIE)).isEqualTo(1);
        f.relay.onDatagram(carol.peer, carol.keyOffer);
        // The genuine copy passes the cookie check; carol's session is proven, so its reply is not kept
        // (V2RelayTest: an unproven session's repeat gets the same reply).
        assertThat(f.counters.droppedCount(DropReason.BAD_COOKIE)).as("the genuine copy's cookie is good").isEqualTo(1);
        assertThat(f.counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(1);
        assertThat(f.sentTo(carol.peer)).hasSize(before);
    }

    // ---- 2. a forged SYN flood must not evict anyone ----------------------------------------------

    @Test
    void aSynFloodFromForgedSourcesEvictsNoEstablishedUser() throws Exception {
        f = RelayFixture.withV2(dir, 50);
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        V2Client bob = v2("10.0.0.2", 1).join("bob");
        for (int i = 0; i < 2_000; i++) {
            f.relay.onDatagram(Peers.udp("198.51." + (i / 250) + "." + (i % 250 + 1), 1000 + i), ascii("SYN"));
        }
        assertThat(f.sessions.size()).isLessThanOrEqualTo(50);
        assertThat(f.sessions.byName("alice")).isNotNull();
        assertThat(f.sessions.byName("bob")).isNotNull();
        bob.say("still here");
        assertThat(alice.texts()).contains("bob: still here").noneMatch(t -> t.endsWith(" left"));
        alice.say("me too");
        assertThat(bob.read()).contains("alice: me too");
    }

    @Test
    void aRegistryFullOfProvenUsersRefusesNewcomers() throws Exception {
        f = RelayFixture.withV2(dir, 3);
        classic("10.0.0.1", 1).joinRoom("a");
        classic("10.0.0.2", 1).joinRoom("b");
        v2("10.0.0.3", 1).join("c");
        ClassicClient late = classic("10.0.0.4", 1);
        late.send(ascii("SYN"));
        assertThat(late.datagrams()).isEmpty();
        assertThat(f.counters.droppedCount(DropReason.SERVER_FULL)).isEqualTo(1);
        assertThat(f.sessions.members()).hasSize(3);
    }

    @Test
    void tenUnmodifiedClientsFromOneAddressJoinWithinOneSecond() {
        List<ClassicClient> office = new ArrayList<>();
        for (int port = 1; port <= 10; port++) {
            office.add(classic("203.0.113.5", port).joinRoom("user" + port));
            f.clock.addAndGet(50_000_000L);
        }
        assertThat(f.sessions.members()).hasSize(10);
        office.get(0).say("hello office");
        assertThat(office.get(9).texts()).contains("user1: hello office");
    }

    @Test
    void afterAFloodFromAnAddressStopsAGenuineClientThereGetsInAtOnce() {
        for (int port = 1000; port < 1500; port++) {
            f.relay.onDatagram(Peers.udp("203.0.113.7", port), ascii("SYN"));
        }
        ClassicClient genuine = classic("203.0.113.7", 9999).joinRoom("genuine");
        assertThat(genuine.texts()).anyMatch(t -> t.startsWith("* you are genuine"));
        assertThat(f.sessions.byName("genuine").proven()).isTrue();
    }

    @Test
    void aHalfOpenHandshakeLivesThirtySeconds() {
        ClassicClient stalled = classic("10.0.0.5", 1);
        stalled.send(ascii("SYN"));
        assertThat(f.sessions.handshake(stalled.peer)).isNotNull();
        f.advance(Duration.ofSeconds(31));
        f.relay.expireIdle();
        assertThat(f.sessions.handshake(stalled.peer)).isNull();
        assertThat(f.sessions.abandonedHandshakes()).as("counted as a failed classic handshake").isEqualTo(1);

        classic("10.0.0.6", 1).joinRoom("completes");
        assertThat(f.sessions.abandonedHandshakes()).as("a completed one is not").isEqualTo(1);
        assertThat(f.counters.handshakesCompletedCount("classic")).isEqualTo(1);
    }

    // ---- 3. a proven classic session cannot be reset blind -------------------------------------------

    @Test
    void aForgedHandshakeFromAUsersAddressDoesNotReplaceHerSession() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        // Everything an off-path attacker can send in alice's name, without ever seeing a reply:
        alice.send(ascii("SYN"));
        alice.send(ascii("ACK"));
        alice.send(ClassicClient.keyDatagram());
        alice.send(ascii("mallory"));
        alice.say("still me");
        assertThat(bob.texts()).contains("alice: still me").noneMatch(t -> t.contains("alice left") || t.contains("mallory"));
        assertThat(f.sessions.handshake(alice.peer)).as("the candidate is dropped once the old key speaks").isNull();

        alice.send(ClassicClient.keyDatagram()); // the no-handshake variant's reset
        alice.say("and still me");
        assertThat(bob.texts()).contains("alice: and still me").noneMatch(t -> t.contains("guest-"));
    }

    @Test
    void aGenuineRestartFromTheSameAddressTakesOverOnceItsKeyIsProven() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        ClassicClient restarted = classic("10.0.0.1", 1).join("alice"); // same address, new key (it reads the replies)
        assertThat(restarted.key).isNotNull();
        byte[] underOldKey = alice.sealed("from the old client");
        restarted.say("I am back");
        assertThat(bob.texts()).contains("alice: I am back").noneMatch(t -> t.equals("* alice left") || t.equals("* alice joined"));
        restarted.send(underOldKey);
        assertThat(bob.texts()).doesNotContain("alice: from the old client");
    }

    // ---- 4. the server's own ciphertext is never accepted back -------------------------------------

    @Test
    void aPrivateMessageReflectedBackFromTheRecipientsAddressIsRefused() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        ClassicClient mallory = classic("10.0.0.66", 1).joinRoom("mallory");
        bob.say("/msg alice the door code is 4711");
        byte[] toAlice = alice.datagrams().get(alice.datagrams().size() - 1);
        assertThat(alice.texts()).endsWith("bob (private): the door code is 4711");

        alice.send(toAlice); // whole
        byte[] sealed = Base64.getDecoder().decode(toAlice);
        byte[] known = "bob (private): t".getBytes(StandardCharsets.US_ASCII);
        byte[] wanted = "/msg mallory xxx".getBytes(StandardCharsets.US_ASCII);
        byte[] flipped = sealed.clone();
        for (int i = 0; i < 16; i++) {
            flipped[i] ^= (byte) (known[i] ^ wanted[i]); // the first block now decrypts to "/msg mallory xxx"
        }
        alice.send(Base64.getEncoder().encode(flipped));
        byte[] shifted = Arrays.copyOfRange(sealed, 16, sealed.length); // block 1 as the IV, and so on
        alice.send(Base64.getEncoder().encode(shifted));

        assertThat(f.counters.droppedCount(DropReason.REFLECTED)).isEqualTo(3);
        assertThat(mallory.texts()).noneMatch(t -> t.contains("door code") || t.contains("4711"));
        assertThat(bob.texts()).noneMatch(t -> t.contains("door code"));
        alice.say("my own words still pass");
        assertThat(bob.texts()).contains("alice: my own words still pass");
    }

    @Test
    void theReflectionGuardHoldsInBoundedMemoryWithoutRefusingGenuineMessages() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        for (int i = 0; i < 3_000; i++) {
            f.clock.addAndGet(200_000_000L); // within the flood limit
            bob.say("line " + i + " of a long conversation, long enough to span a few blocks");
            alice.say("reply " + i);
        }
        ClassicSession session = (ClassicSession) f.sessions.session(alice.peer);
        assertThat(session.sentBlocks().footprintBytes())
                .isLessThanOrEqualTo((long) session.sentBlocks().limit() * 6);
        assertThat(bob.texts().stream().filter(t -> t.startsWith("alice: reply "))).hasSize(3_000);
        assertThat(f.counters.droppedCount(DropReason.REFLECTED)).isZero();
    }

    /** Issue 15, B5: a member made the server send alice more than the old window, then replayed a private message. */
    @Test
    void nobodyCanFlushTheGuardToReflectAPrivateMessageLater() throws Exception {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        V2Client mallory = v2("10.0.0.66", 1).join("mallory");
        bob.say("/msg alice the door code is 4711");
        byte[] captured = alice.datagrams().get(alice.datagrams().size() - 1);
        for (int i = 0; i < 3; i++) { // three 64 KiB lines: 66 datagrams, 12,000 blocks, to alice
            f.clock.addAndGet(1_000_000_000L);
            mallory.say("x".repeat(65_000));
            mallory.read();
        }
        assertThat(alice.datagrams().size()).isGreaterThan(66);
        alice.send(captured);
        assertThat(f.counters.droppedCount(DropReason.REFLECTED)).isEqualTo(1);
        assertThat(mallory.read()).noneMatch(t -> t.contains("door code"));
    }

    @Test
    void oneSenderCanUseOnlyAQuarterOfWhatAClassicSessionMayBeSent() throws Exception {
        f = RelayFixture.withV2(dir, RelaySettings.defaults().with(SessionLimits.defaults().withFlood(0, 20))
                .withReflectionLimit(40_000));
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient bob = classic("10.0.0.2", 1).joinRoom("bob");
        V2Client mallory = v2("10.0.0.66", 1).join("mallory");
        for (int i = 0; i < 4; i++) { // a share is 10,000 blocks; each line is about 4,100
            mallory.say(i + "x".repeat(65_000));
            mallory.read();
        }
        long fromMallory = alice.texts().stream().filter(t -> t.startsWith("mallory: ")).count();
        assertThat(fromMallory).as("two whole lines (each in 22 parts) fit his share; the rest were withheld").isEqualTo(2);
        assertThat(f.counters.withheldCount()).isPositive();
        bob.say("/msg alice still reaches you");
        assertThat(alice.texts()).contains("bob (private): still reaches you");
        assertThat(f.sessions.session(alice.peer)).as("her session goes on").isNotNull();
    }

    @Test
    void aClassicSessionThatReachesItsBoundIsToldAndEnds() throws Exception {
        f = RelayFixture.withV2(dir, RelaySettings.defaults().with(SessionLimits.defaults().withFlood(0, 20))
                .withReflectionLimit(2_000));
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        ClassicClient[] others = new ClassicClient[5];
        for (int i = 0; i < others.length; i++) {
            others[i] = classic("10.0.0." + (10 + i), 1).joinRoom("o" + i);
        }
        for (int round = 0; round < 40; round++) { // 5 x 40 x 11 blocks: past the bound, each within its share
            for (ClassicClient other : others) {
                other.say("r" + round + " " + "y".repeat(150));
            }
        }
        assertThat(alice.texts()).last().asString().startsWith("* this session has been sent all it safely can");
        assertThat(f.sessions.session(alice.peer)).as("ended").isNull();
        assertThat(others[0].texts()).contains("* alice left");
    }

    // ---- 5. addresses that have not proven themselves get no more than they sent ---------------------

    @Test
    void forgedGuestsAndHandshakesCannotTurnTheRoomIntoAnAmplifier() {
        ClassicClient alice = classic("10.0.0.1", 1).joinRoom("alice");
        classic("10.0.0.2", 1).joinRoom("bob");
        String victim = "192.0.2.99";
        for (int port = 1; port <= 345; port++) {
            f.clock.addAndGet(60_000_000L); // under the handshake rate: every key is processed
            classic(victim, port).joinAsGuest();
            classic(victim, 10_000 + port).join("blind" + port);
        }
        for (int i = 0; i < 50; i++) {
            f.clock.addAndGet(200_000_000L);
            alice.say("x".repeat(3_000));
        }
        long received = 0;
        long sent = 0;
        for (int port = 1; port <= 345; port++) {
            for (int p : new int[] {port, 10_000 + port}) {
                ClassicClient c = classic(victim, p);
                sent += c.datagrams().stream().mapToLong(d -> d.length + 28).sum();
            }
            received += ClassicClient.keyDatagram().length + 28 // the guest's key
                    + 3 + 28 + 3 + 28 + ClassicClient.keyDatagram().length + 28 + ("blind" + port).length() + 28;
        }
        assertThat(sent).as("bytes towards the victim").isLessThanOrEqualTo(received + 256);
        assertThat(alice.texts()).noneMatch(t -> t.contains("guest-") || t.contains("blind"));
        assertThat(f.sessions.size()).as("unproven sessions per source are capped").isLessThan(100);
    }

    // ---- 7. v2 memory per peer ----------------------------------------------------------------------

    @Test
    void aV2PeerThatNeverAcknowledgesIsGivenUpAndItsMemoryReturned() throws Exception {
        V2Client alice = v2("10.0.0.1", 1).join("alice");
        V2Client deaf = v2("10.0.0.2", 1).join("deaf"); // never reads, never acknowledges
        long peak = 0;
        for (int i = 0; i < 40 && f.sessions.byName("deaf") != null; i++) {
            f.clock.addAndGet(500_000_000L);
            alice.say("z".repeat(60_000));
            alice.read();
            peak = Math.max(peak, f.sessions.v2Memory().used());
        }
        assertThat(f.sessions.byName("deaf")).as("given up after its queue stayed full").isNull();
        assertThat(alice.read()).contains("* deaf left");
        assertThat(peak).isLessThanOrEqualTo(V2Constants.SERVER_SEND_QUEUE_BYTES
                + 64L * V2Constants.MAX_FRAGMENT_PAYLOAD + 200_000);
        assertThat(f.sessions.v2Memory().used()).as("returned").isLessThan(100_000);
    }

    @Test
    void allV2PeersTogetherHoldNoMoreThanTheBudget() throws Exception {
        f = RelayFixture.withV2(dir, RelaySettings.defaults().with(SessionLimits.defaults()
                .withFlood(0, 20).withV2MemoryBudget(100_000)));
        V2Client alice = v2("10.0.0.1", 1).join("alice");
        for (int i = 0; i < 8; i++) {
            v2("10.0.1." + i, 1).join("deaf" + i); // never read, never acknowledge
        }
        for (int i = 0; i < 200; i++) {
            alice.say(i + " " + "y".repeat(1_000));
            alice.read();
            assertThat(f.sessions.v2Memory().used()).isLessThanOrEqualTo(100_000);
        }
        assertThat(f.sessions.v2Memory().refusals()).as("refusals are counted").isPositive();
        assertThat(f.counters.queueRefusedCount()).isPositive();
    }

    @Test
    void v2SessionsPerSourceAreCappedBeforeAnyRsaWork() throws Exception {
        f = RelayFixture.withV2(dir, RelaySettings.defaults().with(
                SessionLimits.defaults().withPerSource(32, 32, 3)));
        for (int port = 1; port <= 3; port++) {
            v2("10.0.0.9", port).join("n" + port);
        }
        V2Client fourth = v2("10.0.0.9", 4);
        ClientHandshake handshake = new ClientHandshake("n4", new SecureRandom());
        f.relay.onDatagram(fourth.peer, handshake.hello());
        f.relay.onDatagram(fourth.peer, handshake.onRetry((V2Frame.Retry) V2Codec.decode(fourth.last())));
        assertThat(f.counters.droppedCount(DropReason.SERVER_FULL)).isEqualTo(1);
        assertThat(f.sentTo(fourth.peer)).hasSize(1); // the Retry only
    }

    // ---- 8. flood state belongs to the address, and a re-handshake is not a leave and a join ----------

    @Test
    void aV2ReHandshakeKeepsTheFloodBucketsAndTellsNobody() throws Exception {
        V2Client carol = v2("10.0.0.3", 1).join("carol");
        V2Client dave = v2("10.0.0.4", 1).join("dave");
        long start = f.clock.get();
        for (int i = 0; i < 120; i++) {
            carol.say("m" + i);
            carol.read();
            dave.read();
            f.clock.set(start); // all at one instant, as far as the flood buckets can tell
        }
        long flooded = f.counters.droppedCount(DropReason.FLOODED);
        assertThat(flooded).as("over the stated burst").isPositive();
        V2Client again = v2("10.0.0.3", 1).join("carol"); // the same address, a new handshake
        again.say("right after");
        assertThat(f.counters.droppedCount(DropReason.FLOODED)).as("still over its limit").isGreaterThan(flooded);
        again.read();
        f.advance(Duration.ofSeconds(5)); // past the flood limit: everything queued drains
        again.say("later");
        for (int i = 0; i < 5; i++) {
            dave.read();
            f.advance(Duration.ofSeconds(1));
        }
        assertThat(dave.texts).contains("carol: later").noneMatch(t -> t.equals("* carol left") || t.equals("* carol joined"));
        assertThat(again.texts).contains("* you are carol; /help lists commands");
    }

    /**
     * A console client that found no answer from its old port tries from a new one (a NAT or a published
     * port may send the old one nowhere) while the server still holds its session: the member is silent
     * past its keepalive, so the new session of the same identity continues it, name and place, and the
     * room is told nothing.
     */
    @Test
    void aMemberSilentPastItsKeepaliveIsContinuedByItsIdentityFromAnotherPort() throws Exception {
        IdentityKeyPair carolsKey = IdentityKeyPair.generate(new SecureRandom());
        V2Client carol = v2("10.0.0.3", 1).join("carol", carolsKey, 0, null);
        V2Client dave = v2("10.0.0.4", 1).join("dave");
        f.advance(Duration.ofSeconds(10).plusNanos(V2Ingress.LATE_NANOS + 1)); // keepalive 10 s, and later still
        V2Client again = v2("10.0.0.3", 2).join("carol", carolsKey, 0, null);
        assertThat(again.texts).contains("* you are carol; /help lists commands");
        assertThat(f.sessions.session(carol.peer)).as("the old port's session").isNull();
        again.say("from my new port");
        dave.read();
        assertThat(dave.texts).contains("carol: from my new port")
                .noneMatch(t -> t.equals("* carol left") || t.equals("* carol joined"));
    }

    /** Silent, but not past its keepalive: a live client of the identity, so the new session gets the next name. */
    @Test
    void aMemberHeardWithinItsKeepaliveKeepsItsNameFromTheSameIdentityElsewhere() throws Exception {
        IdentityKeyPair carolsKey = IdentityKeyPair.generate(new SecureRandom());
        assertNotContinued(v2("10.0.0.3", 1), carolsKey, Duration.ofSeconds(10));
    }

    /** A gateway session ends with its connection: however silent, it is never taken for a lost one. */
    @Test
    void aSilentGatewayMemberIsNotContinuedFromAnotherAddress() throws Exception {
        f.relay.attach("ws", (to, datagram) -> f.sent.add(new RelayFixture.Sent(to, datagram)));
        PeerId tab = PeerId.connection("ws", new InetSocketAddress(Peers.ip("10.0.0.3"), 40000), 1);
        assertNotContinued(new V2Client(f, tab), IdentityKeyPair.generate(new SecureRandom()), Duration.ofSeconds(60));
    }

    /** Without an identity nothing says the new session is the silent member's client: it gets the next name. */
    @Test
    void withoutAnIdentityASilentMemberIsNotContinuedFromAnotherPort() throws Exception {
        assertNotContinued(v2("10.0.0.3", 1), null, Duration.ofSeconds(60));
    }

    /** Silent past its keepalive, but the new session proves another identity: the name is not its to continue. */
    @Test
    void aSilentMemberIsNotContinuedByAnotherIdentity() throws Exception {
        IdentityKeyPair carolsKey = IdentityKeyPair.generate(new SecureRandom());
        assertNotContinued(v2("10.0.0.3", 1), carolsKey, IdentityKeyPair.generate(new SecureRandom()),
                Duration.ofSeconds(60), "* you are carol2 (carol belongs to another identity); /help lists commands");
    }

    private void assertNotContinued(V2Client first, IdentityKeyPair key, Duration silent) throws Exception {
        assertNotContinued(first, key, key, silent, "* you are carol2 (carol is taken); /help lists commands");
    }

    /**
     * {@code first} joins as carol with {@code key} (null: none) and is silent for {@code silent}; a new session
     * with {@code otherKey} from 10.0.0.3:2 is welcomed with {@code welcome} (the next name), and the first keeps hers.
     */
    private void assertNotContinued(V2Client first, IdentityKeyPair key, IdentityKeyPair otherKey, Duration silent,
            String welcome) throws Exception {
        first.join("carol", key, 0, null);
        f.advance(silent);
        V2Client other = v2("10.0.0.3", 2).join("carol", otherKey, 0, null);
        assertThat(other.texts).contains(welcome);
        assertThat(f.sessions.session(first.peer).name()).isEqualTo("carol");
    }
}

package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.PrekeyPair;
import io.ciphergram.crypto.SignedPrekey;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.EndToEnd;
import io.ciphergram.protocol.e2e.Envelope;
import io.ciphergram.protocol.e2e.KeyBundle;
import io.ciphergram.protocol.e2e.ReplayCache;
import io.ciphergram.protocol.v2.AppCodec;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.store.NameBinding;
import io.ciphergram.testing.Peers;

/**
 * Names that belong to their owners and private messages the relay cannot read (docs/PROTOCOL.md,
 * "Identities and names"), through the relay with framed v2 clients made by hand: bundles, seals, the
 * mailbox, and what a session without the right identity is told.
 */
class EndToEndRelayTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int FRAMED = V2Frame.Extensions.FRAMED;

    @TempDir
    Path dir;

    private int nextPort = 1;

    /** A user with an identity and a current prekey, and its client once it has joined. */
    private final class User {
        final String name;
        final IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        final PrekeyPair prekey;
        final ReplayCache replays = ReplayCache.withDefaults();
        V2Client client;

        User(String name, long nowMillis) {
            this.name = name;
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            this.prekey = PrekeyPair.restore(identity, 1, nowMillis, secret);
        }

        V2Client join(RelayFixture relay) throws Exception {
            client = new V2Client(relay, Peers.udp("10.0.1.1", nextPort++)).join(name, identity, FRAMED, null);
            return client;
        }

        void publish() throws Exception {
            SignedPrekey p = prekey.signedPrekey();
            client.send(AppCodec.encode(new AppFrame.PublishPrekey(p.id(), p.createdMillis(), p.publicKey(), p.signature())));
            client.read();
        }

        /** Asks for {@code to}'s bundle and seals {@code text} to it, as our clients' /msg does. */
        void sealTo(String to, String text, long nowMillis) throws Exception {
            client.send(AppCodec.encode(new AppFrame.GetBundle(to)));
            client.read();
            AppFrame.Bundle bundle = last(client, AppFrame.Bundle.class);
            KeyBundle keys = E2eCodec.decodeKeyBundle(bundle.bundle());
            Envelope envelope = EndToEnd.seal(identity, name, to, keys, text.getBytes(StandardCharsets.UTF_8), nowMillis,
                    RANDOM);
            client.send(AppCodec.encode(new AppFrame.Seal(to, E2eCodec.encode(envelope))));
            client.read();
        }

        /** The texts of the sealed messages it received, opened with the sender's identity. */
        List<String> opened(User from, long nowMillis) throws Exception {
            List<String> texts = new ArrayList<>();
            for (AppFrame frame : frames(client)) {
                if (frame instanceof AppFrame.Sealed sealed) {
                    Envelope envelope = E2eCodec.decodeEnvelope(sealed.envelope());
                    texts.add((sealed.stored() ? "stored: " : "") + EndToEnd.open(envelope, name, from.identity.publicKey(),
                            List.of(prekey), replays, nowMillis).text());
                }
            }
            return texts;
        }
    }

    private static List<AppFrame> frames(V2Client client) throws FrameException {
        List<AppFrame> frames = new ArrayList<>();
        for (byte[] m : client.messages) {
            frames.add(AppCodec.decode(m));
        }
        return frames;
    }

    private static List<String> notices(V2Client client) throws FrameException {
        return frames(client).stream().filter(f -> f instanceof AppFrame.Notice).map(f -> ((AppFrame.Notice) f).text())
                .toList();
    }

    private static <T extends AppFrame> T last(V2Client client, Class<T> type) throws FrameException {
        List<AppFrame> all = frames(client);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (type.isInstance(all.get(i))) {
                return type.cast(all.get(i));
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + all);
    }

    private Optional<NameBinding> binding(RelayFixture relay, String name) {
        return relay.store.bindings().get(name).toCompletableFuture().join();
    }

    @Test
    void aSealedMessageReachesItsRecipientAndTheRelayHoldsNoTextOfIt() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        long now = relay.millis.get();
        User alice = new User("alice", now);
        User bob = new User("bob", now);
        alice.join(relay);
        bob.join(relay);
        assertThat(notices(alice.client)).first().isEqualTo("* you are alice; /help lists commands");
        assertThat(binding(relay, "alice")).get().matches(b -> b.ownedBy(alice.identity.publicKey().bytes()));
        bob.publish();
        assertThat(binding(relay, "bob").orElseThrow().prekey()).as("bob's prekey is in the directory").isNotNull();

        alice.sealTo("bob", "only bob reads this 0815", now);
        bob.client.read();
        assertThat(bob.opened(alice, now)).containsExactly("only bob reads this 0815");
        assertThat(notices(alice.client)).noneMatch(n -> n.contains("not end to end"));
        assertThat(relay.store.history().recent("#lobby", 100).toCompletableFuture().join())
                .noneMatch(l -> l.text().contains("0815"));
    }

    @Test
    void anEnvelopeForAnAbsentOwnerWaitsInTheMailboxAndIsDeliveredWhenTheOwnerReturns() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        long now = relay.millis.get();
        User alice = new User("alice", now);
        User bob = new User("bob", now);
        bob.join(relay);
        bob.publish();
        bob.client.say("/quit");
        bob.client.read();
        alice.join(relay);
        alice.sealTo("bob", "while you were away", now);
        assertThat(notices(alice.client)).contains("* bob is offline: stored end to end, delivered when bob returns");

        bob.join(relay);
        assertThat(notices(bob.client)).first().as("its own name, its identity proven")
                .isEqualTo("* you are bob; /help lists commands");
        assertThat(bob.opened(alice, now)).containsExactly("stored: while you were away");
        assertThat(relay.store.mailboxes().count("bob").toCompletableFuture().join()).as("handed on, so gone").isZero();
    }

    @Test
    void aBoundNameIsRefusedToAnotherIdentityAndToAClassicClientWithTheReason() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        User alice = new User("alice", relay.millis.get());
        alice.join(relay);
        alice.client.say("/quit");
        alice.client.read();

        User mallory = new User("alice", relay.millis.get()); // another identity asking for the name
        mallory.join(relay);
        assertThat(notices(mallory.client)).first()
                .isEqualTo("* you are alice2 (alice belongs to another identity); /help lists commands");
        V2Client anonymous = new V2Client(relay, Peers.udp("10.0.2.1", 1)).join("alice");
        assertThat(anonymous.texts).first().isEqualTo("* you are alice3 (alice belongs to another identity); /help lists commands");

        alice.join(relay);
        assertThat(notices(alice.client)).first().as("the owner proves its key and gets it back")
                .isEqualTo("* you are alice; /help lists commands");
    }

    @Test
    void aSealFromASessionWithoutIdentityOrInAnothersNameIsRefusedWithANotice() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        long now = relay.millis.get();
        User bob = new User("bob", now);
        bob.join(relay);
        bob.publish();
        V2Client nobody = new V2Client(relay, Peers.udp("10.0.3.1", 1)).join("nobody", null, FRAMED, null);
        nobody.send(AppCodec.encode(new AppFrame.Seal("bob", new byte[] {1, 2, 3})));
        nobody.read();
        assertThat(notices(nobody)).contains(Notices.CANNOT_SEAL);

        User carol = new User("carol", now);
        carol.join(relay);
        KeyBundle bobs = E2eCodec.decodeKeyBundle(E2eCodec.encode(new KeyBundle(bob.identity.publicKey(),
                bob.prekey.signedPrekey())));
        Envelope forged = EndToEnd.seal(carol.identity, "alice", "bob", bobs, "in alice's name".getBytes(StandardCharsets.UTF_8),
                now, RANDOM);
        carol.client.send(AppCodec.encode(new AppFrame.Seal("bob", E2eCodec.encode(forged))));
        carol.client.read();
        assertThat(notices(carol.client)).contains(Notices.MALFORMED_ENVELOPE);
        bob.client.read();
        assertThat(frames(bob.client)).noneMatch(f -> f instanceof AppFrame.Sealed);
    }

    @Test
    void aPrivateMessageTheRelayCanReadIsMarkedAndItsSenderToldOnce() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        User alice = new User("alice", relay.millis.get());
        alice.join(relay);
        V2Client text = new V2Client(relay, Peers.udp("10.0.4.1", 1)).join("tom");
        text.say("/msg alice hello there");
        text.say("/msg alice again");
        text.read();
        alice.client.read();
        assertThat(frames(alice.client)).filteredOn(f -> f instanceof AppFrame.Line l && l.privately())
                .extracting(f -> ((AppFrame.Line) f).text()).containsExactly("hello there", "again");
        assertThat(text.texts).containsOnlyOnce("* private messages to alice are not end to end: the server can read them");
    }

    @Test
    void theLongestLineAV2SenderMaySayReachesAFramedRecipientWholeAndOneByteMoreIsRefused() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        User alice = new User("alice", relay.millis.get());
        alice.join(relay);
        V2Client bob = new V2Client(relay, Peers.udp("10.0.6.1", 1)).join("bob");
        String longest = "x".repeat(65_536 - AppCodec.LINE_OVERHEAD - "bob: ".length());
        bob.say(longest);
        bob.say(longest + "y");
        for (int round = 0; round < 10; round++) { // the send window releases the second as the first is acknowledged
            bob.read();
            alice.client.read();
        }
        assertThat(frames(alice.client)).filteredOn(f -> f instanceof AppFrame.Line)
                .extracting(f -> ((AppFrame.Line) f).text()).containsExactly(longest);
        assertThat(bob.texts).contains("* message not sent: 65452 bytes, at most 65451 fit in one message");
    }

    @Test
    void aResumingClientGetsOnlyTheLinesItMissed() throws Exception {
        RelayFixture relay = RelayFixture.withV2(dir, 100);
        User alice = new User("alice", relay.millis.get());
        alice.join(relay);
        V2Client bob = new V2Client(relay, Peers.udp("10.0.5.1", 1)).join("bob");
        bob.say("one");
        bob.say("two");
        alice.client.read();
        long seen = last(alice.client, AppFrame.Line.class).id();
        alice.client.say("/quit");
        alice.client.read();
        bob.say("three");
        bob.say("four");
        alice.client = new V2Client(relay, Peers.udp("10.0.1.99", 1)).join("alice", alice.identity, FRAMED,
                new V2Frame.Resume("#lobby", seen));
        List<String> lines = frames(alice.client).stream().filter(f -> f instanceof AppFrame.Line)
                .map(f -> (((AppFrame.Line) f).history() ? "history " : "") + ((AppFrame.Line) f).text()).toList();
        assertThat(lines).containsExactly("history three", "history four");
    }
}

package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.SafetyNumber;
import io.ciphergram.crypto.SignedPrekey;
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.KeyBundle;
import io.ciphergram.protocol.v2.AppCodec;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * The console client's framed side (#17, #18): frames shown as lines, /msg sealed through a fake relay that
 * forwards envelopes byte for byte, first-use pins and changed keys, replays, and the resume cursor.
 */
class FramedChatTest {

    /** 2026-01-01T00:00Z, the app-frame vectors' time. */
    private static final long T0 = 1_767_225_600_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private long now = T0;
    private FakeRelay relay;

    /** One client: its framed side, what it showed, and what it sent as text. */
    private final class Client implements FramedChat.Out, FramedChat.Screen {
        final String name;
        final IdentityFile identity;
        final KnownUsers known;
        final FramedChat chat;
        final List<String> shown = new ArrayList<>();
        final List<String> texts = new ArrayList<>();

        Client(String name, String home, ConsoleFormat.Timestamps timestamps) throws IOException {
            this.name = name;
            this.identity = IdentityFile.loadOrCreate(dir.resolve(home).resolve("identity"), RANDOM, now);
            this.known = new KnownUsers(dir.resolve(home).resolve("known_users"));
            this.chat = new FramedChat(identity, known, new ConsoleFormat(timestamps), true, name, this, this, RANDOM,
                    () -> now, ZoneOffset.UTC);
        }

        @Override
        public void text(String line) {
            texts.add(line);
        }

        @Override
        public void frame(AppFrame frame) {
            relay.fromClient(this, frame);
        }

        @Override
        public void show(String line, boolean forYou) {
            shown.add(line);
        }

        /** What joining does: the connection sends the prekey the framing hands it. */
        void join() throws Exception {
            relay.clients.put(name, this);
            for (byte[] message : chat.framing().onMember()) {
                relay.fromClient(this, AppCodec.decode(message));
            }
        }
    }

    /**
     * The relay's part as docs/PROTOCOL.md draws it: it keeps each member's published prekey as its bundle,
     * answers GetBundle, and passes a Seal's envelope on as a Sealed, unread and unchanged. Frames go out
     * when {@link #pump} is called, as the network would deliver them later.
     */
    private class FakeRelay {
        final Map<String, Client> clients = new HashMap<>();
        final Map<String, byte[]> bundles = new HashMap<>();
        final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        final List<byte[]> envelopesSeen = new ArrayList<>();
        /** Names whose owner is away: what is sealed to them waits here. */
        final Map<String, List<byte[]>> mailboxes = new HashMap<>();

        void fromClient(Client from, AppFrame frame) {
            if (frame instanceof AppFrame.PublishPrekey p) {
                IdentityPublicKey identity = from.identity.identity().publicKey();
                bundles.put(from.name, E2eCodec.encode(new KeyBundle(identity,
                        SignedPrekey.of(p.keyId(), p.createdMillis(), p.publicKey(), p.signature()))));
            } else if (frame instanceof AppFrame.GetBundle g) {
                byte[] bundle = bundles.getOrDefault(g.name(), new byte[0]);
                pending.add(() -> deliver(from, new AppFrame.Bundle(g.name(), bundle)));
            } else if (frame instanceof AppFrame.Seal s) {
                envelopesSeen.add(s.envelope());
                if (mailboxes.containsKey(s.to())) {
                    mailboxes.get(s.to()).add(s.envelope());
                    return;
                }
                Client to = clients.get(s.to());
                pending.add(() -> deliver(to, new AppFrame.Sealed(now, false, s.envelope())));
            }
        }

        void deliver(Client to, AppFrame frame) {
            try {
                // through the codec, as on the wire
                to.chat.received(AppCodec.decode(AppCodec.encode(frame)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        void pump() {
            while (!pending.isEmpty()) {
                pending.removeFirst().run();
            }
        }
    }

    private Client alice;
    private Client bob;

    @BeforeEach
    void clients() throws Exception {
        relay = new FakeRelay();
        alice = new Client("alice", "alice-home", ConsoleFormat.Timestamps.OFF);
        bob = new Client("bob", "bob-home", ConsoleFormat.Timestamps.OFF);
        alice.join();
        bob.join();
    }

    @Test
    void aSealedMessageRoundTripsBetweenTwoIdentitiesAndTheRelaySeesNoText() throws Exception {
        assertThat(alice.chat.typed("/msg bob the plan is at noon")).isTrue();
        relay.pump(); // bob's bundle, then the sealed envelope, then bob asks for alice's key, gets it, opens

        relay.pump();
        assertThat(alice.shown).contains("you -> bob (private, end-to-end): the plan is at noon");
        assertThat(bob.shown).contains("alice (private, end-to-end): the plan is at noon");
        assertThat(bob.shown).anySatisfy(line -> assertThat(line).startsWith("* alice's identity SHA256:"));
        assertThat(bob.known.pinned("alice")).contains(alice.identity.identity().publicKey());
        assertThat(relay.envelopesSeen).hasSize(1);
        assertThat(new String(relay.envelopesSeen.get(0), StandardCharsets.ISO_8859_1)).doesNotContain("plan is at noon");
        assertThat(alice.texts).isEmpty();
    }

    @Test
    void aReplayedEnvelopeIsDropped() throws Exception {
        alice.chat.typed("/msg bob once");
        relay.pump();
        relay.pump();
        byte[] envelope = relay.envelopesSeen.get(0);
        relay.deliver(bob, new AppFrame.Sealed(now, true, envelope)); // the relay replays it (as "stored")

        assertThat(bob.shown.stream().filter(line -> line.contains("once"))).hasSize(1);
    }

    @Test
    void aNameWithoutABundleGetsThePlainTextMsgWhichTheRelayCanRead() throws Exception {
        alice.chat.typed("/msg carol hello");
        assertThat(alice.texts).isEmpty(); // waits for carol's bundle
        relay.pump();

        assertThat(alice.texts).containsExactly("/msg carol hello");
        assertThat(alice.shown).contains("you -> carol (private): hello");
    }

    @Test
    void textsWaitingForABundleAreSentInOrderAndTheBundleIsAskedForOnce() throws Exception {
        List<AppFrame> asked = new ArrayList<>();
        FakeRelay counting = new FakeRelay() {
            @Override
            void fromClient(Client from, AppFrame frame) {
                asked.add(frame);
                super.fromClient(from, frame);
            }
        };
        counting.clients.putAll(relay.clients);
        counting.bundles.putAll(relay.bundles);
        relay = counting;
        alice.chat.typed("/msg bob one");
        alice.chat.typed("/msg bob two");
        relay.pump();
        relay.pump();

        assertThat(asked.stream().filter(f -> f instanceof AppFrame.GetBundle g && g.name().equals("bob"))).hasSize(1);
        assertThat(bob.shown).containsSubsequence("alice (private, end-to-end): one", "alice (private, end-to-end): two");
        assertThat(alice.chat.awaitSettled(java.time.Duration.ZERO)).isTrue();
    }

    @Test
    void aChangedKeyIsAWarningNothingIsSealedToItUntilTrustedAndItsMessagesDoNotVerify() throws Exception {
        alice.chat.typed("/msg bob hi");
        relay.pump();
        relay.pump(); // now each has pinned the other
        // "alice" comes back with another identity (a relay handing out its own key would look the same)
        Client impostor = new Client("alice", "impostor-home", ConsoleFormat.Timestamps.OFF);
        impostor.join();
        impostor.chat.typed("/msg bob send me the keys");
        relay.pump();
        relay.pump();

        assertThat(bob.shown).noneMatch(line -> line.contains("send me the keys"));
        assertThat(bob.shown).anySatisfy(line -> assertThat(line).startsWith("* a private message signed as alice does not"
                + " verify with the key pinned for alice: not shown"));

        bob.chat.typed("/msg alice are you there?");
        relay.pump();
        assertThat(bob.shown).anySatisfy(line -> assertThat(line).startsWith("* WARNING: alice's identity key has CHANGED"));
        assertThat(bob.shown).noneMatch(line -> line.contains("you -> alice (private, end-to-end): are you there?"));
        bob.chat.typed("/msg alice still?");
        assertThat(bob.shown).anySatisfy(line -> assertThat(line).startsWith("* not sent: alice's identity key has changed"));

        bob.chat.typed("/trust alice");
        assertThat(bob.known.pinned("alice")).contains(impostor.identity.identity().publicKey());
        bob.chat.typed("/msg alice now trusted");
        relay.pump();
        relay.pump();
        assertThat(impostor.shown).contains("bob (private, end-to-end): now trusted");
    }

    @Test
    void verifyShowsTheSameSafetyNumberOnBothSides() throws Exception {
        alice.chat.typed("/verify bob");
        relay.pump();
        bob.chat.typed("/verify alice");
        relay.pump();

        String expected = "* safety number with bob: " + SafetyNumber.of("alice", alice.identity.identity().publicKey(),
                "bob", bob.identity.identity().publicKey()).grouped();
        assertThat(alice.shown).contains(expected);
        String bobs = bob.shown.stream().filter(l -> l.startsWith("* safety number with alice: ")).findFirst().orElseThrow();
        assertThat(bobs.substring(bobs.indexOf(": ") + 2)).isEqualTo(expected.substring(expected.indexOf(": ") + 2));
    }

    @Test
    void framesAreShownAsLinesWithTheRelaysTimeHistoryBracketedPrivateMarked() throws Exception {
        Client carol = new Client("carol", "carol-home", ConsoleFormat.Timestamps.SHORT);
        FramedChat chat = carol.chat;
        chat.received(new AppFrame.Notice(T0, "* you are in #dev"));
        chat.received(new AppFrame.Line(41, T0 - 3_600_000, true, false, "#dev", "bob", "earlier"));
        chat.received(new AppFrame.Line(42, T0 - 60_000, true, false, "#dev", "alice", "also earlier"));
        chat.received(new AppFrame.Line(43, T0 + 120_000, false, false, "#dev", "alice", "hello carol"));
        chat.received(new AppFrame.Line(0, T0, false, true, "", "dave", "psst"));
        chat.received(new AppFrame.Notice(T0, "* bob left"));

        assertThat(carol.shown).containsExactly(
                "00:00 * you are in #dev",
                "00:00 * earlier in #dev:",
                "00:00 [23:00] bob: earlier",
                "00:00 [23:59] alice: also earlier",
                "00:00 * end of earlier lines",
                "00:02 alice: hello carol",
                "00:00 dave (private): psst",
                "00:00 * bob left");
    }

    @Test
    void aStoredMessageIsMarkedAsDeliveredWhileAway() throws Exception {
        bob.chat.typed("/verify alice"); // pins alice's key first
        relay.pump();
        relay.mailboxes.put("bob", new ArrayList<>()); // bob goes away
        alice.chat.typed("/msg bob while you slept");
        relay.pump();
        relay.mailboxes.remove("bob").forEach(envelope -> relay.deliver(bob, new AppFrame.Sealed(now, true, envelope)));
        bob.chat.received(new AppFrame.Line(9, now, false, false, "#lobby", "carol", "morning"));

        assertThat(bob.shown).containsSubsequence("* delivered while you were away:",
                "[00:00] alice (private, end-to-end): while you slept", "carol: morning");
    }

    @Test
    void theCursorFollowsTheRoomAndItsLastLineAndIsWhatTheNextKeyOfferResumes() throws Exception {
        FramedChat chat = alice.chat;
        assertThat(chat.framing().offer().resume()).isNull(); // first connection: nowhere yet

        chat.received(new AppFrame.Line(5, T0, true, false, "#lobby", "bob", "a"));
        chat.received(new AppFrame.Line(7, T0, false, false, "#lobby", "bob", "b"));
        chat.received(new AppFrame.Line(0, T0, false, true, "", "bob", "private: no id"));
        assertThat(chat.framing().offer().resume()).isEqualTo(new V2Frame.Resume("#lobby", 7));

        chat.received(new AppFrame.Notice(T0, "* you are in #dev"));
        assertThat(chat.framing().offer().resume()).isEqualTo(new V2Frame.Resume("#dev", 0));
        chat.received(new AppFrame.Line(3, T0, true, false, "#dev", "bob", "c"));
        chat.received(new AppFrame.Line(2, T0, true, false, "#dev", "bob", "an older one, late"));

        var offer = chat.framing().offer();
        assertThat(offer.resume()).isEqualTo(new V2Frame.Resume("#dev", 3));
        assertThat(offer.features()).isEqualTo(V2Frame.Extensions.FRAMED);
        assertThat(offer.identity().publicKey()).isEqualTo(alice.identity.identity().publicKey());
        assertThat(chat.cursor().lastId("#LOBBY")).isEqualTo(7);
    }

    @Test
    void eachJoinPublishesTheCurrentSignedPrekey() throws Exception {
        AppFrame.PublishPrekey published = (AppFrame.PublishPrekey) AppCodec.decode(alice.chat.framing().onMember().get(0));

        SignedPrekey current = alice.identity.currentPrekey().signedPrekey();
        assertThat(published.keyId()).isEqualTo(current.id());
        assertThat(published.publicKey()).isEqualTo(current.publicKey());
        assertThat(SignedPrekey.of(published.keyId(), published.createdMillis(), published.publicKey(), published.signature())
                .verifiedBy(alice.identity.identity().publicKey())).isTrue();
    }

    @Test
    void aPrekeyDueIsMadeAndPublishedAtOnceWhenAMember() throws Exception {
        int before = alice.identity.currentPrekey().id();
        now += java.time.Duration.ofDays(8).toMillis();
        List<AppFrame> sent = new ArrayList<>();
        FakeRelay watching = new FakeRelay() {
            @Override
            void fromClient(Client from, AppFrame frame) {
                sent.add(frame);
            }
        };
        relay = watching;

        alice.chat.rotate(true);

        assertThat(alice.identity.currentPrekey().id()).isEqualTo(before + 1);
        assertThat(sent).singleElement().isInstanceOfSatisfying(AppFrame.PublishPrekey.class,
                p -> assertThat(p.keyId()).isEqualTo(before + 1));
        assertThat(((AppFrame.PublishPrekey) AppCodec.decode(alice.chat.framing().onMember().get(0))).keyId())
                .isEqualTo(before + 1);
    }
}

package io.ciphergram.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.PrekeyPair;
import io.ciphergram.crypto.SafetyNumber;
import io.ciphergram.protocol.ChatText;
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.E2eFormatException;
import io.ciphergram.protocol.e2e.EndToEnd;
import io.ciphergram.protocol.e2e.Envelope;
import io.ciphergram.protocol.e2e.KeyBundle;
import io.ciphergram.protocol.e2e.ReplayCache;
import io.ciphergram.protocol.v2.AppCodec;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * The console client's side of a framed v2 session (docs/PROTOCOL.md, "App frames", "Identities and names",
 * "End-to-end messages"; #17, #18): it shows the relay's frames as lines, seals {@code /msg} for recipients
 * that have a key bundle and opens what was sealed for this user, pins contacts' identity keys on first
 * use ({@link KnownUsers}) and keeps the room cursor ({@link RoomCursor}) a reconnect resumes from.
 *
 * <p>What is typed ({@link #typed}) and what arrives ({@link #received}) go through here; what it sends goes
 * to {@link Out}, what it shows to {@link Screen}. The clock is passed in, so it is driven in tests without a
 * relay. Thread-safe: stdin, the receiver and the rotation timer call it, each under this object's lock; the
 * connection's I/O thread reads only {@link #framing()}, which takes no lock of this object.
 */
final class FramedChat {

    /** Where what this client sends goes: the connection. */
    interface Out {
        void text(String line) throws IOException;

        void frame(AppFrame frame) throws IOException;
    }

    /** Where what it shows goes: the console. */
    @FunctionalInterface
    interface Screen {
        void show(String line, boolean forYou);
    }

    /** How long a bundle fetched for {@code /msg} is used before it is asked for again (a rotated prekey). */
    static final Duration BUNDLE_CACHE = Duration.ofMinutes(1);
    /** {@code /msg} texts that may wait for their recipient's bundle, per name and in all. */
    static final int MAX_WAITING_PER_NAME = 16;
    static final int MAX_WAITING = 64;
    /** Sealed messages that may wait for their sender's bundle (an unknown sender), in all. */
    static final int MAX_SEALED_WAITING = 64;

    private static final Pattern MSG = Pattern.compile("^/msg\\s+(\\S+)\\s+(.+)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ONE_NAME = Pattern.compile("^/(verify|safety|trust)\\s+(\\S+)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter EARLIER = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    private final IdentityFile identity;
    private final KnownUsers knownUsers;
    private final ConsoleFormat format;
    private final boolean feedback;
    private final Out out;
    private final Screen screen;
    private final SecureRandom random;
    private final LongSupplier clock;
    private final ZoneId zone;
    private final RoomCursor cursor = new RoomCursor();
    private final ReplayCache replays = ReplayCache.withDefaults();

    /** The PublishPrekey for the current prekey: read by the I/O thread at each join. */
    private volatile AppFrame.PublishPrekey publish;
    private volatile String me;

    private record CachedBundle(KeyBundle bundle, String name, long fetchedMillis) {
    }

    private final Map<String, CachedBundle> bundles = new HashMap<>();
    private final Map<String, ArrayDeque<String>> waiting = new HashMap<>();
    private int waitingCount;
    private final Map<String, List<AppFrame.Sealed>> sealedWaiting = new HashMap<>();
    private int sealedWaitingCount;
    private final Set<String> requested = new HashSet<>();
    private final Set<String> verifyWanted = new HashSet<>();
    /** Keys presented that differ from the pin, by name: what {@code /trust NAME} would accept. */
    private final Map<String, IdentityPublicKey> changed = new HashMap<>();
    private boolean inHistory;
    private boolean inStored;

    FramedChat(IdentityFile identity, KnownUsers knownUsers, ConsoleFormat format, boolean feedback, String me, Out out,
            Screen screen, SecureRandom random, LongSupplier clock, ZoneId zone) {
        this.identity = identity;
        this.knownUsers = knownUsers;
        this.format = format;
        this.feedback = feedback;
        this.me = me;
        this.out = out;
        this.screen = screen;
        this.random = random;
        this.clock = clock;
        this.zone = zone;
        this.publish = publishFrame(identity.currentPrekey());
    }

    /** What the connection adds to each session: the extensions of its KeyOffer and the prekey to publish. */
    V2ConnectionFraming framing() {
        return new V2ConnectionFraming();
    }

    /** The hook the connection calls; it touches only the volatile prekey and the cursor's own lock. */
    final class V2ConnectionFraming implements V2Connection.Framing {
        @Override
        public ClientHandshake.Offer offer() {
            return new ClientHandshake.Offer(identity.identity(), V2Frame.Extensions.FRAMED, cursor.resume());
        }

        @Override
        public List<byte[]> onMember() {
            return List.of(AppCodec.encode(publish));
        }
    }

    RoomCursor cursor() {
        return cursor;
    }

    /** The name the relay gave this user (its welcome): the sender of what it seals, the recipient of what it opens. */
    void me(String name) {
        me = name;
    }

    /**
     * Applies the prekey schedule now (PrekeyRotation: a new prekey every 7 days, a retired private half
     * deleted 14 days later) and publishes a new prekey at once if one was made.
     */
    synchronized void rotate(boolean member) throws IOException {
        if (identity.rotate(clock.getAsLong(), random)) {
            publish = publishFrame(identity.currentPrekey());
            if (member) {
                out.frame(publish);
            }
        }
    }

    private static AppFrame.PublishPrekey publishFrame(PrekeyPair prekey) {
        var signed = prekey.signedPrekey();
        return (new AppFrame.PublishPrekey(signed.id(), signed.createdMillis(), signed.publicKey(),
                signed.signature()));
    }

    /**
     * Waits until no {@code /msg} waits for its recipient's bundle (at the end of input, so that what was
     * typed is sealed and sent before the client leaves).
     *
     * @return false if some still waited after {@code timeout}
     */
    synchronized boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (waitingCount > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(1_000, left / 1_000_000)));
        }
        return true;
    }

    // ---- typed

    /**
     * A line the user typed: handled here ({@code /msg}, {@code /verify}, {@code /trust}) and true, or false:
     * the caller sends it as text.
     */
    synchronized boolean typed(String typed) throws IOException {
        String line = typed.strip();
        Matcher msg = MSG.matcher(line);
        if (msg.matches()) {
            privateMessage(msg.group(1), msg.group(2));
            return true;
        }
        Matcher one = ONE_NAME.matcher(line);
        if (one.matches()) {
            String name = one.group(2);
            if (one.group(1).equalsIgnoreCase("trust")) {
                trust(name);
            } else {
                verify(name);
            }
            return true;
        }
        return false;
    }

    private void privateMessage(String name, String text) throws IOException {
        String key = key(name);
        if (changed.containsKey(key)) {
            notice("not sent: " + name + "'s identity key has changed; /verify " + name + " with them, then /trust " + name);
            return;
        }
        CachedBundle cached = bundles.get(key);
        long now = clock.getAsLong();
        if (cached != null && now - cached.fetchedMillis() <= BUNDLE_CACHE.toMillis()) {
            seal(cached, text);
            return;
        }
        ArrayDeque<String> queue = waiting.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (queue.size() >= MAX_WAITING_PER_NAME || waitingCount >= MAX_WAITING) {
            notice("not sent to " + name + ": too many messages are waiting for its key");
            return;
        }
        queue.addLast(text);
        waitingCount++;
        if (!request(name)) {
            // not a name the relay could have a bundle for: as text, the relay answers for it
            waitingCount -= queue.size();
            waiting.remove(key);
            sendReadable(name, text);
        }
    }

    /** Asks for {@code name}'s bundle once; false if the name cannot go in a frame. */
    private boolean request(String name) throws IOException {
        String key = key(name);
        if (requested.contains(key)) {
            return true;
        }
        AppFrame.GetBundle get;
        try {
            get = new AppFrame.GetBundle(name);
            AppCodec.encode(get);
        } catch (IllegalArgumentException e) {
            return false;
        }
        requested.add(key);
        out.frame(get);
        return true;
    }

    private void seal(CachedBundle to, String text) throws IOException {
        byte[] plaintext = text.getBytes(StandardCharsets.UTF_8);
        Envelope envelope;
        try {
            envelope = EndToEnd.seal(identity.identity(), me, to.name(), to.bundle(), plaintext, clock.getAsLong(), random);
        } catch (IllegalArgumentException e) {
            notice("not sent to " + to.name() + ": " + e.getMessage());
            return;
        }
        out.frame(new AppFrame.Seal(to.name(), E2eCodec.encode(envelope)));
        if (feedback) {
            screen.show(format.stamp(LocalDateTime.now(zone)) + "you -> " + ChatText.clean(to.name())
                    + " (private, end-to-end): " + ChatText.clean(text), false);
        }
    }

    private void sendReadable(String name, String text) throws IOException {
        out.text("/msg " + name + " " + text);
        if (feedback) {
            screen.show(format.stamp(LocalDateTime.now(zone)) + "you -> " + ChatText.clean(name) + " (private): "
                    + ChatText.clean(text), false);
        }
    }

    private void verify(String name) throws IOException {
        Optional<IdentityPublicKey> pinned = knownUsers.pinned(name);
        if (pinned.isEmpty()) {
            verifyWanted.add(key(name));
            if (!request(name)) {
                notice("no identity key known for " + name);
            }
            return;
        }
        showSafetyNumber(name, pinned.get());
    }

    private void showSafetyNumber(String name, IdentityPublicKey theirs) {
        SafetyNumber number = SafetyNumber.of(me, identity.identity().publicKey(), name, theirs);
        notice("safety number with " + name + ": " + number.grouped());
    }

    private void trust(String name) throws IOException {
        IdentityPublicKey presented = changed.remove(key(name));
        if (presented == null) {
            notice("nothing to trust for " + name + ": its identity key has not changed");
            return;
        }
        knownUsers.trust(name, presented);
        notice(name + "'s new identity key " + presented.fingerprint() + " is trusted from now on");
    }

    // ---- received

    /** An app frame from the relay: shown, and whatever it calls for sent. */
    synchronized void received(AppFrame frame) throws IOException {
        boolean history = frame instanceof AppFrame.Line l && l.history();
        if (inHistory && !history) {
            inHistory = false;
            screen.show(stamp(clock.getAsLong()) + "* end of earlier lines", false);
        }
        boolean stored = frame instanceof AppFrame.Sealed s && s.stored();
        if (inStored && !stored) {
            inStored = false;
        }
        if (frame instanceof AppFrame.Line line) {
            line(line);
        } else if (frame instanceof AppFrame.Notice notice) {
            cursor.onNotice(notice.text());
            screen.show(stamp(notice.timeMillis()) + ChatText.clean(notice.text()), false);
        } else if (frame instanceof AppFrame.Sealed sealed) {
            sealed(sealed);
        } else if (frame instanceof AppFrame.Bundle bundle) {
            bundle(bundle);
        }
    }

    private void line(AppFrame.Line line) {
        cursor.onLine(line);
        String from = ChatText.clean(line.from());
        String text = ChatText.clean(line.text());
        if (line.privately()) {
            screen.show(stamp(line.timeMillis()) + from + " (private): " + text, true);
            return;
        }
        if (line.history()) {
            if (!inHistory) {
                inHistory = true;
                screen.show(stamp(clock.getAsLong()) + "* earlier in " + ChatText.clean(line.room()) + ":", false);
            }
            // as the relay shows earlier lines to text clients: when it was said in brackets, after the stamp
            screen.show(stamp(clock.getAsLong()) + "[" + EARLIER.format(local(line.timeMillis())) + "] " + from + ": " + text, false);
            return;
        }
        String shown = from + ": " + text;
        screen.show(stamp(line.timeMillis()) + shown, ConsoleFormat.forYou(shown, me));
    }

    private void sealed(AppFrame.Sealed sealed) throws IOException {
        Envelope envelope;
        try {
            envelope = E2eCodec.decodeEnvelope(sealed.envelope());
        } catch (E2eFormatException e) {
            notice("a private message that is not a well-formed envelope was dropped");
            return;
        }
        Optional<IdentityPublicKey> pinned = knownUsers.pinned(envelope.sender());
        if (pinned.isPresent()) {
            open(sealed, envelope, pinned.get());
            return;
        }
        // First contact: its key comes from its bundle, which is then pinned (trust on first use).
        if (sealedWaitingCount >= MAX_SEALED_WAITING) {
            notice("a private message from " + envelope.sender() + " was dropped: too many wait for their senders' keys");
            return;
        }
        sealedWaiting.computeIfAbsent(key(envelope.sender()), k -> new ArrayList<>()).add(sealed);
        sealedWaitingCount++;
        if (!request(envelope.sender())) {
            notice("a private message from an impossible name was dropped");
        }
    }

    private void open(AppFrame.Sealed sealed, Envelope envelope, IdentityPublicKey senderKey) {
        String sender = ChatText.clean(envelope.sender());
        EndToEnd.Opened opened;
        try {
            opened = EndToEnd.open(envelope, me, senderKey, identity.prekeys(), replays, clock.getAsLong());
        } catch (EndToEnd.OpenFailure e) {
            switch (e.failure()) {
                case REPLAYED -> { } // seen already: a replay is dropped without a word
                case BAD_SIGNATURE -> {
                    bundles.remove(key(envelope.sender())); // the next /msg asks again, and sees whether the key changed
                    notice("a private message signed as " + sender + " does not verify with the key"
                        + " pinned for " + sender + ": not shown. If " + sender + "'s key changed, /verify " + sender
                        + " with them, then /trust " + sender);
                }
                case OUT_OF_WINDOW -> notice("a private message from " + sender + " is too old or from the future: not shown");
                case NOT_FOR_US -> notice("a private message from " + sender + " for someone else was dropped");
                case UNKNOWN_PREKEY, UNDECRYPTABLE -> notice("a private message from " + sender
                        + " could not be opened (sealed to a prekey this identity no longer holds): not shown");
            }
            return;
        }
        String text = ChatText.clean(opened.text());
        if (sealed.stored()) {
            if (!inStored) {
                inStored = true;
                screen.show(stamp(clock.getAsLong()) + "* delivered while you were away:", false);
            }
            screen.show(stamp(clock.getAsLong()) + "[" + EARLIER.format(local(opened.timeMillis())) + "] " + sender + " (private, end-to-end): "
                    + text, true);
            return;
        }
        screen.show(stamp(sealed.timeMillis()) + sender + " (private, end-to-end): " + text, true);
    }

    private void bundle(AppFrame.Bundle frame) throws IOException {
        String name = frame.name();
        String key = key(name);
        requested.remove(key);
        ArrayDeque<String> texts = waiting.remove(key);
        waitingCount -= texts == null ? 0 : texts.size();
        List<AppFrame.Sealed> sealed = sealedWaiting.remove(key);
        sealedWaitingCount -= sealed == null ? 0 : sealed.size();
        boolean verifying = verifyWanted.remove(key);
        notifyAll(); // awaitSettled: these texts are no longer waiting
        byte[] bytes = frame.bundle();
        if (bytes.length == 0) {
            bundles.remove(key);
            // No key: the relay relays the text readable, and says once that it is not end to end.
            for (String text : texts == null ? List.<String>of() : texts) {
                sendReadable(name, text);
            }
            if (sealed != null) {
                notice(sealed.size() + " private message(s) from " + name + " could not be checked (" + name
                        + " has no published key): not shown");
            }
            if (verifying) {
                notice("no identity key known for " + name);
            }
            return;
        }
        KeyBundle bundle;
        try {
            bundle = E2eCodec.decodeKeyBundle(bytes);
        } catch (E2eFormatException e) {
            bundle = null;
        }
        if (bundle == null || !bundle.isSigned()) {
            notice("the key bundle the server gave for " + name + " is not signed by its identity key: nothing sent");
            return;
        }
        KnownUsers.Check check = knownUsers.check(name, bundle.identity());
        switch (check.trust()) {
            case FIRST_USE -> notice(name + "'s identity " + bundle.identity().fingerprint() + " is now pinned in "
                    + knownUsers.file() + " (first contact; /verify " + name + " to compare safety numbers)");
            case MATCH -> { }
            case CHANGED -> {
                changed.put(key, bundle.identity());
                bundles.remove(key);
                notice("WARNING: " + name + "'s identity key has CHANGED: pinned " + check.pinned().fingerprint()
                        + ", now presented " + bundle.identity().fingerprint() + ". Someone may be impersonating " + name
                        + ". Nothing is sent end to end to " + name + " until you /verify " + name + " with them and /trust "
                        + name);
                if (texts != null) {
                    notice(texts.size() + " message(s) to " + name + " not sent");
                }
                if (sealed != null) {
                    for (AppFrame.Sealed s : sealed) {
                        openWaiting(s, check.pinned());
                    }
                }
                if (verifying) {
                    showSafetyNumber(name, check.pinned());
                }
                return;
            }
        }
        CachedBundle cached = new CachedBundle(bundle, name, clock.getAsLong());
        bundles.put(key, cached);
        for (String text : texts == null ? List.<String>of() : texts) {
            seal(cached, text);
        }
        if (sealed != null) {
            for (AppFrame.Sealed s : sealed) {
                openWaiting(s, bundle.identity());
            }
        }
        if (verifying) {
            showSafetyNumber(name, bundle.identity());
        }
    }

    private void openWaiting(AppFrame.Sealed sealed, IdentityPublicKey key) {
        try {
            open(sealed, E2eCodec.decodeEnvelope(sealed.envelope()), key);
        } catch (E2eFormatException e) {
            // decoded once already
        }
    }

    // ---- helpers

    private void notice(String text) {
        screen.show("* " + text, false);
    }

    private String stamp(long timeMillis) {
        return format.stamp(local(timeMillis));
    }

    private LocalDateTime local(long timeMillis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(timeMillis), zone);
    }

    /** Names are the same ignoring ASCII case (UserName). */
    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}

package io.ciphergram.relay;

import java.nio.charset.CharacterCodingException;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.Dropped;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.Utf8;
import io.ciphergram.session.ClassicHandshake;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.FloodGate;
import io.ciphergram.session.SentBlocks;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;

/**
 * Classic datagrams in (docs/PROTOCOL.md, "Sessions and state machine"): the sender's state says what an
 * opaque datagram is, the codec decodes it once into a {@link ClassicFrame}, and the frame advances the
 * handshake or session; texts go to {@link Commands} and the {@link Rooms}.
 *
 * <p>Nothing in the classic format proves where a datagram came from, so the defences are the server's:
 * <ul>
 *   <li>a session joins the room only with its first message that decrypts, which only the holder of the
 *       key, and so only the receiver of the key reply, can send (until then the server answers that
 *       address with no more bytes than it received from its source);</li>
 *   <li>a new handshake or key from the address of a proven session does not replace it until a message
 *       decrypts under the new key; a message under the old key keeps the old session;</li>
 *   <li>flood control counts only messages that decrypt, and what does not decrypt is paid from a budget
 *       of its own ({@link FloodGate}), so a forger at someone's address cannot spend her allowance;</li>
 *   <li>nothing classic reaches a v2 session's address, and the server's own ciphertext is never taken
 *       back as input ({@link ClassicOutbox}).</li>
 * </ul>
 */
final class ClassicIngress {

    /** A text that starts with its sender's own name, as the seed variants without a username send them. */
    private static final Pattern SELF_NAMED = Pattern.compile("([A-Za-z0-9_.-]{1,32})(\\|\\||: )(.*)", Pattern.DOTALL);

    private final SessionRegistry sessions;
    private final Rooms room;
    private final Names names;
    private final Commands commands;
    private final TextLines text;
    private final Transports transports;
    private final Drops drops;
    private final FloodControl floods;
    private final Offload offload;
    private final Counters counters;
    private final SecureRandom random;
    private final ClassicMessageCipher cipher;
    private final int reflectionLimit;
    private final Departures departures;

    ClassicIngress(SessionRegistry sessions, Rooms room, Names names, Commands commands, Transports transports,
            Drops drops, FloodControl floods, Offload offload, Counters counters, SecureRandom random,
            int reflectionLimit, Departures departures, TextLines text) {
        this.sessions = sessions;
        this.room = room;
        this.names = names;
        this.commands = commands;
        this.text = text;
        this.transports = transports;
        this.drops = drops;
        this.floods = floods;
        this.offload = offload;
        this.counters = counters;
        this.random = random;
        this.cipher = new ClassicMessageCipher(random);
        this.reflectionLimit = reflectionLimit;
        this.departures = departures;
    }

    void onDatagram(PeerId from, byte[] datagram) throws Dropped {
        Session session = sessions.session(from);
        if (session instanceof V2Session) {
            // A v2 client never speaks classic from its socket: this is forged. It may not touch the session,
            // nor spend its flood allowance.
            throw new Refused(DropReason.OUT_OF_STATE);
        }
        ClassicSession current = (ClassicSession) session;
        ClassicHandshake handshake = sessions.handshake(from);
        long now = sessions.now();
        if (current != null) {
            current.heard(now);
        }
        if (handshake != null) {
            handshake.heard(now);
        }
        handle(from, datagram, current, handshake);
    }

    /** One datagram for the address's session and handshake as they are now. */
    private void handle(PeerId from, byte[] datagram, ClassicSession current, ClassicHandshake handshake)
            throws Dropped {
        ClassicFrame frame;
        try {
            frame = ClassicCodec.decodeFromClient(datagram, expects(current, handshake));
        } catch (Dropped e) {
            throw current == null && handshake == null && e.reason() == DropReason.OUT_OF_STATE
                    ? new Refused(DropReason.UNKNOWN_PEER) : e;
        }
        if (frame instanceof ClassicFrame.Syn) {
            onSyn(from, current);
        } else if (frame instanceof ClassicFrame.PublicKeyOffer offer) {
            if (!sessions.allowHandshake(from)) {
                throw new Refused(DropReason.HANDSHAKE_RATE_LIMITED);
            }
            onPublicKey(from, handshake, offer);
        } else if (current == null && handshake == null) {
            throw new Refused(DropReason.UNKNOWN_PEER);
        } else if (frame instanceof ClassicFrame.Ack) {
            if (handshake == null || !handshake.acknowledge()) {
                throw new Refused(DropReason.OUT_OF_STATE);
            }
        } else if (frame instanceof ClassicFrame.Opaque opaque) {
            // The seed's client sends its username before it reads the key reply: kept for then, in order.
            if (!handshake.hold(opaque.datagram())) {
                throw new Refused(DropReason.OUT_OF_STATE);
            }
        } else if (frame instanceof ClassicFrame.Username username) {
            onUsername(handshake, username.name(), current);
        } else if (frame instanceof ClassicFrame.SealedOrUsername either) {
            // A handshake beside a proven session: the old session's message, or the new handshake's username.
            if (either.ivAndCiphertext() == null || !onSealed(current, null, either.ivAndCiphertext(), either.username() == null)) {
                onUsername(handshake, either.username(), current);
            }
        } else if (frame instanceof ClassicFrame.Sealed sealed) {
            onSealed(current, handshake, sealed.ivAndCiphertext(), true);
        } else {
            throw new Refused(DropReason.OUT_OF_STATE);
        }
    }

    /** What an opaque datagram from an address is, given what it has. */
    private static ClientExpects expects(ClassicSession current, ClassicHandshake handshake) {
        if (handshake == null) {
            return current != null ? ClientExpects.MESSAGE : ClientExpects.KEY;
        }
        if (current == null || handshake.isWrapping()) {
            return handshake.expects();
        }
        return handshake.state() == ClassicHandshake.State.AWAIT_NAME ? ClientExpects.MESSAGE_OR_USERNAME
                : ClientExpects.MESSAGE;
    }

    private void onSyn(PeerId from, ClassicSession current) throws Dropped {
        ClassicHandshake handshake = sessions.startHandshake(from, sessions.classicGate(from));
        if (handshake == null) {
            throw new Refused(DropReason.SERVER_FULL);
        }
        if (!reply(from, ClassicCodec.encode(new ClassicFrame.SynAck()), current)) {
            sessions.endHandshake(handshake);
            throw new Refused(DropReason.AMPLIFICATION);
        }
    }

    /**
     * A key in a handshake that awaits one completes its key exchange; any other key is the no-handshake
     * variant: a guest session, or a candidate beside a proven one. RSA runs off the relay thread, so what
     * the key is for is decided when the reply is ready.
     */
    private void onPublicKey(PeerId from, ClassicHandshake handshake, ClassicFrame.PublicKeyOffer offer)
            throws Dropped {
        SessionKey key = SessionKey.random(random);
        boolean ours = handshake != null && handshake.awaitsKey();
        if (ours) {
            handshake.wrapping();
        }
        boolean taken = offload.submit(
                () -> ClassicCodec.encode(new ClassicFrame.KeyReply(ClassicKeyTransport.wrap(offer.key(), key))),
                keyReply -> keyReady(from, ours ? handshake : null, key, keyReply),
                e -> {
                    if (ours) {
                        unwrapped(from, handshake);
                    }
                    drops.drop(from, DropReason.BAD_PUBLIC_KEY);
                });
        if (!taken) {
            if (ours) {
                unwrapped(from, handshake);
            }
            throw new Refused(DropReason.HANDSHAKE_RATE_LIMITED);
        }
    }

    /** No key reply after all: the handshake awaits a key again, and what it held is dropped, counted. */
    private void unwrapped(PeerId from, ClassicHandshake handshake) {
        for (int i = handshake.unwrapped(); i > 0; i--) {
            drops.drop(from, DropReason.OUT_OF_STATE);
        }
    }

    private void keyReady(PeerId from, ClassicHandshake handshake, SessionKey key, byte[] keyReply) {
        Session current = sessions.session(from);
        if (current instanceof V2Session) {
            drops.drop(from, DropReason.OUT_OF_STATE); // a v2 session began meanwhile
            return;
        }
        ClassicSession proven = current != null && current.proven() ? (ClassicSession) current : null;
        if (handshake != null && sessions.handshake(from) == handshake && handshake.isWrapping()) {
            // Seed clients read the first datagram after SYN-ACK as the key: nothing else may precede it.
            if (reply(from, keyReply, proven)) {
                for (byte[] held : handshake.keyed(key)) {
                    handleHeld(from, held);
                }
            } else {
                sessions.endHandshake(handshake);
                drops.drop(from, DropReason.AMPLIFICATION);
            }
        } else if (proven != null) {
            ClassicHandshake candidate = sessions.startHandshake(from, proven.flood());
            if (candidate == null) {
                drops.drop(from, DropReason.SERVER_FULL);
                return;
            }
            candidate.awaitProof(key, null);
            reply(from, keyReply, proven);
        } else {
            guestArrives(from, key, keyReply);
        }
    }

    /** A datagram held while the key reply was made, handled now as if it had just arrived (in order). */
    private void handleHeld(PeerId from, byte[] datagram) {
        Session session = sessions.session(from);
        try {
            if (session instanceof V2Session) {
                throw new Refused(DropReason.OUT_OF_STATE);
            }
            handle(from, datagram, (ClassicSession) session, sessions.handshake(from));
        } catch (Dropped e) {
            drops.drop(from, e.reason());
        }
    }

    private void guestArrives(PeerId from, SessionKey key, byte[] keyReply) {
        FloodGate gate = sessions.classicGate(from);
        SessionRegistry.Place place = sessions.admit(from, true);
        if (place == null) {
            drops.drop(from, DropReason.SERVER_FULL);
            return;
        }
        if (!reply(from, keyReply, null)) {
            drops.drop(from, DropReason.AMPLIFICATION);
            return;
        }
        ClassicSession guest = newSession(from, key, gate, true);
        sessions.registerGuest(place, guest);
        counters.handshakeCompleted(guest.profile());
        room.arrived(guest, null, null);
    }

    /** The username ends the handshake: a new (unproven) session, or beside a proven one a candidate. */
    private void onUsername(ClassicHandshake handshake, String requested, ClassicSession current) throws Dropped {
        if (current != null && current.proven()) {
            handshake.awaitProof(handshake.key(), requested);
            return;
        }
        handshake.complete();
        sessions.endHandshake(handshake);
        SessionRegistry.Place place = sessions.admit(handshake.peer(), true);
        if (place == null) {
            throw new Refused(DropReason.SERVER_FULL);
        }
        ClassicSession session = newSession(handshake.peer(), handshake.key(), handshake.flood(), false);
        sessions.register(place, session, requested);
        counters.handshakeCompleted(session.profile());
        room.arrived(session, requested, null);
        names.check(session, (s, old) -> room.renamed(s, old, true));
    }

    private ClassicSession newSession(PeerId peer, SessionKey key, FloodGate gate, boolean guest) {
        return new ClassicSession(peer, key, guest, gate, new SentBlocks(reflectionLimit), sessions.now(),
                s -> new ClassicOutbox(s, cipher, transports, sessions, counters, departures, text));
    }

    /**
     * A sealed message. Under the session's key it is that session's (and proves its address); otherwise,
     * under a waiting candidate's key, the candidate has proven itself and replaces the session. What opens
     * under neither is paid from the address's failure budget; while that is spent, nothing is tried.
     *
     * @param onlyMeaning whether this is all the datagram can be: if not (it may be a username) and no key
     *        opens it, nothing is dropped or paid here and false is returned
     * @return whether a key opened it (the text is then handled)
     */
    private boolean onSealed(ClassicSession current, ClassicHandshake candidate, byte[] sealed, boolean onlyMeaning)
            throws Dropped {
        long now = sessions.now();
        FloodGate gate = current != null ? current.flood() : candidate.flood();
        if (!gate.mayTry(now)) {
            throw new Refused(DropReason.FORGED_FLOOD);
        }
        if (current != null && current.sentBlocks().containsAnyOf(sealed)) {
            gate.failed(now);
            throw new Refused(DropReason.REFLECTED);
        }
        String text = current != null ? open(current.key(), sealed) : null;
        if (text != null) {
            fromSession(current, text, now);
            return true;
        }
        if (candidate != null && candidate.state() == ClassicHandshake.State.AWAIT_PROOF) {
            text = open(candidate.key(), sealed);
            if (text != null) {
                fromCandidate(candidate, current, text, now);
                return true;
            }
        }
        if (!onlyMeaning) {
            return false;
        }
        gate.failed(now);
        // Bad padding, a wrong key and bad UTF-8 are one reason and one silence: no padding oracle.
        throw new Refused(DropReason.UNDECRYPTABLE);
    }

    /** A message that decrypted under {@code session}'s key: its address is proven, and its text goes to the room. */
    private void fromSession(ClassicSession session, String text, long now) {
        if (!floods.admit(session.flood(), session.peer(), session, now)) {
            return;
        }
        ClassicHandshake candidate = sessions.handshake(session.peer());
        if (candidate != null) {
            sessions.endHandshake(candidate); // the old key still works: whoever started a new handshake was not its owner
        }
        if (session.guest() && session.selfNamePrefix() == null && !session.proven()) {
            Matcher named = SELF_NAMED.matcher(text);
            if (named.matches()) {
                String said = namesItself(session, named);
                room.notice(session, Notices.welcome(named.group(1), named.group(1), session.name(), true,
                        sessions.boundToAnother(named.group(1), session)));
                room.proven(session);
                commands.text(session, said);
                return;
            }
        }
        room.proven(session);
        commands.text(session, withoutOwnName(session, text));
    }

    /** A message under a waiting candidate's key: it proved itself and replaces the address's session. */
    private void fromCandidate(ClassicHandshake candidate, ClassicSession predecessor, String text, long now) {
        if (!floods.admit(candidate.flood(), candidate.peer(), predecessor, now)) {
            return;
        }
        ClassicSession successor = promote(candidate, predecessor);
        if (successor != null) {
            commands.text(successor, text);
        }
    }

    /**
     * The seed variants without a username put their own name in every text ({@code NAME||text},
     * {@code NAME: text}; ../shared/reference/original-clients.md). The first message that proves a guest's
     * address and carries such a name gives the guest that name, by the usual rules (a taken one gets a
     * number), so that it is announced and listed as its user chose; from then on that exact prefix is
     * taken off its texts.
     *
     * @return what the guest said in this message
     */
    private String namesItself(ClassicSession guest, Matcher named) {
        sessions.rename(guest, named.group(1));
        guest.selfNamePrefix(named.group(1) + named.group(2));
        return named.group(3);
    }

    private static String withoutOwnName(ClassicSession session, String text) {
        String prefix = session.selfNamePrefix();
        return prefix != null && text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    /** The candidate proved its key: it replaces the address's session, under its own name or a guest's. */
    private ClassicSession promote(ClassicHandshake candidate, ClassicSession predecessor) {
        candidate.complete();
        sessions.endHandshake(candidate);
        if (predecessor != null) {
            sessions.remove(predecessor);
        }
        SessionRegistry.Place place = sessions.admit(candidate.peer(), false);
        if (place == null) {
            drops.drop(candidate.peer(), DropReason.SERVER_FULL);
            if (predecessor != null) {
                room.departed(predecessor);
            }
            return null;
        }
        String requested = candidate.requestedName();
        ClassicSession successor = newSession(candidate.peer(), candidate.key(), candidate.flood(), requested == null);
        if (requested == null) {
            sessions.registerGuest(place, successor);
        } else {
            sessions.register(place, successor, requested);
        }
        sessions.prove(successor);
        counters.handshakeCompleted(successor.profile());
        room.arrived(successor, requested, predecessor);
        if (requested != null) {
            names.check(successor, (s, old) -> room.renamed(s, old, true));
        }
        return successor;
    }

    /** The text of a message under {@code key}, or null if it does not open to UTF-8 text under it. */
    private String open(SessionKey key, byte[] sealed) {
        try {
            return Utf8.decodeStrict(cipher.open(key, sealed));
        } catch (CryptoFailure | CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Sends a handshake answer. To an address no proven session holds, it is paid from its source's credit,
     * so a forged source cannot make the server send anyone more than it sent.
     */
    private boolean reply(PeerId to, byte[] datagram, ClassicSession proven) {
        if ((proven == null || !proven.proven()) && !sessions.spend(to, datagram.length)) {
            return false;
        }
        return transports.send(to, datagram);
    }
}

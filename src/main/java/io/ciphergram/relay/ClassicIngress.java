package io.ciphergram.relay;

import java.security.SecureRandom;
import java.util.List;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
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
 * Classic datagrams in (docs/PROTOCOL.md, "Sessions and state machine"): flood control before anything
 * else, the codec, the handshake or session of the sender, then texts to the {@link Room}.
 *
 * <p>Nothing in the classic format proves where a datagram came from, so the defences are the server's:
 * <ul>
 *   <li>a session joins the room only with its first message that decrypts, which only the holder of the
 *       key, and so only the receiver of the key reply, can send (until then the server answers that
 *       address with no more bytes than it received from its source);</li>
 *   <li>a new handshake or key from the address of a proven session does not replace it until a message
 *       decrypts under the new key; a message under the old key keeps the old session;</li>
 *   <li>nothing classic reaches a v2 session's address, and the server's own ciphertext is never taken
 *       back as input ({@link ClassicOutbox}).</li>
 * </ul>
 */
final class ClassicIngress {

    private final SessionRegistry sessions;
    private final Room room;
    private final Transports transports;
    private final Drops drops;
    private final FloodControl floods;
    private final Offload offload;
    private final Counters counters;
    private final SecureRandom random;
    private final ClassicMessageCipher cipher;
    private final int reflectionWindow;

    ClassicIngress(SessionRegistry sessions, Room room, Transports transports, Drops drops, FloodControl floods,
            Offload offload, Counters counters, SecureRandom random, int reflectionWindow) {
        this.sessions = sessions;
        this.room = room;
        this.transports = transports;
        this.drops = drops;
        this.floods = floods;
        this.offload = offload;
        this.counters = counters;
        this.random = random;
        this.cipher = new ClassicMessageCipher(random);
        this.reflectionWindow = reflectionWindow;
    }

    void onDatagram(PeerId from, byte[] datagram) throws FrameException {
        long now = sessions.now();
        Session session = sessions.session(from);
        if (session instanceof V2Session) {
            // A v2 client never speaks classic from its socket: this is forged. It may not touch the session,
            // nor spend its flood allowance.
            throw new FrameException(DropReason.OUT_OF_STATE);
        }
        ClassicSession current = (ClassicSession) session;
        ClassicHandshake handshake = sessions.handshake(from);
        FloodGate gate = current != null ? current.flood() : handshake != null ? handshake.flood() : null;
        if (current != null) {
            current.heard(now);
        }
        if (handshake != null) {
            handshake.heard(now);
        }
        if (gate != null && !floods.admit(gate, from, current, now)) {
            return;
        }
        if (current != null && handshake != null && handshake.state() == ClassicHandshake.State.AWAIT_NAME
                && datagram.length <= ClassicCodec.MAX_DATAGRAM && !ClassicCodec.isHandshakeFrame(datagram)) {
            // A handshake beside a proven session: an opaque datagram is either the old session's message or
            // the new handshake's username, and only the old key can tell.
            if (!openedBy(current, datagram)) {
                onUsername(handshake, Utf8.decode(datagram, DropReason.BAD_USERNAME).strip(), current);
            }
            return;
        }
        ClassicFrame frame;
        try {
            frame = ClassicCodec.decodeFromClient(datagram, current != null ? ClassicCodec.ClientExpects.MESSAGE
                    : handshake != null ? handshake.expects() : ClassicCodec.ClientExpects.KEY);
        } catch (FrameException e) {
            throw current == null && handshake == null && e.reason() == DropReason.OUT_OF_STATE
                    ? new FrameException(DropReason.UNKNOWN_PEER) : e;
        }
        if (frame instanceof ClassicFrame.Syn) {
            onSyn(from, current, gate);
        } else if (frame instanceof ClassicFrame.PublicKeyOffer offer) {
            if (!sessions.allowHandshake(from)) {
                throw new FrameException(DropReason.HANDSHAKE_RATE_LIMITED);
            }
            onPublicKey(from, handshake, offer);
        } else if (current == null && handshake == null) {
            throw new FrameException(DropReason.UNKNOWN_PEER);
        } else if (frame instanceof ClassicFrame.Ack) {
            if (handshake == null || !handshake.acknowledge()) {
                throw new FrameException(DropReason.OUT_OF_STATE);
            }
        } else if (frame instanceof ClassicFrame.Username username) {
            onUsername(handshake, username.name(), current);
        } else if (frame instanceof ClassicFrame.Sealed sealed) {
            onSealed(from, current, handshake, sealed.ivAndCiphertext(), datagram);
        } else {
            throw new FrameException(DropReason.OUT_OF_STATE);
        }
    }

    private void onSyn(PeerId from, ClassicSession current, FloodGate gate) throws FrameException {
        ClassicHandshake handshake = sessions.startHandshake(from, gate != null ? gate : sessions.classicGate(from));
        if (handshake == null) {
            throw new FrameException(DropReason.SERVER_FULL);
        }
        if (!reply(from, ClassicCodec.encode(new ClassicFrame.SynAck()), current)) {
            sessions.endHandshake(handshake);
            throw new FrameException(DropReason.AMPLIFICATION);
        }
    }

    /**
     * A key in a handshake that awaits one completes its key exchange; any other key is the no-handshake
     * variant: a guest session, or a candidate beside a proven one. RSA runs off the relay thread, so what
     * the key is for is decided when the reply is ready.
     */
    private void onPublicKey(PeerId from, ClassicHandshake handshake, ClassicFrame.PublicKeyOffer offer)
            throws FrameException {
        SessionKey key = SessionKey.random(random);
        boolean taken = offload.submit(
                () -> ClassicCodec.encode(new ClassicFrame.KeyReply(ClassicKeyTransport.wrap(offer.key(), key))),
                keyReply -> keyReady(from, handshake, key, keyReply),
                e -> drops.drop(from, DropReason.BAD_PUBLIC_KEY));
        if (!taken) {
            throw new FrameException(DropReason.HANDSHAKE_RATE_LIMITED);
        }
    }

    private void keyReady(PeerId from, ClassicHandshake handshake, SessionKey key, byte[] keyReply) {
        Session current = sessions.session(from);
        if (current instanceof V2Session) {
            drops.drop(from, DropReason.OUT_OF_STATE); // a v2 session began meanwhile
            return;
        }
        ClassicSession proven = current != null && current.proven() ? (ClassicSession) current : null;
        if (handshake != null && sessions.handshake(from) == handshake && handshake.awaitsKey()) {
            // Seed clients read the first datagram after SYN-ACK as the key: nothing else may precede it.
            if (reply(from, keyReply, proven)) {
                handshake.keyed(key);
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

    private void guestArrives(PeerId from, SessionKey key, byte[] keyReply) {
        FloodGate gate = sessions.classicGate(from);
        if (!sessions.makeRoomFor(from, true)) {
            drops.drop(from, DropReason.SERVER_FULL);
            return;
        }
        if (!reply(from, keyReply, null)) {
            drops.drop(from, DropReason.AMPLIFICATION);
            return;
        }
        ClassicSession guest = newSession(from, key, gate, true);
        sessions.registerGuest(guest);
        counters.handshakeCompleted(guest.profile());
        room.arrived(guest, null, null, true);
    }

    /** The username ends the handshake: a new (unproven) session, or beside a proven one a candidate. */
    private void onUsername(ClassicHandshake handshake, String requested, ClassicSession current) throws FrameException {
        if (current != null && current.proven()) {
            handshake.awaitProof(handshake.key(), requested);
            return;
        }
        handshake.complete();
        sessions.endHandshake(handshake);
        if (!sessions.makeRoomFor(handshake.peer(), true)) {
            throw new FrameException(DropReason.SERVER_FULL);
        }
        ClassicSession session = newSession(handshake.peer(), handshake.key(), handshake.flood(), false);
        sessions.register(session, requested);
        counters.handshakeCompleted(session.profile());
        room.arrived(session, requested, null, true);
    }

    private ClassicSession newSession(PeerId peer, SessionKey key, FloodGate gate, boolean guest) {
        ClassicSession session = new ClassicSession(peer, key, guest, gate, new SentBlocks(reflectionWindow),
                sessions.now());
        session.reachThrough(new ClassicOutbox(session, cipher, transports, sessions, counters));
        return session;
    }

    /**
     * A message: under the session's key it is that session's (and proves its address); otherwise, under a
     * waiting candidate's key, the candidate has proven itself and replaces the session.
     */
    private void onSealed(PeerId from, ClassicSession current, ClassicHandshake candidate, byte[] sealed, byte[] datagram)
            throws FrameException {
        if (current != null && openedBy(current, datagram)) {
            return;
        }
        if (candidate != null && candidate.state() == ClassicHandshake.State.AWAIT_PROOF) {
            byte[] plaintext = open(candidate.key(), sealed);
            if (plaintext != null) {
                String text = Utf8.decode(plaintext, DropReason.UNDECRYPTABLE);
                ClassicSession successor = promote(candidate, current);
                if (successor != null) {
                    room.onText(successor, text);
                }
                return;
            }
        }
        throw new FrameException(DropReason.UNDECRYPTABLE);
    }

    /** Whether {@code datagram} is a message of {@code session}; if so it has been handled. */
    private boolean openedBy(ClassicSession session, byte[] datagram) throws FrameException {
        byte[] sealed;
        try {
            ClassicFrame frame = ClassicCodec.decodeFromClient(datagram, ClassicCodec.ClientExpects.MESSAGE);
            if (!(frame instanceof ClassicFrame.Sealed s)) {
                return false;
            }
            sealed = s.ivAndCiphertext();
        } catch (FrameException e) {
            return false;
        }
        if (session.sentBlocks().containsAnyOf(sealed)) {
            throw new FrameException(DropReason.REFLECTED);
        }
        byte[] plaintext = open(session.key(), sealed);
        if (plaintext == null) {
            return false;
        }
        // Bad padding and bad UTF-8 are one reason and one silence: no padding oracle.
        String text = Utf8.decode(plaintext, DropReason.UNDECRYPTABLE);
        ClassicHandshake candidate = sessions.handshake(session.peer());
        if (candidate != null) {
            sessions.endHandshake(candidate); // the old key still works: whoever started a new handshake was not its owner
        }
        room.proven(session);
        room.onText(session, text);
        return true;
    }

    /** The candidate proved its key: it replaces the address's session, under its own name or a guest's. */
    private ClassicSession promote(ClassicHandshake candidate, ClassicSession predecessor) {
        candidate.complete();
        sessions.endHandshake(candidate);
        if (predecessor != null) {
            sessions.remove(predecessor);
        }
        if (!sessions.makeRoomFor(candidate.peer(), false)) {
            drops.drop(candidate.peer(), DropReason.SERVER_FULL);
            if (predecessor != null) {
                room.left(List.of(predecessor));
            }
            return null;
        }
        String requested = candidate.requestedName();
        ClassicSession successor = newSession(candidate.peer(), candidate.key(), candidate.flood(), requested == null);
        if (requested == null) {
            sessions.registerGuest(successor);
        } else {
            sessions.register(successor, requested);
        }
        sessions.prove(successor);
        counters.handshakeCompleted(successor.profile());
        room.arrived(successor, requested, predecessor, true);
        return successor;
    }

    private byte[] open(SessionKey key, byte[] sealed) {
        try {
            return cipher.open(key, sealed);
        } catch (CryptoFailure e) {
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

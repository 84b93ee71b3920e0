package io.ciphergram.relay;

import java.security.SecureRandom;

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
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;

/**
 * Classic datagrams in (docs/PROTOCOL.md, "Sessions and state machine"): flood control before anything
 * else, the codec, the handshake or session of the sender, then texts to the {@link Room}.
 */
final class ClassicIngress {

    private final SessionRegistry sessions;
    private final Room room;
    private final Transports transports;
    private final Drops drops;
    private final FloodControl floods;
    private final Offload offload;
    private final SecureRandom random;
    private final ClassicMessageCipher cipher;

    ClassicIngress(SessionRegistry sessions, Room room, Transports transports, Drops drops, FloodControl floods,
            Offload offload, SecureRandom random) {
        this.sessions = sessions;
        this.room = room;
        this.transports = transports;
        this.drops = drops;
        this.floods = floods;
        this.offload = offload;
        this.random = random;
        this.cipher = new ClassicMessageCipher(random);
    }

    void onDatagram(PeerId from, byte[] datagram) throws FrameException {
        long now = sessions.now();
        Session session = sessions.session(from);
        ClassicHandshake handshake = session == null ? sessions.handshake(from) : null;
        if (session != null && !admitted(session, now)) {
            return;
        }
        if (handshake != null) {
            handshake.heard(now);
            if (!floods.admit(handshake.flood(), from, null, now)) {
                return;
            }
        }
        ClassicFrame frame;
        try {
            // Only a classic session's own datagrams are messages; a v2 address may restart as classic (SYN, key).
            frame = ClassicCodec.decodeFromClient(datagram, session instanceof ClassicSession
                    ? ClassicCodec.ClientExpects.MESSAGE
                    : handshake != null ? handshake.expects() : ClassicCodec.ClientExpects.KEY);
        } catch (FrameException e) {
            throw session == null && handshake == null && e.reason() == DropReason.OUT_OF_STATE
                    ? new FrameException(DropReason.UNKNOWN_PEER) : e;
        }
        if (frame instanceof ClassicFrame.Syn) {
            onSyn(from);
        } else if (frame instanceof ClassicFrame.PublicKeyOffer offer) {
            onPublicKey(from, handshake, offer);
        } else if (session == null && handshake == null) {
            throw new FrameException(DropReason.UNKNOWN_PEER);
        } else if (frame instanceof ClassicFrame.Ack) {
            if (handshake == null || !handshake.acknowledge()) {
                throw new FrameException(DropReason.OUT_OF_STATE);
            }
        } else if (frame instanceof ClassicFrame.Username username && handshake != null) {
            onUsername(handshake, username.name());
        } else if (frame instanceof ClassicFrame.Sealed sealed && session instanceof ClassicSession classic) {
            onSealed(classic, sealed);
        } else {
            throw new FrameException(DropReason.OUT_OF_STATE);
        }
    }

    private boolean admitted(Session session, long now) {
        if (session instanceof ClassicSession classic) {
            classic.heard(now);
            return floods.admit(classic.flood(), session.peer(), session, now);
        }
        return floods.admit(((V2Session) session).datagrams(), session.peer(), session, now);
    }

    private void onSyn(PeerId from) {
        FloodGate gate = sessions.classicGate(from);
        room.left(sessions.vacate(from));
        sessions.startHandshake(from, gate);
        transports.send(from, ClassicCodec.encode(new ClassicFrame.SynAck()));
    }

    /**
     * A key in a handshake that awaits one completes its key exchange; any other key (the no-handshake
     * variant, or a new key from a known address) opens a guest session. RSA runs off the relay thread.
     */
    private void onPublicKey(PeerId from, ClassicHandshake handshake, ClassicFrame.PublicKeyOffer offer) {
        SessionKey key = SessionKey.random(random);
        boolean forHandshake = handshake != null && handshake.awaitsKey();
        boolean taken = offload.submit(
                () -> ClassicCodec.encode(new ClassicFrame.KeyReply(ClassicKeyTransport.wrap(offer.key(), key))),
                keyReply -> {
                    if (forHandshake) {
                        keyExchanged(handshake, key, keyReply);
                    } else {
                        guestJoins(from, key, keyReply);
                    }
                },
                e -> drops.drop(from, DropReason.BAD_PUBLIC_KEY));
        if (!taken) {
            drops.drop(from, DropReason.HANDSHAKE_RATE_LIMITED);
        }
    }

    /** Seed clients read the first datagram after SYN-ACK as the key: nothing else may precede it. */
    private void keyExchanged(ClassicHandshake handshake, SessionKey key, byte[] keyReply) {
        if (sessions.handshake(handshake.peer()) != handshake || !handshake.awaitsKey()) {
            return; // restarted or keyed meanwhile
        }
        handshake.keyed(key);
        transports.send(handshake.peer(), keyReply);
    }

    private void guestJoins(PeerId from, SessionKey key, byte[] keyReply) {
        FloodGate gate = sessions.classicGate(from);
        room.left(sessions.vacate(from));
        ClassicSession guest = new ClassicSession(from, key, true, gate, sessions.now());
        guest.reachThrough(new ClassicOutbox(from, key, cipher, transports));
        sessions.registerGuest(guest);
        transports.send(from, keyReply);
        room.guestJoined(guest);
    }

    private void onUsername(ClassicHandshake handshake, String requested) {
        ClassicSession session = new ClassicSession(handshake.peer(), handshake.key(), false, handshake.flood(),
                sessions.now());
        session.reachThrough(new ClassicOutbox(handshake.peer(), handshake.key(), cipher, transports));
        sessions.endHandshake(handshake);
        sessions.register(session, requested);
        room.joined(session, requested);
    }

    private void onSealed(ClassicSession session, ClassicFrame.Sealed sealed) throws FrameException {
        byte[] plaintext;
        try {
            plaintext = cipher.open(session.key(), sealed.ivAndCiphertext());
        } catch (CryptoFailure e) {
            throw new FrameException(DropReason.UNDECRYPTABLE);
        }
        // Bad padding and bad UTF-8 are one reason and one silence: no padding oracle.
        room.onText(session, Utf8.decode(plaintext, DropReason.UNDECRYPTABLE));
    }
}

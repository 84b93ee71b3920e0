package io.ciphergram.relay;

import java.security.SecureRandom;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * Classic datagrams in: flood control, the codec, the session's state machine (docs/PROTOCOL.md,
 * "Sessions and state machine"), then texts to the {@link Room}.
 */
final class ClassicIngress {

    private final Room room;
    private final SessionRegistry sessions;
    private final SecureRandom random;

    ClassicIngress(Room room, SecureRandom random) {
        this.room = room;
        this.sessions = room.sessions();
        this.random = random;
    }

    void onDatagram(PeerId from, byte[] datagram) {
        Session session = sessions.find(from);
        if (session != null && !room.admitDatagram(session)) {
            return;
        }
        ClassicFrame frame;
        try {
            // A v2 session's address may restart as classic (SYN, key); nothing else classic is valid for it.
            frame = ClassicCodec.decodeFromClient(datagram,
                    session == null || session.isV2() ? ClassicCodec.ClientExpects.KEY : session.expects());
        } catch (FrameException e) {
            room.drop(from, session == null && e.reason() == DropReason.OUT_OF_STATE ? DropReason.UNKNOWN_PEER : e.reason());
            return;
        }
        if (frame instanceof ClassicFrame.Syn) {
            onSyn(from);
        } else if (frame instanceof ClassicFrame.PublicKeyOffer offer) {
            onPublicKey(from, session, offer);
        } else if (session == null) {
            room.drop(from, DropReason.UNKNOWN_PEER);
        } else if (frame instanceof ClassicFrame.Ack) {
            if (!session.acknowledge()) {
                room.drop(from, DropReason.OUT_OF_STATE);
            }
        } else if (frame instanceof ClassicFrame.Username username) {
            String name = sessions.register(session, username.name());
            room.joined(session, username.name(), name);
        } else if (frame instanceof ClassicFrame.Sealed sealed) {
            onSealed(session, sealed);
        } else {
            room.drop(from, DropReason.OUT_OF_STATE);
        }
    }

    private void onSyn(PeerId from) {
        SessionRegistry.Started started = sessions.start(from);
        room.left(started.ended());
        room.transmit(from, ClassicCodec.encode(new ClassicFrame.SynAck()));
    }

    private void onPublicKey(PeerId from, Session session, ClassicFrame.PublicKeyOffer offer) {
        SessionKey key = SessionKey.random(random);
        byte[] keyReply = ClassicCodec.encode(new ClassicFrame.KeyReply(ClassicKeyTransport.wrap(offer.key(), key)));
        Session.State state = session == null ? null : session.state();
        if (state == Session.State.HANDSHAKE || state == Session.State.AWAIT_KEY) {
            // Seed clients read the first datagram after SYN-ACK as the key: nothing else may precede it,
            // and nothing else is sent to this session until it has registered.
            session.keyed(key);
            room.transmit(from, keyReply);
            return;
        }
        // No-handshake variant (or a new key from a known address): the key alone opens a session.
        SessionRegistry.Started started = sessions.start(from);
        room.left(started.ended());
        Session guest = started.session();
        String name = sessions.registerGuest(guest, key);
        room.transmit(from, keyReply);
        room.guestJoined(guest, name);
    }

    private void onSealed(Session session, ClassicFrame.Sealed sealed) {
        String text;
        try {
            text = room.classicCipher().open(session.key(), sealed.ivAndCiphertext());
        } catch (CryptoFailure e) {
            room.drop(session.peer(), DropReason.UNDECRYPTABLE);
            return;
        }
        room.onText(session, text);
    }
}

package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;


import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.protocol.ChatText;
import io.ciphergram.protocol.UserName;
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.E2eFormatException;
import io.ciphergram.protocol.e2e.Envelope;
import io.ciphergram.protocol.e2e.KeyBundle;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.session.Delivery;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;
import io.ciphergram.store.Mailboxes;
import io.ciphergram.store.NameBinding;
import io.ciphergram.store.SignedPrekey;
import io.ciphergram.store.StoredMessage;

/**
 * Private messages (docs/PROTOCOL.md, "Identities and names"): {@code /msg} texts the relay can read, and
 * end-to-end envelopes it passes on unread, to a member here, on another instance, or into the bound
 * name's mailbox while its owner is away; and the key directory (bundles and prekeys) senders seal with.
 * The relay never decrypts an envelope: it reads only its header's names, to check that it names its
 * real sender and the recipient it is sent to. Relay-thread state; the store answers on the relay thread.
 */
final class Privately {

    /** Stored envelopes handed to an owner per read of its mailbox. */
    static final int MAILBOX_BATCH = 100;

    private final Rooms rooms;
    private final SessionRegistry sessions;
    private final Counters counters;

    Privately(Rooms rooms, SessionRegistry sessions, Counters counters) {
        this.rooms = rooms;
        this.sessions = sessions;
        this.counters = counters;
    }

    // ---- what the relay can read --------------------------------------------------------------------

    /** {@code /msg to text} sent as text: the relay reads it, so the sender is told once that it could. */
    void text(Session from, String to, String text) {
        String clean = ChatText.clean(text);
        if (!rooms.fits(from, Notices.privateLine(from.name(), clean).getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        Session target = member(to);
        boolean sent;
        if (target != null) {
            sent = true;
            if (rooms.send(target, new Delivery.Line(0, rooms.now(), "", from.name(), clean, false, true))) {
                counters.relayed();
            }
        } else {
            sent = rooms.cluster().memberElsewhere(to) && rooms.cluster().direct(from.name(), to, clean);
        }
        if (!sent) {
            counters.refused();
            rooms.notice(from, Notices.noSuchUser(to));
            return;
        }
        if (!from.toldNotEndToEnd()) {
            from.toldNotEndToEnd(true);
            rooms.notice(from, Notices.notEndToEnd(target != null ? target.name() : to));
        }
    }

    /** A relay-readable private message from a member of another instance for {@code to} here. */
    boolean textFromElsewhere(String from, String to, String text, long timeMillis) {
        Session target = member(to);
        if (target == null) {
            return false;
        }
        if (rooms.send(target, new Delivery.Line(0, timeMillis, "", from, ChatText.clean(text), false, true))) {
            counters.relayed();
        }
        return true;
    }

    // ---- end to end ---------------------------------------------------------------------------------

    /**
     * A Seal: an envelope for {@code seal.to()}, passed on as it is. Only a session with an identity may seal
     * (the recipient checks the signature against the sender's bound key); the envelope's header must name
     * the sender's name and the recipient it is sent to, so that nobody can make the relay carry an envelope
     * under another's name.
     */
    void seal(V2Session from, AppFrame.Seal seal) {
        if (from.identity() == null) {
            counters.refused();
            rooms.notice(from, Notices.CANNOT_SEAL);
            return;
        }
        byte[] envelope = seal.envelope();
        Envelope header;
        try {
            header = E2eCodec.decodeEnvelope(envelope);
        } catch (E2eFormatException e) {
            counters.refused();
            rooms.notice(from, Notices.MALFORMED_ENVELOPE);
            return;
        }
        if (!UserName.same(header.sender(), from.name()) || !UserName.same(header.recipient(), seal.to())) {
            counters.refused();
            rooms.notice(from, Notices.MALFORMED_ENVELOPE);
            return;
        }
        long now = rooms.now();
        if (sealedHere(from.name(), seal.to(), envelope, now, false)) {
            return;
        }
        if (rooms.cluster().memberElsewhere(seal.to()) && rooms.cluster().sealed(from.name(), seal.to(), envelope, now)) {
            counters.relayed();
            return;
        }
        String to = UserName.sanitize(seal.to());
        rooms.store().mailboxes().deposit(to, from.name(), envelope, now).whenComplete((deposit, failure) -> {
            if (!from.open()) {
                return;
            }
            if (deposit == Mailboxes.Deposit.STORED) {
                rooms.notice(from, Notices.storedForLater(to));
            } else if (deposit == Mailboxes.Deposit.FULL) {
                counters.refused();
                rooms.notice(from, Notices.mailboxFull(to));
            } else {
                counters.refused();
                rooms.notice(from, Notices.noSuchUser(to));
            }
        });
    }

    /** An envelope from a member of another instance for {@code to} here; false if {@code to} is not one. */
    boolean sealedFromElsewhere(String from, String to, byte[] envelope, long timeMillis) {
        return sealedHere(from, to, envelope, timeMillis, false);
    }

    /** Hands {@code envelope} to the framed member {@code to} here, if there is one. */
    private boolean sealedHere(String from, String to, byte[] envelope, long timeMillis, boolean stored) {
        Session target = member(to);
        if (!(target instanceof V2Session v2) || !v2.framed()) {
            return false;
        }
        if (rooms.send(target, new Delivery.Sealed(timeMillis, from, envelope, stored))) {
            counters.relayed();
        }
        return true;
    }

    /**
     * {@code owner} became a member under a name bound to its identity: the envelopes that waited in its
     * mailbox are handed to it, oldest first, and removed once handed on.
     */
    void arrived(V2Session owner) {
        if (owner.identity() == null || !owner.framed()) {
            return;
        }
        String name = owner.name();
        rooms.store().mailboxes().peek(name, MAILBOX_BATCH).whenComplete((stored, failure) -> {
            if (stored == null || stored.isEmpty() || !owner.open() || !UserName.same(owner.name(), name)) {
                return;
            }
            for (StoredMessage m : stored) {
                rooms.send(owner, new Delivery.Sealed(m.storedAtMillis(), m.sender(), m.envelope(), true));
            }
            long last = stored.get(stored.size() - 1).sequence();
            rooms.store().mailboxes().acknowledge(name, last).whenComplete((done, e) -> {
                if (e == null && stored.size() == MAILBOX_BATCH) {
                    arrived(owner); // more waited
                }
            });
        });
    }

    /** GetBundle: {@code name}'s key bundle (its identity and current prekey), or an empty one. */
    void bundle(Session from, String name) {
        String valid = UserName.sanitize(name);
        rooms.store().bindings().get(valid).whenComplete((found, failure) -> {
            if (!from.open()) {
                return;
            }
            byte[] bundle = new byte[0];
            if (found != null && found.isPresent() && found.get().prekey() != null) {
                bundle = E2eCodec.encode(keyBundle(found.get()));
            }
            rooms.send(from, new Delivery.Bundle(valid, bundle));
        });
    }

    private static KeyBundle keyBundle(NameBinding binding) {
        SignedPrekey p = binding.prekey();
        return new KeyBundle(IdentityPublicKey.of(binding.identityKey()),
                io.ciphergram.crypto.SignedPrekey.of(p.keyId(), p.createdMillis(), p.publicKey(), p.signature()));
    }

    /**
     * PublishPrekey: the session's current prekey, signed by the identity its handshake proved, for the
     * name bound to that identity. One that is not signed by it is refused (it could not be sealed to).
     */
    void publish(V2Session from, AppFrame.PublishPrekey frame) {
        IdentityPublicKey identity = from.identity();
        if (identity == null) {
            counters.refused();
            rooms.notice(from, Notices.CANNOT_SEAL);
            return;
        }
        io.ciphergram.crypto.SignedPrekey prekey = io.ciphergram.crypto.SignedPrekey.of(frame.keyId(),
                frame.createdMillis(), frame.publicKey(), frame.signature());
        if (!prekey.verifiedBy(identity)) {
            counters.refused();
            rooms.notice(from, Notices.BAD_PREKEY);
            return;
        }
        rooms.store().bindings().publishPrekey(from.name(), identity.bytes(),
                new SignedPrekey(frame.keyId(), frame.publicKey(), frame.createdMillis(), frame.signature()));
    }

    /** The member named {@code name} here, or null. */
    private Session member(String name) {
        Session target = sessions.byName(name);
        return target != null && target.proven() ? target : null;
    }

}

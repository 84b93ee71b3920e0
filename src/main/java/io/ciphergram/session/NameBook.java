package io.ciphergram.session;

import io.ciphergram.protocol.UserName;
import java.util.HashMap;
import java.util.Map;

/**
 * Who holds which name: unique ignoring case ({@link UserName#canonical}), here and, through
 * {@link NameClaims}, on the other instances of a cluster. A requested name is made valid rather than
 * refused, and a taken one gets the first free number ({@code alice} → {@code alice2}); guests are
 * numbered {@code guest-<n>}. Every name a session here takes or gives up is told to the claims.
 * Relay-thread state, owned by the {@link SessionRegistry}.
 */
final class NameBook {

    private final Map<String, Session> byName = new HashMap<>();
    /** Names bound to an identity, as far as this instance knows (canonical → owner's key). */
    private final Map<String, byte[]> bound = new HashMap<>();
    private NameClaims claims = NameClaims.LOCAL;
    private long guestCounter;

    void claimWith(NameClaims elsewhere) {
        this.claims = elsewhere;
    }

    /** The session holding {@code name}, or null (also for text that is no valid name). */
    Session holder(String name) {
        String key = UserName.canonical(name);
        return key == null ? null : byName.get(key);
    }

    /**
     * Gives {@code session} the requested name, made valid, or the next free one (a name bound to another
     * identity is never free); returns it.
     */
    String claim(Session session, String requested) {
        return take(session, freeName(UserName.sanitize(requested), session));
    }

    /** {@code name} is bound to the identity {@code key} (null: it is not bound any longer). */
    void bound(String name, byte[] key) {
        String canonical = UserName.canonical(name);
        if (canonical == null) {
            return;
        }
        if (key == null) {
            bound.remove(canonical);
        } else {
            bound.put(canonical, key.clone());
        }
    }

    /** Whether {@code name} is bound to an identity other than {@code session}'s (any, if it has none). */
    boolean boundToAnother(String name, Session session) {
        byte[] owner = bound.get(UserName.canonical(name));
        return owner != null && (session.identity() == null || !java.util.Arrays.equals(owner, session.identity().bytes()));
    }

    /** Gives {@code session} the next free guest name. */
    String claimGuest(Session session) {
        return take(session, nextGuestName());
    }

    /**
     * {@code session} must give its name up for another (the other instances hold it): the next free one by
     * the suffix rule, or for a guest the next guest name.
     */
    String reclaim(Session session) {
        String old = session.name();
        release(session);
        boolean guest = session instanceof ClassicSession classic && classic.guest() && classic.selfNamePrefix() == null;
        return take(session, guest ? nextGuestName() : freeName(old, session));
    }

    /** {@code session} asked for a name after all (a guest that names itself): it gives up its own for it. */
    String rename(Session session, String requested) {
        release(session);
        return claim(session, requested);
    }

    /** {@code session} no longer holds a name (it ended). */
    void release(Session session) {
        String name = session.name();
        if (name != null && byName.remove(UserName.canonical(name), session)) {
            claims.released(name);
        }
    }

    private String take(Session session, String name) {
        session.named(name);
        byName.put(UserName.canonical(name), session);
        claims.claimed(name);
        return name;
    }

    /** {@code base} if nobody here or elsewhere holds it, else {@code base} with the first free number. */
    private String freeName(String base, Session session) {
        String name = base;
        for (int n = 2; taken(name) || boundToAnother(name, session); n++) {
            String suffix = Integer.toString(n);
            name = base.substring(0, Math.min(base.length(), UserName.MAX_LENGTH - suffix.length())) + suffix;
        }
        return name;
    }

    private String nextGuestName() {
        String name;
        do {
            name = "guest-" + (++guestCounter);
        } while (taken(name));
        return name;
    }

    private boolean taken(String name) {
        return byName.containsKey(UserName.canonical(name)) || claims.takenElsewhere(name);
    }
}

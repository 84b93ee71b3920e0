package io.ciphergram.relay;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import io.ciphergram.protocol.UserName;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;
import io.ciphergram.store.NameBinding;
import io.ciphergram.store.Store;

/**
 * Names that belong to their owners (docs/PROTOCOL.md, "Identities and names"). The store's bindings are
 * the truth; the registry keeps a mirror of them ({@link SessionRegistry#bound}) so that the suffix rule,
 * which runs at once, never hands out a name bound to another identity:
 * <ul>
 * <li>a v2 session becomes a member only once its requested name is looked up: unbound, and the session
 * has an identity, it is bound to it; bound to its identity, it is the session's; bound to another (or the
 * session has none), the session takes the next free name and its welcome says why. What the client sends
 * meanwhile waits, in order ({@link #MAX_WAITING} messages);</li>
 * <li>a classic session is named at once (the original clients need their welcome before they say
 * anything), from the mirror; the store is then asked, and a name that turns out bound elsewhere (another
 * instance bound it) is replaced by the next free one, with the same notice.</li>
 * </ul>
 * Relay-thread state; the store answers on the relay thread.
 */
final class Names {

    /** Messages a v2 session may send while its name is looked up; more are dropped and counted. */
    static final int MAX_WAITING = 64;

    private final SessionRegistry sessions;
    private final Store store;
    private final Counters counters;
    private final java.util.function.LongSupplier millis;
    /** v2 sessions whose name is being looked up, and what they sent meanwhile. */
    private final Map<V2Session, ArrayDeque<byte[]>> looking = new IdentityHashMap<>();

    Names(SessionRegistry sessions, Store store, Counters counters, java.util.function.LongSupplier millis) {
        this.sessions = sessions;
        this.store = store;
        this.counters = counters;
        this.millis = millis;
    }

    /** Fills the registry's mirror from the store; at start, before any session. */
    void load() {
        loadFrom(0);
    }

    private void loadFrom(int offset) {
        int page = 1_000;
        store.bindings().list(offset, page).whenComplete((bindings, failure) -> {
            if (bindings == null) {
                return;
            }
            bindings.forEach(b -> sessions.bound(b.name(), b.identityKey()));
            if (bindings.size() == page) {
                loadFrom(offset + page);
            }
        });
    }

    /** Whether {@code session}'s name is still being looked up (what it sends must wait: {@link #hold}). */
    boolean looking(V2Session session) {
        return looking.containsKey(session);
    }

    /** A message {@code session} sent while its name is looked up: it waits, in order; false if dropped. */
    boolean hold(V2Session session, byte[] message) {
        ArrayDeque<byte[]> waiting = looking.get(session);
        if (waiting == null || waiting.size() >= MAX_WAITING) {
            counters.queueRefused();
            return false;
        }
        waiting.add(message);
        return true;
    }

    /**
     * {@code session}'s client proved it holds the keys: its requested name is looked up, then it is named
     * and {@code named} is told (with the welcome it is due), then what it sent meanwhile is handed on.
     *
     * @param named gets the session and its welcome notice, once it has its name
     * @param message gets each message that waited
     */
    void join(V2Session session, BiConsumer<V2Session, String> named, BiConsumer<V2Session, byte[]> message) {
        if (session.proven() || looking.containsKey(session)) {
            return;
        }
        String requested = session.requestedName();
        String valid = UserName.sanitize(requested);
        looking.put(session, new ArrayDeque<>());
        // With an identity: bound to it if free (and marked used if it is its own already); without: looked up.
        var lookup = session.identity() != null
                ? store.bindings().bindIfFree(valid, session.identity().bytes(), millis.getAsLong())
                : store.bindings().get(valid).thenApply(found -> found.orElse(null));
        lookup.whenComplete((binding, failure) -> {
            ArrayDeque<byte[]> waiting = looking.remove(session);
            if (!session.open() || waiting == null) {
                return;
            }
            if (failure == null) { // the store's answer corrects the mirror; failing, the mirror decides
                sessions.bound(valid, binding == null ? null : binding.identityKey());
            }
            boolean bound = sessions.boundToAnother(valid, session);
            String name = sessions.name(session, requested);
            if (name == null) {
                return;
            }
            named.accept(session, Notices.welcome(requested, valid, name, true, bound));
            for (byte[] m : waiting) {
                if (!session.open()) {
                    break;
                }
                message.accept(session, m);
            }
        });
    }

    /**
     * A classic session was named from the mirror: the store is asked whether its name is bound after all
     * (by another instance); if so it takes the next free name and {@code renamed} is told (old name).
     */
    void check(ClassicSession session, BiConsumer<Session, String> renamed) {
        String name = session.name();
        if (name == null) {
            return;
        }
        store.bindings().get(name).whenComplete((found, failure) -> {
            if (found == null || found.isEmpty() || !session.open() || !UserName.same(session.name(), name)) {
                return;
            }
            sessions.bound(found.get().name(), found.get().identityKey());
            if (sessions.rename(session) != null) {
                renamed.accept(session, name);
            }
        });
    }

    /** {@code session} ended: what it sent meanwhile is dropped with it. */
    void ended(Session session) {
        if (session instanceof V2Session v2) {
            looking.remove(v2);
        }
    }
}

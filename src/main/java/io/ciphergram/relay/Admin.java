package io.ciphergram.relay;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.session.Session;
import io.ciphergram.store.Store;
import io.ciphergram.session.SessionRegistry;

/**
 * What an operator may see and do, for the admin API: every operation runs on the relay thread (engine
 * state is its alone) and answers through a future. Nothing it returns holds a key or a message's text.
 */
public final class Admin {

    /** The longest announcement: with its {@code * [server] } prefix it must fit one classic datagram. */
    public static final int MAX_BROADCAST_BYTES = ClassicCodec.MAX_TEXT_BYTES - "* [server] ".length();

    /**
     * One session as an operator sees it, exactly as the admin API answers it ({@code GET /api/sessions}); never
     * a key.
     *
     * @param state {@code member} (in the room) or {@code joining} (its peer has not yet sent anything
     *        under its key)
     * @param idleSeconds since its last datagram
     */
    public record SessionView(String name, String profile, String transport, String remoteAddress, String state,
            java.time.Instant connectedSince, long idleSeconds, long messagesIn, long messagesOut) {
    }

    private final SessionRegistry sessions;
    private final Rooms room;
    private final Store store;
    private final Executor relayThread;

    Admin(SessionRegistry sessions, Rooms room, Store store, Executor relayThread) {
        this.sessions = sessions;
        this.room = room;
        this.store = store;
        this.relayThread = relayThread;
    }

    /** The sessions sorted by name (ignoring case), {@code limit} of them from {@code offset}, and the total. */
    public CompletableFuture<Page> sessions(int offset, int limit) {
        return onRelayThread(() -> {
            long now = sessions.now();
            java.time.Instant wallNow = java.time.Instant.now();
            List<Session> all = sessions.everyone().stream()
                    .sorted(Comparator.comparing((Session s) -> s.name() == null ? "" : s.name().toLowerCase(Locale.ROOT)))
                    .toList(); // a v2 session not yet a member has no name: listed first
            List<SessionView> views = all.stream().skip(offset).limit(limit).map(s -> new SessionView(s.name(),
                    s.profile(), s.peer().transport(), s.peer().addressText(), s.proven() ? "member" : "joining",
                    wallNow.minusMillis((now - s.startedNanos()) / 1_000_000), Math.max(0, now - s.lastHeardNanos()) / 1_000_000_000,
                    s.linesIn(), s.linesOut())).toList();
            return new Page(all.size(), views);
        });
    }

    /** A page of sessions. */
    public record Page(int total, List<SessionView> sessions) {
    }

    /**
     * Removes the session named {@code name} (ignoring case): it is told first, a v2 session is closed
     * properly, and the room sees it leave.
     *
     * @return false if there is no such session
     */
    public CompletableFuture<Boolean> remove(String name) {
        return onRelayThread(() -> {
            Session session = sessions.byName(name);
            if (session == null) {
                return false;
            }
            room.remove(session);
            return true;
        });
    }

    /** Tells every member {@code * [server] text}, each under its own key. Returns how many were told. */
    public CompletableFuture<Integer> broadcast(String text) {
        return onRelayThread(() -> {
            room.announceFromServer(text);
            return sessions.members().length;
        });
    }

    /** A name bound to an identity, as an operator sees it (the key as its fingerprint's hex id). */
    public record BindingView(String name, String identity, long boundMillis, long lastUsedMillis, boolean prekey) {
    }

    /** A page of bindings. */
    public record Bindings(int total, List<BindingView> names) {
    }

    /** The names bound to identities, {@code limit} of them from {@code offset} (sorted by name), and the total. */
    public CompletableFuture<Bindings> names(int offset, int limit) {
        return onRelayThread(() -> store.bindings().count().thenCombine(store.bindings().list(offset, limit),
                (total, page) -> new Bindings(total, page.stream().map(b -> new BindingView(b.name(),
                        IdentityPublicKey.of(b.identityKey()).fingerprint().toString(), b.boundAtMillis(), b.lastUsedMillis(),
                        b.prekey() != null)).toList()))).thenCompose(stage -> stage);
    }

    /**
     * Releases the name {@code name}: anyone may take it again (its mailbox goes with it). A member using it
     * keeps it until it leaves.
     *
     * @return false if it was not bound
     */
    public CompletableFuture<Boolean> release(String name) {
        return onRelayThread(() -> store.bindings().release(name).thenApply(released -> {
            if (released) {
                sessions.bound(name, null);
            }
            return released;
        })).thenCompose(stage -> stage);
    }

    /** Forgets {@code room}'s history; how many lines were dropped (none: the room has no history). */
    public CompletableFuture<Integer> purgeHistory(String room) {
        return onRelayThread(() -> store.history().purge(room)).thenCompose(stage -> stage);
    }

    private <T> CompletableFuture<T> onRelayThread(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            relayThread.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}

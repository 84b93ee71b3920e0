package io.ciphergram.protocol.v2;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.FrameException;

/**
 * The client's v2 handshake with its retries, as docs/PROTOCOL.md ("State machines", client) draws it:
 *
 * <pre>
 *  HELLO_SENT ── Retry echoing our nonce: send KeyOffer ───────────────▶ OFFER_SENT
 *             ── no answer: send the Hello again
 *  OFFER_SENT ── KeyReply that verifies and unwraps ────────────────────▶ ESTABLISHED
 *             ── no answer: send the same KeyOffer again; after {@code offersPerCookie} of them
 *                (the cookie may have expired): a new nonce, a new Hello ──▶ HELLO_SENT
 *  any        ── the deadline passes ──────────────────────────────────────▶ FAILED
 * </pre>
 *
 * Anything that is not the answer (a stray or forged datagram, a Retry for another nonce, a KeyReply that
 * does not verify) is ignored and changes nothing: one injected datagram must not end a handshake the
 * server would complete. Resends wait {@code firstResendNanos}, doubling up to {@code maxResendNanos}, from
 * the latest send; each step forward starts the wait afresh. Whether the server's identity is trusted is
 * decided by the caller after {@link State#ESTABLISHED}, before it sends anything under the session's keys.
 *
 * <p>Pure and not thread-safe: time is passed in, datagrams come in through {@link #onDatagram} and go out
 * as what {@link #start}, {@link #onDatagram} and {@link #poll} return; the caller calls {@link #poll} no
 * later than {@link #nextWakeNanos}. The console client and the load generator both drive one per session.
 */
public final class ClientHandshakeDriver {

    public enum State { NEW, HELLO_SENT, OFFER_SENT, ESTABLISHED, FAILED }

    /**
     * When to send again.
     *
     * @param offersPerCookie KeyOffers sent for one cookie before starting over with a new nonce
     */
    public record Timing(long firstResendNanos, long maxResendNanos, int offersPerCookie) {

        /**
         * The console client's: half a second, then every second, so that even a path losing a fifth of the
         * datagrams each way completes well within the default timeout; three KeyOffers per cookie.
         */
        public static final Timing CONSOLE = new Timing(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(1), 3);

        public Timing {
            if (firstResendNanos <= 0 || maxResendNanos < firstResendNanos || offersPerCookie < 1) {
                throw new IllegalArgumentException("resend times must be positive and rising, with at least one offer");
            }
        }
    }

    private final ClientHandshake handshake;
    private final Timing timing;
    private final long deadlineNanos;
    private State state = State.NEW;
    private byte[] pending;
    private long resendAt;
    private long wait;
    private int offers;
    private int hellosSent;
    private int offersSent;
    private int restarts;
    private boolean answered;
    private ClientHandshake.Established established;

    /** @param deadlineNanos when to give up (on the clock passed to every call) */
    public ClientHandshakeDriver(ClientHandshake handshake, Timing timing, long deadlineNanos) {
        this.handshake = handshake;
        this.timing = timing;
        this.deadlineNanos = deadlineNanos;
    }

    /** The first Hello, to send now. */
    public byte[] start(long nowNanos) {
        if (state != State.NEW) {
            throw new IllegalStateException("already started");
        }
        return hello(nowNanos);
    }

    /** What a datagram from the server calls for: the KeyOffer to send for a fitting Retry, else nothing. */
    public Optional<byte[]> onDatagram(byte[] datagram, long nowNanos) {
        V2Frame frame;
        try {
            frame = V2Codec.decode(datagram);
        } catch (FrameException e) {
            return Optional.empty(); // not v2 (a classic server?) or damaged: not the answer
        }
        try {
            if (state == State.HELLO_SENT && frame instanceof V2Frame.Retry retry) {
                pending = handshake.onRetry(retry);
                answered = true;
                state = State.OFFER_SENT;
                offers = 1;
                offersSent++;
                scheduleFirst(nowNanos);
                return Optional.of(pending);
            }
            if (state == State.OFFER_SENT && frame instanceof V2Frame.KeyReply reply) {
                established = handshake.onKeyReply(reply);
                state = State.ESTABLISHED;
                pending = null;
                return Optional.empty();
            }
        } catch (ClientHandshake.HandshakeException e) {
            // a Retry for another nonce, a reply that does not verify: ignored, the genuine one may follow
        }
        return Optional.empty();
    }

    /** A resend if one is due now (the same Hello or KeyOffer, or a new Hello when starting over). */
    public Optional<byte[]> poll(long nowNanos) {
        if (state != State.HELLO_SENT && state != State.OFFER_SENT) {
            return Optional.empty();
        }
        if (nowNanos - deadlineNanos >= 0) {
            state = State.FAILED;
            pending = null;
            return Optional.empty();
        }
        if (nowNanos - resendAt < 0) {
            return Optional.empty();
        }
        if (state == State.OFFER_SENT && offers >= timing.offersPerCookie()) {
            handshake.restart();
            restarts++;
            return Optional.of(hello(nowNanos));
        }
        if (state == State.OFFER_SENT) {
            offers++;
            offersSent++;
        } else {
            hellosSent++;
        }
        wait = Math.min(timing.maxResendNanos(), wait * 2);
        resendAt = nowNanos + wait;
        return Optional.of(pending); // the very same bytes: the server answers a repeated KeyOffer alike
    }

    /** When {@link #poll} must next be called; Long.MAX_VALUE once the handshake is over. */
    public long nextWakeNanos() {
        if (state != State.HELLO_SENT && state != State.OFFER_SENT) {
            return Long.MAX_VALUE;
        }
        return deadlineNanos - resendAt < 0 ? deadlineNanos : resendAt;
    }

    public State state() {
        return state;
    }

    /** Whether the KeyOffer is out and its KeyReply awaited. */
    public boolean awaitingKeyReply() {
        return state == State.OFFER_SENT;
    }

    /** The completed handshake, once {@link State#ESTABLISHED}. */
    public ClientHandshake.Established established() {
        if (established == null) {
            throw new IllegalStateException("the handshake is not complete");
        }
        return established;
    }

    /** Whether the server ever answered (a Retry for our nonce): a failure then is not "nobody there". */
    public boolean answered() {
        return answered;
    }

    public int hellosSent() {
        return hellosSent;
    }

    public int offersSent() {
        return offersSent;
    }

    /** How often it started over with a new nonce. */
    public int restarts() {
        return restarts;
    }

    private byte[] hello(long nowNanos) {
        pending = handshake.hello();
        state = State.HELLO_SENT;
        hellosSent++;
        scheduleFirst(nowNanos);
        return pending;
    }

    private void scheduleFirst(long nowNanos) {
        wait = timing.firstResendNanos();
        resendAt = nowNanos + wait;
    }
}

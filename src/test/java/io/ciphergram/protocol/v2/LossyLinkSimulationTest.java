package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ciphergram.protocol.TokenBucket;

/**
 * A sender and a receiver joined by a hostile link on a virtual clock: 20% loss each way, 5% duplication,
 * random delays that reorder, and replays of old datagrams. Every frame crosses the link as bytes through
 * {@link ReliableCodec}. Deterministic per seed; runs in well under a second of real time.
 */
class LossyLinkSimulationTest {

    private static final long MS = 1_000_000L;
    private static final long SECONDS = 1_000 * MS;
    private static final int MESSAGES = 1_000;
    private static final double LOSS = 0.20;
    private static final double DUPLICATION = 0.05;
    private static final double REPLAY = 0.02;
    /** The server-stated pace: messages per second and burst. */
    private static final double RATE = 100;
    private static final double BURST = 20;
    /**
     * Virtual time by which everything must be acknowledged: pacing alone takes about 10 s; seeds finish in
     * 10–11 s with fast retransmit (21–40 s on RTO timers alone), so 30 s leaves slack without hiding a stall.
     */
    private static final long DEADLINE_NANOS = 30 * SECONDS;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234, 987_654_321})
    void everyMessageArrivesExactlyOnceInOrderAndTheSenderSeesItAllAcknowledged(long seed) throws Exception {
        Random random = new Random(seed);
        List<byte[]> messages = messages(random);
        ReliableSender sender = new ReliableSender(new TokenBucket(RATE, BURST, 0));
        CountingEvents seen = new CountingEvents();
        ReliableReceiver receiver = new ReliableReceiver(ReliableReceiver.HoldGate.ALWAYS, seen);
        List<byte[]> delivered = new ArrayList<>();
        Link toReceiver = new Link(random);
        Link toSender = new Link(random);
        long now = 0;
        int offered = 0;
        long firstFragmentsSent = 0;

        while (offered < MESSAGES || !sender.allAcknowledged()) {
            while (offered < MESSAGES && sender.offer(messages.get(offered)).isPresent()) {
                offered++;
            }
            for (ReliableFrame.Data d : sender.poll(now)) {
                firstFragmentsSent += d.fragmentIndex() == 0 ? 1 : 0;
                toReceiver.send(ReliableCodec.encode(d), now);
            }
            assertThat(sender.failure()).as("sender gave up at %d ms", now / MS).isEmpty();
            final long ackedAt = now;
            receiver.pollAck(now).ifPresent(a -> toSender.send(ReliableCodec.encode(a), ackedAt));

            long next = Math.min(Math.min(toReceiver.nextArrivalNanos(), toSender.nextArrivalNanos()),
                    Math.min(sender.nextWakeNanos(now), receiver.nextWakeNanos()));
            if (next == Long.MAX_VALUE) {
                fail("stalled at %d ms: nothing in flight and nothing scheduled", now / MS);
            }
            now = Math.max(now, next);
            if (now > DEADLINE_NANOS) {
                fail("not all acknowledged after %d s (offered %d, delivered %d)", DEADLINE_NANOS / SECONDS,
                        offered, delivered.size());
            }
            final long arrival = now;
            toReceiver.arrivals(now, bytes -> delivered.addAll(receiver.onData((ReliableFrame.Data) decode(bytes), arrival)));
            toSender.arrivals(now, bytes -> sender.onAck((ReliableFrame.Ack) decode(bytes), arrival));
        }

        assertThat(delivered).hasSize(MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(delivered.get(i)).as("message %d", i).isEqualTo(messages.get(i));
        }
        assertThat(now).as("pacing: %d messages at %s/s after a burst of %s", MESSAGES, RATE, BURST)
                .isGreaterThanOrEqualTo((long) ((MESSAGES - BURST - 1) / RATE * SECONDS));
        assertThat(firstFragmentsSent).as("the link was hostile: some message starts were retransmitted")
                .isGreaterThan(MESSAGES);
        assertThat(seen.count(ReliableEvents.Event.DUPLICATE)).as("duplicates and replays reached the receiver").isPositive();
        assertThat(seen.count(ReliableEvents.Event.BEYOND_WINDOW)).isZero();
        assertThat(seen.count(ReliableEvents.Event.MESSAGE_EVICTED)).isZero();
        assertThat(seen.count(ReliableEvents.Event.FRAGMENT_REJECTED)).isZero();
        assertThat(sender.window().failure()).as("no ack of anything never sent").isEmpty();
    }

    private static ReliableFrame decode(byte[] bytes) {
        try {
            return ReliableCodec.decode(bytes);
        } catch (io.ciphergram.protocol.FrameException e) {
            throw new AssertionError("the sender's own frame did not decode: " + e.reason());
        }
    }

    /** Mostly chat lines, some a few fragments, a few up to 64 KiB; one empty and one exactly 64 KiB. */
    private static List<byte[]> messages(Random random) {
        List<byte[]> messages = new ArrayList<>(MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            int length;
            if (i == 500) {
                length = V2Constants.MAX_MESSAGE;
            } else if (i == 501) {
                length = 0;
            } else if (i % 50 == 7) {
                length = 1 + random.nextInt(V2Constants.MAX_MESSAGE);
            } else if (i % 10 == 3) {
                length = 1 + random.nextInt(5_000);
            } else {
                length = 1 + random.nextInt(200);
            }
            byte[] message = new byte[length];
            random.nextBytes(message);
            if (length >= 4) {
                ByteBuffer.wrap(message).putInt(i); // a mix-up could not go unnoticed
            }
            messages.add(message);
        }
        return messages;
    }

    /** One direction of the hostile link. */
    private static final class Link {

        private record InTransit(long atNanos, long order, byte[] bytes) {
        }

        private final Random random;
        private final PriorityQueue<InTransit> inTransit = new PriorityQueue<>(
                (a, b) -> a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
        private final List<byte[]> history = new ArrayList<>();
        private long order;

        Link(Random random) {
            this.random = random;
        }

        void send(byte[] datagram, long nowNanos) {
            assertThat(datagram.length + V2Constants.AEAD_TAG + V2Constants.TRANSPORT_HEADER_BUDGET)
                    .isLessThanOrEqualTo(V2Constants.MAX_DATAGRAM);
            history.add(datagram);
            if (random.nextDouble() >= LOSS) {
                schedule(datagram, nowNanos);
            }
            if (random.nextDouble() < DUPLICATION) {
                schedule(datagram, nowNanos);
            }
            if (random.nextDouble() < REPLAY) {
                schedule(history.get(random.nextInt(history.size())), nowNanos); // an old datagram again
            }
        }

        /** 10–50 ms, and 1% of datagrams held up for half a second, so datagrams overtake each other. */
        private void schedule(byte[] datagram, long nowNanos) {
            long delay = 10 * MS + (long) (random.nextDouble() * 40 * MS);
            if (random.nextDouble() < 0.01) {
                delay += 500 * MS;
            }
            inTransit.add(new InTransit(nowNanos + delay, order++, datagram));
        }

        long nextArrivalNanos() {
            InTransit head = inTransit.peek();
            return head == null ? Long.MAX_VALUE : head.atNanos;
        }

        void arrivals(long nowNanos, Consumer<byte[]> deliver) {
            while (!inTransit.isEmpty() && inTransit.peek().atNanos <= nowNanos) {
                deliver.accept(inTransit.poll().bytes);
            }
        }
    }
}

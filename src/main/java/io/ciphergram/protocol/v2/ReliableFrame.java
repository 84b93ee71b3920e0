package io.ciphergram.protocol.v2;

import java.util.Arrays;
import java.util.List;

/**
 * The inner frames of v2: what one record seals and opens, one per datagram. Data and Ack are the reliable
 * layer's (sequence numbers count per direction from 0); Ping and Close carry nothing. {@link ReliableCodec}
 * has the byte layout.
 */
public sealed interface ReliableFrame {

    /** The only Ping. */
    Ping PING = new Ping();
    /** The only Close. */
    Close CLOSE = new Close();

    /** A keepalive, and the client's way to confirm its keys at once; the server answers each with its own. */
    record Ping() implements ReliableFrame {
    }

    /** Ends the session at once on receipt; the sender sends nothing more on it. */
    record Close() implements ReliableFrame {
    }

    /**
     * One fragment of a message under a reliable sequence number. Retransmissions resend the same frame
     * (same sequence), so the receiver can tell a retransmission from new data.
     */
    record Data(long sequence, long messageId, int fragmentIndex, int fragmentCount, byte[] payload)
            implements ReliableFrame {

        public Data {
            if (sequence < 0 || sequence > V2Constants.MAX_SEQUENCE) {
                throw new IllegalArgumentException("sequence out of range: " + sequence);
            }
            if (messageId < 0 || messageId > V2Constants.MAX_MESSAGE_ID) {
                throw new IllegalArgumentException("message id out of range: " + messageId);
            }
            if (fragmentCount < 1 || fragmentIndex < 0 || fragmentIndex >= fragmentCount) {
                throw new IllegalArgumentException("fragment " + fragmentIndex + " of " + fragmentCount);
            }
        }

        public static Data of(long sequence, Fragment fragment) {
            return new Data(sequence, fragment.messageId(), fragment.index(), fragment.count(), fragment.payload());
        }

        public Fragment fragment() {
            return new Fragment(messageId, fragmentIndex, fragmentCount, payload);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && d.sequence == sequence && d.messageId == messageId
                    && d.fragmentIndex == fragmentIndex && d.fragmentCount == fragmentCount
                    && Arrays.equals(d.payload, payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(sequence) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Data[seq=" + sequence + ", msg=" + messageId + ", frag=" + fragmentIndex + "/" + fragmentCount
                    + ", " + payload.length + " bytes]";
        }
    }

    /**
     * Acknowledges every sequence below {@code cumulative} (the next one the receiver expects) and, selectively,
     * the sequences in {@code ranges}: ascending, disjoint, not adjacent, all above {@code cumulative}.
     */
    record Ack(long cumulative, List<AckRange> ranges) implements ReliableFrame {

        public Ack {
            ranges = List.copyOf(ranges);
            if (cumulative < 0 || cumulative > V2Constants.MAX_SEQUENCE + 1) {
                throw new IllegalArgumentException("cumulative out of range: " + cumulative);
            }
            long nextFree = cumulative + 1;
            for (AckRange r : ranges) {
                if (r.first() < nextFree || r.last() > V2Constants.MAX_SEQUENCE) {
                    throw new IllegalArgumentException("ranges must ascend with gaps above cumulative: " + ranges);
                }
                nextFree = r.last() + 2;
            }
        }

        /** Whether this Ack covers {@code sequence}. */
        public boolean acknowledges(long sequence) {
            if (sequence < cumulative) {
                return true;
            }
            for (AckRange r : ranges) {
                if (r.contains(sequence)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Sequences {@code first} to {@code last}, both included. */
    record AckRange(long first, long last) {

        public AckRange {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("bad range " + first + ".." + last);
            }
        }

        public boolean contains(long sequence) {
            return sequence >= first && sequence <= last;
        }
    }
}

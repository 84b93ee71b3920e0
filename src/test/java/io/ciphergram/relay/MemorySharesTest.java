package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.session.SessionLimits;
import io.ciphergram.testing.Peers;

/**
 * Issue 15, B2: one source holding unfinished messages and early fragments for many sessions, and
 * acknowledging nothing, must not spend the v2 memory budget that everyone else's lines need.
 */
class MemorySharesTest {

    private static final long BUDGET = 2L << 20;

    @TempDir
    Path dir;

    private RelayFixture f;

    @BeforeEach
    void relay() throws Exception {
        f = RelayFixture.withV2(dir, RelaySettings.defaults().with(SessionLimits.defaults().withFlood(0, 20)
                .withV2MemoryBudget(BUDGET)));
    }

    /** A client that sends every fragment of a 64 KiB message but its first, so the server must hold them early. */
    private void holdEarlyFragments(V2Client hoarder) {
        hoarder.channel.offer(new byte[65_536]);
        List<byte[]> fragments = hoarder.channel.poll(f.clock.get());
        fragments.subList(1, fragments.size()).forEach(d -> f.relay.onDatagram(hoarder.peer, d));
    }

    @Test
    void aSourceThatHoardsHoldsOnlyItsShareAndEveryoneElsesLinesGetThrough() throws Exception {
        V2Client sender = new V2Client(f, Peers.udp("10.0.0.1", 1)).join("sender");
        V2Client reader = new V2Client(f, Peers.udp("10.0.0.2", 1)).join("reader");
        List<V2Client> hoarders = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            V2Client hoarder = new V2Client(f, Peers.udp("10.9.9.9", 1000 + i)).join("h" + i);
            holdEarlyFragments(hoarder); // and never reads nor acknowledges a thing again
            hoarders.add(hoarder);
        }
        for (int i = 0; i < 36; i++) {
            sender.say("line " + i + " " + "z".repeat(900));
            reader.read();
            sender.read();
        }
        List<String> got = reader.read();
        for (int i = 0; i < 36; i++) {
            String line = "sender: line " + i + " ";
            assertThat(got).as(line).anyMatch(t -> t.startsWith(line));
        }
        long share = f.sessions.v2Memory().sourceShare();
        assertThat(share).isEqualTo(BUDGET / 16);
        assertThat(f.sessions.v2Memory().used()).isLessThanOrEqualTo(BUDGET);
        assertThat(f.sessions.v2Memory().refusals()).as("the hoarder's own fragments and lines were refused").isPositive();
        assertThat(heldBy("10.9.9.9")).isLessThanOrEqualTo(share + 65_536);
    }

    @Test
    void heldBytesAreCountedAtTheirRealSize() throws Exception {
        V2Client hoarder = new V2Client(f, Peers.udp("10.9.9.9", 1)).join("h");
        hoarder.channel.offer(new byte[1_136 + 10]); // two fragments: 1136 and 10 bytes
        List<byte[]> fragments = hoarder.channel.poll(f.clock.get());
        f.relay.onDatagram(hoarder.peer, fragments.get(1)); // only the 10-byte one, early
        assertThat(f.sessions.v2Memory().inboundUsed()).isEqualTo(10);
    }

    private long heldBy(String ip) {
        return f.sessions.v2Memory().heldBy(Peers.udp(ip, 1).source());
    }
}

package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.v2.ReliableFrame.Data;

class ReliableReceiverTest {

    @Test
    void messagesComeOutWholeInOrderAndOnceWhateverTheArrivalOrder() {
        Fragmenter fragmenter = new Fragmenter();
        SendWindow window = new SendWindow(new RttEstimator());
        byte[] big = new byte[3 * V2Constants.MAX_FRAGMENT_PAYLOAD + 5];
        big[big.length - 1] = 42;
        List<Data> sent = new ArrayList<>();
        for (byte[] message : List.of("one".getBytes(), big, "three".getBytes())) {
            fragmenter.split(message).forEach(f -> sent.add(window.send(f, 0)));
        }
        ReliableReceiver receiver = new ReliableReceiver();

        List<byte[]> delivered = new ArrayList<>();
        for (int i : new int[] {5, 2, 0, 2, 4, 1, 0, 3, 5, 1}) {
            delivered.addAll(receiver.onData(sent.get(i), 0));
        }

        assertThat(delivered).hasSize(3);
        assertThat(delivered.get(0)).isEqualTo("one".getBytes());
        assertThat(delivered.get(1)).isEqualTo(big);
        assertThat(delivered.get(2)).isEqualTo("three".getBytes());
    }

    @Test
    void outOfOrderArrivalMakesAnAckDueImmediately() {
        ReliableReceiver receiver = new ReliableReceiver();

        receiver.onData(new Data(1, 1, 0, 1, new byte[] {1}), 7);

        assertThat(receiver.nextWakeNanos()).isEqualTo(7);
        assertThat(receiver.pollAck(7)).hasValueSatisfying(a -> assertThat(a.acknowledges(1)).isTrue());
    }
}

package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FragmenterTest {

    @Test
    void shortMessageIsOneFragment() {
        List<Fragment> fragments = new Fragmenter().split("hello".getBytes());

        assertThat(fragments).containsExactly(new Fragment(0, 0, 1, "hello".getBytes()));
    }

    @Test
    void emptyMessageIsOneEmptyFragment() {
        assertThat(new Fragmenter().split(new byte[0])).containsExactly(new Fragment(0, 0, 1, new byte[0]));
    }

    @Test
    void largestMessageNeedsMaxFragmentsAllFullButTheLast() {
        byte[] message = new byte[V2Constants.MAX_MESSAGE];
        new Random(1).nextBytes(message);

        List<Fragment> fragments = new Fragmenter().split(message);

        assertThat(fragments).hasSize(V2Constants.MAX_FRAGMENTS);
        assertThat(fragments.subList(0, fragments.size() - 1))
                .allSatisfy(f -> assertThat(f.payload()).hasSize(V2Constants.MAX_FRAGMENT_PAYLOAD));
        assertThat(fragments).allSatisfy(f -> assertThat(f.count()).isEqualTo(V2Constants.MAX_FRAGMENTS));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        fragments.forEach(f -> joined.writeBytes(f.payload()));
        assertThat(joined.toByteArray()).isEqualTo(message);
    }

    @Test
    void exactMultipleOfTheFragmentSizeHasNoEmptyTail() {
        List<Fragment> fragments = new Fragmenter(4, 100).split(new byte[8]);

        assertThat(fragments).extracting(f -> f.payload().length).containsExactly(4, 4);
    }

    @Test
    void messagesGetConsecutiveIds() {
        Fragmenter fragmenter = new Fragmenter();

        long first = fragmenter.split(new byte[1]).get(0).messageId();
        long second = fragmenter.split(new byte[1]).get(0).messageId();

        assertThat(second).isEqualTo(first + 1);
    }

    @Test
    void refusesMessagesOverTheMaximum() {
        assertThatThrownBy(() -> new Fragmenter().split(new byte[V2Constants.MAX_MESSAGE + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

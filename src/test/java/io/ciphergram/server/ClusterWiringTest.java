package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.ciphergram.cluster.ClusterCodec;

/** What the cluster wiring says in logs and picks by itself: never a password, always a valid instance id. */
class ClusterWiringTest {

    @Test
    void theRedisAddressIsLoggedWithoutItsPassword() {
        assertThat(ClusterWiring.withoutPassword("redis://:s3cret@redis.example.org:6379/2"))
                .isEqualTo("redis://redis.example.org:6379/2");
        assertThat(ClusterWiring.withoutPassword("rediss://ciphergram:s3cret@10.1.2.3:6380"))
                .isEqualTo("rediss://10.1.2.3:6380");
        assertThat(ClusterWiring.withoutPassword("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
        assertThat(ClusterWiring.withoutPassword("redis://:pa ss@host:6379")).doesNotContain("pa ss");
    }

    @Test
    void theDefaultInstanceIdIsValidAndNewAtEveryStart() {
        String one = ClusterWiring.defaultInstanceId();
        String two = ClusterWiring.defaultInstanceId();
        assertThat(ClusterCodec.isInstanceId(one)).as(one).isTrue();
        assertThat(one).isNotEqualTo(two);
    }
}

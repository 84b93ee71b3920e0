package io.ciphergram.cluster;

import java.time.Duration;

/**
 * One instance's place in a cluster.
 *
 * @param name the cluster's name: instances of one cluster share it, and it keeps several clusters on one
 *        Redis apart
 * @param instance this instance's id, unique in the cluster
 * @param heartbeat how often the instance refreshes its liveness entry and reads everyone else's state
 * @param ttl how long its liveness entry lasts without a refresh: when it runs out, the others take the
 *        instance for dead
 */
public record ClusterSettings(String name, String instance, Duration heartbeat, Duration ttl) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    public ClusterSettings {
        if (!ClusterCodec.isInstanceId(name)) {
            throw new IllegalArgumentException("a cluster name is 1-64 of A-Z a-z 0-9 _ - . , got " + name);
        }
        if (!ClusterCodec.isInstanceId(instance)) {
            throw new IllegalArgumentException("an instance id is 1-64 of A-Z a-z 0-9 _ - . , got " + instance);
        }
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("the heartbeat must be positive");
        }
        if (ttl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("the ttl (" + ttl + ") must be at least two heartbeats (" + heartbeat + ")");
        }
    }

    /**
     * The longest a dead instance's users stay listed elsewhere: its liveness entry outlives its last
     * heartbeat by at most {@link #ttl}, and the others notice at their next heartbeat. Also how long
     * the other instances' users stay listed here after this instance loses its link.
     */
    public Duration presenceBound() {
        return ttl.plus(heartbeat);
    }
}

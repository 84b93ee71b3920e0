package io.ciphergram.cluster;

import java.util.List;

/**
 * The cluster as this instance last saw it, for operators (the admin API, health, metrics): immutable,
 * published by the relay thread, readable from any thread.
 *
 * @param cluster the cluster's name
 * @param instance this instance's id
 * @param linkUp whether the link to the others is connected
 * @param instances every live instance this one knows of, itself first
 */
public record ClusterStatus(String cluster, String instance, boolean linkUp, List<Instance> instances) {

    /**
     * @param info what the instance says of itself (opaque here: the service puts JSON in it)
     * @param members its room members
     */
    public record Instance(String id, String info, int members, boolean self) {
    }

    public int remoteMembers() {
        return instances.stream().filter(i -> !i.self()).mapToInt(Instance::members).sum();
    }
}

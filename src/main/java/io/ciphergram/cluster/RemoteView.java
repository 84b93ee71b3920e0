package io.ciphergram.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this instance knows of the others: per instance, the names it claims, its room members, its
 * revision and when it was last confirmed alive; and across them, who is in the room. Fed by events as
 * they arrive and corrected by a snapshot every heartbeat (events can be lost: pub/sub is at-most-once).
 * A snapshot replaces an instance's state only if it is at least as new as what events already told
 * (its revision), and drops an instance only if nothing was heard from it since the snapshot was asked
 * for, so an event that overtakes a snapshot is never undone by it. Relay-thread state.
 *
 * <p>Every change reports which names joined or left the room as a whole (the union over the other
 * instances), so a name two instances list at once (a conflict being resolved) is announced once and
 * leaves once.
 */
final class RemoteView {

    /** Names that appeared in, and vanished from, the other instances' room. */
    record Changes(List<String> joined, List<String> left) {
        static Changes collect() {
            return new Changes(new ArrayList<>(), new ArrayList<>());
        }

        boolean none() {
            return joined.isEmpty() && left.isEmpty();
        }
    }

    private static final class Instance {
        long revision = -1;
        long heardNanos;
        /** When a snapshot last listed it (never: {@link Long#MIN_VALUE}). */
        long listedNanos = Long.MIN_VALUE;
        String info = "";
        final Map<String, String> claims = new HashMap<>();
        final Map<String, String> members = new HashMap<>();

        Instance(long now) {
            this.heardNanos = now;
        }
    }

    private static final class Shown {
        final String name;
        int instances;

        Shown(String name) {
            this.name = name;
        }
    }

    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Shown> members = new HashMap<>();
    private final Map<String, Integer> claims = new HashMap<>();

    /** One event: applied if it is newer than what is known of its instance. */
    Changes apply(ClusterMessage.NameChange event, long now) {
        Changes changes = Changes.collect();
        Instance instance = instances.computeIfAbsent(event.origin(), id -> new Instance(now));
        instance.heardNanos = now;
        if (event.revision() <= instance.revision) {
            return changes;
        }
        instance.revision = event.revision();
        String lower = ClusterNode.lower(event.name());
        switch (event.change()) {
            case CLAIMED -> claim(instance, lower, event.name());
            case RELEASED -> unclaim(instance, lower);
            case JOINED -> join(instance, lower, event.name(), changes);
            case LEFT -> leave(instance, lower, changes);
            default -> throw new IllegalStateException();
        }
        return changes;
    }

    /**
     * Every live instance's state, read after {@code askedNanos}. {@code self} is skipped. An instance
     * missing from it is dropped, unless heard from since {@code askedNanos}, or unless {@code !settled}
     * and no snapshot has listed it since {@code upSinceNanos}, when this instance's link came up: the
     * store may have come back empty and that instance not yet announced itself again ({@link #expire}
     * still drops it if it never does).
     */
    Changes replace(List<ClusterLink.InstanceState> snapshot, String self, long askedNanos, long now, long upSinceNanos,
            boolean settled) {
        Changes changes = Changes.collect();
        Map<String, ClusterLink.InstanceState> live = new HashMap<>();
        for (ClusterLink.InstanceState state : snapshot) {
            if (!state.id().equals(self)) {
                live.put(state.id(), state);
            }
        }
        for (Iterator<Map.Entry<String, Instance>> it = instances.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Instance> entry = it.next();
            Instance instance = entry.getValue();
            boolean missing = !live.containsKey(entry.getKey()) && instance.heardNanos < askedNanos;
            if (missing && (settled || instance.listedNanos >= upSinceNanos)) {
                forget(entry.getValue(), changes);
                it.remove();
            }
        }
        for (ClusterLink.InstanceState state : live.values()) {
            Instance instance = instances.computeIfAbsent(state.id(), id -> new Instance(now));
            instance.heardNanos = Math.max(instance.heardNanos, now);
            instance.listedNanos = now;
            instance.info = state.info();
            if (state.revision() < instance.revision) {
                continue; // events already told something newer
            }
            instance.revision = state.revision();
            for (String lower : List.copyOf(instance.claims.keySet())) {
                if (!state.claims().containsKey(lower)) {
                    unclaim(instance, lower);
                }
            }
            state.claims().forEach((lower, name) -> claim(instance, lower, name));
            for (String lower : List.copyOf(instance.members.keySet())) {
                if (!state.members().contains(lower)) {
                    leave(instance, lower, changes);
                }
            }
            for (String lower : state.members()) {
                join(instance, lower, state.claims().getOrDefault(lower, lower), changes);
            }
        }
        return changes;
    }

    /** {@code id} said goodbye: its users are gone. */
    Changes drop(String id) {
        Changes changes = Changes.collect();
        Instance instance = instances.remove(id);
        if (instance != null) {
            forget(instance, changes);
        }
        return changes;
    }

    /** Instances not confirmed alive for longer than {@code ttlNanos} are taken for dead. */
    Changes expire(long now, long ttlNanos) {
        Changes changes = Changes.collect();
        for (Iterator<Instance> it = instances.values().iterator(); it.hasNext();) {
            Instance instance = it.next();
            if (now - instance.heardNanos > ttlNanos) {
                forget(instance, changes);
                it.remove();
            }
        }
        return changes;
    }

    /** {@code owner} holds {@code lower} (the store said so when refusing our claim). */
    void claimedBy(String owner, String lower, String name, long now) {
        claim(instances.computeIfAbsent(owner, id -> new Instance(now)), lower, name);
    }

    boolean claimed(String lower) {
        return claims.containsKey(lower);
    }

    /** The instance with a member named {@code lower}, or null. */
    String holderOf(String lower) {
        for (Map.Entry<String, Instance> entry : instances.entrySet()) {
            if (entry.getValue().members.containsKey(lower)) {
                return entry.getKey();
            }
        }
        return null;
    }

    boolean member(String lower) {
        return members.containsKey(lower);
    }

    /** The other instances' members, as shown, one per name. */
    List<String> members() {
        List<String> names = new ArrayList<>(members.size());
        members.values().forEach(s -> names.add(s.name));
        return names;
    }

    List<ClusterStatus.Instance> status() {
        List<ClusterStatus.Instance> list = new ArrayList<>();
        instances.forEach((id, i) -> list.add(new ClusterStatus.Instance(id, i.info, i.members.size(), false)));
        return list;
    }

    private void forget(Instance instance, Changes changes) {
        for (String lower : List.copyOf(instance.members.keySet())) {
            leave(instance, lower, changes);
        }
        for (String lower : List.copyOf(instance.claims.keySet())) {
            unclaim(instance, lower);
        }
    }

    private void claim(Instance instance, String lower, String name) {
        if (instance.claims.put(lower, name) == null) {
            claims.merge(lower, 1, Integer::sum);
        }
    }

    private void unclaim(Instance instance, String lower) {
        if (instance.claims.remove(lower) != null) {
            claims.computeIfPresent(lower, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    private void join(Instance instance, String lower, String name, Changes changes) {
        if (instance.members.put(lower, name) == null) {
            Shown shown = members.computeIfAbsent(lower, k -> new Shown(name));
            if (shown.instances++ == 0) {
                changes.joined().add(name);
            }
        }
    }

    private void leave(Instance instance, String lower, Changes changes) {
        if (instance.members.remove(lower) != null) {
            Shown shown = members.get(lower);
            if (--shown.instances == 0) {
                members.remove(lower);
                changes.left().add(shown.name);
            }
        }
    }
}

package io.ciphergram.relay;

import io.ciphergram.cluster.Cluster;
import io.ciphergram.cluster.ClusterListener;
import io.ciphergram.session.NameClaims;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * Between the room and the other instances of its cluster: what happens elsewhere becomes lines and
 * notices for the members here, and the registry's names are claimed cluster-wide. Relay-thread state,
 * like the room: the cluster calls it on the relay thread only ({@link io.ciphergram.cluster.ClusterNode}).
 *
 * <p>A name listed here and elsewhere at once (a conflict, until the claim in the store renames one of
 * them) is announced and withdrawn once: a join or leave elsewhere is not told while a member here has
 * the name.
 */
final class ClusterBridge implements ClusterListener, NameClaims {

    private final SessionRegistry sessions;
    private final Room room;
    private final Cluster cluster;

    ClusterBridge(SessionRegistry sessions, Room room, Cluster cluster) {
        this.sessions = sessions;
        this.room = room;
        this.cluster = cluster;
    }

    // ---- ClusterListener ----------------------------------------------------------------------------

    @Override
    public void joined(String name) {
        if (!memberHere(name)) {
            room.tellEveryone(Notices.joined(name));
        }
    }

    @Override
    public void left(String name) {
        if (!memberHere(name)) {
            room.tellEveryone(Notices.left(name));
        }
    }

    @Override
    public void line(String from, String text) {
        room.fromElsewhere(from, text);
    }

    @Override
    public boolean direct(String from, String to, String text) {
        Session target = sessions.byName(to);
        if (target == null || !target.proven()) {
            return false;
        }
        room.privatelyFromElsewhere(from, target, text);
        return true;
    }

    @Override
    public void refused(String name) {
        Session session = sessions.byName(name);
        if (session == null) {
            return;
        }
        String old = session.name();
        if (sessions.rename(session) != null) {
            room.renamed(session, old);
        }
    }

    @Override
    public void link(boolean up) {
        room.tellEveryone(up ? Notices.CLUSTER_BACK : Notices.CLUSTER_DOWN);
    }

    // ---- NameClaims ---------------------------------------------------------------------------------

    @Override
    public boolean takenElsewhere(String name) {
        return cluster.claimedElsewhere(name);
    }

    @Override
    public void claimed(String name) {
        cluster.claimed(name);
    }

    @Override
    public void released(String name) {
        cluster.released(name);
    }

    private boolean memberHere(String name) {
        Session session = sessions.byName(name);
        return session != null && session.proven();
    }
}

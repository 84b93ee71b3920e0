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
    private final Rooms room;
    private final Privately privately;
    private final Cluster cluster;

    ClusterBridge(SessionRegistry sessions, Rooms room, Privately privately, Cluster cluster) {
        this.sessions = sessions;
        this.room = room;
        this.privately = privately;
        this.cluster = cluster;
    }

    // ---- ClusterListener ----------------------------------------------------------------------------

    @Override
    public void joined(String name, String roomName) {
        if (!memberHere(name, roomName)) {
            room.tellRoom(roomName, Notices.joined(name), null);
        }
    }

    @Override
    public void left(String name, String roomName) {
        if (!memberHere(name, roomName)) {
            room.tellRoom(roomName, Notices.left(name), null);
        }
    }

    @Override
    public void line(String roomName, long timeMillis, String from, String text) {
        room.lineFromElsewhere(roomName, timeMillis, from, text);
    }

    @Override
    public boolean direct(String from, String to, String text) {
        return privately.textFromElsewhere(from, to, text, room.now());
    }

    @Override
    public boolean sealed(String from, String to, byte[] envelope, long timeMillis) {
        return privately.sealedFromElsewhere(from, to, envelope, timeMillis);
    }

    @Override
    public void refused(String name) {
        Session session = sessions.byName(name);
        if (session == null) {
            return;
        }
        String old = session.name();
        if (sessions.rename(session) != null) {
            room.renamed(session, old, false);
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

    private boolean memberHere(String name, String roomName) {
        Session session = sessions.byName(name);
        return session != null && session.proven() && roomName.equals(session.room());
    }
}

package io.ciphergram.relay;

import java.lang.System.Logger.Level;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.Session;

/**
 * What the relay tells its logs: a datagram dropped, a session started or ended, each with the peer, the
 * profile and the reason as fields. Never content, never a key. The service's wiring logs them as
 * structured fields (JSON logs on request); without it they go to {@link System.Logger} at debug level.
 * Called on the relay thread.
 */
public interface RelayEvents {

    void dropped(PeerId peer, DropReason reason);

    void started(Session session);

    void ended(Session session);

    /** Plain log lines through {@link System.Logger}, at debug level. */
    RelayEvents PLAIN = new RelayEvents() {
        private final System.Logger log = System.getLogger(RelayEvents.class.getName());

        @Override
        public void dropped(PeerId peer, DropReason reason) {
            log.log(Level.DEBUG, () -> "dropped a datagram from " + peer + ": " + reason);
        }

        @Override
        public void started(Session session) {
            log.log(Level.DEBUG, () -> "session started: " + session.name() + " (" + session.profile() + ", "
                    + session.peer() + ")");
        }

        @Override
        public void ended(Session session) {
            log.log(Level.DEBUG, () -> "session ended: " + session.name() + " (" + session.profile() + ", "
                    + session.peer() + ")");
        }
    };
}

package io.ciphergram.session;

/**
 * Names held beyond this registry: in a cluster, by the sessions of the other instances. The registry asks
 * before it gives out a name, and tells when one of its sessions takes or gives up a name, on the relay
 * thread. {@link #LOCAL}, the default, knows no other holder.
 */
public interface NameClaims {

    /** Whether something outside this registry holds {@code name} (ignoring case). */
    boolean takenElsewhere(String name);

    /** A session of this registry now holds {@code name}. */
    void claimed(String name);

    /** No session of this registry holds {@code name} any longer. */
    void released(String name);

    NameClaims LOCAL = new NameClaims() {
        @Override
        public boolean takenElsewhere(String name) {
            return false;
        }

        @Override
        public void claimed(String name) {
        }

        @Override
        public void released(String name) {
        }
    };
}

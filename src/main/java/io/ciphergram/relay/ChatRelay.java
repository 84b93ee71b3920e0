package io.ciphergram.relay;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.session.Counters;
import io.ciphergram.session.SessionRegistry;

/**
 * The protocol engine: (peer, datagram) in, (peer, datagram) out through each transport's {@link Egress}.
 * A datagram reads top to bottom: the first bytes pick the profile ({@link ClassicIngress} or
 * {@link V2Ingress}) → flood control → codec decodes → session advances → the {@link Room} routes →
 * each recipient's copy is encoded in its own profile under its own key → egress sends. Knows nothing of
 * Vert.x, so a second transport plugs in with {@link #attach} alone.
 */
@ApplicationScoped
public class ChatRelay {

    private static final System.Logger LOG = System.getLogger(ChatRelay.class.getName());

    private final Counters counters;
    private final Room room;
    private final ClassicIngress classic;
    private final V2Ingress v2;

    /** A relay that speaks only the classic profile (v2 datagrams are dropped as malformed). */
    public ChatRelay(SessionRegistry sessions, Counters counters, double floodPerSecond, double floodBurst) {
        this(sessions, counters, floodPerSecond, floodBurst, null);
    }

    @Inject
    public ChatRelay(SessionRegistry sessions, Counters counters,
            @ConfigProperty(name = "ciphergram.flood.per-second", defaultValue = "10") double floodPerSecond,
            @ConfigProperty(name = "ciphergram.flood.burst", defaultValue = "20") double floodBurst,
            ServerHandshake handshake) {
        SecureRandom random = new SecureRandom();
        this.counters = counters;
        this.room = new Room(sessions, counters, random, floodPerSecond, floodBurst);
        this.classic = new ClassicIngress(room, random);
        this.v2 = new V2Ingress(room, handshake);
    }

    /** A transport announces how to reach its peers. */
    public void attach(String transport, Egress out) {
        room.attach(transport, out);
    }

    public void detach(String transport) {
        room.detach(transport);
    }

    /** One datagram from a peer. Never throws: bad input is dropped and counted. */
    public void onDatagram(PeerId from, byte[] datagram) {
        counters.received();
        try {
            if (V2Codec.isV2(datagram)) {
                v2.onDatagram(from, datagram);
            } else {
                classic.onDatagram(from, datagram);
            }
        } catch (FrameException e) {
            room.drop(from, e.reason());
        } catch (RuntimeException e) {
            // A bug must cost one datagram, not the event loop; the datagram's content is not logged.
            LOG.log(Level.ERROR, "failed to handle a datagram from " + from, e);
        }
    }

    /** Ends idle sessions (classic after an hour, v2 after 180 s); called periodically. */
    public void expireIdle() {
        room.expireIdle();
    }

    /** Drives v2 timers (retransmissions, delayed acks, pacing); called every few milliseconds. */
    public void tick() {
        v2.tick();
    }
}

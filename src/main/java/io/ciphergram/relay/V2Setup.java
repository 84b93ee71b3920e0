package io.ciphergram.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * Makes the server's v2 handshake: loads (or on first start creates, owner-only) the long-term identity
 * key and states the limits clients pace themselves to. Its fingerprint is what users pin.
 */
@ApplicationScoped
public class V2Setup {

    private static final System.Logger LOG = System.getLogger(V2Setup.class.getName());

    @Produces
    @Singleton
    ServerHandshake serverHandshake(
            @ConfigProperty(name = "ciphergram.identity.path") Path identityPath,
            @ConfigProperty(name = "ciphergram.flood.per-second", defaultValue = "10") double perSecond,
            @ConfigProperty(name = "ciphergram.flood.burst", defaultValue = "20") double burst,
            @ConfigProperty(name = "ciphergram.v2.idle-timeout", defaultValue = "180s") Duration idleTimeout,
            @ConfigProperty(name = "ciphergram.v2.keepalive", defaultValue = "10s") Duration keepalive) {
        ServerIdentity identity;
        try {
            identity = ServerIdentity.loadOrCreate(identityPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the server identity key at " + identityPath, e);
        }
        LOG.log(System.Logger.Level.INFO, "Ciphergram server identity " + identity.fingerprint()
                + " (" + identityPath + "); clients pin this fingerprint");
        V2Frame.Limits limits = new V2Frame.Limits((int) Math.ceil(perSecond), (int) Math.ceil(burst),
                ReliableConstants.MAX_MESSAGE, (int) idleTimeout.toSeconds(), (int) keepalive.toSeconds());
        return new ServerHandshake(identity, limits, new SecureRandom(), System.nanoTime());
    }
}

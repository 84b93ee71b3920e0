package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ciphergram.relay.RelaySettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The engine's defaults are stated once, in {@link EngineConfig}; the plain-Java defaults its own tests run
 * with ({@link RelaySettings#defaults()}) must be the same, and a key set in the configuration must reach the
 * engine.
 */
class EngineConfigTest {

    private static SmallRyeConfig config(Map<String, String> properties) {
        // Quarkus's own duration converter reads "10s" as the service does. Only these properties and
        // user.home are seen (other tests of this JVM set system properties of their own).
        Map<String, String> seen = new java.util.HashMap<>(properties);
        seen.put("user.home", System.getProperty("user.home"));
        return new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(seen, "test", 500))
                .withMapping(EngineConfig.Session.class).withMapping(EngineConfig.Flood.class)
                .withMapping(EngineConfig.Limits.class).withMapping(EngineConfig.Classic.class)
                .withMapping(EngineConfig.V2.class).withMapping(EngineConfig.Identity.class)
                .withMapping(EngineConfig.Rooms.class).withMapping(EngineConfig.History.class)
                .withMapping(EngineConfig.Mailbox.class).withMapping(EngineConfig.Names.class)
                .withMapping(EngineConfig.Data.class).build();
    }

    private static RelaySettings settings(SmallRyeConfig config) {
        return EngineConfig.settings(config.getConfigMapping(EngineConfig.Session.class),
                config.getConfigMapping(EngineConfig.Flood.class), config.getConfigMapping(EngineConfig.Limits.class),
                config.getConfigMapping(EngineConfig.Classic.class), config.getConfigMapping(EngineConfig.V2.class),
                config.getConfigMapping(EngineConfig.Rooms.class), config.getConfigMapping(EngineConfig.History.class),
                config.getConfigMapping(EngineConfig.Mailbox.class), config.getConfigMapping(EngineConfig.Names.class));
    }

    @Test
    void theEnginesDefaultsAreTheConfigurations() {
        assertThat(settings(config(Map.of()))).isEqualTo(RelaySettings.defaults());
    }

    @Test
    void aKeySetInTheConfigurationReachesTheEngine() {
        SmallRyeConfig config = config(Map.of("ciphergram.flood.per-second", "0", "ciphergram.limits.sessions-per-block",
                "7", "ciphergram.v2.unproven-timeout", "3s", "ciphergram.identity.path", "/tmp/id.pem",
                "ciphergram.history.max-lines", "10", "ciphergram.rooms.max", "3", "ciphergram.names.expire-after", "1d"));
        RelaySettings settings = settings(config);
        assertThat(settings.sessions().floodPerSecond()).isZero();
        assertThat(settings.sessions().sessionsPerBlock()).isEqualTo(7);
        assertThat(settings.sessions().v2UnprovenTimeout()).hasSeconds(3);
        assertThat(settings.storage().historyLines()).isEqualTo(10);
        assertThat(settings.rooms().replayLines()).as("never more than is kept").isEqualTo(10);
        assertThat(settings.rooms().maxRooms()).isEqualTo(3);
        assertThat(settings.storage().bindingsUnusedFor()).hasDays(1);
        assertThat(config.getConfigMapping(EngineConfig.Identity.class).path()).isEqualTo(Path.of("/tmp/id.pem"));
    }
}

package io.ciphergram.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

class DuplicateGaugeWarningTest {

    private final DuplicateGaugeWarning filter = new DuplicateGaugeWarning();

    private static LogRecord record(String logger, String message) {
        LogRecord record = new LogRecord(Level.WARNING, message);
        record.setLoggerName(logger);
        return record;
    }

    @Test
    void onlyTheKnownDuplicateHttpGaugesAreKeptOut() {
        String meters = "io.micrometer.core.instrument.MeterRegistry";
        assertThat(filter.isLoggable(record(meters, "This Gauge has been already registered (MeterId{name="
                + "'http.server.active.connections', tags=[]}), the registration will be ignored."))).isFalse();
        assertThat(filter.isLoggable(record(meters, "This Gauge has been already registered (MeterId{name="
                + "'http.server.active.requests', tags=[tag(url.scheme=http)]}), the registration will be ignored."))).isFalse();
        assertThat(filter.isLoggable(record(meters, "This Gauge has been already registered (MeterId{name="
                + "'ciphergram.sessions', tags=[]}), the registration will be ignored."))).as("one of ours").isTrue();
        assertThat(filter.isLoggable(record("io.ciphergram.Other", "This Gauge has been already registered (MeterId{name="
                + "'http.server.active.connections', tags=[]})"))).isTrue();
    }
}

package io.ciphergram.api;

import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Keeps one known, harmless warning out of the console log ({@code quarkus.log.console.filter}): Quarkus
 * registers its HTTP server gauges once per HTTP server, the HTTP port and the management port, and
 * {@code http.server.active.connections} under one name and no tags (Quarkus issue 50040;
 * {@code http.server.active.requests} too when both ports are chosen at random, as tests do), so Micrometer
 * keeps the first and warns at every start. {@code http.server.active.connections} is denied
 * ({@link RelayMetrics}) and {@code ciphergram_http_connections} counts both ports. Every other warning passes.
 */
@LoggingFilter(name = "duplicate-gauge-warning")
public final class DuplicateGaugeWarning implements Filter {

    private static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
    private static final List<String> KNOWN = List.of(
            "This Gauge has been already registered (MeterId{name='http.server.active.connections',",
            "This Gauge has been already registered (MeterId{name='http.server.active.requests',");

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!LOGGER.equals(record.getLoggerName())) {
            return true;
        }
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        return message == null || KNOWN.stream().noneMatch(message::startsWith);
    }
}

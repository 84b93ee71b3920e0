package io.ciphergram.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Everything that reaches the root logger during one test (the test profile logs io.ciphergram at DEBUG),
 * as the text a reader would see: the formatted message, every MDC field and the thrown exception with
 * its causes. Tests use it to check that no key, token or message text reaches a log.
 *
 * <p>A JUnit 5 extension, registered on an instance field:
 * <pre>{@code @RegisterExtension final LogCapture logs = new LogCapture();}</pre>
 * It is installed before each {@code @BeforeEach} method runs and removed after each {@code @AfterEach}
 * method has run, so a test's own {@code @AfterEach} can still read what its test logged. The lines are
 * cleared at every install: one test never sees another's.
 */
public final class LogCapture extends Handler implements BeforeEachCallback, AfterEachCallback {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    public LogCapture() {
        setLevel(Level.ALL);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lines.clear();
        errors.clear();
        root.addHandler(this);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        root.removeHandler(this);
    }

    public List<String> lines() {
        return lines;
    }

    /** The lines logged at ERROR (SEVERE) or above. */
    public List<String> errors() {
        return errors;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(record.getLoggerName() + " " + record.getLevel() + " ");
        if (record instanceof ExtLogRecord ext) {
            line.append(ext.getFormattedMessage()).append(' ').append(ext.getMdcCopy());
        } else {
            line.append(record.getMessage());
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append(" | ").append(t);
        }
        lines.add(line.toString());
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
            errors.add(line.toString());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}

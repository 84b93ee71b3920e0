package io.ciphergram.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Everything that reaches the root logger while it is installed (the test profile logs io.ciphergram at
 * DEBUG), as the text a reader would see: the formatted
 * message, every MDC field and the thrown exception with its causes. Tests use it to check that no key,
 * token or message text reaches a log.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setLevel(Level.ALL);
        root.addHandler(this);
    }

    /** Installs a capture on the root logger; close it to remove it. */
    public static LogCapture install() {
        return new LogCapture();
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

package io.ciphergram.cli;

import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/** Whether the process's stdin or stdout is a terminal, each on its own (a pipe into a terminal is common). */
final class Terminals {

    private Terminals() {
    }

    static boolean isTerminal(SystemStream stream) {
        for (String provider : new String[] {"jni", "exec"}) {
            try {
                return TerminalProvider.load(provider).isSystemStream(stream);
            } catch (Throwable e) { // a provider missing on this platform (LinkageError included): the next one
                continue;
            }
        }
        return System.console() != null;
    }

    /** Whether colour is wanted: https://no-color.org says any non-empty NO_COLOR means none. */
    static boolean colourWanted() {
        String noColor = System.getenv("NO_COLOR");
        return noColor == null || noColor.isEmpty();
    }
}

package io.ciphergram.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time consumed so far by this JVM or by another process on this host (the server under test, so that a
 * report can set the generator's cost beside the server's). Another process is read from Linux's
 * {@code /proc/PID/stat}: user plus system time of all its threads, dead ones included, in clock ticks.
 * Cumulative; callers take differences. -1 where unknown (not Linux, no such process).
 */
final class ProcessCpu {

    /** {@code /proc} counts in USER_HZ ticks, 100 a second on Linux for every architecture a JVM runs on. */
    static final long NANOS_PER_TICK = 10_000_000L;
    /** Fields of {@code /proc/PID/stat} after the command name's closing parenthesis: state is field 3. */
    private static final int UTIME_FIELD = 14;
    private static final int STIME_FIELD = 15;
    private static final int FIRST_FIELD_AFTER_NAME = 3;

    private ProcessCpu() {
    }

    /** This JVM's CPU time in nanoseconds. */
    static long ofThisJvm() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** Process {@code pid}'s CPU time in nanoseconds (10 ms resolution); -1 for a pid below 1 or unreadable. */
    static long ofProcess(long pid) {
        if (pid < 1) {
            return -1;
        }
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * utime + stime of one {@code /proc/PID/stat} line, in nanoseconds. The command name (field 2) is in
     * parentheses and may itself hold spaces and parentheses, so fields are counted from the last ')'.
     */
    static long parseStat(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line");
        }
        String[] fields = stat.substring(close + 1).trim().split(" +");
        long utime = Long.parseLong(fields[UTIME_FIELD - FIRST_FIELD_AFTER_NAME]);
        long stime = Long.parseLong(fields[STIME_FIELD - FIRST_FIELD_AFTER_NAME]);
        return (utime + stime) * NANOS_PER_TICK;
    }
}

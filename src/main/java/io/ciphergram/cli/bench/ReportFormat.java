package io.ciphergram.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link BenchReport} as people read it (a summary and a table of steps) or as one JSON object whose
 * field names are stable; the fields are listed in {@code BenchCommand}'s documentation.
 */
public final class ReportFormat {

    /** Bumped when a JSON field changes meaning or goes away (adding one does not). */
    public static final int JSON_VERSION = 1;

    private ReportFormat() {
    }

    public static String text(BenchReport report) {
        BenchConfig c = report.config();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "ciphergram bench: %s over %s to %s, %d clients, %d-byte texts, run %s%n",
                profileName(c), c.transport().name().toLowerCase(Locale.ROOT), c.target(), c.clients(), c.size(),
                report.run()));
        if (c.senders() < c.clients()) {
            out.append(String.format(Locale.ROOT, "%d of them send; the other %d only receive, at %s%n", c.senders(),
                    c.clients() - c.senders(), c.receiveTarget()));
        }
        if (report.serverFingerprint() != null) {
            out.append("server identity: ").append(report.serverFingerprint()).append('\n');
        }
        if (report.handshakes() != null) {
            out.append("handshakes:    ").append(handshakes(report.handshakes())).append('\n');
        }
        if (report.idleHandshakes() != null) {
            out.append("idle sessions: ").append(handshakes(report.idleHandshakes())).append('\n');
        }
        out.append(String.format(Locale.ROOT, "each step: %.1f s warmup, %.1f s measured, up to %.1f s drain%n",
                c.warmupSeconds(), c.durationSeconds(), c.drainSeconds()));
        out.append(String.format(Locale.ROOT, "%4s %10s %10s %12s %10s %10s %7s %8s %8s %8s %8s  %s%n", "step",
                "offered/s", "sent/s", "delivered/s", "expected", "delivered", "loss%", "p50 us", "p99 us",
                "p99.9 us", "max us", "generator"));
        for (StepResult s : report.steps()) {
            Latency l = s.latency();
            out.append(String.format(Locale.ROOT, "%4d %10.1f %10.1f %12.1f %10d %10d %7.3f %8.0f %8.0f %8.0f %8.0f  %s%n",
                    s.step(), s.offeredRate(), s.achievedRate(), s.deliveredPerSecond(), s.expected(), s.delivered(),
                    s.lossPercent(), l.p50Micros(), l.p99Micros(), l.p999Micros(), l.maxMicros(),
                    s.generatorLimited() ? "LIMITED" : "ok"));
        }
        if (c.findCapacity()) {
            StepResult best = report.capacity();
            out.append(best == null
                    ? String.format(Locale.ROOT, "capacity: no step stayed within %.2f%% loss%s", c.maxLossPercent(),
                            Double.isInfinite(c.maxP99Millis()) ? ""
                                    : " and a p99 of " + CapacitySearch.plain(c.maxP99Millis()) + " ms")
                    : String.format(Locale.ROOT, "capacity: %.0f delivered datagrams/s (step %d: %.0f messages/s offered,"
                            + " loss %.3f%%, p99 %.0f us)%s", best.deliveredPerSecond(), best.step(), best.offeredRate(),
                            best.lossPercent(), best.latency().p99Micros(),
                            best.generatorLimited() ? ", LIMITED BY THE GENERATOR: the server may do more" : ""));
            out.append("; stopped: ").append(report.stopReason()).append('\n');
        }
        for (StepResult s : report.steps()) {
            out.append(String.format(Locale.ROOT, "step %d: send lag max %.1f ms, CPU sender %.0f%% / busiest receiver"
                    + " %.0f%% / generator in all %.0f%%, socket drops generator %s / server %s%s%n", s.step(),
                    s.maxSendLagMillis(), s.senderCpuPercent(), s.receiverCpuPercent(), s.processCpuPercent(),
                    unknownIfNegative(s.generatorSocketDrops()),
                    unknownIfNegative(s.serverSocketDrops()),
                    s.backpressured() > 0 ? ", " + s.backpressured() + " held back by full v2 send queues" : ""));
            out.append(cpuLine(s));
        }
        for (String warning : warnings(report)) {
            out.append("WARNING: ").append(warning).append('\n');
        }
        return out.toString();
    }

    public static String json(BenchReport report) {
        BenchConfig c = report.config();
        JsonWriter j = new JsonWriter().beginObject();
        j.field("version", JSON_VERSION).field("run", report.run()).field("profile", profileName(c))
                .field("transport", c.transport().name().toLowerCase(Locale.ROOT))
                .field("baseline", c.plainBaseline() ? "plain" : "none").field("target", c.target())
                .field("serverFingerprint", report.serverFingerprint()).field("clients", c.clients())
                .field("idleSessions", c.idleSessions()).field("sizeBytes", c.size())
                .field("warmupSeconds", c.warmupSeconds()).field("durationSeconds", c.durationSeconds())
                .field("drainSeconds", c.drainSeconds()).field("findCapacity", c.findCapacity())
                .field("senders", c.senders()).field("receiveTarget", c.receiveTarget());
        handshakes(j.name("handshakes"), report.handshakes());
        handshakes(j.name("idleHandshakes"), report.idleHandshakes());
        j.name("steps").beginArray();
        for (StepResult s : report.steps()) {
            step(j, s);
        }
        j.endArray();
        step(j.name("result"), report.result());
        StepResult best = report.capacity();
        if (c.findCapacity() && best != null) {
            j.name("capacity").beginObject().field("deliveredPerSecond", best.deliveredPerSecond())
                    .field("offeredRate", best.offeredRate()).field("lossPercent", best.lossPercent())
                    .field("step", best.step()).endObject();
        } else {
            j.name("capacity").nullValue();
        }
        j.field("stopReason", report.stopReason()).field("generatorLimited", report.generatorLimited())
                .field("undecryptable", report.undecryptable()).field("sessionsLost", report.sessionsLost())
                .field("floodControlNotices", report.floodNotices());
        strings(j.name("warnings"), warnings(report));
        return j.endObject().toString();
    }

    /** The run's notes, then each step's warnings with its number. */
    static List<String> warnings(BenchReport report) {
        List<String> all = new ArrayList<>(report.notes());
        for (StepResult s : report.steps()) {
            for (String w : s.warnings()) {
                all.add("step " + s.step() + ": " + w);
            }
        }
        if (report.undecryptable() > 0) {
            all.add(report.undecryptable() + " datagrams from the server did not decode or decrypt");
        }
        if (report.sessionsLost() > 0) {
            all.add(report.sessionsLost() + " v2 sessions were closed or given up during the run");
        }
        return all;
    }

    private static void step(JsonWriter j, StepResult s) {
        if (s == null) {
            j.nullValue();
            return;
        }
        Latency l = s.latency();
        j.beginObject().field("step", s.step()).field("offeredRate", s.offeredRate())
                .field("achievedRate", s.achievedRate()).field("warmupSeconds", s.warmupSeconds())
                .field("durationSeconds", s.durationSeconds()).field("sent", s.sent()).field("expected", s.expected())
                .field("delivered", s.delivered()).field("duplicates", s.duplicates()).field("misrouted", s.misrouted())
                .field("lossPercent", s.lossPercent()).field("deliveredPerSecond", s.deliveredPerSecond());
        j.name("latencyMicros").beginObject().field("count", l.count()).field("p50", l.p50Micros())
                .field("p99", l.p99Micros()).field("p999", l.p999Micros()).field("max", l.maxMicros())
                .field("mean", l.meanMicros()).endObject();
        j.field("backpressured", s.backpressured()).field("sendFailures", s.sendFailures())
                .field("maxSendLagMillis", s.maxSendLagMillis()).field("generatorSocketDrops", s.generatorSocketDrops())
                .field("serverSocketDrops", s.serverSocketDrops()).field("senderCpuPercent", s.senderCpuPercent())
                .field("receiverCpuPercent", s.receiverCpuPercent()).field("processCpuPercent", s.processCpuPercent())
                .field("generatorLimited", s.generatorLimited());
        CpuWindow cpu = s.cpu();
        j.name("window").beginObject().field("wallSeconds", cpu.wallNanos() / 1e9)
                .field("generatorCpuPercent", cpu.generatorPercent()).field("serverCpuPercent", cpu.serverPercent())
                .field("generatorCpuMicrosPerDelivery", cpu.generatorMicrosPerDelivery(s.delivered()))
                .field("serverCpuMicrosPerDelivery", cpu.serverMicrosPerDelivery(s.delivered()))
                .field("cores", cpu.cores()).field("generatorMayLimit", cpu.generatorMayLimit()).endObject();
        strings(j.name("warnings"), s.warnings());
        j.endObject();
    }

    /** The measured window's CPU: each side's share and its cost per delivery. */
    static String cpuLine(StepResult s) {
        CpuWindow cpu = s.cpu();
        return String.format(Locale.ROOT, "step %d: CPU in the measured window: generator %s (%s per delivery),"
                + " server %s (%s per delivery)%s%n", s.step(), share(cpu.generatorPercent()),
                micros(cpu.generatorMicrosPerDelivery(s.delivered())), share(cpu.serverPercent()),
                micros(cpu.serverMicrosPerDelivery(s.delivered())),
                cpu.generatorMayLimit() ? "; LIMIT: the generator" : "");
    }

    private static String share(double percent) {
        return percent < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f%%", percent);
    }

    private static String micros(double micros) {
        return micros < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f us", micros);
    }

    private static void handshakes(JsonWriter j, HandshakeStats h) {
        if (h == null) {
            j.nullValue();
            return;
        }
        j.beginObject().field("attempted", h.attempted()).field("completed", h.completed()).field("failed", h.failed())
                .field("seconds", h.seconds()).field("perSecond", h.perSecond()).endObject();
    }

    private static void strings(JsonWriter j, List<String> values) {
        j.beginArray();
        for (String v : values) {
            j.value(v);
        }
        j.endArray();
    }

    private static String handshakes(HandshakeStats h) {
        return String.format(Locale.ROOT, "%d of %d in %.2f s = %.1f/s%s", h.completed(), h.attempted(), h.seconds(),
                h.perSecond(), h.failed() > 0 ? " (" + h.failed() + " FAILED)" : "");
    }

    private static String profileName(BenchConfig c) {
        return c.profile().name().toLowerCase(Locale.ROOT);
    }

    private static String unknownIfNegative(long n) {
        return n < 0 ? "unknown" : Long.toString(n);
    }
}

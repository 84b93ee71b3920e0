package io.ciphergram.cli.bench;

import java.util.List;

/**
 * Everything a run found, for {@link ReportFormat} to print.
 *
 * @param handshakes the active clients' handshakes; null for the plain baseline (it has none)
 * @param idleHandshakes the idle sessions' handshakes; null if there were none
 * @param capacity find-capacity: the step with the highest delivered rate within the loss bound; null otherwise
 * @param stopReason find-capacity: why it stopped stepping up; null otherwise
 * @param undecryptable datagrams from the server that did not decode or decrypt (none expected)
 * @param sessionsLost v2 sessions the server closed or gave up during the run
 * @param floodNotices the relay's "slow down" notices to the senders: its flood control dropped messages
 * @param notes what the reader should know about the whole run (e.g. sources not spread)
 */
public record BenchReport(BenchConfig config, String run, String serverFingerprint, HandshakeStats handshakes,
        HandshakeStats idleHandshakes, List<StepResult> steps, StepResult capacity, String stopReason,
        long undecryptable, long sessionsLost, long floodNotices, List<String> notes) {

    /** The step that answers the run's question: the only step, or with find-capacity the best one. */
    public StepResult result() {
        if (config.findCapacity()) {
            return capacity;
        }
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    public boolean generatorLimited() {
        return steps.stream().anyMatch(StepResult::generatorLimited);
    }
}

package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void userPlusSystemTicksAreReadAfterTheLastParenthesisOfTheCommandName() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (java (a) b) S 1 4242 4242 0 -1 4194560 9000 0 3 0 1234 56 0 0 20 0 31 0 100 0 0";
        assertThat(ProcessCpu.parseStat(stat)).isEqualTo((1234 + 56) * ProcessCpu.NANOS_PER_TICK);
        assertThatThrownBy(() -> ProcessCpu.parseStat("no parenthesis here")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anotherProcessIsUnknownWithoutAPidAndCountsUpForALiveOne() {
        assertThat(ProcessCpu.ofProcess(0)).isEqualTo(-1);
        assertThat(ProcessCpu.ofProcess(Long.MAX_VALUE)).as("no such process").isEqualTo(-1);
        long pid = ProcessHandle.current().pid(); // this JVM, read as another process would be
        long before = ProcessCpu.ofProcess(pid);
        assertThat(before).isPositive();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            burn();
            return ProcessCpu.ofProcess(pid) >= before + 5 * ProcessCpu.NANOS_PER_TICK;
        });
        assertThat(ProcessCpu.ofThisJvm()).isGreaterThanOrEqualTo(before - ProcessCpu.NANOS_PER_TICK);
    }

    private static long sink;

    private static void burn() {
        long x = 0;
        for (int i = 0; i < 5_000_000; i++) {
            x += (x ^ i) * 31;
        }
        sink += x;
    }
}

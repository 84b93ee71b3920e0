#!/usr/bin/env python3
"""Where a thread's time goes, from a JFR recording: the share of CPU samples per method.

    scripts/jfr-hot.py RECORDING.jfr [THREAD-NAME-PART]     (default part: ciphergram-relay)

Reads `jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample` (the JDK's own tool). Prints the
sampled threads, then for the matching threads the methods on top of the stack (self) and the methods
anywhere on it (inclusive), as shares of that thread's samples. Thread names have their digits replaced
by N, so that ciphergram-udp-0 and ciphergram-udp-1 count as one.
"""
import collections
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    recording = sys.argv[1]
    wanted = sys.argv[2] if len(sys.argv) > 2 else "ciphergram-relay"
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", recording],
                          capture_output=True, text=True, check=True).stdout
    per_thread = collections.Counter()
    self_time = collections.Counter()
    inclusive = collections.Counter()
    for event in re.split(r"\njdk\.(?:ExecutionSample|NativeMethodSample)", text)[1:]:
        thread = re.search(r'sampledThread = "([^"]+)"', event)
        name = re.sub(r"\d+", "N", thread.group(1)) if thread else "?"
        frames = re.findall(r"^\s+([\w.$<>]+)\(.*?\)\s+line:", event, re.M)
        if not frames:
            continue
        per_thread[name] += 1
        if wanted not in name:
            continue
        self_time[frames[0]] += 1
        for frame in set(frames):
            inclusive[frame] += 1
    print("samples per thread:", ", ".join(f"{t} {n}" for t, n in per_thread.most_common(8)))
    total = sum(self_time.values())
    if not total:
        sys.exit(f"no samples of a thread named like {wanted!r}")
    print(f"--- {wanted}: self ({total} samples)")
    for method, n in self_time.most_common(20):
        print(f"{100 * n / total:5.1f}% {method}")
    print(f"--- {wanted}: inclusive")
    for method, n in inclusive.most_common(30):
        print(f"{100 * n / total:5.1f}% {method}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Which of our packages import which, at a git revision.

    scripts/package-deps.py [REV]      (default: HEAD)

A picture for reviews; LayeringTest (ArchUnit) is what enforces the direction. Subpackages count as their
parent (protocol/v2 as protocol, cli/bench as cli), except the edges transport/udp, transport/ws and
cluster/redis, which are shown on their own.
"""
import collections
import re
import subprocess
import sys

ROOT = "src/main/java/io/ciphergram/"
SHOWN_APART = {("transport", "udp"), ("transport", "ws"), ("cluster", "redis")}


def package(parts):
    return "/".join(parts[:2]) if tuple(parts[:2]) in SHOWN_APART else parts[0]


def main():
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    files = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, ROOT],
                           capture_output=True, text=True, check=True).stdout.split()
    edges = collections.defaultdict(set)
    for path in files:
        if not path.endswith(".java"):
            continue
        source = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True, text=True, check=True).stdout
        here = package(path[len(ROOT):].split("/")[:-1])
        for imported in re.findall(r"^import (?:static )?io\.ciphergram\.([\w.]+);", source, re.M):
            there = package(imported.split(".")[:-1])
            if there != here:
                edges[here].add(there)
    for here in sorted(edges):
        print(f"{here:14} -> {', '.join(sorted(edges[here]))}")


if __name__ == "__main__":
    main()

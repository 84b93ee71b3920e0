#!/usr/bin/python3
"""Draws how the relay's cost grows (#20) from the reports of `scripts/benchmark.sh growth`.

    scripts/growth-plot.py [REPORTS] [OUT]      (defaults: docs/benchmarks/growth and docs)

REPORTS holds the bench's JSON (room-N-PROFILE.json: capacity searches; handshakes-PROFILE-idleN.json) and
the script's own (sessions-PROFILE-N.json: heap after a full GC and the class histogram, before and after).
Writes growth-rooms.png, growth-sessions.png and growth-handshakes.png into OUT and prints the tables that
docs/BENCHMARKS.md shows. Needs matplotlib: Debian's python3-matplotlib, for /usr/bin/python3 (the shebang).
"""
import glob
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

reports = sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks/growth"
out = sys.argv[2] if len(sys.argv) > 2 else "docs"
PROFILES = [("baseline", "plain baseline", "tab:gray"), ("classic", "classic over UDP", "tab:blue"),
            ("v2", "v2 over UDP", "tab:orange")]


def load(path):
    with open(path) as f:
        return json.load(f)


def capacity(report):
    """(the loss rule's step, the sustained step: <= 1% loss and p99 <= 100 ms), each a step dict or None"""
    chosen = report.get("capacity") or {}
    loss_rule = next((s for s in report["steps"] if s["step"] == chosen.get("step")), None)
    kept = [s for s in report["steps"] if s["lossPercent"] <= 1 and s["latencyMicros"]["p99"] <= 100_000]
    sustained = max(kept, key=lambda s: s["deliveredPerSecond"], default=None)
    return loss_rule, sustained


def rooms():
    rows = {}
    for path in glob.glob(os.path.join(reports, "room-*-*.json")):
        m = re.match(r"room-(\d+)-(\w+)\.json", os.path.basename(path))
        if m:
            rows[(int(m.group(1)), m.group(2))] = load(path)
    if not rows:
        return
    sizes = sorted({n for n, _ in rows})
    print("| members | | plain baseline | classic over UDP | v2 over UDP |")
    print("|---|---|---|---|---|")
    for n in sizes:
        cells = {"loss": [], "sustained": [], "p99": []}
        base = rows.get((n, "baseline"))
        base_sustained = capacity(base)[1] if base else None
        for profile, _, _ in PROFILES:
            r = rows.get((n, profile))
            if not r:
                for k in cells:
                    cells[k].append("not run")
                continue
            loss, sustained = capacity(r)
            ratio = ""
            if profile != "baseline" and sustained and base_sustained:
                ratio = f" ({sustained['deliveredPerSecond'] / base_sustained['deliveredPerSecond']:.2f}×)"
            cells["loss"].append(f"{loss['deliveredPerSecond']:,.0f}" if loss else "none")
            cells["sustained"].append(f"**{sustained['deliveredPerSecond']:,.0f}**{ratio}" if sustained else "none")
            cells["p99"].append(f"{sustained['latencyMicros']['p99'] / 1000:,.1f} ms at {sustained['offeredRate']:,.0f} msg/s"
                                if sustained else "")
        print(f"| {n:,} | sustained deliveries/s (p99 ≤ 100 ms) | " + " | ".join(cells["sustained"]) + " |")
        print(f"| | its p99, at | " + " | ".join(cells["p99"]) + " |")
        print(f"| | capacity by the loss rule (≤ 1%) | " + " | ".join(cells["loss"]) + " |")
    print()

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for profile, label, color in PROFILES:
        xs, ys = [], []
        for n in sizes:
            r = rows.get((n, profile))
            sustained = capacity(r)[1] if r else None
            if sustained:
                xs.append(n)
                ys.append(sustained["deliveredPerSecond"])
        if xs:
            left.plot(xs, ys, marker="o", color=color, label=label)
    left.set_xscale("log")
    left.set_xlabel("members in the room (10 send, the others only receive)")
    left.set_ylabel("sustained deliveries/s (≤ 1% loss, p99 ≤ 100 ms)")
    left.set_ylim(bottom=0)
    left.set_title("Throughput by room size")
    left.grid(alpha=0.3)
    left.legend()
    styles = ["-", "--", ":"]
    for i, n in enumerate(sizes):
        for profile, label, color in PROFILES:
            r = rows.get((n, profile))
            if not r:
                continue
            steps = sorted(r["steps"], key=lambda s: s["offeredRate"])
            right.plot([s["deliveredPerSecond"] for s in steps], [max(s["latencyMicros"]["p99"], 1) / 1000 for s in steps],
                       marker=".", linestyle=styles[i % len(styles)], color=color, label=f"{label}, {n:,} members")
    right.axhline(100, color="black", linewidth=0.7, linestyle="-.")
    right.set_yscale("log")
    right.set_xlabel("delivered/s in the step")
    right.set_ylabel("p99 latency, ms (log)")
    right.set_title("Latency against load, each capacity-search step")
    right.grid(alpha=0.3)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "growth-rooms.png"), dpi=90)


def sessions():
    rows = [load(p) for p in glob.glob(os.path.join(reports, "sessions-*-*.json"))]
    if not rows:
        return
    print("| profile | idle sessions opened / in the server's metrics / session objects in its heap | heap after full GC | per session (heap) | per session (class histogram) |"
          " largest classes per session |")
    print("|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["profile"], r["sessions"])):
        top = ", ".join(f"`{t['class']}` {t['bytesPerSession']:.0f} B" for t in r["topClasses"][:4])
        print(f"| {r['profile']} | {r['sessions']:,} / {r.get('sessionsInMetrics', 0):,} / {r['heldByServer']:,} | {r['heapBeforeKiB'] / 1024:,.1f} → {r['heapAfterKiB'] / 1024:,.1f} MiB"
              f" | **{r['bytesPerSession']:,} B** | {r['histogramBytesPerSession']:,} B | {top} |")
    print()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for profile, label, color in PROFILES[1:]:
        mine = sorted((r for r in rows if r["profile"] == profile), key=lambda r: r["heldByServer"])
        ax.plot([r["heldByServer"] for r in mine], [r["bytesPerSession"] for r in mine], marker="o", color=color,
                label=f"{label}: heap after GC")
        ax.plot([r["heldByServer"] for r in mine], [r["histogramBytesPerSession"] for r in mine], marker="x",
                linestyle="--", color=color, label=f"{label}: class histogram")
    ax.axhline(2048, color="black", linewidth=0.7, linestyle="-.", label="target: 2 KiB")
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("idle sessions held by the server")
    ax.set_ylabel("bytes of heap per session")
    ax.set_title("Heap per idle session")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "growth-sessions.png"), dpi=90)


def handshakes():
    rows = {}
    for path in glob.glob(os.path.join(reports, "handshakes-*-idle*.json")):
        m = re.match(r"handshakes-(\w+)-idle(\d+)\.json", os.path.basename(path))
        if m:
            rows[(m.group(1), int(m.group(2)))] = load(path)["idleHandshakes"]
    if not rows:
        return
    print("| profile | handshakes/s beside fewer idle sessions | beside more | ratio |")
    print("|---|---|---|---|")
    labels, alone, busy, counts = [], [], [], None
    for profile, label, _ in PROFILES[1:]:
        mine = sorted((n, h) for (p, n), h in rows.items() if p == profile)
        if len(mine) < 2:
            continue
        (n0, a), (n1, b) = mine[0], mine[-1]
        counts = (n0, n1)
        print(f"| {profile} | {a['perSecond']:,.0f} beside {n0:,} ({a['completed']:,} in {a['seconds']:.1f} s) |"
              f" {b['perSecond']:,.0f} beside {n1:,} ({b['completed']:,} in {b['seconds']:.1f} s) |"
              f" {b['perSecond'] / a['perSecond']:.2f}× |")
        labels.append(label)
        alone.append(a["perSecond"])
        busy.append(b["perSecond"])
    print()
    fig, ax = plt.subplots(figsize=(6, 4))
    x = range(len(labels))
    if not labels:
        return
    ax.bar([i - 0.2 for i in x], alone, width=0.4, label=f"beside {counts[0]:,} idle sessions", color="tab:green")
    ax.bar([i + 0.2 for i in x], busy, width=0.4, label=f"beside {counts[1]:,} idle sessions", color="tab:red")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels)
    ax.set_ylabel("handshakes completed/s")
    ax.set_title("Handshakes while sessions are idle")
    ax.legend()
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "growth-handshakes.png"), dpi=90)


rooms()
sessions()
handshakes()

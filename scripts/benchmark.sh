#!/usr/bin/env bash
# Runs the load generator against fresh servers, the way docs/BENCHMARKS.md reports it.
#
#   scripts/benchmark.sh [capacity|latency|overload|coldstart|handshakes|memory|all]   (default: all)
#   scripts/benchmark.sh profile [THREAD]   JFR of a server at RATE msg/s (default 6000); where THREAD's
#                                            time goes (default: ciphergram-relay; an older build's relay
#                                            work ran on vert.x-eventloop)
#   CLIENTS=10 IDLE=15000 BUILD=target OUT=target/benchmarks (the defaults)
#   SERVER_OPTS="-Dciphergram.udp.receive-buffer=1048576"   (extra java options for every server started)
#
# Needs the packaged service and console client (./mvnw -B package -DskipTests). Each measurement starts a
# server of its own (target/quarkus-app, flood control off, loopback, free ports), runs
# `java -jar target/ciphergram-cli.jar bench ...` against it, and stops it. Reports go to
# target/benchmarks/ (the bench's text output, and its --json where it is useful). The plain baseline (a
# relay without crypto, in the generator's own process) runs in the same invocation, so that figures can be
# read as ratios to it: these machines are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
# BUILD: a directory holding quarkus-app/ and ciphergram-cli.jar (default target/), e.g. an older build to
# compare with; OUT: where the reports go
build=${BUILD:-target}
out=${OUT:-target/benchmarks}
mkdir -p "$out"
service=$build/quarkus-app/quarkus-run.jar
cli=$build/ciphergram-cli.jar
[[ -f $service && -f $cli ]] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 2; }
clients=${CLIENTS:-10}
read -ra server_opts <<<"${SERVER_OPTS:-}"
server_pid=

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# start_server NAME [java options...]: sets udp_port and http_port
start_server() {
  local name=$1; shift
  local server_log=$out/$name.server.log
  java "${server_opts[@]}" "$@" -Dciphergram.flood.per-second=0 -Dciphergram.udp.host=127.0.0.1 -Dciphergram.udp.port=0 \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=0 -Dquarkus.management.port=0 \
    -Dciphergram.identity.path="$out/identity/server_identity.pem" -jar "$service" >"$server_log" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do
    udp_port=$(grep -o 'UDP listening on 127.0.0.1:[0-9]*' "$server_log" | head -1 | cut -d: -f2 || true)
    http_port=$(grep -o 'Listening on: http://127.0.0.1:[0-9]*' "$server_log" | head -1 | sed 's/.*://' || true)
    [[ -n $udp_port && -n $http_port ]] && return 0
    sleep 0.1
  done
  echo "the server did not start; see $server_log" >&2
  exit 1
}

# The bench's progress lines (stderr) go to target/benchmarks/progress.log.
bench() { java -jar "$cli" bench "$@" 2>>"$out/progress.log"; }

# warm SERVER PROFILE: 10 s of traffic a fresh server is not measured on, so that the JIT has compiled the
# relay before a figure is taken (the cold start has its own measurement)
warm() { bench --server "$1" --profile "$2" --clients "$clients" --rate 1500 --warmup 0 --duration 10 >/dev/null; }

# Highest delivered datagrams/s with <= 1% loss, raising the rate by 1.25x a step; each profile and
# transport against a fresh server, then the plain baseline.
capacity() {
  for target in "classic udp" "v2 udp" "v2 ws"; do
    read -r p t <<<"$target"
    log "capacity: $p over $t"
    start_server "capacity-$p-$t"
    local server=127.0.0.1:$udp_port
    [[ $t == ws ]] && server=ws://127.0.0.1:$http_port/ws
    warm "$server" "$p"
    bench --server "$server" --profile "$p" --clients "$clients" --rate 2000 --warmup 2 --duration 4 \
      --find-capacity --json >"$out/capacity-$p-$t.json"
    stop_server
    summarize "$out/capacity-$p-$t.json" "$p $t"
  done
  log "capacity: plain baseline"
  bench --baseline plain --clients "$clients" --rate 1500 --warmup 0 --duration 10 >/dev/null
  bench --baseline plain --clients "$clients" --rate 2000 --warmup 2 --duration 4 --find-capacity --json \
    >"$out/capacity-baseline.json"
  summarize "$out/capacity-baseline.json" "plain udp"
}

# summarize REPORT.json NAME: the capacity by the loss rule, and the sustained one: the highest step that
# also kept its p99 within 100 ms (where `bench --max-p99 100` would stop; loss alone rewards buffering)
summarize() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["capacity"] or {}
c = next((s for s in r["steps"] if s["step"] == c.get("step")), c)
kept = [s for s in r["steps"] if s["lossPercent"] <= 1 and s["latencyMicros"]["p99"] <= 100_000]
k = max(kept, key=lambda s: s["deliveredPerSecond"], default={})
print(f"{sys.argv[2]:12} capacity {c.get('deliveredPerSecond', 0):8.0f}/s at {c.get('offeredRate', 0):6.0f} msg/s"
      f" (p50 {c.get('latencyMicros', {}).get('p50', 0) / 1000:.1f} ms); sustained (p99 <= 100 ms)"
      f" {k.get('deliveredPerSecond', 0):8.0f}/s at {k.get('offeredRate', 0):6.0f} msg/s; stop: {r['stopReason']}")
EOF
}

# rate_for RUN FRACTION: that fraction of the offered rate at the capacity measured for RUN (classic-udp,
# v2-udp, v2-ws or baseline)
rate_for() {
  python3 - "$out/capacity-$1.json" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["capacity"]
print(int(c["offeredRate"] * float(sys.argv[2])) if c else 500)
EOF
}

# Latency at a quarter of capacity, after a warm-up at that rate (run capacity first).
latency() {
  for target in "classic udp" "v2 udp" "v2 ws"; do
    read -r p t <<<"$target"
    local rate; rate=$(rate_for "$p-$t" 0.25)
    log "latency: $p over $t at $rate msg/s (a quarter of capacity)"
    start_server "latency-$p-$t"
    local server=127.0.0.1:$udp_port
    [[ $t == ws ]] && server=ws://127.0.0.1:$http_port/ws
    warm "$server" "$p"
    bench --server "$server" --profile "$p" --clients "$clients" --rate "$rate" --warmup 5 --duration 20 \
      | tee "$out/latency-$p-$t.txt" | grep -A1 '^step'
    stop_server
  done
}

# Twice the capacity's rate, after warming the server at capacity: delivered/s against capacity.
overload() {
  for target in "classic udp" "v2 udp"; do
    read -r p t <<<"$target"
    local rate; rate=$(rate_for "$p-$t" 1)
    log "overload: $p over $t, warm at $rate msg/s, then $((2 * rate)) msg/s"
    start_server "overload-$p-$t"
    warm "127.0.0.1:$udp_port" "$p"
    bench --server "127.0.0.1:$udp_port" --profile "$p" --clients "$clients" --rate "$rate" --warmup 2 --duration 8 \
      | grep -A1 '^step' | tail -1
    bench --server "127.0.0.1:$udp_port" --profile "$p" --clients "$clients" --rate "$((2 * rate))" --warmup 2 --duration 8 \
      | tee "$out/overload-$p-$t.txt" | grep -A1 '^step'
    stop_server
  done
  local rate; rate=$(rate_for baseline 1)
  log "overload: plain baseline at $rate msg/s, then $((2 * rate)) msg/s (the same machine's limit, no crypto)"
  bench --baseline plain --clients "$clients" --rate "$rate" --warmup 2 --duration 8 | grep -A1 '^step' | tail -1
  bench --baseline plain --clients "$clients" --rate "$((2 * rate))" --warmup 2 --duration 8 \
    | tee "$out/overload-baseline.txt" | grep -A1 '^step'
}

# A server started cold and hit at once with 300 messages/s for 6 s.
coldstart() {
  for target in "classic udp" "v2 udp"; do
    read -r p t <<<"$target"
    log "cold start: $p over $t, 300 msg/s from the first second"
    start_server "coldstart-$p-$t"
    bench --server "127.0.0.1:$udp_port" --profile "$p" --clients "$clients" --rate 300 --warmup 0 --duration 6 \
      | tee "$out/coldstart-$p-$t.txt" | grep -A1 '^step'
    stop_server
  done
}

# Handshakes completed per second (the idle sessions' handshakes, from many loopback addresses).
handshakes() {
  for profile in classic v2; do
    log "handshakes: 5000 $profile sessions"
    start_server "handshakes-$profile"
    bench --server "127.0.0.1:$udp_port" --profile "$profile" --clients 2 --idle-sessions 5000 --rate 10 \
      --warmup 0 --duration 1 --json >"$out/handshakes-$profile.json"
    stop_server
    python3 - "$out/handshakes-$profile.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
h = r["idleHandshakes"]
print(f"{r['profile']:8} {h['completed']} of {h['attempted']} handshakes in {h['seconds']:.2f} s = {h['perSecond']:.0f}/s")
EOF
  done
}

# Heap held by idle sessions: the heap after a full GC with N idle sessions, against the same server
# before them. One generator process holds at most about 15,000 (one socket each, under the file limit).
memory() {
  local n=${IDLE:-15000}
  for profile in classic v2; do
    log "memory: $n idle $profile sessions"
    start_server "memory-$profile" -Xmx512m -Dciphergram.session.max-sessions=110000
    jcmd "$server_pid" GC.run >/dev/null
    local before; before=$(jcmd "$server_pid" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | grep -o '[0-9]*')
    java -jar "$cli" bench --server "127.0.0.1:$udp_port" --profile "$profile" --clients 2 --idle-sessions "$n" \
      --rate 1 --warmup 0 --duration 60 --timeout 120 >"$out/memory-$profile.txt" 2>&1 &
    local generator=$!
    for _ in $(seq 120); do grep -q 'established in' "$out/memory-$profile.txt" && break; sleep 1; done
    sleep 2
    jcmd "$server_pid" GC.run >/dev/null
    local after; after=$(jcmd "$server_pid" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | grep -o '[0-9]*')
    kill "$generator" 2>/dev/null || true
    wait "$generator" 2>/dev/null || true
    stop_server
    echo "$profile: heap $before KiB before, $after KiB with $n idle sessions:" \
      "$(( (after - before) * 1024 / n )) bytes a session, $(( (after - before) * 100000 / n / 1024 )) MiB for 100,000"
  done
}

# A JFR recording of a warm server at a steady RATE, the CPU of each of its threads, and the methods
# THREAD spends its samples in (scripts/jfr-hot.py).
profile() {
  local rate=${RATE:-6000} thread=${1:-ciphergram-relay} pid
  log "profile: classic at $rate msg/s, JFR of 20 s"
  start_server "profile" -XX:StartFlightRecording=settings=profile,filename="$out/profile.jfr"
  pid=$server_pid
  warm "127.0.0.1:$udp_port" classic
  bench --server "127.0.0.1:$udp_port" --clients "$clients" --rate "$rate" --warmup 0 --duration 20 \
    >"$out/profile-load.txt" &
  local generator=$!
  sleep 5
  python3 - "$pid" <<'EOF2'
import os, sys, time
pid = sys.argv[1]
def snapshot():
    threads = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{task}/comm").read().strip()
            fields = open(f"/proc/{pid}/task/{task}/stat").read().rsplit(")", 1)[1].split()
            threads[task] = (name, int(fields[11]) + int(fields[12]))
        except OSError:
            pass
    return threads
before = snapshot(); time.sleep(10); after = snapshot()
hz = os.sysconf("SC_CLK_TCK")
rows = sorted(((ticks - before[t][1]) / hz / 10 * 100, name) for t, (name, ticks) in after.items() if t in before)
print("CPU per server thread over 10 s:", ", ".join(f"{name} {cpu:.0f}%" for cpu, name in reversed(rows[-6:])))
EOF2
  wait "$generator"
  grep -A1 '^step' "$out/profile-load.txt"
  jcmd "$pid" JFR.dump filename="$out/profile.jfr" >/dev/null
  stop_server
  python3 scripts/jfr-hot.py "$out/profile.jfr" "$thread"
}

case $what in
  capacity) capacity ;;
  latency) latency ;;
  overload) overload ;;
  coldstart) coldstart ;;
  handshakes) handshakes ;;
  memory) memory ;;
  profile) profile "${2:-}" ;;
  all) capacity; latency; overload; coldstart; handshakes; memory ;;
  *) echo "usage: $0 [capacity|latency|overload|coldstart|handshakes|memory|all] | profile [THREAD]" >&2; exit 2 ;;
esac

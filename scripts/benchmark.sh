#!/usr/bin/env bash
# Runs the load generator against fresh servers, the way docs/BENCHMARKS.md reports it.
#
#   scripts/benchmark.sh [capacity|latency|overload|coldstart|handshakes|memory|history|all]   (default: all;
#                                            history: capacity with the rooms' history kept and not)
#   scripts/benchmark.sh growth|rooms|sessions|busyhandshakes
#                                            how cost grows (#20): rooms of 10, 100 and 1,000 members, heap per
#                                            idle session at 1k, 10k and 100k, handshakes/s beside 10k idle
#                                            sessions; JSON in target/benchmarks/growth/, drawn by
#                                            scripts/growth-plot.py
#   scripts/benchmark.sh wsburst             a burst over the WebSocket gateway: what is shed, what held back
#   scripts/benchmark.sh targets             #20's targets in one invocation: capacity (three targets and the
#                                            plain baseline), latency at a quarter of each sustained capacity
#                                            RUNS times (default 5), and 2x each sustained rate
#   scripts/benchmark.sh profile [THREAD]   JFR of a server at RATE msg/s (default 6000) of PROFILE (classic)
#                                            over TRANSPORT (udp, or ws); where THREAD's time goes (default:
#                                            ciphergram-relay; a thread name's prefix, e.g. vert.x-eventloop)
#   CLIENTS=10 IDLE=15000 BUILD=target OUT=target/benchmarks (the defaults)
#   TARGETS="classic udp,v2 udp"   (capacity: only these, default all three, then the plain baseline)
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
trap 'stop_idle; stop_server' EXIT

# start_server NAME [java options...]: sets udp_port and http_port. No store (data.dir=none) unless the options say.
# A classic session may be sent 2^17 cipher blocks in its life (ciphergram.classic.reflection-limit, a quarter
# per sender: some 4,000 lines from each), after which its lines stop and it ends; a capacity search sends each
# bench session several times that, so the bound is raised to 2^22 here (at most 24 MiB of guard per session).
# Flood control is off (the bench measures the relay, not its limits), and so are the gateway's frame rates:
# at capacity a bench client over WebSocket sends some 1,600 frames/s (its messages and the acks of what it
# receives), over the 1,200 a connection may.
start_server() {
  local name=$1; shift
  local server_log=$out/$name.server.log
  java -Dciphergram.data.dir=none -Dciphergram.classic.reflection-limit=4194304 -Dciphergram.ws.frames-per-second=0 \
    -Dciphergram.ws.frames-per-second-per-source=0 "${server_opts[@]}" "$@" -Dciphergram.flood.per-second=0 -Dciphergram.udp.host=127.0.0.1 -Dciphergram.udp.port=0 \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=0 -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=0 \
    -Dciphergram.identity.path="$out/identity/server_identity.pem" -jar "$service" >"$server_log" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do
    udp_port=$(grep -o 'UDP listening on 127.0.0.1:[0-9]*' "$server_log" | head -1 | cut -d: -f2 || true)
    http_port=$(grep -o 'Listening on: http://127.0.0.1:[0-9]*' "$server_log" | head -1 | sed 's/.*://' || true)
    management_port=$(grep -o 'Management interface listening on http://127.0.0.1:[0-9]*' "$server_log" | head -1 | sed 's/.*://' || true)
    [[ -n $udp_port && -n $http_port ]] && return 0
    sleep 0.1
  done
  echo "the server did not start; see $server_log" >&2
  exit 1
}

# The bench's progress lines (stderr) go to target/benchmarks/progress.log. Against the server this script
# started, the bench is told its pid, so that each step reports the server's CPU per delivery beside the
# generator's and says when the generator, not the server, was the limit (#20).
bench() {
  local own=()
  if [[ -n $server_pid && " $* " == *" --server "* ]]; then own=(--server-pid "$server_pid"); fi
  java -jar "$cli" bench "$@" "${own[@]}" 2>>"$out/progress.log"
}

# warm SERVER PROFILE: 10 s of traffic a fresh server is not measured on, so that the JIT has compiled the
# relay before a figure is taken (the cold start has its own measurement)
warm() { bench --server "$1" --profile "$2" --clients "$clients" --rate 1500 --warmup 0 --duration 10 >/dev/null; }

# start_target NAME PROFILE TRANSPORT: a fresh server, warmed with PROFILE's traffic over TRANSPORT (udp or
# ws); sets the caller's `server` to the address to give the bench.
start_target() {
  start_server "$1"
  server=127.0.0.1:$udp_port
  [[ $3 == ws ]] && server=ws://127.0.0.1:$http_port/ws
  warm "$server" "$2"
}

# Highest delivered datagrams/s with <= 1% loss, raising the rate by 1.25x a step; each profile and
# transport against a fresh server, then the plain baseline.
capacity() {
  local targets=("classic udp" "v2 udp" "v2 ws")
  [[ -n ${TARGETS:-} ]] && IFS=, read -ra targets <<<"$TARGETS"
  for target in "${targets[@]}"; do
    read -r p t <<<"$target"
    log "capacity: $p over $t"
    local server
    start_target "capacity-$p-$t" "$p" "$t"
    bench --server "$server" --profile "$p" --clients "$clients" --rate "${START:-2000}" --warmup 2 --duration 4 \
      --find-capacity --json >"$out/capacity-$p-$t.json"
    stop_server
    summarize "$out/capacity-$p-$t.json" "$p $t"
  done
  log "capacity: plain baseline"
  bench --baseline plain --clients "$clients" --rate 1500 --warmup 0 --duration 10 >/dev/null
  bench --baseline plain --clients "$clients" --rate "${START:-2000}" --warmup 2 --duration 4 --find-capacity --json \
    >"$out/capacity-baseline.json"
  summarize "$out/capacity-baseline.json" "plain udp"
}

# Capacity with each room's history kept (the embedded store, as one instance keeps it by default: every
# line appended to its journal) against history off (ciphergram.history.max-lines=0), classic and v2 over
# UDP, each against a fresh server and store, then the plain baseline: all in one invocation.
history() {
  for p in classic v2; do
    for mode in on off; do
      local data=$out/history-$mode-data
      rm -rf "$data"
      local opts=(-Dciphergram.data.dir="$data")
      [[ $mode == off ]] && opts+=(-Dciphergram.history.max-lines=0)
      log "history $mode: $p over udp"
      start_server "history-$mode-$p" "${opts[@]}"
      warm "127.0.0.1:$udp_port" "$p"
      bench --server "127.0.0.1:$udp_port" --profile "$p" --clients "$clients" --rate 2000 --warmup 2 --duration 4 \
        --find-capacity --json >"$out/history-$mode-$p.json"
      stop_server
      summarize "$out/history-$mode-$p.json" "$p hist $mode"
    done
  done
  log "history: plain baseline"
  bench --baseline plain --clients "$clients" --rate 1500 --warmup 0 --duration 10 >/dev/null
  bench --baseline plain --clients "$clients" --rate 2000 --warmup 2 --duration 4 --find-capacity --json \
    >"$out/history-baseline.json"
  summarize "$out/history-baseline.json" "plain udp"
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
w = k.get("window") or {}
if w:
    def us(v): return "?" if v is None or v < 0 else f"{v:.1f} us"
    print(f"{'':12} at the sustained step, CPU per delivery: generator {us(w.get('generatorCpuMicrosPerDelivery'))},"
          f" server {us(w.get('serverCpuMicrosPerDelivery'))}"
          + ("; the generator may have been the limit" if w.get("generatorMayLimit") else ""))
EOF
}

# rate_for RUN FRACTION: that fraction of the offered rate at the sustained capacity (the highest step with
# <= 1% loss and p99 <= 100 ms) measured for RUN (classic-udp, v2-udp, v2-ws or baseline)
rate_for() {
  python3 - "$out/capacity-$1.json" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
kept = [s for s in r["steps"] if s["lossPercent"] <= 1 and s["latencyMicros"]["p99"] <= 100_000]
k = max(kept, key=lambda s: s["deliveredPerSecond"], default=None)
print(int(k["offeredRate"] * float(sys.argv[2])) if k else 500)
EOF
}

# Latency at a quarter of the sustained capacity, after a warm-up at that rate (run capacity first); each
# target RUNS times (default 1), each against a fresh server.
latency() {
  for target in "classic udp" "v2 udp" "v2 ws"; do
    read -r p t <<<"$target"
    local rate; rate=$(rate_for "$p-$t" 0.25)
    for run in $(seq "${RUNS:-1}"); do
      log "latency: $p over $t at $rate msg/s (a quarter of the sustained capacity), run $run"
      local server
      start_target "latency-$p-$t" "$p" "$t"
      bench --server "$server" --profile "$p" --clients "$clients" --rate "$rate" --warmup 5 --duration 20 \
        | tee "$out/latency-$p-$t-$run.txt" | grep -A1 '^step'
      stop_server
    done
  done
}

# Twice the sustained capacity's rate, after warming the server at that capacity: delivered/s against it.
overload() {
  for target in "classic udp" "v2 udp" "v2 ws"; do
    read -r p t <<<"$target"
    local rate; rate=$(rate_for "$p-$t" 1)
    log "overload: $p over $t, warm at $rate msg/s, then $((2 * rate)) msg/s"
    local server
    start_target "overload-$p-$t" "$p" "$t"
    bench --server "$server" --profile "$p" --clients "$clients" --rate "$rate" --warmup 2 --duration 8 \
      | tee "$out/overload-$p-$t-at-capacity.txt" | grep -A1 '^step' | tail -1
    bench --server "$server" --profile "$p" --clients "$clients" --rate "$((2 * rate))" --warmup 2 --duration 8 \
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
  local rate=${RATE:-6000} thread=${1:-ciphergram-relay} pid p=${PROFILE:-classic} t=${TRANSPORT:-udp} server
  log "profile: $p over $t at $rate msg/s, JFR of 20 s"
  start_server "profile" -XX:StartFlightRecording=settings=profile,filename="$out/profile.jfr"
  pid=$server_pid
  server=127.0.0.1:$udp_port
  [[ $t == ws ]] && server=ws://127.0.0.1:$http_port/ws
  warm "$server" "$p"
  bench --server "$server" --profile "$p" --clients "$clients" --rate "$rate" --warmup 0 --duration 20 \
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

# --- How cost grows (#20) -------------------------------------------------------------------------------
# Reports go to $out/growth/; scripts/growth-plot.py draws them (docs/benchmarks/growth/ keeps the set that
# docs/BENCHMARKS.md shows).
growth_out=$out/growth
# Many idle sessions from 127.1.0.0/16, 16 a source from each generator process (4,064 a /24): the per-/24
# limit (512) and the per-source ones (32 unproven: a third process's sessions displaced the first's) lifted, and the
# bench's idle sessions, which shake hands and then send nothing at all (unproven: no name, no room; a v2 one
# sends no keepalive either), kept for the whole measurement instead of 10 s (v2: 180 s without a record) or
# 10 min (classic)
growth_server_opts=(-Dciphergram.session.max-sessions=110000 -Dciphergram.limits.sessions-per-block=1000000
  -Dciphergram.limits.unproven-per-source=1000 -Dciphergram.limits.sessions-per-source=1000
  -Dciphergram.v2.unproven-timeout=1h -Dciphergram.v2.idle-timeout=1h -Dciphergram.session.unproven-timeout=1h)
idle_pids=()
idle_done=0

# Rooms of ROOMS members (default 10 100 1000), SENDERS (default 10: all of the 10) of them sending, the
# others only receiving: a capacity search for each of PROFILES (default v2 classic) over UDP, each against a
# fresh server, and the plain baseline with the same members, in this one invocation. The first step offers
# about 4,500 deliveries/s whatever the size (each message goes to members - 1), and each step 1.5 times the
# one before.
rooms() {
  mkdir -p "$growth_out"
  local n p
  for n in ${ROOMS:-10 100 1000}; do
    local senders=$(( ${SENDERS:-10} < n ? ${SENDERS:-10} : n ))
    local rate=$(( 4500 / (n - 1) )); (( rate < 2 )) && rate=2
    for p in ${PROFILES:-v2 classic}; do
      log "rooms: $n members ($senders sending), $p over udp, from $rate msg/s"
      start_server "rooms-$n-$p" "${growth_server_opts[@]}"
      bench --server "127.0.0.1:$udp_port" --profile "$p" --clients "$n" --senders "$senders" --rate "$rate" \
        --warmup 0 --duration 5 --timeout 300 >/dev/null
      bench --server "127.0.0.1:$udp_port" --profile "$p" --clients "$n" --senders "$senders" --rate "$rate" \
        --warmup 2 --duration 4 --find-capacity --step-factor 1.5 --max-steps 10 --timeout 300 \
        --json >"$growth_out/room-$n-$p.json"
      stop_server
      summarize "$growth_out/room-$n-$p.json" "$n $p"
    done
    log "rooms: $n members, plain baseline"
    bench --baseline plain --clients "$n" --senders "$senders" --rate "$rate" --warmup 0 --duration 5 >/dev/null
    bench --baseline plain --clients "$n" --senders "$senders" --rate "$rate" --warmup 2 --duration 4 --find-capacity \
      --step-factor 1.5 --max-steps 10 --json >"$growth_out/room-$n-baseline.json"
    summarize "$growth_out/room-$n-baseline.json" "$n plain"
  done
}

# idle_sessions PROFILE N LOG: N idle sessions against the server at $udp_port, held by generators in the
# background (one process holds at most 16,000: one socket each, under the file limit), started one after
# the other so that no source address meets its handshake burst twice at once; sets idle_pids and idle_done
# (the sessions established)
idle_sessions() {
  local profile=$1 left=$2 log_prefix=$3 per_process=16000 k=0
  idle_pids=() idle_done=0
  while (( left > 0 )); do
    local take=$(( left < per_process ? left : per_process )) log=$log_prefix.$k.txt
    java -jar "$cli" bench --server "127.0.0.1:$udp_port" --profile "$profile" --clients 2 --idle-sessions "$take" \
      --rate 1 --warmup 0 --duration 900 --timeout 300 >"$log" 2>&1 &
    idle_pids+=($!)
    for _ in $(seq 330); do grep -q 'idle sessions established in' "$log" && break; sleep 1; done
    local got; got=$(grep -o '[0-9]* of [0-9]* idle sessions established in' "$log" | awk '{print $1}' | tail -1)
    idle_done=$(( idle_done + ${got:-0} ))
    left=$(( left - take )) k=$(( k + 1 ))
  done
}

stop_idle() {
  local pid
  for pid in "${idle_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  idle_pids=()
}

# server_sessions: the sessions the server holds (its ciphergram_sessions gauges)
server_sessions() {
  local metrics
  metrics=$(curl -s --max-time 20 "http://127.0.0.1:$management_port/q/metrics" || true)
  awk '/^ciphergram_sessions\{/ {s += $2} END {printf "%d\n", s}' <<<"$metrics"
}

# heap_used: KiB of heap in use after a full GC
heap_used() {
  jcmd "$server_pid" GC.run >/dev/null
  jcmd "$server_pid" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | grep -o '[0-9]*'
}

# Heap per idle session at SESSIONS (default 1000 10000 100000) idle sessions of each of PROFILES (default
# v2 classic): heap after a full GC and the class histogram, before and after, against a fresh server each
# time, warmed first (10 s of chat that then leaves), so that classes loaded on first use are not counted.
sessions() {
  mkdir -p "$growth_out"
  local profile n
  for profile in ${PROFILES:-v2 classic}; do
    for n in ${SESSIONS:-1000 10000 100000}; do
      log "sessions: $n idle $profile sessions"
      start_server "sessions-$profile-$n" -Xmx1g "${growth_server_opts[@]}"
      warm "127.0.0.1:$udp_port" "$profile" # the code a session uses is loaded before the first heap figure
      local before; before=$(heap_used)
      jcmd "$server_pid" GC.class_histogram >"$growth_out/histogram-$profile-$n-before.txt"
      local started=$SECONDS
      idle_sessions "$profile" "$n" "$growth_out/sessions-$profile-$n"
      local took=$(( SECONDS - started ))
      # idle, as a session is once its handshake is done with: a v2 session keeps its KeyReply for 10 s
      # (V2Constants.KEY_REPLY_HOLD_NANOS) and forgets it at the next expiry sweep (every 10 s)
      sleep 21
      local after; after=$(heap_used)
      local held; held=$(server_sessions)
      # at 100,000 v2 sessions /q/metrics answered nothing within a minute: then those the generators
      # established, and their two active clients each
      (( held > 0 )) || held=$(( idle_done + 2 * ${#idle_pids[@]} ))
      jcmd "$server_pid" GC.class_histogram >"$growth_out/histogram-$profile-$n-after.txt"
      stop_idle
      stop_server
      python3 - "$profile" "$n" "$held" "$before" "$after" "$took" "$growth_out" "$idle_done" <<'EOF'
import json, re, sys
profile, (n, done, before, after, took), out, told = sys.argv[1], map(int, sys.argv[2:7]), sys.argv[7], int(sys.argv[8])
def histogram(path):
    rows = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows
b = histogram(f"{out}/histogram-{profile}-{n}-before.txt")
a = histogram(f"{out}/histogram-{profile}-{n}-after.txt")
grown = sorted(((a[c][1] - b.get(c, (0, 0))[1], a[c][0] - b.get(c, (0, 0))[0], c) for c in a), reverse=True)
# the sessions the server holds, counted in its heap: the divisor (the metrics' figure is a check)
counted = sum(a[c][0] - b.get(c, (0, 0))[0] for c in ("io.ciphergram.session.V2Session",
                                                      "io.ciphergram.session.ClassicSession") if c in a)
metrics, done = done, counted
total = sum(g[0] for g in grown if g[0] > 0)
per = (after - before) * 1024 / done if done else 0
report = {"profile": profile, "sessions": n, "heldByServer": done, "sessionsInMetrics": metrics,
          "establishedByGenerators": told, "establishSeconds": took,
          "heapBeforeKiB": before, "heapAfterKiB": after, "bytesPerSession": round(per),
          "histogramBytesPerSession": round(total / done) if done else 0,
          "topClasses": [{"class": c, "bytesPerSession": round(size / done, 1), "instancesPerSession": round(count / done, 2)}
                         for size, count, c in grown[:12] if done]}
json.dump(report, open(f"{out}/sessions-{profile}-{n}.json", "w"), indent=1)
top = ", ".join(f"{t['class']} {t['bytesPerSession']:.0f} B" for t in report["topClasses"][:5])
print(f"{profile:8} {done} of {n} idle sessions held by the server ({told} established, in {took} s): heap {before} -> {after} KiB, {per:.0f} B a session;"
      f" histogram {report['histogramBytesPerSession']} B: {top}")
EOF
    done
  done
}

# Handshakes completed per second by COUNT (default 5000) new sessions, on one server per profile: beside
# 2,000 idle sessions (whose handshakes also warmed the server's handshake code), then again once BUSY
# (default 10000) more are held (the first measured round's sessions among them).
busyhandshakes() {
  mkdir -p "$growth_out"
  local count=${COUNT:-5000} busy=${BUSY:-10000} profile
  for profile in ${PROFILES:-v2 classic}; do
    log "busyhandshakes: $profile, 2000 idle sessions, then $count handshakes measured"
    start_server "busyhandshakes-$profile" "${growth_server_opts[@]}"
    idle_sessions "$profile" 2000 "$growth_out/busyhandshakes-$profile-warm"
    local held=("${idle_pids[@]}")
    bench --server "127.0.0.1:$udp_port" --profile "$profile" --clients 2 --idle-sessions "$count" --rate 10 \
      --warmup 0 --duration 1 --timeout 120 --json >"$growth_out/handshakes-$profile-idle2000.json"
    log "busyhandshakes: $profile, $(( busy - count )) more idle sessions, then $count handshakes measured"
    idle_sessions "$profile" $(( busy - count )) "$growth_out/busyhandshakes-$profile-more"
    idle_pids+=("${held[@]}")
    bench --server "127.0.0.1:$udp_port" --profile "$profile" --clients 2 --idle-sessions "$count" --rate 10 \
      --warmup 0 --duration 1 --timeout 120 --json >"$growth_out/handshakes-$profile-idle$(( 2000 + busy )).json"
    stop_idle
    stop_server
    python3 - "$growth_out/handshakes-$profile-idle2000.json" "$growth_out/handshakes-$profile-idle$(( 2000 + busy )).json" <<'EOF'
import json, sys
a, b = (json.load(open(p))["idleHandshakes"] for p in sys.argv[1:3])
print(f"{json.load(open(sys.argv[1]))['profile']:8} handshakes/s beside 2,000 idle {a['perSecond']:.0f}, beside"
      f" {sys.argv[2].rsplit('idle', 1)[1][:-5]} idle {b['perSecond']:.0f}: {b['perSecond'] / a['perSecond']:.2f}x")
EOF
  done
}

growth() { sessions; busyhandshakes; rooms; }

# A burst over the WebSocket gateway (#20): a fresh server, v2 over ws straight at RATE msg/s (default 2000)
# after a 10 s warm-up at that rate, 10 s measured, ROUNDS times (default 2); then what the server shed as
# overloaded and how often the gateway held a connection back instead. The gateway's own frame rates are
# lifted, so that only the relay's backlog is in play.
wsburst() {
  local round
  for round in $(seq "${ROUNDS:-2}"); do
    start_server "wsburst-$round" -Dciphergram.ws.frames-per-second=0 -Dciphergram.ws.frames-per-second-per-source=0
    bench --server "ws://127.0.0.1:$http_port/ws" --profile v2 --clients "$clients" --rate "${RATE:-2000}" \
      --warmup 10 --duration 10 --json >"$out/wsburst-$round.json"
    local metrics; metrics=$(curl -s "http://127.0.0.1:$management_port/q/metrics")
    stop_server
    python3 - "$out/wsburst-$round.json" "$round" \
      "$(grep '^ciphergram_datagrams_dropped_total{reason="overloaded"' <<<"$metrics" | awk '{print $2}')" \
      "$(grep '^ciphergram_ws_held_back_total' <<<"$metrics" | awk '{print $2}')" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["result"]
print(f"round {sys.argv[2]}: delivered {s['deliveredPerSecond']:.0f}/s, loss {s['lossPercent']:.2f}%,"
      f" p50 {s['latencyMicros']['p50'] / 1000:.1f} ms, p99 {s['latencyMicros']['p99'] / 1000:.1f} ms;"
      f" server: shed as overloaded {sys.argv[3] or 0}, connections held back {sys.argv[4] or 'n/a (older build)'}")
EOF
  done
}

case $what in
  capacity) capacity ;;
  latency) latency ;;
  overload) overload ;;
  coldstart) coldstart ;;
  handshakes) handshakes ;;
  memory) memory ;;
  history) history ;;
  rooms) rooms ;;
  sessions) sessions ;;
  busyhandshakes) busyhandshakes ;;
  growth) growth ;;
  wsburst) wsburst ;;
  profile) profile "${2:-}" ;;
  all) capacity; latency; overload; coldstart; handshakes; memory ;;
  targets) capacity; RUNS=${RUNS:-5} latency; overload ;;
  *) echo "usage: $0 [capacity|latency|overload|coldstart|handshakes|memory|history|all|growth|rooms|sessions|busyhandshakes] | profile [THREAD]" >&2; exit 2 ;;
esac

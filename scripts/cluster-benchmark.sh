#!/usr/bin/env bash
# One instance against two instances of a cluster, with the same load, the way docs/BENCHMARKS.md ("Two
# instances through Redis") reports it.
#
#   scripts/cluster-benchmark.sh [BENCH OPTIONS...]
#       e.g. --clients 20 --senders 10 --rate 2000 --step-factor 1.15 --max-steps 11 --find-capacity
#   RATES="200 1000 3000" scripts/cluster-benchmark.sh --clients 20 --senders 10 --duration 5
#       one run per rate (then give no --rate) instead of one run with the options' rate
#
# Needs the packaged service and console client (./mvnw -B package -DskipTests) and redis-server. It starts
# Redis (free loopback port, no persistence), then one instance alone (no Redis), then two instances of one
# cluster, each on free loopback ports with flood control off, and runs
# `java -jar target/ciphergram-cli.jar bench` against each setup: the first --senders clients send to the
# single instance or to instance A, the others receive on the same instance or on instance B
# (--receive-server), so there every delivery has crossed Redis. Before measuring, each setup gets 5 s of
# traffic that is not reported (the JVMs' JIT warm-up). Reports go to target/cluster-benchmark/.
set -euo pipefail
cd "$(dirname "$0")/.."

service=target/quarkus-app/quarkus-run.jar
cli=target/ciphergram-cli.jar
[[ -f $service && -f $cli ]] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)" >&2; exit 2; }
out=target/cluster-benchmark
rm -rf "$out" && mkdir -p "$out"
pids=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start NAME UDP_PORT [-Dkey=value...]: an instance, in the background, once it listens
start() {
    local name=$1 udp=$2
    shift 2
    java -Dciphergram.udp.host=127.0.0.1 -Dciphergram.udp.port="$udp" -Dquarkus.http.port=0 -Dquarkus.management.port=0 \
        -Dciphergram.identity.path="$out/server_identity.pem" -Dciphergram.flood.per-second=0 \
        -Dciphergram.limits.handshakes-per-second=1000 -Dciphergram.limits.handshake-burst=1000 "$@" \
        -jar "$service" >"$out/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 120); do
        grep -q "Listening on" "$out/$name.log" && return
        sleep 0.5
    done
    log "$name did not start: $out/$name.log"
    exit 1
}

stop_all_instances() {
    for pid in "${pids[@]:1}"; do
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    done
    pids=("${pids[0]}")
}

# measure NAME BENCH-ARGS...: the warm-up, then the reported run(s)
measure() {
    local name=$1
    shift
    java -jar "$cli" bench "$@" --clients 20 --rate 1500 --duration 5 --warmup 1 >/dev/null 2>&1 || true
    if [[ -n ${RATES:-} ]]; then
        for rate in $RATES; do
            java -jar "$cli" bench "$@" "${bench[@]}" --rate "$rate" | tee -a "$out/$name.txt"
        done
    else
        java -jar "$cli" bench "$@" "${bench[@]}" | tee -a "$out/$name.txt"
    fi
}

bench=("$@")
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
pids+=($!)
sleep 0.5

log "one instance, no Redis"
udp=$(free_port)
start single "$udp"
measure single --server "127.0.0.1:$udp"
stop_all_instances

log "two instances through Redis at 127.0.0.1:$redis_port"
udp_a=$(free_port)
udp_b=$(free_port)
start a "$udp_a" -Dciphergram.cluster.redis="redis://127.0.0.1:$redis_port" -Dciphergram.cluster.instance=bench-a
start b "$udp_b" -Dciphergram.cluster.redis="redis://127.0.0.1:$redis_port" -Dciphergram.cluster.instance=bench-b
measure two --server "127.0.0.1:$udp_a" --receive-server "127.0.0.1:$udp_b"

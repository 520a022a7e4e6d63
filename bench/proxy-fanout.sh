#!/usr/bin/env bash
# Benchmark (issue 3): watch fan-out of direct etcd vs `etcd grpc-proxy` vs mesh-proxy, TLS everywhere
# (client certificates too, though grpc-proxy 3.4 does not require them).
# N agents each list mesh/v1/ (10,000 services) and watch it from the listed revision + 1, while a writer
# puts 1,000 updates/s straight into etcd for 10 s. Loopback only; every process is stopped on exit.
#
# Usage: bench/proxy-fanout.sh [--watchers "100 500 1000"] [--targets "etcd grpc-proxy mesh-proxy"]
#          [--light-rate 20] [--rate 1000] [--seconds 10] [--services 10000] [--backends 2]
#          [--proxy-app DIR] [--no-build] [--no-warmup]
#   Each run lists once, then writes for --seconds at --light-rate (0 skips it), then for --seconds at --rate.
#   --backends sets the value size: 2 gives 273-byte ClusterService values, 4 gives 457 bytes.
#   --proxy-app DIR  a built mesh-proxy target/quarkus-app; by default this repository's HEAD is cloned into
#                    the work directory and built there, so edits in the work tree do not leak into the run
#   --no-build       use bench/target/benchmarks.jar as it is
#   --no-warmup      skip the unreported 3-second run that warms each target (and its JIT) before measuring
# Environment: MESH_PROXY_JAVA_OPTS (e.g. -Xmx1g) for the mesh-proxy JVM; by default the JVM sizes itself.
# Results: a markdown table on stdout, the raw lines in bench/results/proxy-fanout.tsv; the last line on stdout
# is `fanout watchers <n> peak RSS mesh-proxy <m> MiB grpc-proxy <g> MiB ratio <m/g>` (at the most watchers, --rate).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WATCHERS="100 500 1000"
TARGETS="etcd grpc-proxy mesh-proxy"
RATE=1000
LIGHT_RATE=20
SECONDS_=10
SERVICES=10000
BACKENDS=2
PROXY_APP=""
BUILD=1
WARMUP=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --watchers) WATCHERS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --light-rate) LIGHT_RATE=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --services) SERVICES=$2; shift 2 ;;
    --backends) BACKENDS=$2; shift 2 ;;
    --proxy-app) PROXY_APP=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-warmup) WARMUP=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/proxy-fanout.XXXXXX)
# etcd's data on tmpfs: the benchmark is about fan-out, not about this VM's disk shared with other builds.
DATA=$(mktemp -d /dev/shm/proxy-fanout-etcd.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DATA"
  echo "logs: $WORK" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%T)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Polls "$@" every 0.2 s for up to $1 seconds.
wait_for() {
  local secs=$1; shift
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then return 1; fi
    sleep 0.2
  done
}

# ---- build --------------------------------------------------------------------------------------------
# shellcheck source=lib/build.sh
. "$ROOT/bench/lib/build.sh"
bench_build

# ---- certificates: one CA, a server cert for 127.0.0.1, the agents' client cert CN=local-cluster1 -----
# (bench/lib/tls.sh: ca, server, client CN=local-cluster1, upstream without a CN)
C=$WORK/tls
# shellcheck source=lib/tls.sh
. "$ROOT/bench/lib/tls.sh"
bench_tls "$C"
CLIENT_TLS=(--cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client-key.pem")
SERVER_TLS=(--cert-file "$C/server.pem" --key-file "$C/server-key.pem" --trusted-ca-file "$C/ca.pem")

# ---- etcd ---------------------------------------------------------------------------------------------
ETCD_PORT=$(free_port)
PEER_PORT=$(free_port)
ETCD=127.0.0.1:$ETCD_PORT
etcdctl_() { ETCDCTL_API=3 etcdctl --endpoints "https://$1" "${CLIENT_TLS[@]}" --command-timeout 10s "${@:2}"; }
etcd --name bench --data-dir "$DATA/etcd" --listen-client-urls "https://$ETCD" --advertise-client-urls "https://$ETCD" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "bench=http://127.0.0.1:$PEER_PORT" "${SERVER_TLS[@]}" --client-cert-auth \
  --logger zap --log-level warn >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!
PIDS+=("$ETCD_PID")
wait_for 30 etcdctl_ "$ETCD" endpoint health || { tail -20 "$WORK/etcd.log" >&2; exit 1; }
log "etcd $(etcd --version | head -1 | awk '{print $3}') on $ETCD (pid $ETCD_PID)"

CLIENT=(java -Xms1g -Xmx8g -cp "$JAR" dev.clustermesh.bench.WatchFanoutBench)
COMMON=(--etcd "$ETCD" --ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client-key.pem" --services "$SERVICES"
  --backends "$BACKENDS")
"${CLIENT[@]}" preload "${COMMON[@]}" >&2

# Whether $1 answers a Range of mesh/v1/ with every preloaded service (etcdctl 3.4 has no --count-only).
serves_all() {
  local count
  count=$(etcdctl_ "$1" get mesh/v1/ --prefix --keys-only --limit 1 -w json | grep -o '"count":[0-9]*' | cut -d: -f2)
  [[ ${count:-0} -ge $SERVICES ]]
}

# ---- targets ------------------------------------------------------------------------------------------
TARGET_PID=""
TARGET_ADDR=""
MGMT_PORT=""
NOT_READY=""
# Starts target $1 and waits until it serves the preloaded keys; on failure returns 1 with NOT_READY set.
start_target() {
  case "$1" in
    etcd)
      TARGET_PID=$ETCD_PID; TARGET_ADDR=$ETCD ;;
    grpc-proxy)
      local port; port=$(free_port)
      # --max-send-bytes: the default 1.5 MiB refuses a 10,000-service list (3-5 MB) with ResourceExhausted.
      etcd grpc-proxy start --endpoints "https://$ETCD" --cacert "$C/ca.pem" --cert "$C/upstream.pem" \
        --key "$C/upstream-key.pem" --listen-addr "127.0.0.1:$port" --advertise-client-url "127.0.0.1:$port" \
        "${SERVER_TLS[@]}" --max-send-bytes $((256 << 20)) --data-dir "$WORK/grpc-proxy" \
        >>"$WORK/grpc-proxy.log" 2>&1 &
      TARGET_PID=$!; PIDS+=("$TARGET_PID"); TARGET_ADDR=127.0.0.1:$port ;;
    mesh-proxy)
      local port; port=$(free_port); MGMT_PORT=$(free_port)
      # shellcheck disable=SC2086 # word splitting of the options is wanted
      java ${MESH_PROXY_JAVA_OPTS:-} -Dmesh.cluster.name=cluster1 -Dmesh.cluster.id=1 \
        -Dmesh.etcd.endpoints="https://$ETCD" \
        -Dmesh.etcd.ca-file="$C/ca.pem" -Dmesh.etcd.cert-file="$C/upstream.pem" \
        -Dmesh.etcd.key-file="$C/upstream-key.pem" -Dmesh.export.source=none \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port="$port" -Dquarkus.http.port="$(free_port)" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
        -Dquarkus.tls.mesh-api.key-store.pem.0.cert="$C/server.pem" \
        -Dquarkus.tls.mesh-api.key-store.pem.0.key="$C/server-key.pem" \
        -Dquarkus.tls.mesh-api.trust-store.pem.certs="$C/ca.pem" \
        -jar "$PROXY_APP/quarkus-run.jar" >>"$WORK/mesh-proxy.log" 2>&1 &
      TARGET_PID=$!; PIDS+=("$TARGET_PID"); TARGET_ADDR=127.0.0.1:$port ;;
  esac
  # Ready means it answers a list of the preloaded services over mTLS with the agents' certificate.
  if ! wait_for 60 serves_all "$TARGET_ADDR"; then
    NOT_READY="not serving the preloaded keys after 60 s"
    local why
    why=$(grep -o 'upstream list failed: [^"]*' "$WORK/$1.log" 2>/dev/null | tail -1 || true)
    [[ -n $why ]] && NOT_READY="$NOT_READY ($why)"
    log "$1: $NOT_READY"
    tail -5 "$WORK/$1.log" >&2 || true
    return 1
  fi
  log "$1 on $TARGET_ADDR (pid $TARGET_PID)"
}
stop_target() {
  [[ $1 == etcd ]] && return
  kill "$TARGET_PID" 2>/dev/null || true
  wait_for 20 sh -c "! kill -0 $TARGET_PID" || kill -9 "$TARGET_PID" 2>/dev/null || true
}
# A result line for a run that could not be made: target $1, watchers $2, why $3.
failed_row() {
  printf '%s\t%d\t0\t0\tNaN\t%d\t0\t0\t0\t0\t0\tNaN\tNaN\tNaN\t0\t0\t0\t0\t0\t%s\n' "$1" "$2" "$RATE" "$3" >>"$RESULTS"
}
# One load-generator run against the started target $1 with $2 watchers.
run_one() {
  local rc=0
  log "run: $1, $2 watchers"
  timeout --kill-after=10 300 "${CLIENT[@]}" run --target "$1" --endpoint "$TARGET_ADDR" "${COMMON[@]}" \
    --watchers "$2" --light-rate "$LIGHT_RATE" --rate "$RATE" --seconds "$SECONDS_" --pid "$TARGET_PID" \
    --etcd-pid "$ETCD_PID" --out "$RESULTS" >"$WORK/run-$1-$2.log" 2>&1 || rc=$?
  grep '^\[' "$WORK/run-$1-$2.log" >&2 || true
  if ((rc != 0)); then
    log "load generator exited with $rc against $1 with $2 watchers"
    tail -5 "$WORK/run-$1-$2.log" >&2
    failed_row "$1" "$2" "load generator failed (exit $rc), see run-$1-$2.log"
  fi
  kill -0 "$TARGET_PID" 2>/dev/null || log "$1 (pid $TARGET_PID) is gone after the run"
  if [[ $1 == mesh-proxy ]]; then
    # Every stream was closed: mesh-proxy should hold no watch any more.
    sleep 2
    local metrics
    metrics=$(curl -fsS "http://127.0.0.1:$MGMT_PORT/metrics" || echo unavailable)
    log "mesh-proxy open watches after the run: $(awk '/^mesh_proxy_watchers/{s+=$2; n++}
      END{print n ? s : "unknown"}' <<<"$metrics")"
  fi
}

RESULTS=$ROOT/bench/results/proxy-fanout.tsv
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
for target in $TARGETS; do
  if ! start_target "$target"; then
    for n in $WATCHERS; do failed_row "$target" "$n" "$target $NOT_READY"; done
    stop_target "$target"
    continue
  fi
  if ((WARMUP)); then
    # Discarded: a JVM target would otherwise be measured half-interpreted in its first run only.
    log "warm-up: $target, 50 watchers, 3 s at $RATE/s (not reported)"
    timeout --kill-after=10 120 "${CLIENT[@]}" run --target "$target" --endpoint "$TARGET_ADDR" "${COMMON[@]}" \
      --watchers 50 --light-rate 0 --rate "$RATE" --seconds 3 --drain-timeout 10 >"$WORK/warmup-$target.log" 2>&1 \
      || log "warm-up against $target failed, see $WORK/warmup-$target.log"
  fi
  for n in $WATCHERS; do
    if ! kill -0 "$TARGET_PID" 2>/dev/null; then
      log "$target (pid $TARGET_PID) died; restarting it"
      start_target "$target" || { failed_row "$target" "$n" "$target died and $NOT_READY"; continue; }
    fi
    run_one "$target" "$n"
  done
  stop_target "$target"
done

"${CLIENT[@]}" report "$RESULTS"
# Headline (issue 12), the last line on stdout: peak RSS of each target at the most watchers, at --rate.
awk -F'\t' -v rate="$RATE" '$6 == rate { if ($2 > n) n = $2; rss[$1, $2] = $16 }
  END {
    m = rss["mesh-proxy", n]; g = rss["grpc-proxy", n]
    printf "fanout watchers %d peak RSS mesh-proxy %s MiB grpc-proxy %s MiB ratio %s\n", n,
      m == "" ? "-" : m, g == "" ? "-" : g, (m != "" && g > 0) ? sprintf("%.2f", m / g) : "-"
  }' "$RESULTS"

#!/usr/bin/env bash
# Benchmark (issue 14): a reconnect storm. N agents (default 1,000) list mesh/v1/ (10,000 services) and watch it
# through mesh-proxy, or through `etcd grpc-proxy` for comparison; the server is killed with SIGKILL and started
# again on the same port, and every agent reconnects as mesh-agent does (a new TLS connection per attempt,
# backoff from 200 ms doubling, up to half of each delay random), lists and watches again.
# Reported per server: its resident set with every agent watching before the kill, the new process's peak
# resident set (VmHWM, from its start through every agent re-synced), the time until every agent watches again,
# and each agent's outage (p50/p99/max) and failed attempts. TLS everywhere; loopback; etcd data on tmpfs.
#
# Usage: bench/proxy-reconnect.sh [--watchers 1000] [--services 10000] [--targets "mesh-proxy grpc-proxy"]
#          [--jitter "0.5"] [--proxy-app DIR] [--no-build]
#   --jitter "0.5 0"  also runs every agent retrying on the same schedule (no jitter), for comparison
# Environment: MESH_PROXY_JAVA_OPTS (e.g. -Xmx512m) for the mesh-proxy JVM; by default the JVM sizes itself.
# Last line on stdout: `reconnect watchers <n> peak RSS mesh-proxy <m> MiB grpc-proxy <g> MiB ratio <m/g>
# resync mesh-proxy <s> s grpc-proxy <s> s` (at the first --jitter).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ARGS="$*"

WATCHERS=1000
SERVICES=10000
TARGETS="mesh-proxy grpc-proxy"
JITTERS="0.5"
PROXY_APP=""
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --watchers) WATCHERS=$2; shift 2 ;;
    --services) SERVICES=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --jitter) JITTERS=$2; shift 2 ;;
    --proxy-app) PROXY_APP=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/proxy-reconnect.XXXXXX)
DATA=$(mktemp -d /dev/shm/proxy-reconnect-etcd.XXXXXX)
ETCD_PID=""
cleanup() {
  [[ -n $ETCD_PID ]] && kill "$ETCD_PID" 2>/dev/null || true
  rm -rf "$DATA" "$WORK/src"  # the clone and its build; the logs stay
  echo "logs: $WORK" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[$(date +%T)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# shellcheck source=lib/build.sh
. "$ROOT/bench/lib/build.sh"
bench_build

# ---- certificates: one CA, a server certificate for 127.0.0.1, the agents' client certificate -----------
# (bench/lib/tls.sh: ca, server, client CN=local-cluster1, upstream without a CN)
C=$WORK/tls
# shellcheck source=lib/tls.sh
. "$ROOT/bench/lib/tls.sh"
bench_tls "$C"
SERVER_TLS=(--cert-file "$C/server.pem" --key-file "$C/server-key.pem" --trusted-ca-file "$C/ca.pem")

# ---- etcd, preloaded ------------------------------------------------------------------------------------
ETCD=127.0.0.1:$(free_port)
PEER_PORT=$(free_port)
etcd --name bench --data-dir "$DATA/etcd" --listen-client-urls "https://$ETCD" --advertise-client-urls "https://$ETCD" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "bench=http://127.0.0.1:$PEER_PORT" "${SERVER_TLS[@]}" --client-cert-auth \
  --logger zap --log-level warn >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 150); do
  ETCDCTL_API=3 etcdctl --endpoints "https://$ETCD" --cacert "$C/ca.pem" --cert "$C/client.pem" \
    --key "$C/client-key.pem" endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done
TLS=(--ca "$C/ca.pem" --cert "$C/client.pem" --key "$C/client-key.pem")
java -cp "$JAR" dev.clustermesh.bench.WatchFanoutBench preload --etcd "$ETCD" "${TLS[@]}" --services "$SERVICES" >&2

echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r), $(etcd --version | head -1)," \
  "$(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo "command: ${MESH_PROXY_JAVA_OPTS:+MESH_PROXY_JAVA_OPTS=$MESH_PROXY_JAVA_OPTS }bench/proxy-reconnect.sh $ARGS"

# Writes target $1's command line, one argument per line, serving on port $2, to $3.
argv() {
  case "$1" in
    mesh-proxy)
      # shellcheck disable=SC2086 # word splitting of the options is wanted
      printf '%s\n' java ${MESH_PROXY_JAVA_OPTS:-} -Dmesh.cluster.name=cluster1 -Dmesh.cluster.id=1 \
        "-Dmesh.etcd.endpoints=https://$ETCD" "-Dmesh.etcd.ca-file=$C/ca.pem" "-Dmesh.etcd.cert-file=$C/upstream.pem" \
        "-Dmesh.etcd.key-file=$C/upstream-key.pem" -Dmesh.export.source=none -Dquarkus.http.host=127.0.0.1 \
        "-Dquarkus.http.ssl-port=$2" "-Dquarkus.http.port=$(free_port)" -Dquarkus.management.host=127.0.0.1 \
        "-Dquarkus.management.port=$(free_port)" "-Dquarkus.tls.mesh-api.key-store.pem.0.cert=$C/server.pem" \
        "-Dquarkus.tls.mesh-api.key-store.pem.0.key=$C/server-key.pem" \
        "-Dquarkus.tls.mesh-api.trust-store.pem.certs=$C/ca.pem" -jar "$PROXY_APP/quarkus-run.jar" >"$3" ;;
    grpc-proxy)
      # --max-send-bytes: the default 1.5 MiB refuses a 10,000-service list with ResourceExhausted.
      printf '%s\n' etcd grpc-proxy start "--endpoints=https://$ETCD" "--cacert=$C/ca.pem" "--cert=$C/upstream.pem" \
        "--key=$C/upstream-key.pem" "--listen-addr=127.0.0.1:$2" "--advertise-client-url=127.0.0.1:$2" \
        "--cert-file=$C/server.pem" "--key-file=$C/server-key.pem" "--trusted-ca-file=$C/ca.pem" \
        "--max-send-bytes=$((256 << 20))" "--data-dir=$WORK/grpc-proxy" >"$3" ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

RESULTS=$ROOT/bench/results/proxy-reconnect.tsv
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
for jitter in $JITTERS; do
  for target in $TARGETS; do
    port=$(free_port)
    argv "$target" "$port" "$WORK/$target.argv"
    log "run: $target, $WATCHERS agents, jitter $jitter"
    rc=0
    timeout --kill-after=10 600 java -Xms1g -Xmx6g -cp "$JAR" dev.clustermesh.bench.ReconnectStormBench \
      --target "$target" --argv "$WORK/$target.argv" --log "$WORK/$target.log" --endpoint "127.0.0.1:$port" \
      "${TLS[@]}" --watchers "$WATCHERS" --services "$SERVICES" --jitter "$jitter" --out "$RESULTS" \
      >"$WORK/run-$target-$jitter.log" 2>&1 || rc=$?
    grep '^\[storm\]' "$WORK/run-$target-$jitter.log" >&2 || true
    ((rc == 0)) || { log "$target: the run failed (exit $rc)"; tail -5 "$WORK/run-$target-$jitter.log" >&2; }
  done
done

printf '\n| server | agents | jitter | first sync s | RSS watching MiB | peak RSS storm MiB | RSS after MiB | all back s | outage p50 / p99 / max ms | failed attempts | back |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
awk -F'\t' '{ printf "| %s | %d | %s | %s | %s | **%s** | %s | %s | %s / %s / %s | %s | %s |\n",
  $1, $2, $3, $4, $5, $11, $12, $6, $7, $8, $9, $10, $13 }' "$RESULTS"
first=${JITTERS%% *}
awk -F'\t' -v j="$first" -v n="$WATCHERS" '$3 + 0 == j + 0 { rss[$1] = $11; back[$1] = $6 }
  END {
    m = rss["mesh-proxy"]; g = rss["grpc-proxy"]
    printf "reconnect watchers %d peak RSS mesh-proxy %s MiB grpc-proxy %s MiB ratio %s resync mesh-proxy %s s grpc-proxy %s s\n",
      n, m == "" ? "-" : m, g == "" ? "-" : g, (m != "" && g > 0) ? sprintf("%.2f", m / g) : "-",
      back["mesh-proxy"] == "" ? "-" : back["mesh-proxy"], back["grpc-proxy"] == "" ? "-" : back["grpc-proxy"]
  }' "$RESULTS"

#!/usr/bin/env bash
# Benchmark (issue 17): a watch burst through mesh-proxy and, in the same run, straight from etcd.
#
# W watch streams of the Go etcd client (mesh-proxy/src/test/go/etcdpeer, go.etcd.io/etcd/client/v3) on one
# prefix, then N puts straight into etcd spread over S seconds, values skewed up to a maximum so that they add
# up to a total (issue 17: 200 watchers, 2,000 puts in 4 s, values up to 100 KB / 17 MB in all, then up to
# 16 KB / 3.2 MB). mesh-proxy runs as the demo runs it (-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1),
# over mTLS; etcd serves its watchers over TLS too. Per target: events delivered of those expected, watchers
# that skipped events silently (lost), that stopped without an error (hung), that ended with an error, and
# the process's peak RSS during the burst (VmHWM, reset through /proc/<pid>/clear_refs before each burst).
# Loopback only, etcd's data on tmpfs; every process is stopped on exit.
#
# Usage: bench/proxy-burst.sh [--watchers 200] [--writes 2000] [--seconds 4] [--heap 128m]
#          [--bursts "102400:17000000 16384:3200000"] [--proxy-app DIR] [--no-build]
#   --bursts     max-value:total pairs, one burst each, in this order
#   --proxy-app  a built mesh-proxy target/quarkus-app (default: this work tree's, built unless --no-build)
# Run it under the shared build lock: flock /tmp/mesh-build.lock bench/proxy-burst.sh
# "puts took": from the first put to the last acknowledged (etcd slows down under its own watchers' load);
# "all delivered after": from the first put until every watcher has every event.
# Results: a markdown table on stdout; the LAST line is the headline of the first burst:
#   burst: mesh-proxy delivered <n>/<n> lost 0 hung 0 errors 0 peak-rss <MiB> | etcd delivered ...
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WATCHERS=200
WRITES=2000
SECONDS_=4
HEAP=128m
BURSTS="102400:17000000 16384:3200000"
PROXY_APP=""
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --watchers) WATCHERS=$2; shift 2 ;;
    --writes) WRITES=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --bursts) BURSTS=$2; shift 2 ;;
    --proxy-app) PROXY_APP=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in etcd openssl java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install etcd-server openssl openjdk-17-jdk python3)" >&2; exit 1; }
done
GO=${GO:-/usr/local/go/bin/go}

WORK=$(mktemp -d /tmp/proxy-burst.XXXXXX)
DATA=$(mktemp -d /dev/shm/proxy-burst-etcd.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
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
wait_for() {
  local secs=$1; shift
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then return 1; fi
    sleep 0.2
  done
}

# ---- build --------------------------------------------------------------------------------------------
PEER=$WORK/etcdpeer
if [[ -z $PROXY_APP ]]; then
  PROXY_APP=$ROOT/mesh-proxy/target/quarkus-app
  if ((BUILD)); then
    log "building mesh-proxy"
    ./mvnw -B -ntp -q -pl mesh-proxy -am package -DskipTests
  fi
fi
[[ -f $PROXY_APP/quarkus-run.jar ]] || { echo "missing $PROXY_APP/quarkus-run.jar (build with --proxy-app or without --no-build)" >&2; exit 1; }
[[ -x $GO ]] || { echo "Go is missing at $GO (https://go.dev/dl)" >&2; exit 1; }
log "building the Go etcd client peer with $($GO version | awk '{print $3}')"
GOFLAGS=-mod=mod "$GO" -C mesh-proxy/src/test/go/etcdpeer build -o "$PEER" .

# ---- certificates: one CA, a server certificate for 127.0.0.1, the watchers' client CN=local-cluster1 ---
# (bench/lib/tls.sh: ca, server, client CN=local-cluster1, upstream without a CN)
C=$WORK/tls
# shellcheck source=lib/tls.sh
. "$ROOT/bench/lib/tls.sh"
bench_tls "$C"
CLIENT_TLS=(-cacert "$C/ca.pem" -cert "$C/client.pem" -key "$C/client-key.pem")

# ---- etcd: plain for the proxy and the writer (as in the demo), TLS for its own watchers ----------------
PLAIN=127.0.0.1:$(free_port)
SECURE=127.0.0.1:$(free_port)
PEER_PORT=$(free_port)
etcd --name bench --data-dir "$DATA/etcd" --listen-client-urls "http://$PLAIN,https://$SECURE" \
  --advertise-client-urls "http://$PLAIN" --listen-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-cluster "bench=http://127.0.0.1:$PEER_PORT" \
  --cert-file "$C/server.pem" --key-file "$C/server-key.pem" --trusted-ca-file "$C/ca.pem" --client-cert-auth \
  --logger zap --log-level warn >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!
PIDS+=("$ETCD_PID")
wait_for 30 env ETCDCTL_API=3 etcdctl --endpoints "http://$PLAIN" endpoint health || { tail -20 "$WORK/etcd.log" >&2; exit 1; }
log "etcd $(etcd --version | head -1 | awk '{print $3}') on $PLAIN / $SECURE (pid $ETCD_PID)"

# ---- mesh-proxy as the demo runs it ----------------------------------------------------------------------
API=$(free_port)
MGMT=$(free_port)
java "-Xmx$HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dmesh.cluster.name=cluster1 -Dmesh.cluster.id=1 \
  "-Dmesh.etcd.endpoints=http://$PLAIN" -Dmesh.export.source=none "-Dquarkus.http.ssl-port=$API" \
  "-Dquarkus.management.port=$MGMT" "-Dquarkus.tls.mesh-api.key-store.pem.0.cert=$C/server.pem" \
  "-Dquarkus.tls.mesh-api.key-store.pem.0.key=$C/server-key.pem" "-Dquarkus.tls.mesh-api.trust-store.pem.certs=$C/ca.pem" \
  -jar "$PROXY_APP/quarkus-run.jar" >"$WORK/mesh-proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
wait_for 60 curl -fs "http://127.0.0.1:$MGMT/q/health/ready" || { tail -30 "$WORK/mesh-proxy.log" >&2; exit 1; }
log "mesh-proxy -Xmx$HEAP on 127.0.0.1:$API (pid $PROXY_PID)"

peak_mib() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$1/status"; }
field() { sed -n 's/.* '"$1"'=\([^ ]*\).*/\1/p' <<<"$2"; }

# Runs one burst against $1 (label) at endpoint $2, watching the RSS of pid $3; prints a summary line.
burst() {
  local label=$1 endpoint=$2 pid=$3 max=$4 total=$5 out result
  echo 5 >"/proc/$pid/clear_refs"
  out=$WORK/$label-$max.out
  "$PEER" burst -endpoint "$endpoint" "${CLIENT_TLS[@]}" -write-endpoint "http://$PLAIN" -watchers "$WATCHERS" \
    -writes "$WRITES" -seconds "$SECONDS_" -max-value "$max" -total "$total" -prefix "mesh/v1/burst-$label-$max/" \
    -timeout 180s >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  result=$(grep '^result ' "$out" | tail -1)
  timing=$(grep '^timing ' "$out" | tail -1)
  local alive=yes
  kill -0 "$pid" 2>/dev/null || alive=no
  printf '%s delivered %s/%s lost %s hung %s errors %s peak-rss %s alive %s write %s done %s bytes %s\n' "$label" \
    "$(field delivered "$result")" "$(field expected "$result")" "$(field lost "$result")" "$(field hung "$result")" \
    "$(field errors "$result")" "$(peak_mib "$pid")" "$alive" "$(field write_seconds "$timing")" \
    "$(field done_seconds "$timing")" "$(field bytes "$result")"
  grep '^ended with error' "$out" >&2 || true
}

echo "| burst | target | delivered / expected | lost | hung | ended with error | peak RSS (MiB) | alive after | puts took (s) | all delivered after (s) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
HEADLINE=""
for b in $BURSTS; do
  max=${b%%:*}; total=${b##*:}
  log "burst: $WATCHERS watchers, $WRITES puts in $SECONDS_ s, values up to $max B, ~$total B in all"
  p=$(burst mesh-proxy "https://127.0.0.1:$API" "$PROXY_PID" "$max" "$total")
  e=$(burst etcd "https://$SECURE" "$ETCD_PID" "$max" "$total")
  mb=$(awk -v b="$(awk '{print $NF}' <<<"$p")" 'BEGIN {printf "%.1f", b/1e6}')
  for line in "$p" "$e"; do
    read -r label _ de _ lo _ hu _ er _ rss _ alive _ wr _ dn _ <<<"$line"
    echo "| ≤ $((max / 1024)) KiB, $mb MB | $label | $de | $lo | $hu | $er | $rss | $alive | $wr | $dn |"
  done
  if grep -q OutOfMemoryError "$WORK/mesh-proxy.log"; then
    echo "mesh-proxy ran out of memory: see $WORK/mesh-proxy.log" >&2
  fi
  if [[ -z $HEADLINE ]]; then
    HEADLINE="burst: $(cut -d' ' -f1-11 <<<"$p") MiB | $(cut -d' ' -f1-11 <<<"$e") MiB ($WATCHERS watchers, $WRITES puts in $SECONDS_ s, $mb MB; mesh-proxy -Xmx$HEAP)"
  fi
done
log "mesh-proxy counters after the bursts:"
curl -s "http://127.0.0.1:$MGMT/metrics" | grep -E '^mesh_proxy_(watch_[a-z_]*_total|upstream_relists) ' >&2 || true
echo "$HEADLINE"

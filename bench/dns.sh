#!/usr/bin/env bash
# Benchmark (issues 6 and 17): dnsperf against mesh-dns and, in the same run, against CoreDNS, NSD and Knot DNS
# serving the same names.
#
# mesh-dns is the packaged application (mesh-dns/target/quarkus-app) fed the real way: a real etcd, the packaged
# mesh-proxy exporting a manifest directory of N global services (one ready endpoint, one named port each) into
# it and serving it over mTLS, and mesh-dns joining that cluster from a clusters directory like an agent.
# CoreDNS (built here with Go, `file` plugin) serves a zone file with the same records mesh-dns serves for those
# services: <svc>.bench.svc.clusterset.local A, cluster1.<svc>... A, _http._tcp.<svc>... SRV, plus SOA/NS and the
# nameserver's glue. NSD and Knot DNS (Debian packages) serve the same zone file, each with as many server
# processes/UDP workers as there are CPUs, like mesh-dns (one UDP socket per CPU) and CoreDNS (GOMAXPROCS).
# dnsperf asks for the N service A records in a loop, UDP, as fast as each server answers. Loopback only;
# every process is stopped on exit; each dnsperf run is bounded by -l and by `timeout`.
# The last line printed is the headline: mesh-dns's mean QPS and each other server's, with mesh-dns/server.
#
# Usage: bench/dns.sh [--services 10000] [--seconds 20] [--warmup 10] [--rounds 2] [--clients 20]
#          [--threads 2] [--outstanding 200] [--coredns v1.14.7] [--no-build]
# Results: a markdown table on stdout; raw dnsperf output in the work directory (printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SERVICES=10000
SECONDS_=20
WARMUP=10
ROUNDS=2
CLIENTS=20
THREADS=2
OUTSTANDING=200
COREDNS_VERSION=v1.14.7
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --services) SERVICES=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --outstanding) OUTSTANDING=$2; shift 2 ;;
    --coredns) COREDNS_VERSION=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d /tmp/dns-bench.XXXXXX)
DATA=$(mktemp -d /dev/shm/dns-bench-etcd.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DATA"
  echo "logs and raw results: $WORK" >&2
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
export PATH=$PATH:/usr/sbin
for tool in dnsperf dig etcd openssl go java python3 nsd knotd; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool (apt-get install -y dnsperf bind9-dnsutils etcd-server openssl golang nsd knot)" >&2; exit 1; }
done
CPUS=$(nproc)

# ---- build ---------------------------------------------------------------------------------------------
if ((BUILD)); then
  log "building mesh-proxy and mesh-dns (through the build lock)"
  flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl mesh-proxy,mesh-dns -am package -DskipTests
fi
PROXY_JAR=$ROOT/mesh-proxy/target/quarkus-app/quarkus-run.jar
DNS_JAR=$ROOT/mesh-dns/target/quarkus-app/quarkus-run.jar
[[ -f $PROXY_JAR && -f $DNS_JAR ]] || { echo "missing $PROXY_JAR or $DNS_JAR" >&2; exit 1; }
log "building CoreDNS $COREDNS_VERSION with $(go version | awk '{print $3}')"
GOBIN=$WORK/bin go install "github.com/coredns/coredns@$COREDNS_VERSION"
COREDNS=$WORK/bin/coredns

# ---- the names: manifests for mesh-proxy, the same records as a zone file for CoreDNS, dnsperf's queries ---
python3 - "$SERVICES" "$WORK" <<'EOF'
import os, sys
n, work = int(sys.argv[1]), sys.argv[2]
os.makedirs(f"{work}/manifests", exist_ok=True)
zone = "clusterset.local"
def ip(i): return f"10.11.{i // 250}.{i % 250 + 1}"
def pod(i): return f"10.10.{i // 250}.{i % 250 + 1}"
per_file = 500
for start in range(0, n, per_file):
    docs = []
    for i in range(start, min(n, start + per_file)):
        name = f"svc-{i:05d}"
        docs.append(f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: bench
  annotations:
    service.cilium.io/global: "true"
spec:
  clusterIP: {ip(i)}
  clusterIPs: [{ip(i)}]
  ports:
  - {{name: http, port: 80, protocol: TCP, targetPort: 8080}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: {name}-abc
  namespace: bench
  labels: {{kubernetes.io/service-name: {name}}}
addressType: IPv4
ports:
- {{name: http, port: 8080, protocol: TCP}}
endpoints:
- addresses: ["{pod(i)}"]
  conditions: {{ready: true}}
""")
    with open(f"{work}/manifests/bench-{start // per_file:03d}.yaml", "w") as f:
        f.write("---\n".join(docs))
with open(f"{work}/db.{zone}", "w") as f:
    f.write(f"$ORIGIN {zone}.\n$TTL 5\n")
    f.write(f"@ IN SOA ns.dns.{zone}. hostmaster.{zone}. 1 7200 1800 86400 5\n@ IN NS ns.dns.{zone}.\n")
    f.write("ns.dns IN A 127.0.0.1\n")
    f.write('dns-version IN TXT "1.0.0"\n')
    for i in range(n):
        svc = f"svc-{i:05d}.bench.svc"
        f.write(f"{svc} IN A {ip(i)}\ncluster1.{svc} IN A {ip(i)}\n_http._tcp.{svc} IN SRV 0 100 80 {svc}.{zone}.\n")
with open(f"{work}/queries.txt", "w") as f:
    for i in range(n):
        f.write(f"svc-{i:05d}.bench.svc.{zone} A\n")
EOF
log "$SERVICES services: $(ls "$WORK/manifests" | wc -l) manifest files, zone file of $(wc -l <"$WORK/db.clusterset.local") lines"

# ---- certificates: one CA, the proxy's server certificate, mesh-dns's client certificate as an agent's -----
C=$WORK/tls
mkdir -p "$C"
ec() { openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$C/$1-key.pem" -subj "$2" "${@:3}"; }
ec ca /CN=bench-ca -x509 -days 2 -out "$C/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
sign() {
  ec "$1" "$2" -out "$C/$1.csr" 2>/dev/null
  openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.pem" -CAkey "$C/ca-key.pem" -CAcreateserial -days 2 \
    -out "$C/$1.pem" -extfile <(printf '%s\n' "$3" "keyUsage=critical,digitalSignature") 2>/dev/null
}
sign server /CN=mesh-proxy.cluster1 "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
sign client /CN=local-cluster1 "extendedKeyUsage=clientAuth"

# ---- cluster1: etcd and mesh-proxy exporting the manifests ---------------------------------------------------
ETCD_PORT=$(free_port)
PEER_PORT=$(free_port)
etcd --name bench --data-dir "$DATA/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-cluster "bench=http://127.0.0.1:$PEER_PORT" \
  --logger zap --log-level warn >"$WORK/etcd.log" 2>&1 &
PIDS+=($!)
wait_for 30 env ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" endpoint health \
  || { tail -20 "$WORK/etcd.log" >&2; exit 1; }
PROXY_PORT=$(free_port)
PROXY_MGMT=$(free_port)
java -Xmx1g -Dmesh.cluster.name=cluster1 -Dmesh.cluster.id=1 -Dmesh.cluster.pod-cidrs=10.10.0.0/16 \
  -Dmesh.cluster.service-cidrs=10.11.0.0/16 -Dmesh.etcd.endpoints="http://127.0.0.1:$ETCD_PORT" \
  -Dmesh.export.source=directory -Dmesh.export.directory="$WORK/manifests" -Dmesh.export.identity=proxy-bench \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port="$PROXY_PORT" -Dquarkus.http.port="$(free_port)" \
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$PROXY_MGMT" \
  -Dquarkus.tls.mesh-api.key-store.pem.0.cert="$C/server.pem" -Dquarkus.tls.mesh-api.key-store.pem.0.key="$C/server-key.pem" \
  -Dquarkus.tls.mesh-api.trust-store.pem.certs="$C/ca.pem" -jar "$PROXY_JAR" >"$WORK/mesh-proxy.log" 2>&1 &
PIDS+=($!)
wait_for 120 curl -fsS "http://127.0.0.1:$PROXY_MGMT/q/health/ready" || { tail -20 "$WORK/mesh-proxy.log" >&2; exit 1; }
log "etcd on $ETCD_PORT, mesh-proxy on $PROXY_PORT"

# ---- mesh-dns: joins cluster1 as its agents would ------------------------------------------------------------
mkdir -p "$WORK/clusters"
printf 'endpoints:\n- https://127.0.0.1:%s\ntrusted-ca-file: %s\ncert-file: %s\nkey-file: %s\n' "$PROXY_PORT" \
  "$C/ca.pem" "$C/client.pem" "$C/client-key.pem" >"$WORK/clusters/cluster1"
DNS_PORT=$(free_port)
DNS_MGMT=$(free_port)
java -Dmesh.cluster.name=cluster1 -Dmesh.clusters.dir="$WORK/clusters" -Dmesh.dns.host=127.0.0.1 \
  -Dmesh.dns.port="$DNS_PORT" -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$DNS_MGMT" \
  -jar "$DNS_JAR" >"$WORK/mesh-dns.log" 2>&1 &
DNS_PID=$!
PIDS+=("$DNS_PID")
last=$(printf 'svc-%05d.bench.svc.clusterset.local' $((SERVICES - 1)))
# dig +short prints errors on stdout too: only an address counts.
answers() { dig @127.0.0.1 -p "$1" +short +time=1 +tries=1 "$2" A | grep -E '^[0-9.]+$' || true; }
serves_all() { [[ -n $(answers "$DNS_PORT" "$last") ]]; }
wait_for 180 serves_all || { tail -20 "$WORK/mesh-dns.log" >&2; tail -5 "$WORK/mesh-proxy.log" >&2; exit 1; }
log "mesh-dns on $DNS_PORT serves $(curl -fsS "http://127.0.0.1:$DNS_MGMT/metrics" | awk '/^mesh_dns_names /{print $2}') names"

# ---- CoreDNS: the same records from a zone file -------------------------------------------------------------
CORE_PORT=$(free_port)
cat >"$WORK/Corefile" <<EOF
clusterset.local:$CORE_PORT {
    bind 127.0.0.1
    file $WORK/db.clusterset.local
    errors
}
EOF
"$COREDNS" -conf "$WORK/Corefile" -quiet >"$WORK/coredns.log" 2>&1 &
CORE_PID=$!
PIDS+=("$CORE_PID")
serves_all_core() { [[ -n $(answers "$CORE_PORT" "$last") ]]; }
wait_for 30 serves_all_core \
  || { tail -20 "$WORK/coredns.log" >&2; exit 1; }
log "CoreDNS $COREDNS_VERSION on $CORE_PORT"

# ---- NSD and Knot DNS: the same zone file, loopback only, in the foreground, as this user -------------------
NSD_PORT=$(free_port)
mkdir -p "$WORK/nsd"
cat >"$WORK/nsd/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$NSD_PORT
    server-count: $CPUS
    reuseport: yes
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$WORK"
    pidfile: "$WORK/nsd/nsd.pid"
    xfrdfile: "$WORK/nsd/xfrd.state"
    xfrdir: "$WORK/nsd"
    zonelistfile: "$WORK/nsd/zone.list"
    logfile: "$WORK/nsd.log"
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: clusterset.local
    zonefile: "$WORK/db.clusterset.local"
EOF
nsd -d -c "$WORK/nsd/nsd.conf" >>"$WORK/nsd.log" 2>&1 &
NSD_PID=$!
PIDS+=("$NSD_PID")
serves_all_nsd() { [[ -n $(answers "$NSD_PORT" "$last") ]]; }
wait_for 60 serves_all_nsd || { tail -20 "$WORK/nsd.log" >&2; exit 1; }
log "NSD $(nsd -v 2>&1 | awk 'NR==1{print $3}') on $NSD_PORT"

KNOT_PORT=$(free_port)
mkdir -p "$WORK/knot"
cat >"$WORK/knot/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KNOT_PORT
    rundir: "$WORK/knot"
    udp-workers: $CPUS
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$WORK/knot/knot.sock"
database:
    storage: "$WORK/knot"
log:
  - target: stderr
    any: warning
zone:
  - domain: clusterset.local
    storage: "$WORK"
    file: "db.clusterset.local"
    journal-content: none
    zonefile-sync: -1
EOF
knotd -c "$WORK/knot/knot.conf" >"$WORK/knot.log" 2>&1 &
KNOT_PID=$!
PIDS+=("$KNOT_PID")
serves_all_knot() { [[ -n $(answers "$KNOT_PORT" "$last") ]]; }
wait_for 60 serves_all_knot || { tail -20 "$WORK/knot.log" >&2; exit 1; }
log "Knot DNS $(knotd --version | awk '{print $NF}') on $KNOT_PORT"

# All must give the same answer for every sampled name before anything is measured.
for i in 0 1 $((SERVICES / 2)) $((SERVICES - 1)); do
  name=$(printf 'svc-%05d.bench.svc.clusterset.local' "$i")
  a=$(answers "$DNS_PORT" "$name")
  for other in "CoreDNS:$CORE_PORT" "NSD:$NSD_PORT" "Knot:$KNOT_PORT"; do
    b=$(answers "${other#*:}" "$name")
    [[ -n $a && $a == "$b" ]] || { echo "answers differ for $name: mesh-dns '$a', ${other%%:*} '$b'" >&2; exit 1; }
  done
done

# ---- dnsperf --------------------------------------------------------------------------------------------------
RESULTS=$WORK/results.tsv
: >"$RESULTS"
# One dnsperf run against $2 on port $3 for $4 seconds; $1 names the run ("warmup" runs are not recorded).
perf() {
  local label=$1 target=$2 port=$3 secs=$4 out
  out=$WORK/dnsperf-$target-$label.txt
  timeout --kill-after=10 $((secs + 30)) dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$secs" \
    -c "$CLIENTS" -T "$THREADS" -q "$OUTSTANDING" >"$out" 2>&1 || true
  local qps lat lost noerror
  qps=$(awk '/Queries per second:/{print $4}' "$out")
  lat=$(awk '/Average Latency \(s\):/{print $4}' "$out")
  lost=$(awk '/Queries lost:/{print $3}' "$out")
  noerror=$(grep -o 'NOERROR [0-9]* ([0-9.]*%)' "$out" || echo "NOERROR ?")
  log "$target $label: ${qps:-?} qps, avg latency ${lat:-?} s, lost ${lost:-?}, $noerror"
  LAST="${qps:-0}\t${lat:-0}\t${lost:-?}"
}
# Every process below $1 (NSD's servers are forked by a reloaded main process, not by the one started here).
descendants() {
  local c
  for c in $(pgrep -P "$1" || true); do echo "$c"; descendants "$c"; done
}
# CPU time of a server and all its descendants.
cpu_ticks() {
  local p t=0
  for p in "$1" $(descendants "$1"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
TARGETS=(mesh-dns coredns nsd knot)
declare -A PORT_OF=([mesh-dns]=$DNS_PORT [coredns]=$CORE_PORT [nsd]=$NSD_PORT [knot]=$KNOT_PORT)
declare -A PID_OF=([mesh-dns]=$DNS_PID [coredns]=$CORE_PID [nsd]=$NSD_PID [knot]=$KNOT_PID)

log "warm-up: ${WARMUP}s each (JIT for mesh-dns, the same for the others)"
for target in "${TARGETS[@]}"; do perf warmup "$target" "${PORT_OF[$target]}" "$WARMUP"; done
for r in $(seq "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    port=${PORT_OF[$target]}; pid=${PID_OF[$target]}
    before=$(cpu_ticks "$pid")
    perf "round$r" "$target" "$port" "$SECONDS_"
    cpu=$(( ($(cpu_ticks "$pid") - before) * 100 / $(getconf CLK_TCK) / SECONDS_ ))
    log "$target round $r: server CPU ${cpu}% of one core"
    printf "%s\tround%s\t${LAST}\t%s\n" "$target" "$r" "$cpu" >>"$RESULTS"
  done
done

# ---- report ---------------------------------------------------------------------------------------------------
python3 - "$RESULTS" <<'EOF'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = {}
for target, label, qps, lat, lost, cpu in rows:
    by.setdefault(target, []).append((float(qps), float(lat) * 1e3, lost))
print("| server | run | QPS | avg latency (ms) | lost | server CPU (% of one core) |")
print("|---|---|---|---|---|---|")
for target, label, qps, lat, lost, cpu in rows:
    print(f"| {target} | {label} | {float(qps):,.0f} | {float(lat) * 1e3:.3f} | {lost} | {cpu} |")
m = {t: (statistics.mean(q for q, _, _ in v), statistics.mean(l for _, l, _ in v)) for t, v in by.items()}
names = {"coredns": "CoreDNS", "nsd": "NSD", "knot": "Knot"}
if "mesh-dns" in m:
    mine = m["mesh-dns"]
    print()
    for t, label in names.items():
        if t in m:
            print(f"mean: mesh-dns {mine[0]:,.0f} QPS / {mine[1]:.3f} ms; {label} {m[t][0]:,.0f} QPS / "
                  f"{m[t][1]:.3f} ms; QPS ratio mesh-dns/{label} = {mine[0] / m[t][0]:.2f}x; "
                  f"latency ratio = {mine[1] / m[t][1]:.2f}x")
    # The headline, always the last line: mesh-dns's QPS, then each server's with mesh-dns/server.
    print("dns: mesh-dns %.0f QPS, " % mine[0] + ", ".join(
        f"{label} {m[t][0]:.0f} ({mine[0] / m[t][0]:.2f}x)" for t, label in names.items() if t in m))
EOF

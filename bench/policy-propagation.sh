#!/usr/bin/env bash
# Benchmark (issue 13): a pod of a known identity added to / removed from cluster2's etcd -> cluster1's agent has
# its address in / out of the nftables peer sets (through cluster2's real mesh-proxy over mTLS), next to raw etcd
# put->watch of the same puts; N pods per cluster, P policies in cluster1; then the packaged agent's memory with its
# policy program over all of it. Needs root, nft and etcd.
# Usage: bench/policy-propagation.sh [pods=10000] [policies=1000] [changes=200] [warmup=2000] (unmeasured changes first)
# Last line: policy propagation ratio p50 <x> p99 <y>
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "run as root: the agent enforces in a network namespace of its own" >&2; exit 1; }
command -v nft >/dev/null || { echo "nft missing: apt-get install -y nftables" >&2; exit 1; }
flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl mesh-proxy,mesh-agent -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
cp="mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/bench.cp)"
mkdir -p bench/results
{
  echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r), $(nft --version)," \
    "$(etcd --version | head -1), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(date -u +%F), commit $(git rev-parse --short HEAD)"
  echo "command: bench/policy-propagation.sh ${*:-}"
  # Holds the build lock while measuring, so that no build of another work tree runs beside it.
  flock /tmp/mesh-build.lock java -Xmx3g -cp "$cp" dev.clustermesh.agent.bench.PolicyPropagationBench \
    "${1:-10000}" "${2:-1000}" "${3:-200}" "${4:-2000}"
} | tee bench/results/policy-propagation.txt

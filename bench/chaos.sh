#!/usr/bin/env bash
# Campaign (issue 14): three clusters of real etcds, two mesh-proxy replicas each (cluster3's exporting from a real
# Kubernetes API server, the others from manifest directories), per cluster two agents (memory datapath) and one
# nftables agent in a network namespace, and a mesh-dns process, under churn and random faults (kill -9 of both
# replicas, of the export leader, of an etcd (on its data or empty), of an agent, of a mesh-dns; partitions one way
# and both ways; a proxy certificate of another CA; a slow consumer; a cluster re-deployed under a new ID), checked
# continuously against an oracle of every agent's LB maps, every nftables node's kernel table and every mesh-dns
# answer. Needs root (network namespaces, nft), etcd, Java and the Kubernetes peers (scripts/k8s-peers.sh, run
# here); builds the modules first.
# Usage: bench/chaos.sh [--quick] [--seed N] [--epochs N] [--faults KIND,KIND]   (full: 44 epochs, four of each
#        kind, about 10 minutes; quick: one per kind; --faults: only these kinds, e.g. slow_consumer,cert_other_ca)
# Last line: chaos: faults <n> changes <n> violations <n> converge p99 <ms>
set -euo pipefail
cd "$(dirname "$0")/.."
command -v etcd >/dev/null || { echo "etcd missing: apt-get install -y etcd-server etcd-client" >&2; exit 1; }
scripts/k8s-peers.sh >/dev/null   # the last cluster exports from a real Kubernetes API server
flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl mesh-proxy,mesh-dns,mesh-agent -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
cp="mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/bench.cp)"
mkdir -p bench/results
{
  echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r)," \
    "$(etcd --version | head -1), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(date -u +%F), commit $(git rev-parse --short HEAD)"
  echo "command: bench/chaos.sh ${*:-}"
  # Holds the build lock while it runs, so that no build of another work tree runs beside it.
  flock /tmp/mesh-build.lock java -Xmx2g -cp "$cp" dev.clustermesh.agent.chaos.ChaosCampaign "$@"
} 2>&1 | grep -v -E "^(WARNING|SLF4J)" | tee bench/results/chaos.txt
exit "${PIPESTATUS[0]}"

#!/usr/bin/env bash
# Benchmark (issue 5): nftables datapath. Full apply of N services x B backends by NftablesDatapath against raw
# `nft -f` of the same ruleset text (alternating, same run, each into an empty table of its own network
# namespace), an agent restart over the loaded table ("restart adopt"), then one-service changes with 1,000 and
# with N services loaded. Needs root, nft and iproute2.
# Usage: bench/datapath.sh [services=10000] [backends=10] [full-runs=5] [changes=300]
# Output: on stdout and in bench/results/datapath.txt (RESULT lines hold the figures of docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "run as root: it creates network namespaces and loads nftables rules" >&2; exit 1; }
command -v nft >/dev/null || { echo "nft missing: apt-get install -y nftables" >&2; exit 1; }
# One reactor build with -am: mesh-agent's dependencies in this tree (mesh-core...) resolve to their
# target/classes, not to whatever version ~/.m2 holds.
flock /tmp/mesh-build.lock ./mvnw -B -ntp -o -q -pl mesh-agent -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/datapath-bench.cp
cp="mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/datapath-bench.cp)"
mkdir -p bench/results
{
  echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r), $(nft --version)," \
    "$(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
  echo "command: bench/datapath.sh ${*:-}"
  java -Xmx2g -Djava.util.logging.config.file=/dev/null -cp "$cp" dev.clustermesh.agent.datapath.nftables.NftablesBench \
    "${1:-10000}" "${2:-10}" "${3:-5}" "${4:-300}"
} | tee bench/results/datapath.txt

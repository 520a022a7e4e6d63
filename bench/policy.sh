#!/usr/bin/env bash
# Benchmark (issue 13): network policy in nftables. P policies in cluster c1 over two clusters of N pods: full apply
# (compile, then the agent's NftPolicyDatapath: render + one nft -f -) against raw `nft -f` of the same ruleset text,
# alternating, same run, `runs` measured after 10 warm-up applies (the first, cold one reported apart); then one
# remote pod added at a time (existing identity) with N/10 and with N pods per cluster. Needs root and nft.
# Usage: bench/policy.sh [pods=10000] [policies=1000] [runs=3] [changes=50]
# Output: on stdout and in bench/results/policy.txt; the last line is
#   `one-pod pods=<N/10> median_ms=<x> one-pod pods=<N> median_ms=<y>` (the full-apply ratio is the RESULT line).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "run as root: it creates network namespaces and loads nftables rules" >&2; exit 1; }
command -v nft >/dev/null || { echo "nft missing: apt-get install -y nftables" >&2; exit 1; }
flock /tmp/mesh-build.lock ./mvnw -B -ntp -o -q -pl mesh-agent -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/policy-bench.cp
cp="mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/policy-bench.cp)"
mkdir -p bench/results
{
  echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r), $(nft --version)," \
    "$(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
  echo "command: bench/policy.sh ${*:-}"
  flock /tmp/mesh-build.lock java ${POLICY_BENCH_JAVA_OPTS:-} -Xmx2g -cp "$cp" dev.clustermesh.agent.datapath.nftables.PolicyBench \
    "${1:-10000}" "${2:-1000}" "${3:-3}" "${4:-50}"
} | tee bench/results/policy.txt

#!/usr/bin/env bash
# Benchmark (issues 4, 12): cluster2 etcd commit -> cluster1 agent LB map applied, next to raw etcd put->watch and
# to a plain watch through cluster2's mesh-proxy, with N services x B backends loaded in both clusters; then the
# packaged agent's RSS and heap after a full GC, synced with both clusters.
# Usage: bench/agent-propagation.sh [services=10000] [backends=10] [changes=1000]
# Last line: propagation ratio p50 <x> p99 <y>
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor build: mesh-agent's dependencies in this tree resolve to their target/classes, and mesh-proxy and
# mesh-agent are packaged (the bench runs mesh-proxy processes and, for RSS, the packaged mesh-agent).
flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl mesh-proxy,mesh-agent -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
cp="mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/bench.cp)"
echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r), $(etcd --version | head -1)," \
  "$(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo "command: bench/agent-propagation.sh ${*:-}"
# Holds the build lock while measuring, so that no build of another work tree runs beside it.
flock /tmp/mesh-build.lock java -Xmx3g -cp "$cp" dev.clustermesh.agent.bench.PropagationBench "${1:-10000}" "${2:-10}" "${3:-1000}"

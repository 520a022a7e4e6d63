#!/usr/bin/env bash
# Benchmark (issue 4): cluster2 etcd commit -> cluster1 agent LB map applied, next to raw etcd put->watch,
# through a real mesh-proxy over mTLS, with N services x B backends loaded in both clusters.
# Usage: bench/agent-propagation.sh [services=10000] [backends=10] [changes=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
# Packages both: the bench runs mesh-proxy processes and, for RSS, the packaged mesh-agent.
./mvnw -B -ntp -q -pl mesh-proxy,mesh-agent -am install -DskipTests
./mvnw -B -ntp -q -pl mesh-agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
cp="mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/bench.cp)"
java -Xmx3g -cp "$cp" dev.clustermesh.agent.bench.PropagationBench "${1:-10000}" "${2:-10}" "${3:-1000}"

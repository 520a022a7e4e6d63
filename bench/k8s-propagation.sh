#!/usr/bin/env bash
# Benchmark (issue 11): cluster2 -> cluster1's agent on real Kubernetes API servers (kube-apiserver,
# controller-manager, scheduler, kwok; the exporter on informers), next to the manifest-directory mode (the local
# demo) with the same packaged mesh-proxy and mesh-agent processes:
#   scale-to-0   kubectl scale deployment rebel-base --replicas=0 in cluster2 (the same API request) / the
#                EndpointSlice manifest emptied  ->  cluster1's agent holds no backend of cluster2
#   ready        a new rebel-base pod seen Ready by a watch on cluster2's API server / the manifest with the new
#                endpoints written  ->  cluster1's agent holds its backend
# Usage: bench/k8s-propagation.sh [runs=50] [workdir]
# Last line: k8s-propagation: scale-to-0 p50 .. p99 .. (directory ..); ready->programmed p50 .. p99 .. (directory ..)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-50}
WORK=${2:-$(mktemp -d /tmp/k8s-propagation.XXXXXX)}
command -v etcd >/dev/null || { echo "etcd missing: apt-get install -y etcd-server etcd-client" >&2; exit 1; }
scripts/k8s-peers.sh >/dev/null
flock /tmp/mesh-build.lock ./mvnw -B -ntp -q install -DskipTests
./mvnw -B -ntp -q -pl mesh-ctl dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
cp="mesh-ctl/target/test-classes:mesh-ctl/target/classes:$(cat mesh-ctl/target/bench.cp)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); work dir $WORK" >&2
java -Xmx1g -cp "$cp" dev.clustermesh.meshctl.kube.KubePropagationBench "$WORK" "$RUNS"

#!/usr/bin/env bash
# Real Kubernetes clusters for people (the same code the *IT tests use): per cluster etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok with three simulated nodes, the seed's CIDRs
# (cluster<N>: pods 10.<N>0.0.0/16, services 10.<N>1.0.0/16), and a kubeconfig with contexts kind-cluster<N>.
#
# Usage: scripts/kube-clusters.sh [DIR] [CLUSTER_ID...]     (default: /tmp/clustermesh-kube, IDs 1 2)
# Runs in the foreground until Ctrl-C. Builds the peers first if they are not cached (scripts/k8s-peers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/clustermesh-kube}
shift || true
command -v etcd >/dev/null || { echo "etcd is missing: apt-get install -y etcd-server etcd-client" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "kubectl is missing: apt-get install -y kubernetes-client" >&2; exit 1; }
scripts/k8s-peers.sh >/dev/null
./mvnw -B -ntp -q -pl mesh-pki,mesh-testing package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -cp "mesh-testing/target/classes:$(cat mesh-testing/target/classpath.txt)" \
  dev.clustermesh.testing.kube.KubeClustersMain "$DIR" "$@"

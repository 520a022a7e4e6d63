#!/usr/bin/env bash
# Installs the system packages ClusterMesh/J needs on Debian (idempotent; run as root).
#   etcd-server etcd-client  real etcd for tests and the demo (etcd, etcdctl, etcd grpc-proxy)
#   nftables iproute2        datapath tests and the demo's network namespaces
#   conntrack                the agent's strict policy mode (cuts denied connections) and its test
#   bind9-dnsutils dnsperf   dig and the DNS benchmark
#   openssl                  certificate checks
#   openjdk-17-jdk-headless  the build (Maven itself comes from ./mvnw)
#   kubernetes-client        kubectl, whose kustomize renders k8s/ in its tests (only if no kubectl is on PATH)
#   podman buildah runc      the container images (scripts/images.sh) and the podman demo test (PodmanDemoIT)
#   debootstrap              the images' local base where no registry is reachable
set -euo pipefail
PACKAGES=(etcd-server etcd-client nftables conntrack iproute2 bind9-dnsutils dnsperf openssl openjdk-17-jdk-headless ca-certificates curl unzip
  podman buildah runc debootstrap)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine may carry its own JDK 17 outside Debian's packages; that is fine.
if command -v javac >/dev/null && javac -version 2>&1 | grep -qE ' (1[7-9]|2[0-9])'; then
  missing=("${missing[@]/openjdk-17-jdk-headless}")
fi
# Any kubectl renders the manifests (k8s/ is written for kustomize v2.0.3, Debian's, up to v5); keep one already there.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}; run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi

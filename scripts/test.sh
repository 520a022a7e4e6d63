#!/usr/bin/env bash
# The test command: installs what is missing, then builds every module and runs every test
# (unit tests and *IT tests against real etcd, nft, dig, TLS, and real Kubernetes API servers).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The real Kubernetes peers (kube-apiserver, controller-manager, scheduler, kwok) the *OnRealKubernetesIT tests run:
# built once per machine from the Go module proxy (about 10 minutes on 2 cores), then cached.
./scripts/k8s-peers.sh
./mvnw -B -ntp verify "$@"

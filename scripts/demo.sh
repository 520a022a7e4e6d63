#!/usr/bin/env bash
# The main job: builds everything, then runs the local two-cluster demo (meshctl demo up). Arguments go to
# `meshctl demo up` (e.g. --datapath memory, --port-base 0). Stop it with: ./meshctl demo down
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "Building ClusterMesh/J (./mvnw package -DskipTests) ..."
./mvnw -B -ntp -q package -DskipTests
exec ./meshctl demo up "$@"

#!/usr/bin/env bash
# The test command: installs what is missing, then builds every module and runs every test
# (unit tests and *IT tests against real etcd, nft, dig, TLS).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./mvnw -B -ntp verify "$@"

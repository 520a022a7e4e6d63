#!/usr/bin/env bash
# Benchmark: decode of one ClusterService with 10,000 backends (protobuf vs JSON, same JVM).
# Usage: bench/decode.sh [extra JMH args]   — results also land in bench/results/decode.json
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl bench -am package -DskipTests
mkdir -p bench/results
java -jar bench/target/benchmarks.jar ClusterServiceDecodeBenchmark -rf json -rff bench/results/decode.json "$@"

# Sourced by the proxy benchmarks: bench_build builds bench/target/benchmarks.jar (unless BUILD=0) and, unless
# PROXY_APP is set, mesh-proxy from a clean clone of HEAD into $WORK/src (so edits in the work tree do not leak into
# the run); it sets JAR and PROXY_APP and fails when either is missing. Needs ROOT, WORK, BUILD, PROXY_APP and log.
bench_build() {
  JAR=$ROOT/bench/target/benchmarks.jar
  if ((BUILD)); then
    log "building bench"
    flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl bench -am package -DskipTests
  fi
  if [[ -z $PROXY_APP ]]; then
    log "building mesh-proxy from a clean clone of HEAD ($(git rev-parse --short HEAD))"
    git clone -q "$ROOT" "$WORK/src"
    (cd "$WORK/src" && flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl mesh-proxy -am package -DskipTests)
    PROXY_APP=$WORK/src/mesh-proxy/target/quarkus-app
  fi
  [[ -f $JAR && -f $PROXY_APP/quarkus-run.jar ]] || { echo "missing $JAR or $PROXY_APP/quarkus-run.jar" >&2; return 1; }
}

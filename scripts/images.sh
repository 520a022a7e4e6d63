#!/usr/bin/env bash
# Builds the JVM container images of ClusterMesh/J with podman (idempotent; run as root on Debian).
#
# Usage: scripts/images.sh [--base IMAGE] [--skip-build] [--rebuild-base]
#   --base IMAGE    build every image FROM IMAGE (a standard image from a reachable registry, which must carry a
#                   java 17 on PATH; the agent's Dockerfile adds nftables, conntrack and iproute2 when missing).
#                   Default: the Dockerfiles' own bases where a registry is reachable, else a local base image
#                   (see below).
#   --skip-build    do not run Maven; use the target/quarkus-app/ directories as they are
#   --rebuild-base  make the local base image again even when it exists
#   DEBIAN_MIRROR   the mirror the local base comes from (default: this machine's bookworm source)
#
# What it does:
#  1. installs podman, buildah, runc and debootstrap when missing, and adds one drop-in,
#     /etc/containers/containers.conf.d/50-clustermesh-j.conf: runc (crun refuses this machine's hybrid cgroup
#     layout) and explicit ulimits (root here may not raise its own, which podman tries by default). Other settings
#     are left as they are.
#  2. with no registry reachable, makes localhost/clustermesh-j/jre-base:17: Debian bookworm minbase from the
#     configured Debian mirror (debootstrap), nftables, conntrack and iproute2 (the agent's tools), and a jlink'ed
#     Java 17 runtime of only the modules the services use in /opt/java. About a minute; kept between runs.
#  3. builds mesh-proxy, mesh-agent, mesh-dns and meshctl from docker/<module>/Dockerfile.jvm (--pull=never on a local
#     or given base) and tags them as the k8s/ manifests reference them (ghcr.io/clustermesh-j/<name>:<version>),
#     plus the demo's etcd image (localhost/clustermesh-j/etcd) from this machine's etcd binary.
#  Prints each image's size; the last line is "images: <name> <MB> ..." for the four service images.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.1.0
LOCAL_BASE=localhost/clustermesh-j/jre-base:17
ETCD_IMAGE=localhost/clustermesh-j/etcd:demo
# The JDK modules the four programs use (jdeps over their fast-jar libraries, plus the TLS and DNS providers
# loaded by name at run time). Anything missing shows as NoClassDefFoundError in the podman demo test.
JRE_MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,\
java.desktop,java.instrument,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.unsupported,jdk.naming.dns,jdk.management,\
jdk.zipfs,jdk.jfr

base=""
skip_build=false
rebuild_base=false
while (($#)); do
  case $1 in
    --base) base=${2:?--base needs an image}; shift 2 ;;
    --skip-build) skip_build=true; shift ;;
    --rebuild-base) rebuild_base=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "images: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "[images $(date +%T)] $*" >&2; }
[[ $(id -u) -eq 0 ]] || { echo "images: run as root (podman here runs rootful)" >&2; exit 1; }

# 1. podman
missing=()
for p in podman buildah runc debootstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mkdir -p /etc/containers/containers.conf.d
conf=/etc/containers/containers.conf.d/50-clustermesh-j.conf
want='# ClusterMesh/J (scripts/images.sh): root here may not raise its ulimits; crun refuses the hybrid cgroup layout.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"'
if [[ ! -f $conf ]] || [[ "$(cat "$conf")" != "$want" ]]; then
  printf '%s\n' "$want" >"$conf"
  log "wrote $conf"
fi
runtime=$(podman info --format '{{.Host.OCIRuntime.Name}}')
[[ $runtime == runc ]] || { echo "images: podman uses '$runtime', not runc: is $conf read?" >&2; exit 1; }

# 2. base image
debian_mirror() { # $DEBIAN_MIRROR, else the configured mirror of bookworm itself (not -security, not others)
  local m
  [[ -n ${DEBIAN_MIRROR:-} ]] && { echo "$DEBIAN_MIRROR"; return; }
  # deb822 stanzas (blank-line separated) whose Suites name bookworm without a suffix, then one-line sources.
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v RS= '
    /(^|\n)Suites:([^\n]*[ \t])?bookworm([ \t\n]|$)/ && match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/) {
      u = substr($0, RSTART, RLENGTH); sub(/^\n?URIs:[ \t]*/, "", u); print u; exit }' || true)
  [[ -z $m ]] && m=$(sed -E 's/\[[^]]*\] *//' /etc/apt/sources.list 2>/dev/null \
    | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' || true)
  echo "${m:-http://deb.debian.org/debian}"
}
make_local_base() ( # a subshell, so that its EXIT trap removes the root file system on any failure
  local mirror root jlink
  jlink=$(java_home)/bin/jlink
  mirror=$(debian_mirror)
  root=$(mktemp -d /var/tmp/clustermesh-base.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm minbase from $mirror"
  debootstrap --variant=minbase --include=nftables,conntrack,iproute2,ca-certificates bookworm "$root/rootfs" \
    "$mirror" >"$root/debootstrap.log" 2>&1 || { tail -20 "$root/debootstrap.log" >&2; exit 1; }
  log "jlink $JRE_MODULES"
  "$jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files --compress=2 \
    --output "$root/rootfs/opt/java"
  ln -sf /opt/java/bin/java "$root/rootfs/usr/bin/java"
  # Nothing in the images needs documentation, locales or the package lists.
  # Nor glibc's iconv modules (gconv): java does its own charsets.
  rm -rf "$root"/rootfs/usr/share/{doc,man,info,locale}/* "$root"/rootfs/var/lib/apt/lists/* \
    "$root"/rootfs/usr/lib/x86_64-linux-gnu/gconv "$root"/rootfs/var/cache/apt/*.bin \
    "$root"/rootfs/var/cache/apt/archives/*.deb "$root"/rootfs/var/log/*
  log "importing $LOCAL_BASE"
  tar -C "$root/rootfs" -c . | podman import --change 'ENV JAVA_HOME=/opt/java' \
    --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$LOCAL_BASE" >/dev/null
)
java_home() { # a JDK 17 with jmods (jlink needs them)
  local j
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-17-jdk-amd64 /usr/lib/jvm/*17*; do
    [[ -n $j && -d $j/jmods && -x $j/bin/jlink ]] && { echo "$j"; return 0; }
  done
  echo "images: no JDK 17 with jmods found: apt-get install -y openjdk-17-jdk-headless" >&2
  return 1
}
registry_reachable() { # the registries the Dockerfiles' default bases come from
  local r code
  for r in registry.access.redhat.com registry-1.docker.io; do
    code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "https://$r/v2/" 2>/dev/null || true)
    [[ $code == 200 || $code == 401 ]] || return 1
  done
}
build_args=(--pull=missing)
if [[ -n $base ]]; then
  podman image exists "$base" || podman pull "$base"
  build_args=(--pull=never --build-arg "BASE_IMAGE=$base")
elif registry_reachable; then
  log "a registry is reachable: the Dockerfiles' own bases"
else
  if $rebuild_base || ! podman image exists "$LOCAL_BASE"; then
    make_local_base
  fi
  build_args=(--pull=never --build-arg "BASE_IMAGE=$LOCAL_BASE")
fi

# 3. images
if ! $skip_build; then
  log "maven package"
  ./mvnw -B -ntp -q package -DskipTests -pl mesh-proxy,mesh-agent,mesh-dns,mesh-ctl -am
fi
declare -A tags=([mesh-proxy]=mesh-proxy [mesh-agent]=mesh-agent [mesh-dns]=mesh-dns [mesh-ctl]=meshctl)
summary=()
for module in mesh-proxy mesh-agent mesh-dns mesh-ctl; do
  [[ -f $module/target/quarkus-app/quarkus-run.jar ]] \
    || { echo "images: $module is not packaged: ./mvnw -B -ntp package -DskipTests" >&2; exit 1; }
  image=ghcr.io/clustermesh-j/${tags[$module]}:$VERSION
  log "building $image"
  podman build -q "${build_args[@]}" -f "docker/$module/Dockerfile.jvm" -t "$image" "$module" >/dev/null
  mb=$(($(podman image inspect -f '{{.Size}}' "$image") / 1000000))
  summary+=("${tags[$module]} ${mb}MB")
done
# The demo's etcd: this machine's etcd (Debian's etcd-server) on the same base, so no registry is needed.
etcd_bin=$(command -v etcd || true)
[[ -n $etcd_bin ]] || { echo "images: etcd is missing: apt-get install -y etcd-server" >&2; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$etcd_bin" "$ctx/etcd"
podman build -q "${build_args[@]}" -f docker/etcd/Dockerfile -t "$ETCD_IMAGE" "$ctx" >/dev/null
podman images --filter reference='ghcr.io/clustermesh-j/*' --filter reference='localhost/clustermesh-j/*' \
  --format '{{.Repository}}:{{.Tag}} {{.Size}}' >&2
echo "images: ${summary[*]}"

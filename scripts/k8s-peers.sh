#!/usr/bin/env bash
# Builds the real Kubernetes test peers from the Go module proxy: kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl (k8s.io/kubernetes, pinned) and kwok (sigs.k8s.io/kwok, pinned). Test support only: the product
# stays Java. Cached per machine: a second run with the same versions returns at once.
#
# Usage: scripts/k8s-peers.sh
#   Prints the directory holding the four binaries as its last line.
#   K8S_PEERS_DIR overrides the cache directory (default /var/cache/clustermesh-j/k8s-peers).
# First build: about 9-15 minutes on 2 cores (kube-apiserver is most of it), then nothing.
set -euo pipefail

K8S_VERSION=v1.34.3
STAGING_VERSION=v0.34.3
KWOK_VERSION=v0.7.0
CACHE=${K8S_PEERS_DIR:-/var/cache/clustermesh-j/k8s-peers}
OUT=$CACHE/k8s-$K8S_VERSION-kwok-$KWOK_VERSION/bin

all_present() {
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do [[ -x $OUT/$b ]] || return 1; done
}
if all_present; then echo "$OUT"; exit 0; fi

command -v go >/dev/null || { echo "k8s-peers: go is missing: install Go >= 1.24 (Kubernetes $K8S_VERSION needs it)" >&2; exit 1; }
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [[ ! $go_minor =~ ^[0-9]+$ ]] || ((go_minor < 24)); then
  echo "k8s-peers: $(go env GOVERSION) is too old: install Go >= 1.24 (Kubernetes $K8S_VERSION needs it)" >&2
  exit 1
fi

mkdir -p "$OUT" || { echo "k8s-peers: cannot create $OUT; set K8S_PEERS_DIR to a writable directory" >&2; exit 1; }
exec 9>"$CACHE/.build.lock"
flock 9
if all_present; then echo "$OUT"; exit 0; fi

SRC=$CACHE/src-$K8S_VERSION
mkdir -p "$SRC"
log() { echo "[k8s-peers $(date +%T)] $*" >&2; }

# k8s.io/kubernetes cannot be `go install`ed: its go.mod points the staging modules at local paths. A small main
# module that requires it and pins every staging module to the matching published version builds its commands.
STAGING=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap
  code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib
  dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
  kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver sample-cli-plugin
  sample-controller)
{
  echo "module clustermesh.test/k8speers"
  echo
  echo "go 1.24"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  for m in "${STAGING[@]}"; do echo "replace k8s.io/$m => k8s.io/$m $STAGING_VERSION"; done
} >"$SRC/go.mod"

write_main() { # dir import-path constructor
  mkdir -p "$SRC/cmd/$1"
  cat >"$SRC/cmd/$1/main.go" <<EOF
package main

import (
	"os"

	"k8s.io/component-base/cli"
	app "$2"
)

func main() {
	os.Exit(cli.Run(app.$3()))
}
EOF
}
write_main kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver/app NewAPIServerCommand
write_main kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager/app NewControllerManagerCommand
write_main kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler/app NewSchedulerCommand
# kubectl of the same version as the API server (a machine's own may be too old for `create token`).
mkdir -p "$SRC/cmd/kubectl"
cat >"$SRC/cmd/kubectl/main.go" <<'EOF_KUBECTL'
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	if err := cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
}
EOF_KUBECTL

cd "$SRC"
export GOFLAGS=-mod=mod
log "resolving k8s.io/kubernetes $K8S_VERSION"
go mod tidy >&2
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  if [[ ! -x $OUT/$b ]]; then
    log "building $b"
    go build -trimpath -ldflags "-s -w" -o "$OUT/$b.tmp" "./cmd/$b" >&2
    mv "$OUT/$b.tmp" "$OUT/$b"
  fi
done
if [[ ! -x $OUT/kwok ]]; then
  log "building kwok $KWOK_VERSION"
  GOFLAGS= GOBIN="$SRC/kwok-bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2
  mv "$SRC/kwok-bin/kwok" "$OUT/kwok"
fi
log "done"
echo "$OUT"

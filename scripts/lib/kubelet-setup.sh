# shellcheck shell=bash
# Sourced by scripts/kubelet-attempt.sh (not run on its own): the "up" steps that install packages, build the
# kubelet and write files: PKI and kubeconfigs, the CNI network, the containerd and kubelet configs, and the images
# copied into containerd. Uses the entry point's settings (W, RUN, P, K8S_VERSION, NODE_NAME, ...) and helpers
# (log, say); build_binaries sets PEERS. Results: docs/kubelet.md.

# 1. packages
install_packages() {
  local p
  need=()
  for p in containerd containernetworking-plugins runc; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  fi
  # Debian's containerd package installs a systemd unit; on machines without systemd nothing starts it. If one runs,
  # we leave it alone (ours has its own socket and dirs).
}

# 2. binaries
build_binaries() { # sets PEERS (kube-apiserver, controller-manager, scheduler, kubectl)
  PEERS=$("$HERE/scripts/k8s-peers.sh" 2>/dev/null | tail -1 || true) # returns at once when already built
  [[ -x $PEERS/kube-apiserver ]] || PEERS=$(flock /tmp/mesh-build.lock "$HERE/scripts/k8s-peers.sh" | tail -1)
  if [[ ! -x $W/bin/kubelet ]]; then
    log "building kubelet $K8S_VERSION (Go module proxy; the warm module cache of k8s-peers.sh is reused)"
    mkdir -p "$W/src/cmd/kubelet"
    cp "$PEERS_SRC/go.mod" "$PEERS_SRC/go.sum" "$W/src/"
    cat >"$W/src/cmd/kubelet/main.go" <<'EOF'
package main

import (
	"context"
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	os.Exit(cli.Run(app.NewKubeletCommand(context.Background())))
}
EOF
    (cd "$W/src" && GOFLAGS="-mod=mod -buildvcs=false" flock /tmp/mesh-build.lock go build -trimpath \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34" \
      -o "$W/bin/kubelet.tmp" ./cmd/kubelet)
    mv "$W/bin/kubelet.tmp" "$W/bin/kubelet"
  fi
}

# 3. PKI and credentials
write_pki() {
  if [[ ! -f $P/tokens.csv ]]; then
    log "writing PKI and tokens to $P"
    openssl genrsa -out "$P/sa.key" 2048 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 30 -subj "/CN=kubelet-attempt-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$P/apiserver-kubelet-client.key" -out "$P/apiserver-kubelet-client.csr" \
      -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" 2>/dev/null
    openssl x509 -req -in "$P/apiserver-kubelet-client.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial \
      -out "$P/apiserver-kubelet-client.crt" -days 30 2>/dev/null
    {
      echo "$(openssl rand -hex 16),admin,admin,system:masters"
      echo "$(openssl rand -hex 16),system:node:$NODE_NAME,system:node:$NODE_NAME,system:nodes"
    } >"$P/tokens.csv"
    chmod 600 "$P"/*.key "$P/tokens.csv"
  fi
}

kubeconfig() { # file token
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$P/apiserver.crt"}
users:
- name: u
  user: {token: "$2"}
contexts:
- name: c
  context: {cluster: local, user: u}
current-context: c
EOF
}

write_kubeconfigs() {
  kubeconfig "$W/admin.kubeconfig" "$(sed -n 1p "$P/tokens.csv" | cut -d, -f1)"
  kubeconfig "$W/kubelet.kubeconfig" "$(sed -n 2p "$P/tokens.csv" | cut -d, -f1)"
}

# 6. the bridge CNI network (written in step 5, before containerd starts). "loopback" is listed for completeness;
# containerd brings lo up itself.
write_cni_config() {
  cat >"$W/cni/net.d/10-kubelet-attempt.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kubelet-attempt",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$W/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "loopback"}
  ]
}
EOF
}

# 5. containerd (own config, root, state, socket)
write_containerd_config() {
  cat >"$W/containerd/config.toml" <<EOF
version = 2
root = "$W/containerd/root"
state = "$RUN/containerd-state"
[grpc]
  address = "$RUN/containerd.sock"
[ttrpc]
  address = "$RUN/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$W/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: writing a negative /proc/<pid>/oom_score_adj fails, and without this every
  # sandbox (the kubelet asks for -998) failed in runc with "can't get final child's PID from pipe: EOF". This caps
  # the sandbox's and containers' oom_score_adj at containerd's own (0 here). See docs/kubelet.md.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "$(command -v runc)"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$W/cni/net.d"
EOF
}

# Images: no registry, so the sandbox ("pause") image is made from the local JRE base, and every image a pod uses is
# copied from podman's store into containerd's k8s.io namespace.
import_images() {
  local images img
  if ! podman image exists "$PAUSE_IMAGE"; then
    log "building $PAUSE_IMAGE from localhost/clustermesh-j/jre-base:17"
    printf 'FROM localhost/clustermesh-j/jre-base:17\nENTRYPOINT ["/bin/sleep", "infinity"]\n' |
      podman build --pull=never -q -t "$PAUSE_IMAGE" -f - "$W" >/dev/null
  fi
  images=("$PAUSE_IMAGE" "${TEST_IMAGES[@]}")
  ((OVERLAY)) && images+=("${OVERLAY_IMAGES[@]}")
  for img in "${images[@]}"; do
    if ! "${CTR[@]}" images ls -q | grep -qx "$img"; then
      log "importing $img into containerd (k8s.io)"
      podman save "$img" | "${CTR[@]}" images import - >/dev/null
    fi
  done
}

# 7. kubelet
write_kubelet_config() {
  cat >"$W/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
containerRuntimeEndpoint: unix://$RUN/containerd.sock
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $P/ca.crt}
authorization:
  mode: AlwaysAllow
staticPodPath: $W/manifests
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
maxOpenFiles: 20000
rotateCertificates: false
serverTLSBootstrap: false
featureGates:
  WatchListClient: false
EOF
}

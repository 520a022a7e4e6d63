#!/usr/bin/env bash
# A real kubelet on this machine: replayable attempt for issue 16 ("Tried and reported either way: a real kubelet").
# NOT part of CI and not a test: it installs Debian packages, changes kernel sysctls the kubelet insists on (restored
# by --down), creates a bridge and cgroups. Run as root on a Debian 12 machine like this project's. Results:
# docs/kubelet.md.
#
# Usage: scripts/kubelet-attempt.sh            bring everything up, run the test pods, print what happened
#        scripts/kubelet-attempt.sh --overlay  the same, then apply k8s/overlays/cluster1 (without the mesh-agent
#                                              DaemonSet) and report how far its pods get (see docs/kubelet.md)
#        scripts/kubelet-attempt.sh --down     stop everything this script started and remove what it created
#
# What "up" does, in order:
#   1. apt-get install containerd containernetworking-plugins runc (containerd is NOT started by the package here).
#   2. Builds kubelet (k8s.io/kubernetes v1.34.3 cmd/kubelet/app) from the Go module proxy with the same generated
#      main module as scripts/k8s-peers.sh (copied into the work dir, the peers' cache is only read), under
#      `flock /tmp/mesh-build.lock`. The other peers (kube-apiserver, controller-manager, scheduler, kubectl) come
#      from scripts/k8s-peers.sh.
#   3. PKI with openssl: a CA, the API server's client cert for the kubelet (CN=kube-apiserver-kubelet-client,
#      O=system:masters), a service-account key; tokens.csv with an admin (system:masters) and a node token
#      (system:node:<host>, group system:nodes).
#   4. etcd (127.0.0.1:23790) + kube-apiserver (127.0.0.1:26443) + kube-controller-manager + kube-scheduler.
#   5. containerd with its OWN config, root, state and socket (nothing under /etc/containerd, /var/lib/containerd
#      or /run/containerd): root=$W/containerd/root, state=$RUN/containerd-state, socket $RUN/containerd.sock,
#      cgroupfs (SystemdCgroup=false), runc, restrict_oom_score_adj=true (root here lacks CAP_SYS_RESOURCE),
#      CNI conf dir $W/cni/net.d, CNI binaries /usr/lib/cni, sandbox image
#      localhost/kubelet-attempt/pause:1 (made locally from localhost/clustermesh-j/jre-base:17, `sleep infinity`).
#   6. A bridge CNI network (bridge kla0, 10.244.0.0/24, no ipMasq: the machine's nftables tables are left alone).
#   7. kubelet (cgroupfs, failSwapOn=false, failCgroupV1=false, x509-only authentication + AlwaysAllow, so only the
#      API server's client cert can reach its port). Its PATH leaves out /usr/sbin so that it finds no `iptables`
#      and does not add its KUBE-FIREWALL / canary chains to the machine's tables.
#   8. Waits (polling, with deadlines) for the node to be Ready, then runs test pods from local images
#      (imagePullPolicy: Never): jre-base `sleep` (+ kubectl logs/exec), meshctl `--help` to completion, and a
#      rebel-base-like pod serving a ConfigMap, fetched from the host and by an x-wing-like pod.
#
# Files: this entry point (options, the up / --overlay / --down flow, daemons, test pods) sources
# scripts/lib/kubelet-setup.sh (packages, kubelet build, PKI, CNI/containerd/kubelet configs, images) and
# scripts/lib/kubelet-overlay.sh (the --overlay part).
# Work dir: KUBELET_ATTEMPT_DIR (default /var/tmp/kubelet-attempt); runtime dir /run/kubelet-attempt.
set -euo pipefail

W=${KUBELET_ATTEMPT_DIR:-/var/tmp/kubelet-attempt}
RUN=/run/kubelet-attempt
K8S_VERSION=v1.34.3
PEERS_SRC=/var/cache/clustermesh-j/k8s-peers/src-$K8S_VERSION
ETCD_PORT=23790
ETCD_PEER_PORT=23800
API_PORT=26443
BRIDGE=kla0
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.11.0.0/16 # k8s/overlays/cluster1's service range (its mesh-dns Service pins 10.11.0.53)
NODE_NAME=$(hostname | tr 'A-Z' 'a-z')
PAUSE_IMAGE=localhost/kubelet-attempt/pause:1
TEST_IMAGES=(localhost/clustermesh-j/jre-base:17 ghcr.io/clustermesh-j/meshctl:0.1.0)
OVERLAY_IMAGES=(ghcr.io/clustermesh-j/mesh-proxy:0.1.0 ghcr.io/clustermesh-j/mesh-dns:0.1.0 localhost/clustermesh-j/etcd:demo)
CTR=(ctr --address "$RUN/containerd.sock" --namespace k8s.io)
HERE=$(cd "$(dirname "$0")/.." && pwd)

log() { echo "[kubelet-attempt $(date +%T)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }
[[ $(id -u) == 0 ]] || die "run as root"

# ---------------------------------------------------------------------------------------------------- processes
# Daemons are started with setsid and their pid written to $RUN/<name>.pid; --down stops exactly those pids.
start_daemon() { # name env-PATH cmd...
  local name=$1 path=$2; shift 2
  if [[ -f $RUN/$name.pid ]] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
    log "$name already running (pid $(cat "$RUN/$name.pid"))"; return
  fi
  log "starting $name (log $W/logs/$name.log)"
  echo "=== kubelet-attempt: $name started $(date -u +%FT%TZ)" >>"$W/logs/$name.log"
  PATH=$path setsid "$@" >>"$W/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}
stop_daemon() { # name
  local name=$1 pid i
  [[ -f $RUN/$name.pid ]] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop on TERM: KILL"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$RUN/$name.pid"
}
wait_for() { # description deadline-seconds command...   polls every 0.5 s until the command succeeds
  local what=$1 start=$(date +%s) deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || { log "$what: not after $(( $(date +%s) - start ))s"; return 1; }
    sleep 0.5
  done
  log "$what: ok after $(( $(date +%s) - start ))s"
}
kc() { "$PEERS/kubectl" --kubeconfig "$W/admin.kubeconfig" "$@"; }
# Sourced from this script's own directory: the steps that install, build and write files; the --overlay part.
source "$HERE/scripts/lib/kubelet-setup.sh"
source "$HERE/scripts/lib/kubelet-overlay.sh"

# ---------------------------------------------------------------------------------------------------- down
down() {
  log "down: removing test pods and stopping everything this script started"
  if [[ -f $RUN/kubelet.pid ]] && [[ -f $RUN/kube-apiserver.pid ]] && [[ -x ${PEERS:-/nonexistent}/kubectl ]]; then
    # Let the kubelet tear the pods down properly (CNI DEL, netns removal, unmounts) while it still runs.
    rm -f "$W"/manifests/*.yaml 2>/dev/null || true
    kc delete namespace clustermesh-system --wait=false >/dev/null 2>&1 || true
    kc delete pods --all -n default --grace-period=1 --wait=false >/dev/null 2>&1 || true
    kc delete pods --all -n clustermesh-system --grace-period=1 --wait=false >/dev/null 2>&1 || true
    local deadline=$(( $(date +%s) + 60 ))
    while (( $(date +%s) < deadline )); do
      [[ -z $("${CTR[@]}" tasks ls -q 2>/dev/null) ]] && break
      sleep 1
    done
  fi
  stop_daemon kubelet
  # Whatever is left in containerd (should be nothing): kill the tasks, then containerd and its shims.
  if [[ -S $RUN/containerd.sock ]]; then
    local t
    for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
      "${CTR[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
    done
    # delete -f kills what is still running, so no wait is needed between the two.
    for t in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks delete -f "$t" >/dev/null 2>&1 || true; done
  fi
  stop_daemon kube-scheduler
  stop_daemon kube-controller-manager
  stop_daemon kube-apiserver
  stop_daemon etcd
  stop_daemon containerd
  # Shims of our containerd (their command line names our state dir); by pid, never by a broad name.
  local p
  for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $RUN/containerd.sock" || true); do
    log "killing leftover shim $p"; kill -KILL "$p" 2>/dev/null || true
  done
  # Network namespaces the CRI plugin pinned (cni-*) that no CNI DEL removed: only ones our state references.
  if [[ -f $RUN/netns.before ]]; then
    local ns
    for ns in $(ip netns list | awk '{print $1}' | grep '^cni-' || true); do
      grep -qx "$ns" "$RUN/netns.before" || { log "removing leftover netns $ns"; ip netns delete "$ns" || true; }
    done
  fi
  ip link show "$BRIDGE" >/dev/null 2>&1 && { log "deleting bridge $BRIDGE"; ip link delete "$BRIDGE"; }
  rm -f /var/lib/cni/results/kubelet-attempt-* 2>/dev/null || true
  # Mounts under the work and runtime dirs (pod volumes, container rootfs), deepest first.
  local m
  for m in $(awk -v w="$W/" -v r="$RUN/" 'index($2,w)==1 || index($2,r)==1 {print $2}' /proc/mounts | sort -r); do
    log "unmounting $m"; umount -l "$m" || true
  done
  # cgroups the kubelet made (kubepods tree) in every v1 hierarchy, deepest first.
  local h
  for h in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods; do
    [[ -d $h ]] || continue
    find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [[ -d $h ]] && log "could not remove cgroup $h"
  done
  # Kernel sysctls the kubelet sets (vm.overcommit_memory, kernel.panic, kernel.panic_on_oops): restore.
  if [[ -f $W/sysctl.before ]]; then
    log "restoring sysctls: $(tr '\n' ' ' <"$W/sysctl.before")"
    sysctl -q -p "$W/sysctl.before" && rm -f "$W/sysctl.before" || true
  fi
  podman image exists "$PAUSE_IMAGE" 2>/dev/null && podman rmi "$PAUSE_IMAGE" >/dev/null
  rm -rf "$W/containerd" "$W/kubelet" "$W/etcd" "$W/cni/ipam" "$RUN"
  log "down: done (logs kept in $W/logs; kubelet binary kept in $W/bin; containerd stays installed)"
}

OVERLAY=0
[[ ${1:-} == --overlay ]] && OVERLAY=1
if [[ ${1:-} == --down ]]; then
  PEERS=$(ls -d /var/cache/clustermesh-j/k8s-peers/k8s-$K8S_VERSION-*/bin 2>/dev/null | head -1 || true)
  down
  exit 0
fi

# ---------------------------------------------------------------------------------------------------- up
T0=$(date +%s)
mkdir -p "$W"/{bin,logs,pki,manifests,cni/net.d,cni/ipam,containerd,kubelet,etcd} "$RUN"
: >"$W/logs/summary.txt"
say() { echo "$*" | tee -a "$W/logs/summary.txt" >&2; }

# 1. packages
install_packages

# 2. binaries
build_binaries
say "kubelet: $("$W/bin/kubelet" --version); containerd: $(containerd --version | awk '{print $3}'); runc: $(runc --version | head -1 | awk '{print $3}'); CNI plugins: $(dpkg-query -W -f '${Version}' containernetworking-plugins)"

# 3. PKI and credentials
P=$W/pki
write_pki
write_kubeconfigs

# 4. control plane
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NO_WATCH_LIST=--feature-gates=WatchListClient=false # as mesh-testing's KubeCluster runs its peers
start_daemon etcd "$SYS_PATH" etcd --name kubelet-attempt --data-dir "$W/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "kubelet-attempt=http://127.0.0.1:$ETCD_PEER_PORT"
wait_for "etcd health" 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health" || die "etcd did not become healthy: see $W/logs/etcd.log"
start_daemon kube-apiserver "$SYS_PATH" "$PEERS/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --secure-port "$API_PORT" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --cert-dir "$P" \
  --token-auth-file "$P/tokens.csv" --service-account-key-file "$P/sa.key" \
  --service-account-signing-key-file "$P/sa.key" --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --authorization-mode Node,RBAC --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
  --kubelet-client-certificate "$P/apiserver-kubelet-client.crt" --kubelet-client-key "$P/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP \
  --feature-gates WatchList=false,WatchListClient=false
wait_for "kube-apiserver /readyz" 90 bash -c "[[ -f $P/apiserver.crt ]] && '$PEERS/kubectl' --kubeconfig '$W/admin.kubeconfig' get --raw /readyz" \
  || die "kube-apiserver not ready: see $W/logs/kube-apiserver.log"
start_daemon kube-controller-manager "$SYS_PATH" "$PEERS/kube-controller-manager" --kubeconfig "$W/admin.kubeconfig" \
  --controllers '*' --leader-elect=false --secure-port 0 --service-account-private-key-file "$P/sa.key" \
  --root-ca-file "$P/apiserver.crt" --use-service-account-credentials=true --service-cluster-ip-range "$SERVICE_CIDR" \
  "$NO_WATCH_LIST"
start_daemon kube-scheduler "$SYS_PATH" "$PEERS/kube-scheduler" --kubeconfig "$W/admin.kubeconfig" \
  --leader-elect=false --secure-port 0 "$NO_WATCH_LIST"
wait_for "default service account" 60 "$PEERS/kubectl" --kubeconfig "$W/admin.kubeconfig" get serviceaccount default \
  || die "no default service account: see $W/logs/kube-controller-manager.log"

# 5. containerd (own config, root, state, socket)
write_cni_config
write_containerd_config
[[ -f $RUN/netns.before ]] || ip netns list | awk '{print $1}' >"$RUN/netns.before"
start_daemon containerd "$SYS_PATH" containerd --config "$W/containerd/config.toml"
wait_for "containerd socket" 30 "${CTR[@]}" version || die "containerd did not start: see $W/logs/containerd.log"

import_images

# 7. kubelet
NODE_IP=$(ip -4 route get 1.1.1.1 | sed -nE 's/.* src ([0-9.]+).*/\1/p')
write_kubelet_config
if [[ ! -f $W/sysctl.before ]]; then
  sysctl vm.overcommit_memory kernel.panic kernel.panic_on_oops | sed 's/ = /=/' >"$W/sysctl.before"
fi
# No /usr/sbin on the kubelet's PATH: no iptables, so no KUBE-FIREWALL / KUBE-KUBELET-CANARY chains in the machine's
# tables (the kubelet logs "No iptables support on this system" and goes on).
KUBELET_START=$(date +%s)
start_daemon kubelet /usr/local/bin:/usr/bin:/bin "$W/bin/kubelet" --config "$W/kubelet-config.yaml" \
  --kubeconfig "$W/kubelet.kubeconfig" --root-dir "$W/kubelet" --hostname-override "$NODE_NAME" \
  --node-ip "$NODE_IP" --v 2

# 8. node Ready, then pods
node_ready() { [[ $(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; }
if ! wait_for "node $NODE_NAME Ready" 120 node_ready; then
  say "RESULT: node $NODE_NAME did not become Ready within 120s"
  kc get node -o wide >&2 || true
  kc get node "$NODE_NAME" -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}' >&2 || true
  grep -E '^E[0-9]{4}' "$W/logs/kubelet.log" | tail -20 >&2 || true
  exit 1
fi
say "node $NODE_NAME Ready $(( $(date +%s) - KUBELET_START ))s after the kubelet started"
kc get node -o wide >&2

pod_phase() { kc get pod "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
report_pod() { # name
  say "pod $1: phase=$(pod_phase "$1") $(kc get pod "$1" -o jsonpath='ip={.status.podIP} {range .status.containerStatuses[*]}{.name}: ready={.ready} restarts={.restartCount} state={.state}{"\n"}{end}')"
  kc describe pod "$1" | sed -n '/^Events:/,$p' >&2 || true
}
run_pod() { # name want-phase deadline manifest(stdin)
  local name=$1 want=$2 deadline=$3 t
  kc delete pod "$name" --ignore-not-found --wait=true >/dev/null
  kc apply -f - >/dev/null
  t=$(date +%s)
  if wait_for "pod $name $want" "$deadline" bash -c "[[ \$('$PEERS/kubectl' --kubeconfig '$W/admin.kubeconfig' get pod $name -o jsonpath='{.status.phase}') == $want ]]"; then
    say "OK: pod $name reached $want in $(( $(date +%s) - t ))s"; report_pod "$name"; return 0
  fi
  say "FAIL: pod $name not $want within ${deadline}s"; report_pod "$name"; return 1
}

ok=0
run_pod sleeper Running 90 <<'EOF' || ok=1
apiVersion: v1
kind: Pod
metadata: {name: sleeper, labels: {app: kubelet-attempt}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sleep
    image: localhost/clustermesh-j/jre-base:17
    imagePullPolicy: Never
    command: ["/bin/sh", "-c", "echo hello from $(hostname) $(cat /proc/1/cgroup | head -1); exec sleep infinity"]
EOF
if ((ok == 0)); then
  # logs and exec go API server -> kubelet :10250 (x509 client cert of the API server).
  if out=$(kc logs sleeper 2>&1); then say "sleeper log: $out"; else say "FAIL: kubectl logs sleeper: $out"; ok=1; fi
  if out=$(kc exec sleeper -- sh -c 'java -version 2>&1 | head -1' 2>&1); then say "sleeper exec (java -version): $out"
  else say "FAIL: kubectl exec sleeper: $out"; ok=1; fi
  run_pod meshctl-help Succeeded 120 <<'EOF' || ok=1
apiVersion: v1
kind: Pod
metadata: {name: meshctl-help, labels: {app: kubelet-attempt}}
spec:
  restartPolicy: Never
  containers:
  - name: meshctl
    image: ghcr.io/clustermesh-j/meshctl:0.1.0
    imagePullPolicy: Never
    args: ["--help"]
EOF
  say "meshctl-help log (first lines): $(kc logs meshctl-help 2>&1 | head -5)"
  # The seed's rebel-base (k8s/examples/rebel-base-cluster1.yaml: nginx serving a ConfigMap's message), with what is
  # local here: the JRE image's perl serving the same ConfigMap (mounted by the kubelet) on 8080; then an x-wing-like
  # pod fetching it pod-to-pod over the bridge, and the host fetching it too.
  kc apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: rebel-base-response}
data:
  message: "{\"Galaxy\": \"Alderaan\", \"Cluster\": \"kubelet-attempt\"}\n"
EOF
  run_pod rebel-base Running 90 <<'EOF' || ok=1
apiVersion: v1
kind: Pod
metadata: {name: rebel-base, labels: {name: rebel-base}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: rebel-base
    image: localhost/clustermesh-j/jre-base:17
    imagePullPolicy: Never
    command:
    - perl
    - -MIO::Socket::INET
    - -e
    - |
      open my $f, "<", "/srv/index.html" or die "index.html: $!";
      my $b = do { local $/; <$f> };
      my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 16, ReuseAddr => 1) or die "listen: $!";
      $| = 1; print "rebel-base listening on 8080\n";
      while (my $c = $s->accept) {
        while (my $l = <$c>) { last if $l =~ /^\r?\n$/ }
        print $c "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " . length($b) . "\r\n\r\n" . $b;
        close $c;
      }
    ports: [{containerPort: 8080}]
    readinessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 2
    volumeMounts: [{name: html, mountPath: /srv}]
  volumes:
  - name: html
    configMap: {name: rebel-base-response, items: [{key: message, path: index.html}]}
EOF
  ip=$(kc get pod rebel-base -o jsonpath='{.status.podIP}')
  if [[ -n $ip ]] && wait_for "rebel-base answers on $ip:8080 from the host" 30 curl -fsS "http://$ip:8080/"; then
    say "rebel-base from the host: $(curl -fsS "http://$ip:8080/")"
  else
    say "FAIL: rebel-base did not answer on ${ip:-<no ip>}:8080 from the host"; ok=1
  fi
  sed "s/@IP@/$ip/" <<'EOF' | run_pod x-wing Succeeded 60 || ok=1
apiVersion: v1
kind: Pod
metadata: {name: x-wing, labels: {name: x-wing}}
spec:
  restartPolicy: Never
  containers:
  - name: x-wing
    image: localhost/clustermesh-j/jre-base:17
    imagePullPolicy: Never
    command:
    - perl
    - -MIO::Socket::INET
    - -e
    - |
      my $c = IO::Socket::INET->new(PeerAddr => "@IP@:8080", Timeout => 5) or die "connect: $!";
      print $c "GET / HTTP/1.0\r\n\r\n";
      my $r = do { local $/; <$c> };
      $r =~ s/^.*?\r\n\r\n//s; print "x-wing got: $r"; exit($r =~ /Alderaan/ ? 0 : 1);
EOF
  say "x-wing log: $(kc logs x-wing 2>&1 | head -3)"
fi

if ((OVERLAY)); then run_overlay; fi
say "total $(( $(date +%s) - T0 ))s; pods:"
kc get pods -o wide 2>&1 | tee -a "$W/logs/summary.txt" >&2
if ((ok == 0)); then say "RESULT: works (node Ready, pods ran). Stop with: $0 --down"; else say "RESULT: see FAIL lines above; logs in $W/logs. Stop with: $0 --down"; fi
exit "$ok"

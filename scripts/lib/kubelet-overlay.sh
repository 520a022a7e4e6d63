# shellcheck shell=bash
# Sourced by scripts/kubelet-attempt.sh (not run on its own): its --overlay part. Uses the entry point's settings
# (W, HERE, NODE_IP) and helpers (kc, say, wait_for); sets ok=1 on a failure. Results: docs/kubelet.md.

# Optional: the k8s/ overlay for cluster1 as real pods. Left out: the mesh-agent DaemonSet (hostNetwork + NET_ADMIN
# would program nftables and routes in this machine's own network namespace). The etcd image is replaced by the local
# one (quay.io is not reachable); the Secrets come from meshctl (run from its image with podman, host network).
run_overlay() {
  O=$W/overlay
  mkdir -p "$O"
  meshctl() { podman run --rm --pull=never --network host --user 0 -v "$W:$W" -w "$O" ghcr.io/clustermesh-j/meshctl:0.1.0 "$@"; }
  kc kustomize "$HERE/k8s/overlays/cluster1" | python3 -c '
import sys
docs = sys.stdin.read().split("\n---\n")
keep = [d for d in docs if not ("kind: DaemonSet" in d and "name: mesh-agent" in d)]
print("\n---\n".join(keep).replace("quay.io/coreos/etcd:v3.5.21", "localhost/clustermesh-j/etcd:demo"))
' >"$O/cluster1.yaml"
  [[ -f $O/pki/ca.crt ]] || meshctl ca create --dir "$O/pki" >&2
  t=$(date +%s)
  kc apply -f "$O/cluster1.yaml" >&2 || { say "FAIL: kubectl apply of the cluster1 overlay"; ok=1; }
  if out=$(meshctl clustermesh enable --kubeconfig "$W/admin.kubeconfig" --context c --ca-dir "$O/pki" \
      --cluster-name cluster1 --cluster-id 1 --proxy-ip "$NODE_IP" 2>&1); then
    say "meshctl clustermesh enable: $(echo "$out" | tail -3)"
  else
    say "FAIL: meshctl clustermesh enable: $(echo "$out" | tail -5)"; ok=1
  fi
  all_ready() {
    local st
    st=$(kc -n clustermesh-system get pods -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || return 1
    [[ -n $st ]] && ! grep -qv '^True$' <<<"$st"
  }
  if wait_for "overlay pods Ready" 120 all_ready; then say "OK: cluster1 overlay pods all Ready in $(( $(date +%s) - t ))s"
  else say "FAIL: cluster1 overlay pods not all Ready after 120s"; ok=1; fi
  kc -n clustermesh-system get pods -o wide 2>&1 | tee -a "$W/logs/summary.txt" >&2
  for pod in $(kc -n clustermesh-system get pods -o name); do
    say "--- $pod: $(kc -n clustermesh-system get "$pod" -o jsonpath='{range .status.containerStatuses[*]}{.name}: ready={.ready} restarts={.restartCount} state={.state} last={.lastState}{"\n"}{end}')"
    # The most frequent warning/error lines (timestamps cut), else the last lines.
    logs=$(kc -n clustermesh-system logs "$pod" --all-containers 2>&1 || true)
    { grep -E 'WARN|ERROR|Caused by' <<<"$logs" | sed -E 's/^[0-9-]+ [0-9:,.]+ //' | cut -c1-300 | sort | uniq -c | sort -rn | head -5
      grep -qE 'WARN|ERROR|Caused by' <<<"$logs" || tail -3 <<<"$logs"; } | tee -a "$W/logs/summary.txt" >&2 || true
    kc -n clustermesh-system get events --field-selector "involvedObject.name=${pod#pod/}" \
      -o jsonpath='{range .items[*]}{.type} {.reason}: {.message}{"\n"}{end}' 2>&1 | grep -v '^Normal' | tail -5 | tee -a "$W/logs/summary.txt" >&2 || true
  done
}

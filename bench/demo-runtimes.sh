#!/usr/bin/env bash
# Benchmark (issue 16): the root demo (datapath nftables) started as plain processes and as podman containers from
# the images scripts/images.sh builds, side by side in one run: wall time of `meshctl demo up` (both clusters up,
# connected, synced, and the first curl from x-wing answered) and the resident memory (VmRSS of each program's
# main process, read from /proc the same way for both) right after it. Needs root and podman.
# Usage: bench/demo-runtimes.sh [runs=3]
# Last line: demo up p50 process <s> s podman <s> s (x<ratio>); RSS MiB process/podman etcd a/b mesh-proxy c/d ...
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[[ $(id -u) -eq 0 ]] || { echo "demo-runtimes: run as root (network namespaces, podman)" >&2; exit 1; }
flock /tmp/mesh-build.lock ./mvnw -B -ntp -q -pl mesh-proxy,mesh-agent,mesh-dns,mesh-ctl -am package -DskipTests
images=$(flock /tmp/mesh-build.lock bash scripts/images.sh --skip-build | tail -1)
echo "machine: $(nproc) vCPU, $(free -g | awk '/Mem:/{print $2}') GiB RAM, Linux $(uname -r), $(podman --version)," \
  "$(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo "command: bench/demo-runtimes.sh ${*:-}"
echo "$images"
work=$(mktemp -d /tmp/demo-runtimes.XXXXXX)
out=$work/results.tsv
trap './meshctl demo down --dir "$work/demo" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

rss() { # role -> MiB of its main process (the container's, for podman)
  python3 - "$work/demo" "$1" <<'EOF'
import json, subprocess, sys
state = json.load(open(sys.argv[1] + "/demo.json"))
total = []
for c in state["clusters"]:
    for p in c["processes"]:
        if p["role"] != sys.argv[2]:
            continue
        pid = str(p["pid"])
        if state.get("runtime") == "podman":
            name = state["netPrefix"] + "-" + c["name"] + "-" + p["role"]
            pid = subprocess.run(["podman", "inspect", "-f", "{{.State.Pid}}", name], capture_output=True,
                                 text=True, check=True).stdout.strip()
        for line in open("/proc/" + pid + "/status"):
            if line.startswith("VmRSS:"):
                total.append(int(line.split()[1]) // 1024)
print(sum(total) // len(total))
EOF
}

# Holds the build lock while measuring, so that no build runs beside it. Runs alternate, so drift hits both alike.
exec 9>/tmp/mesh-build.lock
flock 9
for ((i = 1; i <= runs; i++)); do
  for runtime in process podman; do
    start=$(date +%s%N)
    ./meshctl demo up --dir "$work/demo" --runtime "$runtime" --datapath nftables --port-base 0 --dns-port 0 \
      >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
    ms=$((($(date +%s%N) - start) / 1000000))
    line="$runtime	$ms"
    for role in etcd mesh-proxy mesh-agent mesh-dns; do line="$line	$(rss $role)"; done
    echo "$line" | tee -a "$out"
    ./meshctl demo down --dir "$work/demo" >/dev/null
  done
done
python3 - "$out" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
roles = ["etcd", "mesh-proxy", "mesh-agent", "mesh-dns"]
med = {}
for rt in ("process", "podman"):
    rs = [r for r in rows if r[0] == rt]
    med[rt] = [statistics.median(int(r[i]) for r in rs) for i in range(1, 6)]
print("runtime  demo-up-ms  " + "  ".join(f"{r}-MiB" for r in roles))
for rt in ("process", "podman"):
    print(f"{rt:8} {med[rt][0]:10.0f}  " + "  ".join(f"{v:>{len(r) + 4}.0f}" for r, v in zip(roles, med[rt][1:])))
p, c = med["process"][0] / 1000, med["podman"][0] / 1000
print(f"demo up p50 process {p:.1f} s podman {c:.1f} s (x{c / p:.2f}); RSS MiB process/podman "
      + " ".join(f"{r} {a:.0f}/{b:.0f}" for r, a, b in zip(roles, med["process"][1:], med["podman"][1:])))
EOF

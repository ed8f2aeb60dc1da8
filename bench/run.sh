#!/usr/bin/env bash
# The vpcpeer benchmark: the same peering workload against vpcpeer (the default SQLite store,
# --durability full, --ephemeral) and against moto's server, side by side, then vpcpeer's resident memory with 10,000
# VPCs and 5,000 active peerings loaded, after 100 accounts × 5 regions got their default VPCs.
# See bench/README.md. Prints figures; checks nothing.
#
# Knobs (environment): CLIENTS (8), VP_ITER (200 iterations per client against vpcpeer),
# MOTO_ITER (12 per client against moto), WORKLOADS ("full peering-only gcp azure"; gcp and azure
# run against vpcpeer only: moto has no GCP or Azure face), VPCS (10000),
# PEERINGS (5000), TOUCH_ACCOUNTS (100) and TOUCH_REGIONS (5, at most 8): the (account, region)
# pairs given a default VPC before the memory test loads, SKIP_MOTO (0), SKIP_MEMORY (0), NO_BUILD (0), BIN_DIR (the release directory
# of $CARGO_TARGET_DIR, or target/release: where vpcpeer and vpcpeer-bench are taken from).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

CLIENTS=${CLIENTS:-8}
VP_ITER=${VP_ITER:-200}
MOTO_ITER=${MOTO_ITER:-12}
WORKLOADS=${WORKLOADS:-full peering-only gcp azure}
VPCS=${VPCS:-10000}
PEERINGS=${PEERINGS:-5000}
TOUCH_ACCOUNTS=${TOUCH_ACCOUNTS:-100}
TOUCH_REGIONS=${TOUCH_REGIONS:-5}
SKIP_MOTO=${SKIP_MOTO:-0}
SKIP_MEMORY=${SKIP_MEMORY:-0}
NO_BUILD=${NO_BUILD:-0}
BIN_DIR=${BIN_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/release}

BENCH=run
VPCPEER_BIN="$BIN_DIR/vpcpeer"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
pin_cpus "load generator"

# Runs the workload $2 against the running server, labelled $1, with $3 iterations per client.
run_workload() {
    local label=$1 workload=$2 iterations=$3
    "${GEN_PIN[@]}" "$BIN_DIR/vpcpeer-bench" workload \
        --endpoint "http://127.0.0.1:$PORT" --clients "$CLIENTS" --iterations "$iterations" \
        --workload "$workload" --label "$label" --server-pid "$SERVER_PID" \
        --json-out "$TMP/$label.$workload.json"
    say
}

say "vpcpeer benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(git branch --show-current 2>/dev/null || echo '?')"
say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $PINNING"
say "durable stores live in $TMP ($(stat -f -c %T "$TMP" 2>/dev/null || echo '?') file system; fsync cost depends on it)"
say "workloads: $WORKLOADS; $CLIENTS clients; $VP_ITER iterations per client against vpcpeer, $MOTO_ITER against moto"
say

if [[ "$NO_BUILD" != 1 ]]; then
    say "== building (release)"
    cargo build --release -p vpcpeer -p vpcpeer-bench 2>&1 | tail -n 1
    say
fi

if [[ "$SKIP_MOTO" != 1 ]]; then
    ensure_moto
    say "moto $(bench/.venv/bin/python -c 'import moto; print(moto.__version__)')"
    say
fi

LABELS=()
for workload in $WORKLOADS; do
    for mode in default full ephemeral; do
        say "== vpcpeer ($mode), workload $workload"
        start_vpcpeer "$mode"
        run_workload "vpcpeer-$mode" "$workload" "$VP_ITER"
        stop_server
    done
    # moto has no GCP or Azure face.
    if [[ "$SKIP_MOTO" != 1 && "$workload" != gcp && "$workload" != azure ]]; then
        say "== moto, workload $workload"
        start_moto
        run_workload "moto" "$workload" "$MOTO_ITER"
        stop_server
    fi
done

say "== side by side"
python3 - "$TMP" "$WORKLOADS" <<'EOF'
import glob, json, os, sys
tmp, workloads = sys.argv[1], sys.argv[2].split()
runs = {}
for p in glob.glob(os.path.join(tmp, "*.json")):
    with open(p) as f:
        r = json.load(f)
    if r.get("command") == "workload":
        runs[(r["label"], r["workload"])] = r
order = ["vpcpeer-default", "vpcpeer-full", "vpcpeer-ephemeral", "moto"]
head = f"{'server':<18} {'workload':<13} {'requests':>8} {'errors':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'gen CPU':>8} {'srv CPU':>8} {'vs moto: req/s':>15} {'p50':>7} {'p99':>7}"
print(head)
print("-" * len(head))
for w in workloads:
    moto = runs.get(("moto", w))
    for label in order:
        r = runs.get((label, w))
        if r is None:
            continue
        def share(key):
            v = r.get(key)
            return v / r["seconds"] * 100 if v is not None and r["seconds"] else float("nan")
        gen, srv = share("client_cpu_s"), share("server_cpu_s")
        ratio = ""
        if moto and label != "moto" and moto["requests_per_s"] and moto["p50_ms"] and moto["p99_ms"]:
            ratio = f"{r['requests_per_s'] / moto['requests_per_s']:>14.1f}x {r['p50_ms'] / moto['p50_ms']:>7.3f} {r['p99_ms'] / moto['p99_ms']:>7.3f}"
        errors = r["errors"] + r["mismatches"]
        print(f"{label:<18} {w:<13} {r['requests']:>8} {errors:>6} {r['requests_per_s']:>9.1f} {r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['max_ms']:>8.3f} {gen:>7.0f}% {srv:>7.0f}% {ratio}")
print()
print("req/s ratio = vpcpeer / moto (target >= 50); p50, p99 ratio = vpcpeer / moto latency (lower is better).")
print("gen CPU / srv CPU = CPU time of the load generator / server over the run, as % of one core.")
print("errors = non-200 answers + 200 answers missing the ids they should list; a server that lacks an action shows errors here.")
for w in workloads:
    for label in order[:3]:
        r = runs.get((label, w))
        if r is None:
            continue
        moto = runs.get(("moto", w))
        notes = [f"p99 {r['p99_ms']:.3f} ms {'<=' if r['p99_ms'] <= 2 else '>'} 2 ms"]
        if moto:
            x = r["requests_per_s"] / moto["requests_per_s"]
            notes.insert(0, f"{x:.1f}x moto {'>=' if x >= 50 else '<'} 50x")
        if r["errors"] + r["mismatches"]:
            notes.append(f"{r['errors'] + r['mismatches']} errors: not a valid comparison")
        print(f"target, {label}, {w}: " + "; ".join(notes))
EOF
say

if [[ "$SKIP_MEMORY" != 1 ]]; then
    say "== memory: $TOUCH_ACCOUNTS accounts x $TOUCH_REGIONS regions with their default VPCs, then $VPCS VPCs and $PEERINGS active peerings, loaded into a fresh vpcpeer"
    for mode in ephemeral default; do
        start_vpcpeer "$mode"
        idle=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")
        t0=$(date +%s.%N)
        touch_regions "$PORT" "$TOUCH_ACCOUNTS" "$TOUCH_REGIONS"
        touched=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")
        say "default VPCs of $((TOUCH_ACCOUNTS * TOUCH_REGIONS)) (account, region) pairs laid out in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)") s (one curl each); VmRSS $((touched / 1024)) MB"
        "${GEN_PIN[@]}" "$BIN_DIR/vpcpeer-bench" load \
            --endpoint "http://127.0.0.1:$PORT" --clients "$CLIENTS" \
            --vpcs "$VPCS" --peerings "$PEERINGS" --label "vpcpeer-$mode" --server-pid "$SERVER_PID"
        sleep 0.5
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")
        hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
        say "vpcpeer ($mode): VmRSS $((rss / 1024)) MB after loading (peak VmHWM $((hwm / 1024)) MB, idle before loading $((idle / 1024)) MB); target <= 150 MB"
        if [[ "$mode" == default ]]; then
            say "store on disk: $(du -sh "$TMP/data" | cut -f1)"
        fi
        say
        stop_server
    done
fi

say "results written to bench/results/run-latest.txt"

#!/usr/bin/env bash
# Three EC2 requests under wrk, vpcpeer (the default SQLite store, --durability full, --ephemeral)
# against moto's server, on the same seeded state: 60 VPC pairs, 30 active peerings with routes,
# 30 pending (bench/describe/seed.py). The requests:
#   peerings   DescribeVpcPeeringConnections, Filter status-code=active (30 connections answered)
#   routes     DescribeRouteTables, Filter route.vpc-peering-connection-id=<one active pcx> (2 tables)
#   tags       CreateTags on one VPC, overwriting the same key with a new value every request
# See bench/README.md. Prints figures; checks nothing but that each answer holds what it should.
#
# Knobs (environment): DURATION (15 s per request and server), CONNECTIONS (8), THREADS (2),
# SERVERS ("default full ephemeral moto"), REQUESTS ("peerings routes tags"), NO_BUILD (0),
# VPCPEER_BIN (target/release/vpcpeer).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

: "${DURATION:=15}" "${CONNECTIONS:=8}" "${THREADS:=2}" "${NO_BUILD:=0}"
: "${SERVERS:=default full ephemeral moto}" "${REQUESTS:=peerings routes tags}"
: "${VPCPEER_BIN:=${CARGO_TARGET_DIR:-$ROOT/target}/release/vpcpeer}"

BENCH=describe
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
pin_cpus wrk

# The form body of request $1; ids from the seed's answer in $TMP/seed.json.
body_of() {
    local pcx vpc
    pcx=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["route_pcx"])' "$TMP/seed.json")
    vpc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tag_vpc"])' "$TMP/seed.json")
    case "$1" in
        peerings) echo "Action=DescribeVpcPeeringConnections&Version=2016-11-15&Filter.1.Name=status-code&Filter.1.Value.1=active" ;;
        routes) echo "Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=route.vpc-peering-connection-id&Filter.1.Value.1=$pcx" ;;
        tags) echo "Action=CreateTags&Version=2016-11-15&ResourceId.1=$vpc&Tag.1.Key=bench&Tag.1.Value=v" ;;
    esac
}

# Sends request $1 once and checks the answer: 200 and what it must list.
check_answer() {
    local what=$1 mode=$2 body out
    body=$(body_of "$what")
    out=$(curl -sS -w '\n%{http_code}' -X POST "http://127.0.0.1:$PORT/" \
        -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
        -H 'X-Amz-Date: 20260101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00' \
        --data "$body")
    printf '%s' "$out" >"$TMP/answer.txt"
    python3 - "$what" "$TMP/seed.json" "$TMP/answer.txt" "$mode" <<'PY'
import json, re, sys
what, seed, mode = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[4]
text = open(sys.argv[3]).read().rstrip("\n")
xml, status = text.rsplit("\n", 1)
if status != "200":
    sys.exit(f"{what}: HTTP {status}: {xml[:400]}")
if what == "peerings":
    # Each connection's id appears once per <item> of the set (its vpcPeeringConnectionId).
    n = len(set(re.findall(r"<vpcPeeringConnectionId>(pcx-[0-9a-f]+)<", xml)))
    active = xml.count("<code>active</code>")
    if mode == "moto" and active == seed["active"] and n > active:
        # moto 5.2 ignores DescribeVpcPeeringConnections' filters: it answers all of them.
        print(f"  note: moto ignored the status-code filter and answered all {n} connections")
    elif n != seed["active"] or active != n:
        sys.exit(f"peerings: {n} connections answered ({active} active), {seed['active']} expected")
elif what == "routes":
    n = len(set(re.findall(r"<routeTableId>(rtb-[0-9a-f]+)<", xml)))
    if n != 2:
        sys.exit(f"routes: {n} route tables answered, 2 expected")
elif "<CreateTagsResponse" not in xml:
    sys.exit(f"tags: {xml[:400]}")
PY
}

# User + system CPU time of the server process so far, in clock ticks (/proc/PID/stat).
server_cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

run_wrk() {
    local label=$1 what=$2 body vary=""
    body=$(body_of "$what")
    [[ "$what" == tags ]] && vary=1
    # A short warm-up, not counted.
    WRK_BODY="$body" WRK_VARY="$vary" "${GEN_PIN[@]}" wrk -t "$THREADS" -c "$CONNECTIONS" -d 2s \
        -s "$ROOT/bench/describe/request.lua" "http://127.0.0.1:$PORT/" >/dev/null
    local cpu0 cpu1
    cpu0=$(server_cpu_ticks)
    WRK_BODY="$body" WRK_VARY="$vary" "${GEN_PIN[@]}" wrk -t "$THREADS" -c "$CONNECTIONS" \
        -d "${DURATION}s" --latency -s "$ROOT/bench/describe/request.lua" \
        "http://127.0.0.1:$PORT/" >"$TMP/wrk.$label.$what.txt"
    cpu1=$(server_cpu_ticks)
    echo "Server CPU ticks: $((cpu1 - cpu0)) at $(getconf CLK_TCK)/s" >>"$TMP/wrk.$label.$what.txt"
    say "  $what: $(grep 'Requests/sec' "$TMP/wrk.$label.$what.txt")"
}

say "vpcpeer describe benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(git branch --show-current 2>/dev/null || echo '?')"
say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $PINNING"
say "wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION} s per request (after a 2 s warm-up); durable stores in $TMP ($(stat -f -c %T "$TMP" 2>/dev/null || echo '?'))"
say

if ! command -v wrk >/dev/null; then
    say "== installing wrk (apt-get)"
    if [[ $(id -u) == 0 ]]; then
        apt-get install -y -qq wrk >/dev/null
    else
        sudo apt-get install -y -qq wrk >/dev/null
    fi
fi
ensure_moto
say "moto $(bench/.venv/bin/python -c 'import moto; print(moto.__version__)'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
if [[ "$NO_BUILD" != 1 ]]; then
    say "== building (release)"
    cargo build --release -p vpcpeer 2>&1 | tail -n 1
fi
say

for mode in $SERVERS; do
    label=$mode
    [[ "$mode" != moto ]] && label="vpcpeer-$mode"
    say "== $label"
    if [[ "$mode" == moto ]]; then start_moto; else start_vpcpeer "$mode"; fi
    "${GEN_PIN[@]}" bench/.venv/bin/python bench/describe/seed.py "http://127.0.0.1:$PORT" >"$TMP/seed.json"
    for what in $REQUESTS; do
        check_answer "$what" "$mode"
        run_wrk "$label" "$what"
    done
    stop_server
done
say

say "== side by side"
python3 - "$TMP" "$SERVERS" "$REQUESTS" <<'EOF2'
import os, re, sys
tmp, servers, requests = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()

def ms(v):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", v)
    n, unit = float(m.group(1)), m.group(2)
    return n * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

def parse(path):
    text = open(path).read()
    r = {"rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))}
    r["max"] = ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text).group(1))
    for pct in ("50", "99"):
        r["p" + pct] = ms(re.search(rf"\s{pct}%\s+(\S+)", text).group(1))
    r["requests"] = int(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["non2xx"] = int(bad.group(1)) if bad else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["timeouts"] = int(sock.group(4)) if sock else 0
    cpu = re.search(r"Server CPU ticks: (\d+) at (\d+)/s", text)
    r["cpu_us"] = int(cpu.group(1)) / int(cpu.group(2)) * 1e6 / r["requests"] if cpu and r["requests"] else float("nan")
    return r

label = lambda s: s if s == "moto" else f"vpcpeer-{s}"
head = f"{'request':<9} {'server':<18} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'x moto':>8} {'CPU us':>8}  notes"
print(head)
print("-" * len(head))
for what in requests:
    runs = {}
    for s in servers:
        p = os.path.join(tmp, f"wrk.{label(s)}.{what}.txt")
        if os.path.exists(p):
            runs[s] = parse(p)
    moto = runs.get("moto")
    for s, r in runs.items():
        x = f"{r['rps'] / moto['rps']:.0f}x" if moto and s != "moto" else ""
        notes = []
        if r["non2xx"]:
            notes.append(f"{r['non2xx']} non-2xx answers: not a valid comparison")
        if r["timeouts"]:
            notes.append(f"{r['timeouts']} timeouts")
        if s != "moto":
            goal = []
            if moto:
                goal.append(">=100x" if r["rps"] >= 100 * moto["rps"] else "<100x")
            goal.append("p99<=2ms" if r["p99"] <= 2 else "p99>2ms")
            notes.append(" ".join(goal))
        print(f"{what:<9} {label(s):<18} {r['requests']:>9} {r['rps']:>9.0f} {r['p50']:>8.3f} {r['p99']:>8.3f} {r['max']:>8.3f} {x:>8} {r['cpu_us']:>8.1f}  {'; '.join(notes)}")
print()
print("x moto = requests/s against moto's on the same request; goal: >= 100x and p99 <= 2 ms.")
print("CPU us = the server's CPU time (user + system, all threads) per answered request: less noisy than")
print("req/s on a shared machine, since other processes' load shows in latency but not in it.")
EOF2
say "results written to $LATEST"

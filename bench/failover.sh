#!/usr/bin/env bash
# HA failover end to end: a chain of N+1 AWS VPCs (default N=1000) joined by N encrypted links,
# every gateway with an HA backup, applied with `vpcpeer apply` against a local
# `vpcpeer serve --ephemeral`; one `vpcpeer controller reconcile --once` with nothing down (the
# steady pass); then every primary gateway stopped through EC2 (StopInstances, boto3), the
# emulator's clock advanced 61 s (past the default detection time, 60 s), and one
# `vpcpeer controller reconcile --once` that moves every link's routes to the backups. Prints
# the wall time of each and the links failed over per second; checks nothing beyond each
# command's exit status.
#
# The chain is the one of crates/vpcpeer-controller/benches/reconcile.rs (the pure part of the
# same pass): VPC i is 10.(i/16).((i%16)*16).0/20 in us-east-1 (even i) or us-west-2 (odd i),
# with gateway n<i>-gw in the top /28 and its backup n<i>-gw-hagw in the /28 below; link i joins
# VPC i and VPC i+1. The server runs with `--limit elastic_ips_per_region=off` (each gateway VM
# holds an Elastic IP: 2N+2 of them).
#
# Knobs (environment): N (1000 links), BIN_DIR (the release directory of $CARGO_TARGET_DIR, or
# target/release: where vpcpeer is taken from; it is not built here), PYTHON (a python3 with
# boto3; default: python3 when it imports boto3, else bench/.venv, where boto3 is installed the
# first time).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

: "${N:=1000}"
BIN_DIR=${BIN_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/release}

BENCH=failover
VPCPEER_BIN="$BIN_DIR/vpcpeer"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
SERVER_PIN=()

if [[ ! -x "$VPCPEER_BIN" ]]; then
    say "no $VPCPEER_BIN: build it (cargo build --release -p vpcpeer) or set BIN_DIR"
    exit 1
fi

# A python with boto3 for StopInstances (the vpcpeer CLI has no EC2 commands of its own).
if [[ -z "${PYTHON:-}" ]]; then
    if python3 -c 'import boto3' 2>/dev/null; then
        PYTHON=python3
    else
        if ! bench/.venv/bin/python -c 'import boto3' 2>/dev/null; then
            say "== installing boto3 into bench/.venv"
            python3 -m venv bench/.venv
            bench/.venv/bin/pip install --quiet --disable-pip-version-check boto3
        fi
        PYTHON=bench/.venv/bin/python
    fi
fi

python3 - "$N" >"$TMP/chain.yaml" <<'PY'
import ipaddress
import sys

n = int(sys.argv[1])


def block(i):
    return ipaddress.ip_network(f"10.{i // 16}.{(i % 16) * 16}.0/20")


def top28(i, k):
    b = block(i)
    return ipaddress.ip_network(f"{b.broadcast_address + 1 - 16 * (k + 1)}/28")


print("name: chain")
print("accounts:")
print("  prod: { cloud: aws, account_id: '111111111111' }")
print("networks:")
for i in range(n + 1):
    region = ["us-east-1", "us-west-2"][i % 2]
    print(f"  n{i}: {{ account: prod, region: {region}, cidrs: [{block(i)}] }}")
print("gateways:")
for i in range(n + 1):
    print(f"  n{i}-gw: {{ network: n{i}, subnet: {top28(i, 0)}, ha: {{ subnet: {top28(i, 1)} }} }}")
print("links:")
for i in range(n):
    print(f"  - {{ between: [n{i}, n{i + 1}], type: encrypted }}")
PY

start_vpcpeer ephemeral --limit elastic_ips_per_region=off
URL="http://127.0.0.1:$PORT"
# A fixed gateway secret: the gateways here are the emulator's.
VPCPEER_GATEWAY_SECRET=$(printf 'bench secret, never a real one!!' | base64)
export VPCPEER_GATEWAY_SECRET
say "failover: a chain of $((N + 1)) AWS VPCs (us-east-1, us-west-2), $N encrypted links with HA ($((2 * N + 2)) gateway VMs), --ephemeral, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "binary: $VPCPEER_BIN"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# Runs the CLI ($@) and prints its wall time; $1 is the label, $2 the expected exit status. Sets
# ELAPSED; the output is in $TMP/out.txt.
timed() {
    local label=$1 want=$2 start end status
    shift 2
    start=$(now)
    set +e
    "$VPCPEER_BIN" "$@" --endpoint "$URL" >"$TMP/out.txt" 2>"$TMP/err.txt"
    status=$?
    set -e
    end=$(now)
    if [[ $status != "$want" ]]; then
        say "$label: exit $status, wanted $want"; tail -5 "$TMP/err.txt"; tail -5 "$TMP/out.txt"; exit 1
    fi
    ELAPSED=$(secs "$start" "$end")
    say "$(printf '%-34s %8s s' "$label" "$ELAPSED")"
}

# What a `reconcile --once --output json` did: steps, links on the backups, failover events.
summary() {
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
backup = sum(1 for l in r["links"] if l["active"] == "backup")
moved = sum(1 for e in r["events"] if e["kind"] == "failover")
steps, links = r["steps"], len(r["links"])
print(f"{steps} steps, {links} links, {backup} on the backups, {moved} failover events")
print(moved, file=open(sys.argv[2], "w"))
' "$TMP/out.txt" "$TMP/moved.txt"
}

RECONCILE=(controller reconcile --once "$TMP/chain.yaml" --state "$TMP/state.json" --output json)

timed "apply" 0 apply -f "$TMP/chain.yaml"
timed "reconcile --once (steady)" 0 "${RECONCILE[@]}"
say "  $(summary)"

start=$(now)
stopped=$("$PYTHON" - "$URL" <<'PY'
import sys

import boto3

url = sys.argv[1]
total = 0
for region in ("us-east-1", "us-west-2"):
    ec2 = boto3.client("ec2", endpoint_url=url, region_name=region,
                       aws_access_key_id="111111111111", aws_secret_access_key="x")
    ids = []
    pages = ec2.get_paginator("describe_instances").paginate(Filters=[
        {"Name": "tag-key", "Values": ["vpcpeer:gateway"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ])
    for page in pages:
        for r in page["Reservations"]:
            for i in r["Instances"]:
                tags = {t["Key"]: t["Value"] for t in i.get("Tags", [])}
                if not tags["vpcpeer:gateway"].endswith("-hagw"):
                    ids.append(i["InstanceId"])
    for k in range(0, len(ids), 100):
        ec2.stop_instances(InstanceIds=ids[k:k + 100])
    total += len(ids)
print(total)
PY
)
say "$(printf '%-34s %8s s' "stop $stopped primaries (EC2)" "$(secs "$start" "$(now)")")"
curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"advance_seconds": 61}' "$URL/_vpcpeer/clock"
say "clock advanced 61 s"

timed "reconcile --once (failover)" 0 "${RECONCILE[@]}"
say "  $(summary)"
moved=$(cat "$TMP/moved.txt")
say "links failed over per second: $(python3 -c "print(f'{$moved / $ELAPSED:.1f}')") ($moved links in $ELAPSED s, observe + assess + plan + apply)"
timed "reconcile --once (after)" 0 "${RECONCILE[@]}"
say "  $(summary)"

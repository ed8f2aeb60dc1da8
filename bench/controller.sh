#!/usr/bin/env bash
# The controller end to end: `vpcpeer plan` and `vpcpeer apply` of a full mesh of N AWS networks
# (default 50: 1,225 native peerings, each with a route to the peer in the main table on both
# sides) against a local vpcpeer server on the default store, then `plan` again (in sync) and
# `destroy`. Prints the wall time of each command; checks that the last plan is empty.
#
# Knobs (environment): NETWORKS (50), ACCOUNTS (2: the networks alternate between two accounts
# and two regions, so half the links are cross-account and half cross-region), NO_BUILD (0),
# VPCPEER_BIN (target/release/vpcpeer).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

: "${NETWORKS:=50}" "${NO_BUILD:=0}"
: "${VPCPEER_BIN:=${CARGO_TARGET_DIR:-$ROOT/target}/release/vpcpeer}"

BENCH=controller
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
SERVER_PIN=()

if [[ "$NO_BUILD" != 1 ]]; then
    say "building the release binary (cargo build --release -p vpcpeer)..."
    cargo build --release -p vpcpeer >/dev/null
fi

python3 - "$NETWORKS" >"$TMP/mesh.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("name: mesh")
print("accounts:")
print("  one: { cloud: aws, account_id: '111111111111' }")
print("  two: { cloud: aws, account_id: '222222222222' }")
print("networks:")
for i in range(n):
    account = ["one", "two"][i % 2]
    region = ["us-east-1", "eu-west-1"][(i // 2) % 2]
    print(f"  n{i}: {{ account: {account}, region: {region}, cidrs: [10.{i}.0.0/16] }}")
print("links:")
for i in range(n):
    for j in range(i + 1, n):
        print(f"  - {{ between: [n{i}, n{j}] }}")
PY

start_vpcpeer default
URL="http://127.0.0.1:$PORT"
links=$((NETWORKS * (NETWORKS - 1) / 2))
say "controller: full mesh of $NETWORKS AWS networks ($links peerings, $((2 * links)) routes), default store, $(nproc) cores"

# Runs the CLI ($@) and prints its wall time; $1 is the label, $2 the expected exit status.
timed() {
    local label=$1 want=$2 start end status
    shift 2
    start=$(date +%s.%N)
    set +e
    "$VPCPEER_BIN" "$@" --endpoint "$URL" >"$TMP/out.txt" 2>"$TMP/err.txt"
    status=$?
    set -e
    end=$(date +%s.%N)
    if [[ $status != "$want" ]]; then
        say "$label: exit $status, wanted $want"; tail -5 "$TMP/err.txt"; exit 1
    fi
    say "$(printf '%-22s %7.2f s   %s' "$label" "$(python3 -c "print($end - $start)")" "$(tail -1 "$TMP/out.txt")")"
}

timed "plan (empty clouds)" 2 plan -f "$TMP/mesh.yaml"
timed "apply" 0 apply -f "$TMP/mesh.yaml"
timed "plan (in sync)" 0 plan -f "$TMP/mesh.yaml"
timed "apply (no-op)" 0 apply -f "$TMP/mesh.yaml"
timed "destroy" 0 destroy -f "$TMP/mesh.yaml"

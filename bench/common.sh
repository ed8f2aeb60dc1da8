#!/usr/bin/env bash
# Shared by the bench scripts (sourced, not run): the server's life cycle, the output log and CPU
# pinning. The caller sets ROOT, BENCH (its name) and VPCPEER_BIN before sourcing it; this makes
# TMP (a fresh directory, removed on exit) and writes everything printed to
# bench/results/$BENCH-latest.txt as well.

RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"
LATEST="$RESULTS/$BENCH-latest.txt"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vpcpeer-$BENCH.XXXXXX")

SERVER_PID=""

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Everything printed from here on also goes to $LATEST.
exec > >(tee "$LATEST") 2>&1

say() { printf '%s\n' "$*"; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on 127.0.0.1:$1 (and the server is still alive).
wait_port() {
    local port=$1 name=$2 i
    for ((i = 0; i < 600; i++)); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            say "$name exited before it answered; its log:"
            cat "$TMP/server.log"
            exit 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    say "$name did not answer on port $port within 60 s"
    exit 1
}

# Pinning: the server on one core, the load generator ($1, e.g. "wrk") on another, when there
# are two. Sets SERVER_PIN, GEN_PIN and PINNING.
pin_cpus() {
    SERVER_PIN=()
    GEN_PIN=()
    if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
        SERVER_PIN=(taskset -c 1)
        GEN_PIN=(taskset -c 0)
        PINNING="server on CPU 1, $1 on CPU 0 (taskset)"
    else
        PINNING="not pinned (no taskset or a single core)"
    fi
}

# Starts vpcpeer ($VPCPEER_BIN) in mode $1 (default | full | ephemeral) on a free port, with any
# further arguments passed to `serve` (e.g. --limit NAME=N); sets PORT.
start_vpcpeer() {
    local mode=$1 args=()
    shift
    PORT=$(free_port)
    rm -rf "$TMP/data"
    case "$mode" in
        default) args=(--data-dir "$TMP/data") ;;
        full) args=(--data-dir "$TMP/data" --durability full) ;;
        ephemeral) args=(--ephemeral) ;;
    esac
    "${SERVER_PIN[@]}" "$VPCPEER_BIN" serve --listen "127.0.0.1:$PORT" --tls-listen off \
        "${args[@]}" "$@" >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT" "vpcpeer ($mode)"
}

# Starts moto's server (bench/.venv) on a free port; sets PORT.
start_moto() {
    PORT=$(free_port)
    "${SERVER_PIN[@]}" "$ROOT/bench/.venv/bin/moto_server" -H 127.0.0.1 -p "$PORT" \
        >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT" moto
}

# Installs moto[server] into bench/.venv unless it is there.
ensure_moto() {
    if [[ ! -x bench/.venv/bin/moto_server ]]; then
        say "== installing moto[server] into bench/.venv"
        python3 -m venv bench/.venv
        bench/.venv/bin/pip install --quiet --disable-pip-version-check "moto[server]"
    fi
}

# The regions whose default VPCs touch_regions creates, in order (their zones: 6, 4, 3, 3, 3, 3, 3,
# 3 default subnets each).
TOUCH_REGION_LIST=(us-east-1 us-west-2 eu-west-1 ap-northeast-1 sa-east-1 eu-central-1 ap-south-1 us-east-2)

# Sends one EC2 request (DescribeVpcs) as each of $2 accounts (900000000000, 900000000001, …) in
# each of the first $3 regions of TOUCH_REGION_LIST, to the server on 127.0.0.1:$1: the first
# request of an account in a region creates that region's default VPC, so this lays out $2 × $3
# of them (a default subnet per zone, a gateway, the main table, group and ACL each).
touch_regions() {
    local port=$1 accounts=$2 nregions=$3 i account region
    for ((i = 0; i < accounts; i++)); do
        account=$(printf '%012d' $((900000000000 + i)))
        for region in "${TOUCH_REGION_LIST[@]:0:nregions}"; do
            curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/" \
                -H "authorization: AWS4-HMAC-SHA256 Credential=$account/20260101/$region/ec2/aws4_request, SignedHeaders=host, Signature=x" \
                -H 'content-type: application/x-www-form-urlencoded' \
                --data 'Action=DescribeVpcs&Version=2016-11-15' || {
                say "DescribeVpcs as $account in $region failed"
                return 1
            }
        done
    done
}

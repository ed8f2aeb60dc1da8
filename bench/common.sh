#!/usr/bin/env bash
# Shared by bench/run.sh and bench/describe.sh (sourced, not run): the server's life cycle, the
# output log and CPU pinning. The caller sets ROOT, TMP (a fresh directory), LATEST (where what it
# prints is also written) and VPCPEER_BIN before sourcing it.

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

# Starts vpcpeer ($VPCPEER_BIN) in mode $1 (default | full | ephemeral) on a free port; sets PORT.
start_vpcpeer() {
    local mode=$1 args=()
    PORT=$(free_port)
    rm -rf "$TMP/data"
    case "$mode" in
        default) args=(--data-dir "$TMP/data") ;;
        full) args=(--data-dir "$TMP/data" --durability full) ;;
        ephemeral) args=(--ephemeral) ;;
    esac
    "${SERVER_PIN[@]}" "$VPCPEER_BIN" serve --listen "127.0.0.1:$PORT" --tls-listen off \
        "${args[@]}" >"$TMP/server.log" 2>&1 &
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

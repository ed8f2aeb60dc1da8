#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of the PostgreSQL store.
#
# Sourced by scripts/test-all.sh (`source scripts/test-postgres.sh; pg_test_start`), or run as
# `scripts/test-postgres.sh CMD ARGS...` to run one command with the cluster up, e.g.
#   scripts/test-postgres.sh cargo test -p vpcpeer-store-postgres
#
# pg_test_start installs PostgreSQL from Debian when no initdb is found (as root only), creates a
# cluster in a new temporary directory (as the `postgres` user when run as root: initdb refuses
# root), listening on 127.0.0.1 on a free port and on a unix socket in that directory, starts it,
# exports VPCPEER_TEST_PG_URL, and installs an EXIT trap that stops the cluster and deletes the
# directory, whether the tests pass or fail. The cluster runs with fsync=off: it is thrown away,
# and a crash of the vpcpeer server (what the tests simulate) does not need fsync to keep
# committed data; the store itself still commits with synchronous_commit=on.

pg_test_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_test_stop() {
  if [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR" ]; then
    if [ -f "$PG_TEST_DIR/data/postmaster.pid" ]; then
      pg_test_as_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TEST_DIR"
  fi
  PG_TEST_DIR=
}

pg_test_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_test_start() {
  PG_TEST_BIN="$(pg_test_bindir)"
  if [ -z "$PG_TEST_BIN" ] || [ ! -x "$PG_TEST_BIN/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL is not installed and this is not root: install the postgresql package" >&2
      return 1
    fi
    echo "== installing PostgreSQL (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_TEST_BIN="$(pg_test_bindir)"
  fi
  PG_TEST_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vpcpeer-pg.XXXXXX")"
  trap pg_test_stop EXIT
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_TEST_DIR"
  fi
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  pg_test_as_owner "$PG_TEST_BIN/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust -E UTF8 \
    --locale=C --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1 || {
    cat "$PG_TEST_DIR/initdb.log" >&2
    return 1
  }
  pg_test_as_owner "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_DIR -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || {
    cat "$PG_TEST_DIR/server.log" >&2
    return 1
  }
  export VPCPEER_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== PostgreSQL test cluster at $VPCPEER_TEST_PG_URL ($PG_TEST_DIR)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  pg_test_start
  "$@"
fi

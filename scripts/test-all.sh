#!/usr/bin/env bash
# Runs every test of vpcpeer: format and lint gates, the Rust test suites, and the end-to-end
# tests that drive a real `vpcpeer serve` with boto3 and the aws CLI (installed from PyPI into
# .venv by this script). Works on a fresh machine with the Rust toolchain and Python 3.11; as root
# it installs PostgreSQL from Debian when it is missing (scripts/test-postgres.sh), and Debian's
# chromium and chromium-driver for the web console's browser tests (through sudo when not root).
set -euo pipefail
cd "$(dirname "$0")/.."

# A throwaway PostgreSQL cluster for the PostgreSQL store's tests (Rust and end-to-end): started
# here, VPCPEER_TEST_PG_URL exported, stopped and deleted on exit, also when a test fails.
# shellcheck source=scripts/test-postgres.sh
source scripts/test-postgres.sh
pg_test_start

# Every package of the lock file, for every platform: the tidy test reads the whole dependency
# graph with `cargo metadata --offline`, which also needs the crates that only other platforms or
# cfg backends build (e.g. curve25519-dalek's fiat-crypto), and the build alone does not fetch.
echo "== cargo fetch"
cargo fetch
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test (also builds target/debug/vpcpeer for the end-to-end tests)"
# The fuzz targets (crates/vpcpeer-server/tests/fuzz.rs: raw EC2, GCP, Azure and admin requests
# through the router) run for a time budget per face; the report says how many inputs ran.
export VPCPEER_FUZZ_SECS="${VPCPEER_FUZZ_SECS:-30}"
rm -f target/tmp/fuzz-report.txt
cargo test --workspace
echo "== fuzz report"
cat target/tmp/fuzz-report.txt
# No separate `cargo build -p vpcpeer`: `cargo test` already built the binary, because
# crates/vpcpeer has an integration test (tests/tidy.rs), and it built it with the features
# the whole test build uses (vpcpeer-model's `testkit`, enabled by other crates'
# dev-dependencies). `cargo build -p vpcpeer` resolves features without dev-dependencies, so it
# would compile the model and every crate above it a third time (after clippy's check build
# and the test build) for the same code. The end-to-end tests run the binary `cargo test` left.
if [ ! -x target/debug/vpcpeer ]; then
  echo "target/debug/vpcpeer is missing after cargo test (did crates/vpcpeer lose its" \
       "integration test?)" >&2
  exit 1
fi

echo "== python venv with boto3, awscli, pytest (from PyPI)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
export PATH="$PWD/.venv/bin:$PATH"

echo "== headless Chromium for the console's browser tests (Debian's chromium, chromium-driver)"
# tests/e2e/test_console.py drives the web console in headless Chromium through Selenium. The
# packages come from apt: directly as root, through sudo otherwise. Without apt (or without
# root and sudo) nothing is installed and those tests are skipped, saying why.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if ! command -v apt-get >/dev/null; then
    echo "apt-get is unavailable: chromium and chromium-driver are not installed;" \
         "the console's browser tests will be skipped" >&2
  else
    if [ "$(id -u)" = 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else as_root=(false); fi
    if "${as_root[@]}" apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null; then
      echo "installed chromium and chromium-driver"
    else
      echo "could not install chromium and chromium-driver (not root and no sudo?):" \
           "the console's browser tests will be skipped" >&2
    fi
  fi
fi

echo "== end-to-end tests"
VPCPEER_BIN="$PWD/target/debug/vpcpeer" .venv/bin/python -m pytest -q tests/e2e "$@"

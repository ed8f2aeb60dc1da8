#!/usr/bin/env bash
# Runs every test of vpcpeer: format and lint gates, the Rust test suites, and the end-to-end
# tests that drive a real `vpcpeer serve` with boto3 and the aws CLI (installed from PyPI into
# .venv by this script). Works on a fresh machine with the Rust toolchain and Python 3.11; as root
# it installs PostgreSQL from Debian when it is missing (scripts/test-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# A throwaway PostgreSQL cluster for the PostgreSQL store's tests (Rust and end-to-end): started
# here, VPCPEER_TEST_PG_URL exported, stopped and deleted on exit, also when a test fails.
# shellcheck source=scripts/test-postgres.sh
source scripts/test-postgres.sh
pg_test_start

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

echo "== end-to-end tests"
VPCPEER_BIN="$PWD/target/debug/vpcpeer" .venv/bin/python -m pytest -q tests/e2e "$@"

#!/usr/bin/env bash
# The whole test suite: formatting, lints, crate boundaries, unit and integration tests
# (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set), then the browser
# suite in Chromium against a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*" >&2; }
started=$(date +%s)

step "formatting"
cargo fmt --all -- --check

step "clippy (server and shared crates, all targets)"
cargo clippy --workspace --all-targets -- -D warnings
step "clippy (browser bundle, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "crate boundaries"
if cargo tree -p app --no-default-features --features hydrate -e normal -i sqlx >/dev/null 2>&1; then
  echo "the browser build of app depends on sqlx: the database layer leaked into the bundle" >&2
  exit 1
fi
cargo check -q -p domain --target wasm32-unknown-unknown

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
  step "tests on SQLite and PostgreSQL ($TEST_DATABASE_URL)"
else
  step "tests on SQLite (set TEST_DATABASE_URL=postgres://... to add PostgreSQL)"
fi
# The frontend crate is left out: it turns on app's `hydrate` feature, and with it
# unified into the server build, effects try to run on the server.
cargo test --workspace --exclude frontend --all-targets

step "release build"
cargo leptos build --release --precompress

step "browser tests (Chromium)"
e2e_dir=$(mktemp -d)
trap 'rm -rf "$e2e_dir"' EXIT
export BAZAAR_E2E_DATA_DIR="$e2e_dir" BAZAAR_E2E_DATABASE_URL="sqlite://$e2e_dir/bazaar.db"
(cd end2end && npx playwright test)

step "all tests passed in $(( ($(date +%s) - started) / 60 )) min"

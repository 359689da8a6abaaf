#!/usr/bin/env bash
# Builds Bazaar (release) and runs it on http://127.0.0.1:3000 with an embedded SQLite
# database in ./data. On first start it creates a demo marketplace and prints the logins.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
cargo leptos build --release --precompress
export LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD
exec target/release/bazaar serve

#!/usr/bin/env bash
# Installs what the web build and the browser tests need, each at a pinned version and only
# when it is missing, so running it again costs a few seconds. Heavy work runs at the lowest
# priority, because the machine has two cores and someone may be compiling beside it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

trunk_version="0.21.14"
# wasm-bindgen-cli must be exactly the wasm-bindgen the app links, or the glue it writes does
# not match the module; so the version comes from Cargo.lock rather than from this file.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
if [ -z "$bindgen_version" ]; then
    echo "tools.sh: no wasm-bindgen in Cargo.lock; run 'cargo generate-lockfile' first" >&2
    exit 1
fi

say() { echo "tools.sh: $*" >&2; }

trunk_bindgen="$(awk -F'"' '/^wasm_bindgen *=/ { print $2 }' Trunk.toml)"
if [ "$trunk_bindgen" != "$bindgen_version" ]; then
    say "Trunk.toml names wasm-bindgen $trunk_bindgen but Cargo.lock has $bindgen_version; make them equal"
    exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# clang compiles SQLite's C to wasm32; Chromium runs the wasm tests and the end-to-end tests;
# the sqlite3 shell runs the `--sql` scripts in the CLI tests (tests/tests/atomic.rs).
missing=()
for package in clang chromium chromium-driver sqlite3; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive nice -n 19 apt-get install -y -qq "${missing[@]}" >/dev/null
fi

installed_version() { "$1" --version 2>/dev/null | awk '{ print $NF }'; }

if [ "$(installed_version trunk)" != "$trunk_version" ]; then
    say "installing trunk $trunk_version"
    nice -n 19 cargo install trunk --version "$trunk_version" --locked
fi

if [ "$(installed_version wasm-bindgen)" != "$bindgen_version" ] \
    || [ "$(installed_version wasm-bindgen-test-runner)" != "$bindgen_version" ]; then
    say "installing wasm-bindgen-cli $bindgen_version"
    # Without --locked: that is how this version was verified to build on this toolchain.
    nice -n 19 cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# binaryen (wasm-opt) and playwright-core are pinned in tests/browser/package-lock.json.
if ! (cd tests/browser && npm ls --silent >/dev/null 2>&1); then
    say "installing the npm tools of tests/browser"
    (cd tests/browser && nice -n 19 npm ci --no-audit --no-fund --loglevel=error)
fi

# Trunk runs offline, so every crate must be in the local registry cache before it builds.
nice -n 19 cargo fetch --target wasm32-unknown-unknown --quiet

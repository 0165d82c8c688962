#!/usr/bin/env bash
# Creates .venv-tests/ (git-ignored) with the pinned Python tools the tests run for real: alembic
# and sqlmodel (export and SQLModel tests), psycopg (Alembic on PostgreSQL), maturin (builds the
# strata wheel) and pre-commit (runs the hooks of .pre-commit-hooks.yaml). Idempotent: when the
# venv already holds exactly these pins it does nothing, so the tests can call it every time.
# Prints the venv's python on success.
set -euo pipefail
# The pins hold brackets (psycopg[binary]); they are words for pip, never file patterns.
set -f
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-tests"
pins="alembic==1.20.1 sqlmodel==0.0.50 SQLAlchemy==2.1.9 pydantic==2.14.4 psycopg[binary]==3.3.9 maturin==1.16.0 pre-commit==4.7.0"
say() { echo "python-env.sh: $*" >&2; }

# Test binaries may call this at the same time; one of them installs, the others wait.
exec 9>"$root/.venv-tests.lock"
flock 9

if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.pins" 2>/dev/null)" = "$pins" ]; then
    echo "$venv/bin/python"
    exit 0
fi

python="$(command -v python3 || true)"
if [ -z "$python" ] || ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing python3 and python3-venv with apt-get"
        apt-get update -q >&2 && nice -n 19 apt-get install -y -q python3 python3-venv >&2
        python="$(command -v python3)"
    else
        say "python3 with the venv module is needed; install python3 and python3-venv"
        exit 1
    fi
fi

say "creating $venv with $pins"
rm -rf "$venv"
"$python" -m venv "$venv"
# Pins are exact; the resolver only fills in the small pure-Python helpers they need.
nice -n 19 "$venv/bin/pip" install -q --disable-pip-version-check $pins >&2
echo "$pins" > "$venv/.pins"
echo "$venv/bin/python"

#!/usr/bin/env bash
# A throwaway PostgreSQL server for the export tests, on 127.0.0.1 only.
#   scripts/postgres.sh start DIR   initdb in DIR, start on a free port, print "PORT BINDIR"
#   scripts/postgres.sh stop DIR    stop the server started in DIR (the caller removes DIR)
# Installs Debian's postgresql when no server binaries are found. PostgreSQL refuses to run as
# root, so as root the cluster belongs to the `postgres` user and runs through runuser.
set -euo pipefail
say() { echo "postgres.sh: $*" >&2; }
cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    say "usage: postgres.sh start|stop DIR"
    exit 2
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing Debian's postgresql"
        apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive nice -n 19 apt-get install -y -q postgresql >&2
        bin="$(find_bin)"
    fi
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        say "no PostgreSQL server binaries under /usr/lib/postgresql; install the postgresql package"
        exit 1
    fi
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        chown postgres "$dir"
        # The server must be able to reach DIR through its parents (a 0700 temp parent is common).
        chmod o+x "$(dirname "$dir")" 2>/dev/null || true
    fi
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # Tests start servers in parallel: choosing a port and binding it happen under one lock, and
    # a port taken between the check and the bind (by anything else) moves on to the next one.
    exec 9>"${TMPDIR:-/tmp}/strata-postgres-port.lock"
    flock 9
    port=""
    for p in $(seq 55432 55532); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            continue
        fi
        rm -f "$dir/server.log"
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $p -c unix_socket_directories=$dir -c fsync=off -c full_page_writes=off" start >&2 9>&-; then
            port="$p"
            break
        fi
        if ! grep -q "Address already in use" "$dir/server.log" 2>/dev/null; then
            cat "$dir/server.log" >&2
            exit 1
        fi
        say "port $p was taken meanwhile; trying the next"
    done
    exec 9>&-
    if [ -z "$port" ]; then
        say "no free port between 55432 and 55532"
        exit 1
    fi
    echo "$port $bin"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    ;;
*)
    say "unknown command $cmd"
    exit 2
    ;;
esac

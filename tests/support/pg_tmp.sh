#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (Debian's postgresql package).
#
#   pg_tmp.sh start        create and start a cluster in a new temporary directory; prints two
#                          lines: the directory and a libpq URL for it
#   pg_tmp.sh stop DIR     stop the cluster and remove DIR
#
# The server listens only on a unix socket inside DIR (on a random port number, which names the
# socket), so parallel test runs never collide and nothing is reachable from outside. As root the
# cluster runs as the `postgres` user (initdb refuses root). fsync is off: the data is thrown away.
set -euo pipefail
PGBIN=${FLOE_PG_BIN:-/usr/lib/postgresql/15/bin}

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    [ -x "$PGBIN/initdb" ] || {
        echo "pg_tmp.sh: no PostgreSQL at $PGBIN (scripts/install-deps.sh --test)" >&2
        exit 1
    }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/floe-pg-XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if ! as_pg "$PGBIN/initdb" -D "$dir/data" -U floe --auth=trust --no-locale -E UTF8 -N \
        >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        exit 1
    fi
    for attempt in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses= -c fsync=off -c max_connections=200" \
            start >/dev/null 2>&1; then
            echo "$dir"
            echo "postgresql://floe@/postgres?host=$dir&port=$port"
            exit 0
        fi
    done
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    exit 1
    ;;
stop)
    dir=${2:?pg_tmp.sh stop DIR}
    if [ -d "$dir/data" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg_tmp.sh start | stop DIR" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The REST catalog under load: floe's loadTable against nginx serving the same LoadTableResult
# bytes as a static file, in the same run, with wrk on loopback; then commits per second on
# SQLite and on PostgreSQL.
#
#   bench/catalog/run.sh [--duration 10s] [--connections 64] [--snapshots 100] [--no-pg]
#
# Needs the release build (or FLOE=path/to/floe) and Debian's wrk and nginx-light (apt-get install wrk nginx-light).
# Inputs are generated: a table with a 24-column schema, a partition spec, and --snapshots
# appends committed through the REST API (the metadata grows like a real table's), so the
# loaded document has the size of a busy table's metadata. Prints a Markdown block for
# bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=10s
CONNS=64
SNAPSHOTS=100
PG=1
while [ $# -gt 0 ]; do
    case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --snapshots) SNAPSHOTS=$2; shift 2 ;;
    --no-pg) PG=0; shift ;;
    *) echo "usage: $0 [--duration 10s] [--connections 64] [--snapshots 100] [--no-pg]" >&2; exit 2 ;;
    esac
done
for tool in wrk nginx curl jq; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
        echo "bench/catalog: $tool is missing (apt-get install wrk nginx-light curl jq)" >&2
        exit 1
    }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -z "${FLOE:-}" ]; then # FLOE=path/to/floe to bench another build
    cmake --preset release >/dev/null
    cmake --build --preset release >/dev/null
    FLOE=$PWD/build/release/floe
fi
THREADS=$(nproc)

DIR=$(mktemp -d "${TMPDIR:-/tmp}/floe-bench-catalog-XXXXXX")
chmod 755 "$DIR"
PIDS=()
PG_DIR=
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "$PG_DIR" ] && tests/support/pg_tmp.sh stop "$PG_DIR"
    rm -rf "$DIR"
}
trap cleanup EXIT

# start_floe NAME [floe server options]: sets BASE.
start_floe() {
    local name=$1
    shift
    "$FLOE" server --data-dir "$DIR/$name" --listen 127.0.0.1:0 --port-file "$DIR/$name.port" \
        --threads "$THREADS" "$@" 2>"$DIR/$name.log" &
    PIDS+=($!)
    for _ in $(seq 1 200); do
        [ -s "$DIR/$name.port" ] && break
        sleep 0.05
    done
    BASE="http://127.0.0.1:$(cat "$DIR/$name.port")"
}

post() { curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "$2" "$BASE$1"; }

# make_table NAME: namespace bench (once) and a table NAME with $SNAPSHOTS appends.
make_table() {
    local t=$1
    post /v1/namespaces '{"namespace":["bench"]}' || true
    local fields='' i
    for i in $(seq 1 24); do
        local type=long
        case $((i % 4)) in 1) type=string ;; 2) type='"decimal(18, 2)"' ;; 3) type=timestamptz ;; esac
        [ "${type:0:1}" = '"' ] || type="\"$type\""
        fields+="${fields:+,}{\"id\":$i,\"name\":\"col_$i\",\"type\":$type,\"required\":false}"
    done
    post /v1/namespaces/bench/tables "{\"name\":\"$t\",\"schema\":{\"type\":\"struct\",\"fields\":[$fields]},\"partition-spec\":{\"fields\":[{\"source-id\":3,\"transform\":\"day\",\"name\":\"col_3_day\"},{\"source-id\":4,\"transform\":\"bucket[16]\",\"name\":\"col_4_bucket\"}]},\"properties\":{\"owner\":\"bench\",\"write.format.default\":\"parquet\"}}"
    local parent=null
    for i in $(seq 1 "$SNAPSHOTS"); do
        local id=$((1000000 + i))
        local p=''
        [ "$parent" = null ] || p="\"parent-snapshot-id\":$parent,"
        post "/v1/namespaces/bench/tables/$t" "{\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-id\":$parent}],\"updates\":[{\"action\":\"add-snapshot\",\"snapshot\":{\"snapshot-id\":$id,$p\"sequence-number\":$i,\"timestamp-ms\":$((1700000000000 + i * 60000)),\"manifest-list\":\"s3://bucket/bench/$t/metadata/snap-$id-1-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e.avro\",\"summary\":{\"operation\":\"append\",\"added-data-files\":\"4\",\"added-records\":\"120000\",\"added-files-size\":\"48123456\",\"changed-partition-count\":\"1\",\"total-records\":\"$((i * 120000))\",\"total-files-size\":\"$((i * 48123456))\",\"total-data-files\":\"$((i * 4))\",\"total-delete-files\":\"0\",\"total-position-deletes\":\"0\",\"total-equality-deletes\":\"0\"},\"schema-id\":0}},{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":\"branch\",\"snapshot-id\":$id}]}"
        parent=$id
    done
}

# wrk_run URL [wrk options]: prints "rps p99_ms non2xx".
wrk_run() {
    local url=$1
    shift
    local out
    out=$(wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --latency "$@" "$url")
    local rps p99 bad
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    # wrk prints latencies with units (us, ms, s): normalise to ms.
    p99=$(awk -v v="$p99" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.2f", n }')
    echo "$rps $p99 ${bad:-0}"
}

# ==== loadTable: floe vs nginx ====
start_floe sqlite
make_table events
LOAD="$BASE/v1/namespaces/bench/tables/events"
curl -sf "$LOAD" -o "$DIR/events.json"
SIZE=$(stat -c %s "$DIR/events.json")
mkdir -p "$DIR/www" "$DIR/nginx"
cp "$DIR/events.json" "$DIR/www/events.json"
chmod -R a+rX "$DIR/www"
NGINX_PORT=$((20000 + RANDOM % 30000))
cat >"$DIR/nginx/nginx.conf" <<CONF
worker_processes $THREADS;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log $DIR/nginx/access.log;
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / { root $DIR/www; default_type application/json; }
    }
}
CONF
"$NGINX" -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" &
PIDS+=($!)
for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/events.json" && break
    sleep 0.05
done
cmp -s <(curl -sf "http://127.0.0.1:$NGINX_PORT/events.json") "$DIR/events.json" ||
    { echo "nginx does not serve the same bytes" >&2; exit 1; }

wrk_run "$LOAD" -d 2s >/dev/null # warm both caches and connections
read -r F_RPS F_P99 F_BAD < <(wrk_run "$LOAD")
read -r N_RPS N_P99 N_BAD < <(wrk_run "http://127.0.0.1:$NGINX_PORT/events.json")
RATIO=$(awk -v f="$F_RPS" -v n="$N_RPS" 'BEGIN { printf "%.2f", f / n }')

# ==== Commits per second ====
cat >"$DIR/commit.lua" <<'LUA'
-- Each request sets a property on one of 16 tables, picked at random: mostly independent
-- commits, with the occasional race on one table (the server rebuilds and retries those).
local counter = 0
request = function()
    counter = counter + 1
    local t = math.random(1, 16)
    local body = '{"requirements":[],"updates":[{"action":"set-properties","updates":{"k":"' ..
        counter .. '"}}]}'
    return wrk.format("POST", "/v1/namespaces/bench/tables/c" .. t,
        {["Content-Type"] = "application/json"}, body)
end
LUA
commit_bench() { # commit_bench: on the server at $BASE; prints "rps p99 non2xx"
    local i
    SNAPSHOTS_SAVED=$SNAPSHOTS
    SNAPSHOTS=20
    for i in $(seq 1 16); do make_table "c$i"; done
    SNAPSHOTS=$SNAPSHOTS_SAVED
    wrk_run "$BASE/" -c 16 -s "$DIR/commit.lua"
}
read -r CS_RPS CS_P99 CS_BAD < <(commit_bench)
CP_RPS=n/a CP_P99=n/a CP_BAD=n/a
if [ "$PG" = 1 ]; then
    pg=$(tests/support/pg_tmp.sh start)
    PG_DIR=$(head -n 1 <<<"$pg")
    start_floe pg --database "$(tail -n 1 <<<"$pg")"
    read -r CP_RPS CP_P99 CP_BAD < <(commit_bench)
fi

CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
cat <<MD
## Catalog: loadTable (floe vs nginx static file) and commits per second

- Machine: nproc=$(nproc), CPU "$CPU", $MEM RAM
- Date: $(date -u +%Y-%m-%d)
- Command: \`bench/catalog/run.sh --duration $DURATION --connections $CONNS --snapshots $SNAPSHOTS\`
- loadTable: one table (24 columns, 2 partition fields, $SNAPSHOTS snapshots), LoadTableResult of
  $SIZE bytes; floe (release, SQLite store, $THREADS HTTP threads, request log on) vs nginx
  ($THREADS workers, access log on) serving the same bytes as a static file; wrk -t $THREADS
  -c $CONNS -d $DURATION on loopback, same run.

| | requests/s | p99 latency | non-2xx |
|---|---:|---:|---:|
| floe GET /v1/namespaces/bench/tables/events | $F_RPS | $F_P99 ms | $F_BAD |
| nginx GET /events.json (static) | $N_RPS | $N_P99 ms | $N_BAD |
| floe commits, SQLite (16 tables, 16 connections) | $CS_RPS | $CS_P99 ms | $CS_BAD |
| floe commits, PostgreSQL (same; fsync off in the test cluster) | $CP_RPS | $CP_P99 ms | $CP_BAD |

Ratio floe / nginx for loadTable: **$RATIO**.
MD

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Compaction by the optimizer's executor: N small Parquet files (bench/parquet/gen_merge_input.mjs)
# rewritten by one optimizing task (floe_optimizer_execute: the Iceberg row reader, the Iceberg
# writer with zstd and full metrics; bench/optimizing/compact_bench.c) against DuckDB's
# COPY (SELECT * FROM read_parquet([...])) TO ... (FORMAT parquet, COMPRESSION zstd) of the same
# files on one thread, in the same run. Reports wall time, the floe/DuckDB ratio, peak RSS
# (/usr/bin/time -v) and output sizes.
#
#   bench/optimizing/compact.sh [--files N] [--rows N] [--repeat N]
#
# Input (never committed) goes to bench/data/compact/in. Builds an optimised library in
# build/bench (Release, -O2; like plan.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
FILES=100
ROWS=20000
REPEAT=1
while [ $# -gt 0 ]; do
    case "$1" in
    --files) FILES=$2; shift 2 ;;
    --rows) ROWS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h | --help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compact.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOE_WERROR=OFF \
    -DFLOE_TESTS=OFF >/dev/null
cmake --build build/bench --target floe_core >/dev/null
BIN=build/bench/compact_bench
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_DEFAULT_SOURCE -Iinclude bench/optimizing/compact_bench.c -o "$BIN" \
    build/bench/libfloe_core.a $(pkg-config --libs jansson zlib libzstd snappy liblz4 \
    libbrotlienc libbrotlidec libcurl) -lpthread -lm
[ -d tests/interop/node_modules/@duckdb ] || scripts/install-deps.sh --test

DATA=$ROOT/bench/data/compact
IN=$DATA/in
if [ "$(ls "$IN"/*.parquet 2>/dev/null | wc -l)" != "$FILES" ] ||
    [ "$(cat "$DATA/rows" 2>/dev/null)" != "$ROWS" ]; then
    rm -rf "$IN"
    mkdir -p "$DATA"
    echo "generating $FILES files of $ROWS rows in $IN ..."
    node bench/parquet/gen_merge_input.mjs "$IN" "$FILES" "$ROWS" >/dev/null
    echo "$ROWS" >"$DATA/rows"
fi
cat "$IN"/*.parquet >/dev/null # warm the page cache for both tools

# run NAME CMD...: best wall time (s) of the tool's own timer and the process's peak RSS (KB)
# over $REPEAT runs; the best run's stdout is kept in $DATA/best.NAME
run() {
    local name=$1 key=$2 best="" rss="" t r
    shift 2
    for _ in $(seq "$REPEAT"); do
        rm -rf "$DATA/table" "$DATA/out_duck.parquet"
        "/usr/bin/time" -v -o "$DATA/time.$name" "$@" >"$DATA/out.$name" 2>"$DATA/err.$name"
        t=$(sed -n "s/.*$key=\([0-9.]*\).*/\1/p" "$DATA/out.$name")
        r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$DATA/time.$name")
        if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then
            best=$t
            rss=$r
            cp "$DATA/out.$name" "$DATA/best.$name"
        fi
    done
    echo "$best $rss"
}

read -r floe_s floe_rss < <(run floe execute_seconds "$BIN" "$IN" "$DATA/table")
read -r duck_s duck_rss < <(run duck copy_seconds node bench/parquet/duckdb_merge.mjs "$IN" "$DATA/out_duck.parquet")
in_mb=$(du -sm "$IN" | cut -f1)
floe_rows=$(sed -n 's/.*rows=\([0-9]*\).*/\1/p' "$DATA/best.floe")
duck_rows=$(sed -n 's/.*rows=\([0-9]*\).*/\1/p' "$DATA/best.duck")
floe_bytes=$(sed -n 's/.*output_bytes=\([0-9]*\).*/\1/p' "$DATA/best.floe")
if [ "$floe_rows" != "$duck_rows" ]; then
    echo "compact.sh: row counts differ: floe $floe_rows, DuckDB $duck_rows" >&2
    exit 1
fi

echo
echo "compaction of $FILES files x $ROWS rows ($in_mb MiB of snappy Parquet) into one file, one thread, zstd"
printf '%-34s %10s %10s %10s\n' "" "seconds" "peak RSS" "output"
printf '%-34s %10s %8s MB %7s MiB\n' "floe optimizer task (execute)" "$floe_s" $((floe_rss / 1024)) $((floe_bytes / 1048576))
printf '%-34s %10s %8s MB %7s MiB\n' "DuckDB COPY (query only)" "$duck_s" $((duck_rss / 1024)) $(($(stat -c %s "$DATA/out_duck.parquet") / 1048576))
awk -v f="$floe_s" -v d="$duck_s" 'BEGIN { printf "ratio floe / DuckDB: %.2f\n", f / d }'
echo "floe: $(cat "$DATA/best.floe")"
echo "DuckDB: $(cat "$DATA/best.duck")"

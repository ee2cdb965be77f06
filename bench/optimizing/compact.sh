#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Compaction by the optimizer's executor, with and without row-group stitching, against DuckDB,
# on the same N small Parquet files in one run. The rows come from
# bench/parquet/gen_merge_input.mjs (DuckDB); each file is then rewritten alone by floe's
# Iceberg writer (compact_bench prepare: snappy, one row group, Parquet field ids), because
# stitching needs inputs that carry the table's field ids. Three lines, one thread each:
#   floe decode + re-encode  one optimizing task (floe_optimizer_execute: row reader, Iceberg
#                            writer with zstd and full metrics), row-group merge disabled
#   floe stitching           the same task with rewrite.use-parquet-row-group-merge.enabled and
#                            min-avg-row-group-size-bytes 0: column chunks copied, not decoded
#   DuckDB COPY              COPY (SELECT * FROM read_parquet([...])) TO ... (zstd), threads=1
# Reports wall time (each tool's own timer, best of --repeat), input MB/s and rows/s, peak RSS
# (/usr/bin/time -v), output size and row groups, ratios to DuckDB; checks that the stitched
# run really stitched (the executor's row-group-merge summary) and reads every output back with
# DuckDB (row count and column aggregates must equal the input's).
#
#   bench/optimizing/compact.sh [--files N] [--rows N] [--repeat N]
#
# Input (never committed) goes to bench/data/compact. Builds an optimised library in
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
    -h | --help) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
RAW=$DATA/raw
IN=$DATA/in
if [ "$(cat "$DATA/prepared" 2>/dev/null)" != "$FILES $ROWS" ]; then
    rm -rf "$RAW" "$IN" "$DATA/prepared"
    mkdir -p "$DATA" "$IN"
    echo "generating $FILES files of $ROWS rows in $RAW ..."
    node bench/parquet/gen_merge_input.mjs "$RAW" "$FILES" "$ROWS" >/dev/null
    echo "rewriting them with floe's writer (field ids) into $IN ..."
    "$BIN" prepare "$RAW" "$IN" >/dev/null
    rm -rf "$IN/_table"
    echo "$FILES $ROWS" >"$DATA/prepared"
fi
cat "$IN"/*.parquet >/dev/null # warm the page cache for every tool

# run NAME KEY CMD...: best wall time (s, the tool's own KEY=) and that run's peak RSS (KB) over
# $REPEAT runs; the best run's stdout is kept in $DATA/best.NAME, the last run's output stays.
run() {
    local name=$1 key=$2 best="" rss="" t r
    shift 2
    for _ in $(seq "$REPEAT"); do
        rm -rf "$DATA/table.$name" "$DATA/out_duck"
        mkdir -p "$DATA/out_duck"
        "/usr/bin/time" -v -o "$DATA/time.$name" "$@" >"$DATA/out.$name" 2>"$DATA/err.$name" ||
            { cat "$DATA/err.$name" >&2; exit 1; }
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

read -r dec_s dec_rss < <(run decode execute_seconds "$BIN" "$IN" "$DATA/table.decode")
read -r sti_s sti_rss < <(run stitch execute_seconds "$BIN" --merge "$IN" "$DATA/table.stitch")
read -r duck_s duck_rss < <(run duck copy_seconds node bench/parquet/duckdb_merge.mjs "$IN" \
    "$DATA/out_duck/out.parquet")

field() { sed -n "s/.*$2=\([0-9a-z]*\).*/\1/p" "$DATA/best.$1"; }
in_bytes=$(cat "$IN"/*.parquet | wc -c)
in_rows=$((FILES * ROWS))
fail=0
[ "$(field decode row_group_merge)" = false ] ||
    { echo "compact.sh: the decode run stitched" >&2; fail=1; }
[ "$(field stitch row_group_merge)" = true ] ||
    { echo "compact.sh: the stitching run did not stitch (row_group_merge=$(field stitch row_group_merge))" >&2; fail=1; }
for n in decode stitch duck; do
    [ "$(field $n rows)" = "$in_rows" ] ||
        { echo "compact.sh: $n reports $(field $n rows) rows, expected $in_rows" >&2; fail=1; }
done

# Read back with DuckDB: every output must hold the input's rows (aggregates over all columns).
node bench/optimizing/duckdb_check.mjs "$IN" "$DATA/table.decode/data" "$DATA/table.stitch/data" \
    "$DATA/out_duck" >"$DATA/check"
want=$(sed -n 1p "$DATA/check")
want=${want% row_groups=*}
declare -A RG # row groups of each read-back line
i=0
for n in input decode stitch duck; do
    i=$((i + 1))
    line=$(sed -n "${i}p" "$DATA/check")
    [ "${line% row_groups=*}" = "$want" ] ||
        { echo "compact.sh: $n read back differs from the input: $line" >&2; fail=1; }
    RG[$n]=${line##*row_groups=}
done

size_of() { find "$1" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
dec_bytes=$(size_of "$DATA/table.decode/data")
sti_bytes=$(size_of "$DATA/table.stitch/data")
duck_bytes=$(size_of "$DATA/out_duck")

echo
echo "compaction of $FILES files x $ROWS rows ($in_bytes bytes of snappy Parquet written by floe" \
    "with field ids, ${RG[input]} row groups) into one file, one thread, best of $REPEAT"
printf '%-26s %8s %8s %10s %9s %10s %7s %9s\n' "" "seconds" "MB/s" "rows/s" "peak RSS" "output" \
    "groups" "vs DuckDB"
line() {
    awk -v name="$1" -v s="$2" -v rss="$3" -v out="$4" -v rg="$5" -v d="$duck_s" \
        -v ib="$in_bytes" -v ir="$in_rows" 'BEGIN {
        printf "%-26s %8.3f %8.1f %10d %6d MB %6.1f MiB %7d %8.2fx\n", name, s, ib / 1e6 / s,
            ir / s, rss / 1024, out / 1048576, rg, s / d }'
}
line "floe decode + re-encode" "$dec_s" "$dec_rss" "$dec_bytes" "${RG[decode]}"
line "floe row-group stitching" "$sti_s" "$sti_rss" "$sti_bytes" "${RG[stitch]}"
line "DuckDB COPY (query only)" "$duck_s" "$duck_rss" "$duck_bytes" "${RG[duck]}"
echo "stitching: the executor reported row-group-merge=$(field stitch row_group_merge) for the" \
    "stitched run, $(field decode row_group_merge) for the decode run"
echo "read back by DuckDB (inputs and the three outputs agree): $want"
echo "floe decode: $(cat "$DATA/best.decode")"
echo "floe stitch: $(cat "$DATA/best.stitch")"
echo "DuckDB: $(cat "$DATA/best.duck")"
exit $fail

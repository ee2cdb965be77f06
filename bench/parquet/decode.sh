#!/usr/bin/env bash
# Parquet decoding: floe's reader against DuckDB on the same ~100 MB file, single-threaded.
#
#   bench/parquet/decode.sh [CODEC]     CODEC: snappy (default), zstd, uncompressed, gzip, ...
#
# Builds the release preset, writes the input with DuckDB (bench/parquet/gen.mjs) into
# build/bench/ unless it is already there, then decodes every column with floe (pq_decode.c:
# every value folded into a checksum) and runs a DuckDB aggregate over every column with
# `SET threads=1`. Each side runs RUNS times (default 3) after one warm-up; the best time counts.
# Prints both times, the ratio floe/DuckDB (below 1 means floe is faster) and floe's peak RSS.
# Environment: ROWS (default 1600000, about 100 MB with snappy), RUNS.
set -euo pipefail
cd "$(dirname "$0")/../.."

codec=${1:-snappy}
rows=${ROWS:-1600000}
runs=${RUNS:-3}
out=build/bench
input=$out/decode_${codec}_${rows}.parquet
mkdir -p "$out"

echo "building the release preset..." >&2
cmake --preset release -DFLOE_TESTS=OFF >/dev/null
cmake --build --preset release >/dev/null
libs=$(pkg-config --libs zlib libzstd snappy liblz4 libbrotlienc libbrotlidec jansson sqlite3 libpq \
    libmicrohttpd yaml-0.1 libcrypt libcrypto)
# shellcheck disable=SC2086
cc -O2 -g -DNDEBUG -D_DEFAULT_SOURCE -std=c11 -Iinclude bench/parquet/pq_decode.c \
    build/release/libfloe_core.a $libs -lpthread -lm -o "$out/pq_decode"

if [ ! -f "$input" ]; then
    echo "writing $input with DuckDB..." >&2
    node bench/parquet/gen.mjs write "$input" "$rows" "$codec"
fi
size=$(stat -c %s "$input")

# Best of `runs` (after a warm-up run) of a command printing "seconds=N".
best() {
    local b=""
    "$@" >/dev/null
    for _ in $(seq "$runs"); do
        local s
        s=$("$@" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
        if [ -z "$b" ] || awk "BEGIN{exit !($s < $b)}"; then b=$s; fi
    done
    echo "$b"
}

floe_s=$(best "$out/pq_decode" "$input")
duck_s=$(best node bench/parquet/gen.mjs scan "$input")
rss_kb=$( { /usr/bin/time -f '%M' "$out/pq_decode" "$input" >/dev/null; } 2>&1 | tail -1)
check=$("$out/pq_decode" "$input")

echo "input:   $input ($((size / 1048576)) MiB, $rows rows, $codec)"
echo "floe:    ${floe_s} s  ($check)"
echo "duckdb:  ${duck_s} s  (SET threads=1; aggregate over every column)"
echo "ratio:   $(awk "BEGIN{printf \"%.2f\", $floe_s / $duck_s}") (floe / duckdb)"
echo "rss:     $((rss_kb / 1024)) MiB peak (floe)"

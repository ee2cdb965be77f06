#!/usr/bin/env bash
# Avro manifest decoding: floe (release build) vs avsc on the same files.
#   bench/avro/run.sh [bench_avro options, e.g. -n 1000000 -f 100 -c 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s release >/dev/null
scripts/install-deps.sh --test >/dev/null
out=build/release/bench_avro
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_DEFAULT_SOURCE -Iinclude bench/avro/bench_avro.c -o "$out" \
    build/release/libfloe_core.a $(pkg-config --libs zlib libzstd snappy liblz4 libbrotlienc \
    libbrotlidec jansson) -lpthread -lm
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$out" "$@" "$dir"
node bench/avro/avsc_decode.mjs "$dir"

#!/usr/bin/env bash
# Scan planning: floe (release build) plans a table of N files in M manifests; avsc decodes the
# same manifest files in one run, for the ratio.
#   bench/iceberg/run.sh [plan options, e.g. -n 1000000 -m 1000 -c 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s release >/dev/null
scripts/install-deps.sh --test >/dev/null
out=build/release/bench_iceberg_plan
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_DEFAULT_SOURCE -Iinclude bench/iceberg/plan.c -o "$out" \
    build/release/libfloe_core.a $(pkg-config --libs zlib libzstd snappy liblz4 libbrotlienc \
    libbrotlidec jansson) -lpthread -lm
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$out" "$@" "$dir"
node bench/avro/avsc_decode.mjs "$dir/manifests"

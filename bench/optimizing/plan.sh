#!/usr/bin/env bash
# Planning time and peak RSS for a table with 1,000,000 data files (bench/optimizing/plan_bench.c).
#   bench/optimizing/plan.sh [plan_bench options, e.g. -n 1000000 -p 100 -t 8 -m 10000]
# Builds an optimised library in build/bench (like the release preset, but without -Werror:
# gcc -O2 reports maybe-uninitialized false positives in src/iceberg that -O1 does not).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOE_WERROR=OFF \
    -DFLOE_TESTS=OFF >/dev/null
cmake --build build/bench --target floe_core >/dev/null
out=build/bench/plan_bench
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_DEFAULT_SOURCE -Iinclude bench/optimizing/plan_bench.c -o "$out" \
    build/bench/libfloe_core.a $(pkg-config --libs jansson zlib libzstd snappy liblz4 libbrotlienc libbrotlidec) -lpthread -lm
"$out" "$@"

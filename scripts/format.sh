#!/usr/bin/env bash
# Format floe's C sources with clang-format (.clang-format), or with --check report files whose
# layout differs and exit 1. Used by `make format`, `make format-check` and the format.check test.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null || { echo "format.sh: $cf not found" >&2; exit 1; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
    'include/*.h' 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' | sort -u)
[ ${#files[@]} -gt 0 ] || exit 0
existing=()
for f in "${files[@]}"; do [ -f "$f" ] && existing+=("$f"); done
if [ "$mode" = "--check" ]; then
    bad=0
    for f in "${existing[@]}"; do
        if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
            echo "needs formatting: $f (run 'make format')"
            bad=1
        fi
    done
    exit $bad
fi
"$cf" --style=file -i "${existing[@]}"

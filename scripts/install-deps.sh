#!/usr/bin/env bash
# Install what floe needs on Debian bookworm, and nothing that is already there.
#
#   scripts/install-deps.sh          packages to build and run floe
#   scripts/install-deps.sh --test   also what the tests need, and the npm packages of
#                                    tests/interop (npm ci, only when the lock file changed)
#   scripts/install-deps.sh --fuzz   also clang and its libFuzzer runtime
#
# Idempotent and quiet when nothing is missing; uses sudo when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and run.
BUILD_PKGS=(build-essential cmake ninja-build pkg-config git
    zlib1g-dev libzstd-dev libsnappy-dev liblz4-dev libbrotli-dev libjansson-dev
    libsqlite3-dev libpq-dev libmicrohttpd-dev libyaml-dev libcrypt-dev libssl-dev
    libcurl4-openssl-dev)
# Tests: cmocka for unit tests, clang-format for the layout check, Node for interop readers,
# a PostgreSQL server for the store tests, curl and jq for the server tests.
TEST_PKGS=(libcmocka-dev clang-format postgresql curl jq)
FUZZ_PKGS=(clang libclang-rt-14-dev)

want_test=0
want_fuzz=0
for arg in "$@"; do
    case "$arg" in
    --test) want_test=1 ;;
    --fuzz) want_fuzz=1 ;;
    -h | --help)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "install-deps.sh: unknown option '$arg'" >&2
        exit 2
        ;;
    esac
done

pkgs=("${BUILD_PKGS[@]}")
[ $want_test = 1 ] && pkgs+=("${TEST_PKGS[@]}")
[ $want_fuzz = 1 ] && pkgs+=("${FUZZ_PKGS[@]}")
# Node: the interop tests need node >= 18 and npm; keep a newer one when present.
if [ $want_test = 1 ]; then
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$node_major" -lt 18 ]; then
        pkgs+=(nodejs)
    fi
    command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || {
            echo "install-deps.sh: need root or sudo to install: ${missing[*]}" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    echo "install-deps: installing ${missing[*]}"
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "install-deps.sh: apt-get failed" >&2
        exit 1
    fi
    rm -f "$log"
fi

if [ $want_test = 1 ] && [ -f tests/interop/package-lock.json ]; then
    stamp=tests/interop/node_modules/.floe-lock.sha256
    sum=$(sha256sum tests/interop/package-lock.json | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
        echo "install-deps: npm ci in tests/interop"
        (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        echo "$sum" >"$stamp"
    fi
fi

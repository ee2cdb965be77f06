# floe build entry points. The README's two set-up commands are `make run` and `make test`;
# everything else here is for developers. CMake presets (CMakePresets.json) do the real work.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
# What `make run` starts: the catalog server on 127.0.0.1:8181 with its data under ./floe-data.
FLOE_ARGS ?= server

.PHONY: all run test build release fuzz deps deps-test deps-fuzz format format-check clean

all: build

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh --test

deps-fuzz:
	@scripts/install-deps.sh --test --fuzz

# Development build: ASan + UBSan, warnings as errors.
build: deps-test
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

# Optimised build used by `make run` and the benchmarks.
release: deps
	@cmake --preset release -DFLOE_TESTS=OFF >/dev/null
	@cmake --build --preset release -j $(JOBS)

run: release
	./build/release/floe $(FLOE_ARGS)

# Build the dev preset and run every test; ends with ctest's summary.
test: build
	@ctest --preset dev -j $(JOBS) --no-label-summary

# libFuzzer targets (clang); run one with e.g. build/fuzz/tests/fuzz_base_text -max_total_time=60
fuzz: deps-fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

format:
	@scripts/format.sh

format-check:
	@scripts/format.sh --check

clean:
	rm -rf build

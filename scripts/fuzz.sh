#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] - build the fuzzers with clang and run each for
# SECONDS (default 60): fuzz_check on the scenario loader, fuzz_run on runs
# of the scenarios that pass check.  Findings stay in build-fuzz/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh clang
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DFAULTSIM_FUZZ=ON -DFAULTSIM_FUZZ_SECONDS="${1:-60}" >/dev/null
cmake --build build-fuzz -j "$(nproc)"
(cd build-fuzz && ctest --output-on-failure -L fuzz)

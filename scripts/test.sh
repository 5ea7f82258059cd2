#!/usr/bin/env bash
# scripts/test.sh - build and run every test (but the fuzzers and the
# development set, which run for minutes: ctest -L fuzz, -L reference), then
# again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
(cd build && ctest --output-on-failure -j "$jobs" -LE 'fuzz|reference')
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFAULTSIM_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ctest --output-on-failure -j "$jobs" -LE 'fuzz|reference')

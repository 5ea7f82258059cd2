#!/usr/bin/env bash
# scripts/study.sh - install what is missing, build, then run the flagship
# study: scenarios/spf-maxtry.ini swept over CPUs and MAX_TRY (its [sweep]
# section), with its plots and its report.  Writes out/spf-maxtry/:
# results.csv, points/, plots/ (PNG, SVG, .gp, .dat) and report.md.
# Interrupted, the same command resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
out=out/spf-maxtry
build/faultsim sweep scenarios/spf-maxtry.ini --out "$out"
build/faultsim report "$out" >/dev/null
echo "report: $out/report.md"
grep -A1 '^\*\*' "$out/report.md" | head -n 2

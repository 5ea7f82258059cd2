#!/usr/bin/env bash
# scripts/study.sh - install what is missing, build, then run the flagship
# study: scenarios/spf-maxtry.ini swept over CPUs and MAX_TRY (its [sweep]
# section), with its plots and its report.  Writes out/spf-maxtry/:
# results.csv, points/, plots/ (PNG, SVG, .gp, .dat) and report.md.
# Interrupted, the same command resumes where it stopped.
# FAULTSIM_STUDY_QUICK=1 shrinks the sweep to 8 short runs (the fresh-clone
# test runs the command that way); the command stays the same.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
out=out/spf-maxtry
quick=()
# The reduced sweep has its own directory: a sweep resumes only its own settings.
[ -z "${FAULTSIM_STUDY_QUICK:-}" ] || out=out/spf-maxtry-quick
[ -z "${FAULTSIM_STUDY_QUICK:-}" ] ||
	quick=(--vary workload.threads=8,16 --vary kernel.max_try=0,4 --seeds 2
		--set workload.duration=1ms)
# A sweep resumes only its own build's points: a rebuilt faultsim starts afresh.
build=$(sha256sum build/faultsim | cut -d' ' -f1)
[ "$(cat "$out/.build" 2>/dev/null)" = "$build" ] || rm -rf "$out"
build/faultsim sweep scenarios/spf-maxtry.ini "${quick[@]}" --out "$out"
echo "$build" >"$out/.build"
build/faultsim report "$out" >/dev/null
echo "report: $out/report.md"
grep -A1 '^\*\*' "$out/report.md" | head -n 2

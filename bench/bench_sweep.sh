#!/usr/bin/env bash
# bench/bench_sweep.sh - the sweep machinery at study scale: 324 runs of
# scenarios/spf-maxtry.ini, threads 1..256 doubling x 6 MAX_TRY values x 6
# seeds, on a 4-socket variant of its machine (256 CPUs), with as many
# jobs as this machine has CPUs.  Prints the wall time and points per
# second; then re-runs the same command, which must find nothing to do.
#   bench/bench_sweep.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
out=${2:-$(mktemp -d)/bench-sweep}
args=("$src/scenarios/spf-maxtry.ini" --set machine.sockets=4
	--vary workload.threads=1..256x2 --vary kernel.max_try=0,1,2,4,8,16 --seeds 6 --out "$out")
start=$(date +%s.%N)
"$build/faultsim" sweep "${args[@]}" 2>"$out.log" || { tail -3 "$out.log"; exit 1; }
end=$(date +%s.%N)
runs=$(($(wc -l <"$out/results.csv") - 1))
failed=$(grep -c ',failed,' "$out/results.csv" || true)
awk -v s="$start" -v e="$end" -v n="$runs" -v f="$failed" -v j="$(nproc)" 'BEGIN {
	printf "sweep: %d runs (%d failed) in %.1f s with %d jobs: %.2f runs per second\n", n, f, e - s, j, n / (e - s) }'
start=$(date +%s.%N)
"$build/faultsim" sweep "${args[@]}" 2>/dev/null
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "resume with nothing left to do: %.2f s\n", e - s }'

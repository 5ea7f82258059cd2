#!/usr/bin/env bash
# scripts/study.sh - build, then run the main study: the lock collapse of
# scenarios/lock-collapse.ini, ticket vs qspinlock from 1 to 128 CPUs.
# Writes out/lock-collapse/results.csv and prints the table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
out=out/lock-collapse
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %6s %14s %14s\n' spinlock cpus "ops/s" "wait avg ns"
for lock in qspinlock ticket; do
	for n in 1 2 4 8 16 32 64 128; do
		build/faultsim run scenarios/lock-collapse.ini --quiet --set kernel.spinlock=$lock \
			--set workload.threads=$n --csv "$tmp/$lock-$n.csv"
		row=$(tail -n 1 "$tmp/$lock-$n.csv")
		[ -s "$tmp/all.csv" ] || head -n 1 "$tmp/$lock-$n.csv" | sed 's/^/spinlock,/' >"$tmp/all.csv"
		echo "$lock,$row" >>"$tmp/all.csv"
		col() { head -n 1 "$tmp/$lock-$n.csv" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
		printf '%-9s %6d %14.4g %14.0f\n' $lock $n "$(echo "$row" | cut -d, -f"$(col throughput)")" \
			"$(echo "$row" | cut -d, -f"$(col locks.study_lock.wait_avg_ns)")"
	done
done
mv "$tmp/all.csv" "$out/results.csv"
echo "results: $out/results.csv"

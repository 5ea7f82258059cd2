#!/usr/bin/env bash
# tests/fresh_clone.sh SRC - the README's first command works on a fresh
# clone: clone the committed tree into a temporary folder and run
# scripts/study.sh there, on a reduced sweep (FAULTSIM_STUDY_QUICK), then
# check that it left the results, the plots and the report.
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
ko() { failed=$((failed + 1)); echo "FAIL: $1"; }

git clone -q "$src" "$tmp/clone" || { echo "FAIL: git clone $src"; exit 1; }
out=$tmp/clone/out/spf-maxtry-quick
if (cd "$tmp/clone" && FAULTSIM_STUDY_QUICK=1 scripts/study.sh) >"$tmp/log" 2>&1; then
	ok "scripts/study.sh ran in a fresh clone"
else ko "scripts/study.sh failed: $(tail -5 "$tmp/log")"; fi
[ "$(grep -c ',ok,' "$out/results.csv" 2>/dev/null)" -eq 8 ] && ok "8 points, all ok" ||
	ko "results.csv: $(head -3 "$out/results.csv" 2>&1)"
for k in scaling latency maxtry breakdown; do
	[ -s "$out/plots/$k.png" ] && ok "plots/$k.png" || ko "no plots/$k.png"
done
grep -q '^\*\*' "$out/report.md" 2>/dev/null && ok "report.md has its conclusion" ||
	ko "report.md: $(head -5 "$out/report.md" 2>&1)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

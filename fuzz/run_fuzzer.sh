#!/usr/bin/env bash
# fuzz/run_fuzzer.sh FUZZER GEN_DICT SECONDS SRC - fuzz for SECONDS.
# The corpus grows in the build folder beside FUZZER (kept between runs),
# seeded with the shipped scenarios; a finding is saved there as crash-*,
# leak-* or timeout-* and fails the test.
set -u
fuzzer=$(realpath "$1") gen_dict=$(realpath "$2") seconds=$3 src=$(realpath "$4")
dir=$fuzzer.out
mkdir -p "$dir/corpus"
"$gen_dict" >"$dir/scenario.dict"
# With stderr closed, sanitizers in the runs log to files here, not in the tree.
cd "$dir"
# A hang is a unit past the timeout.  A check takes milliseconds, but on a
# loaded 2-core machine a unit can lose the CPU for seconds: 60 s is far from
# both.  A run is a child process with 60 s of wall clock of its own.
case $(basename "$fuzzer") in
fuzz_run) timeout=120 ;;
*) timeout=60 ;;
esac
exec "$fuzzer" "$dir/corpus" "$src/scenarios" -dict="$dir/scenario.dict" \
	-max_total_time="$seconds" -timeout=$timeout -rss_limit_mb=4096 -max_len=4096 \
	-artifact_prefix="$dir/" -print_final_stats=1 -close_fd_mask=3

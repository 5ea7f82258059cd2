#!/usr/bin/env bash
# tests/cli_test.sh - what a user of `faultsim run/check` relies on.
#   cli_test.sh FAULTSIM errors       bad input: exit 2, file:line and key named, nothing written
#   cli_test.sh FAULTSIM determinism  same scenario and seed: byte-identical JSON and CSV
#   cli_test.sh FAULTSIM lockup       a hard lockup: exit 3, "lockup": true, the report
#   cli_test.sh FAULTSIM sweep        resume after a kill, --jobs, GNU parallel, bad input
#   cli_test.sh FAULTSIM plot         the four figures, their data, the report
#   cli_test.sh FAULTSIM trace CHECK  --trace writes a valid timeline; big runs are refused
#   cli_test.sh FAULTSIM calibrate    the measured profile parses back, every figure sane
#   cli_test.sh FAULTSIM validate     the real workloads count what getrusage counts; a short
#                                     validation runs and reports its error
#   cli_test.sh FAULTSIM profiles     every shipped machine sets every key, each with its source
#   cli_test.sh FAULTSIM placement    compact pins tasks core by core, spread alternates sockets
#   cli_test.sh FAULTSIM steady       will-it-scale's steady state: every phase of the loop in
#                                     the window, tasks out of step, the warm-up not counted
#   cli_test.sh FAULTSIM reference    published points run, compared, plotted; bounds and shapes
#                                     decide the exit status; rows resume; bad rows named
#   cli_test.sh FAULTSIM reliability  what fuzzing and fault injection found stays fixed: no false
#                                     deadlock, bounded input, sweeps that survive the machine
set -u
faultsim=$(realpath "$1")
group=$2
trace_check=${3:-}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok: $1"; }
ko() { failed=$((failed + 1)); echo "FAIL: $1"; }

# A valid scenario to break one line at a time.
base() {
	cat <<'INI'
[machine]
profile = xeon-icx-2s

[kernel]
spinlock = qspinlock

[workload]
type = lock
threads = 4
duration = 100us
INI
}

# expect_error NAME EXPECTED-STDERR-SUBSTRING [faultsim args...]
expect_error() {
	local name=$1 want=$2
	shift 2
	rm -f "$tmp/out.json" "$tmp/out.csv"
	# Our output paths first: a case's own --json comes later and wins.
	"$faultsim" "$1" --json "$tmp/out.json" --csv "$tmp/out.csv" "${@:2}" >"$tmp/stdout" 2>"$tmp/stderr"
	local rc=$?
	if [ $rc -ne 2 ]; then
		ko "$name: exit $rc, want 2 ($(cat "$tmp/stderr"))"
	elif ! grep -qF -- "$want" "$tmp/stderr"; then
		ko "$name: stderr '$(cat "$tmp/stderr")' lacks '$want'"
	elif ls "$tmp" | grep -q '^out\.'; then
		ko "$name: an output file was written"
	else
		ok "$name"
	fi
}

# scenario NAME: base with sed expression applied, written to $tmp/NAME.ini
scenario() {
	base | sed "$2" >"$tmp/$1.ini"
	echo "$tmp/$1.ini"
}

errors() {
	local f c rc first
	f=$(scenario misspelt 's/^spinlock = /spinlok = /')
	expect_error "misspelt key" "$f:5: [kernel] spinlok: unknown key; did you mean 'spinlock'?" run "$f"
	f=$(scenario section 's/^\[kernel\]/[kernal]/')
	expect_error "unknown section" "$f:5: unknown section [kernal]; did you mean [kernel]?" run "$f"
	f=$(scenario notint 's/^threads = 4/threads = many/')
	expect_error "not an integer" "$f:9: [workload] threads: 'many' is not an integer" run "$f"
	f=$(scenario range 's/^threads = 4/threads = 5000/')
	expect_error "out of range" "$f:9: [workload] threads: '5000' is out of range (0 to 4096)" run "$f"
	f=$(scenario notasks 's/^threads = 4/threads = 0/')
	expect_error "no tasks" "$f:9: [workload] threads: set threads (tasks of one process) or processes" run "$f"
	f=$(scenario both 's/^threads = 4/threads = 4\nprocesses = 4/;s/^type = lock/type = mmap1/;/critical_section/d;/think_time/d')
	expect_error "threads and processes" "[workload] processes: set threads or processes, not both" run "$f"
	f=$(scenario ratios 's/^threads = 4/threads = 4\nmunmap_ratio = 0.6\nuffd_ratio = 0.6/;s/^type = lock/type = mixed/;/critical_section/d;/think_time/d')
	expect_error "shares over 1" "[workload] uffd_ratio: the shares of munmap, mprotect, madvise and uffd add up to more than 1" run "$f"
	f=$(scenario notapplies 's/^threads = 4/threads = 4\nregion = 4m/')
	expect_error "key for another workload" "[workload] region: does not apply to type = lock" run "$f"
	f=$(scenario unit 's/^duration = 100us/duration = 100 parsecs/')
	expect_error "bad unit" "$f:10: [workload] duration: '100 parsecs' is not a time such as 50ns, 3us, 2ms, 1s" run "$f"
	f=$(scenario choice 's/^spinlock = qspinlock/spinlock = mcs/')
	expect_error "bad choice" "$f:5: [kernel] spinlock: 'mcs' is not one of qspinlock|ticket" run "$f"
	f=$(scenario syntax 's/^threads = 4/threads 4/')
	expect_error "syntax" "$f:9: expected '[section]', 'key = value' or 'include FILE', got 'threads 4'" run "$f"
	f=$(scenario profile 's/^profile = xeon-icx-2s/profile = cray-1/')
	expect_error "unknown profile" "$f:2: [machine] profile: no machine 'cray-1'" run "$f"
	f=$(scenario toomany 's/^threads = 4/threads = 129/')
	expect_error "more tasks than CPUs" "$f:9: [workload] threads: 129 tasks but the machine has 128 CPUs" run "$f"
	f=$(scenario empty 's/^threads = 4/threads =/')
	expect_error "empty value" "$f:9: [workload] threads: empty value" run "$f"
	f=$(scenario incl_missing 's/^\[workload\]/include nowhere.ini\n[workload]/')
	expect_error "missing include" "$tmp/nowhere.ini: cannot open" run "$f"
	printf '[kernel]\nwatchdog_thresh = soon\n' >"$tmp/part.ini"
	f=$(scenario incl_bad 's/^\[workload\]/include part.ini\n[workload]/')
	expect_error "error inside an include" "$tmp/part.ini:2: [kernel] watchdog_thresh: 'soon' is not a time" run "$f"
	printf 'include loop.ini\n' >"$tmp/loop.ini"
	expect_error "include cycle" "includes nested deeper than 8" run "$tmp/loop.ini"
	f=$(scenario plain "")
	expect_error "--set unknown key" "--set kernel.nope=1: [kernel] nope: unknown key" run "$f" --set kernel.nope=1
	expect_error "--set bad value" "--set workload.threads=-3: [workload] threads: '-3' is out of range" run "$f" --set workload.threads=-3
	expect_error "--set syntax" "--set threads=3: expected --set section.key=value" run "$f" --set threads=3
	expect_error "missing file" "$tmp/none.ini: cannot open" run "$tmp/none.ini"
	expect_error "bad seed" "--seed: 'x' is not a non-negative integer" run "$f" --seed x
	expect_error "unwritable output" "cannot write" run "$f" --json /nonexistent/dir/r.json
	# --help for every command, as the README's Use block shows it; unknown options named.
	for c in run check sweep plot report compare calibrate validate; do
		"$faultsim" $c --help >"$tmp/help" 2>&1
		rc=$?
		first=$(sed -n '1s/^usage: //p' "$tmp/help")
		if [ $rc -eq 0 ] && [ -n "$first" ] && grep -qF -- "    $first" "$src/README.md"; then
			ok "$c --help: exit 0, the README's usage line"
		else ko "$c --help: exit $rc: $(head -2 "$tmp/help")"; fi
	done
	expect_error "an unknown option is named" "unknown option '--bogus'" run "$f" --bogus
	"$faultsim" plot "$tmp" --bogus 1 2>"$tmp/stderr"
	rc=$?
	[ $rc -eq 2 ] && grep -qF "unknown option '--bogus'" "$tmp/stderr" &&
		ok "an unknown option before a value is named" ||
		ko "plot --bogus 1: exit $rc: $(head -1 "$tmp/stderr")"
	# Every resolved key, in base units, with where it came from.
	"$faultsim" check "$src/scenarios/page_fault1.ini" --print --set kernel.rcu_gp=1.5ms >"$tmp/print"
	grep -Eq '^  \[workload\] region +134217728 +from .*page_fault1.ini:[0-9]+ \(as 128m\)$' "$tmp/print" &&
		grep -Eq '^  \[kernel\] rcu_gp +1500000 +from --set kernel.rcu_gp=1.5ms \(as 1.5ms\)$' "$tmp/print" &&
		grep -Eq '^  \[machine\] line_llc +51 +from .*machines/xeon-icx-2s.ini:[0-9]+ \(as 51ns\)$' "$tmp/print" &&
		ok "check --print: base units and sources" || ko "check --print: $(head -5 "$tmp/print")"
	"$faultsim" run "$src/scenarios/page_fault1.ini" --set workload.duration=50us --set kernel.rcu_gp=1.5ms \
		--set machine.cost_srcu_read=30 --quiet --json "$tmp/pp.json"
	grep -A3 '"rcu_gp": {' "$tmp/pp.json" | tr -d ' \n' | grep -q '"value":"1.5ms","from":"--setkernel.rcu_gp=1.5ms","base":1500000' &&
		ok "params: value as typed, base units, source" || ko "params: $(grep -A3 '"rcu_gp"' "$tmp/pp.json")"
	grep -A3 '"cost_srcu_read": {' "$tmp/pp.json" | tr -d ' \n' | grep -q '"value":"30","from":"--setmachine.cost_srcu_read=30","base":30' &&
		ok "params: a machine cost set on the command line" ||
		ko "params: $(grep -A3 '"cost_srcu_read"' "$tmp/pp.json")"
	"$faultsim" --version | grep -Eq '^faultsim [0-9]+\.[0-9]+\.[0-9]+$' && ok "--version" || ko "--version"
	expect_error "check finds errors too" "$tmp/misspelt.ini:5: [kernel] spinlok" check "$tmp/misspelt.ini"
	if "$faultsim" check "$f" >/dev/null 2>&1; then ok "check accepts a valid file"; else ko "check rejected a valid file"; fi
	for s in "$src"/scenarios/*.ini; do
		if "$faultsim" check "$s" >/dev/null 2>"$tmp/stderr"; then ok "shipped $(basename "$s") checks"
		else ko "shipped $(basename "$s"): $(cat "$tmp/stderr")"; fi
	done
}

determinism() {
	local f
	f=$(scenario det 's/^threads = 4/threads = 24/')
	for i in 1 2; do
		"$faultsim" run "$f" --set kernel.spinlock=ticket --seed 7 --quiet \
			--json "$tmp/r$i.json" --csv "$tmp/r$i.csv" || ko "run $i failed"
		# Wall-clock time is the one figure that is not simulated.
		grep -v '"wall_time_s"' "$tmp/r$i.json" >"$tmp/r$i.sim.json"
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_time_s") w = i }
			{ $w = ""; print }' "$tmp/r$i.csv" >"$tmp/r$i.sim.csv"
	done
	if cmp -s "$tmp/r1.sim.json" "$tmp/r2.sim.json"; then ok "same seed, byte-identical JSON"
	else ko "same seed, JSON differs: $(diff "$tmp/r1.sim.json" "$tmp/r2.sim.json" | head -5)"; fi
	if cmp -s "$tmp/r1.sim.csv" "$tmp/r2.sim.csv"; then ok "same seed, byte-identical CSV"
	else ko "same seed, CSV differs"; fi
	if grep -q '"throughput"' "$tmp/r1.json" && grep -q '"lockup": false' "$tmp/r1.json"; then
		ok "JSON carries throughput and lockup"
	else ko "JSON lacks throughput or lockup"; fi
	# The fault paths too: speculation, fallbacks, unmap churn, RCU frees.
	for i in 1 2; do
		"$faultsim" run "$src/scenarios/spf-maxtry.ini" --set workload.duration=300us \
			--seed 3 --quiet --json "$tmp/s$i.json" || ko "spf-maxtry run $i failed"
		grep -v '"wall_time_s"' "$tmp/s$i.json" >"$tmp/s$i.sim.json"
	done
	if cmp -s "$tmp/s1.sim.json" "$tmp/s2.sim.json" && grep -q '"spf_attempts"' "$tmp/s1.json"
	then ok "spf-maxtry: same seed, byte-identical JSON"
	else ko "spf-maxtry: JSON differs: $(diff "$tmp/s1.sim.json" "$tmp/s2.sim.json" | head -5)"; fi
}

lockup() {
	local s=$src/scenarios/lock-irqsoff-shootdown.ini
	timeout 60 "$faultsim" run "$s" --json "$tmp/l.json" >"$tmp/stdout" 2>&1
	local rc=$?
	if [ $rc -eq 3 ]; then ok "a lockup exits 3"; else ko "a lockup exited $rc"; fi
	if grep -q '"lockup": true' "$tmp/l.json" && grep -q '"end": "lockup"' "$tmp/l.json"; then
		ok "JSON says lockup"
	else ko "JSON does not say lockup"; fi
	if grep -q 'hard LOCKUP on cpu' "$tmp/stdout" && grep -q 'not acked by cpu' "$tmp/stdout"; then
		ok "the report names the spinner and the missing ack"
	else ko "report: $(cat "$tmp/stdout")"; fi
	if timeout 60 "$faultsim" run "$s" --set workload.spin_irqs_off=false --quiet; then
		ok "IRQs on while spinning: no lockup"
	else ko "IRQs on while spinning still failed"; fi
	s=$src/scenarios/deadlock-spin.ini
	timeout 120 "$faultsim" run "$s" >"$tmp/stdout" 2>&1
	rc=$?
	if [ $rc -eq 3 ] && grep -q 'spinning on spinlock "ptl"' "$tmp/stdout"; then
		ok "deadlock-spin.ini: the spin variant locks up on the PTL"
	else ko "deadlock-spin.ini exited $rc: $(head -12 "$tmp/stdout")"; fi
}

# A small sweep of the study: 3 thread counts x 2 MAX_TRY x 2 seeds.
sweep_args() {
	echo "$src/scenarios/spf-maxtry.ini" --vary workload.threads=8..32x2 --vary kernel.max_try=0,4 \
		--seeds 2 --set workload.duration="$1"
}

sweep() {
	local ref=$tmp/ref rc n
	# shellcheck disable=SC2046
	"$faultsim" sweep $(sweep_args 2ms) --jobs 1 --out "$ref" 2>/dev/null || ko "sweep --jobs 1 failed"
	[ "$(wc -l <"$ref/results.csv")" -eq 13 ] && ok "12 points, one row each" ||
		ko "results.csv has $(wc -l <"$ref/results.csv") lines"
	# shellcheck disable=SC2046
	"$faultsim" sweep $(sweep_args 2ms) --jobs 2 --out "$tmp/j2" 2>/dev/null
	cmp -s "$ref/results.csv" "$tmp/j2/results.csv" && ok "--jobs 1 and --jobs 2: identical results" ||
		ko "--jobs 2 differs: $(diff "$ref/results.csv" "$tmp/j2/results.csv" | head -3)"

	# Killed in the middle, then the same command again.
	# shellcheck disable=SC2046
	"$faultsim" sweep $(sweep_args 2ms) --jobs 1 --out "$tmp/k" 2>/dev/null &
	local pid=$!
	for _ in $(seq 600); do
		[ "$(ls "$tmp/k/points" 2>/dev/null | grep -c '\.json$')" -ge 3 ] && break
		sleep 0.05
	done
	kill -TERM $pid
	wait $pid
	rc=$?
	n=$(($(wc -l <"$tmp/k/results.csv") - 1))
	if [ $rc -ne 0 ] && [ "$n" -ge 3 ] && [ "$n" -lt 12 ]; then
		ok "killed after $n of 12 points: exit $rc, finished rows kept"
	else ko "kill: exit $rc with $n rows"; fi
	# shellcheck disable=SC2046
	"$faultsim" sweep $(sweep_args 2ms) --jobs 2 --out "$tmp/k" 2>"$tmp/resume.err"
	grep -q "already done" "$tmp/resume.err" && ok "the restart skips what was done" ||
		ko "restart: $(cat "$tmp/resume.err")"
	cmp -s "$ref/results.csv" "$tmp/k/results.csv" && ok "killed and resumed: identical results" ||
		ko "resumed differs: $(diff "$ref/results.csv" "$tmp/k/results.csv" | head -3)"
	# Another build's points are not mixed in: a changed model gives other results.
	cp "$faultsim" "$tmp/faultsim-rebuilt" && printf x >>"$tmp/faultsim-rebuilt"
	"$tmp/faultsim-rebuilt" sweep "$src/scenarios/mmap1.ini" --vary workload.threads=1 \
		--set workload.duration=100us --out "$tmp/b" >/dev/null 2>&1
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --vary workload.threads=1 \
		--set workload.duration=100us --out "$tmp/b" >/dev/null 2>"$tmp/stderr"
	rc=$?
	[ $rc -eq 2 ] && grep -q "faultsim build changed" "$tmp/stderr" &&
		ok "a DIR of another build's points: exit 2, said" || ko "another build: exit $rc: $(cat "$tmp/stderr")"

	# The cluster path: command lines for GNU parallel, then --collect.
	# shellcheck disable=SC2046
	"$faultsim" sweep $(sweep_args 2ms) --out "$tmp/p" --emit-jobs "$tmp/jobs.txt" &&
		[ "$(wc -l <"$tmp/jobs.txt")" -eq 12 ] && ok "--emit-jobs: 12 command lines" ||
		ko "--emit-jobs"
	# Collected with one point run: the missing ones are named, exit 1, and the report says so.
	head -1 "$tmp/jobs.txt" | sh
	"$faultsim" sweep --collect "$tmp/p" 2>"$tmp/collect.err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "11 of 12 points have no result yet: threads-8" "$tmp/collect.err" &&
		ok "--collect names missing points" || ko "--collect of one point: exit $rc, $(cat "$tmp/collect.err")"
	"$faultsim" report "$tmp/p" >/dev/null 2>&1
	grep -q '^\*\*Incomplete: 11 of the sweep' "$tmp/p/report.md" && ok "report says a sweep is incomplete" ||
		ko "report of a partial sweep: $(head -5 "$tmp/p/report.md")"
	parallel --will-cite -j 2 <"$tmp/jobs.txt" && "$faultsim" sweep --collect "$tmp/p"
	cmp -s "$ref/results.csv" "$tmp/p/results.csv" && ok "GNU parallel and --collect: identical results" ||
		ko "parallel/collect differs: $(diff "$ref/results.csv" "$tmp/p/results.csv" | head -3)"

	# A point that cannot run is recorded with its reason; the sweep goes on, and exits 1.
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --vary workload.threads=2,500 \
		--set workload.duration=100us --out "$tmp/f" 2>/dev/null
	rc=$?
	[ $rc -eq 1 ] && ok "a sweep with a failed point exits 1" || ko "failed point: sweep exit $rc"
	grep -q '^threads-500_seed-1,500,1,failed,".*500 tasks but the machine has 128 CPUs' "$tmp/f/results.csv" &&
		grep -q '^threads-2_seed-1,2,1,ok' "$tmp/f/results.csv" && ok "a bad point fails alone, with its reason" ||
		ko "failed point: $(cat "$tmp/f/results.csv" | cut -c1-200)"

	# The file's own [sweep] section: the study is one file.
	"$faultsim" sweep "$src/scenarios/spf-maxtry.ini" --set workload.duration=50us \
		--vary workload.threads=4 --seeds 1 --out "$tmp/s" --emit-jobs "$tmp/s.txt" &&
		[ "$(wc -l <"$tmp/s.txt")" -eq 6 ] && ok "[sweep] in the file, --vary overriding one key" ||
		ko "[sweep] section: $(wc -l <"$tmp/s.txt") jobs"

	# Bad input: exit 2, a message naming the problem, nothing written.
	expect_sweep_error "bad LIST" "not a range such as 1..256x2" --vary workload.threads=1..x
	expect_sweep_error "unknown key" "workload.thread: unknown key; did you mean 'threads'?" \
		--vary workload.thread=1,2
	expect_sweep_error "not section.key" "'threads=1' is not section.key=LIST" --vary threads=1
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --vary workload.threads=1 --out /proc/faultsim \
		>/dev/null 2>"$tmp/stderr"
	rc=$?
	[ $rc -eq 2 ] && grep -q "cannot write" "$tmp/stderr" && ok "unwritable DIR: exit 2" ||
		ko "unwritable DIR: exit $rc: $(cat "$tmp/stderr")"
}

expect_sweep_error() {
	local name=$1 want=$2 rc
	shift 2
	"$faultsim" sweep "$src/scenarios/mmap1.ini" "$@" --out "$tmp/bad" >/dev/null 2>"$tmp/stderr"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" "$tmp/stderr" && [ ! -e "$tmp/bad" ]; then
		ok "$name: exit 2, nothing written"
	else ko "$name: exit $rc, stderr '$(cat "$tmp/stderr")', $(ls "$tmp/bad" 2>&1)"; fi
}

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' ')" = "89504e470d0a1a0a" ]; }

plot() {
	local d=$tmp/pl k
	# shellcheck disable=SC2046
	"$faultsim" sweep $(sweep_args 1ms) --out "$d" 2>/dev/null
	for k in scaling latency maxtry breakdown; do
		if "$faultsim" plot "$d" --kind $k >/dev/null && is_png "$d/plots/$k.png" &&
			grep -q '<svg' "$d/plots/$k.svg" && [ -s "$d/plots/$k.gp" ]; then
			ok "$k: PNG, SVG and script"
		else ko "$k: $(ls "$d/plots" | tr '\n' ' ')"; fi
	done
	# The data files hold the swept values.
	awk '!/^#/ && NF { print $1 }' "$d/plots/scaling.dat" | sort -nu | tr '\n' ' ' | grep -qx '8 16 32 ' &&
		ok "scaling.dat holds threads 8, 16, 32" || ko "scaling.dat: $(head -5 "$d/plots/scaling.dat")"
	awk '!/^#/ && NF { print $2 }' "$d/plots/maxtry.dat" | sort -nu | tr '\n' ' ' | grep -qx '0 4 ' &&
		ok "maxtry.dat holds MAX_TRY 0 and 4" || ko "maxtry.dat: $(head -5 "$d/plots/maxtry.dat")"
	grep -q '^usl0(x) = ' "$d/plots/scaling.gp" && ok "the scaling plot draws the USL fit" ||
		ko "no USL curve in scaling.gp"
	(cd "$d/plots" && gnuplot scaling.gp) && ok "the .gp re-runs by hand" || ko "gnuplot scaling.gp failed"
	# Read at a glance: plain key=value labels, the linear reference clipped to the data.
	grep -q 'title "threads=8, max_try=0"' "$d/plots/latency.gp" &&
		grep -q 'title "max_try=4"' "$d/plots/scaling.gp" &&
		grep -q '^set yrange \[0:' "$d/plots/scaling.gp" &&
		ok "plots: key=value labels, the linear reference clipped" ||
		ko "plot labels: $(grep -o 'title "[^"]*"' "$d/plots/latency.gp" | head -2)"
	"$faultsim" report "$d" >/dev/null && grep -q '^## MAX_TRY recommendation' "$d/report.md" &&
		grep -q '^\*\*' "$d/report.md" && grep -q 'plots/maxtry.png' "$d/report.md" &&
		ok "report: results, plots, MAX_TRY recommendation" || ko "report: $(head -20 "$d/report.md")"
	# The criterion weighs the seeds: a p-value per value, not a ratio of means alone.
	grep -q '| p (as fast as the best) |' "$d/report.md" &&
		grep -Eq '^\| [0-9]+ \| 4 \| [0-9.]+ [kM]? ?\| [0-9.]+% \| (0|1)\.[0-9]{3} \|' "$d/report.md" &&
		ok "report: Welch's p-value for each MAX_TRY" || ko "report p-values: $(grep '^| ' "$d/report.md" | head -4)"
	# The text study's own section; no speculative-fault figures where none speculated.
	"$faultsim" sweep "$src/scenarios/thp-text.ini" --vary kernel.text_thp=never,always \
		--vary workload.cache=warm --vary workload.text_aligned=true --vary kernel.thp_fail=0 \
		--set workload.text_size=16m --seeds 1 --out "$tmp/tx" >/dev/null 2>&1
	"$faultsim" report "$tmp/tx" >/dev/null 2>&1
	grep -q '^## Text' "$tmp/tx/report.md" && ! grep -q 'nan%' "$tmp/tx/report.md" &&
		grep -Eq '^\| text_thp-always[^|]* \| [0-9.]+ µs \| [0-9]+ \| 0 \| 0 \(0\.0%\) \|' "$tmp/tx/report.md" &&
		ok "report: the text study's own figures" || ko "text report: $(grep '^|' "$tmp/tx/report.md" | head -8)"
	grep -q '^set ylabel "time until all text is mapped ([mµ]*s)"' "$tmp/tx/plots/scaling.gp" &&
		grep -q 'plots/scaling.png' "$tmp/tx/report.md" &&
		ok "the text study's scaling plot: time until the text is mapped, in its unit" ||
		ko "text scaling plot: $(grep ylabel "$tmp/tx/plots/scaling.gp" 2>&1)"
	# Ten series: two panels of at most eight; times in the unit their range reads in.
	"$faultsim" sweep "$src/scenarios/spf-maxtry.ini" --vary kernel.max_try=0,1,2,3,4 \
		--vary workload.threads=2,4 --set workload.duration=200us --out "$tmp/many" >/dev/null 2>&1
	"$faultsim" plot "$tmp/many" --kind latency >/dev/null 2>"$tmp/many.err"
	most=$(grep '^plot ' "$tmp/many/plots/latency.gp" | awk -F' title ' '{ print NF - 1 }' | sort -n | tail -1)
	unit=$(sed -n 's/^set ylabel "fault latency (\(.*\))".*/\1/p' "$tmp/many/plots/latency.gp")
	top=$(awk '!/^#/ && NF { if ($3 > m) m = $3 } END { print m }' "$tmp/many/plots/latency.dat")
	[ "$(grep -c '^set multiplot layout 2,1' "$tmp/many/plots/latency.gp")" = 2 ] && [ "$most" -le 8 ] &&
		[ -n "$unit" ] && awk -v t="$top" 'BEGIN { exit !(t >= 1 && t < 1000) }' && [ ! -s "$tmp/many.err" ] &&
		ok "latency: ten series faceted into two panels, the axis in $unit" ||
		ko "faceting: layout $(grep -c multiplot "$tmp/many/plots/latency.gp"), $most a panel, unit '$unit', top $top"
	# The maxtry panel marks the report's recommendation.
	"$faultsim" report "$d" >/dev/null 2>&1
	rec=$(sed -n 's/^\*\*Recommendation: MAX_TRY = \([0-9]*\)\.\*\*.*/\1/p' "$d/report.md")
	{ [ -z "$rec" ] || grep -q "label 1 \"recommended: $rec\"" "$d/plots/maxtry.panels"; } &&
		grep -q "report's bound" "$d/plots/maxtry.panels" &&
		ok "maxtry: the bound drawn${rec:+, MAX_TRY=$rec marked}" || ko "maxtry marks: $(grep -c arrow "$d/plots/maxtry.panels")"
	# The lock study reads its collapse: ticket keeps under half its peak at 64 CPUs,
	# qspinlock over 90%; its hottest lock is the study's; no fault breakdown is drawn.
	"$faultsim" sweep "$src/scenarios/lock-collapse.ini" --vary kernel.spinlock=ticket,qspinlock \
		--vary workload.threads=8,64 --set workload.duration=1ms --out "$tmp/lk" >/dev/null 2>&1
	"$faultsim" report "$tmp/lk" >"$tmp/lk.out" 2>&1
	grep -Eq '^\| ticket \| 8 \| [0-9.]+ M \| [0-9.]+ k \(64\) \| [1-4][0-9]% \|$' "$tmp/lk/report.md" &&
		grep -Eq '^\| qspinlock \| 8 \| [0-9.]+ M \| [0-9.]+ M \(64\) \| 9[0-9]% \|$' "$tmp/lk/report.md" &&
		grep -Eq '^\| spinlock-ticket_threads-64 \| `study_lock` \| .* \| 99\.[0-9]% \|' "$tmp/lk/report.md" &&
		! grep -q 'breakdown' "$tmp/lk/report.md" && ! grep -q 'Warning' "$tmp/lk.out" &&
		ok "report: the lock study's peak, collapse and hottest lock" ||
		ko "lock report: $(grep '^|' "$tmp/lk/report.md" | head -12)"
	# The fault-path comparison: each path against classic, with its significance.
	"$faultsim" sweep "$src/scenarios/fault-paths.ini" --vary kernel.fault_path=classic,pervma \
		--set workload.duration=1ms --seeds 3 --out "$tmp/fp" >/dev/null 2>&1
	"$faultsim" report "$tmp/fp" >/dev/null 2>&1
	grep -q '^## Fault paths' "$tmp/fp/report.md" &&
		grep -Eq '^\| all \| pervma \| [0-9.]+ M \| [0-9.]+× \| [01]\.[0-9]{3} \((same|different)\) \|' "$tmp/fp/report.md" &&
		ok "report: each fault path against classic" ||
		ko "paths report: $(sed -n '/## Fault paths/,/## Peak/p' "$tmp/fp/report.md")"
	# compare: the same sweep against itself does not differ; against slower lines it does.
	for v in a b; do
		lat=51ns
		[ $v = b ] && lat=400ns
		"$faultsim" sweep "$src/scenarios/spf-maxtry.ini" --vary workload.threads=8 \
			--vary kernel.max_try=4 --seeds 4 --set workload.duration=1ms \
			--set machine.line_llc=$lat --set machine.line_socket=$lat --out "$tmp/c$v" >/dev/null 2>&1
	done
	"$faultsim" compare "$tmp/ca" "$tmp/ca" --metrics throughput >"$tmp/same.md"
	"$faultsim" compare "$tmp/ca" "$tmp/cb" --metrics throughput --csv "$tmp/cmp.csv" >"$tmp/diff.md"
	grep -q '^| threads-8_max_try-4 | [0-9.e+]* | [0-9.e+]* | 1.000 | no (p = 1) |$' "$tmp/same.md" &&
		grep -q '^| threads-8_max_try-4 | .* | 0\.[0-9]* | yes (p = ' "$tmp/diff.md" &&
		grep -q '^threads-8_max_try-4,throughput,' "$tmp/cmp.csv" &&
		ok "compare: a sweep matches itself, slower lines differ significantly, CSV too" ||
		ko "compare: $(cat "$tmp/same.md" "$tmp/diff.md" | grep '^| thr')"
	# Where no fault speculated, MAX_TRY changes nothing: no recommendation.
	"$faultsim" sweep "$src/scenarios/spf-maxtry.ini" --set kernel.fault_path=pervma \
		--set workload.duration=300us --vary workload.threads=8 --vary kernel.max_try=0,4 --seeds 1 \
		--out "$tmp/pv" >/dev/null 2>&1
	"$faultsim" report "$tmp/pv" >/dev/null 2>&1
	grep -q '^\*\*No recommendation\*\*: no run of this sweep attempted a speculative' "$tmp/pv/report.md" &&
		! grep -q 'Recommendation: MAX_TRY' "$tmp/pv/report.md" &&
		ok "report: no MAX_TRY recommendation where nothing speculated" ||
		ko "pervma report: $(grep -A2 'MAX_TRY rec' "$tmp/pv/report.md")"
	"$faultsim" plot "$d" --kind pie >/dev/null 2>&1
	[ $? -eq 2 ] && ok "unknown --kind: exit 2" || ko "unknown --kind accepted"
	"$faultsim" plot "$d" --y nosuch >/dev/null 2>&1
	[ $? -eq 2 ] && ok "unknown --y column: exit 2" || ko "unknown --y accepted"
}

trace() {
	local t=$tmp/t.json
	"$faultsim" run "$src/scenarios/spf-maxtry.ini" --set workload.threads=8 \
		--set workload.duration=500us --set workload.munmap_ratio=0.05 --quiet --trace "$t"
	if "$trace_check" "$t" >"$tmp/tc"; then ok "valid trace-event JSON, every span closed"
	else ko "trace_check: $(cat "$tmp/tc")"; fi
	for want in "name page fault" "name hold (read) mmap_sem" "name zeroing/copying" \
		"name IPI handler flush_tlb" "name flush_tlb" "name spin on ptl"; do
		grep -qx "$want" "$tmp/tc" && ok "trace has '$want'" || ko "trace lacks '$want'"
	done
	grep -Eq 'events [0-9]+ .* s [1-9][0-9]* f [1-9]' "$tmp/tc" && ok "IPIs drawn as flows" ||
		ko "no IPI flows: $(tail -1 "$tmp/tc")"
	# Spans that explain themselves: the path taken, the loop's tries, why it fell back.
	grep -q '"name":"page fault","args":{"path":"\(speculative\|mmap_sem\)"}' "$t" &&
		grep -q '"name":"pte_map_lock()","args":{\("fallback":"spf_fallback_[a-z_]*",\)\{0,1\}"tries":[1-9]' "$t" &&
		grep -qx "name IRQs off" "$tmp/tc" &&
		ok "trace args: fault path, trylock tries, fallback reason; IRQs-off spans" ||
		ko "trace args: $(grep -o '"args":{[^}]*}' "$t" | sort | uniq -c | sort -rn | head -5)"
	# The lockup demo: the spinning CPU's open spans stay open, the file is whole.
	"$faultsim" run "$src/scenarios/deadlock-spin.ini" --set workload.duration=4ms --quiet \
		--trace "$tmp/l.json" >/dev/null
	"$trace_check" "$tmp/l.json" --open-ok >"$tmp/tl" && grep -qx "name spin, IRQs off, on ptl" "$tmp/tl" &&
		ok "lockup trace shows the spin with IRQs off" || ko "lockup trace: $(tail -3 "$tmp/tl")"
	# A loop workload warms up first: the trace holds the measured window only.
	"$faultsim" run "$src/scenarios/page_fault1.ini" --set workload.processes=0 --set workload.threads=4 \
		--set workload.region=2m --set workload.duration=1ms --quiet --trace "$tmp/w.json" \
		--json "$tmp/w.out.json"
	python3 - "$tmp/w.json" "$tmp/w.out.json" <<'PY' && ok "a warmed-up run's trace starts at its window" ||
import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"] if isinstance(t, dict) else t
first = min(e["ts"] for e in ev if "ts" in e)
warm = json.load(open(sys.argv[2]))["warmup_s"] * 1e6
sys.exit(0 if warm > 0 and warm - 1 <= first <= warm + 50 else f"first event at {first} us, window at {warm} us")
PY
		ko "warm-up traced"
	"$faultsim" run "$src/scenarios/spf-maxtry.ini" --trace "$tmp/big.json" --quiet 2>"$tmp/stderr"
	[ $? -eq 2 ] && grep -q "above the 64 CPU-ms a trace may cover" "$tmp/stderr" &&
		[ ! -e "$tmp/big.json" ] && ok "a big run is refused before it starts" ||
		ko "big trace: $(cat "$tmp/stderr")"
}

calibrate() {
	local p=$tmp/host.ini
	"$faultsim" calibrate --out "$p" || ko "calibrate failed"
	printf '[machine]\nprofile = %s\n[workload]\ntype = page_fault1\nprocesses = 1\nduration = 100us\n' \
		"$p" >"$tmp/use.ini"
	"$faultsim" run "$tmp/use.ini" --quiet && ok "the profile parses back and runs" ||
		ko "the calibrated profile does not load: $(cat "$p")"
	# Every figure positive and physically sane: key, value in base units, bounds.
	awk -F'[ =;]+' '
		function num(v, u) { u = v; sub(/[0-9.]+/, "", u); sub(/[a-zA-Z\/]+$/, "", v)
			return v * (u == "us" ? 1000 : u == "GHz" ? 1e9 : u == "GB/s" ? 1e9 : 1) }
		/^(line_|atomic|ipi_(send|latency|handler)|mem_latency)/ { v = num($2); if (v <= 0 || v > 1e5) bad = bad " " $1 "=" $2 }
		/^mem_bw/ { v = num($2); if (v < 1e8 || v > 1e13) bad = bad " " $1 "=" $2 }
		/^freq/ { v = num($2); if (v < 1e8 || v > 1e10) bad = bad " " $1 "=" $2 }
		/^; fault_4k_ns/ { if ($3 <= 100 || $3 > 1e6) bad = bad " fault_4k=" $3 }
		/^; syscall_ns/ { if ($3 <= 10 || $3 > 1e5) bad = bad " syscall=" $3 }
		END { if (bad) { print bad; exit 1 } }' "$p" && ok "every figure positive and sane" ||
		ko "insane figures: $(awk '/=/' "$p" | head -30)"
	grep -q '^; Each figure: the median' "$p" && grep -Eq 'spread [0-9]+%' "$p" &&
		ok "medians with their spread" || ko "no spread reported"
	# The chased hits are measured, and a cache hit is faster than memory (no
	# finer order: the host's other tenants load it while it measures).
	awk -F'[ =;]+' '/^freq/ { ghz = $2 + 0 } /^cost_l1_hit/ { l1 = $2 } /^l2_hit/ { l2 = $2 }
		/^llc_hit/ { llc = $2 } /^mem_latency =/ { mem = $2 * ghz }
		END { exit !(l1 > 0 && l2 > 0 && llc > 0 && l1 < mem && l2 < mem && llc < mem) }' "$p" &&
		[ "$(grep -cE '^(cost_l1_hit|l2_hit|llc_hit) = .*a chase of dependent loads' "$p")" -eq 3 ] &&
		ok "cost_l1_hit, l2_hit, llc_hit chased, each faster than memory" ||
		ko "chased hits: $(grep -E '^(cost_l1_hit|l2_hit|llc_hit|mem_latency|freq)' "$p")"
	# Every out-of-order core keeps more than one miss in flight, and none
	# as many as the 64 chases that measure it.  A figure calibrate flags
	# NOISY was measured on a busy machine (other tests run beside this
	# one): measure once more before judging it.
	if grep -q '^fill_buffers = .*NOISY' "$p"; then
		"$faultsim" calibrate --out "$p" || ko "calibrate failed"
	fi
	awk -F'[ =;]+' '/^fill_buffers/ { n = $2 } END { exit !(n >= 2 && n < 64) }' "$p" &&
		grep -q '^fill_buffers = .*chases through memory at once' "$p" &&
		ok "fill_buffers measured: misses overlap, fewer than the chases" ||
		ko "fill_buffers: $(grep '^fill_buffers' "$p")"
}

validate() {
	local ref w line counted minflt
	ref="$(dirname "$faultsim")/faultsim-ref"
	for w in page_fault1 pft mixed; do
		line=$("$ref" $w --tasks 1 --seconds 0.3 --warmup 0.1)
		counted=$(echo "$line" | sed 's/.*faults_counted=\([0-9]*\).*/\1/')
		minflt=$(echo "$line" | sed 's/.*minflt=\([0-9]*\).*/\1/')
		# The program's own start-up faults are the only others: a few hundred.
		if [ "$counted" -gt 1000 ] && [ "$minflt" -ge "$counted" ] &&
			[ "$minflt" -le $((counted + counted / 100 + 1000)) ]; then
			ok "$w: $counted faults counted, getrusage says $minflt"
		else ko "$w: counted $counted, getrusage $minflt: $line"; fi
	done
	"$faultsim" validate --threads 1 --seconds 0.3 --out "$tmp/v" >"$tmp/stdout" 2>"$tmp/stderr" ||
		ko "validate failed: $(tail -3 "$tmp/stderr")"
	if [ "$(grep -c '^[a-z_0-9]*,1,[0-9.e+]*,[0-9.e+]*,-\{0,1\}[0-9.]*$' "$tmp/v/validation.csv")" -ge 4 ] &&
		grep -q 'points within 10%; the worst error is' "$tmp/v/validation.md" &&
		grep -q 'Fault path: ' "$tmp/v/validation.md"; then
		ok "a short validation reports measured, predicted and the error: $(cat "$tmp/stdout")"
	else ko "validation: $(cat "$tmp/v/validation.csv")"; fi
}

# expect_run_ok NAME FILE [args]: the run ends normally (exit 0).
expect_run_ok() {
	local name=$1 rc
	shift
	timeout 120 "$faultsim" run "$@" --quiet --json "$tmp/ok.json" >"$tmp/stdout" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else ko "$name: exit $rc: $(head -c 600 "$tmp/stdout")"; fi
}

# peak_rss_kb ARGS: the peak resident set of one faultsim run.
peak_rss_kb() {
	/usr/bin/time -f %M "$faultsim" run "$@" --quiet --json "$tmp/m.json" 2>&1 >/dev/null | tail -1
}

profiles() {
	local m name
	for m in "$src"/machines/*.ini; do
		name=$(basename "$m" .ini)
		base | sed "s|^profile = xeon-icx-2s|profile = $name|;s/^threads = 4/threads = 2/" >"$tmp/$name.ini"
		"$faultsim" check "$tmp/$name.ini" >/dev/null 2>"$tmp/stderr" &&
			ok "$name: every machine key set" || ko "$name: $(cat "$tmp/stderr")"
		# A figure without a source: a key line with no "; [source]" and no "estimate".
		if awk '/^[a-z_]+ *=/ && !/; *\[[a-z0-9]+\]/ && !/estimate/ && !/unused/ && !/^(sockets|cores_per_socket|smt|cores_per_llc) / { print; bad = 1 }
			END { exit bad }' "$m" >"$tmp/nosource"; then
			ok "$name: each figure cites a source or says estimate"
		else ko "$name: no source for: $(cat "$tmp/nosource")"; fi
	done
}

placement() {
	local f=$src/scenarios/page_fault1.ini
	"$faultsim" run "$f" --set workload.processes=2 --set workload.duration=100us \
		--set workload.placement=spread --json "$tmp/p.json" >"$tmp/stdout" 2>&1
	grep -q '^  placement   spread: CPUs 0, 32$' "$tmp/stdout" &&
		ok "spread puts task 1 on the second socket (CPU 32)" || ko "spread: $(grep placement "$tmp/stdout")"
	"$faultsim" run "$f" --set workload.processes=2 --set workload.duration=100us \
		--json "$tmp/p.json" >"$tmp/stdout" 2>&1
	grep -q '^  placement   compact (auto): CPUs 0, 1$' "$tmp/stdout" &&
		ok "page_fault1 is pinned compact by default, as will-it-scale" ||
		ko "compact: $(grep placement "$tmp/stdout")"
	"$faultsim" run "$f" --set workload.processes=2 --set workload.duration=100us \
		--set workload.placement=5,70 --json "$tmp/p.json" >"$tmp/stdout" 2>&1
	grep -q '^  placement   5,70: CPUs 5, 70$' "$tmp/stdout" && ok "a CPU list places each task" ||
		ko "list: $(grep placement "$tmp/stdout")"
	# 2 sockets of 2 cores, an LLC a core: sockets alternate, then LLCs, then the siblings.
	"$faultsim" run "$f" --set machine.sockets=2 --set machine.cores_per_socket=2 \
		--set machine.cores_per_llc=1 --set machine.smt=2 --set workload.processes=8 \
		--set workload.duration=10us --set workload.placement=spread >"$tmp/stdout" 2>&1
	grep -q '^  placement   spread: CPUs 0, 2, 1, 3, 4, 6, 5, 7$' "$tmp/stdout" &&
		ok "spread alternates sockets, then LLCs, SMT siblings last" ||
		ko "spread order: $(grep placement "$tmp/stdout")"
	# pft runs unpinned: the load balancer's spread, across sockets and CCXs.
	printf '[machine]\nprofile = epyc-milan-2s\n[workload]\ntype = pft\nthreads = 4\nduration = 10us\n' >"$tmp/pft.ini"
	"$faultsim" run "$tmp/pft.ini" >"$tmp/stdout" 2>&1
	grep -q '^  placement   spread (auto): CPUs 0, 48, 8, 56$' "$tmp/stdout" &&
		ok "pft is spread by default, as the scheduler places it" ||
		ko "pft: $(grep -E 'placement|error' "$tmp/stdout")"
	expect_error "a CPU off the machine" "[workload] placement: '0-200': CPUs 0-200 are not all on the machine (0-127)" \
		run "$f" --set workload.placement=0-200
	expect_error "too few CPUs listed" "'0-3' lists 4 CPUs for 16 tasks" run "$f" --set workload.placement=0-3
}

reliability() {
	local f rc a b
	# 1. The rw_semaphore's waits stay sound: no false deadlock.
	printf '[machine]\nprofile = xeon-icx-2s\n[workload]\ntype = mixed\nthreads = 4\nmprotect_ratio = 0.05\nmadvise_ratio = 0.05\nduration = 200ms\n' >"$tmp/churn.ini"
	for p in classic spf pervma; do
		expect_run_ok "two kinds of churn, $p: no false deadlock" "$tmp/churn.ini" --set kernel.fault_path=$p
	done
	expect_run_ok "the flagship with cheap line transfers: no false deadlock" \
		"$src/scenarios/spf-maxtry.ini" --set workload.threads=64 --set kernel.max_try=4 --seed 2 \
		--set machine.line_llc=25.5ns --set machine.line_socket=25.5ns --set machine.line_remote=54ns

	# 2. Choice keys take one word.
	f=$(scenario pipe 's/^type = lock/type = lock|page_fault1/')
	expect_error "a choice of two words" "$f:8: [workload] type: 'lock|page_fault1' is not one of" check "$f"
	f=$(scenario pipe2 's/^spinlock = qspinlock/fault_path = spf|pervma/')
	expect_error "fault_path = spf|pervma" "$f:5: [kernel] fault_path: 'spf|pervma' is not one of" run "$f"

	# 3. check ends in bounded time on any input.
	printf 'include /dev/zero\n' >"$tmp/zero.ini"
	expect_error "include /dev/zero" "$tmp/zero.ini:1: include: /dev/zero: not a regular file" check "$tmp/zero.ini"
	f=$(scenario devzero 's|^profile = xeon-icx-2s|profile = /dev/zero|')
	expect_error "profile = /dev/zero" "$f:2: [machine] profile: /dev/zero: not a regular file" check "$f"
	printf 'include %s\n' "$tmp" >"$tmp/dir.ini"
	expect_error "include DIR" "$tmp/dir.ini:1: include: $tmp: not a regular file" check "$tmp/dir.ini"
	for i in 1 2 3 4 5 6 7 8; do
		: >"$tmp/fan$i.ini"
		for _ in 1 2 3 4 5 6 7 8 9 10; do echo "include fan$((i + 1)).ini" >>"$tmp/fan$i.ini"; done
	done
	echo "; leaf" >"$tmp/fan9.ini"
	a=$(date +%s%N)
	expect_error "includes fanning out to 10^8 lines" "more than 100000 lines in all" check "$tmp/fan1.ini"
	b=$((($(date +%s%N) - a) / 1000000))
	[ $b -lt 5000 ] && ok "refused in $b ms" || ko "fan-out took $b ms"

	# 4. Long lines and NUL bytes are refused, not split or cut.
	{ base | sed '/^threads = 4/d'; printf '; %0200d threads = 3\nthreads = 2\n' 0; } >"$tmp/long.ini"
	expect_error "a 203-character line" "$tmp/long.ini:10: line longer than 199 characters" check "$tmp/long.ini"
	{ base | sed '/^threads = 4/d'; printf 'threads = 2\000threads = 5\n'; } >"$tmp/nul.ini"
	expect_error "a NUL byte" "$tmp/nul.ini:10: a NUL byte in the line" check "$tmp/nul.ini"

	# 8. Relative profiles, --set blame, every range reachable with its units.
	mkdir -p "$tmp/sub"
	cp "$src/machines/xeon-icx-2s.ini" "$tmp/sub/m.ini"
	base | sed 's|^profile = xeon-icx-2s|profile = ./m.ini|' >"$tmp/sub/rel.ini"
	(cd / && "$faultsim" check "$tmp/sub/rel.ini" >/dev/null 2>&1) && ok "profile = ./m.ini: beside the scenario" ||
		ko "relative profile not found beside the scenario"
	base | sed 's|^profile = xeon-icx-2s|profile = ./none.ini|' >"$tmp/sub/norel.ini"
	expect_error "a missing profile path says why" "$tmp/sub/norel.ini:2: [machine] profile: $tmp/sub/./none.ini: cannot open: No such file" check "$tmp/sub/norel.ini"
	expect_error "--set makes threads and processes clash" "--set workload.threads=64: [workload] threads: set threads or processes, not both" \
		check "$src/scenarios/page_fault1.ini" --set workload.threads=64
	expect_error "--set makes the topology wrong" "--set machine.cores_per_llc=7: [machine] cores_per_llc: cores_per_llc must divide" \
		check "$src/scenarios/page_fault1.ini" --set machine.cores_per_llc=7
	"$faultsim" check "$src/scenarios/page_fault1.ini" --set workload.region=1t >/dev/null 2>&1 &&
		ok "region = 1t is accepted" || ko "region = 1t refused"

	# 6. Memory does not grow with simulated time where CPUs never meet.
	a=$(peak_rss_kb "$src/scenarios/mmap1.ini" --set workload.threads=0 --set workload.processes=16 --set workload.duration=100ms)
	b=$(peak_rss_kb "$src/scenarios/mmap1.ini" --set workload.threads=0 --set workload.processes=16 --set workload.duration=1s)
	[ "$b" -lt $((a + a / 4)) ] && ok "mmap1, 16 processes: peak RSS $a KB at 100 ms, $b KB at 1 s" ||
		ko "peak RSS grows with time: $a KB at 100 ms, $b KB at 1 s"

	# 7. A large slots count sets up quickly.
	f=$(scenario slots 's/^type = lock/type = mixed\nslots = 100000\nslot = 8k/;s/^duration = 100us/duration = 10us/')
	a=$(date +%s%N)
	timeout 20 "$faultsim" run "$f" --quiet --json "$tmp/sl.json" >/dev/null 2>&1
	rc=$?
	b=$((($(date +%s%N) - a) / 1000000))
	[ $rc -eq 0 ] && [ $b -lt 5000 ] && ok "100,000 slots: set up and run in $b ms" || ko "slots: exit $rc in $b ms"

	# 5. Sweeps: distinct values, distinct points.
	mkdir -p "$tmp/x/a"
	cp "$src/machines/xeon-icx-2s.ini" "$tmp/x/a/b.ini"
	cp "$src/machines/xeon-icx-2s.ini" "$tmp/x/a_b.ini"
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=50us --set workload.threads=2 \
		--vary machine.profile="$tmp/x/a/b.ini,$tmp/x/a_b.ini" --out "$tmp/names" >/dev/null 2>&1
	[ "$(ls "$tmp/names/points" | grep -c '\.json$')" -eq 2 ] && ok "a/b and a_b: two points" ||
		ko "a/b and a_b: $(ls "$tmp/names/points")"
	# Parents of DIR are created.
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=50us --vary workload.threads=2 \
		--out "$tmp/deep/er/dir" >/dev/null 2>&1 && [ -s "$tmp/deep/er/dir/results.csv" ] &&
		ok "sweep --out creates missing parents" || ko "sweep --out with missing parents"
	# Killed with SIGKILL: its runs die with it, and a resumed sweep completes.
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=300ms --set workload.threads=2 \
		--vary workload.region=1m,2m,3m,4m --jobs 2 --out "$tmp/k9" >/dev/null 2>&1 &
	a=$!
	for _ in $(seq 600); do [ "$(pgrep -P $a -c)" -ge 2 ] && break; sleep 0.05; done
	kill -9 $a
	wait $a 2>/dev/null
	sleep 0.5
	if pgrep -f "$tmp/k9/points" >/dev/null; then ko "runs outlived their killed sweep"
	else ok "kill -9 of a sweep: no run outlives it"; fi
	"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=300ms --set workload.threads=2 \
		--vary workload.region=1m,2m,3m,4m --jobs 2 --out "$tmp/k9" >/dev/null 2>&1 &&
		[ "$(grep -c ',ok,' "$tmp/k9/results.csv")" -eq 4 ] && ok "resumed after kill -9: every point ok" ||
		ko "resume after kill -9: $(cat "$tmp/k9/results.csv" | cut -c1-120)"
	# A full disk: points are unfinished with a reason, and run on resume.
	mkdir -p "$tmp/full"
	if mount -t tmpfs -o size=256k tmpfs "$tmp/full" 2>/dev/null; then
		"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=50us --emit-jobs "$tmp/fj.txt" \
			--vary workload.threads=1,2,3 --out "$tmp/full/s" >/dev/null 2>&1
		rm -f "$tmp/fj.txt"
		# Full to the last block: the resumed sweep, whose manifest is
		# already there, reaches its points; they exit 4 and it exits 1.
		i=0
		while dd if=/dev/zero of="$tmp/full/filler$((i += 1))" bs=4k count=1 2>/dev/null; do :; done
		"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=50us \
			--vary workload.threads=1,2,3 --out "$tmp/full/s" >/dev/null 2>"$tmp/full.err"
		rc=$?
		[ $rc -eq 1 ] && [ "$(grep -c "did not finish, exit 4: " "$tmp/full.err")" -eq 3 ] &&
			ok "disk full: exit $rc, each point unfinished with its reason" ||
			ko "disk full: exit $rc: $(head -3 "$tmp/full.err")"
		rm -f "$tmp/full"/filler*
		"$faultsim" sweep "$src/scenarios/mmap1.ini" --set workload.duration=50us \
			--vary workload.threads=1,2,3 --out "$tmp/full/s" >/dev/null 2>&1 &&
			[ "$(grep -c ',ok,' "$tmp/full/s/results.csv")" -eq 3 ] &&
			ok "space freed: the resumed sweep runs every point" ||
			ko "after freeing space: $(cut -c1-150 "$tmp/full/s/results.csv")"
		umount "$tmp/full"
	else
		echo "skipped: disk-full case (cannot mount a tmpfs here)"
	fi
}

# col CSV NAME...: those columns of a one-row CSV, space-separated.
col() {
	local f=$1
	shift
	awk -F, -v want="$*" 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; next }
		{ n = split(want, w, " "); for (j = 1; j <= n; j++) printf "%s%s", (w[j] in at ? $(at[w[j]]) : "?"), j < n ? " " : "\n" }' "$f"
}

steady() {
	local f=$tmp/pf.csv
	# The shipped page_fault1: every phase of the loop inside the measured window.
	"$faultsim" run "$src/scenarios/page_fault1.ini" --quiet --csv "$f" 2>"$tmp/pf.err"
	read -r tasks faults total pgfault pgfree ptfree loops warm <<<"$(col "$f" tasks faults \
		faults_total counters.pgfault counters.pgfree counters.pgtable_free loops_min warmup_s)"
	# No warning of ours (a sanitizer may print its own).
	[ "$loops" -ge 1 ] && [ "$pgfree" -gt 0 ] && [ "$ptfree" -gt 0 ] && [ "$faults" -gt 0 ] &&
		! grep -q '^faultsim:' "$tmp/pf.err" &&
		ok "page_fault1.ini: faults, frees and page-table frees inside the window; every task looped" ||
		ko "page_fault1.ini: loops $loops, pgfree $pgfree, pgtable_free $ptfree: $(cat "$tmp/pf.err")"
	# The warm-up (a full loop of 32768 pages a task at least) is counted nowhere.
	awk -v t="$tasks" -v f="$faults" -v all="$total" -v pg="$pgfault" -v w="$warm" \
		'BEGIN { exit !(w > 0 && all - f >= t * 32768 && pg - f <= t && f - pg <= t) }' &&
		ok "warm-up excluded: $((total - faults)) faults before the window, pgfault = faults ± a task each" ||
		ko "warm-up: faults $faults of $total, pgfault $pgfault, warm-up ${warm}s"
	# Out of step: with no warm-up, some task unmaps within a fifth of a loop.
	"$faultsim" run "$src/scenarios/page_fault1.ini" --set workload.warmup=0 --set workload.processes=8 \
		--set workload.region=16m --set workload.duration=2ms --quiet --csv "$tmp/os.csv" 2>"$tmp/os.err"
	read -r pgfree loops <<<"$(col "$tmp/os.csv" counters.pgfree loops_min)"
	[ "$pgfree" -gt 0 ] && ok "tasks start out of step: $pgfree pages freed in the first 2 ms" ||
		ko "lockstep: no page freed in 2 ms"
	# ... and a run too short for a loop says so.
	[ "$loops" -eq 0 ] && grep -q 'a task completed no full loop' "$tmp/os.err" &&
		ok "a run that ends before every task looped warns" || ko "no warning: loops $loops: $(cat "$tmp/os.err")"
	# Threads: munmap's shootdown reaches the mm's other CPUs inside the window.
	"$faultsim" run "$src/scenarios/page_fault1.ini" --set workload.processes=0 --set workload.threads=8 \
		--set workload.region=16m --set workload.duration=20ms --quiet --csv "$tmp/th.csv"
	read -r shoot ipis <<<"$(col "$tmp/th.csv" tlb.shootdowns ipi.ipis)"
	[ "$shoot" -gt 0 ] && [ "$ipis" -gt 0 ] && ok "threads: $shoot shootdowns, $ipis IPIs in the window" ||
		ko "threads: shootdowns $shoot, IPIs $ipis"
	# The machine's idle share counts the CPUs without a task, as will-it-scale's
	# runtest.py does: 8 tasks on 128 CPUs leave at least 120/128 idle.
	read -r task_idle machine_idle <<<"$(col "$tmp/th.csv" idle.pct idle.machine_pct)"
	awk -v t="$task_idle" -v m="$machine_idle" \
		'BEGIN { exit !(m >= 100 * 120 / 128 && m - (100 * 120 + 8 * t) / 128 < 0.01 && m - (100 * 120 + 8 * t) / 128 > -0.01) }' &&
		ok "idle: the machine's $machine_idle% = 120 idle CPUs and the tasks' $task_idle%" ||
		ko "idle: machine $machine_idle%, tasks $task_idle%"
	# Threads behind munmap's write-held mmap_sem sleep: two context switches each.
	read -r switches <<<"$(col "$tmp/th.csv" idle.context_switches_per_s)"
	awk -v s="$switches" -v t="$task_idle" 'BEGIN { exit !(t > 0 && s > 0) }' &&
		ok "threads that sleep switch: $switches context switches a second" ||
		ko "idle $task_idle%, $switches context switches a second"
	# Spinning: the waiters' share of the tasks' CPU time, overall and per lock.
	"$faultsim" run "$src/scenarios/lock-collapse.ini" --set workload.threads=1 --set workload.duration=1ms \
		--quiet --csv "$tmp/s1.csv"
	"$faultsim" run "$src/scenarios/lock-collapse.ini" --set workload.duration=1ms --csv "$tmp/s32.csv" >"$tmp/s32.out"
	read -r alone <<<"$(col "$tmp/s1.csv" spin.pct)"
	read -r spin lock wait <<<"$(col "$tmp/s32.csv" spin.pct spin.per_lock_pct.study_lock locks.study_lock.wait_total_ns)"
	# 32 CPUs want 32 x 400 ns of every 4.4 us: the lock is oversubscribed 2.9 times.
	awk -v a="$alone" -v s="$spin" -v l="$lock" -v w="$wait" \
		'BEGIN { exit !(a == 0 && s > 50 && s == l && (w / (32 * 1e6) * 100 - s) ^ 2 < 0.01) }' &&
		ok "spin: 1 CPU 0%, 32 CPUs on one lock $spin% of their time, its wait total" ||
		ko "spin: alone $alone, 32 CPUs $spin (lock $lock, wait $wait ns)"
	# The summary prints the idle shares the JSON and CSV hold.
	read -r task_idle machine_idle <<<"$(col "$tmp/s32.csv" idle.pct idle.machine_pct)"
	grep -q "^  idle        $(printf '%.1f' "$task_idle")% of the tasks' CPU time asleep; the machine $(printf '%.1f' "$machine_idle")% idle" "$tmp/s32.out" &&
		ok "the summary prints the idle shares" || ko "summary idle: $(grep '^  idle' "$tmp/s32.out")"
	# warmup is auto or a time.

	"$faultsim" check "$src/scenarios/page_fault1.ini" --set workload.warmup=soon >/dev/null 2>"$tmp/w.err"
	[ $? -eq 2 ] && grep -q 'warmup.*not auto or a time' "$tmp/w.err" && ok "warmup = soon: exit 2, named" ||
		ko "warmup = soon: $(cat "$tmp/w.err")"
}

reference() {
	local d=$tmp/ref h='id,machine,scenario,mode,tasks,set,metric,published,bound_pct,source'
	mkdir -p "$d"
	{
		echo "$h"
		echo "a,$src/machines/xeon-bdw-2s.ini,$src/scenarios/mmap1.ini,threads,2,workload.duration=1ms,throughput,100000,1000,\"a source, quoted\""
		echo "b,$src/machines/xeon-bdw-2s.ini,$src/scenarios/mmap1.ini,processes,2,workload.duration=1ms,throughput,100000,1000,src"
	} >"$d/reference.csv"
	printf 'id,expect,known_miss,source\nmore,b > a,false,s\nband,1 <= a <= 1e12,false,s\nknown,a > 1e12,true,s\n' >"$d/shapes.csv"
	"$faultsim" reference "$d/reference.csv" --out "$d/out" >"$tmp/r.out" 2>"$tmp/r.err"
	rc=$?
	[ $rc -eq 0 ] && [ -s "$d/out/plots/reference.png" ] && grep -q '<svg' "$d/out/plots/reference.svg" &&
		grep -Eq '^\| a \| xeon-bdw-2s.ini \| mmap1.ini 2 threads \| 100 k \| [0-9.]+ [kM]? ?\| [-+][0-9]+% \| ±1000% \| yes \|$' "$d/out/reference.md" &&
		grep -q '^| more | `b > a` | yes |$' "$d/out/reference.md" &&
		grep -q '^| known | `a > 1e12` | no (a known miss) |$' "$d/out/reference.md" &&
		grep -Eq '^b,throughput,100000,[0-9.e+]*,[-0-9.]*,1000,yes,1,[0-9.e+]+,[0-9.e+]+$' "$d/out/reference.csv" &&
		ok "two rows within their bounds, shapes hold: exit 0, table, CSV and plot" ||
		ko "reference: exit $rc: $(cat "$d/out/reference.md" "$tmp/r.err" 2>&1 | head -12)"
	# Several seeds: the median, shown with the lowest and the highest.
	mkdir -p "$d/one"
	{
		echo "$h"
		echo "a,$src/machines/xeon-bdw-2s.ini,$src/scenarios/page_fault1.ini,threads,2,workload.duration=1ms workload.warmup=1ms,throughput,100000,1000,s"
	} >"$d/one/reference.csv"
	"$faultsim" reference "$d/one/reference.csv" --out "$d/seeds" --seeds 3 >/dev/null 2>&1
	local runs
	runs=$(col "$d/seeds/rows/a/results.csv" throughput | sort -g | tr '\n' ' ')
	set -- $runs
	[ $# -eq 3 ] && [ "$1" != "$3" ] &&
		awk -F, -v lo="$1" -v mid="$2" -v hi="$3" 'function near(x, y) { return (x - y) ^ 2 <= (1e-9 * y) ^ 2 }
			$1 == "a" { exit !($8 == 3 && near($4, mid) && near($9, lo) && near($10, hi)) }' "$d/seeds/reference.csv" &&
		grep -Eq '^\| a \| .* \| [0-9.]+ [kM]? ?\([0-9.]+ [kM]? ?–[0-9.]+ [kM]? ?\) \|' "$d/seeds/reference.md" &&
		ok "--seeds 3: three runs a row, the median shown with the lowest and the highest" ||
		ko "--seeds 3: runs $runs: $(cat "$d/seeds/reference.csv" "$d/seeds/reference.md" 2>&1 | head -8)"
	# Resumed: nothing runs again; a row that changed runs afresh.
	touch -d '2000-01-01' "$d/out/rows/a/results.csv"
	sed -i 's/threads,2,/threads,3,/' "$d/reference.csv"
	"$faultsim" reference "$d/reference.csv" --out "$d/out" >/dev/null 2>&1
	[ "$(col "$d/out/rows/a/results.csv" status tasks)" = "ok 3" ] &&
		ok "a changed row runs again, with its new settings" || ko "changed row: $(cat "$d/out/rows/a.row")"
	# Another faultsim build (the model changed): every row runs again.
	cp "$faultsim" "$tmp/faultsim-rebuilt" && printf x >>"$tmp/faultsim-rebuilt"
	touch -d '2000-01-01' "$d/out/rows/b/results.csv"
	"$tmp/faultsim-rebuilt" reference "$d/reference.csv" --out "$d/out" >/dev/null 2>"$tmp/rb.err"
	[ "$(stat -c %Y "$d/out/rows/b/results.csv")" -gt 946684800 ] && ! grep -q "did not run" "$tmp/rb.err" &&
		ok "rows of another build run again" || ko "rebuilt: $(cat "$tmp/rb.err")"
	# A bound exceeded or a shape broken: exit 1, and the table says which.
	sed -i 's/,1000,src$/,1,src/' "$d/reference.csv"
	printf 'id,expect,known_miss,source\nless,b < a,false,s\n' >"$d/shapes.csv"
	"$faultsim" reference "$d/reference.csv" --out "$d/out" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q '| ±1% | \*\*no\*\* |$' "$d/out/reference.md" && grep -q '^| less | `b < a` | \*\*no\*\* |$' "$d/out/reference.md" &&
		ok "a point past its bound and a broken shape: exit 1, marked" || ko "misses: exit $rc: $(cat "$d/out/reference.md")"
	# Bad rows: exit 2, the file, the line and the column named; nothing written.
	ref_error() {
		"$faultsim" reference "$2" --out "$d/bad-out" >/dev/null 2>"$tmp/re.err"
		local rc=$?
		[ $rc -eq 2 ] && grep -qF -- "$3" "$tmp/re.err" && [ ! -e "$d/bad-out" ] && ok "$1: exit 2, named" ||
			ko "$1: exit $rc: $(cat "$tmp/re.err")"
	}
	printf '%s\nx,%s,%s,threads,2,,throughput,1,30,s\n' "$h" "$src/machines/xeon-bdw-2s.ini" "$src/scenarios/mmap1.ini" >"$d/bad.csv"
	cp "$d/bad.csv" "$d/b1.csv" && sed -i '2s/threads,2/thread,2/' "$d/b1.csv"
	ref_error "mode thread" "$d/b1.csv" "$d/b1.csv:2: mode: 'thread' is not threads or processes"
	cp "$d/bad.csv" "$d/b2.csv" && sed -i '2s/,s$/,/' "$d/b2.csv"
	ref_error "no source" "$d/b2.csv" "$d/b2.csv:2: source: every published figure names its source"
	cp "$d/bad.csv" "$d/b5.csv" && sed -i '2s/throughput/spin/' "$d/b5.csv"
	ref_error "metric spin" "$d/b5.csv" "$d/b5.csv:2: metric: 'spin' is not throughput, idle_pct, spin_pct or switches"
	cp "$d/bad.csv" "$d/b3.csv" && sed -i '1s/bound_pct/bound/' "$d/b3.csv"
	ref_error "header" "$d/b3.csv" "$d/b3.csv:1: header: column bound_pct expected"
	cp "$d/bad.csv" "$d/b4.csv" && printf 'id,expect,known_miss,source\nq,x >> 2,false,s\n' >"$d/shapes.csv"
	ref_error "bad shape" "$d/b4.csv" "$d/shapes.csv:2: expect: 'x >> 2' is not"
}

"$group"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

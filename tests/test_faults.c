/* tests/test_faults.c - the fault paths behave as the kernels they model. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "../models/mm.h"
#include "../models/page_alloc.h"
#include "../models/vmstat.h"
#include "harness.h"

/* What a child reports back, by name: counters, then the few extras below. */
static const char *const wanted[] = {
    "pgfault",
    "fault_done_classic",
    "fault_done_spf",
    "fault_done_vma_lock",
    "fault_sigsegv",
    "spf_attempts",
    "spf_success",
    "spf_fallback_seq_changed",
    "spf_fallback_trylock_limit",
    "thp_fault_alloc",
    "thp_fault_fallback",
    "vma_lock_success",
    "vma_lock_retry",
    "vma_lock_abort",
    "cow_fault",
    "nr_dirtied",
    "pgfree",
    "pgtable_free",
    "tlb_flush_nested",
};
#define NR_WANTED     (int)(sizeof(wanted) / sizeof(wanted[0]))
#define OUT_OPS	      NR_WANTED
#define OUT_FAULTS    (NR_WANTED + 1)
#define OUT_LOOP      (NR_WANTED + 2) /* worst time inside pte_map_lock()'s loop */
#define OUT_FALLBACKS (NR_WANTED + 3) /* every spf_fallback_* counter */
#define OUT_IRQS_OFF  (NR_WANTED + 4) /* the loop's longest IRQs-off span */
#define OUT_TRIES     (NR_WANTED + 5) /* the most failed tries of one loop */
#define OUT_SEM_WAIT  (NR_WANTED + 6) /* ns every task waited on mmap_sem */
#define OUT_SHOOTDOWN (NR_WANTED + 7) /* TLB flushes sent */
#define OUT_IPIS      (NR_WANTED + 8) /* IPIs they sent */
#define OUT_LAZY      (NR_WANTED + 9) /* CPUs they skipped: lazy TLB */

static int out_index(const char *name)
{
	for (int i = 0; i < NR_WANTED; i++)
		if (strcmp(wanted[i], name) == 0)
			return i;
	abort();
}

static double v(const struct child_result *r, const char *name)
{
	return r->v[out_index(name)];
}

/*
 * Counters cover the measured window.  These runs measure from the start,
 * so only its end cuts operations: one a task is in when the window
 * closes has counted its start but not its end.  Counts of an operation's
 * start and of its end agree up to one operation a task, never the other
 * way.
 */
static bool adds_up(double starts, double ends, int tasks)
{
	return starts >= ends && starts - ends <= tasks;
}

static void fault_collect(double *out)
{
	struct workload_result w;
	struct named_histogram *h;

	workload_find("mixed")->collect(&w); /* every fault workload collects alike */
	for (int i = 0; i < NR_WANTED; i++)
		out[i] = (double)counter_get(wanted[i])->value;
	out[OUT_OPS] = (double)w.ops;
	out[OUT_FAULTS] = (double)w.faults_total;
	for (h = named_histogram_first(); h; h = h->next)
		if (strcmp(h->name, "spf_pte_map_lock_loop_ns") == 0)
			out[OUT_LOOP] = h->hist.max;
		else if (strcmp(h->name, "spf_pte_map_lock_irqs_off_ns") == 0)
			out[OUT_IRQS_OFF] = h->hist.max;
		else if (strcmp(h->name, "spf_trylock_failures") == 0)
			out[OUT_TRIES] = h->hist.max;
	out[OUT_SEM_WAIT] = lock_class_get("mmap_sem")->wait_total;
	out[OUT_SHOOTDOWN] = (double)tlb_stats.shootdowns;
	out[OUT_IPIS] = (double)ipi_stats.ipis;
	out[OUT_LAZY] = (double)tlb_stats.lazy_skipped;
	for (struct counter *c = counter_first(); c; c = c->next)
		if (strncmp(c->name, "spf_fallback_", 13) == 0)
			out[OUT_FALLBACKS] += (double)c->value;
}

static void fault_body(void *arg, double *out)
{
	const struct workload_params *p = arg;

	(void)out;
	workload_find(p->type)->start(p);
}

/* A mixed workload of threads on a 32-CPU machine: the base most tests vary. */
static struct workload_params mixed(int threads, enum fault_path_kind path)
{
	return (struct workload_params){
	    .type = "mixed",
	    .tasks = threads,
	    .duration = 1e6,
	    .kernel = {.fault_path = path},
	    .slot = 2UL << 20,
	    .slots = 4,
	    .shared = true,
	};
}

static struct child_result run_seed(struct workload_params p, unsigned long seed)
{
	struct sim_config cfg = test_config(2, 16, 1);
	struct child_result r;

	cfg.watchdog_thresh = 5e6;
	cfg.seed = seed;
	child_after_run = fault_collect;
	run_child(&cfg, fault_body, &p, p.duration + 2e7, &r);
	return r;
}

static struct child_result run(struct workload_params p)
{
	return run_seed(p, 1);
}

static void test_spf_outcomes_add_up(void)
{
	struct workload_params p = mixed(8, FAULT_PATH_SPF);
	struct child_result quiet = run(p), churn;

	CHECK(quiet.outcome.end == SIM_END_OK, "%s", quiet.outcome.report);
	CHECK(v(&quiet, "spf_attempts") > 1000, "%g attempts", v(&quiet, "spf_attempts"));
	/*
	 * No writer: nothing can change under a speculative fault.  The only
	 * fallbacks are the ones SPF v12 takes by design: the first fault of
	 * a VMA (no anon_vma yet) and of a PMD (no page table yet).
	 */
	CHECK(v(&quiet, "spf_fallback_seq_changed") == 0, "%g",
	      v(&quiet, "spf_fallback_seq_changed"));
	CHECK(v(&quiet, "spf_fallback_trylock_limit") == 0, "%g",
	      v(&quiet, "spf_fallback_trylock_limit"));
	/* At most each thread's first fault in each of the 4 VMAs, 4 PMDs. */
	CHECK(quiet.v[OUT_FALLBACKS] <= 8 * (4 + 4), "%g fallbacks", quiet.v[OUT_FALLBACKS]);
	CHECK(adds_up(v(&quiet, "spf_attempts"), v(&quiet, "spf_success") + quiet.v[OUT_FALLBACKS],
		      p.tasks),
	      "%g attempts != %g successes + %g fallbacks", v(&quiet, "spf_attempts"),
	      v(&quiet, "spf_success"), quiet.v[OUT_FALLBACKS]);

	p.munmap_ratio = 0.01;
	churn = run(p);
	CHECK(churn.outcome.end == SIM_END_OK, "%s", churn.outcome.report);
	CHECK(v(&churn, "spf_fallback_seq_changed") > 0, "unmap churn, yet no fallback");
	CHECK(adds_up(v(&churn, "spf_attempts"), v(&churn, "spf_success") + churn.v[OUT_FALLBACKS],
		      p.tasks),
	      "%g attempts != %g successes + %g fallbacks", v(&churn, "spf_attempts"),
	      v(&churn, "spf_success"), churn.v[OUT_FALLBACKS]);
}

static void test_maxtry_bounds_the_loop(void)
{
	/* 24 threads writing one 2 MiB VMA in turn: one page table, one PTL. */
	struct workload_params p = mixed(24, FAULT_PATH_SPF);
	struct child_result unbounded, bounded;

	p.slots = 1;
	p.munmap_ratio = 0.002;
	unbounded = run(p);
	p.kernel.max_try = 1;
	bounded = run(p);
	CHECK(unbounded.outcome.end == SIM_END_OK, "%s", unbounded.outcome.report);
	CHECK(bounded.outcome.end == SIM_END_OK, "%s", bounded.outcome.report);
	CHECK(v(&unbounded, "spf_fallback_trylock_limit") == 0, "unbounded loop gave up");
	CHECK(v(&bounded, "spf_fallback_trylock_limit") > 0, "max_try = 1 never gave up");
	CHECK(bounded.v[OUT_FALLBACKS] / v(&bounded, "spf_attempts") >
		  unbounded.v[OUT_FALLBACKS] / v(&unbounded, "spf_attempts"),
	      "fallback ratio %g (max_try 1) <= %g (unbounded)",
	      bounded.v[OUT_FALLBACKS] / v(&bounded, "spf_attempts"),
	      unbounded.v[OUT_FALLBACKS] / v(&unbounded, "spf_attempts"));
	CHECK(unbounded.v[OUT_LOOP] > 2 * bounded.v[OUT_LOOP],
	      "worst time in the loop: unbounded %g ns, max_try 1 %g ns", unbounded.v[OUT_LOOP],
	      bounded.v[OUT_LOOP]);
	/* IRQs go back on between tries: the longest span off is one try, however long the loop. */
	CHECK(unbounded.v[OUT_IRQS_OFF] < 5000 && unbounded.v[OUT_IRQS_OFF] > 0 &&
		  unbounded.v[OUT_LOOP] > 10 * unbounded.v[OUT_IRQS_OFF],
	      "unbounded: longest IRQs-off span %g ns in a loop of up to %g ns",
	      unbounded.v[OUT_IRQS_OFF], unbounded.v[OUT_LOOP]);
}

/* MAX_TRY = N: a loop that gives up has failed exactly N tries, never more. */
static void test_maxtry_counts_tries(void)
{
	struct workload_params p = mixed(24, FAULT_PATH_SPF);

	p.slots = 1;
	p.munmap_ratio = 0.002;
	for (int n = 1; n <= 8; n *= 2) {
		struct child_result r;

		p.kernel.max_try = n;
		r = run(p);
		CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
		CHECK(v(&r, "spf_fallback_trylock_limit") > 0, "max_try %d never gave up", n);
		CHECK(r.v[OUT_TRIES] == n, "max_try %d: a loop failed %g tries", n, r.v[OUT_TRIES]);
	}
}

/*
 * MADV_DONTNEED under SPF: zap_page_range() bumps vm_sequence, so a
 * speculative fault on the VMA during the zap falls back with seq_changed;
 * madvise changes no VMA, so nothing else can make that fallback here.
 */
static void test_spf_madvise_falls_back(void)
{
	struct workload_params p = mixed(16, FAULT_PATH_SPF);
	struct child_result r;

	p.slots = 2;
	p.madvise_ratio = 0.02;
	r = run(p);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(v(&r, "spf_fallback_seq_changed") > 0,
	      "no speculative fault fell back on a zap (%g attempts)", v(&r, "spf_attempts"));
	CHECK(adds_up(v(&r, "spf_attempts"), v(&r, "spf_success") + r.v[OUT_FALLBACKS], p.tasks),
	      "%g attempts != %g successes + %g fallbacks", v(&r, "spf_attempts"),
	      v(&r, "spf_success"), r.v[OUT_FALLBACKS]);
}

/*
 * munmap (5.0+) zaps with mmap_sem downgraded to read: the other threads'
 * faults on their own VMAs go on meanwhile instead of sleeping through
 * the zap, its shootdowns and the frees.  Regions of 16 MiB make the zap
 * long beside what each sleep and wake-up costs anyway: since the rwsem's
 * wait_lock is held while sleepers queue and are woken, 8 MiB regions
 * leave 19% fewer waits where 16 MiB leave 37%.
 */
static void test_munmap_downgrade_lets_faults_in(void)
{
	struct workload_params p = {
	    .type = "page_fault1",
	    .tasks = 8,
	    .duration = 3e6,
	    .region = 16UL << 20,
	};
	struct child_result held, downgraded;

	held = run(p);
	p.kernel.munmap_downgrade = true;
	downgraded = run(p);
	CHECK(held.outcome.end == SIM_END_OK, "%s", held.outcome.report);
	CHECK(downgraded.outcome.end == SIM_END_OK, "%s", downgraded.outcome.report);
	CHECK(downgraded.v[OUT_SEM_WAIT] < 0.75 * held.v[OUT_SEM_WAIT],
	      "waited on mmap_sem: %g ns downgraded, %g ns held for write",
	      downgraded.v[OUT_SEM_WAIT], held.v[OUT_SEM_WAIT]);
	CHECK(downgraded.v[OUT_OPS] > held.v[OUT_OPS], "%g pages written downgraded, %g held",
	      downgraded.v[OUT_OPS], held.v[OUT_OPS]);
}

/* A will-it-scale loop workload of small regions, no warm-up: every phase runs. */
static struct workload_params loop_workload(const char *type, int tasks, bool processes)
{
	return (struct workload_params){
	    .type = type,
	    .tasks = tasks,
	    .processes = processes,
	    .duration = 3e6,
	    .region = 2UL << 20,
	};
}

/*
 * page_fault2: every write to the private file mapping copies its page
 * from the page cache (do_cow_fault()); the copies are freed by munmap,
 * the page cache keeps the file's pages.
 */
static void test_page_fault2_copies(void)
{
	struct child_result r = run(loop_workload("page_fault2", 4, true));

	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(v(&r, "cow_fault") > 2 * 512 * 4 && adds_up(v(&r, "pgfault"), v(&r, "cow_fault"), 4),
	      "%g COW faults of %g faults", v(&r, "cow_fault"), v(&r, "pgfault"));
	CHECK(v(&r, "pgfree") >= v(&r, "cow_fault") - 4 * 512,
	      "%g pages freed of %g copies (at most a region a task still mapped)", v(&r, "pgfree"),
	      v(&r, "cow_fault"));
	CHECK(v(&r, "nr_dirtied") == 0, "a private mapping dirtied %g cached pages",
	      v(&r, "nr_dirtied"));
}

/*
 * page_fault3: writes go to the page-cache pages themselves, which are
 * dirtied (once: they stay dirty); munmap frees nothing and, as threads,
 * flushes the other CPUs' TLBs.
 */
static void test_page_fault3_dirties(void)
{
	struct child_result r = run(loop_workload("page_fault3", 4, false));

	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(v(&r, "pgfault") > 2 * 512 * 4, "%g faults", v(&r, "pgfault"));
	CHECK(v(&r, "cow_fault") == 0, "%g COW faults", v(&r, "cow_fault"));
	CHECK(v(&r, "nr_dirtied") == 4 * 512, "%g pages dirtied: each of 4 files' 512, once",
	      v(&r, "nr_dirtied"));
	CHECK(v(&r, "pgfree") == v(&r, "pgtable_free"), "%g pages freed, %g of them page tables",
	      v(&r, "pgfree"), v(&r, "pgtable_free"));
	/* Each shootdown IPIs the other three or finds them lazy (asleep, or gone to init_mm). */
	CHECK(r.v[OUT_SHOOTDOWN] > 0 && r.v[OUT_IPIS] >= r.v[OUT_SHOOTDOWN] &&
		  r.v[OUT_IPIS] + r.v[OUT_LAZY] == 3 * r.v[OUT_SHOOTDOWN],
	      "%g shootdowns, %g IPIs, %g lazy CPUs skipped", r.v[OUT_SHOOTDOWN], r.v[OUT_IPIS],
	      r.v[OUT_LAZY]);
}

/*
 * A dirty shared PTE forces the TLB flush before its table's PTL is
 * dropped: page_fault3's munmap of a 4 MiB region (two tables) flushes
 * after each table and once more as it frees them, three shootdowns for
 * two tables freed.  page_fault1's anonymous pages wait for the one flush
 * at the end, one for two tables.
 */
static void test_page_fault3_flushes_per_table(void)
{
	struct workload_params p = loop_workload("page_fault3", 2, false);
	struct child_result shared, anon;

	p.region = 4UL << 20;
	p.duration = 8e6;
	shared = run(p);
	p.type = "page_fault1";
	anon = run(p);
	CHECK(shared.outcome.end == SIM_END_OK, "%s", shared.outcome.report);
	CHECK(anon.outcome.end == SIM_END_OK, "%s", anon.outcome.report);
	CHECK(v(&shared, "pgtable_free") >= 4 && v(&anon, "pgtable_free") >= 4,
	      "tables freed: %g by page_fault3, %g by page_fault1", v(&shared, "pgtable_free"),
	      v(&anon, "pgtable_free"));
	CHECK(shared.v[OUT_SHOOTDOWN] >= 1.25 * v(&shared, "pgtable_free"),
	      "page_fault3: %g shootdowns, %g tables freed", shared.v[OUT_SHOOTDOWN],
	      v(&shared, "pgtable_free"));
	CHECK(anon.v[OUT_SHOOTDOWN] <= 0.75 * v(&anon, "pgtable_free"),
	      "page_fault1: %g shootdowns, %g tables freed", anon.v[OUT_SHOOTDOWN],
	      v(&anon, "pgtable_free"));
}

/*
 * Commit 5df397dec7c4 as merged: the rmap of a dirty shared page is
 * removed after the flush, and while one waits the gather takes no new
 * batch, so it fills at its on-stack bundle of 8 pages: a 2 MiB table's
 * zap flushes 64 times where it used to flush once.
 */
static void test_zap_delay_rmap_flushes_per_bundle(void)
{
	struct workload_params p = loop_workload("page_fault3", 2, false);
	struct child_result merged, before;

	before = run(p);
	p.kernel.zap_delay_rmap = true;
	merged = run(p);
	CHECK(merged.outcome.end == SIM_END_OK, "%s", merged.outcome.report);
	CHECK(v(&merged, "pgtable_free") >= 2 && v(&before, "pgtable_free") >= 2,
	      "tables freed: %g delayed, %g before", v(&merged, "pgtable_free"),
	      v(&before, "pgtable_free"));
	CHECK(merged.v[OUT_SHOOTDOWN] >= 48 * v(&merged, "pgtable_free"),
	      "rmaps delayed: %g shootdowns, %g tables freed", merged.v[OUT_SHOOTDOWN],
	      v(&merged, "pgtable_free"));
	CHECK(before.v[OUT_SHOOTDOWN] <= 3 * v(&before, "pgtable_free"),
	      "before: %g shootdowns, %g tables freed", before.v[OUT_SHOOTDOWN],
	      v(&before, "pgtable_free"));
}

/*
 * page_fault3 writes the page-cache page itself, so each loop pulls a
 * data line a page through the caches beside the struct page its fault
 * locks.  With 512 KiB of reach (a 256 KiB L2 and as much of the LLC), a
 * 2 MiB region's loop fits and a 16 MiB one's (900 KiB of lines) does
 * not: its faults find their struct pages in memory.  Without the data
 * lines, part of them would still be in reach (about 60 ns a page more
 * than 2 MiB's, against 87).
 */
static void test_page_fault3_data_lines(void)
{
	struct sim_config cfg = test_config(2, 16, 1);
	struct workload_params p = loop_workload("page_fault3", 1, true);
	struct child_result small, large;
	double small_ns, large_ns;

	cfg.machine.tlb.l2_size = 256 << 10;
	cfg.machine.tlb.llc_size = 16 * (256 << 10);
	child_after_run = fault_collect;
	/* The first loop zeroes the file's pages: measure from the third on. */
	p.warmup = 12e6;
	p.duration = 6e6;
	p.region = 2UL << 20;
	run_child(&cfg, fault_body, &p, 1e9, &small);
	p.region = 16UL << 20;
	run_child(&cfg, fault_body, &p, 1e9, &large);
	CHECK(small.outcome.end == SIM_END_OK && large.outcome.end == SIM_END_OK, "%s%s",
	      small.outcome.report, large.outcome.report);
	/* Time a page written, its share of the loop's mmap and munmap included. */
	small_ns = p.duration / small.v[OUT_OPS];
	large_ns = p.duration / large.v[OUT_OPS];
	CHECK(large_ns - small_ns >= 0.9 * cfg.machine.mem_latency,
	      "a page costs %.0f ns in a 16 MiB region, %.0f ns in 2 MiB", large_ns, small_ns);
}

/*
 * tlb_flush2 as threads: each operation's madvise flushes every other
 * CPU of the mm - a shootdown per operation, an IPI to each other thread
 * but those asleep (on mmap_sem, behind a munmap), which are lazy - and
 * its read back faults once more, to map the zero page.
 */
static void test_tlb_flush2_shoots_down(void)
{
	struct workload_params p = loop_workload("tlb_flush2", 4, false);
	struct child_result r;

	p.region = 0;
	p.duration = 1e6;
	r = run(p);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(r.v[OUT_OPS] > 100, "%g operations", r.v[OUT_OPS]);
	CHECK(r.v[OUT_SHOOTDOWN] >= r.v[OUT_OPS], "%g shootdowns for %g madvises",
	      r.v[OUT_SHOOTDOWN], r.v[OUT_OPS]);
	/* Each of the other three CPUs gets an IPI or is skipped, counted as the shootdown is. */
	CHECK(r.v[OUT_IPIS] + r.v[OUT_LAZY] == 3 * r.v[OUT_SHOOTDOWN],
	      "%g IPIs and %g lazy CPUs skipped for %g shootdowns of 4 threads", r.v[OUT_IPIS],
	      r.v[OUT_LAZY], r.v[OUT_SHOOTDOWN]);
	CHECK(r.v[OUT_IPIS] > r.v[OUT_OPS], "%g IPIs for %g madvises", r.v[OUT_IPIS], r.v[OUT_OPS]);
	/* Four threads zapping at once: some madvise() ends beside another's gather. */
	CHECK(v(&r, "tlb_flush_nested") > 0, "%g nested flushes for %g madvises",
	      v(&r, "tlb_flush_nested"), r.v[OUT_OPS]);
	/* The write, then the assert()'s read after the madvise: two faults an operation. */
	CHECK(adds_up(v(&r, "pgfault"), 2 * r.v[OUT_OPS], 2 * p.tasks),
	      "%g faults for %g operations", v(&r, "pgfault"), r.v[OUT_OPS]);
	p.processes = true;
	r = run(p);
	CHECK(r.v[OUT_IPIS] == 0, "processes: %g IPIs", r.v[OUT_IPIS]);
	CHECK(v(&r, "tlb_flush_nested") == 0, "processes: %g nested flushes",
	      v(&r, "tlb_flush_nested"));
}

/*
 * A shootdown storm slows tlb_flush2 down, it does not stop it: with 12
 * threads each CPU takes 11 IPIs an operation, twice what it takes with 6,
 * and the throughput stays above half.  It collapsed to a tenth when the
 * sender's IPIs landed in their targets' past (the sender was itself
 * interrupted while sending) and a handler queued behind another was
 * charged to its CPU twice.
 */
static void test_tlb_flush2_storm_holds(void)
{
	struct workload_params p = loop_workload("tlb_flush2", 6, false);
	struct child_result six, twelve;

	p.region = 0;
	p.duration = 1e6;
	six = run(p);
	p.tasks = 12;
	twelve = run(p);
	CHECK(six.outcome.end == SIM_END_OK && twelve.outcome.end == SIM_END_OK, "%s%s",
	      six.outcome.report, twelve.outcome.report);
	CHECK(twelve.v[OUT_OPS] > six.v[OUT_OPS] / 2, "12 threads: %g operations, 6: %g",
	      twelve.v[OUT_OPS], six.v[OUT_OPS]);
}

/*
 * workload.loop_jitter adds up to its value of user work after each loop,
 * uniformly at random: a task alone, looping over 16 pages, takes half the
 * value longer a loop on average (1% of it is the draws' own spread over
 * about 500 loops).
 */
static void test_loop_jitter_adds_work(void)
{
	struct workload_params p = loop_workload("page_fault1", 1, true);
	const double jitter = 100e3, pages = 16;
	struct child_result steady, jittered;
	double longer;

	p.region = (unsigned long)pages * PAGE_SIZE;
	p.duration = 50e6;
	steady = run(p);
	p.loop_jitter = jitter;
	jittered = run(p);
	CHECK(steady.outcome.end == SIM_END_OK && jittered.outcome.end == SIM_END_OK, "%s%s",
	      steady.outcome.report, jittered.outcome.report);
	longer = p.duration * pages / jittered.v[OUT_OPS] - p.duration * pages / steady.v[OUT_OPS];
	CHECK(fabs(longer - jitter / 2) < 0.1 * jitter / 2,
	      "a loop takes %g ns longer with loop_jitter = %g ns (%g loops, %g without)", longer,
	      jitter, jittered.v[OUT_OPS] / pages, steady.v[OUT_OPS] / pages);
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_spin_variant_locks_up(void)
{
	/*
	 * scenarios/deadlock-spin.ini in small: MADV_DONTNEED zaps a 64 MiB
	 * VMA while threads write random pages of it; the zap's gather fills
	 * and it flushes TLBs holding a PTL.  zap_page_range() bumps
	 * vm_sequence, so most speculative faulters bail out, but one that
	 * checked it just before the zap began and reaches the PTL after the
	 * zap took it waits there: with IRQs off, it never answers the flush.
	 * A narrow race, so several seeds: it must happen in some.
	 */
	struct workload_params p = mixed(8, FAULT_PATH_SPF);
	double t0 = wall_seconds();
	int lockups = 0;

	p.slots = 1;
	p.slot = 64UL << 20;
	p.random = true;
	p.madvise_ratio = 0.00002;
	p.duration = 20e6;
	for (unsigned long seed = 1; seed <= 4; seed++) {
		struct child_result spin, trylock;

		p.kernel.pte_lock = PTE_LOCK_SPIN;
		spin = run_seed(p, seed);
		if (spin.outcome.end == SIM_END_LOCKUP) {
			lockups++;
			CHECK(strstr(spin.outcome.report, "hard LOCKUP") &&
				  strstr(spin.outcome.report, "spinning on spinlock \"ptl\"") &&
				  strstr(spin.outcome.report, "IPI call \"flush_tlb\""),
			      "seed %lu: report does not name the PTL and the flush:\n%s", seed,
			      spin.outcome.report);
		}
		p.kernel.pte_lock = PTE_LOCK_TRYLOCK;
		trylock = run_seed(p, seed);
		CHECK(trylock.outcome.end == SIM_END_OK, "seed %lu: trylock ended %d:\n%s", seed,
		      trylock.outcome.end, trylock.outcome.report);
	}
	CHECK(lockups > 0, "spin_lock with IRQs off never locked up in 4 seeds");
	CHECK(wall_seconds() - t0 < 120, "took %.1f s of wall time", wall_seconds() - t0);
}

static double mmap1_throughput(int tasks, bool processes)
{
	struct workload_params p = {
	    .type = "mmap1",
	    .tasks = tasks,
	    .processes = processes,
	    .duration = 1e6,
	    .region = 128UL << 20,
	};
	struct child_result r = run(p);

	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	return r.v[OUT_OPS];
}

static void test_mmap1_threads_serialise(void)
{
	double one = mmap1_throughput(1, true);
	double threads = mmap1_throughput(2, false);
	double processes = mmap1_throughput(2, true);

	/* Two processes: twice one.  Two threads: the writer lock, about one. */
	CHECK(processes > 1.8 * one, "2 processes %g ops vs 1: %g", processes, one);
	CHECK(threads < 1.3 * one, "2 threads %g ops vs 1: %g", threads, one);
}

/*
 * Per-VMA locks and file mappings: 6.4 sends every fault on a file VMA to
 * mmap_lock; 6.7 takes them under the VMA lock, a private one's first
 * copy apart, which needs mmap_lock to set up the VMA's anon_vma.
 */
static void test_vma_lock_file_faults(void)
{
	struct workload_params p = loop_workload("page_fault2", 4, false);
	struct child_result v64, v67, shared;

	p.kernel.fault_path = FAULT_PATH_PERVMA;
	v64 = run(p);
	CHECK(v64.outcome.end == SIM_END_OK, "%s", v64.outcome.report);
	CHECK(v(&v64, "fault_done_vma_lock") == 0 && v(&v64, "fault_done_classic") > 1000,
	      "6.4, private file: %g faults under the VMA lock, %g under mmap_lock",
	      v(&v64, "fault_done_vma_lock"), v(&v64, "fault_done_classic"));

	p.kernel.vma_lock_file_faults = true;
	v67 = run(p);
	CHECK(v67.outcome.end == SIM_END_OK, "%s", v67.outcome.report);
	CHECK(v(&v67, "fault_done_vma_lock") > 0.9 * v(&v67, "pgfault"),
	      "6.7, private file: %g of %g faults under the VMA lock",
	      v(&v67, "fault_done_vma_lock"), v(&v67, "pgfault"));
	/*
	 * Each mapping's first copy retried under mmap_lock (no anon_vma yet);
	 * any other fault there found no VMA to lock (aborted).
	 */
	CHECK(v(&v67, "vma_lock_retry") > 0 &&
		  adds_up(v(&v67, "vma_lock_retry") + v(&v67, "vma_lock_abort"),
			  v(&v67, "fault_done_classic"), 4),
	      "6.7: %g retries, %g aborts, %g faults under mmap_lock", v(&v67, "vma_lock_retry"),
	      v(&v67, "vma_lock_abort"), v(&v67, "fault_done_classic"));

	p = loop_workload("page_fault3", 4, false);
	p.kernel.fault_path = FAULT_PATH_PERVMA;
	p.kernel.vma_lock_file_faults = true;
	shared = run(p);
	CHECK(shared.outcome.end == SIM_END_OK, "%s", shared.outcome.report);
	CHECK(v(&shared, "vma_lock_retry") == 0 && v(&shared, "fault_done_classic") == 0,
	      "6.7, shared file: %g retries, %g faults under mmap_lock",
	      v(&shared, "vma_lock_retry"), v(&shared, "fault_done_classic"));
}

static void check_accounted(const char *what, const struct child_result *r, int tasks)
{
	double done = v(r, "fault_done_classic") + v(r, "fault_done_spf") +
		      v(r, "fault_done_vma_lock") + v(r, "fault_sigsegv");

	CHECK(r->outcome.end == SIM_END_OK, "%s: %s", what, r->outcome.report);
	CHECK(r->v[OUT_FAULTS] > 100, "%s: only %g faults", what, r->v[OUT_FAULTS]);
	CHECK(adds_up(r->v[OUT_FAULTS], done, tasks), "%s: %g faults raised, %g completed", what,
	      r->v[OUT_FAULTS], done);
	CHECK(adds_up(r->v[OUT_FAULTS], v(r, "pgfault"), tasks),
	      "%s: %g handler entries for %g faults", what, v(r, "pgfault"), r->v[OUT_FAULTS]);
	CHECK(v(r, "fault_sigsegv") == 0, "%s: %g SIGSEGV", what, v(r, "fault_sigsegv"));
}

static void test_faults_accounted(void)
{
	static const char *const names[] = {"classic", "spf", "pervma"};

	for (int path = 0; path < 3; path++) {
		struct workload_params p = mixed(8, path);

		p.munmap_ratio = 0.005;
		p.mprotect_ratio = 0.005;
		p.madvise_ratio = 0.005;
		p.uffd_ratio = 0.005;
		p.random = true;
		struct child_result r = run(p);

		check_accounted(names[path], &r, p.tasks);
		if (path == FAULT_PATH_PERVMA)
			CHECK(v(&r, "vma_lock_success") > 0.5 * r.v[OUT_FAULTS],
			      "per-VMA locks completed %g of %g faults", v(&r, "vma_lock_success"),
			      r.v[OUT_FAULTS]);
	}
}

static void test_thp_maps_2m(void)
{
	struct workload_params p = {
	    .type = "page_fault1",
	    .tasks = 2,
	    .processes = true,
	    .duration = 2e6,
	    .region = 64UL << 20,
	    .kernel = {.thp = true},
	};
	struct child_result huge = run(p), frag;

	CHECK(huge.outcome.end == SIM_END_OK, "%s", huge.outcome.report);
	/* One fault maps 512 pages: ops (pages written) far outnumber faults. */
	CHECK(v(&huge, "thp_fault_alloc") > 0, "no huge page mapped");
	CHECK(huge.v[OUT_OPS] > 400 * v(&huge, "pgfault"), "%g pages written, %g faults",
	      huge.v[OUT_OPS], v(&huge, "pgfault"));

	p.kernel.thp_fail = 1;
	frag = run(p);
	CHECK(v(&frag, "thp_fault_alloc") == 0, "allocated despite thp_fail = 1");
	CHECK(v(&frag, "thp_fault_fallback") > 0, "no fallback counted");
	CHECK(frag.v[OUT_OPS] < 2 * v(&frag, "pgfault"), "fell back, yet %g pages for %g faults",
	      frag.v[OUT_OPS], v(&frag, "pgfault"));

	/* Threads in one PMD, half the huge allocations failing: THP and 4 KiB race. */
	struct workload_params race = {
	    .type = "pft",
	    .tasks = 8,
	    .duration = 6e6,
	    .region = 8UL << 20,
	    .interleave = 1,
	    .kernel = {.thp = true, .thp_fail = 0.5},
	};
	struct child_result mixed_sizes = run(race);

	check_accounted("THP and 4 KiB in one PMD", &mixed_sizes, race.tasks);
	CHECK(v(&mixed_sizes, "thp_fault_alloc") > 0 && v(&mixed_sizes, "thp_fault_fallback") > 0,
	      "%g huge, %g fallbacks", v(&mixed_sizes, "thp_fault_alloc"),
	      v(&mixed_sizes, "thp_fault_fallback"));
}

/* ---- VMAs merge and split as mm/mmap.c does up to 6.0 ---- */

static struct mm_struct merge_mm;
static double *merge_out;

enum {
	MERGE_JOINED,	 /* VMAs after three adjacent anonymous mmaps */
	MERGE_ADJACENT,	 /* the three went top-down, each right below the last */
	MERGE_OTHER,	 /* VMAs after a read-only one below them */
	MERGE_CUT_NS,	 /* munmap of the middle of the joined VMA */
	MERGE_CUT_VMAS,	 /* VMAs after it */
	MERGE_CUT_RIGHT, /* the pieces left have the right bounds and offsets */
	MERGE_WHOLE_NS,	 /* munmap of the whole read-only VMA */
	MERGE_REFILL,	 /* VMAs after the hole is mapped again */
	MERGE_REFILL_AT, /* that mapping went into the hole */
};

static void merge_task(void *arg)
{
	unsigned long len = 2UL << 20, rw = VM_READ | VM_WRITE, a, b, c, ro;
	struct mm_struct *mm = &merge_mm;
	double t0;

	(void)arg;
	a = vm_mmap(mm, NULL, 0, len, rw, false);
	b = vm_mmap(mm, NULL, 0, len, rw, false);
	c = vm_mmap(mm, NULL, 0, len, rw, false);
	merge_out[MERGE_JOINED] = mm->nr_vmas;
	merge_out[MERGE_ADJACENT] = b == a - len && c == b - len;
	ro = vm_mmap(mm, NULL, 0, len, VM_READ, false);
	merge_out[MERGE_OTHER] = mm->nr_vmas;
	t0 = cpu_clock();
	vm_munmap(mm, b, len);
	merge_out[MERGE_CUT_NS] = cpu_clock() - t0;
	merge_out[MERGE_CUT_VMAS] = mm->nr_vmas;
	merge_out[MERGE_CUT_RIGHT] =
	    mm->nr_vmas == 3 && mm->vmas[1]->vm_start == c && mm->vmas[1]->vm_end == b &&
	    mm->vmas[2]->vm_start == a && mm->vmas[2]->vm_end == a + len &&
	    mm->vmas[1]->vm_pgoff == c >> PAGE_SHIFT && mm->vmas[2]->vm_pgoff == a >> PAGE_SHIFT;
	t0 = cpu_clock();
	vm_munmap(mm, ro, len);
	merge_out[MERGE_WHOLE_NS] = cpu_clock() - t0;
	merge_out[MERGE_REFILL_AT] = vm_mmap(mm, NULL, 0, len, rw, false) == b;
	merge_out[MERGE_REFILL] = mm->nr_vmas;
}

/* merge_mm: one task's address space, on CPU 0, that the task below maps. */
static void merge_mm_init(double *o)
{
	merge_out = o;
	vmstat_init();
	page_alloc_init();
	mm_init(&merge_mm, -1);
	merge_mm.mm_users = 1;
	cpumask_set_cpu(0, mm_cpumask(&merge_mm));
}

static void merge_body(void *arg, double *o)
{
	merge_mm_init(o);
	sim_start_cpu(0, merge_task, arg);
}

/*
 * A new anonymous mapping joins the neighbour it continues (vma_merge()),
 * and munmap of part of a VMA cuts it first (__split_vma()), paying for
 * the copy and the relinking: what Yin Fengwei found makes mmap1 threads
 * slower when its 128 MiB mappings merge (LKP, Dec 2022).
 */
static void test_vmas_merge_and_split(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	struct child_result r;
	double *o = r.v;

	run_child(&cfg, merge_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(o[MERGE_ADJACENT] == 1, "the three mappings are not adjacent");
	CHECK(o[MERGE_JOINED] == 1, "three adjacent anonymous mappings left %g VMAs",
	      o[MERGE_JOINED]);
	CHECK(o[MERGE_OTHER] == 2, "a read-only mapping beside them left %g VMAs", o[MERGE_OTHER]);
	CHECK(o[MERGE_CUT_VMAS] == 3 && o[MERGE_CUT_RIGHT] == 1,
	      "munmap of the middle left %g VMAs, bounds right: %g", o[MERGE_CUT_VMAS],
	      o[MERGE_CUT_RIGHT]);
	/* Two cuts, each an __vma_adjust() with a VMA linked: at least two vma_op more. */
	CHECK(o[MERGE_CUT_NS] >= o[MERGE_WHOLE_NS] + 2 * cfg.machine.vma_op,
	      "munmap with two cuts %g ns, of a whole VMA %g ns", o[MERGE_CUT_NS],
	      o[MERGE_WHOLE_NS]);
	CHECK(o[MERGE_REFILL_AT] == 1 && o[MERGE_REFILL] == 1,
	      "mapping the hole again: into it %g, %g VMAs left", o[MERGE_REFILL_AT],
	      o[MERGE_REFILL]);
}

/* ---- the zero page: a read maps it, a write replaces it ---- */

enum {
	ZERO_READ_SPECIAL, /* after the read of B: its entry maps the zero page */
	ZERO_READ_RSS,	   /* RSS then: A's page only */
	ZERO_WRITE_SPECIAL,
	ZERO_WRITE_RSS,
	ZERO_WRITE_FLUSHES, /* shootdowns the write fault on B sent */
	ZERO_WRITE_SPF,	    /* faults completed speculatively, B's write among them */
	ZERO_UNMAP_FREED,   /* pages munmap() freed, with C still the zero page */
	ZERO_UNMAP_RSS,
};

static unsigned long vm_event_value(enum vm_event_item item)
{
	return counter_get(vm_event_name(item))->value;
}

/*
 * Page A is written (a page, and the VMA's anon_vma, which speculation
 * needs), page B read then written, page C only read.
 */
static void zero_task(void *arg)
{
	struct mm_struct *mm = &merge_mm;
	unsigned long a = vm_mmap(mm, NULL, 0, 2UL << 20, VM_READ | VM_WRITE, false);
	unsigned long b = a + PAGE_SIZE, c = b + PAGE_SIZE, flushes, freed, spf;
	struct pte_table *t;

	(void)arg;
	do_user_addr_fault(mm, a, true);
	do_user_addr_fault(mm, b, false);
	t = pmd_offset(mm, b)->table;
	merge_out[ZERO_READ_SPECIAL] = pte_present(t, b) && pte_special(t, b);
	merge_out[ZERO_READ_RSS] = mm->rss;
	flushes = tlb_stats.shootdowns;
	spf = vm_event_value(FAULT_DONE_SPF);
	do_user_addr_fault(mm, b, true);
	merge_out[ZERO_WRITE_SPECIAL] = pte_special(t, b);
	merge_out[ZERO_WRITE_RSS] = mm->rss;
	merge_out[ZERO_WRITE_FLUSHES] = tlb_stats.shootdowns - flushes;
	merge_out[ZERO_WRITE_SPF] = vm_event_value(FAULT_DONE_SPF) - spf;
	do_user_addr_fault(mm, c, false);
	freed = vm_event_value(PGFREE);
	vm_munmap(mm, a, 2UL << 20);
	merge_out[ZERO_UNMAP_FREED] = vm_event_value(PGFREE) - freed;
	merge_out[ZERO_UNMAP_RSS] = mm->rss;
}

static void zero_body(void *arg, double *o)
{
	merge_mm_init(o);
	mm_tunables.fault_path = *(const enum fault_path_kind *)arg;
	/* A single-threaded mm never speculates: as if a second thread shared it. */
	merge_mm.mm_users = 2;
	sim_start_cpu(0, zero_task, NULL);
}

/*
 * A read of anonymous memory never written maps the zero page: RSS does
 * not grow.  A write to it is a write-protect fault that puts a new page
 * in, flushing the old entry first, on the classic path and under SPF
 * alike.  munmap() frees the pages written and the page table, never the
 * zero page still mapped.
 */
static void test_zero_page_read_then_write(void)
{
	static const enum fault_path_kind paths[] = {FAULT_PATH_CLASSIC, FAULT_PATH_SPF};
	struct sim_config cfg = test_config(1, 2, 1);

	for (int i = 0; i < 2; i++) {
		struct child_result r;
		double *o = r.v;

		run_child(&cfg, zero_body, (void *)&paths[i], 1e9, &r);
		CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
		CHECK(o[ZERO_READ_SPECIAL] == 1 && o[ZERO_READ_RSS] == 1,
		      "path %d: the read mapped the zero page: %g, RSS %g", i, o[ZERO_READ_SPECIAL],
		      o[ZERO_READ_RSS]);
		CHECK(o[ZERO_WRITE_SPECIAL] == 0 && o[ZERO_WRITE_RSS] == 2,
		      "path %d: after the write: zero page %g, RSS %g", i, o[ZERO_WRITE_SPECIAL],
		      o[ZERO_WRITE_RSS]);
		CHECK(o[ZERO_WRITE_FLUSHES] == 1, "path %d: the write fault sent %g flushes", i,
		      o[ZERO_WRITE_FLUSHES]);
		CHECK(o[ZERO_WRITE_SPF] == (paths[i] == FAULT_PATH_SPF),
		      "path %d: %g faults completed speculatively", i, o[ZERO_WRITE_SPF]);
		/* A's page, B's and the page-table page. */
		CHECK(o[ZERO_UNMAP_FREED] == 3 && o[ZERO_UNMAP_RSS] == 0,
		      "path %d: munmap freed %g pages, RSS %g", i, o[ZERO_UNMAP_FREED],
		      o[ZERO_UNMAP_RSS]);
	}
}

/* ---- vmacache: a task's repeated lookups skip the tree ---- */

static void vmacache_task(void *arg)
{
	struct mm_struct *mm = &merge_mm;
	unsigned long addr = *(unsigned long *)arg;
	double t0;

	for (int i = 0; i < 3; i++) {
		t0 = cpu_clock();
		find_vma(mm, addr);
		merge_out[i] = cpu_clock() - t0;
		/* After the second lookup a VMA elsewhere goes: every cache is stale. */
		if (i == 1)
			vm_munmap(mm, TASK_MMAP_BASE - (2UL << 20), PAGE_SIZE);
	}
}

static void vmacache_body(void *arg, double *o)
{
	merge_mm_init(o);
	for (int i = 1; i <= 64; i++)
		mm_setup_vma(&merge_mm, TASK_MMAP_BASE - i * (2UL << 20), PAGE_SIZE, VM_READ);
	sim_start_cpu(0, vmacache_task, arg);
}

/*
 * Up to 6.0 find_vma() first asks the task's vmacache: a second lookup
 * of the same VMA costs one step, not a descent of log2(64) levels, until
 * a VMA leaves the tree and bumps vmacache_seqnum.  Per-VMA lock kernels
 * (6.4 and later) descend every time.
 */
static void test_vmacache_spares_the_descent(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	unsigned long addr = TASK_MMAP_BASE - 32 * (2UL << 20);
	struct child_result r;
	double *o = r.v;

	run_child(&cfg, vmacache_body, &addr, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(o[1] < 0.3 * o[0], "the same lookup again: %g ns, the first %g ns", o[1], o[0]);
	CHECK(o[2] > 3 * o[1], "after an unmap: %g ns, a cached lookup %g ns", o[2], o[1]);
}

static const struct test_case cases[] = {
    {"spf_outcomes_add_up",
     "no writer: speculation succeeds; unmap churn: fallbacks, attempts = successes + fallbacks",
     test_spf_outcomes_add_up},
    {"maxtry_bounds_the_loop",
     "max_try = 1 falls back more under PTL contention; the unbounded loop runs longer, with IRQs "
     "off one try at a time",
     test_maxtry_bounds_the_loop},
    {"spf_madvise_falls_back",
     "SPF: a speculative fault racing an MADV_DONTNEED zap of its VMA falls back, seq_changed",
     test_spf_madvise_falls_back},
    {"munmap_downgrade_lets_faults_in",
     "munmap downgraded to read: other threads' faults go on during its zap",
     test_munmap_downgrade_lets_faults_in},
    {"vma_lock_file_faults",
     "per-VMA locks take file faults from 6.7, a private mapping's first copy apart; "
     "not in 6.4",
     test_vma_lock_file_faults},
    {"page_fault2_copies", "page_fault2: every write copies from the page cache, copies freed",
     test_page_fault2_copies},
    {"page_fault3_dirties", "page_fault3: shared pages dirtied once, none freed, unmap flushes",
     test_page_fault3_dirties},
    {"page_fault3_flushes_per_table",
     "page_fault3: munmap flushes before each table's PTL is dropped, where dirty shared PTEs were",
     test_page_fault3_flushes_per_table},
    {"zap_delay_rmap_flushes_per_bundle",
     "5df397dec7c4 as merged: a zap of dirty shared pages flushes every 8 pages",
     test_zap_delay_rmap_flushes_per_bundle},
    {"page_fault3_data_lines",
     "page_fault3: the data lines it writes push its struct pages out of a cache they fit alone",
     test_page_fault3_data_lines},
    {"tlb_flush2_shoots_down", "tlb_flush2 threads: a shootdown per madvise, an IPI a thread",
     test_tlb_flush2_shoots_down},
    {"tlb_flush2_storm_holds", "tlb_flush2 threads: a shootdown storm slows, never stops",
     test_tlb_flush2_storm_holds},
    {"loop_jitter_adds_work", "loop_jitter adds half its value to each loop, on average",
     test_loop_jitter_adds_work},
    {"maxtry_counts_tries", "max_try = N gives up after exactly N failed tries (N = 1, 2, 4, 8)",
     test_maxtry_counts_tries},
    {"spin_variant_locks_up",
     "spin_lock with IRQs off against a zap that flushes under the PTL: hard lockup; trylock: none",
     test_spin_variant_locks_up},
    {"vmas_merge_and_split",
     "adjacent anonymous mappings join one VMA; munmap of part of one cuts it, at a cost",
     test_vmas_merge_and_split},
    {"zero_page_read_then_write",
     "a read maps the zero page; a write replaces it with a flush, classic and SPF; munmap frees "
     "no zero page",
     test_zero_page_read_then_write},
    {"vmacache_spares_the_descent",
     "up to 6.0 a repeated lookup hits the task's vmacache until a VMA leaves the tree",
     test_vmacache_spares_the_descent},
    {"mmap1_threads_serialise", "mmap1: two threads do not scale, two processes do",
     test_mmap1_threads_serialise},
    {"faults_accounted", "every fault raised is completed by exactly one path, on every path",
     test_faults_accounted},
    {"thp_maps_2m", "THP maps 512 pages a fault; a failing order-9 allocation falls back",
     test_thp_maps_2m},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

/* tests/test_text.c - file faults and THP for text behave as the patch and
 * its review say they should.
 */
#include <math.h>
#include <string.h>

#include "harness.h"

static const char *const wanted[] = {
    "pgfault",
    "thp_file_mapped",
    "thp_file_alloc",
    "thp_file_fallback_misaligned",
    "thp_file_fallback_write",
    "thp_file_fallback_cached_small",
    "thp_file_fallback_alloc",
    "thp_file_double_read",
    "thp_file_misaligned_map",
    "thp_file_fallback_unlocked",
    /* workload metrics */
    "itlb_misses_per_pass",
    "stlb_misses_per_pass",
    "itlb_ns_per_pass",
    "itlb_share_of_pass",
};
#define NR_WANTED   (int)(sizeof(wanted) / sizeof(wanted[0]))
#define NR_COUNTERS (NR_WANTED - 4)

static double v(const struct child_result *r, const char *name)
{
	for (int i = 0; i < NR_WANTED; i++)
		if (!strcmp(wanted[i], name))
			return r->v[i];
	abort();
}

static void text_collect(double *out)
{
	struct workload_result w;

	workload_find("text")->collect(&w);
	for (int i = 0; i < NR_COUNTERS; i++)
		out[i] = (double)counter_get(wanted[i])->value;
	for (int i = NR_COUNTERS; i < NR_WANTED; i++)
		for (int m = 0; m < w.nr_metrics; m++)
			if (!strcmp(w.metrics[m].name, wanted[i]))
				out[i] = w.metrics[m].value;
}

static void text_body(void *arg, double *out)
{
	(void)out;
	workload_find("text")->start(arg);
}

/* A 64 MiB text, one thread unless a test says otherwise. */
static struct workload_params text(bool thp, int cache)
{
	return (struct workload_params){
	    .type = "text",
	    .tasks = 1,
	    .duration = 2e9,
	    .text_size = 64UL << 20,
	    .text_aligned = true,
	    .text_cache = cache,
	    .footprint = 64UL << 20,
	    .line_cycles = 16,
	    .kernel = {.text_thp = thp, .fault_around_bytes = 64 << 10, .ra_bytes = 128 << 10},
	};
}

static struct child_result run(struct workload_params p)
{
	struct sim_config cfg = test_config(2, 16, 1);
	struct child_result r;

	child_after_run = text_collect;
	run_child(&cfg, text_body, &p, p.duration + 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	return r;
}

static void test_thp_cuts_faults(void)
{
	struct workload_params p = text(true, TEXT_CACHE_WARM);
	struct child_result r = run(p);
	double thp, around, none;

	thp = v(&r, "pgfault");
	p = text(false, TEXT_CACHE_WARM);
	r = run(p);
	around = v(&r, "pgfault");
	p.kernel.fault_around_bytes = 4096;
	r = run(p);
	none = v(&r, "pgfault");
	/* 64 MiB: 32 huge pages, 1024 fault-around windows, 16384 pages. */
	CHECK_NEAR(none / thp, 512, 0.05);
	CHECK_NEAR(around / thp, 32, 0.05);
}

static void test_fallbacks_by_reason(void)
{
	struct workload_params p = text(true, TEXT_CACHE_COLD);
	struct child_result r;

	p.text_aligned = false;
	r = run(p);
	CHECK(v(&r, "thp_file_fallback_misaligned") > 0 && v(&r, "thp_file_mapped") == 0,
	      "misaligned: %g fallbacks, %g mapped", v(&r, "thp_file_fallback_misaligned"),
	      v(&r, "thp_file_mapped"));

	p = text(true, TEXT_CACHE_COLD);
	p.text_writes = 1;
	r = run(p);
	CHECK(v(&r, "thp_file_fallback_write") > 0 && v(&r, "thp_file_mapped") == 0,
	      "write faults: %g fallbacks, %g mapped", v(&r, "thp_file_fallback_write"),
	      v(&r, "thp_file_mapped"));

	/* A shared mapping: the same fallback, and no private copies. */
	p.text_shared = true;
	r = run(p);
	CHECK(v(&r, "thp_file_fallback_write") > 0 && v(&r, "thp_file_mapped") == 0,
	      "shared write faults: %g fallbacks", v(&r, "thp_file_fallback_write"));

	p = text(true, TEXT_CACHE_SMALL);
	r = run(p);
	CHECK(v(&r, "thp_file_fallback_cached_small") == 32 && v(&r, "thp_file_mapped") == 0,
	      "small pages cached: %g fallbacks, %g mapped",
	      v(&r, "thp_file_fallback_cached_small"), v(&r, "thp_file_mapped"));
}

static void test_fragmentation_raises_fallbacks(void)
{
	static const double fail[] = {0, 0.3, 0.6, 0.9};
	double last = -1;

	for (int i = 0; i < 4; i++) {
		struct workload_params p = text(true, TEXT_CACHE_COLD);
		struct child_result r;
		double ratio;

		p.text_size = 256UL << 20; /* 128 huge pages */
		p.kernel.thp_fail = fail[i];
		r = run(p);
		ratio = v(&r, "thp_file_fallback_alloc") /
			(v(&r, "thp_file_fallback_alloc") + v(&r, "thp_file_alloc"));
		CHECK(ratio > last, "thp_fail %g: fallback ratio %g, not above %g", fail[i], ratio,
		      last);
		last = ratio;
	}
}

static void test_map_before_insert_window(void)
{
	struct workload_params p = text(true, TEXT_CACHE_COLD);
	struct child_result patch, fixed;

	/* Threads running the same code fault the same ranges at once. */
	p.tasks = 8;
	p.text_same_start = true;
	p.kernel.text_thp_posted = true;
	patch = run(p);
	p.kernel.text_thp_posted = false;
	fixed = run(p);
	CHECK(v(&patch, "thp_file_double_read") > 0, "the patch's order never read twice");
	CHECK(v(&fixed, "thp_file_double_read") == 0, "the corrected order read %g ranges twice",
	      v(&fixed, "thp_file_double_read"));
	CHECK(v(&fixed, "thp_file_alloc") == 32, "%g huge pages for 32 ranges",
	      v(&fixed, "thp_file_alloc"));
}

/*
 * The posted patch lacks the alignment check: a misaligned mapping gets
 * huge pages at the wrong offset, counted as the correctness failures
 * they are; the fixed one falls back.
 */
static void test_posted_maps_misaligned(void)
{
	struct workload_params p = text(true, TEXT_CACHE_COLD);
	struct child_result posted, fixed;

	/* Threads starting at their own shares meet ranges nothing has cached yet. */
	p.tasks = 8;
	p.text_aligned = false;
	p.kernel.text_thp_posted = true;
	posted = run(p);
	p.kernel.text_thp_posted = false;
	fixed = run(p);
	CHECK(v(&posted, "thp_file_misaligned_map") > 0 &&
		  v(&posted, "thp_file_misaligned_map") == v(&posted, "thp_file_mapped"),
	      "posted, misaligned: %g of %g huge maps counted misaligned",
	      v(&posted, "thp_file_misaligned_map"), v(&posted, "thp_file_mapped"));
	CHECK(v(&fixed, "thp_file_misaligned_map") == 0 && v(&fixed, "thp_file_mapped") == 0 &&
		  v(&fixed, "thp_file_fallback_misaligned") > 0,
	      "fixed, misaligned: %g misaligned maps, %g fallbacks",
	      v(&fixed, "thp_file_misaligned_map"), v(&fixed, "thp_file_fallback_misaligned"));
}

/*
 * The posted usability check wants a cached huge page locked: on a warm
 * cache, where every huge page has settled, none is mapped huge and each
 * range falls back to 4 KiB; the fixed one maps them all.
 */
static void test_posted_ignores_settled_thp(void)
{
	struct workload_params p = text(true, TEXT_CACHE_WARM);
	struct child_result posted, fixed;

	p.kernel.text_thp_posted = true;
	posted = run(p);
	p.kernel.text_thp_posted = false;
	fixed = run(p);
	CHECK(v(&posted, "thp_file_mapped") == 0 && v(&posted, "thp_file_fallback_unlocked") >= 32,
	      "posted, warm: %g mapped huge, %g fallbacks on settled pages",
	      v(&posted, "thp_file_mapped"), v(&posted, "thp_file_fallback_unlocked"));
	CHECK(v(&posted, "pgfault") > 20 * v(&fixed, "pgfault"),
	      "posted, warm: %g faults, fixed %g", v(&posted, "pgfault"), v(&fixed, "pgfault"));
	CHECK(v(&fixed, "thp_file_mapped") == 32, "fixed, warm: %g of 32 ranges mapped huge",
	      v(&fixed, "thp_file_mapped"));
}

/*
 * Two TLB levels: 64 MiB in 4 KiB pages (16,384 entries) overflows both
 * the first level and the shared second, so every translation of a pass
 * walks; 4 MiB (1,024) overflows the first only and is served by the
 * second; in 2 MiB pages 64 MiB (32) also misses only the first level,
 * each miss costing far less than a walk.  (The harness machine: 128 4K
 * and 8 2M first-level entries, 1,536 shared.)
 */
static void test_itlb_two_levels(void)
{
	struct workload_params p = text(false, TEXT_CACHE_WARM);
	struct child_result small, big, huge;

	big = run(p);
	p.footprint = 4UL << 20;
	small = run(p);
	p = text(true, TEXT_CACHE_WARM);
	huge = run(p);
	CHECK(v(&big, "itlb_misses_per_pass") == 16384 && v(&big, "stlb_misses_per_pass") == 16384,
	      "64 MiB of 4 KiB: %g misses, %g walks", v(&big, "itlb_misses_per_pass"),
	      v(&big, "stlb_misses_per_pass"));
	CHECK(v(&small, "itlb_misses_per_pass") == 1024 && v(&small, "stlb_misses_per_pass") == 0,
	      "4 MiB of 4 KiB: %g misses, %g walks", v(&small, "itlb_misses_per_pass"),
	      v(&small, "stlb_misses_per_pass"));
	CHECK(v(&huge, "itlb_misses_per_pass") == 32 && v(&huge, "stlb_misses_per_pass") == 0,
	      "64 MiB of 2 MiB: %g misses, %g walks", v(&huge, "itlb_misses_per_pass"),
	      v(&huge, "stlb_misses_per_pass"));
	/* A walk costs more than a second-level hit; a pass in huge pages, nearly nothing. */
	CHECK(v(&big, "itlb_ns_per_pass") / 16384 > 1.5 * v(&small, "itlb_ns_per_pass") / 1024,
	      "a walk %g ns, a second-level hit %g ns", v(&big, "itlb_ns_per_pass") / 16384,
	      v(&small, "itlb_ns_per_pass") / 1024);
	CHECK(v(&big, "itlb_share_of_pass") > 10 * v(&huge, "itlb_share_of_pass") &&
		  v(&big, "itlb_share_of_pass") < 1,
	      "share of the pass: %g in 4 KiB pages, %g in 2 MiB", v(&big, "itlb_share_of_pass"),
	      v(&huge, "itlb_share_of_pass"));
}

static const struct test_case cases[] = {
    {"thp_cuts_faults",
     "aligned warm text: 512x fewer faults with THP than without fault-around, 32x than with it",
     test_thp_cuts_faults},
    {"fallbacks_by_reason",
     "misaligned, write faults, cached small pages: each falls back, counted under its reason",
     test_fallbacks_by_reason},
    {"fragmentation_raises_fallbacks", "more fragmentation, more fallbacks, monotonically",
     test_fragmentation_raises_fallbacks},
    {"map_before_insert_window",
     "mapping before inserting lets concurrent faults read the range again; inserting first never",
     test_map_before_insert_window},
    {"posted_maps_misaligned",
     "text_thp_patch = posted maps misaligned text huge, counted as failures; fixed falls back",
     test_posted_maps_misaligned},
    {"posted_ignores_settled_thp",
     "text_thp_patch = posted never maps a settled cached THP huge: 4 KiB faults instead",
     test_posted_ignores_settled_thp},
    {"itlb_two_levels",
     "iTLB: a footprint past both levels walks every pass, past the first only it hits the second",
     test_itlb_two_levels},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

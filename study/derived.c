/* study/derived.c - fallback ratio and per-fault time breakdown per row. */
#include "derived.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *col, *label;
	const char *sources[4]; /* summed; a NULL-terminated list */
} breakdown[] = {
    {"per_fault.mmap_sem", "waiting on mmap_sem", {"locks.mmap_sem.wait_total_ns"}},
    {"per_fault.ptl",
     "waiting on page-table locks",
     {"locks.ptl.wait_total_ns", "locks.page_table_lock.wait_total_ns",
      "locks.pmd_lock.wait_total_ns"}},
    {"per_fault.alloc",
     "waiting on zone->lock, lru_lock",
     {"locks.zone->lock.wait_total_ns", "locks.lru_lock.wait_total_ns"}},
    {"per_fault.vma_lock", "waiting on VMA locks", {"locks.vm_lock.wait_total_ns"}},
    {"per_fault.trylock", "in the SPF trylock loop", {"spf_loop_total"}},
    {"per_fault.zeroing", "zeroing and copying pages", {"memory.time_ns"}},
    {"per_fault.io", "reading from storage", {"storage.time_ns"}},
    {"per_fault.ipi", "waiting on IPI acks", {"ipi_wait_total"}},
};
#define NR_BREAKDOWN (int)(sizeof(breakdown) / sizeof(breakdown[0]))

static const struct {
	const char *col, *label;
} labels[] = {
    {"faults_per_s", "faults per simulated second"},
    {"throughput", "operations per simulated second"},
    {"ops_per_task_per_s.mean", "operations per task per simulated second"},
    {"spf_fallback_ratio", "speculative faults that fell back (share)"},
    {"per_fault.other", "the rest of the fault"},
    {"workload.threads", "CPUs (one thread of one process on each)"},
    {"workload.processes", "CPUs (one single-threaded process on each)"},
    {"kernel.max_try", "MAX_TRY"},
    {"workload_metrics.text_mapped_ns", "time until all text is mapped (ns)"},
    {"kernel.thp_fail", "chance an order-9 allocation fails"},
};

const char *derived_label(const char *col)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].col, col))
			return labels[i].label;
	for (int i = 0; i < NR_BREAKDOWN; i++)
		if (!strcmp(breakdown[i].col, col))
			return breakdown[i].label;
	return col;
}

static void set_cell(struct table *t, int r, int c, double v)
{
	char buf[64];

	if (isnan(v) || isinf(v))
		return;
	snprintf(buf, sizeof(buf), "%.10g", v);
	free(t->cells[r][c]);
	t->cells[r][c] = strdup(buf);
}

static double num(const struct table *t, int r, const char *col)
{
	double v = table_num(t, r, table_col(t, col));

	return isnan(v) ? 0 : v;
}

/* A histogram's total: its mean times its count. */
static double hist_total(const struct table *t, int r, const char *prefix)
{
	char mean[128], count[128];

	snprintf(mean, sizeof(mean), "%s.mean", prefix);
	snprintf(count, sizeof(count), "%s.count", prefix);
	return num(t, r, mean) * num(t, r, count);
}

static double source(const struct table *t, int r, const char *name)
{
	if (!strcmp(name, "spf_loop_total"))
		return hist_total(t, r, "histograms.spf_pte_map_lock_loop_ns");
	if (!strcmp(name, "ipi_wait_total"))
		return hist_total(t, r, "ipi.wait_ns");
	return num(t, r, name);
}

static void add_fallback_ratio(struct table *t)
{
	int attempts = table_col(t, "counters.spf_attempts"), c;

	if (attempts < 0)
		return;
	c = table_add_column(t, "spf_fallback_ratio");
	for (int r = 0; r < t->nr_rows; r++) {
		double fb = 0, a = table_num(t, r, attempts);

		for (int k = 0; k < t->nr_cols; k++)
			if (!strncmp(t->cols[k], "counters.spf_fallback_", 22))
				fb += num(t, r, t->cols[k]);
		if (a > 0)
			set_cell(t, r, c, fb / a);
	}
}

static void add_breakdown(struct table *t)
{
	int faults = table_col(t, "faults_total"), cols[NR_BREAKDOWN], other;

	if (faults < 0)
		return;
	for (int i = 0; i < NR_BREAKDOWN; i++)
		cols[i] = table_add_column(t, breakdown[i].col);
	other = table_add_column(t, "per_fault.other");
	for (int r = 0; r < t->nr_rows; r++) {
		double n = table_num(t, r, faults), sum = 0;

		if (!(n > 0))
			continue;
		for (int i = 0; i < NR_BREAKDOWN; i++) {
			double v = 0;

			for (int s = 0; s < 4 && breakdown[i].sources[s]; s++)
				v += source(t, r, breakdown[i].sources[s]);
			set_cell(t, r, cols[i], v / n);
			sum += v / n;
		}
		set_cell(t, r, other, fmax(0, num(t, r, "histograms.fault_latency_ns.mean") - sum));
	}
}

void derived_add(struct table *t)
{
	add_fallback_ratio(t);
	add_breakdown(t);
}

int derived_breakdown(const struct table *t, int *cols)
{
	int n = 0;

	for (int i = 0; i < NR_BREAKDOWN; i++)
		if ((cols[n] = table_col(t, breakdown[i].col)) >= 0)
			n++;
	if (n && (cols[n] = table_col(t, "per_fault.other")) >= 0)
		n++;
	return n;
}

int derived_throughput(const struct table *t)
{
	int faults = table_col(t, "faults_per_s");

	for (int row = 0; faults >= 0 && row < t->nr_rows; row++)
		if (table_num(t, row, faults) > 0)
			return faults;
	return table_col(t, "throughput");
}

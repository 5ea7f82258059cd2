/* sim/stats.h - what a run measures: latency histograms, lock_stat-style
 * per-lock-class figures and named event counters.
 *
 * Histograms are GSL histograms over log-spaced bins from 1 ns to 100 s
 * (40 bins a decade, so a quantile read back is within 6% of the sample),
 * with the exact maximum kept beside them.
 */
#ifndef FAULTSIM_SIM_STATS_H
#define FAULTSIM_SIM_STATS_H

#include <gsl/gsl_histogram.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The measured window is [stats_from, stats_from + stats_length] (ns): a
 * workload warms up first, and what a CPU records before then on its own
 * clock is not counted; nor is what it records after the window closes,
 * while the tasks finish the operation they are in (a 128 MiB munmap can
 * take tens of ms behind a saturated zone->lock).  Every figure below,
 * and the simulator's own (IPIs, TLB shootdowns, storage, memory, idle
 * time), honours it.  stats_from 0 and stats_length HUGE_VAL measure all.
 */
extern double stats_from, stats_length;
/* Is the current CPU's clock inside the window?  Outside a CPU: yes. */
bool stats_measuring(void);
/* Of the span [t0, t1], how much lies inside the window. */
double stats_span(double t0, double t1);

struct histogram {
	gsl_histogram *h;
	unsigned long count;
	double sum;
	double max;
};

void histogram_init(struct histogram *hist);
void histogram_free(struct histogram *hist);
void histogram_add(struct histogram *hist, double ns);
/* The q-quantile (0..1) of the samples, ns; 0 when empty. */
double histogram_quantile(const struct histogram *hist, double q);

static inline double histogram_mean(const struct histogram *hist)
{
	return hist->count ? hist->sum / (double)hist->count : 0;
}

/*
 * Locks of one class share their figures, as lockdep classes do in
 * /proc/lock_stat: every page-table lock lands in "ptl".
 */
struct lock_class {
	const char *name; /* name and next first: see named_get() */
	struct lock_class *next;
	unsigned long acquisitions;
	unsigned long contentions;   /* acquisitions that had to wait */
	double wait_total, wait_max; /* ns: inside the window; the longest wait, whole */
	double hold_total, hold_max; /* ns: inside the window; the longest hold, whole */
	bool spins;		     /* a spinlock class: its waiters spin, as perf sees them */
};

struct lock_class *lock_class_get(const char *name);
struct lock_class *lock_class_first(void);
void lock_class_acquired(struct lock_class *c, double waited_ns);
void lock_class_released(struct lock_class *c, double held_ns);

/* Named event counters, reported under "counters". */
struct counter {
	const char *name;
	struct counter *next;
	unsigned long value;
};

struct counter *counter_get(const char *name);
struct counter *counter_first(void);

/* Named histograms a model fills, reported under "histograms". */
struct named_histogram {
	const char *name;
	struct named_histogram *next;
	struct histogram hist;
};

struct histogram *histogram_get(const char *name);
struct named_histogram *named_histogram_first(void);

#endif

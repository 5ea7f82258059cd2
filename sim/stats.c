/* sim/stats.c - histograms over GSL, lock classes and counters. */
#include "stats.h"

#include <gsl/gsl_histogram.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

#define HIST_DECADES	   11 /* 1 ns .. 100 s */
#define HIST_BINS_a_DECADE 40
#define HIST_BINS	   (HIST_DECADES * HIST_BINS_a_DECADE)

static double hist_ranges[HIST_BINS + 1];
/* log2(1 + k / 256): the mantissa's share of a sample's logarithm. */
static double hist_log2_mantissa[257];

double stats_from, stats_length = HUGE_VAL;

bool stats_measuring(void)
{
	double now;

	/* Engine tests set no window: no clock to read on every sample. */
	if ((stats_from <= 0 && stats_length == HUGE_VAL) || !current_cpu)
		return true;
	now = cpu_clock();
	return now >= stats_from && now <= stats_from + stats_length;
}

double stats_span(double t0, double t1)
{
	double from = t0 > stats_from ? t0 : stats_from;
	double to = t1 < stats_from + stats_length ? t1 : stats_from + stats_length;

	return to > from ? to - from : 0;
}

static void hist_ranges_init(void)
{
	if (hist_ranges[HIST_BINS] != 0)
		return;
	/* Bin 0 also takes everything under 1 ns, down to zero. */
	hist_ranges[0] = 0;
	for (int i = 1; i <= HIST_BINS; i++)
		hist_ranges[i] = pow(10.0, (double)i / HIST_BINS_a_DECADE);
	for (int k = 0; k <= 256; k++)
		hist_log2_mantissa[k] = log2(1 + k / 256.0);
}

/*
 * log10(ns) to within 0.002, from the double's exponent and the top 8
 * bits of its mantissa, interpolated: a sample costs no libm call, and a
 * bin is 0.025 wide, so hist_bin() moves at most one bin to settle.
 */
static double hist_log10(double ns)
{
	uint64_t bits;
	int e, k;
	double frac, l2;

	memcpy(&bits, &ns, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	k = (int)((bits >> 44) & 0xff);
	frac = (double)((bits >> 20) & 0xffffff) / (1 << 24);
	l2 = hist_log2_mantissa[k] + frac * (hist_log2_mantissa[k + 1] - hist_log2_mantissa[k]);
	return (e + l2) * (M_LN2 / M_LN10); /* one multiplication, no division */
}

void histogram_init(struct histogram *hist)
{
	hist_ranges_init();
	hist->h = gsl_histogram_alloc(HIST_BINS);
	gsl_histogram_set_ranges(hist->h, hist_ranges, HIST_BINS + 1);
	hist->count = 0;
	hist->sum = 0;
	hist->max = 0;
}

void histogram_free(struct histogram *hist)
{
	gsl_histogram_free(hist->h);
	hist->h = NULL;
}

/*
 * The bin of a sample, found in constant time from its logarithm rather
 * than by gsl_histogram_increment()'s search: this is on every fault's
 * path.  The ranges are the GSL histogram's own, so a sample lands where
 * gsl_histogram_find() would put it.
 */
static size_t hist_bin(double ns)
{
	long i;

	if (ns < hist_ranges[1])
		return 0;
	i = (long)(hist_log10(ns) * HIST_BINS_a_DECADE) + 1;
	if (i >= HIST_BINS)
		return HIST_BINS - 1;
	/* log10() may round across a bin edge: settle on the exact one. */
	while (ns < hist_ranges[i])
		i--;
	while (i < HIST_BINS - 1 && ns >= hist_ranges[i + 1])
		i++;
	return (size_t)i;
}

void histogram_add(struct histogram *hist, double ns)
{
	if (!stats_measuring())
		return;
	hist->h->bin[hist_bin(ns)] += 1;
	hist->count++;
	hist->sum += ns;
	if (ns > hist->max)
		hist->max = ns;
}

double histogram_quantile(const struct histogram *hist, double q)
{
	gsl_histogram_pdf *pdf;
	double v;

	if (!hist->count)
		return 0;
	if (q >= 1)
		return hist->max;
	pdf = gsl_histogram_pdf_alloc(HIST_BINS);
	gsl_histogram_pdf_init(pdf, hist->h);
	v = gsl_histogram_pdf_sample(pdf, q);
	gsl_histogram_pdf_free(pdf);
	/* Interpolation inside the top bin can overshoot the real maximum. */
	return v < hist->max ? v : hist->max;
}

static struct lock_class *lock_classes;
static struct counter *counters;
static struct named_histogram *histograms;

/* What lock_class and counter begin with: a name and a link. */
struct named {
	const char *name;
	struct named *next;
};

/*
 * Find or add an entry of size bytes; lists are kept in name order so
 * reports come out the same whatever order the locks were initialised in.
 */
static void *named_get(void *head, const char *name, size_t size)
{
	struct named **p = head, *n;

	for (; *p && strcmp((*p)->name, name) < 0; p = &(*p)->next)
		;
	if (*p && strcmp((*p)->name, name) == 0)
		return *p;
	n = calloc(1, size);
	n->name = strdup(name);
	n->next = *p;
	*p = n;
	return n;
}

struct lock_class *lock_class_get(const char *name)
{
	return named_get(&lock_classes, name, sizeof(struct lock_class));
}

struct lock_class *lock_class_first(void)
{
	return lock_classes;
}

/*
 * Of a wait or a hold that ends now, the part inside the window: one that
 * began in the warm-up counts from the window's start, one that ends
 * after the window closes up to its end.
 */
static double in_window(double ns)
{
	double now;

	if (!current_cpu)
		return ns;
	now = cpu_clock();
	return stats_span(now - ns, now);
}

void lock_class_acquired(struct lock_class *c, double waited_ns)
{
	if (waited_ns > 0)
		c->wait_total += in_window(waited_ns);
	if (!stats_measuring())
		return;
	c->acquisitions++;
	if (waited_ns <= 0)
		return;
	c->contentions++;
	if (waited_ns > c->wait_max)
		c->wait_max = waited_ns;
}

void lock_class_released(struct lock_class *c, double held_ns)
{
	/*
	 * The holder stamps the acquisition on its own clock and the release
	 * after paying its time to SimGrid, whose clock rounds each advance
	 * (surf/precision, 1 ns): a hold shorter than that can read a few
	 * hundredths of a ns below zero.  It was no hold at all.
	 */
	if (held_ns < 0)
		held_ns = 0;
	c->hold_total += in_window(held_ns);
	if (!stats_measuring())
		return;
	if (held_ns > c->hold_max)
		c->hold_max = held_ns;
}

struct counter *counter_get(const char *name)
{
	return named_get(&counters, name, sizeof(struct counter));
}

struct counter *counter_first(void)
{
	return counters;
}

struct histogram *histogram_get(const char *name)
{
	struct named_histogram *n = named_get(&histograms, name, sizeof(*n));

	if (!n->hist.h)
		histogram_init(&n->hist);
	return &n->hist;
}

struct named_histogram *named_histogram_first(void)
{
	return histograms;
}

/* study/report.c - DIR/report.md: parameters, results, plots, fits, and for
 * a MAX_TRY sweep the recommendation the review asked for.
 *
 * The recommendation, per value of the other varied key (the CPU count,
 * say): the best mean throughput among all MAX_TRY values; the candidates
 * not significantly slower than it (Welch's t-test across seeds, one-sided,
 * at level ALPHA) or, where that cannot say (one seed), within the
 * tolerance; among them, the smallest bounded MAX_TRY whose worst time in
 * pte_map_lock()'s retry loop, over every seed, stays under the bound.
 * Overall: the smallest MAX_TRY that qualifies at every one of those
 * values.  A sweep whose path never speculated gets no recommendation:
 * MAX_TRY bounds nothing there.
 */
#include "report.h"

#include <gsl/gsl_cdf.h>
#include <jansson.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "../run/outfile.h"
#include "plot.h"
#include "table.h"
#include "../lang/units.h"

#define LOOP_MAX_COL	 "histograms.spf_pte_map_lock_loop_ns.max"
#define SPF_ATTEMPTS_COL "counters.spf_attempts"
/* The significance level of the throughput comparison. */
#define ALPHA 0.05

int report_parse_time(const char *s, double *ns)
{
	return parse_time(s, ns);
}

struct report {
	const struct report_opts *o;
	struct table t;
	json_t *manifest;
	FILE *f;
	int y;	    /* the throughput column */
	int series; /* the other varied keys, joined; -1 if none */
};

static double group_worst(const struct table *t, const struct group *g, int col)
{
	double worst = NAN;

	for (int i = 0; i < g->n; i++) {
		double v = table_num(t, g->rows[i], col);

		if (!isnan(v) && (isnan(worst) || v > worst))
			worst = v;
	}
	return worst;
}

static void print_si(FILE *f, double v, const char *unit)
{
	static const char *const prefixes[] = {"", "k", "M", "G", "T"};
	int p = 0;

	if (isnan(v)) {
		fputs("-", f);
		return;
	}
	while (fabs(v) >= 1000 && p < 4) {
		v /= 1000;
		p++;
	}
	fprintf(f, "%.3g %s%s", v, prefixes[p], unit);
}

static void print_ns(FILE *f, double ns)
{
	if (isnan(ns))
		fputs("-", f);
	else if (ns >= 1e6)
		fprintf(f, "%.3g ms", ns / 1e6);
	else if (ns >= 1e3)
		fprintf(f, "%.3g µs", ns / 1e3);
	else
		fprintf(f, "%.3g ns", ns);
}

static void section_parameters(struct report *r)
{
	json_t *v;
	size_t i;
	int failed = 0, status = table_col(&r->t, "status");

	for (int row = 0; row < r->t.nr_rows; row++)
		failed += status >= 0 && strcmp(r->t.cells[row][status], "ok") != 0;
	fprintf(r->f, "# faultsim sweep: %s\n\n",
		json_string_value(json_object_get(r->manifest, "scenario")));
	fprintf(r->f, "%d runs (%lld seeds a point), %d ok, %d failed or locked up.\n\n",
		r->t.nr_rows, (long long)json_integer_value(json_object_get(r->manifest, "seeds")),
		r->t.nr_rows - failed, failed);
	/* A partial sweep says so first: its figures are not the study's. */
	if ((size_t)r->t.nr_rows < json_array_size(json_object_get(r->manifest, "points")))
		fprintf(r->f,
			"**Incomplete: %zu of the sweep's %zu runs have no result yet** (run the "
			"sweep again to finish it).\n\n",
			json_array_size(json_object_get(r->manifest, "points")) - r->t.nr_rows,
			json_array_size(json_object_get(r->manifest, "points")));
	fprintf(r->f, "| varied key | values |\n|---|---|\n");
	json_array_foreach(json_object_get(r->manifest, "vary"), i, v)
	{
		json_t *val;
		size_t j;

		fprintf(r->f, "| `%s` | ", json_string_value(json_object_get(v, "key")));
		json_array_foreach(json_object_get(v, "values"), j, val)
		    fprintf(r->f, "%s%s", j ? ", " : "", json_string_value(val));
		fprintf(r->f, " |\n");
	}
	fputc('\n', r->f);
}

/* A column naming each point without its seed, to group the seeds. */
static int point_column(struct table *t)
{
	int c = table_add_column(t, "point_without_seed");

	for (int row = 0; row < t->nr_rows; row++) {
		char *seed;

		free(t->cells[row][c]);
		t->cells[row][c] = strdup(t->cells[row][0]);
		seed = strstr(t->cells[row][c], "seed-");
		if (seed)
			*(seed > t->cells[row][c] ? seed - 1 : seed) = '\0';
	}
	return c;
}

/* Every group of varied values: the key metrics, mean ± 95% CI. */
static void section_results(struct report *r, int key_col)
{
	int lat = table_col(&r->t, "histograms.fault_latency_ns.p99");
	int fb = table_col(&r->t, "spf_fallback_ratio");
	int loop = table_col(&r->t, LOOP_MAX_COL), irq = table_col(&r->t, "irqs_off_max_ns");
	struct groups gs;

	groups_build(&r->t, key_col, -1, &gs);
	fprintf(r->f, "## Results\n\nMean and 95%% confidence interval across seeds.\n\n");
	fprintf(r->f,
		"| point | %s | p99 fault latency | SPF fallbacks | worst pte_map_lock() loop | "
		"worst IRQs off |\n|---|---:|---:|---:|---:|---:|\n",
		derived_label(r->t.cols[r->y]));
	for (int i = 0; i < gs.n; i++) {
		double ci, m = group_mean(&r->t, &gs.g[i], r->y, &ci);
		bool spec;

		fprintf(r->f, "| %s | ", gs.g[i].x[0] ? gs.g[i].x : "(one point)");
		print_si(r->f, m, "");
		fputs(" ± ", r->f);
		print_si(r->f, ci, "");
		fputs(" | ", r->f);
		print_ns(r->f, group_mean(&r->t, &gs.g[i], lat, &ci));
		fputs(" | ", r->f);
		/* Only where faults speculated: a text or lock study has no such figures. */
		spec = fb >= 0 && !isnan(group_mean(&r->t, &gs.g[i], fb, &ci));
		if (spec)
			fprintf(r->f, "%.1f%%", 100 * group_mean(&r->t, &gs.g[i], fb, &ci));
		else
			fputs("-", r->f);
		fputs(" | ", r->f);
		print_ns(r->f, spec && loop >= 0 ? group_worst(&r->t, &gs.g[i], loop) : NAN);
		fputs(" | ", r->f);
		print_ns(r->f, group_worst(&r->t, &gs.g[i], irq));
		fputs(" |\n", r->f);
	}
	fputc('\n', r->f);
	groups_free(&gs);
}

/* Sum over the group of the means of every column whose name starts with prefix. */
static double group_mean_prefixed(const struct report *r, const struct group *g, const char *prefix)
{
	double sum = 0, ci;

	for (int c = 0; c < r->t.nr_cols; c++)
		if (!strncmp(r->t.cols[c], prefix, strlen(prefix)))
			sum += group_mean(&r->t, g, c, &ci);
	return sum;
}

/* The text study's own figures (workload = text): mapping time, faults, fallbacks, iTLB. */
static void section_text(struct report *r, int key_col)
{
	int mapped = table_col(&r->t, "workload_metrics.text_mapped_ns");
	int faults = table_col(&r->t, "faults");
	int itlb = table_col(&r->t, "workload_metrics.itlb_misses_per_pass");
	int share = table_col(&r->t, "workload_metrics.itlb_share_of_pass");
	int p50 = table_col(&r->t, "histograms.fault_latency_ns.p50");
	int p99 = table_col(&r->t, "histograms.fault_latency_ns.p99");
	struct groups gs;

	if (mapped < 0)
		return;
	groups_build(&r->t, key_col, -1, &gs);
	fprintf(r->f,
		"## Text\n\nMeans across seeds.  Fallbacks: every "
		"`thp_file_fallback_*` counter.\n\n"
		"| point | all text mapped | faults | THP fallbacks | iTLB misses a pass (share "
		"of its time) | fault p50 / p99 |\n|---|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < gs.n; i++) {
		const struct group *g = &gs.g[i];
		double ci;

		fprintf(r->f, "| %s | ", g->x[0] ? g->x : "(one point)");
		print_ns(r->f, group_mean(&r->t, g, mapped, &ci));
		fprintf(r->f, " | %.0f | %.0f | %.0f (%.1f%%) | ",
			group_mean(&r->t, g, faults, &ci),
			group_mean_prefixed(r, g, "counters.thp_file_fallback_"),
			itlb >= 0 ? group_mean(&r->t, g, itlb, &ci) : NAN,
			share >= 0 ? 100 * group_mean(&r->t, g, share, &ci) : NAN);
		print_ns(r->f, group_mean(&r->t, g, p50, &ci));
		fputs(" / ", r->f);
		print_ns(r->f, group_mean(&r->t, g, p99, &ci));
		fputs(" |\n", r->f);
	}
	fputc('\n', r->f);
	groups_free(&gs);
}

/* Is key one of the sweep's varied keys? */
static bool varied(const struct report *r, const char *key)
{
	json_t *v;
	size_t i;

	json_array_foreach(
	    json_object_get(r->manifest, "vary"), i,
	    v) if (!strcmp(json_string_value(json_object_get(v, "key")), key)) return true;
	return false;
}

/* A column of every varied key but the excluded one, joined; -1 if none. */
static int others_column(struct report *r, const char *exclude)
{
	char others[512] = "";
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(r->manifest, "vary"), i, v)
	{
		const char *key = json_string_value(json_object_get(v, "key"));

		if (strcmp(key, exclude))
			snprintf(others + strlen(others), sizeof(others) - strlen(others), "%s%s",
				 *others ? "," : "", key);
	}
	if (!*others)
		return -1;
	return strchr(others, ',') ? table_join_columns(&r->t, others) : table_col(&r->t, others);
}

/* Welch's t-test, two-sided: the p-value of "a and b have the same mean". */
static double differs_p(const struct report *r, const struct group *a, const struct group *b)
{
	double t, df;

	if (group_welch(&r->t, a, &r->t, b, r->y, r->y, &t, &df))
		return NAN;
	return 2 * gsl_cdf_tdist_Q(fabs(t), df);
}

/* The group of (series, x), or NULL. */
static const struct group *group_find(const struct groups *gs, const char *series, const char *x)
{
	for (int i = 0; i < gs->n; i++)
		if (!strcmp(gs->g[i].series, series) && !strcmp(gs->g[i].x, x))
			return &gs->g[i];
	return NULL;
}

/*
 * A fault-path comparison (kernel.fault_path varied): each path against
 * the classic one at the same other values, and whether the difference
 * is significant across seeds.
 */
static void section_paths(struct report *r)
{
	int fp = table_col(&r->t, "kernel.fault_path"),
	    series = others_column(r, "kernel.fault_path");
	int p99 = table_col(&r->t, "histograms.fault_latency_ns.p99");
	struct groups gs;

	if (fp < 0 || !varied(r, "kernel.fault_path"))
		return;
	groups_build(&r->t, fp, series, &gs);
	fprintf(r->f,
		"## Fault paths\n\nEach path against `classic` at the same %s: the ratio of "
		"mean throughputs and Welch's two-sided t-test across seeds (different at "
		"p < %.2f).\n\n| %s | path | %s | vs classic | p (same as classic) | "
		"p99 fault latency |\n|---|---|---:|---:|---:|---:|\n",
		series >= 0 ? r->t.cols[series] : "point", ALPHA,
		series >= 0 ? r->t.cols[series] : "point", derived_label(r->t.cols[r->y]));
	for (int i = 0; i < gs.n; i++) {
		const struct group *g = &gs.g[i], *base = group_find(&gs, g->series, "classic");
		double ci, m = group_mean(&r->t, g, r->y, &ci), p = NAN;

		fprintf(r->f, "| %s | %s | ", g->series[0] ? g->series : "all", g->x);
		print_si(r->f, m, "");
		fputs(" | ", r->f);
		if (base && base != g) {
			p = differs_p(r, g, base);
			fprintf(r->f, "%.2f× | ", m / group_mean(&r->t, base, r->y, &ci));
		} else {
			fputs("- | ", r->f);
		}
		if (isnan(p))
			fputs("- | ", r->f);
		else
			fprintf(r->f, "%.3f%s | ", p, p < ALPHA ? " (different)" : " (same)");
		print_ns(r->f, group_mean(&r->t, g, p99, &ci));
		fputs(" |\n", r->f);
	}
	fputc('\n', r->f);
	groups_free(&gs);
}

/* The lock of the group with the largest mean total wait; -1 if no lock waited. */
static int hottest_lock(const struct report *r, const struct group *g, char *name, size_t len)
{
	static const char wait[] = ".wait_total_ns";
	double best = 0, ci;
	int col = -1;

	for (int c = 0; c < r->t.nr_cols; c++) {
		const char *n = r->t.cols[c];
		size_t l = strlen(n);
		double m;

		if (strncmp(n, "locks.", 6) || l < sizeof(wait) ||
		    strcmp(n + l - strlen(wait), wait))
			continue;
		m = group_mean(&r->t, g, c, &ci);
		if (m > best) {
			best = m;
			col = c;
		}
	}
	if (col >= 0)
		snprintf(name, len, "%.*s", (int)(strlen(r->t.cols[col]) - strlen(wait) - 6),
			 r->t.cols[col] + 6);
	return col;
}

static double lock_mean(const struct report *r, const struct group *g, const char *lock,
			const char *stat)
{
	char col[256];
	double ci;

	snprintf(col, sizeof(col), "locks.%s.%s", lock, stat);
	return group_mean(&r->t, g, table_col(&r->t, col), &ci);
}

/*
 * Every point's most waited-on lock: how often it is taken, how often
 * contended, the average wait and hold, and the share of all CPU time
 * spent waiting on it.  The lock study reads its collapse here; the
 * fault studies read which lock bounds them.
 */
static void section_locks(struct report *r, int key_col)
{
	int cpus = table_col(&r->t, "cpus"), secs = table_col(&r->t, "sim_time_s");
	struct groups gs;

	groups_build(&r->t, key_col, -1, &gs);
	fprintf(r->f, "## Locks\n\nEach point's lock with the most total waiting (means across "
		      "seeds).  Wait share: that waiting over all CPUs' time.\n\n"
		      "| point | lock | acquisitions/s | contended | avg wait | avg hold | wait "
		      "share |\n|---|---|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < gs.n; i++) {
		const struct group *g = &gs.g[i];
		double ci, s = group_mean(&r->t, g, secs, &ci), n = group_mean(&r->t, g, cpus, &ci);
		double acq;
		char lock[128];

		fprintf(r->f, "| %s | ", g->x[0] ? g->x : "(one point)");
		if (hottest_lock(r, g, lock, sizeof(lock)) < 0) {
			fputs("(no lock waited) | | | | | |\n", r->f);
			continue;
		}
		acq = lock_mean(r, g, lock, "acquisitions");
		fprintf(r->f, "`%s` | ", lock);
		print_si(r->f, acq / s, "");
		fprintf(r->f, " | %.1f%% | ", 100 * lock_mean(r, g, lock, "contentions") / acq);
		print_ns(r->f, lock_mean(r, g, lock, "wait_avg_ns"));
		fputs(" | ", r->f);
		print_ns(r->f, lock_mean(r, g, lock, "hold_avg_ns"));
		fprintf(r->f, " | %.1f%% |\n",
			100 * lock_mean(r, g, lock, "wait_total_ns") / (n * s * 1e9));
	}
	fputc('\n', r->f);
	groups_free(&gs);
}

/*
 * Where throughput peaks as the CPU count grows, and what is left of it at
 * the largest count: the collapse Boyd-Wickizer et al. describe for ticket
 * locks, or a plateau.
 */
static void section_peak(struct report *r)
{
	const char *key = varied(r, "workload.threads")	    ? "workload.threads"
			  : varied(r, "workload.processes") ? "workload.processes"
							    : NULL;
	int x, series;
	struct groups gs;

	if (!key)
		return;
	x = table_col(&r->t, key);
	series = others_column(r, key);
	groups_build(&r->t, x, series, &gs);
	fprintf(
	    r->f,
	    "## Peak and collapse\n\nPer series: the CPU count with the best mean throughput, "
	    "and the throughput at the largest count as a share of that peak.\n\n"
	    "| %s | peak at | peak | at the largest %s | of peak |\n|---|---:|---:|---:|---:|\n",
	    series >= 0 ? r->t.cols[series] : "series", key);
	for (int i = 0; i < gs.n; i++) {
		const struct group *peak = NULL, *last = NULL;
		double ci, best = -INFINITY;
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= !strcmp(gs.g[j].series, gs.g[i].series);
		if (dup)
			continue;
		for (int j = i; j < gs.n; j++) {
			const struct group *g = &gs.g[j];
			double m = group_mean(&r->t, g, r->y, &ci);

			if (strcmp(g->series, gs.g[i].series))
				continue;
			if (m > best) {
				best = m;
				peak = g;
			}
			if (!last || atof(g->x) > atof(last->x))
				last = g;
		}
		fprintf(r->f, "| %s | %s | ", gs.g[i].series[0] ? gs.g[i].series : "all", peak->x);
		print_si(r->f, best, "");
		fputs(" | ", r->f);
		print_si(r->f, group_mean(&r->t, last, r->y, &ci), "");
		fprintf(r->f, " (%s) | %.0f%% |\n", last->x,
			100 * group_mean(&r->t, last, r->y, &ci) / best);
	}
	fputc('\n', r->f);
	groups_free(&gs);
}

static void section_plots(struct report *r, bool maxtry, long recommended)
{
	static const char *const kinds[] = {"scaling", "latency", "breakdown", "maxtry"};

	fprintf(r->f, "## Plots\n\nEach figure has its `.gp` script and `.dat` data beside it in "
		      "`plots/`.\n\n");
	for (int k = 0; k < 4; k++) {
		struct plot_opts po = {
		    .dir = r->o->dir, .kind = kinds[k], .recommended = recommended};

		if ((k == 3 && !maxtry) || (k == 2 && strcmp(r->t.cols[r->y], "faults_per_s")))
			continue; /* nothing speculated, or nothing faulted */
		if (faultsim_plot(&po)) {
			fprintf(r->f, "(%s: no plot, see the error above)\n\n", kinds[k]);
			continue;
		}
		fprintf(r->f, "![%s](plots/%s.png)\n\n", kinds[k], kinds[k]);
	}
}

static void section_fits(struct report *r)
{
	char path[1024], line[512];
	FILE *fits;
	bool any = false;

	snprintf(path, sizeof(path), "%s/plots/scaling.fit", r->o->dir);
	fits = fopen(path, "r");
	if (!fits)
		return;
	fprintf(r->f,
		"## Scalability fits\n\nThe Universal Scalability Law, X(N) = λN / (1 + σ(N−1) "
		"+ κN(N−1)), fitted to each series of the scaling plot: σ is contention, κ "
		"coherency, N* the CPU count where throughput peaks.\n\n");
	fprintf(
	    r->f,
	    "| series | λ (per CPU) | σ | κ | peak N* | R² |\n|---|---:|---:|---:|---:|---:|\n");
	while (fgets(line, sizeof(line), fits)) {
		char series[256];
		double l, s, k, r2, peak;

		if (line[0] == '#' || sscanf(line, "%255[^\t]\t%lf\t%lf\t%lf\t%lf\t%lf", series, &l,
					     &s, &k, &r2, &peak) != 6)
			continue;
		fprintf(r->f, "| %s | ", series[0] ? series : "all");
		print_si(r->f, l, "");
		fprintf(r->f, " | %.4f | %.3g | ", s, k);
		if (isinf(peak))
			fputs("none", r->f);
		else
			fprintf(r->f, "%.0f", peak);
		fprintf(r->f, " | %.3f |\n", r2);
		any = true;
	}
	fclose(fits);
	fprintf(r->f, any ? "\n" : "(no series had enough points to fit)\n\n");
}

#define MAX_VALUES 64

/* MAX_TRY values seen, and in how many series each met the criterion. */
struct tally {
	long value[MAX_VALUES];
	int met[MAX_VALUES];
	int n;
	bool untested; /* some value had one seed: compared by tolerance only */
};

static void tally_add(struct tally *t, long value, bool met)
{
	int i;

	for (i = 0; i < t->n && t->value[i] != value; i++)
		;
	if (i == t->n) {
		if (t->n == MAX_VALUES)
			return;
		t->value[t->n] = value;
		t->met[t->n++] = 0;
	}
	t->met[i] += met;
}

/* Runs of one (series, MAX_TRY) that did not end ok: they fail the criterion. */
static int runs_not_ok(const struct report *r, const char *series, const char *x)
{
	int status = table_col(&r->t, "status"), mt = table_col(&r->t, "kernel.max_try");
	int n = 0;

	for (int row = 0; row < r->t.nr_rows; row++) {
		const char *s = r->series >= 0 ? r->t.cells[row][r->series] : "";

		if (!strcmp(s, series) && !strcmp(r->t.cells[row][mt], x) &&
		    strcmp(r->t.cells[row][status], "ok"))
			n++;
	}
	return n;
}

/*
 * Welch's t-test, one-sided: the p-value of "g is as fast as the best".
 * NAN when either has a single seed: no variance, no test.
 */
static double slower_p(const struct report *r, const struct group *g, const struct group *best)
{
	double t, df;

	if (group_welch(&r->t, g, &r->t, best, r->y, r->y, &t, &df))
		return NAN;
	return g == best ? 1 : gsl_cdf_tdist_Q(t, df);
}

/* One series' table rows; each value's verdict goes to the tally. */
static void recommend_series(struct report *r, const struct groups *gs, const char *series,
			     struct tally *tally)
{
	int loop = table_col(&r->t, LOOP_MAX_COL);
	const struct group *best = NULL;
	double best_m = -INFINITY, ci;

	for (int i = 0; i < gs->n; i++) {
		double m = group_mean(&r->t, &gs->g[i], r->y, &ci);

		if (!strcmp(gs->g[i].series, series) && m > best_m) {
			best_m = m;
			best = &gs->g[i];
		}
	}
	for (int i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		long mt = atol(g->x);
		double m = group_mean(&r->t, g, r->y, &ci), worst = group_worst(&r->t, g, loop);
		double p = slower_p(r, g, best);
		bool fast = isnan(p) ? m >= best_m * (1 - r->o->tolerance / 100) : p >= ALPHA;
		bool bounded = mt > 0 && worst <= r->o->loop_bound;
		int bad = runs_not_ok(r, series, g->x);

		if (strcmp(g->series, series))
			continue;
		fprintf(r->f, "| %s | %s | ", series[0] ? series : "all",
			mt ? g->x : "0 (unbounded)");
		print_si(r->f, m, "");
		fprintf(r->f, " | %.1f%% | ", 100 * m / best_m);
		if (isnan(p))
			fprintf(r->f, "- | ");
		else
			fprintf(r->f, "%.3f | ", p);
		print_ns(r->f, worst);
		if (bad)
			fprintf(r->f, " | no: %d runs locked up or failed |\n", bad);
		else
			fprintf(r->f, " | %s |\n",
				fast && bounded ? "yes"
				: !mt		? "no: unbounded"
				: !fast		? "no: slower than the best"
						: "no: loop too long");
		tally_add(tally, mt, fast && bounded && !bad);
		tally->untested |= isnan(p);
	}
}

/* Did any run of the sweep speculate?  If none did, MAX_TRY bounded nothing. */
static bool sweep_speculated(const struct report *r)
{
	int col = table_col(&r->t, SPF_ATTEMPTS_COL);

	for (int row = 0; col >= 0 && row < r->t.nr_rows; row++)
		if (table_num(&r->t, row, col) > 0)
			return true;
	return false;
}

/* Returns the recommended MAX_TRY, or 0 for none. */
static long section_maxtry(struct report *r, int mt_col, int series_col)
{
	struct groups gs;
	struct tally tally = {0};
	const char *seen[64];
	int ns = 0;
	long overall = -1;

	fprintf(r->f, "## MAX_TRY recommendation\n\n");
	if (!sweep_speculated(r)) {
		fprintf(r->f, "**No recommendation**: no run of this sweep attempted a speculative "
			      "fault (`counters.spf_attempts` is 0), so MAX_TRY, which bounds "
			      "pte_map_lock()'s loop on that path, changed nothing here.\n\n");
		return 0;
	}
	groups_build(&r->t, mt_col, series_col, &gs);
	fprintf(r->f,
		"Criterion: throughput not significantly below the best MAX_TRY's (Welch's "
		"t-test across seeds, one-sided, p >= %.2f; with one seed, within %.1f%% of "
		"it), and the worst time any CPU spent in pte_map_lock()'s retry loop, over "
		"all seeds, at most ",
		ALPHA, r->o->tolerance);
	print_ns(r->f, r->o->loop_bound);
	fprintf(r->f, "; the smallest bounded MAX_TRY that meets both.  Values the test cannot "
		      "tell from the best are equivalent in throughput.  (0 is the patch's "
		      "unbounded loop, which bounds nothing.)\n\n");
	fprintf(r->f,
		"| %s | MAX_TRY | %s | of best | p (as fast as the best) | worst loop time | "
		"meets |\n"
		"|---|---|---:|---:|---:|---:|---|\n",
		series_col >= 0 ? r->t.cols[series_col] : "series", derived_label(r->t.cols[r->y]));
	for (int i = 0; i < gs.n; i++) {
		bool dup = false;

		for (int j = 0; j < ns; j++)
			dup |= !strcmp(seen[j], gs.g[i].series);
		if (dup || ns == 64)
			continue;
		seen[ns++] = gs.g[i].series;
		recommend_series(r, &gs, gs.g[i].series, &tally);
	}
	for (int i = 0; i < tally.n; i++)
		if (tally.met[i] == ns && (overall < 0 || tally.value[i] < overall))
			overall = tally.value[i];
	fputc('\n', r->f);
	if (overall > 0)
		fprintf(r->f,
			"**Recommendation: MAX_TRY = %ld.** It is the smallest value that meets "
			"the criterion at every %s swept.%s\n\n",
			overall, series_col >= 0 ? r->t.cols[series_col] : "point",
			tally.untested ? "  More seeds needed to test it: with one seed, "
					 "throughput was compared by tolerance only."
				       : "");
	else
		fprintf(r->f,
			"**No MAX_TRY swept meets the criterion everywhere**: see the rows marked "
			"no; widen the tolerance, raise the bound, or sweep more values.\n\n");
	groups_free(&gs);
	return overall > 0 ? overall : 0;
}

int faultsim_report(const struct report_opts *o)
{
	struct report r = {.o = o};
	char path[1024], err[512];
	struct output_file of;
	int mt, series, rc;
	char *maxtry_md = NULL;
	size_t maxtry_len = 0;
	long recommended = 0;
	bool maxtry;

	snprintf(path, sizeof(path), "%s/sweep.json", o->dir);
	r.manifest = json_load_file(path, 0, NULL);
	if (!r.manifest) {
		fprintf(stderr, "faultsim: report: %s: not a sweep directory\n", o->dir);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/results.csv", o->dir);
	if (table_load(path, &r.t, err, sizeof(err))) {
		fprintf(stderr, "faultsim: report: %s\n", err);
		json_decref(r.manifest);
		return 2;
	}
	derived_add(&r.t);
	r.y = derived_throughput(&r.t);
	mt = table_col(&r.t, "kernel.max_try");
	/* Every other varied key makes its own row group, joined. */
	series = others_column(&r, "kernel.max_try");
	snprintf(path, sizeof(path), "%s/report.md", o->dir);
	if (r.y < 0 || outfile_open(&of, path, err, sizeof(err))) {
		fprintf(stderr, "faultsim: report: %s\n",
			r.y < 0 ? "results.csv has no throughput" : err);
		table_free(&r.t);
		json_decref(r.manifest);
		return 2;
	}
	r.f = of.f;
	maxtry = mt >= 0 && table_col(&r.t, LOOP_MAX_COL) >= 0;
	section_parameters(&r);
	section_results(&r, point_column(&r.t));
	section_text(&r, point_column(&r.t));
	section_paths(&r);
	section_peak(&r);
	section_locks(&r, point_column(&r.t));
	r.series = series;
	/*
	 * The recommendation is decided before the plots, which mark it, and
	 * printed after them.
	 */
	if (maxtry) {
		r.f = open_memstream(&maxtry_md, &maxtry_len);
		recommended = r.f ? section_maxtry(&r, mt, series) : 0;
		if (r.f)
			fclose(r.f);
		r.f = of.f;
	}
	section_plots(&r, maxtry, recommended);
	section_fits(&r);
	if (maxtry_md)
		fputs(maxtry_md, r.f);
	free(maxtry_md);
	rc = outfile_commit(&of) ? 2 : 0;
	if (!rc)
		printf("%s\n", path);
	table_free(&r.t);
	json_decref(r.manifest);
	return rc;
}

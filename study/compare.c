/* study/compare.c - faultsim compare DIR_A DIR_B, after mmtests' compare-kernels.
 *
 * Points are matched by their varied values (the name without its seed);
 * for each point both sweeps have and each metric: A's mean, B's, B / A,
 * and whether they differ at the 5% level by Welch's t-test across seeds
 * (two-sided).  With one seed a side there is no test, and it says so.
 */
#include "compare.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../run/outfile.h"
#include "table.h"

#define ALPHA 0.05

static const char default_metrics[] =
    "throughput,faults_per_s,latency_ns.p99,irqs_off_max_ns,idle.pct";

/* The name of a row's point: its results.csv name less ",seed-N". */
static void point_names(struct table *t, int *col)
{
	*col = table_add_column(t, "point_without_seed");
	for (int row = 0; row < t->nr_rows; row++) {
		char *seed;

		free(t->cells[row][*col]);
		t->cells[row][*col] = strdup(t->cells[row][0]);
		seed = strstr(t->cells[row][*col], "seed-");
		if (seed)
			*(seed > t->cells[row][*col] ? seed - 1 : seed) = '\0';
	}
}

static int load(const char *dir, struct table *t, struct groups *gs)
{
	char path[1024], err[512];
	int col;

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	if (table_load(path, t, err, sizeof(err))) {
		fprintf(stderr, "faultsim: compare: %s\n", err);
		return 2;
	}
	point_names(t, &col);
	groups_build(t, col, -1, gs);
	return 0;
}

static const struct group *find(const struct groups *gs, const char *x)
{
	for (int i = 0; i < gs->n; i++)
		if (!strcmp(gs->g[i].x, x))
			return &gs->g[i];
	return NULL;
}

/* "yes (p = 0.003)", "no (p = 0.41)" or "untested (one seed)". */
static void verdict(char *buf, size_t len, const struct table *ta, const struct group *a,
		    const struct table *tb, const struct group *b, int ca, int cb)
{
	double t, df, p;

	if (group_welch(ta, a, tb, b, ca, cb, &t, &df)) {
		snprintf(buf, len, "untested (one seed)");
		return;
	}
	p = isinf(t) ? 0 : t == 0 ? 1 : 2 * gsl_cdf_tdist_Q(fabs(t), df);
	snprintf(buf, len, "%s (p = %.3g)", p < ALPHA ? "yes" : "no", p);
}

static void compare_metric(FILE *csv, const struct table *ta, const struct groups *ga,
			   const struct table *tb, const struct groups *gb, const char *metric)
{
	int ca = table_col(ta, metric), cb = table_col(tb, metric);

	if (ca < 0 || cb < 0)
		return;
	printf("\n### %s\n\n| point | A | B | B / A | differ |\n|---|---:|---:|---:|---|\n",
	       metric);
	for (int i = 0; i < ga->n; i++) {
		const struct group *a = &ga->g[i], *b = find(gb, a->x);
		double ci, ma, mb;
		char v[64];

		if (!b)
			continue;
		ma = group_mean(ta, a, ca, &ci);
		mb = group_mean(tb, b, cb, &ci);
		verdict(v, sizeof(v), ta, a, tb, b, ca, cb);
		printf("| %s | %.4g | %.4g | %.3f | %s |\n", a->x[0] ? a->x : "(one point)", ma, mb,
		       ma ? mb / ma : NAN, v);
		if (csv)
			fprintf(csv, "%s,%s,%.10g,%.10g,%.6g,\"%s\"\n", a->x, metric, ma, mb,
				ma ? mb / ma : NAN, v);
	}
}

int faultsim_compare(const struct compare_opts *o)
{
	struct table ta = {0}, tb = {0};
	struct groups ga = {0}, gb = {0};
	struct output_file of = {0};
	char metrics[1024], err[512], *save, *m;
	int rc = load(o->dir_a, &ta, &ga);

	if (!rc)
		rc = load(o->dir_b, &tb, &gb);
	if (!rc && outfile_open(&of, o->csv, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		rc = 2;
	}
	if (rc)
		goto out;
	if (of.f)
		fputs("point,metric,a,b,b_over_a,differ\n", of.f);
	printf("# faultsim compare\n\nA: %s\nB: %s\n\nMeans across seeds; \"differ\": Welch's "
	       "t-test, two-sided, at %.2f.\n",
	       o->dir_a, o->dir_b, ALPHA);
	snprintf(metrics, sizeof(metrics), "%s", o->metrics ? o->metrics : default_metrics);
	for (m = strtok_r(metrics, ",", &save); m; m = strtok_r(NULL, ",", &save))
		compare_metric(of.f, &ta, &ga, &tb, &gb, m);
	if (of.f && outfile_commit(&of))
		rc = 2;
out:
	groups_free(&ga);
	groups_free(&gb);
	table_free(&ta);
	table_free(&tb);
	return rc;
}

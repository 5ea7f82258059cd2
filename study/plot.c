/* study/plot.c - the four figures of a sweep, through gnuplot templates. */
#include "plot.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "derived.h"
#include "../run/outfile.h"
#include "table.h"
#include "usl.h"

struct plot {
	const struct plot_opts *o;
	struct table t;
	char varied[8][64]; /* the sweep's varied keys */
	int nr_varied;
	int x, series, y; /* columns */
	char name[128];	  /* the figures' base name */
	char dir[1024];	  /* DIR/plots */
};

static const char *const kinds[] = {"scaling", "latency", "maxtry", "breakdown"};

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "faultsim: plot: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int load_varied(struct plot *pl)
{
	char path[2048];
	json_t *m, *v;
	size_t i;

	snprintf(path, sizeof(path), "%s/sweep.json", pl->o->dir);
	m = json_load_file(path, 0, NULL);
	if (!m)
		return fail("%s: not a sweep directory (no readable sweep.json)", pl->o->dir);
	json_array_foreach(json_object_get(m, "vary"), i, v)
	{
		if (pl->nr_varied == 8)
			break;
		snprintf(pl->varied[pl->nr_varied++], 64, "%s",
			 json_string_value(json_object_get(v, "key")));
	}
	json_decref(m);
	return 0;
}

static bool is_varied(const struct plot *pl, const char *key)
{
	for (int i = 0; i < pl->nr_varied; i++)
		if (!strcmp(pl->varied[i], key))
			return true;
	return false;
}

/* The option's column, a default, or -1; a bad name is an error (2). */
static int pick_column(struct plot *pl, const char *opt, const char *what, const char *def,
		       int *col)
{
	const char *name = opt ? opt : def;

	*col = -1;
	if (!name)
		return 0;
	*col = strchr(name, ',') ? table_join_columns(&pl->t, name) : table_col(&pl->t, name);
	if (*col < 0) {
		fprintf(stderr, "faultsim: plot: --%s %s: no such column in results.csv\n", what,
			name);
		return 2;
	}
	return 0;
}

/* Is key one of the comma-separated list? */
static bool list_has(const char *list, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, key, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* The first varied key that is neither x nor excluded, for the series. */
/* Is every ok row's value of col a number? */
static bool numeric_col(const struct plot *pl, int col)
{
	int status = table_col(&pl->t, "status");

	for (int r = 0; r < pl->t.nr_rows; r++)
		if ((status < 0 || !strcmp(pl->t.cells[r][status], "ok")) &&
		    isnan(table_num(&pl->t, r, col)))
			return false;
	return true;
}

/*
 * The default x: the CPU count where it was varied, else the first varied
 * key with numeric values (a scaling plot needs numbers), else the first.
 */
static const char *default_x(const struct plot *pl)
{
	if (is_varied(pl, "workload.threads"))
		return "workload.threads";
	if (is_varied(pl, "workload.processes"))
		return "workload.processes";
	for (int i = 0; i < pl->nr_varied; i++)
		if (numeric_col(pl, table_col(&pl->t, pl->varied[i])))
			return pl->varied[i];
	return pl->nr_varied ? pl->varied[0] : NULL;
}

int gnuplot_run(const char *dir, const char *name)
{
	char gp[256];
	pid_t pid;
	int status;

	snprintf(gp, sizeof(gp), "%s.gp", name);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (chdir(dir))
			_exit(126);
		execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		perror("faultsim: plot: gnuplot");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "faultsim: plot: gnuplot failed on %s/%s\n", dir, gp);
		return 2;
	}
	printf("%s/%s.png\n%s/%s.svg\n", dir, name, dir, name);
	return 0;
}

static int run_gnuplot(const struct plot *pl)
{
	return gnuplot_run(pl->dir, pl->name);
}

/* Fill plots/KIND.gp: each @KEY@ in the template by its value. */
static int write_script(const struct plot *pl, const char *kind, const char *const *subst)
{
	char tpl[1024], path[2048], err[512], *text = NULL;
	struct output_file of;
	size_t cap = 0;
	FILE *f;
	const char *env = getenv("FAULTSIM_PLOTS");

	snprintf(tpl, sizeof(tpl), "%s/%s.gp", env ? env : FAULTSIM_DATADIR "/plots", kind);
	f = fopen(tpl, "r");
	if (!f)
		return fail("%s: template missing", tpl);
	if (getdelim(&text, &cap, '\0', f) < 0) {
		fclose(f);
		free(text);
		return fail("%s: cannot read", tpl);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.gp", pl->dir, pl->name);
	if (outfile_open(&of, path, err, sizeof(err))) {
		free(text);
		return fail("%s", err);
	}
	for (const char *p = text; *p;) {
		const char *at = strchr(p, '@'), *end = at ? strchr(at + 1, '@') : NULL;
		bool found = false;

		if (!at || !end) {
			fputs(p, of.f);
			break;
		}
		fwrite(p, 1, at - p, of.f);
		for (int i = 0; subst[i]; i += 2)
			if ((size_t)(end - at - 1) == strlen(subst[i]) &&
			    !strncmp(at + 1, subst[i], end - at - 1)) {
				fputs(subst[i + 1], of.f);
				found = true;
			}
		if (!found)
			fwrite(at, 1, end - at + 1, of.f);
		p = end + 1;
	}
	free(text);
	return outfile_commit(&of) ? 2 : 0;
}

static FILE *open_dat(const struct plot *pl, struct output_file *of)
{
	char path[2048], err[512];

	snprintf(path, sizeof(path), "%s/%s.dat", pl->dir, pl->name);
	if (outfile_open(of, path, err, sizeof(err))) {
		fail("%s", err);
		return NULL;
	}
	return of->f;
}

/* Series values in first-appearance order. */
static int series_list(const struct groups *gs, const char **out, int max)
{
	int n = 0;

	for (int i = 0; i < gs->n; i++) {
		bool seen = false;

		for (int j = 0; j < n; j++)
			seen |= !strcmp(out[j], gs->g[i].series);
		if (!seen && n < max)
			out[n++] = gs->g[i].series;
	}
	return n;
}

/* A key as a legend says it: "kernel.max_try" is "max_try". */
static const char *short_key(const char *col)
{
	const char *dot = strrchr(col, '.');

	return dot ? dot + 1 : col;
}

/*
 * "max_try=4"; a series of several keys (--series a,b: the column "a,b"
 * holds "va/vb") reads "text_thp=always, cache=warm".
 */
static void series_title(const struct plot *pl, const char *value, char *buf, size_t len)
{
	char keys[256], vals[256], *ks, *vs, *k, *v;
	size_t used = 0;

	if (pl->series < 0) {
		snprintf(buf, len, "%s", pl->t.cols[pl->y]);
		return;
	}
	snprintf(keys, sizeof(keys), "%s", pl->t.cols[pl->series]);
	snprintf(vals, sizeof(vals), "%s", value);
	buf[0] = '\0';
	for (k = strtok_r(keys, ",", &ks), v = strtok_r(vals, "/", &vs); k && v && used < len;
	     k = strtok_r(NULL, ",", &ks), v = strtok_r(NULL, "/", &vs))
		used +=
		    snprintf(buf + used, len - used, "%s%s=%s", used ? ", " : "", short_key(k), v);
}

static void append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* A panel holds at most this many series; more are faceted into panels. */
#define SERIES_PER_PANEL 8
#define MAX_PANELS	 8

/*
 * The plot commands of one figure: one "plot" of the clauses, or, past
 * SERIES_PER_PANEL clauses, a multiplot of panels of that many each,
 * every panel with the shared tail (a reference line).
 */
static void panel_block(char *out, size_t len, char clauses[][1024], int n, const char *tail,
			int *panels)
{
	*panels = (n + SERIES_PER_PANEL - 1) / SERIES_PER_PANEL;
	if (*panels > MAX_PANELS)
		*panels = MAX_PANELS;
	if (*panels < 1)
		*panels = 1;
	out[0] = '\0';
	if (*panels > 1)
		append(out, len, "set multiplot layout %d,1\n", *panels);
	for (int p = 0; p < *panels; p++) {
		append(out, len, "plot ");
		for (int i = p * SERIES_PER_PANEL; i < n && i < (p + 1) * SERIES_PER_PANEL; i++)
			append(out, len, "%s%s", i % SERIES_PER_PANEL ? ", " : "", clauses[i]);
		append(out, len, "%s\n", tail);
	}
	if (*panels > 1)
		append(out, len, "unset multiplot\n");
}

/* Is the column a time in ns? */
static bool is_time(const char *col)
{
	size_t l = strlen(col);

	return (l > 3 && !strcmp(col + l - 3, "_ns")) || strstr(col, "_ns.") ||
	       !strncmp(col, "per_fault.", 10);
}

/*
 * A time axis in the unit its largest value reads best in: the divisor
 * from ns and the unit's name.
 */
static const char *time_unit(double max_ns, double *div)
{
	static const struct {
		double ns;
		const char *name;
	} units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}, {1, "ns"}};
	int i = 0;

	while (i < 3 && !(max_ns >= units[i].ns))
		i++;
	*div = units[i].ns;
	return units[i].name;
}

/* The label with its "(ns)" as the chosen unit, or the unit appended. */
static void time_label(const char *label, const char *unit, char *buf, size_t len)
{
	const char *ns = strstr(label, "(ns)");

	if (ns)
		snprintf(buf, len, "%.*s(%s)%s", (int)(ns - label), label, unit, ns + 4);
	else
		snprintf(buf, len, "%s (%s)", label, unit);
}

/* The fitted USL of each series, as a line of a .fit file the report reads. */
static void fit_series(const struct plot *pl, const struct groups *gs, const char *series,
		       int index, double div, char *funcs, size_t flen, char *plot, size_t plen,
		       FILE *fits)
{
	double n[256], x[256], ci;
	struct usl_fit fit;
	int k = 0;

	for (int i = 0; i < gs->n && k < 256; i++) {
		if (strcmp(gs->g[i].series, series))
			continue;
		n[k] = table_num(&pl->t, gs->g[i].rows[0], pl->x);
		x[k] = group_mean(&pl->t, &gs->g[i], pl->y, &ci);
		k++;
	}
	if (usl_fit(n, x, k, &fit))
		return;
	append(funcs, flen, "usl%d(x) = %.10g * x / (1 + %.10g * (x - 1) + %.10g * x * (x - 1))\n",
	       index, fit.lambda / div, fit.sigma, fit.kappa);
	append(plot, plen,
	       ", usl%d(x) with lines dt 2 lc %d title \"USL fit: sigma %.3g, kappa %.3g\"", index,
	       index + 1, fit.sigma, fit.kappa);
	fprintf(fits, "%s%s%s\t%.10g\t%.10g\t%.10g\t%.6f\t%.6g\n",
		pl->series >= 0 ? pl->t.cols[pl->series] : "", pl->series >= 0 ? " = " : "", series,
		fit.lambda, fit.sigma, fit.kappa, fit.r2, fit.peak);
}

/* The largest mean of col over the groups: what a time axis's unit is chosen by. */
static double groups_max(const struct plot *pl, const struct groups *gs, int col)
{
	double max = 0, ci;

	for (int i = 0; i < gs->n; i++) {
		double m = group_mean(&pl->t, &gs->g[i], col, &ci);

		max = m > max ? m : max;
	}
	return max;
}

/* The smallest positive mean of col over the groups; INFINITY if none. */
static double groups_min(const struct plot *pl, const struct groups *gs, int col)
{
	double min = INFINITY, ci;

	for (int i = 0; i < gs->n; i++) {
		double m = group_mean(&pl->t, &gs->g[i], col, &ci);

		min = m > 0 && m < min ? m : min;
	}
	return min;
}

static int plot_scaling(struct plot *pl)
{
	struct groups gs;
	struct output_file of, fof;
	const char *series[32], *unit = NULL;
	static char clauses[32][1024];
	char funcs[8192] = "", cmd[32768], tail[128] = "", path[2048], err[512], title[256];
	char xscale[64], yrange[96], ylabel[200], height[16];
	double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0, ref = NAN, div = 1;
	int ns, rc, panels;
	FILE *f;

	if (!numeric_col(pl, pl->x))
		return fail("scaling: --x %s has values that are not numbers; plot it with "
			    "--kind latency or breakdown, or as --series",
			    pl->t.cols[pl->x]);
	groups_build(&pl->t, pl->x, pl->series, &gs);
	ns = series_list(&gs, series, 32);
	if (is_time(pl->t.cols[pl->y]))
		unit = time_unit(groups_max(pl, &gs, pl->y), &div);
	f = open_dat(pl, &of);
	snprintf(path, sizeof(path), "%s/%s.fit", pl->dir, pl->name);
	if (!f || outfile_open(&fof, path, err, sizeof(err))) {
		if (f)
			outfile_abandon(&of);
		groups_free(&gs);
		return fail("%s", f ? err : "cannot write the data file");
	}
	fprintf(fof.f, "# series\tlambda\tsigma\tkappa\tr2\tpeak\n");
	for (int s = 0; s < ns; s++) {
		series_title(pl, series[s], title, sizeof(title));
		fprintf(f, "# %s\n", title);
		for (int i = 0; i < gs.n; i++) {
			double ci, x = table_num(&pl->t, gs.g[i].rows[0], pl->x);
			double m = group_mean(&pl->t, &gs.g[i], pl->y, &ci) / div;

			if (strcmp(gs.g[i].series, series[s]))
				continue;
			ci /= div;
			fprintf(f, "%s %.10g %.10g\n", gs.g[i].x, m, ci);
			if (x < xmin) {
				xmin = x;
				ref = m / x;
			}
			xmax = x > xmax ? x : xmax;
			ymax = m + ci > ymax ? m + ci : ymax;
			ymin = m > 0 && m < ymin ? m : ymin;
		}
		fprintf(f, "\n\n");
		snprintf(clauses[s], sizeof(clauses[s]),
			 "\"%s.dat\" index %d using 1:2:3 with yerrorlines lc %d title \"%s\"",
			 pl->name, s, s + 1, title);
		fit_series(pl, &gs, series[s], s, div, funcs, sizeof(funcs), clauses[s],
			   sizeof(clauses[s]), fof.f);
	}
	/* A time grows with N rather than scaling with it: no linear reference then. */
	if (isfinite(ref) && !unit) {
		append(funcs, sizeof(funcs), "linear(x) = %.10g * x\n", ref);
		snprintf(tail, sizeof(tail),
			 ", linear(x) with lines dt 3 lc black title \"linear scaling\"");
	}
	panel_block(cmd, sizeof(cmd), clauses, ns, tail, &panels);
	snprintf(xscale, sizeof(xscale), "%s",
		 xmin >= 1 && xmax / xmin >= 8 ? "set logscale x 2" : "");
	/* The linear reference stops at the data's top: it must not squash the data. */
	/* Series spanning more than 100 times: log-y, or the small ones flatten to zero. */
	if (ymax > 100 * ymin)
		snprintf(yrange, sizeof(yrange),
			 "set logscale y 10\nset yrange [%.6g:%.6g]\nset format y \"%%g\"",
			 ymin / 1.5, ymax * 1.5);
	else
		snprintf(yrange, sizeof(yrange), "set yrange [0:%.6g]%s",
			 ymax > 0 ? 1.15 * ymax : 1, unit ? "\nset format y \"%g\"" : "");
	rc = outfile_commit(&of) || outfile_commit(&fof) ? 2 : 0;
	groups_free(&gs);
	if (rc)
		return rc;
	if (unit)
		time_label(derived_label(pl->t.cols[pl->y]), unit, ylabel, sizeof(ylabel));
	else
		snprintf(ylabel, sizeof(ylabel), "%s", derived_label(pl->t.cols[pl->y]));
	snprintf(title, sizeof(title), "%s (mean and 95%% CI across seeds)", ylabel);
	snprintf(height, sizeof(height), "%d", panels > 1 ? 420 * panels : 650);
	{
		char dat[160];
		const char *subst[] = {
		    "TITLE",  title,	"XLABEL",    derived_label(pl->t.cols[pl->x]),
		    "YLABEL", ylabel,	"DAT",	     dat,
		    "OUT",    pl->name, "PLOT",	     cmd,
		    "HEIGHT", height,	"FUNCTIONS", funcs,
		    "XSCALE", xscale,	"YRANGE",    yrange,
		    NULL};

		snprintf(dat, sizeof(dat), "%s.dat", pl->name);
		rc = write_script(pl, "scaling", subst);
	}
	return rc ? rc : run_gnuplot(pl);
}

static int plot_latency(struct plot *pl)
{
	static const char *const pcts[] = {"p50", "p90", "p99", "p999", "max"};
	static const char *const labels[] = {"50", "90", "99", "99.9", "max"};
	static char clauses[64][1024];
	struct groups gs;
	struct output_file of;
	char cmd[32768], dat[160], title[256], ylabel[64], height[16], yrange[64];
	const char *unit;
	double div, lo, hi;
	int rc, cols[5], n = 0, panels;
	FILE *f;

	for (int i = 0; i < 5; i++) {
		char col[96];

		snprintf(col, sizeof(col), "histograms.fault_latency_ns.%s", pcts[i]);
		cols[i] = table_col(&pl->t, col);
		if (cols[i] < 0) {
			snprintf(col, sizeof(col), "latency_ns.%s", pcts[i]);
			cols[i] = table_col(&pl->t, col);
		}
		if (cols[i] < 0)
			return fail("results.csv has no %s latency column", pcts[i]);
	}
	groups_build(&pl->t, pl->x, pl->series, &gs);
	hi = groups_max(pl, &gs, cols[4]);
	lo = groups_min(pl, &gs, cols[0]);
	unit = time_unit(hi, &div);
	/* The means decide the range: an interval reaching zero must not stretch a log axis. */
	if (isfinite(lo) && hi > 0)
		snprintf(yrange, sizeof(yrange), "set yrange [%.4g:%.4g]", lo / div / 2,
			 hi / div * 2);
	else
		snprintf(yrange, sizeof(yrange), "set autoscale y");
	f = open_dat(pl, &of);
	if (!f) {
		groups_free(&gs);
		return 2;
	}
	for (int i = 0; i < gs.n && n < 64; i++, n++) {
		/* "threads=8, max_try=0": each varied key with its value, plainly. */
		title[0] = '\0';
		if (pl->x >= 0)
			snprintf(title, sizeof(title), "%s=%s", short_key(pl->t.cols[pl->x]),
				 gs.g[i].x);
		if (pl->series >= 0) {
			char st[192];

			series_title(pl, gs.g[i].series, st, sizeof(st));
			snprintf(title + strlen(title), sizeof(title) - strlen(title), "%s%s",
				 title[0] ? ", " : "", st);
		}
		fprintf(f, "# %s\n", title);
		for (int p = 0; p < 5; p++) {
			double ci, m = group_mean(&pl->t, &gs.g[i], cols[p], &ci);

			fprintf(f, "%d %s %.10g %.10g\n", p, labels[p], m / div, ci / div);
		}
		fprintf(f, "\n\n");
		snprintf(clauses[n], sizeof(clauses[n]),
			 "\"%s.dat\" index %d using 1:3:4:xtic(2) with yerrorlines lc %d title "
			 "\"%s\"",
			 pl->name, i, n % SERIES_PER_PANEL + 1, title);
	}
	rc = outfile_commit(&of) ? 2 : 0;
	groups_free(&gs);
	if (rc)
		return rc;
	panel_block(cmd, sizeof(cmd), clauses, n, "", &panels);
	snprintf(dat, sizeof(dat), "%s.dat", pl->name);
	snprintf(ylabel, sizeof(ylabel), "fault latency (%s)", unit);
	snprintf(height, sizeof(height), "%d", panels > 1 ? 420 * panels : 650);
	{
		const char *subst[] = {"TITLE",	 "fault latency percentiles (mean across seeds)",
				       "YLABEL", ylabel,
				       "DAT",	 dat,
				       "OUT",	 pl->name,
				       "PLOT",	 cmd,
				       "HEIGHT", height,
				       "YRANGE", yrange,
				       NULL};

		rc = write_script(pl, "latency", subst);
	}
	return rc ? rc : run_gnuplot(pl);
}

/* report's default --loop-bound, drawn on the loop-time panel. */
#define MAXTRY_LOOP_BOUND_NS 10e3

static int plot_maxtry(struct plot *pl)
{
	static const char *const metrics[] = {NULL, "spf_fallback_ratio",
					      "histograms.spf_pte_map_lock_loop_ns.max"};
	static const char *const ylabels[] = {NULL, "speculative faults that fell back (share)",
					      "worst time in pte_map_lock() loop"};
	struct groups gs;
	struct output_file of, panels;
	const char *series[32];
	char xtics[2048] = "", dat[160], nx[16], path[2048], err[512];
	int cols[3] = {pl->y}, ns, xs = 0, rc, npanels, mark = -1;
	const char *unit;
	double div;
	FILE *f;

	for (int i = 1; i < 3; i++)
		if ((cols[i] = table_col(&pl->t, metrics[i])) < 0)
			return fail("results.csv has no %s: a speculative-fault sweep is needed",
				    metrics[i]);
	groups_build(&pl->t, pl->x, pl->series, &gs);
	ns = series_list(&gs, series, 32);
	unit = time_unit(groups_max(pl, &gs, cols[2]), &div);
	f = open_dat(pl, &of);
	if (!f) {
		groups_free(&gs);
		return 2;
	}
	/* Every MAX_TRY any series has, in order: a series missing one keeps its place. */
	const char *xv[64];

	for (int i = 0; i < gs.n; i++) {
		bool seen = false;

		for (int j = 0; j < xs; j++)
			seen |= !strcmp(xv[j], gs.g[i].x);
		if (seen || xs == 64)
			continue;
		/* 0 is the unbounded loop of the patch. */
		append(xtics, sizeof(xtics), "%s\"%s\" %d", xs ? ", " : "",
		       strcmp(gs.g[i].x, "0") ? gs.g[i].x : "0 (unbounded)", xs);
		if (pl->o->recommended && atol(gs.g[i].x) == pl->o->recommended)
			mark = xs;
		xv[xs++] = gs.g[i].x;
	}
	for (int s = 0; s < ns; s++) {
		fprintf(f, "# %s\n", series[s]);
		for (int i = 0; i < gs.n; i++) {
			int pos = 0;

			if (strcmp(gs.g[i].series, series[s]))
				continue;
			while (pos < xs && strcmp(xv[pos], gs.g[i].x))
				pos++;
			fprintf(f, "%d %s", pos, gs.g[i].x);
			for (int c = 0; c < 3; c++) {
				double ci, m = group_mean(&pl->t, &gs.g[i], cols[c], &ci);

				/* The loop's time in the axis's unit. */
				fprintf(f, " %.10g %.10g", c == 2 ? m / div : m,
					c == 2 ? ci / div : ci);
			}
			fputc('\n', f);
		}
		fprintf(f, "\n\n");
	}
	snprintf(path, sizeof(path), "%s/%s.panels", pl->dir, pl->name);
	if (outfile_open(&panels, path, err, sizeof(err))) {
		outfile_abandon(&of);
		groups_free(&gs);
		return fail("%s", err);
	}
	/* Past eight series, each further eight gets a column of three panels. */
	npanels = ns > SERIES_PER_PANEL ? (ns + SERIES_PER_PANEL - 1) / SERIES_PER_PANEL : 1;
	npanels = npanels > MAX_PANELS ? MAX_PANELS : npanels;
	fprintf(panels.f, "# The panels of %s.gp, loaded once per terminal.\n", pl->name);
	fprintf(panels.f,
		"set termoption noenhanced\nset multiplot layout 3,%d columnsfirst title "
		"\"MAX_TRY: throughput, fallbacks, time in the loop\"\n",
		npanels);
	/* One column: room on the right for the legends, the same for all three. */
	if (npanels == 1)
		fprintf(panels.f, "set rmargin at screen 0.8\n");
	fprintf(panels.f, "set lmargin 12\n"); /* the panels' x axes aligned */
	/* The report's recommendation, a vertical line on every panel. */
	if (mark >= 0)
		fprintf(panels.f,
			"set arrow 1 from %d, graph 0 to %d, graph 1 nohead lw 2 lc "
			"rgb \"dark-green\" dt 4\n"
			"set label 1 \"recommended: %ld\" at %d, graph 0.95 left offset "
			"0.5,0 tc rgb \"dark-green\"\n",
			mark, mark, pl->o->recommended, mark);
	for (int p = 0; p < npanels; p++)
		for (int c = 0; c < 3; c++) {
			if (c == 2)
				fprintf(panels.f, "set ylabel \"%s (%s)\" noenhanced\n", ylabels[c],
					unit);
			else
				fprintf(panels.f, "set ylabel \"%s\" noenhanced\n",
					c ? ylabels[c] : derived_label(pl->t.cols[pl->y]));
			/* Nothing below zero, however wide the interval; shares up to one. */
			fprintf(panels.f, "%s\n",
				c == 2	 ? "set logscale y 10\nset yrange [*:*]"
				: c == 1 ? "unset logscale y\nset yrange [0:1.05]"
					 : "unset logscale y\nset yrange [0:*]");
			/* A share reads as a share, a time in its unit, throughput with its prefix.
			 */
			fprintf(panels.f, "set format y \"%s\"\n",
				c == 1	 ? "%.2f"
				: c == 2 ? "%g"
					 : "%.1s%c");
			fprintf(panels.f, "plot ");
			for (int s = p * SERIES_PER_PANEL; s < ns && s < (p + 1) * SERIES_PER_PANEL;
			     s++) {
				char title[256];

				series_title(pl, series[s], title, sizeof(title));
				fprintf(
				    panels.f,
				    "%s\"%s.dat\" index %d using 1:%d:%d with yerrorlines lc %d "
				    "title \"%s\"",
				    s % SERIES_PER_PANEL ? ", " : "", pl->name, s, 3 + 2 * c,
				    4 + 2 * c, s % SERIES_PER_PANEL + 1, title);
			}
			/* The bound faultsim report applies by default: above it, no value
			 * qualifies. */
			if (c == 2)
				fprintf(
				    panels.f,
				    ", %g with lines dt 2 lw 2 lc black title \"report's bound\"",
				    MAXTRY_LOOP_BOUND_NS / div);
			fputc('\n', panels.f);
		}
	fprintf(panels.f, "unset multiplot\n");
	rc = outfile_commit(&of) || outfile_commit(&panels) ? 2 : 0;
	groups_free(&gs);
	if (rc)
		return rc;
	snprintf(dat, sizeof(dat), "%s.dat", pl->name);
	snprintf(nx, sizeof(nx), "%d", xs);
	{
		char width[16];
		const char *subst[] = {"XLABEL", "MAX_TRY (kernel.max_try)",
				       "XTICS",	 xtics,
				       "NX",	 nx,
				       "WIDTH",	 width,
				       "DAT",	 dat,
				       "OUT",	 pl->name,
				       NULL};

		snprintf(width, sizeof(width), "%d", npanels > 1 ? 800 * npanels : 1000);
		rc = write_script(pl, "maxtry", subst);
	}
	return rc ? rc : run_gnuplot(pl);
}

static int plot_breakdown(struct plot *pl)
{
	struct groups gs;
	struct output_file of;
	char dat[160], ncols[16], ylabel[64];
	double div, max = 0;
	const char *unit;
	int cols[DERIVED_BREAKDOWN_MAX], n = derived_breakdown(&pl->t, cols), rc;
	FILE *f;

	if (!n || derived_throughput(&pl->t) != table_col(&pl->t, "faults_per_s"))
		return fail("%s", "no run faulted: there is no per-fault time to break down");
	groups_build(&pl->t, pl->x, pl->series, &gs);
	/* The axis's unit by the tallest bar. */
	for (int i = 0; i < gs.n; i++) {
		double sum = 0, ci;

		for (int c = 0; c < n; c++) {
			double m = group_mean(&pl->t, &gs.g[i], cols[c], &ci);

			sum += isnan(m) ? 0 : m;
		}
		max = sum > max ? sum : max;
	}
	unit = time_unit(max, &div);
	f = open_dat(pl, &of);
	if (!f) {
		groups_free(&gs);
		return 2;
	}
	fprintf(f, "group label");
	for (int c = 0; c < n; c++)
		fprintf(f, " \"%s\"", derived_label(pl->t.cols[cols[c]]));
	fputc('\n', f);
	for (int i = 0; i < gs.n; i++) {
		fprintf(f, "%d \"%s%s%s\"", i, gs.g[i].series, pl->series >= 0 ? "/" : "",
			gs.g[i].x);
		for (int c = 0; c < n; c++) {
			double ci, m = group_mean(&pl->t, &gs.g[i], cols[c], &ci);

			fprintf(f, " %.10g", isnan(m) ? 0 : m / div);
		}
		fputc('\n', f);
	}
	rc = outfile_commit(&of) ? 2 : 0;
	groups_free(&gs);
	if (rc)
		return rc;
	snprintf(dat, sizeof(dat), "%s.dat", pl->name);
	snprintf(ncols, sizeof(ncols), "%d", n + 2);
	{
		char title[256];
		char xlabel[256];
		const char *subst[] = {"TITLE", title, "XLABEL", xlabel,  "YLABEL", ylabel, "DAT",
				       dat,	"OUT", pl->name, "NCOLS", ncols,    NULL};

		snprintf(ylabel, sizeof(ylabel), "time per fault (%s)", unit);
		snprintf(title, sizeof(title), "where a fault's time went");
		snprintf(xlabel, sizeof(xlabel), "%s%s%s",
			 pl->series >= 0 ? short_key(pl->t.cols[pl->series]) : "",
			 pl->series >= 0 ? " / " : "",
			 pl->x >= 0 ? short_key(pl->t.cols[pl->x]) : "");
		rc = write_script(pl, "breakdown", subst);
	}
	return rc ? rc : run_gnuplot(pl);
}

static int plot_columns(struct plot *pl, int k)
{
	const struct plot_opts *o = pl->o;
	const char *x_def = default_x(pl);
	int y = derived_throughput(&pl->t);
	/* A text study is judged by when its text is all mapped, not by faults a second. */
	const char *y_def = table_col(&pl->t, "workload_metrics.text_mapped_ns") >= 0
				? "workload_metrics.text_mapped_ns"
			    : y >= 0 ? pl->t.cols[y]
				     : "throughput";
	char series[512] = "";
	const char *x;

	if (k == 2) /* maxtry */
		x_def = "kernel.max_try";
	if (pick_column(pl, o->x, "x", x_def, &pl->x) || pick_column(pl, o->y, "y", y_def, &pl->y))
		return 2;
	if (pl->x < 0)
		return fail("%s: nothing varied to plot against (give --x)", o->dir);
	/*
	 * Every varied key but x separates the series: pooling runs of other
	 * settings as if they were seeds would make the means and CIs lie.
	 */
	x = pl->t.cols[pl->x];
	if (o->series)
		snprintf(series, sizeof(series), "%s", o->series);
	for (int i = 0; i < pl->nr_varied; i++) {
		if (!strcmp(pl->varied[i], x) || list_has(series, pl->varied[i]))
			continue;
		snprintf(series + strlen(series), sizeof(series) - strlen(series), "%s%s",
			 *series ? "," : "", pl->varied[i]);
	}
	if (pick_column(pl, *series ? series : NULL, "series", NULL, &pl->series))
		return 2;
	if (pl->series == pl->x)
		pl->series = -1;
	snprintf(pl->name, sizeof(pl->name), "%s%s%s", kinds[k], o->y ? "-" : "", o->y ? o->y : "");
	for (char *c = pl->name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			*c = '_';
	return 0;
}

int faultsim_plot(const struct plot_opts *o)
{
	struct plot pl = {.o = o};
	char path[2048], err[512];
	int k, rc;

	for (k = 0; k < 4 && strcmp(kinds[k], o->kind); k++)
		;
	if (k == 4)
		return fail("--kind %s: not scaling, latency, maxtry or breakdown", o->kind);
	if (load_varied(&pl))
		return 2;
	snprintf(path, sizeof(path), "%s/results.csv", o->dir);
	if (table_load(path, &pl.t, err, sizeof(err)))
		return fail("%s", err);
	derived_add(&pl.t);
	{
		struct groups gs;

		groups_build(&pl.t, -1, -1, &gs);
		rc = gs.n ? plot_columns(&pl, k)
			  : fail("%s: no run ended ok: nothing to plot", o->dir);
		groups_free(&gs);
	}
	snprintf(pl.dir, sizeof(pl.dir), "%s/plots", o->dir);
	if (!rc && mkdir(pl.dir, 0755) && errno != EEXIST)
		rc = fail("%s: cannot create", pl.dir);
	if (!rc) {
		int (*const draw[])(struct plot *) = {plot_scaling, plot_latency, plot_maxtry,
						      plot_breakdown};

		rc = draw[k](&pl);
	}
	table_free(&pl.t);
	return rc;
}

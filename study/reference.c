/* study/reference.c - faultsim reference: run every published point, compare. */
#define _XOPEN_SOURCE 700
#include "reference.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../run/outfile.h"
#include "plot.h"
#include "sweep.h"
#include "table.h"

#define MAX_SETS 16

static const char *const columns[] = {"id",  "machine", "scenario",  "mode",	  "tasks",
				      "set", "metric",	"published", "bound_pct", "source"};
#define NR_COLUMNS (int)(sizeof(columns) / sizeof(columns[0]))
enum { ID, MACHINE, SCENARIO, MODE, TASKS, SET, METRIC, PUBLISHED, BOUND, SOURCE };

struct row {
	char **cell; /* by the enum above */
	int line;
	char machine[PATH_MAX], scenario[PATH_MAX];
	double published, bound;
	double predicted, lowest, highest; /* over its seeds: the median, the extremes */
	int nr_seeds;			   /* that gave a figure */
	/*
	 * Its run's end: ok, lockup, deadlock or livelock (an outcome: what it
	 * measured stands), failed (no figure), or NULL: not run yet.
	 */
	const char *status;
	const struct row
	    *run; /* the first row of the same run: rows differing only by metric share it */
};

struct shape {
	const char *id, *expect, *source;
	int line;
	bool holds, known; /* known: every row it names has a prediction */
	bool known_miss;   /* the README explains why the model misses it */
};

struct reference {
	const struct reference_opts *o;
	struct table rows_t, shapes_t;
	struct row *rows;
	int nr_rows;
	struct shape *shapes;
	int nr_shapes;
	char shapes_path[PATH_MAX];
};

/* Did the row's run give a figure (an ended-in-lockup run gives what it measured)? */
static bool measured(const struct row *w)
{
	return w->status && strcmp(w->status, "failed") && !isnan(w->predicted);
}

static int bad(const char *file, int line, const char *column, const char *fmt, const char *arg)
{
	fprintf(stderr, "faultsim: %s:%d: %s: ", file, line, column);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

/* path, relative to the reference file's directory, made absolute; -1 if it does not exist. */
static int resolve(const char *file, const char *path, char *out)
{
	char dir[PATH_MAX], joined[PATH_MAX * 2];

	snprintf(dir, sizeof(dir), "%s", file);
	snprintf(joined, sizeof(joined), "%s/%s", path[0] == '/' ? "" : dirname(dir), path);
	return realpath(joined, out) ? 0 : -1;
}

static bool id_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static struct row *row_find(struct reference *r, const char *id)
{
	for (int i = 0; i < r->nr_rows; i++)
		if (!strcmp(r->rows[i].cell[ID], id))
			return &r->rows[i];
	return NULL;
}

/* A metric's column in a run's results.csv; NULL: no such metric. */
static const char *metric_column(const char *metric)
{
	static const char *const metric_columns[][2] = {
	    {"throughput", "throughput"},
	    {"idle_pct", "idle.machine_pct"},
	    {"spin_pct", "spin.pct"},
	    {"switches", "idle.context_switches_per_s"},
	};

	for (size_t i = 0; i < sizeof(metric_columns) / sizeof(metric_columns[0]); i++)
		if (!strcmp(metric, metric_columns[i][0]))
			return metric_columns[i][1];
	return NULL;
}

static int check_row(struct reference *r, struct row *w)
{
	const char *f = r->o->file;
	char *end;
	long tasks;

	if (!id_ok(w->cell[ID]))
		return bad(f, w->line, "id", "'%s': letters, digits, '.', '-' and '_' only",
			   w->cell[ID]);
	for (struct row *o = r->rows; o < w; o++)
		if (!strcmp(o->cell[ID], w->cell[ID]))
			return bad(f, w->line, "id", "'%s' is used twice", w->cell[ID]);
	if (resolve(f, w->cell[MACHINE], w->machine))
		return bad(f, w->line, "machine", "%s: no such file", w->cell[MACHINE]);
	if (resolve(f, w->cell[SCENARIO], w->scenario))
		return bad(f, w->line, "scenario", "%s: no such file", w->cell[SCENARIO]);
	if (strcmp(w->cell[MODE], "threads") && strcmp(w->cell[MODE], "processes"))
		return bad(f, w->line, "mode", "'%s' is not threads or processes", w->cell[MODE]);
	tasks = strtol(w->cell[TASKS], &end, 10);
	if (end == w->cell[TASKS] || *end || tasks < 1 || tasks > 4096)
		return bad(f, w->line, "tasks", "'%s' is not 1 to 4096", w->cell[TASKS]);
	if (!metric_column(w->cell[METRIC]))
		return bad(f, w->line, "metric",
			   "'%s' is not throughput, idle_pct, spin_pct or switches",
			   w->cell[METRIC]);
	w->published = strtod(w->cell[PUBLISHED], &end);
	if (end == w->cell[PUBLISHED] || *end || !(w->published > 0))
		return bad(f, w->line, "published", "'%s' is not a positive number",
			   w->cell[PUBLISHED]);
	w->bound = strtod(w->cell[BOUND], &end);
	if (end == w->cell[BOUND] || *end || !(w->bound > 0))
		return bad(f, w->line, "bound_pct", "'%s' is not a positive number",
			   w->cell[BOUND]);
	if (!w->cell[SOURCE][0])
		return bad(f, w->line, "source", "%s", "every published figure names its source");
	return 0;
}

/* The header names exactly the columns above, in order. */
static int check_header(const char *file, const struct table *t, const char *const *want, int n)
{
	for (int i = 0; i < n; i++)
		if (i >= t->nr_cols || strcmp(t->cols[i], want[i]))
			return bad(file, 1, "header", "column %s expected", want[i]);
	return 0;
}

static int load_rows(struct reference *r)
{
	char err[512];

	if (table_load(r->o->file, &r->rows_t, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		return 2;
	}
	if (check_header(r->o->file, &r->rows_t, columns, NR_COLUMNS))
		return 2;
	if (!r->rows_t.nr_rows)
		return bad(r->o->file, 2, "rows", "%s", "no published point");
	r->nr_rows = r->rows_t.nr_rows;
	r->rows = calloc(r->nr_rows, sizeof(*r->rows));
	for (int i = 0; i < r->nr_rows; i++) {
		r->rows[i].cell = r->rows_t.cells[i];
		r->rows[i].line = i + 2;
		if (check_row(r, &r->rows[i]))
			return 2;
		r->rows[i].run = &r->rows[i];
		for (int j = 0; j < i && r->rows[i].run == &r->rows[i]; j++) {
			bool same = true;

			for (int c = MACHINE; c <= SET; c++)
				same &= !strcmp(r->rows[i].cell[c], r->rows[j].cell[c]);
			if (same)
				r->rows[i].run = &r->rows[j];
		}
	}
	return 0;
}

/*
 * One term of a shape: "ID", "NUMBER" or "NUMBER * ID"; its value, NAN
 * while a row it names has no prediction.  -1 if it names no row.
 */
static int term_value(struct reference *r, char **tok, int *i, int n, double *v)
{
	char *end;
	double k = strtod(tok[*i], &end);
	struct row *w;

	if (end != tok[*i] && !*end) {
		if (*i + 2 < n && !strcmp(tok[*i + 1], "*")) {
			*i += 2;
		} else {
			(*i)++;
			*v = k;
			return 0;
		}
	} else {
		k = 1;
	}
	w = row_find(r, tok[*i]);
	if (!w)
		return -1;
	(*i)++;
	*v = measured(w) ? k * w->predicted : NAN;
	return 0;
}

static bool compare(double a, const char *op, double b)
{
	return !strcmp(op, "<")	   ? a < b
	       : !strcmp(op, "<=") ? a <= b
	       : !strcmp(op, ">")  ? a > b
				   : a >= b;
}

static bool is_op(const char *s)
{
	return !strcmp(s, "<") || !strcmp(s, "<=") || !strcmp(s, ">") || !strcmp(s, ">=");
}

/* "TERM OP TERM [OP TERM]": evaluate; -1 if it does not parse. */
static int shape_eval(struct reference *r, struct shape *s)
{
	char buf[512], *tok[16], *save;
	double v[3];
	const char *op[2];
	int n = 0, i = 0, nv = 0;

	snprintf(buf, sizeof(buf), "%s", s->expect);
	for (char *t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	while (nv < 3) {
		if (i >= n || term_value(r, tok, &i, n, &v[nv]))
			return -1;
		nv++;
		if (i == n)
			break;
		if (nv == 3 || !is_op(tok[i]))
			return -1;
		op[nv - 1] = tok[i++];
	}
	if (nv < 2)
		return -1;
	s->known = !isnan(v[0]) && !isnan(v[1]) && (nv < 3 || !isnan(v[2]));
	s->holds = s->known && compare(v[0], op[0], v[1]) && (nv < 3 || compare(v[1], op[1], v[2]));
	return 0;
}

static int load_shapes(struct reference *r)
{
	static const char *const want[] = {"id", "expect", "known_miss", "source"};
	char dir[PATH_MAX], err[512];

	snprintf(dir, sizeof(dir), "%s", r->o->file);
	snprintf(r->shapes_path, sizeof(r->shapes_path), "%s/shapes.csv", dirname(dir));
	if (access(r->shapes_path, F_OK))
		return 0;
	if (table_load(r->shapes_path, &r->shapes_t, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		return 2;
	}
	if (check_header(r->shapes_path, &r->shapes_t, want, 4))
		return 2;
	r->nr_shapes = r->shapes_t.nr_rows;
	r->shapes = calloc(r->nr_shapes, sizeof(*r->shapes));
	for (int i = 0; i < r->nr_shapes; i++) {
		struct shape *s = &r->shapes[i];

		s->id = r->shapes_t.cells[i][0];
		s->expect = r->shapes_t.cells[i][1];
		s->source = r->shapes_t.cells[i][3];
		s->line = i + 2;
		if (strcmp(r->shapes_t.cells[i][2], "true") &&
		    strcmp(r->shapes_t.cells[i][2], "false"))
			return bad(r->shapes_path, s->line, "known_miss",
				   "'%s' is not true or false", r->shapes_t.cells[i][2]);
		s->known_miss = !strcmp(r->shapes_t.cells[i][2], "true");
		if (shape_eval(r, s))
			return bad(r->shapes_path, s->line, "expect",
				   "'%s' is not ROW OP ROW or N OP ROW OP N (ROW: an id of the "
				   "reference, or N * id; OP: < <= > >=)",
				   s->expect);
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A row's one-point sweep: its options and the strings they point into. */
struct row_sweep {
	char *sets[MAX_SETS + 4], buf[1024], profile[PATH_MAX + 32], tasks[64], other[64];
	struct sweep_opts so;
};

static void row_sweep_init(const struct reference *r, const struct row *w, const char *dir,
			   struct row_sweep *rs)
{
	const char *mode = w->cell[MODE];
	char *save;
	int n = 0;

	snprintf(rs->profile, sizeof(rs->profile), "machine.profile=%s", w->machine);
	snprintf(rs->tasks, sizeof(rs->tasks), "workload.%s=%s", mode, w->cell[TASKS]);
	snprintf(rs->other, sizeof(rs->other), "workload.%s=0",
		 strcmp(mode, "threads") ? "threads" : "processes");
	rs->sets[n++] = rs->profile;
	rs->sets[n++] = rs->other;
	rs->sets[n++] = rs->tasks;
	snprintf(rs->buf, sizeof(rs->buf), "%s", w->cell[SET]);
	for (char *t = strtok_r(rs->buf, " ", &save); t && n < MAX_SETS;
	     t = strtok_r(NULL, " ", &save))
		rs->sets[n++] = t;
	rs->so = (struct sweep_opts){.self = r->o->self,
				     .scenario = w->scenario,
				     .sets = rs->sets,
				     .nr_sets = n,
				     .seeds = r->o->seeds > 0 ? r->o->seeds : 1,
				     .jobs = 1,
				     .out = dir};
}

/*
 * DIR/rows/ID.row holds the row it ran and its sweep's fingerprint: a
 * changed row, machine profile, scenario or faultsim build makes what is
 * there stale, and the row starts afresh.
 */
static int row_dir(const struct reference *r, const struct row *w, char *dir, size_t len)
{
	char path[PATH_MAX + 8], text[4096] = "", old[4096] = "";
	struct row_sweep rs;
	unsigned long long fp;
	FILE *f;

	snprintf(dir, len, "%s/rows/%s", r->o->out, w->cell[ID]);
	row_sweep_init(r, w, dir, &rs);
	if (sweep_fingerprint(&rs.so, &fp))
		return 2;
	for (int c = 0; c < NR_COLUMNS; c++)
		if (c != PUBLISHED && c != BOUND && c != SOURCE)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\n",
				 w->cell[c]);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "%016llx\n", fp);
	snprintf(path, sizeof(path), "%s.row", dir);
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(old, 1, sizeof(old) - 1, f);

		old[n] = '\0';
		fclose(f);
	}
	if (!strcmp(old, text))
		return 0;
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		fprintf(stderr, "faultsim: reference: %s: cannot write: %s\n", path,
			strerror(errno));
		return 2;
	}
	return 0;
}

/* The row as a one-point sweep; in a child, so rows run side by side. */
static int run_row(const struct reference *r, const struct row *w, const char *dir)
{
	struct row_sweep rs;

	row_sweep_init(r, w, dir, &rs);
	return faultsim_sweep(&rs.so);
}

/* Rows that have no result yet, --jobs of them at once; their output goes to DIR/rows/ID.log. */
static int run_rows(struct reference *r)
{
	int jobs = r->o->jobs > 0 ? r->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	int running = 0, failed = 0, next = 0, status;
	pid_t *pids = calloc(r->nr_rows, sizeof(*pids));
	char dir[PATH_MAX], log[PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "%s/rows", r->o->out);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		free(pids);
		fprintf(stderr, "faultsim: reference: %s: cannot create\n", dir);
		return 2;
	}
	while (next < r->nr_rows || running) {
		while (running < jobs && next < r->nr_rows) {
			struct row *w = &r->rows[next];

			if (w->run != w) {
				next++;
				continue;
			}
			if (row_dir(r, w, dir, sizeof(dir))) {
				free(pids);
				return 2;
			}
			snprintf(log, sizeof(log), "%s.log", dir);
			fflush(NULL);
			pids[next] = fork();
			if (pids[next] == 0) {
				if (!freopen(log, "w", stderr) ||
				    !freopen("/dev/null", "w", stdout))
					_exit(2);
				/* freopen() leaves stderr buffered, and _exit() drops buffers. */
				setvbuf(stderr, NULL, _IONBF, 0);
				_exit(run_row(r, w, dir));
			}
			if (pids[next] < 0) {
				perror("faultsim: reference: fork");
				free(pids);
				return 2;
			}
			fprintf(stderr, "reference: %s running\n", w->cell[ID]);
			next++;
			running++;
		}
		pid_t pid = wait(&status);

		if (pid < 0)
			break;
		running--;
		for (int i = 0; i < r->nr_rows; i++)
			if (pids[i] == pid && (!WIFEXITED(status) || WEXITSTATUS(status))) {
				fprintf(stderr,
					"faultsim: reference: %s did not run, see %s/rows/%s.log\n",
					r->rows[i].cell[ID], r->o->out, r->rows[i].cell[ID]);
				failed++;
			}
	}
	free(pids);
	return failed ? 1 : 0;
}

/*
 * The row's figure from its results.csv, a line a seed: the median of the
 * seeds that measured one.  A seed that failed gives none; one that ended
 * in a lockup gives what it measured, and its status stands for the row.
 * A seed not yet run, or cut short, leaves the whole row unfinished.
 */
static void collect_row(struct reference *r, struct row *w)
{
	char path[PATH_MAX + 32], err[256];
	struct table t;
	int status, col, n = 0, seeds = r->o->seeds > 0 ? r->o->seeds : 1;
	const char *ended = NULL; /* ok, or how a seed that did not end ok ended */
	double *v;

	snprintf(path, sizeof(path), "%s/rows/%s/results.csv", r->o->out, w->run->cell[ID]);
	if (table_load(path, &t, err, sizeof(err)))
		return;
	status = table_col(&t, "status");
	col = table_col(&t, metric_column(w->cell[METRIC]));
	if (status < 0) {
		table_free(&t);
		return;
	}
	v = calloc(t.nr_rows + 1, sizeof(*v));
	for (int i = 0; i < t.nr_rows; i++) {
		const char *s = t.cells[i][status];
		double x = table_num(&t, i, col);

		if (!strcmp(s, "unfinished")) {
			ended = s;
			n = 0;
			break;
		}
		if (!strcmp(s, "failed") || isnan(x))
			continue;
		v[n++] = x;
		if (!ended || strcmp(s, "ok"))
			ended = s;
	}
	if (t.nr_rows < seeds)
		ended = "unfinished", n = 0;
	w->predicted = NAN;
	if (n) {
		gsl_sort(v, 1, n);
		w->predicted = gsl_stats_median_from_sorted_data(v, 1, n);
		w->lowest = v[0];
		w->highest = v[n - 1];
	}
	w->status = strdup(ended ? ended : "failed");
	w->nr_seeds = n;
	free(v);
	table_free(&t);
}

static double error_pct(const struct row *w)
{
	return 100 * (w->predicted - w->published) / w->published;
}

static bool within(const struct row *w)
{
	return measured(w) && fabs(error_pct(w)) <= w->bound;
}

static void si(FILE *f, double v)
{
	if (v >= 1e6)
		fprintf(f, "%.3g M", v / 1e6);
	else if (v >= 1e3)
		fprintf(f, "%.3g k", v / 1e3);
	else
		fprintf(f, "%.3g", v);
}

static void write_markdown(const struct reference *r, FILE *f)
{
	fprintf(f, "| point | machine | workload | published | predicted | error | bound | "
		   "within |\n|---|---|---|---:|---:|---:|---:|---|\n");
	for (int i = 0; i < r->nr_rows; i++) {
		const struct row *w = &r->rows[i];
		char machine[PATH_MAX], scenario[PATH_MAX];

		snprintf(machine, sizeof(machine), "%s", w->cell[MACHINE]);
		snprintf(scenario, sizeof(scenario), "%s", w->cell[SCENARIO]);
		fprintf(f, "| %s | %s | %s %s %s%s%s | ", w->cell[ID], basename(machine),
			basename(scenario), w->cell[TASKS], w->cell[MODE],
			strcmp(w->cell[METRIC], "throughput") ? ", " : "",
			strcmp(w->cell[METRIC], "throughput") ? w->cell[METRIC] : "");
		si(f, w->published);
		fputs(" | ", f);
		if (!measured(w)) {
			fprintf(f, "%s | - |", w->status ? w->status : "-");
		} else {
			si(f, w->predicted);
			if (w->nr_seeds > 1) {
				fputs(" (", f);
				si(f, w->lowest);
				fputs("–", f);
				si(f, w->highest);
				fputs(")", f);
			}
			if (strcmp(w->status, "ok"))
				fprintf(f, " (%s)", w->status);
			fprintf(f, " | %+.0f%% |", error_pct(w));
		}
		fprintf(f, " ±%.0f%% | %s |\n", w->bound, within(w) ? "yes" : "**no**");
	}
	if (!r->nr_shapes)
		return;
	fprintf(f, "\n| shape | expected | holds |\n|---|---|---|\n");
	for (int i = 0; i < r->nr_shapes; i++)
		fprintf(f, "| %s | `%s` | %s |\n", r->shapes[i].id, r->shapes[i].expect,
			!r->shapes[i].known	  ? "(not run)"
			: r->shapes[i].holds	  ? "yes"
			: r->shapes[i].known_miss ? "no (a known miss)"
						  : "**no**");
}

static int write_csv(const struct reference *r)
{
	char path[PATH_MAX + 32], err[256];
	struct output_file of;

	snprintf(path, sizeof(path), "%s/reference.csv", r->o->out);
	if (outfile_open(&of, path, err, sizeof(err))) {
		fprintf(stderr, "faultsim: reference: %s\n", err);
		return 2;
	}
	fprintf(of.f, "id,metric,published,predicted,error_pct,bound_pct,within,seeds,lowest,"
		      "highest\n");
	for (int i = 0; i < r->nr_rows; i++) {
		const struct row *w = &r->rows[i];

		fprintf(of.f, "%s,%s,%.10g,", w->cell[ID], w->cell[METRIC], w->published);
		if (measured(w))
			fprintf(of.f, "%.10g,%.3f,", w->predicted, error_pct(w));
		else
			fputs(",,", of.f);
		fprintf(of.f, "%g,%s,%d,", w->bound, within(w) ? "yes" : "no", w->nr_seeds);
		if (measured(w))
			fprintf(of.f, "%.10g,%.10g\n", w->lowest, w->highest);
		else
			fputs(",\n", of.f);
	}
	return outfile_commit(&of) ? 2 : 0;
}

static int write_markdown_file(const struct reference *r)
{
	char path[PATH_MAX + 32], err[256];
	struct output_file of;

	snprintf(path, sizeof(path), "%s/reference.md", r->o->out);
	if (outfile_open(&of, path, err, sizeof(err))) {
		fprintf(stderr, "faultsim: reference: %s\n", err);
		return 2;
	}
	write_markdown(r, of.f);
	return outfile_commit(&of) ? 2 : 0;
}

/* Predicted against published, throughput rows, log-log, with y = x and the ±30% band. */
static int write_plot(const struct reference *r)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], err[256];
	struct output_file dat, gp;
	double lo = INFINITY, hi = 0;

	snprintf(dir, sizeof(dir), "%s/plots", r->o->out);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return 2;
	snprintf(path, sizeof(path), "%s/reference.dat", dir);
	if (outfile_open(&dat, path, err, sizeof(err)))
		return 2;
	fprintf(dat.f, "# published predicted id lowest highest (throughput rows that ran)\n");
	for (int i = 0; i < r->nr_rows; i++) {
		const struct row *w = &r->rows[i];

		if (!measured(w) || strcmp(w->cell[METRIC], "throughput") || !(w->predicted > 0))
			continue;
		/* A seed that measured nothing has no place on a log axis. */
		double low = w->lowest > 0 ? w->lowest : w->predicted;

		fprintf(dat.f, "%.10g %.10g %s %.10g %.10g\n", w->published, w->predicted,
			w->cell[ID], low, w->highest);
		lo = fmin(lo, fmin(w->published, low));
		hi = fmax(hi, fmax(w->published, w->highest));
	}
	if (outfile_commit(&dat))
		return 2;
	if (!(hi > 0))
		return 0;
	snprintf(path, sizeof(path), "%s/reference.gp", dir);
	if (outfile_open(&gp, path, err, sizeof(err)))
		return 2;
	fprintf(gp.f,
		"# faultsim reference: predicted against published operations a second.\n"
		"set title \"predicted against published (operations a second)\" noenhanced\n"
		"set xlabel \"published\" noenhanced\nset ylabel \"predicted by faultsim\" "
		"noenhanced\nset logscale xy 10\nset format x \"%%.1s%%c\"\nset format y "
		"\"%%.1s%%c\"\nset xrange [%g:%g]\nset yrange [%g:%g]\nset grid\nset key outside "
		"right top noenhanced box\n",
		lo / 2, hi * 2, lo / 2, hi * 2);
	for (int t = 0; t < 2; t++) {
		fprintf(gp.f,
			t ? "set terminal svg size 1000,700 dynamic font \"sans,11\"\nset "
			    "output \"reference.svg\"\n"
			  : "set terminal pngcairo size 1000,700 font \"sans,11\"\nset output "
			    "\"reference.png\"\n");
		fprintf(gp.f,
			"plot x with lines lc black title \"predicted = published\", 1.3 * x "
			"with lines dt 2 lc rgb \"gray40\" title \"±30%%\", 0.7 * x with lines "
			"dt 2 lc rgb \"gray40\" notitle, \"reference.dat\" using 1:2:4:5 with "
			"yerrorbars pt 7 ps 1.2 lc 1 title \"median of the seeds, lowest to "
			"highest\", \"reference.dat\" using 1:2:3 with labels offset 0.8,0.5 left "
			"font \",8\" notitle\n");
	}
	if (outfile_commit(&gp))
		return 2;
	return gnuplot_run(dir, "reference");
}

static void reference_free(struct reference *r)
{
	for (int i = 0; i < r->nr_rows; i++)
		free((char *)r->rows[i].status);
	table_free(&r->rows_t);
	if (r->shapes)
		table_free(&r->shapes_t);
	free(r->rows);
	free(r->shapes);
}

int faultsim_reference(const struct reference_opts *o)
{
	struct reference r = {.o = o};
	int rc = 0, missing = 0, failed = 0;

	if (load_rows(&r) || load_shapes(&r)) {
		reference_free(&r);
		return 2;
	}
	if (mkdir_parents(o->out)) {
		fprintf(stderr, "faultsim: reference: %s: cannot create: %s\n", o->out,
			strerror(errno));
		reference_free(&r);
		return 2;
	}
	rc = run_rows(&r);
	if (rc == 2) {
		reference_free(&r);
		return 2;
	}
	for (int i = 0; i < r.nr_rows; i++) {
		collect_row(&r, &r.rows[i]);
		missing += !r.rows[i].status || !strcmp(r.rows[i].status, "unfinished");
		failed += !within(&r.rows[i]);
	}
	for (int i = 0; i < r.nr_shapes; i++) {
		shape_eval(&r, &r.shapes[i]);
		failed += !r.shapes[i].holds && !r.shapes[i].known_miss;
	}
	if (write_csv(&r) || write_markdown_file(&r) || write_plot(&r)) {
		reference_free(&r);
		return 2;
	}
	write_markdown(&r, stdout);
	printf("%s/reference.md\n", o->out);
	if (missing)
		fprintf(stderr,
			"faultsim: reference: %d rows have no result; run again to finish\n",
			missing);
	reference_free(&r);
	return failed ? 1 : 0;
}

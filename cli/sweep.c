/* cli/sweep.c - the points of a sweep, their runs, and resuming. */
#include "sweep.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"
#include "progress.h"
#include "scenario.h"
#include "vary.h"

#define MAX_VARY 16

struct point {
	char name[512];
	char *sets[MAX_VARY]; /* "section.key=value" */
	unsigned long seed;
	pid_t pid; /* while it runs */
	double started;
};

struct sweep {
	const struct sweep_opts *o;
	struct vary vary[MAX_VARY];
	int nr_vary;
	int seeds;
	struct point *points;
	int nr_points;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A --vary for a key the file's [sweep] also varies replaces the file's. */
static int add_vary(struct sweep *sw, const char *spec, const char *where)
{
	struct vary v;
	char err[512];

	if (vary_parse(spec, &v, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s: --vary %s\n", where, err);
		return 2;
	}
	for (int i = 0; i < sw->nr_vary; i++) {
		if (strcmp(sw->vary[i].section, v.section) || strcmp(sw->vary[i].key, v.key))
			continue;
		vary_free(&sw->vary[i]);
		sw->vary[i] = v;
		return 0;
	}
	if (sw->nr_vary == MAX_VARY) {
		fprintf(stderr, "faultsim: %s: more than %d varied keys\n", where, MAX_VARY);
		vary_free(&v);
		return 2;
	}
	sw->vary[sw->nr_vary++] = v;
	return 0;
}

/* A value as it may appear in a file name. */
static void name_append(char *name, size_t len, const char *s)
{
	size_t n = strlen(name);

	for (; *s && n + 1 < len; s++)
		name[n++] = (isalnum((unsigned char)*s) || strchr("._-", *s)) ? *s : '_';
	name[n] = '\0';
}

/* The cartesian product, first varied key outermost, seeds innermost. */
static void build_points(struct sweep *sw)
{
	int idx[MAX_VARY] = {0};
	int total = sw->seeds;

	for (int i = 0; i < sw->nr_vary; i++)
		total *= sw->vary[i].nr;
	sw->points = calloc(total, sizeof(*sw->points));
	for (int p = 0; p < total; p++) {
		struct point *pt = &sw->points[p];
		int rest = p / sw->seeds;

		for (int i = sw->nr_vary - 1; i >= 0; i--) {
			idx[i] = rest % sw->vary[i].nr;
			rest /= sw->vary[i].nr;
		}
		pt->seed = (unsigned long)(p % sw->seeds) + 1;
		for (int i = 0; i < sw->nr_vary; i++) {
			const struct vary *v = &sw->vary[i];
			size_t n =
			    strlen(v->section) + strlen(v->key) + strlen(v->values[idx[i]]) + 3;
			char part[160];

			pt->sets[i] = malloc(n);
			snprintf(pt->sets[i], n, "%s.%s=%s", v->section, v->key, v->values[idx[i]]);
			snprintf(part, sizeof(part), "%s%s-", i ? "," : "", v->key);
			name_append(pt->name, sizeof(pt->name), part);
			name_append(pt->name, sizeof(pt->name), v->values[idx[i]]);
		}
		name_append(pt->name, sizeof(pt->name), sw->nr_vary ? ",seed-" : "seed-");
		snprintf(pt->name + strlen(pt->name), sizeof(pt->name) - strlen(pt->name), "%lu",
			 pt->seed);
	}
	sw->nr_points = total;
}

static void point_path(const struct sweep *sw, const struct point *pt, const char *ext, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s/points/%s.%s", sw->o->out, pt->name, ext);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Finished: its JSON or its failure is recorded. */
static bool point_done(const struct sweep *sw, const struct point *pt)
{
	char path[1024];

	point_path(sw, pt, "json", path, sizeof(path));
	if (exists(path))
		return true;
	point_path(sw, pt, "failed", path, sizeof(path));
	return exists(path);
}

/* The manifest: what the points are, for --collect, plot and report. */
static int write_manifest(const struct sweep *sw)
{
	struct output_file of;
	char path[1024], err[512];
	json_t *root = json_object(), *varies = json_array(), *points = json_array();
	int rc;

	snprintf(path, sizeof(path), "%s/sweep.json", sw->o->out);
	if (outfile_open(&of, path, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		json_decref(root);
		json_decref(varies);
		json_decref(points);
		return 2;
	}
	json_object_set_new(root, "scenario", json_string(sw->o->scenario));
	for (int i = 0; i < sw->nr_vary; i++) {
		json_t *vals = json_array();
		char key[160];

		for (int j = 0; j < sw->vary[i].nr; j++)
			json_array_append_new(vals, json_string(sw->vary[i].values[j]));
		snprintf(key, sizeof(key), "%s.%s", sw->vary[i].section, sw->vary[i].key);
		json_array_append_new(varies, json_pack("{s:s,s:o}", "key", key, "values", vals));
	}
	json_object_set_new(root, "vary", varies);
	json_object_set_new(root, "seeds", json_integer(sw->seeds));
	for (int p = 0; p < sw->nr_points; p++) {
		const struct point *pt = &sw->points[p];
		json_t *values = json_array();

		for (int i = 0; i < sw->nr_vary; i++)
			json_array_append_new(values, json_string(strchr(pt->sets[i], '=') + 1));
		json_array_append_new(points, json_pack("{s:s,s:o,s:I}", "name", pt->name, "values",
							values, "seed", (json_int_t)pt->seed));
	}
	json_object_set_new(root, "points", points);
	json_dumpf(root, of.f, JSON_INDENT(1));
	fputc('\n', of.f);
	json_decref(root);
	rc = outfile_commit(&of);
	return rc ? 2 : 0;
}

/* Temporaries of runs that were killed: nothing finished is lost with them. */
static void remove_stale(const struct sweep *sw)
{
	char dir[1024], path[2048];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/points", sw->o->out);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

static void build_argv(const struct sweep *sw, const struct point *pt, const char *json,
		       char **argv, char *seed)
{
	int n = 0;

	argv[n++] = (char *)sw->o->self;
	argv[n++] = "run";
	argv[n++] = (char *)sw->o->scenario;
	for (int i = 0; i < sw->o->nr_sets; i++) {
		argv[n++] = "--set";
		argv[n++] = sw->o->sets[i];
	}
	for (int i = 0; i < sw->nr_vary; i++) {
		argv[n++] = "--set";
		argv[n++] = pt->sets[i];
	}
	snprintf(seed, 24, "%lu", pt->seed);
	argv[n++] = "--seed";
	argv[n++] = seed;
	argv[n++] = "--json";
	argv[n++] = (char *)json;
	argv[n++] = "--quiet";
	argv[n] = NULL;
}

static pid_t start_point(struct sweep *sw, struct point *pt)
{
	char json[1024], errpath[1024], seed[24];
	char *argv[16 + 2 * (MAX_VARY + sw->o->nr_sets)];
	pid_t pid;

	point_path(sw, pt, "json", json, sizeof(json));
	point_path(sw, pt, "err.tmp", errpath, sizeof(errpath));
	build_argv(sw, pt, json, argv, seed);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		perror("faultsim: exec");
		_exit(127);
	}
	pt->pid = pid;
	pt->started = wall_now();
	return pid;
}

/*
 * A run ended: exit 0 or 3 wrote its JSON (a lockup is a result); exit 2
 * is a bad point, whose message becomes DIR/points/NAME.failed; killed by
 * a signal, it is not finished and will run again.
 */
static const char *finish_point(struct sweep *sw, struct point *pt, int status)
{
	char errpath[1024], failed[1024];

	point_path(sw, pt, "err.tmp", errpath, sizeof(errpath));
	point_path(sw, pt, "failed", failed, sizeof(failed));
	pt->pid = 0;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3)) {
		unlink(errpath);
		return WEXITSTATUS(status) ? "lockup" : "ok";
	}
	if (WIFEXITED(status) && !interrupted) {
		/* The whole message, renamed into place: never half a reason. */
		rename(errpath, failed);
		return "failed";
	}
	unlink(errpath);
	return NULL;
}

static int run_points(struct sweep *sw)
{
	int jobs = sw->o->jobs > 0 ? sw->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	int next = 0, running = 0, todo = 0, done = 0, failed = 0;
	struct progress pr;

	for (int p = 0; p < sw->nr_points; p++)
		todo += !point_done(sw, &sw->points[p]);
	progress_start(&pr, todo, sw->nr_points - todo);
	while (!interrupted && (next < sw->nr_points || running)) {
		int status;
		pid_t pid;

		while (!interrupted && running < jobs && next < sw->nr_points) {
			struct point *pt = &sw->points[next++];

			if (point_done(sw, pt))
				continue;
			if (start_point(sw, pt) > 0)
				running++;
		}
		if (!running)
			break;
		pid = wait(&status);
		if (pid < 0)
			continue; /* interrupted by a signal: look at the flag */
		for (int p = 0; p < sw->nr_points; p++) {
			struct point *pt = &sw->points[p];
			const char *how;

			if (pt->pid != pid)
				continue;
			running--;
			how = finish_point(sw, pt, status);
			if (how) {
				done++;
				failed += strcmp(how, "ok") != 0;
				progress_point(&pr, done, failed, pt->name, how);
			}
			break;
		}
	}
	/* Interrupted: stop the runs in flight, keep every finished one. */
	for (int p = 0; p < sw->nr_points; p++) {
		struct point *pt = &sw->points[p];
		int status;

		if (!pt->pid)
			continue;
		kill(pt->pid, SIGTERM);
		waitpid(pt->pid, &status, 0);
		finish_point(sw, pt, status);
	}
	progress_end(&pr, done, failed, interrupted != 0);
	return 0;
}

static int emit_jobs(const struct sweep *sw)
{
	struct output_file of;
	char err[512];

	if (outfile_open(&of, sw->o->emit_jobs, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		return 2;
	}
	for (int p = 0; p < sw->nr_points; p++) {
		const struct point *pt = &sw->points[p];
		char json[1024], seed[24];
		char *argv[16 + 2 * (MAX_VARY + sw->o->nr_sets)];

		point_path(sw, pt, "json", json, sizeof(json));
		build_argv(sw, pt, json, argv, seed);
		for (int i = 0; argv[i]; i++) {
			/* Single-quoted for the shell that GNU parallel or Slurm runs. */
			fputs(i ? " '" : "'", of.f);
			for (const char *c = argv[i]; *c; c++)
				fputs(*c == '\'' ? "'\\''" : (char[]){*c, 0}, of.f);
			fputc('\'', of.f);
		}
		fputc('\n', of.f);
	}
	return outfile_commit(&of) ? 2 : 0;
}

static int make_dirs(const char *out)
{
	char points[1024];

	snprintf(points, sizeof(points), "%s/points", out);
	if ((mkdir(out, 0755) && errno != EEXIST) || (mkdir(points, 0755) && errno != EEXIST) ||
	    access(points, W_OK)) {
		fprintf(stderr, "faultsim: %s: cannot write: %s\n", points, strerror(errno));
		return 2;
	}
	return 0;
}

static int load_sweep(struct sweep *sw, const struct sweep_opts *o)
{
	struct scenario sc;
	int rc = scenario_load(&sc, o->scenario, o->sets, o->nr_sets);

	memset(sw, 0, sizeof(*sw));
	sw->o = o;
	if (rc) {
		fprintf(stderr, "faultsim: %s\n", sc.error);
		scenario_free(&sc);
		return 2;
	}
	for (int i = 0; i < sc.nr_sweep && !rc; i++)
		rc = add_vary(sw, sc.sweep[i].spec, sc.sweep[i].where);
	for (int i = 0; i < o->nr_varies && !rc; i++)
		rc = add_vary(sw, o->varies[i], "command line");
	sw->seeds = o->seeds ? o->seeds : sc.sweep_seeds ? sc.sweep_seeds : 1;
	scenario_free(&sc);
	if (rc)
		return rc;
	build_points(sw);
	return 0;
}

static void sweep_free(struct sweep *sw)
{
	for (int p = 0; p < sw->nr_points; p++)
		for (int i = 0; i < sw->nr_vary; i++)
			free(sw->points[p].sets[i]);
	free(sw->points);
	for (int i = 0; i < sw->nr_vary; i++)
		vary_free(&sw->vary[i]);
}

int faultsim_sweep(const struct sweep_opts *o)
{
	struct sweep sw;
	int rc;

	if (o->collect)
		return results_write(o->collect);
	rc = load_sweep(&sw, o);
	if (!rc)
		rc = make_dirs(o->out);
	if (!rc)
		rc = write_manifest(&sw);
	if (!rc && o->emit_jobs) {
		rc = emit_jobs(&sw);
		sweep_free(&sw);
		return rc;
	}
	if (!rc) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		remove_stale(&sw);
		rc = run_points(&sw);
		rc = results_write(o->out) ? 2 : rc;
	}
	sweep_free(&sw);
	if (!rc && interrupted)
		return 128 + interrupted;
	return rc;
}

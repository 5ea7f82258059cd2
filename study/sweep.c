/* study/sweep.c - the points of a sweep, their runs, and resuming. */
#include "sweep.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../run/outfile.h"
#include "progress.h"
#include "../lang/scenario.h"
#include "vary.h"

#define MAX_VARY	 16
#define SWEEP_MAX_POINTS 1000000
#define POINT_NAME_MAX	 200 /* leaves room for .json, .err.tmp.XXXXXX */
#define SWEEP_PATH_MAX	 600 /* DIR: points/NAME.ext must fit in 1024 */

struct point {
	char name[POINT_NAME_MAX + 1];
	char *sets[MAX_VARY]; /* "section.key=value" */
	unsigned long seed;
	pid_t pid; /* while it runs */
};

struct sweep {
	const struct sweep_opts *o;
	struct vary vary[MAX_VARY];
	int nr_vary;
	int seeds;
	struct point *points;
	size_t nr_points;
	char out[SWEEP_PATH_MAX + 1];	   /* DIR, absolute */
	char scenario[SWEEP_PATH_MAX + 1]; /* the file, absolute */
	uint64_t fingerprint; /* of what a point's result depends on besides its values */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* No SA_RESTART: wait() must return at once to stop the runs in flight. */
static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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

/* A value as it may appear in a file name; true if a character was replaced. */
static bool name_append(char *name, size_t len, const char *s)
{
	size_t n = strlen(name);
	bool replaced = false;

	for (; *s && n + 1 < len; s++) {
		bool ok = isalnum((unsigned char)*s) || strchr("._-", *s);

		name[n++] = ok ? *s : '_';
		replaced |= !ok;
	}
	name[n] = '\0';
	return replaced;
}

/* FNV-1a, 64 bits: names too long for a file, and the sweep's fingerprint. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

#define FNV_BASIS 14695981039346656037ULL

/* A file name is at most 255 bytes: a long one keeps its start and a hash. */
static void name_shorten(char *name)
{
	if (strlen(name) <= POINT_NAME_MAX)
		return;
	snprintf(name + POINT_NAME_MAX - 17, 18, "~%016llx",
		 (unsigned long long)fnv1a(FNV_BASIS, name));
}

/*
 * The cartesian product, first varied key outermost, seeds innermost.
 * Names are unique for distinct values: where a value lost characters to
 * '_' (a/b and a_b), a hash of the values as given follows the name.
 */
static int build_points(struct sweep *sw)
{
	int idx[MAX_VARY] = {0};
	size_t total = (size_t)sw->seeds;

	for (int i = 0; i < sw->nr_vary; i++) {
		if (total > SWEEP_MAX_POINTS / (size_t)sw->vary[i].nr) {
			fprintf(stderr, "faultsim: sweep: more than %d runs; vary fewer values\n",
				SWEEP_MAX_POINTS);
			return 2;
		}
		total *= (size_t)sw->vary[i].nr;
	}
	sw->points = calloc(total, sizeof(*sw->points));
	if (!sw->points) {
		fprintf(stderr, "faultsim: sweep: out of memory for %zu runs\n", total);
		return 2;
	}
	for (size_t p = 0; p < total; p++) {
		struct point *pt = &sw->points[p];
		char name[1024] = "";
		size_t len;
		size_t rest = p / (size_t)sw->seeds;
		uint64_t h = FNV_BASIS;
		bool replaced = false;

		for (int i = sw->nr_vary - 1; i >= 0; i--) {
			idx[i] = rest % sw->vary[i].nr;
			rest /= sw->vary[i].nr;
		}
		pt->seed = (unsigned long)(p % (size_t)sw->seeds) + 1;
		for (int i = 0; i < sw->nr_vary; i++) {
			const struct vary *v = &sw->vary[i];
			size_t n =
			    strlen(v->section) + strlen(v->key) + strlen(v->values[idx[i]]) + 3;
			char part[160];

			pt->sets[i] = malloc(n);
			snprintf(pt->sets[i], n, "%s.%s=%s", v->section, v->key, v->values[idx[i]]);
			snprintf(part, sizeof(part), "%s%s-", i ? "," : "", v->key);
			name_append(name, sizeof(name), part);
			replaced |= name_append(name, sizeof(name), v->values[idx[i]]);
			h = fnv1a(fnv1a(h, pt->sets[i]), "\n");
		}
		if (replaced)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), ",~%08llx",
				 (unsigned long long)(h & 0xffffffffULL));
		name_append(name, sizeof(name), sw->nr_vary ? ",seed-" : "seed-");
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "%lu", pt->seed);
		name_shorten(name);
		len = strlen(name) < POINT_NAME_MAX ? strlen(name) : POINT_NAME_MAX;
		memcpy(pt->name, name, len);
		pt->name[len] = '\0';
	}
	sw->nr_points = total;
	return 0;
}

static void point_path(const struct sweep *sw, const struct point *pt, const char *ext, char *buf,
		       size_t len)
{
	snprintf(buf, len, "%s/points/%s.%s", sw->out, pt->name, ext);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Finished: its JSON is whole (it has its "end"), or its failure is recorded. */
static bool point_done(const struct sweep *sw, const struct point *pt)
{
	char path[1024];
	json_t *res;
	bool whole;

	point_path(sw, pt, "json", path, sizeof(path));
	res = json_load_file(path, 0, NULL);
	whole = json_is_string(json_object_get(res, "end"));
	json_decref(res);
	if (whole)
		return true;
	point_path(sw, pt, "failed", path, sizeof(path));
	return exists(path);
}

/* The manifest: what the points are, for --collect, plot and report. */
static json_t *manifest(const struct sweep *sw)
{
	json_t *root = json_object(), *varies = json_array(), *points = json_array();

	json_object_set_new(root, "scenario", json_string(sw->o->scenario));
	json_object_set_new(root, "fingerprint",
			    json_sprintf("%016llx", (unsigned long long)sw->fingerprint));
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
	for (size_t p = 0; p < sw->nr_points; p++) {
		const struct point *pt = &sw->points[p];
		json_t *values = json_array();

		for (int i = 0; i < sw->nr_vary; i++)
			json_array_append_new(values, json_string(strchr(pt->sets[i], '=') + 1));
		json_array_append_new(points, json_pack("{s:s,s:o,s:I}", "name", pt->name, "values",
							values, "seed", (json_int_t)pt->seed));
	}
	json_object_set_new(root, "points", points);
	return root;
}

/*
 * Written only when it changed: a sweep resumed on a full disk must reach
 * its points, which say what they lack, rather than stop at a manifest it
 * already has.
 */
static int write_manifest(const struct sweep *sw)
{
	struct output_file of;
	char path[1024], err[512];
	json_t *root = manifest(sw), *old;
	bool same;

	snprintf(path, sizeof(path), "%s/sweep.json", sw->out);
	old = json_load_file(path, 0, NULL);
	same = old && json_equal(old, root);
	json_decref(old);
	if (same) {
		json_decref(root);
		return 0;
	}
	if (outfile_open(&of, path, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		json_decref(root);
		return outfile_failure_status();
	}
	json_dumpf(root, of.f, JSON_INDENT(1));
	fputc('\n', of.f);
	json_decref(root);
	return outfile_commit(&of) ? outfile_failure_status() : 0;
}

/* Temporaries of runs that were killed: nothing finished is lost with them. */
static void remove_stale(const struct sweep *sw)
{
	char dir[1024], path[2048];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/points", sw->out);
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
	argv[n++] = (char *)sw->scenario;
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
	pid_t pid, parent = getpid();

	point_path(sw, pt, "json", json, sizeof(json));
	point_path(sw, pt, "err.tmp", errpath, sizeof(errpath));
	build_argv(sw, pt, json, argv, seed);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd;

		/* A run dies with its sweep, even one killed with SIGKILL. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		perror("faultsim: exec");
		_exit(127);
	}
	if (pid < 0) {
		perror("faultsim: sweep: fork");
		return -1;
	}
	pt->pid = pid;
	return pid;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

/*
 * Why a run did not finish, for NAME.unfinished and the user: the signal
 * that killed it, or its exit status and the first line it printed.
 * Best effort: on a full disk, stderr is all there is.
 */
static void record_unfinished(struct sweep *sw, struct point *pt, int status, const char *errpath)
{
	char why[512] = "", line[384] = "", path[1024], err[256];
	struct output_file of;
	FILE *f = fopen(errpath, "r");

	if (f) {
		if (fgets(line, sizeof(line), f))
			line[strcspn(line, "\n")] = '\0';
		fclose(f);
	}
	if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == EXIT_NO_RESOURCE && !line[0])
		snprintf(why, sizeof(why), "exit %d: out of disk space, memory or descriptors",
			 EXIT_NO_RESOURCE);
	else
		snprintf(why, sizeof(why), "exit %d%s%s", WEXITSTATUS(status), line[0] ? ": " : "",
			 line);
	fprintf(stderr, "faultsim: sweep: %s did not finish, %s; it runs again on resume\n",
		pt->name, why);
	point_path(sw, pt, "unfinished", path, sizeof(path));
	if (outfile_open(&of, path, err, sizeof(err)))
		return;
	fprintf(of.f, "%s\n", why);
	outfile_commit(&of);
}

/*
 * A run ended.  Exit 0 or 3 with its JSON written: finished (a lockup is
 * a result).  Exit 2 with its message: a bad point, the message becomes
 * NAME.failed.  Anything else (killed, out of disk or memory, exec failed,
 * or a failure that could not even write its message): not finished, run
 * again next time, with the reason in NAME.unfinished until then.
 * Returns "ok", "lockup", "failed" or "unfinished".
 */
static const char *finish_point(struct sweep *sw, struct point *pt, int status)
{
	char errpath[1024], failed[1024], unfinished[1024];

	point_path(sw, pt, "err.tmp", errpath, sizeof(errpath));
	point_path(sw, pt, "failed", failed, sizeof(failed));
	point_path(sw, pt, "unfinished", unfinished, sizeof(unfinished));
	pt->pid = 0;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3) &&
	    point_done(sw, pt)) {
		unlink(errpath);
		unlink(unfinished);
		return WEXITSTATUS(status) ? "lockup" : "ok";
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && !interrupted &&
	    file_size(errpath) > 0) {
		/* The whole message, renamed into place: never half a reason. */
		if (rename(errpath, failed) == 0) {
			unlink(unfinished);
			return "failed";
		}
		perror("faultsim: sweep: recording a failed point");
	}
	if (!interrupted)
		record_unfinished(sw, pt, status, errpath);
	unlink(errpath);
	return "unfinished";
}

/* Points that could not run, this time or an earlier one: exit 1 if any. */
static int sweep_failed_points(const struct sweep *sw)
{
	char path[1024];
	size_t n = 0;

	for (size_t p = 0; p < sw->nr_points; p++) {
		point_path(sw, &sw->points[p], "failed", path, sizeof(path));
		n += exists(path);
	}
	if (!n)
		return 0;
	fprintf(stderr,
		"faultsim: sweep: %zu of %zu points failed; their reasons are in %s/results.csv\n",
		n, sw->nr_points, sw->out);
	return 1;
}

static int run_points(struct sweep *sw)
{
	int jobs = sw->o->jobs > 0 ? sw->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	size_t next = 0, todo = 0;
	int running = 0, done = 0, failed = 0, unfinished = 0;
	bool stop = false;
	struct progress pr;

	for (size_t p = 0; p < sw->nr_points; p++)
		todo += !point_done(sw, &sw->points[p]);
	progress_start(&pr, (int)todo, (int)(sw->nr_points - todo));
	while (!interrupted && ((!stop && next < sw->nr_points) || running)) {
		int status;
		pid_t pid;

		while (!interrupted && !stop && running < jobs && next < sw->nr_points) {
			struct point *pt = &sw->points[next++];

			if (point_done(sw, pt))
				continue;
			if (start_point(sw, pt) < 0) {
				stop = true; /* out of processes: finish what runs */
				unfinished++;
				break;
			}
			running++;
		}
		if (!running)
			break;
		pid = wait(&status);
		if (pid < 0)
			continue; /* a signal: look at the flag */
		for (size_t p = 0; p < sw->nr_points; p++) {
			struct point *pt = &sw->points[p];
			const char *how;

			if (pt->pid != pid)
				continue;
			running--;
			how = finish_point(sw, pt, status);
			if (!strcmp(how, "unfinished") && interrupted)
				break;
			done++;
			/* A lockup or a deadlock is an outcome the study reports, not a failure. */
			failed += !strcmp(how, "failed") || !strcmp(how, "unfinished");
			unfinished += !strcmp(how, "unfinished");
			progress_point(&pr, done, failed, pt->name, how);
			break;
		}
	}
	/* Interrupted: stop the runs in flight, keep every finished one. */
	for (size_t p = 0; p < sw->nr_points; p++) {
		struct point *pt = &sw->points[p];
		int status;

		if (pt->pid <= 0)
			continue;
		kill(pt->pid, SIGTERM);
		waitpid(pt->pid, &status, 0);
		finish_point(sw, pt, status);
	}
	progress_end(&pr, done, failed, interrupted != 0);
	if (unfinished && !interrupted) {
		fprintf(stderr,
			"faultsim: sweep: %d points did not finish (killed, or out of a "
			"resource); run the same command again to run them\n",
			unfinished);
		return 1;
	}
	return sweep_failed_points(sw);
}

static void shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/*
 * One shell line a point, with absolute paths so it runs from anywhere:
 * the run, its stderr kept as NAME.failed if it exits 2 (a bad point), as
 * faultsim sweep itself records it.
 */
static void emit_jobs(const struct sweep *sw, FILE *f)
{
	for (size_t p = 0; p < sw->nr_points; p++) {
		const struct point *pt = &sw->points[p];
		char json[1024], err[1024], failed[1024], seed[24];
		char *argv[16 + 2 * (MAX_VARY + sw->o->nr_sets)];

		point_path(sw, pt, "json", json, sizeof(json));
		point_path(sw, pt, "err.tmp", err, sizeof(err));
		point_path(sw, pt, "failed", failed, sizeof(failed));
		build_argv(sw, pt, json, argv, seed);
		for (int i = 0; argv[i]; i++) {
			if (i)
				fputc(' ', f);
			shell_quote(f, argv[i]);
		}
		fputs(" 2>", f);
		shell_quote(f, err);
		fputs("; rc=$?; if [ $rc -eq 2 ]; then mv ", f);
		shell_quote(f, err);
		fputc(' ', f);
		shell_quote(f, failed);
		fputs("; else rm -f ", f);
		shell_quote(f, err);
		fputs("; fi; exit $rc\n", f);
	}
}

int mkdir_parents(const char *dir)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int make_dirs(const char *out)
{
	char points[1024];

	snprintf(points, sizeof(points), "%s/points", out);
	if (mkdir_parents(out) || (mkdir(points, 0755) && errno != EEXIST) ||
	    access(points, W_OK)) {
		fprintf(stderr, "faultsim: %s: cannot write: %s\n", points, strerror(errno));
		return exit_status_for_errno(errno);
	}
	return 0;
}

/* An absolute form of path, for job lines that run from anywhere. */
static int absolute(const char *path, char *buf, size_t len, const char *what)
{
	char cwd[SWEEP_PATH_MAX + 1];

	if (path[0] == '/')
		snprintf(cwd, sizeof(cwd), "%s", "");
	else if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	if ((size_t)snprintf(buf, len, "%s%s%s", cwd, *cwd ? "/" : "", path) >= len) {
		fprintf(stderr, "faultsim: sweep: %s: path longer than %zu bytes\n", what, len - 1);
		return 2;
	}
	return 0;
}

/*
 * The executable that runs the points, byte by byte: a rebuilt model
 * gives other results for the same settings, so its points must not be
 * mixed with an older build's.  0 if it cannot be read.
 */
static uint64_t build_id(const char *self)
{
	unsigned char buf[65536];
	uint64_t h = FNV_BASIS;
	FILE *f = fopen(self, "rb");
	size_t n;

	if (!f)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	fclose(f);
	return h;
}

/*
 * What a point's result depends on besides its own values: the build that
 * runs it, every resolved key of the scenario (includes and machine
 * profile included) and the --set list.  A DIR holding points of another
 * fingerprint is refused.
 */
static uint64_t fingerprint(const struct scenario *sc, const struct sweep_opts *o)
{
	uint64_t h = FNV_BASIS;
	char build[32];

	snprintf(build, sizeof(build), "%016llx", (unsigned long long)build_id(o->self));
	h = fnv1a(h, build);

	for (int i = 0; i < nr_keys; i++) {
		h = fnv1a(h, keys[i].section);
		h = fnv1a(h, keys[i].name);
		h = fnv1a(h, sc->settings[i].value ? sc->settings[i].value : "");
	}
	for (int i = 0; i < o->nr_sets; i++)
		h = fnv1a(h, o->sets[i]);
	return h;
}

/* Every value of every varied key must parse where the key is used. */
static int check_values(const struct sweep *sw)
{
	const struct sweep_opts *o = sw->o;
	char **sets = calloc(o->nr_sets + 1, sizeof(*sets));
	int rc = 0;

	memcpy(sets, o->sets, o->nr_sets * sizeof(*sets));
	for (int i = 0; i < sw->nr_vary && !rc; i++)
		for (int j = 0; j < sw->vary[i].nr && !rc; j++) {
			const struct vary *v = &sw->vary[i];
			size_t n = strlen(v->section) + strlen(v->key) + strlen(v->values[j]) + 3;
			struct scenario sc;

			sets[o->nr_sets] = malloc(n);
			snprintf(sets[o->nr_sets], n, "%s.%s=%s", v->section, v->key, v->values[j]);
			if (scenario_load(&sc, o->scenario, sets, o->nr_sets + 1)) {
				fprintf(stderr, "faultsim: sweep: --vary %s\n", sc.error);
				rc = 2;
			}
			scenario_free(&sc);
			free(sets[o->nr_sets]);
		}
	free(sets);
	return rc;
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
	sw->fingerprint = fingerprint(&sc, o);
	scenario_free(&sc);
	if (!rc)
		rc = check_values(sw);
	if (!rc)
		rc = absolute(o->out, sw->out, sizeof(sw->out), "--out");
	if (!rc)
		rc = absolute(o->scenario, sw->scenario, sizeof(sw->scenario), o->scenario);
	if (!rc)
		rc = build_points(sw);
	return rc;
}

/* A DIR that holds another sweep's points must not be mixed with this one. */
static int check_same_sweep(const struct sweep *sw)
{
	char path[1024], mine[32];
	json_t *m;
	const char *theirs;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/sweep.json", sw->out);
	m = json_load_file(path, 0, NULL);
	if (!m)
		return 0;
	snprintf(mine, sizeof(mine), "%016llx", (unsigned long long)sw->fingerprint);
	theirs = json_string_value(json_object_get(m, "fingerprint"));
	if (!theirs || strcmp(theirs, mine)) {
		fprintf(stderr,
			"faultsim: sweep: %s holds a sweep of other settings (the scenario, "
			"--set or the faultsim build changed): give another --out, or remove it\n",
			sw->o->out);
		rc = 2;
	}
	json_decref(m);
	return rc;
}

/*
 * One sweep at a time in DIR.  The lock's descriptor is inherited by every
 * run: a run left over from a sweep killed at the wrong instant still
 * holds it, so a resumed sweep cannot start beside it.  Such runs die with
 * their sweep (PR_SET_PDEATHSIG), so the lock frees within moments.
 */
static int lock_dir(const struct sweep *sw)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/.lock", sw->out);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		fprintf(stderr, "faultsim: %s: cannot write: %s\n", path, strerror(errno));
		return exit_status_for_errno(errno);
	}
	for (int tries = 0; flock(fd, LOCK_EX | LOCK_NB); tries++) {
		if (errno != EWOULDBLOCK || tries == 30) {
			fprintf(stderr,
				"faultsim: %s: in use by another sweep or by runs it left; "
				"run again when they have ended\n",
				sw->out);
			close(fd);
			return 2;
		}
		usleep(100000);
	}
	return 0; /* held until we exit */
}

static void sweep_free(struct sweep *sw)
{
	for (size_t p = 0; p < sw->nr_points; p++)
		for (int i = 0; i < sw->nr_vary; i++)
			free(sw->points[p].sets[i]);
	free(sw->points);
	for (int i = 0; i < sw->nr_vary; i++)
		vary_free(&sw->vary[i]);
}

int sweep_fingerprint(const struct sweep_opts *o, unsigned long long *fp)
{
	struct sweep sw;
	int rc = load_sweep(&sw, o);

	*fp = sw.fingerprint;
	sweep_free(&sw);
	return rc;
}

int faultsim_sweep(const struct sweep_opts *o)
{
	struct output_file jobs = {0};
	struct sweep sw;
	char err[512];
	int rc;

	if (o->collect)
		return results_write(o->collect);
	rc = load_sweep(&sw, o);
	/* The job file first: if it cannot be written, nothing is. */
	if (!rc && outfile_open(&jobs, o->emit_jobs, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		rc = outfile_failure_status();
	}
	if (!rc)
		rc = check_same_sweep(&sw);
	if (!rc)
		rc = make_dirs(sw.out);
	if (!rc)
		rc = lock_dir(&sw);
	if (!rc)
		rc = write_manifest(&sw);
	if (jobs.f) {
		if (!rc)
			emit_jobs(&sw, jobs.f);
		if (rc)
			outfile_abandon(&jobs);
		else if (outfile_commit(&jobs))
			rc = outfile_failure_status();
		sweep_free(&sw);
		return rc;
	}
	if (!rc) {
		catch_signals();
		remove_stale(&sw);
		rc = run_points(&sw);
		int wrc = results_write(sw.out);

		/* Points missing after an interruption are expected; say so otherwise. */
		if (wrc == 2 || (!rc && wrc && !interrupted))
			rc = wrc;
	}
	sweep_free(&sw);
	if (!rc && interrupted)
		return 128 + interrupted;
	return rc;
}

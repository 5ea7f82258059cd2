/* host/validate.c - faultsim validate: predictions against this machine.
 *
 * Calibrate this machine into DIR/host.ini; pick the fault path its
 * kernel uses (per-VMA locks from Linux 6.4, when CONFIG_PER_VMA_LOCK is
 * on, else mmap_sem: SPF was never merged); then for each workload and
 * thread count, run the workload for real (faultsim-ref) and simulated
 * (faultsim run with the calibrated profile), and compare operations per
 * task per second.  Writes DIR/validation.csv, DIR/validation.md and a
 * plot of predicted against measured (DIR/plots/validation.*).
 */
#include "validate.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "calibrate_cmd.h"
#include "../run/outfile.h"

#define TARGET_ERROR 0.10

struct workload_def {
	const char *ref;   /* faultsim-ref's name */
	const char *type;  /* [workload] type */
	const char *extra; /* more [workload] and [kernel] lines */
	bool needs_thp;
	const char *lacks; /* what the model may lack when it misses */
};

static const struct workload_def workloads[] = {
    {"page_fault1", "page_fault1", "region = 128m\n", false,
     "the model's per-fault work is fitted at one task; a miss at more tasks means a shared "
     "cost it lacks or overstates (zone->lock, lru_lock, memcg, the mmap_sem line)"},
    {"mmap1", "mmap1", "region = 128m\n", false,
     "mmap and munmap are modelled from syscall_entry and VMA-work estimates (models/cost.h), "
     "not measured costs"},
    {"pft", "pft", "region = 128m\n", false,
     "pft is fault-bound like page_fault1; a miss points at page-table allocation or the "
     "allocator"},
    {"mixed", "mixed", "shared = false\nslots = 4\nslot = 2m\nmunmap_ratio = 0.01\n", false,
     "the cost of touching a mapped page (COST_USER_TOUCH) and of MAP_FIXED replacement"},
    {"thp", "page_fault1", "region = 128m\n[kernel]\nthp = always\n", true,
     "2 MiB zeroing at mem_bw_core and the order-9 allocation"},
};

/* Linux 6.4 and later with CONFIG_PER_VMA_LOCK: the fault path the host uses. */
static const char *host_fault_path(char *why, size_t len)
{
	struct utsname u;
	int major = 0, minor = 0;
	char path[300], line[256];
	FILE *f;

	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	if (major < 6 || (major == 6 && minor < 4)) {
		snprintf(why, len, "Linux %s is older than 6.4: mmap_sem (classic)", u.release);
		return "classic";
	}
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "# CONFIG_PER_VMA_LOCK is not set", 32)) {
			fclose(f);
			snprintf(why, len,
				 "Linux %s without CONFIG_PER_VMA_LOCK: mmap_sem (classic)",
				 u.release);
			return "classic";
		}
	if (f)
		fclose(f);
	/* PER_VMA_LOCK defaults to y where the architecture supports it (x86-64). */
	snprintf(why, len, "Linux %s (6.4 or later, %s): per-VMA locks", u.release,
		 f ? "CONFIG_PER_VMA_LOCK set" : "no config found; the x86-64 default is on");
	return "pervma";
}

static int run_child(char *const argv[], const char *stdout_path)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (stdout_path && !freopen(stdout_path, "w", stdout))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Measured operations per task per second, from faultsim-ref's line. */
static double measure(const char *ref, const struct workload_def *w, int tasks, double seconds,
		      const char *tmp)
{
	char t[16], s[32], line[512];
	char *argv[] = {(char *)ref, (char *)w->ref, "--tasks", t, "--seconds", s, NULL};
	double v = NAN;
	FILE *f;

	snprintf(t, sizeof(t), "%d", tasks);
	snprintf(s, sizeof(s), "%g", seconds);
	if (run_child(argv, tmp))
		return NAN;
	f = fopen(tmp, "r");
	if (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "ops_per_task_per_s=");

		if (p)
			v = atof(p + 19);
	}
	if (f)
		fclose(f);
	return v;
}

/* Predicted operations per task per second, from a faultsim run child. */
static double predict(const char *self, const char *dir, const struct workload_def *w, int tasks,
		      const char *path)
{
	char scen[PATH_MAX + 64], json[PATH_MAX + 64];
	char *argv[] = {(char *)self, "run", scen, "--quiet", "--json", json, NULL};
	double v = NAN;
	json_t *res;
	FILE *f;

	snprintf(scen, sizeof(scen), "%s/scenario.ini", dir);
	snprintf(json, sizeof(json), "%s/predicted.json", dir);
	f = fopen(scen, "w");
	if (!f)
		return NAN;
	fprintf(f,
		"[machine]\nprofile = %s/host.ini\n[kernel]\nfault_path = %s\n"
		"[workload]\ntype = %s\nthreads = %d\nduration = 100ms\n%s",
		dir, path, w->type, tasks, w->extra);
	fclose(f);
	if (run_child(argv, "/dev/null") == 0 && (res = json_load_file(json, 0, NULL))) {
		v = json_real_value(
		    json_object_get(json_object_get(res, "ops_per_task_per_s"), "mean"));
		/* pft is done when its pages are: its rate is over the time that took. */
		if (!strcmp(w->ref, "pft"))
			v = json_integer_value(json_object_get(res, "ops")) / (double)tasks /
			    json_real_value(json_object_get(res, "sim_end_s"));
		json_decref(res);
	}
	unlink(scen);
	unlink(json);
	return v;
}

static int write_plot(const char *dir)
{
	char path[PATH_MAX + 64], cmd[PATH_MAX + 128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/plots", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/plots/validation.gp", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "# faultsim validate: predicted against measured, one point per workload and\n"
		   "# thread count; the line is a perfect prediction, the band +-10%%.\n"
		   "set title \"faultsim predictions against this machine\" noenhanced\n"
		   "set xlabel \"measured operations per task per second\" noenhanced\n"
		   "set ylabel \"predicted operations per task per second\" noenhanced\n"
		   "set logscale xy\nset grid\nset key top left noenhanced\n"
		   "set datafile separator \",\"\n"
		   "set terminal pngcairo size 900,700\nset output \"validation.png\"\n"
		   "plot \"../validation.csv\" skip 1 using 3:4 with points pt 7 title \"runs\", "
		   "x title \"perfect\", 1.1*x dt 2 lc rgb \"gray\" title \"+-10%%\", 0.9*x dt 2 "
		   "lc rgb \"gray\" notitle\n"
		   "set terminal svg size 900,700\nset output \"validation.svg\"\nreplot\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s/plots' && gnuplot validation.gp", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int faultsim_validate(const struct validate_opts *o)
{
	char self[PATH_MAX], ref[PATH_MAX + 16], dir[PATH_MAX], path[PATH_MAX + 64],
	    tmp[PATH_MAX + 64], why[256];
	const char *fault_path = host_fault_path(why, sizeof(why));
	struct output_file csv, md;
	char err[512];
	double worst = 0;
	int misses = 0, rows = 0;

	if (!realpath("/proc/self/exe", self))
		return 2;
	{
		char bindir[PATH_MAX];

		snprintf(bindir, sizeof(bindir), "%s", self);
		/* faultsim-ref is built beside faultsim. */
		snprintf(ref, sizeof(ref), "%s/faultsim-ref", dirname(bindir));
	}
	if (access(ref, X_OK)) {
		fprintf(stderr, "faultsim: validate: %s: missing (build it with the project)\n",
			ref);
		return 2;
	}
	if (mkdir(o->out, 0755) && errno != EEXIST) {
		fprintf(stderr, "faultsim: validate: %s: cannot create: %s\n", o->out,
			strerror(errno));
		return 2;
	}
	if (!realpath(o->out, dir))
		return 2;
	snprintf(path, sizeof(path), "%s/host.ini", dir);
	fprintf(stderr, "validate: calibrating this machine into %s\n", path);
	if (faultsim_calibrate(path))
		return 2;
	snprintf(tmp, sizeof(tmp), "%s/ref.out", dir);
	snprintf(path, sizeof(path), "%s/validation.csv", dir);
	if (outfile_open(&csv, path, err, sizeof(err)))
		return fprintf(stderr, "faultsim: %s\n", err), 2;
	snprintf(path, sizeof(path), "%s/validation.md", dir);
	if (outfile_open(&md, path, err, sizeof(err))) {
		outfile_abandon(&csv);
		return fprintf(stderr, "faultsim: %s\n", err), 2;
	}
	fprintf(csv.f, "workload,threads,measured,predicted,error\n");
	fprintf(md.f,
		"# faultsim validate\n\nProfile: `host.ini` (faultsim calibrate).  Fault path: "
		"%s.\n\nOperations per task per second, measured by faultsim-ref and predicted "
		"by faultsim run; target: within %.0f%%.\n\n",
		why, 100 * TARGET_ERROR);
	fprintf(
	    md.f,
	    "| workload | threads | measured | predicted | error |\n|---|---:|---:|---:|---:|\n");
	for (size_t w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		if (workloads[w].needs_thp && !calibrate_thp_available()) {
			fprintf(md.f, "| %s | - | THP is not available here | | |\n",
				workloads[w].ref);
			continue;
		}
		for (int i = 0; i < o->nr_threads; i++) {
			int n = o->threads[i];
			double m = measure(ref, &workloads[w], n, o->seconds, tmp);
			double p = predict(self, dir, &workloads[w], n, fault_path);
			double e = (p - m) / m;

			fprintf(
			    stderr,
			    "validate: %s, %d threads: measured %.4g, predicted %.4g (%+.1f%%)\n",
			    workloads[w].ref, n, m, p, 100 * e);
			fprintf(csv.f, "%s,%d,%.6g,%.6g,%.4f\n", workloads[w].ref, n, m, p, e);
			fprintf(md.f, "| %s | %d | %.4g | %.4g | %+.1f%%%s |\n", workloads[w].ref,
				n, m, p, 100 * e, fabs(e) > TARGET_ERROR ? " miss" : "");
			if (isnan(e) || fabs(e) > TARGET_ERROR) {
				misses++;
				fprintf(md.f, "|  | | | | where it misses: %s |\n",
					workloads[w].lacks);
			}
			if (!isnan(e) && fabs(e) > worst)
				worst = fabs(e);
			rows++;
		}
	}
	unlink(tmp);
	fprintf(md.f,
		"\n%d of %d points within %.0f%%; the worst error is %.1f%%.\n\n"
		"![predicted against measured](plots/validation.png)\n",
		rows - misses, rows, 100 * TARGET_ERROR, 100 * worst);
	if (outfile_commit(&csv) || outfile_commit(&md))
		return 2;
	if (write_plot(dir))
		fprintf(stderr, "faultsim: validate: gnuplot failed on %s/plots/validation.gp\n",
			dir);
	printf("%s/validation.md: %d of %d points within %.0f%%, worst %.1f%%\n", dir,
	       rows - misses, rows, 100 * TARGET_ERROR, 100 * worst);
	return 0;
}

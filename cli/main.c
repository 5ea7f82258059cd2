/* cli/main.c - the faultsim command: run, check, sweep, plot, report. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate_cmd.h"
#include "plot.h"
#include "report.h"
#include "run.h"
#include "sweep.h"
#include "validate.h"
#include "vary.h"

static const char usage[] =
    "usage: faultsim run FILE [--set section.key=value ...] [--seed N] [--json PATH]\n"
    "                         [--csv PATH] [--trace PATH] [--quiet]\n"
    "       faultsim check FILE [--set section.key=value ...]\n"
    "       faultsim sweep FILE [--vary section.key=LIST ...] [--seeds N] [--jobs N]\n"
    "                           [--set section.key=value ...] --out DIR\n"
    "       faultsim sweep FILE ... --out DIR --emit-jobs JOBFILE\n"
    "       faultsim sweep --collect DIR\n"
    "       faultsim plot DIR [--kind scaling|latency|maxtry|breakdown] [--x KEY]\n"
    "                         [--y METRIC] [--series KEY]\n"
    "       faultsim report DIR [--tolerance PCT] [--irqs-off-bound TIME]\n"
    "       faultsim calibrate [--out FILE]\n"
    "       faultsim validate [--threads LIST] [--seconds S] [--out DIR]\n"
    "\n"
    "LIST: 1,2,4,8 or ranges 1..256x2 (doubling), 0..16+4 (step), or words spf,pervma.\n"
    "Exit status: 0 ok, 2 bad input (nothing is run or written), 3 the run ended in a\n"
    "hard lockup, a deadlock or a livelock (its report is printed and in the JSON),\n"
    "4 the machine ran out of disk space, memory or descriptors (nothing is written).\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "faultsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

static int parse_count(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < lo || *out > hi ? -1 : 0;
}

static int parse_seed(const char *s, unsigned long *seed)
{
	char *end;

	errno = 0;
	*seed = strtoul(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

static int cmd_run(const char *cmd, int argc, char **argv)
{
	struct run_opts o = {.seed = 1};
	char **sets = calloc(argc, sizeof(*sets));
	int rc;

	o.sets = sets;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			if (o.scenario) {
				free(sets);
				return bad_usage("one scenario file at a time ('%s')", a);
			}
			o.scenario = a;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = true;
		} else if (!val) {
			free(sets);
			return bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--set")) {
			sets[o.nr_sets++] = argv[++i];
		} else if (!strcmp(a, "--seed")) {
			if (parse_seed(argv[++i], &o.seed)) {
				free(sets);
				return bad_usage("--seed: '%s' is not a non-negative integer", val);
			}
		} else if (!strcmp(a, "--json")) {
			o.json = argv[++i];
		} else if (!strcmp(a, "--csv")) {
			o.csv = argv[++i];
		} else if (!strcmp(a, "--trace") && !strcmp(cmd, "run")) {
			o.trace = argv[++i];
		} else {
			free(sets);
			return bad_usage("unknown option '%s'", a);
		}
	}
	if (!o.scenario) {
		free(sets);
		return bad_usage("%s needs a scenario FILE", cmd);
	}
	rc = strcmp(cmd, "run") ? faultsim_check(&o) : faultsim_run(&o);
	free(sets);
	return rc;
}

static int cmd_sweep(int argc, char **argv)
{
	static char self[PATH_MAX];
	struct sweep_opts o = {0};
	char **sets = calloc(argc, sizeof(*sets)), **varies = calloc(argc, sizeof(*varies));
	int rc = -1;
	long n;

	if (!realpath("/proc/self/exe", self))
		snprintf(self, sizeof(self), "%s", argv[0]);
	o.self = self;
	o.sets = sets;
	o.varies = varies;
	for (int i = 2; i < argc && rc < 0; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			if (o.scenario)
				rc = bad_usage("one scenario file at a time ('%s')", a);
			o.scenario = a;
		} else if (!val) {
			rc = bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--set")) {
			sets[o.nr_sets++] = argv[++i];
		} else if (!strcmp(a, "--vary")) {
			varies[o.nr_varies++] = argv[++i];
		} else if (!strcmp(a, "--seeds")) {
			if (parse_count(argv[++i], 1, 1000, &n))
				rc = bad_usage("--seeds: '%s' is not 1 to 1000", val);
			o.seeds = (int)n;
		} else if (!strcmp(a, "--jobs")) {
			if (parse_count(argv[++i], 1, 4096, &n))
				rc = bad_usage("--jobs: '%s' is not 1 to 4096", val);
			o.jobs = (int)n;
		} else if (!strcmp(a, "--out")) {
			o.out = argv[++i];
		} else if (!strcmp(a, "--emit-jobs")) {
			o.emit_jobs = argv[++i];
		} else if (!strcmp(a, "--collect")) {
			o.collect = argv[++i];
		} else {
			rc = bad_usage("unknown option '%s'", a);
		}
	}
	if (rc < 0 && !o.collect && (!o.scenario || !o.out))
		rc = bad_usage("%s needs a scenario FILE and --out DIR", "sweep");
	if (rc < 0)
		rc = faultsim_sweep(&o);
	free(sets);
	free(varies);
	return rc;
}

static int cmd_plot(int argc, char **argv)
{
	struct plot_opts o = {.kind = "scaling"};

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o.dir)
				return bad_usage("one sweep directory at a time ('%s')", a);
			o.dir = a;
		} else if (i + 1 >= argc) {
			return bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--kind")) {
			o.kind = argv[++i];
		} else if (!strcmp(a, "--x")) {
			o.x = argv[++i];
		} else if (!strcmp(a, "--y")) {
			o.y = argv[++i];
		} else if (!strcmp(a, "--series")) {
			o.series = argv[++i];
		} else {
			return bad_usage("unknown option '%s'", a);
		}
	}
	if (!o.dir)
		return bad_usage("%s needs a sweep DIR", "plot");
	return faultsim_plot(&o);
}

static int cmd_validate(int argc, char **argv)
{
	struct validate_opts o = {.out = "out/validate", .seconds = 2};
	long nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char err[256], *end;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (i + 1 >= argc)
			return bad_usage("%s needs a value", a);
		if (!strcmp(a, "--out")) {
			o.out = argv[++i];
		} else if (!strcmp(a, "--seconds")) {
			o.seconds = strtod(argv[++i], &end);
			if (*end || o.seconds <= 0 || o.seconds > 600)
				return bad_usage("--seconds: '%s' is not 0 to 600", argv[i]);
		} else if (!strcmp(a, "--threads")) {
			char spec[512];
			struct vary v;

			snprintf(spec, sizeof(spec), "workload.threads=%s", argv[++i]);
			if (vary_parse(spec, &v, err, sizeof(err)))
				return bad_usage("--threads: %s", err);
			for (int j = 0; j < v.nr && o.nr_threads < 64; j++) {
				long n = strtol(v.values[j], &end, 10);

				if (*end || n < 1 || n > nr_cpus) {
					vary_free(&v);
					return bad_usage(
					    "--threads: '%s' is not 1 to this machine's CPUs",
					    argv[i]);
				}
				o.threads[o.nr_threads++] = (int)n;
			}
			vary_free(&v);
		} else {
			return bad_usage("unknown option '%s'", a);
		}
	}
	/* By default 1 to every CPU of this machine. */
	if (!o.nr_threads)
		for (long n = 1; n <= nr_cpus && n <= 64; n++)
			o.threads[o.nr_threads++] = (int)n;
	return faultsim_validate(&o);
}

static int cmd_report(int argc, char **argv)
{
	struct report_opts o = {.tolerance = 5, .irqs_off_bound = 10e3};

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (a[0] != '-') {
			if (o.dir)
				return bad_usage("one sweep directory at a time ('%s')", a);
			o.dir = a;
		} else if (i + 1 >= argc) {
			return bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--tolerance")) {
			o.tolerance = strtod(argv[++i], &end);
			if (*end || o.tolerance < 0 || o.tolerance > 100)
				return bad_usage("--tolerance: '%s' is not a percentage", argv[i]);
		} else if (!strcmp(a, "--irqs-off-bound")) {
			if (report_parse_time(argv[++i], &o.irqs_off_bound))
				return bad_usage(
				    "--irqs-off-bound: '%s' is not a time such as 10us", argv[i]);
		} else {
			return bad_usage("unknown option '%s'", a);
		}
	}
	if (!o.dir)
		return bad_usage("%s needs a sweep DIR", "report");
	return faultsim_report(&o);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "run") || !strcmp(cmd, "check"))
		return cmd_run(cmd, argc, argv);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc, argv);
	if (!strcmp(cmd, "plot"))
		return cmd_plot(argc, argv);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc, argv);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc, argv);
	if (!strcmp(cmd, "calibrate")) {
		if (argc == 2)
			return faultsim_calibrate(NULL);
		if (argc == 4 && !strcmp(argv[2], "--out"))
			return faultsim_calibrate(argv[3]);
		return bad_usage("%s takes only --out FILE", "calibrate");
	}
	return bad_usage("unknown command '%s'", cmd);
}

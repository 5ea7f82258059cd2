/* cli/main.c - the faultsim command: run, check, sweep, plot, report. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/calibrate_cmd.h"
#include "../study/compare.h"
#include "../study/plot.h"
#include "../study/reference.h"
#include "../study/report.h"
#include "../run/run.h"
#include "../study/sweep.h"
#include "../host/validate.h"
#include "../study/vary.h"

/* Each command's usage lines, as the README's "Use" block shows them. */
static const struct command_usage {
	const char *cmd;
	const char *lines;
} usages[] = {
    {"run", "faultsim run FILE [--set section.key=value ...] [--seed N] [--json PATH]\n"
	    "                         [--csv PATH] [--trace PATH] [--quiet]\n"},
    {"check", "faultsim check FILE [--set section.key=value ...] [--print]\n"},
    {"sweep", "faultsim sweep FILE [--vary section.key=LIST ...] [--seeds N] [--jobs N]\n"
	      "                           [--set section.key=value ...] --out DIR\n"
	      "       faultsim sweep FILE ... --out DIR --emit-jobs JOBFILE\n"
	      "       faultsim sweep --collect DIR\n"},
    {"plot", "faultsim plot DIR [--kind scaling|latency|maxtry|breakdown] [--x KEY]\n"
	     "                         [--y METRIC] [--series KEY]\n"},
    {"report", "faultsim report DIR [--tolerance PCT] [--loop-bound TIME]\n"},
    {"compare", "faultsim compare DIR_A DIR_B [--metrics LIST] [--csv PATH]\n"},
    {"calibrate", "faultsim calibrate [--out FILE]\n"},
    {"validate", "faultsim validate [--threads LIST] [--seconds S] [--out DIR]\n"},
    {"reference", "faultsim reference FILE.csv --out DIR [--jobs N] [--seeds N]\n"},
};

static const char usage_tail[] =
    "\n"
    "LIST: 1,2,4,8 or ranges 1..256x2 (doubling), 0..16+4 (step), or words spf,pervma.\n"
    "Exit status: 0 ok, 2 bad input (nothing is run or written), 3 the run ended in a\n"
    "hard lockup, a deadlock or a livelock (its report is printed and in the JSON),\n"
    "4 the machine ran out of disk space, memory or descriptors (nothing is written).\n";

#define NR_COMMANDS (sizeof(usages) / sizeof(usages[0]))

/* The usage of cmd, or of every command if cmd is NULL. */
static void print_usage(FILE *f, const char *cmd)
{
	bool first = true;

	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (cmd && strcmp(cmd, usages[i].cmd))
			continue;
		fprintf(f, "%s%s", first ? "usage: " : "       ", usages[i].lines);
		first = false;
	}
	fputs(usage_tail, f);
}

/* Each command's options, and whether each takes a value. */
static const struct option_def {
	const char *cmd, *name;
	bool value;
} options[] = {
    {"run", "--set", true},
    {"run", "--seed", true},
    {"run", "--json", true},
    {"run", "--csv", true},
    {"run", "--trace", true},
    {"run", "--quiet", false},
    {"check", "--set", true},
    {"check", "--seed", true},
    {"check", "--json", true},
    {"check", "--csv", true},
    {"check", "--quiet", false},
    {"check", "--print", false},
    {"sweep", "--set", true},
    {"sweep", "--vary", true},
    {"sweep", "--seeds", true},
    {"sweep", "--jobs", true},
    {"sweep", "--out", true},
    {"sweep", "--emit-jobs", true},
    {"sweep", "--collect", true},
    {"plot", "--kind", true},
    {"plot", "--x", true},
    {"plot", "--y", true},
    {"plot", "--series", true},
    {"report", "--tolerance", true},
    {"report", "--loop-bound", true},
    {"calibrate", "--out", true},
    {"compare", "--metrics", true},
    {"compare", "--csv", true},
    {"validate", "--threads", true},
    {"validate", "--seconds", true},
    {"validate", "--out", true},
    {"reference", "--out", true},
    {"reference", "--jobs", true},
    {"reference", "--seeds", true},
};

static const struct option_def *option_find(const char *cmd, const char *name)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (!strcmp(options[i].cmd, cmd) && !strcmp(options[i].name, name))
			return &options[i];
	return NULL;
}

static const char *current_cmd;

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "faultsim: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	print_usage(stderr, current_cmd);
	return 2;
}

/*
 * Before a command parses its arguments: --help prints its usage (exit 0),
 * and an option it does not have is named as unknown (exit 2), whatever
 * follows it.  Returns -1 to go on.
 */
static int screen_options(const char *cmd, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const struct option_def *o;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_usage(stdout, cmd);
			return 0;
		}
		if (argv[i][0] != '-')
			continue;
		o = option_find(cmd, argv[i]);
		if (!o)
			return bad_usage("unknown option '%s'", argv[i]);
		i += o->value;
	}
	return -1;
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
		} else if (!strcmp(a, "--print")) {
			o.print = true;
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

static int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = {0};

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o.dir_b)
				return bad_usage("two sweep directories, not three ('%s')", a);
			*(o.dir_a ? &o.dir_b : &o.dir_a) = a;
		} else if (i + 1 >= argc) {
			return bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--metrics")) {
			o.metrics = argv[++i];
		} else {
			o.csv = argv[++i];
		}
	}
	if (!o.dir_b)
		return bad_usage("%s needs two sweep directories", "compare");
	return faultsim_compare(&o);
}

static int cmd_reference(int argc, char **argv)
{
	static char self[PATH_MAX];
	struct reference_opts o = {0};
	long n;

	if (!realpath("/proc/self/exe", self))
		snprintf(self, sizeof(self), "%s", argv[0]);
	o.self = self;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o.file)
				return bad_usage("one reference file at a time ('%s')", a);
			o.file = a;
		} else if (i + 1 >= argc) {
			return bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--out")) {
			o.out = argv[++i];
		} else if (!strcmp(a, "--seeds")) {
			if (parse_count(argv[++i], 1, 1000, &n))
				return bad_usage("--seeds: '%s' is not 1 to 1000", argv[i]);
			o.seeds = (int)n;
		} else if (parse_count(argv[++i], 1, 4096, &n)) {
			return bad_usage("--jobs: '%s' is not 1 to 4096", argv[i]);
		} else {
			o.jobs = (int)n;
		}
	}
	if (!o.file || !o.out)
		return bad_usage("%s needs a reference FILE.csv and --out DIR", "reference");
	return faultsim_reference(&o);
}

static int cmd_report(int argc, char **argv)
{
	struct report_opts o = {.tolerance = 5, .loop_bound = 10e3};

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
		} else if (!strcmp(a, "--loop-bound")) {
			if (report_parse_time(argv[++i], &o.loop_bound))
				return bad_usage("--loop-bound: '%s' is not a time such as 10us",
						 argv[i]);
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
	bool known = false;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(argc < 2 ? stderr : stdout, NULL);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("faultsim %s\n", FAULTSIM_VERSION);
		return 0;
	}
	cmd = argv[1];
	for (size_t i = 0; i < NR_COMMANDS; i++)
		known |= !strcmp(cmd, usages[i].cmd);
	if (!known)
		return bad_usage("unknown command '%s'", cmd);
	current_cmd = cmd;
	rc = screen_options(cmd, argc, argv);
	if (rc >= 0)
		return rc;
	if (!strcmp(cmd, "run") || !strcmp(cmd, "check"))
		return cmd_run(cmd, argc, argv);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc, argv);
	if (!strcmp(cmd, "plot"))
		return cmd_plot(argc, argv);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc, argv);
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argc, argv);
	if (!strcmp(cmd, "validate"))
		return cmd_validate(argc, argv);
	if (!strcmp(cmd, "reference"))
		return cmd_reference(argc, argv);
	if (argc == 2)
		return faultsim_calibrate(NULL);
	if (argc == 4)
		return faultsim_calibrate(argv[3]);
	return bad_usage("%s takes only --out FILE", "calibrate");
}

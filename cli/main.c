/* cli/main.c - the faultsim command: run and check a scenario. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char usage[] =
    "usage: faultsim run FILE [--set section.key=value ...] [--seed N] [--json PATH]\n"
    "                         [--csv PATH] [--quiet]\n"
    "       faultsim check FILE [--set section.key=value ...]\n"
    "\n"
    "Exit status: 0 ok, 2 bad input (nothing is run or written), 3 the run ended in a\n"
    "hard lockup, a deadlock or a livelock (its report is printed and in the JSON).\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "faultsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

static int parse_seed(const char *s, unsigned long *seed)
{
	char *end;

	errno = 0;
	*seed = strtoul(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct run_opts o = {.seed = 1};
	char *sets[argc];
	const char *cmd;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "run") && strcmp(cmd, "check"))
		return bad_usage("unknown command '%s'", cmd);
	o.sets = sets;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			if (o.scenario)
				return bad_usage("one scenario file at a time ('%s')", a);
			o.scenario = a;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = true;
		} else if (!val) {
			return bad_usage("%s needs a value", a);
		} else if (!strcmp(a, "--set")) {
			sets[o.nr_sets++] = argv[++i];
		} else if (!strcmp(a, "--seed")) {
			if (parse_seed(argv[++i], &o.seed))
				return bad_usage("--seed: '%s' is not a non-negative integer", val);
		} else if (!strcmp(a, "--json")) {
			o.json = argv[++i];
		} else if (!strcmp(a, "--csv")) {
			o.csv = argv[++i];
		} else {
			return bad_usage("unknown option '%s'", a);
		}
	}
	if (!o.scenario)
		return bad_usage("%s needs a scenario FILE", cmd);
	return strcmp(cmd, "run") ? faultsim_check(&o) : faultsim_run(&o);
}

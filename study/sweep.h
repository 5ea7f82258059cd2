/* study/sweep.h - faultsim sweep: many runs of one scenario, resumable.
 *
 * A sweep is the cartesian product of its varied keys, each point run with
 * N seeds, each run a `faultsim run` child writing DIR/points/NAME.json.
 * DIR/sweep.json lists the points; DIR/results.csv is rebuilt from the
 * points that finished.  A finished point is never run again, so running
 * the same command after an interruption runs only what is missing.
 */
#ifndef FAULTSIM_CLI_SWEEP_H
#define FAULTSIM_CLI_SWEEP_H

struct sweep_opts {
	const char *self; /* this executable, to run the points */
	const char *scenario;
	char **sets; /* --set, applied to every point */
	int nr_sets;
	char **varies; /* --vary section.key=LIST */
	int nr_varies;
	int seeds; /* 0: the file's [sweep] seeds, else 1 */
	int jobs;  /* 0: the machine's CPUs */
	const char *out;
	const char *emit_jobs; /* write the points' command lines there instead */
	const char *collect;   /* only rebuild DIR/results.csv */
};

/* 0 when every point ran (failed points are results too), 2 on bad input. */
int faultsim_sweep(const struct sweep_opts *o);

/*
 * What DIR/sweep.json would record of o (the build, the resolved scenario
 * and --set): a sweep resumes only points of the same fingerprint.  0, or
 * 2 on bad input (said on stderr).
 */
int sweep_fingerprint(const struct sweep_opts *o, unsigned long long *fp);

/* mkdir -p: DIR and any missing parent; 0 or -1 (errno set). */
int mkdir_parents(const char *dir);

/* Rebuild DIR/results.csv from DIR/sweep.json and DIR/points/; 0 or 2. */
int results_write(const char *dir);

#endif

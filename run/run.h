/* run/run.h - one simulation from a loaded scenario to its results. */
#ifndef FAULTSIM_CLI_RUN_H
#define FAULTSIM_CLI_RUN_H

#include "../models/workload.h"
#include "../sim/sim.h"
#include "../lang/scenario.h"

struct run_opts {
	const char *scenario;
	char **sets;
	int nr_sets;
	unsigned long seed;
	const char *json;
	const char *csv;
	const char *trace; /* Chrome trace-event JSON */
	bool quiet;
	bool print; /* check: every resolved key */
};

struct run_result {
	const struct run_opts *opts;
	const struct scenario *sc;
	const struct sim_config *cfg;
	const struct workload_params *wp;
	struct sim_outcome outcome;
	struct workload_result work;
	double wall_time; /* s */
};

/* Exit status: 0 ran clean, 2 bad input, 3 the run ended in a lockup. */
int faultsim_run(const struct run_opts *o);
int faultsim_check(const struct run_opts *o);

#endif

/* host/validate.h - faultsim validate [--threads LIST] [--seconds S] [--out DIR]. */
#ifndef FAULTSIM_CLI_VALIDATE_H
#define FAULTSIM_CLI_VALIDATE_H

struct validate_opts {
	const char *out;
	int threads[64];
	int nr_threads;
	double seconds; /* each real run's measured time */
};

/* 0 when it ran (misses are results), 2 on bad input or missing tools. */
int faultsim_validate(const struct validate_opts *o);

#endif

/* study/compare.h - faultsim compare: two sweeps, point by point. */
#ifndef FAULTSIM_CLI_COMPARE_H
#define FAULTSIM_CLI_COMPARE_H

struct compare_opts {
	const char *dir_a, *dir_b;
	const char *metrics; /* comma-separated results.csv columns; NULL: the key ones */
	const char *csv;     /* also write the comparison as CSV here */
};

/* Markdown on stdout.  0, 2 on bad input. */
int faultsim_compare(const struct compare_opts *o);

#endif

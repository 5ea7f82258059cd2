/* study/report.h - faultsim report: a sweep summed up in Markdown. */
#ifndef FAULTSIM_CLI_REPORT_H
#define FAULTSIM_CLI_REPORT_H

struct report_opts {
	const char *dir;
	double tolerance;  /* %: how far below the best throughput counts as as good */
	double loop_bound; /* ns: the longest a CPU may spend in pte_map_lock()'s loop */
};

int faultsim_report(const struct report_opts *o);
int report_parse_time(const char *s, double *ns);

#endif

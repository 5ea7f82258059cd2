/* study/progress.h - a sweep's progress: a bar on a terminal, lines otherwise. */
#ifndef FAULTSIM_CLI_PROGRESS_H
#define FAULTSIM_CLI_PROGRESS_H

#include <stdbool.h>

struct progress {
	int todo;     /* points this run has to do */
	int finished; /* points already done before it */
	double start;
	bool tty;
};

void progress_start(struct progress *pr, int todo, int finished);
void progress_point(struct progress *pr, int done, int failed, const char *name, const char *how);
void progress_end(struct progress *pr, int done, int failed, bool interrupted);

#endif

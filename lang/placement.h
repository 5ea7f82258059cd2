/* lang/placement.h - which CPU each task runs on: [workload] placement. */
#ifndef FAULTSIM_CLI_PLACEMENT_H
#define FAULTSIM_CLI_PLACEMENT_H

#include "../sim/machine.h"

/*
 * Fill cpu_of[0..tasks-1] from spec: "compact" (will-it-scale's pinning:
 * a thread a core, socket 0 first, siblings last), "spread" (Linux's load
 * balancer for unpinned tasks), "auto" (what the workload's benchmark
 * does) or a CPU list such as "0-15,64-79".  0, or -1 with why filled.
 */
int placement_build(const char *spec, const char *type, const struct machine *m, int tasks,
		    int *cpu_of, char *why, int len);

/* What "auto" means for a workload type. */
const char *placement_auto(const char *type);

#endif

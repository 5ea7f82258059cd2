/* sim/engine.h - starting, running and ending a simulation.
 *
 * One simulation per process: SimGrid's engine is a process singleton.
 * sim_init() builds the platform from the machine and sets up every CPU;
 * sim_start_cpu() gives a CPU its task; sim_run() runs until every task
 * returns, a lockup is detected, or the time limit passes, and says which.
 */
#ifndef FAULTSIM_SIM_ENGINE_H
#define FAULTSIM_SIM_ENGINE_H

#include <stdbool.h>

#include "machine.h"

enum spinlock_kind {
	SPINLOCK_QUEUED, /* qspinlock, the default since Linux 4.2 */
	SPINLOCK_TICKET, /* x86 ticket lock, before 4.2 */
};

struct sim_config {
	struct machine machine;
	enum spinlock_kind spinlock;
	bool rwsem_reader_spin; /* readers spin on a running writer (5.3 to 5.10) */
	double watchdog_thresh; /* ns of IRQs off before a hard lockup */
	double rcu_gp;		/* ns a grace period takes at least */
	unsigned long seed;
};

enum sim_end {
	SIM_END_OK,
	SIM_END_LOCKUP,	  /* hard lockup: IRQs off past the watchdog threshold */
	SIM_END_DEADLOCK, /* no CPU can make progress */
	SIM_END_LIVELOCK, /* CPUs still busy at the time limit */
};

struct sim_outcome {
	enum sim_end end;
	char report[8192];
	double sim_time; /* ns */
	unsigned long events;
};

extern const struct sim_config *sim_cfg;
extern const struct machine *sim_machine;

/* n core cycles of the simulated machine, in ns. */
static inline double cycles(double n)
{
	return n * 1e9 / sim_machine->freq;
}

/* Returns 0, or -1 with a message in err. */
int sim_init(const struct sim_config *cfg, char *err, int errlen);
void sim_start_cpu(int cpu, void (*task)(void *arg), void *arg);
/* Run until all tasks end; past limit_ns (simulated) what is left is a hang. */
void sim_run(double limit_ns, struct sim_outcome *out);

/* End the run now from inside it (a lockup); does not return. */
void sim_abort(enum sim_end end, const char *report);

#endif

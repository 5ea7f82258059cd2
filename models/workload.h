/* models/workload.h - what a workload is to the run layer.
 *
 * A workload starts one task per simulated CPU it uses (sim_start_cpu())
 * and, once the run has ended, hands back what it counted.  Operations are
 * counted the way will-it-scale counts them: per task, completed before
 * the end of the measured duration.
 */
#ifndef FAULTSIM_MODELS_WORKLOAD_H
#define FAULTSIM_MODELS_WORKLOAD_H

#include "../sim/sim.h"
#include "mm.h"

struct workload_params {
	const char *type;
	int tasks;	   /* one per simulated CPU */
	const int *cpu_of; /* task i runs on CPU cpu_of[i]; NULL: on CPU i */
	bool processes;	   /* each task its own mm, rather than threads of one */
	double duration;   /* ns of simulated time measured */
	double warmup;	   /* ns before measuring; WARMUP_AUTO: every task ran a loop */

	double think_time;  /* ns of user work between operations */
	double loop_jitter; /* ns: at most this much user work after each loop */

	/* type = lock */
	double critical_section; /* ns */
	bool spin_irqs_off;	 /* contenders spin with IRQs off */
	bool flush_in_cs;	 /* the holder shoots down every task's TLB */

	/* the fault workloads */
	struct mm_tunables kernel;
	unsigned long region;	  /* bytes per task */
	unsigned long interleave; /* pft: pages a task takes in turn */
	unsigned long slot;	  /* mixed: bytes per VMA */
	unsigned long slots;	  /* mixed: VMAs in all (shared) or per task */
	bool shared;		  /* mixed: all tasks touch all slots */
	bool random;		  /* mixed: touch random pages, not in order */
	double munmap_ratio;	  /* mixed: shares of operations */
	double mprotect_ratio;
	double madvise_ratio;
	double uffd_ratio;

	/* type = text */
	unsigned long text_size;
	bool text_aligned;	 /* the mapping's address agrees with its offset mod 2 MiB */
	int text_cache;		 /* TEXT_CACHE_* */
	bool text_same_start;	 /* every thread starts at the text's start */
	double text_writes;	 /* share of accesses that write */
	bool text_shared;	 /* MAP_SHARED: writes dirty the page cache, no COW */
	unsigned long footprint; /* bytes of text executed after start-up */
	double line_cycles;	 /* cycles the code of one 64-byte line runs for */
};

/* warmup = auto: measure once every task has completed a full loop. */
#define WARMUP_AUTO (-1.0)
/* ... or from here, if some task has not by then. */
#define WARMUP_AUTO_MAX 1e9

enum text_cache {
	TEXT_CACHE_COLD,  /* nothing cached */
	TEXT_CACHE_WARM,  /* cached as this kernel would have cached it */
	TEXT_CACHE_SMALL, /* cached in 4 KiB pages */
};

/* A figure a workload reports beside its operations, under "workload_metrics". */
struct workload_metric {
	const char *name;
	double value;
};

#define WORKLOAD_METRICS_MAX 16

struct workload_result {
	unsigned long ops;
	unsigned long ops_min, ops_max; /* per task */
	struct histogram latency;	/* per operation, ns */
	unsigned long faults;		/* raised by the tasks, in the duration */
	unsigned long faults_total;	/* raised by the tasks, all of them */
	long loops_min;			/* full loops of the task with fewest; -1: no loops */
	struct workload_metric metrics[WORKLOAD_METRICS_MAX];
	int nr_metrics;
};

struct workload_ops {
	const char *name;
	void (*start)(const struct workload_params *p);
	void (*collect)(struct workload_result *r);
};

const struct workload_ops *workload_find(const char *type);

/* The CPU task i runs on, as the placement put it. */
static inline int task_cpu(const struct workload_params *p, int i)
{
	return p->cpu_of ? p->cpu_of[i] : i;
}

#endif

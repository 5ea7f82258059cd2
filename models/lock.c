/* models/lock.c - the lock study: N CPUs contend one spinlock.
 *
 * Each task loops: think (local work), spin_lock(), critical section
 * (local work), spin_unlock(), as in the benchmark of Boyd-Wickizer et
 * al., "Non-scalable locks are dangerous" (Linux Symposium 2012), where
 * ticket-lock throughput collapses past a critical number of cores while
 * an MCS lock stays near its peak.  One operation is one lock/unlock pair;
 * its latency runs from spin_lock() to the return of spin_unlock().
 */
#include <stdlib.h>

#include "workload.h"

struct lock_task {
	unsigned long ops;
};

static spinlock_t study_lock;
static struct lock_task *tasks;
static struct histogram latency;
static struct workload_params params;

static void lock_task_main(void *arg)
{
	struct lock_task *t = arg;

	for (;;) {
		double start;

		cpu_account(params.think_time);
		start = cpu_clock();
		if (start >= params.duration)
			break;
		spin_lock(&study_lock);
		cpu_account(params.critical_section);
		spin_unlock(&study_lock);
		if (cpu_clock() > params.duration)
			break;
		t->ops++;
		histogram_add(&latency, cpu_clock() - start);
	}
}

static void lock_start(const struct workload_params *p)
{
	params = *p;
	spin_lock_init(&study_lock, "study_lock");
	histogram_init(&latency);
	tasks = calloc(p->tasks, sizeof(*tasks));
	for (int i = 0; i < p->tasks; i++)
		sim_start_cpu(i, lock_task_main, &tasks[i]);
}

static void lock_collect(struct workload_result *r)
{
	r->ops = 0;
	r->ops_min = params.tasks ? tasks[0].ops : 0;
	r->ops_max = 0;
	for (int i = 0; i < params.tasks; i++) {
		r->ops += tasks[i].ops;
		if (tasks[i].ops < r->ops_min)
			r->ops_min = tasks[i].ops;
		if (tasks[i].ops > r->ops_max)
			r->ops_max = tasks[i].ops;
	}
	r->latency = latency;
}

const struct workload_ops lock_workload = {
    .name = "lock",
    .start = lock_start,
    .collect = lock_collect,
};

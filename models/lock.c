/* models/lock.c - the lock study: N CPUs contend one spinlock.
 *
 * Each task loops: think (local work), spin_lock(), critical section
 * (local work), spin_unlock(), as in the benchmark of Boyd-Wickizer et
 * al., "Non-scalable locks are dangerous" (Linux Symposium 2012), where
 * ticket-lock throughput collapses past a critical number of cores while
 * an MCS lock stays near its peak.  One operation is one lock/unlock pair;
 * its latency runs from spin_lock() to the return of spin_unlock().
 *
 * Two switches reproduce, in miniature, the deadlock the speculative page
 * fault's trylock loop avoids: with spin_irqs_off, contenders spin for the
 * lock with IRQs off; with flush_in_cs, the holder flushes the TLBs of
 * every task's CPU while holding it, as zap_pte_range() under the PTL is
 * followed by a shootdown.  Both together: the holder waits for an ack
 * that a spinner cannot give, and the watchdog reports a hard lockup.
 */
#include <stdlib.h>

#include "mm.h"
#include "workload.h"

struct lock_task {
	unsigned long ops;
};

static spinlock_t study_lock;
static struct mm_struct study_mm; /* its cpumask (the tasks' CPUs) and TLB generation */
static struct lock_task *tasks;
static struct histogram latency;
static struct workload_params params;

static void lock_task_main(void *arg)
{
	struct lock_task *t = arg;

	for (;;) {
		double start;

		cpu_work(params.think_time);
		start = cpu_clock();
		if (start >= params.duration)
			break;
		if (params.spin_irqs_off)
			local_irq_disable();
		spin_lock(&study_lock);
		local_irq_enable();
		cpu_work(params.critical_section);
		if (params.flush_in_cs)
			flush_tlb_mm_range(&study_mm, 0, PAGE_SIZE, PAGE_SHIFT, false);
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
	cpumask_clear(mm_cpumask(&study_mm));
	tlb_gen_init(&study_mm.tlb_gen);
	for (int i = 0; i < p->tasks; i++) {
		cpumask_set_cpu(task_cpu(p, i), mm_cpumask(&study_mm));
		sim_start_cpu(task_cpu(p, i), lock_task_main, &tasks[i]);
	}
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

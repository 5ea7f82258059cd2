/* models/pft.c - pft: tasks fault disjoint pages of one shared mapping.
 *
 * As Christoph Lameter's pft, the mapping exists before the clock starts
 * and each task writes its own pages of it once.  With interleave = N the
 * tasks take turns by blocks of N pages (task i gets blocks i, i + tasks,
 * ...), so small N puts several tasks in one page table and on one PTL;
 * the default gives each task one contiguous chunk.  A task that has
 * written all its pages stops; size region (per task) to outlast the
 * duration.  One operation is one page written.
 */
#include "task.h"

static void pft_task(void *arg)
{
	struct task *t = arg;
	const struct workload_params *p = &task_set.params;
	unsigned long pages = p->region / PAGE_SIZE;
	unsigned long block = p->interleave ? p->interleave : pages;
	int tasks = p->processes ? 1 : p->tasks;
	int rank = p->processes ? 0 : t->rank;

	for (unsigned long i = 0; i < pages && !task_time_up(); i++) {
		unsigned long page = ((i / block) * tasks + rank) * block + i % block;
		double start = cpu_clock();

		task_touch(t, t->base + page * PAGE_SIZE);
		task_op_done(t, start);
		cpu_work(p->think_time);
	}
}

static void pft_start(const struct workload_params *p)
{
	int sharers = p->processes ? 1 : p->tasks;
	unsigned long len = p->region * sharers;

	tasks_start(p, pft_task, false);
	for (int i = 0; i < task_set.nr_mms; i++)
		mm_setup_vma(&task_set.mms[i], TASK_MMAP_BASE - len, len, VM_READ | VM_WRITE);
	for (int i = 0; i < p->tasks; i++)
		task_set.tasks[i].base = TASK_MMAP_BASE - len;
}

const struct workload_ops pft_workload = {
    .name = "pft",
    .start = pft_start,
    .collect = tasks_collect,
};

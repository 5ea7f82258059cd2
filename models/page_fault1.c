/* models/page_fault1.c - will-it-scale's page_fault1.
 *
 * Each task maps its own private anonymous region, writes one byte per
 * page, unmaps it, and starts again; one operation is one page written.
 * (will-it-scale tests/page_fault1.c, MEMSIZE 128 MiB.)  Tasks start at
 * a seeded random page of their first loop, as if long out of step.
 */
#include "task.h"

static void page_fault1_task(void *arg)
{
	struct task *t = arg;
	unsigned long len = task_set.params.region;

	while (!task_time_up()) {
		unsigned long addr = vm_mmap(t->mm, 0, len, VM_READ | VM_WRITE, false);
		unsigned long first = task_loop_start(t, len / PAGE_SIZE);

		for (unsigned long off = first * PAGE_SIZE; off < len; off += PAGE_SIZE) {
			double start = cpu_clock();

			if (task_time_up())
				return;
			task_touch(t, addr + off);
			task_op_done(t, start);
		}
		vm_munmap(t->mm, addr, len);
		task_loop_done(t);
	}
}

static void page_fault1_start(const struct workload_params *p)
{
	tasks_start(p, page_fault1_task, true);
}

const struct workload_ops page_fault1_workload = {
    .name = "page_fault1",
    .start = page_fault1_start,
    .collect = tasks_collect,
};

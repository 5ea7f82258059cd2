/* models/mmap1.c - will-it-scale's mmap1: map and unmap, touch nothing.
 *
 * Both calls take mmap_sem for write, so threads of one process
 * serialise on it while processes do not.  One operation is one
 * mmap/munmap pair (will-it-scale tests/mmap1.c, MEMSIZE 128 MiB).
 */
#include "task.h"

static void mmap1_task(void *arg)
{
	struct task *t = arg;
	unsigned long len = task_set.params.region;

	while (!task_time_up()) {
		double start = cpu_clock();
		unsigned long addr = vm_mmap(t->mm, NULL, 0, len, VM_READ | VM_WRITE, false);

		vm_munmap(t->mm, addr, len);
		task_op_done(t, start);
		task_loop_done(t);
		cpu_work(task_set.params.think_time);
	}
}

static void mmap1_start(const struct workload_params *p)
{
	tasks_start(p, mmap1_task, true);
}

const struct workload_ops mmap1_workload = {
    .name = "mmap1",
    .start = mmap1_start,
    .collect = tasks_collect,
};

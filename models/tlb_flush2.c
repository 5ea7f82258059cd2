/* models/tlb_flush2.c - will-it-scale's tlb_flush2.
 *
 * Each task maps 1 MiB of private anonymous memory and, page by page,
 * writes the page, madvise(MADV_DONTNEED)s it away again and reads it back
 * (the test's assert() that it reads zero): every operation is a write
 * fault, a zap whose TLB flush goes to every CPU the mm has run on - with
 * threads, a shootdown IPI to all the other tasks - and a read fault that
 * maps the zero page.  The region is unmapped and mapped again after each
 * pass.  One operation is one page (will-it-scale tests/tlb_flush2.c,
 * MEMORYSIZE 1 MiB).
 */
#include "task.h"

#define TLB_FLUSH2_SIZE (1UL << 20)

static void tlb_flush2_task(void *arg)
{
	struct task *t = arg;

	while (!task_time_up()) {
		unsigned long addr =
		    vm_mmap(t->mm, NULL, 0, TLB_FLUSH2_SIZE, VM_READ | VM_WRITE, false);
		unsigned long first = task_loop_start(t, TLB_FLUSH2_SIZE / PAGE_SIZE);

		for (unsigned long off = first * PAGE_SIZE; off < TLB_FLUSH2_SIZE;
		     off += PAGE_SIZE) {
			double start = cpu_clock();

			if (task_time_up())
				return;
			task_touch(t, addr + off);
			madvise_dontneed(t->mm, addr + off, PAGE_SIZE);
			task_read(t, addr + off);
			task_op_done(t, start);
		}
		vm_munmap(t->mm, addr, TLB_FLUSH2_SIZE);
		task_loop_done(t);
	}
}

static void tlb_flush2_start(const struct workload_params *p)
{
	tasks_start(p, tlb_flush2_task, true);
}

const struct workload_ops tlb_flush2_workload = {
    .name = "tlb_flush2",
    .start = tlb_flush2_start,
    .collect = tasks_collect,
};

/* models/mixed.c - faults interleaved with the calls that change mappings.
 *
 * The tasks' memory is a row of slot-sized VMAs, a page apart so they
 * never merge: slots of them in all when shared, else slots per task.  Each operation is, by the
 * configured shares, one of:
 *  - mmap(MAP_FIXED) over a slot: unmaps it and maps a fresh one under
 *    one mmap_sem write section (an allocator recycling an arena);
 *  - mprotect() of a slot, toggling PROT_EXEC;
 *  - madvise(MADV_DONTNEED) of a slot: zaps it, the VMA stays;
 *  - arming and disarming userfaultfd on a slot;
 *  - otherwise a write to the task's next page (or, with random, to any
 *    page of its slots), a fault if unmapped.
 * With shared, all tasks touch all slots (interleaved page by page) and
 * churn any of them; otherwise each task has its own slots.  This is the
 * churn that makes speculation fail.
 */
#include "task.h"

static unsigned long slot_addr(unsigned long base, unsigned long slot, unsigned long i)
{
	return base + i * (slot + PAGE_SIZE);
}

static void mixed_churn(struct task *t, double u, unsigned long addr)
{
	const struct workload_params *p = &task_set.params;
	unsigned long len = p->slot;

	if ((u -= p->munmap_ratio) < 0) {
		vm_mmap(t->mm, NULL, addr, len, VM_READ | VM_WRITE, true);
		return;
	}
	if ((u -= p->mprotect_ratio) < 0) {
		/* What the program believes the protection is: it toggles it. */
		t->exec = !t->exec;
		do_mprotect(t->mm, addr, len, VM_READ | VM_WRITE | (t->exec ? VM_EXEC : 0));
		return;
	}
	if ((u -= p->madvise_ratio) < 0) {
		madvise_dontneed(t->mm, addr, len);
		return;
	}
	userfaultfd_register(t->mm, addr, len);
	userfaultfd_unregister(t->mm, addr, len);
}

static void mixed_task(void *arg)
{
	struct task *t = arg;
	const struct workload_params *p = &task_set.params;
	double churn = p->munmap_ratio + p->mprotect_ratio + p->madvise_ratio + p->uffd_ratio;
	bool shared = p->shared && !p->processes;
	unsigned long slots = p->slots;
	unsigned long pages = p->slot / PAGE_SIZE;
	gsl_rng *rng = this_cpu()->rng;

	if (shared)
		t->cursor = t->rank;
	while (!task_time_up()) {
		double start = cpu_clock(), u = gsl_rng_uniform(rng);

		if (u < churn) {
			unsigned long s = gsl_rng_uniform_int(rng, slots);

			mixed_churn(t, u, slot_addr(t->base, p->slot, s));
		} else {
			unsigned long page = t->cursor % (slots * pages);

			if (p->random)
				page = gsl_rng_uniform_int(rng, slots * pages);

			task_touch(t, slot_addr(t->base, p->slot, page / pages) +
					  (page % pages) * PAGE_SIZE);
			t->cursor += shared ? p->tasks : 1;
		}
		task_op_done(t, start);
		cpu_work(p->think_time);
	}
}

static void mixed_start(const struct workload_params *p)
{
	bool shared = p->shared && !p->processes;
	unsigned long stride = p->slot + PAGE_SIZE;
	unsigned long per_task = p->slots * stride;
	unsigned long total = per_task * (shared || p->processes ? 1 : p->tasks);

	tasks_start(p, mixed_task, false);
	for (int m = 0; m < task_set.nr_mms; m++) {
		unsigned long base = TASK_MMAP_BASE - total;

		for (unsigned long a = base; a < TASK_MMAP_BASE; a += stride)
			mm_setup_vma(&task_set.mms[m], a, p->slot, VM_READ | VM_WRITE);
	}
	for (int i = 0; i < p->tasks; i++) {
		struct task *t = &task_set.tasks[i];

		t->base = TASK_MMAP_BASE - total;
		if (!shared && !p->processes)
			t->base += i * per_task;
	}
}

const struct workload_ops mixed_workload = {
    .name = "mixed",
    .start = mixed_start,
    .collect = tasks_collect,
};

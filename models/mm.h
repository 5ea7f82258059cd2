/* models/mm.h - struct mm_struct: an address space and who runs in it. */
#ifndef FAULTSIM_MODELS_MM_H
#define FAULTSIM_MODELS_MM_H

#include "../sim/sim.h"

struct mm_struct {
	struct rw_semaphore mmap_sem;
	struct cpumask cpu_vm_mask; /* CPUs that may cache its translations */
	int mm_users;
};

static inline struct cpumask *mm_cpumask(struct mm_struct *mm)
{
	return &mm->cpu_vm_mask;
}

void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			unsigned int stride_shift, bool freed_tables);

#endif

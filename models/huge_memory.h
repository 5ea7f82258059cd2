/* models/huge_memory.h - anonymous transparent huge pages. */
#ifndef FAULTSIM_MODELS_HUGE_MEMORY_H
#define FAULTSIM_MODELS_HUGE_MEMORY_H

#include "mm.h"
#include "mmu_gather.h"

bool transparent_hugepage_enabled(struct vm_area_struct *vma);
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
bool zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd,
		  unsigned long addr);

#endif

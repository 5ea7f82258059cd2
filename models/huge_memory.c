/* models/huge_memory.c - do_huge_pmd_anonymous_page() and its teardown.
 *
 * After mm/huge_memory.c (5.1): a PMD-sized, PMD-aligned range inside the
 * VMA gets one order-9 page, charged, zeroed (2 MiB through the memory
 * controller, shared with every other CPU streaming on the socket) and
 * mapped by the PMD under the pmd lock.  If the range does not fit or the
 * order-9 allocation fails, VM_FAULT_FALLBACK sends the fault on to the
 * 4 KiB path.
 */
#include "huge_memory.h"

#include "page_alloc.h"
#include "vmstat.h"

bool transparent_hugepage_enabled(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_NOHUGEPAGE)
		return false;
	return mm_tunables.thp || (vma->vm_flags & VM_HUGEPAGE);
}

static bool transhuge_vma_suitable(struct vm_area_struct *vma, unsigned long haddr)
{
	return haddr >= vma->vm_start && haddr + HPAGE_PMD_SIZE <= vma->vm_end;
}

/* pgtable_trans_huge_deposit(), under the pmd lock. */
static void pgtable_trans_huge_deposit(pmd_t *pmd, unsigned long pgtable)
{
	struct pmd_table *t = pmd_table_of_entry(pmd);

	SIM_BUG_ON(t->nr_huge_pte == PTRS_PER_PMD, "more tables deposited than huge entries");
	t->huge_pte[t->nr_huge_pte++] = (unsigned int)pgtable;
}

/* pgtable_trans_huge_withdraw(): any deposited table will do, under the pmd lock. */
static unsigned long pgtable_trans_huge_withdraw(pmd_t *pmd)
{
	struct pmd_table *t = pmd_table_of_entry(pmd);

	SIM_BUG_ON(!t->nr_huge_pte, "a huge entry without a deposited table");
	return t->huge_pte[--t->nr_huge_pte];
}

static vm_fault_t __do_huge_pmd_anonymous_page(struct vm_fault *vmf, unsigned long pfn)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long pgtable;
	spinlock_t *ptl;

	if (mem_cgroup_try_charge(HPAGE_PMD_NR)) {
		free_hugepage(pfn);
		count_vm_event(THP_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}
	/* pte_alloc_one(): the table deposited for a later split */
	pgtable = alloc_page();
	clear_huge_page();

	ptl = pmd_lockptr(vma->vm_mm, vmf->pmd);
	spin_lock(ptl);
	if (!pmd_none(*vmf->pmd))
		goto unlock_release;
	if (userfaultfd_missing(vma)) {
		spin_unlock(ptl);
		mem_cgroup_cancel_charge(HPAGE_PMD_NR);
		free_page(pgtable);
		free_hugepage(pfn);
		return handle_userfault(vmf);
	}
	page_add_new_anon_rmap(pfn);
	pgtable_trans_huge_deposit(vmf->pmd, pgtable);
	pmd_write(vmf->pmd, (pmd_t){.huge = true, .pfn = (unsigned int)pfn});
	vma->vm_mm->rss += HPAGE_PMD_NR;
	lru_cache_add(HPAGE_PMD_NR);
	spin_unlock(ptl);
	count_vm_event(THP_FAULT_ALLOC);
	return 0;

unlock_release:
	spin_unlock(ptl);
	mem_cgroup_cancel_charge(HPAGE_PMD_NR);
	free_page(pgtable);
	free_hugepage(pfn);
	return 0;
}

vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & ~(HPAGE_PMD_SIZE - 1);
	unsigned long pfn;

	if (!transhuge_vma_suitable(vma, haddr))
		return VM_FAULT_FALLBACK;
	if (unlikely(anon_vma_prepare(vma)))
		return VM_FAULT_OOM;
	if (!alloc_hugepage(&pfn)) {
		count_vm_event(THP_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}
	return __do_huge_pmd_anonymous_page(vmf, pfn);
}

/*
 * zap_huge_pmd(): false if, once the pmd lock is held, the entry is no
 * longer a huge page (another zap got there first: __pmd_trans_huge_lock()).
 */
bool zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd,
		  unsigned long addr)
{
	spinlock_t *ptl = pmd_lockptr(vma->vm_mm, pmd);
	unsigned long pfn, pgtable = 0;
	bool anon = vma_is_anonymous(vma);

	spin_lock(ptl);
	if (!pmd_trans_huge(*pmd)) {
		spin_unlock(ptl);
		return false;
	}
	pfn = pmd->pfn;
	pmd_write(pmd, (pmd_t){.table = NULL});
	/* A file's huge page stays in its page cache; it has no deposited table. */
	if (anon)
		pgtable = pgtable_trans_huge_withdraw(pmd);
	vma->vm_mm->rss -= HPAGE_PMD_NR;
	tlb_remove_pmd_tlb_entry(tlb, addr);
	spin_unlock(ptl);
	if (!anon)
		return true;
	/* zap_deposited_table() */
	free_page(pgtable);
	if (__tlb_remove_huge_page(tlb, pfn))
		tlb_flush_mmu(tlb);
	return true;
}

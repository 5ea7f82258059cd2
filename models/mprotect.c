/* models/mprotect.c - changing a VMA's protection (mm/mprotect.c).
 *
 * Under mmap_sem for write, as in SPF v12's mprotect_fixup(): the flags
 * change and the PTE rewrite happen inside vm_write_begin/end, so a
 * speculative fault that overlaps either falls back; with per-VMA locks
 * the VMA is write-locked first.  change_pte_range() rewrites each
 * present PTE under its PTL, then the range is flushed from every CPU of
 * the mm.
 */
#include "cost.h"
#include "mm.h"

/* change_pte_range(): the present PTEs of [addr, end) in one table, under its PTL. */
static unsigned long change_pte_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,
				      unsigned long end)
{
	spinlock_t *ptl = pte_lockptr(mm, pmd);
	unsigned long pages = 0;

	spin_lock(ptl);
	for (; addr < end; addr += PAGE_SIZE)
		pages += pte_present(pmd->table, addr);
	cpu_work(cycles(pages * COST_CHANGE_PTE));
	spin_unlock(ptl);
	return pages;
}

static unsigned long change_protection(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pages = 0;

	for (unsigned long addr = vma->vm_start; addr < vma->vm_end;) {
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;
		pmd_t *pmd = pmd_offset(mm, addr);

		if (next > vma->vm_end)
			next = vma->vm_end;
		if (pmd && pmd_trans_huge(*pmd)) {
			/* change_huge_pmd(): one entry for the whole range */
			spinlock_t *ptl = pmd_lockptr(mm, pmd);

			spin_lock(ptl);
			cpu_work(cycles(COST_CHANGE_PTE));
			spin_unlock(ptl);
			pages += HPAGE_PMD_NR;
		} else if (pmd && !pmd_none(*pmd)) {
			pages += change_pte_range(mm, pmd, addr, next);
		}
		addr = next;
	}
	return pages;
}

int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot)
{
	struct vm_area_struct *vma;

	cpu_work(sim_machine->syscall_entry);
	down_write(&mm->mmap_sem);
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start != start || vma->vm_end != start + len) {
		mmap_write_unlock(mm);
		return -1;
	}
	vma_start_write(vma);
	vm_write_begin(vma);
	/* mprotect_fixup(): only the protection bits change. */
	vma->vm_flags = (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | prot;
	if (change_protection(vma))
		flush_tlb_mm_range(mm, vma->vm_start, vma->vm_end, PAGE_SHIFT, false);
	vm_write_end(vma);
	mmap_write_unlock(mm);
	return 0;
}

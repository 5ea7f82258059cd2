/* models/madvise.c - MADV_DONTNEED (mm/madvise.c).
 *
 * Drops the pages of a range under mmap_sem for read: the VMA does not
 * change, so the VMA lock is not taken, but under SPF zap_page_range()
 * bumps vm_sequence around the zap, and a speculative fault on the VMA
 * meanwhile falls back.  The zap holds each PTL while it clears, and
 * flushes under it when its gather fills.
 */
#include "cost.h"
#include "mm.h"

int madvise_dontneed(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct *vma;

	cpu_work(sim_machine->syscall_entry);
	down_read(&mm->mmap_sem);
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start || vma->vm_end < start + len) {
		up_read(&mm->mmap_sem);
		return -1;
	}
	zap_page_range(vma, start, start + len);
	up_read(&mm->mmap_sem);
	return 0;
}

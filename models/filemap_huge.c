/* models/filemap_huge.c - filemap_huge_fault(): read-only text in 2 MiB pages.
 *
 * From the patch reviewed in seeds/001 (William Kucharski, "mm,thp: Add
 * experimental config option RO_EXEC_FILEMAP_HUGE_FAULT_THP", v3, July
 * 2019), with every fallback it and its review name, each counted:
 * not a PMD fault, a write fault, the PMD range outside the VMA, a VMA
 * not suitably aligned (transhuge_vma_suitable(), the check the review
 * found missing), small pages of the range already cached, no order-9
 * page, a read error.
 *
 * [kernel] text_thp_patch = fixed (the default) is the function as the
 * review corrected it.  posted is the patch as sent, with the three
 * problems the review found:
 *  - no alignment check: a mapping whose address and file offset disagree
 *    modulo 2 MiB gets a huge page at the wrong offset - wrong data, a
 *    correctness failure, counted (thp_file_misaligned_map);
 *  - filemap_huge_check_pagecache_usable() accepts a cached huge page
 *    only while it is locked, so one that has settled (read and unlocked)
 *    is never mapped huge again: every later fault on it falls back to
 *    4 KiB pages (thp_file_fallback_unlocked);
 *  - the new page is read while no lookup can find it, then mapped, then
 *    stored, so a CPU faulting the same range meanwhile finds nothing and
 *    reads it again (thp_file_double_read).  fixed stores it locked first:
 *    others find it and wait on its lock.
 */
#include <stdlib.h>

#include "filemap.h"
#include "page_alloc.h"
#include "vmstat.h"

static vm_fault_t fallback(enum vm_event_item why)
{
	count_vm_event(why);
	return VM_FAULT_FALLBACK;
}

/* transhuge_vma_suitable()'s first half: addresses and file offsets agree modulo 2 MiB. */
static bool vma_pmd_aligned(const struct vm_area_struct *vma)
{
	return ((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff) % HPAGE_PMD_NR == 0;
}

/*
 * What the cache holds for [hindex, hindex + 512): nothing (NULL, true),
 * the huge page (it, true), or something unusable in the way (false):
 * small pages, or, as posted, a huge page that is no longer locked.
 */
static bool pagecache_usable(struct address_space *m, pgoff_t hindex, struct cache_page **pagep,
			     enum vm_event_item *why)
{
	*pagep = NULL;
	for (pgoff_t i = hindex; i < hindex + HPAGE_PMD_NR && i < m->nr_pages; i++) {
		struct cache_page *p = m->i_pages[i];

		if (!p)
			continue;
		*why = THP_FILE_FALLBACK_CACHED_SMALL;
		if (p->order != HPAGE_PMD_ORDER)
			return false;
		/* The posted check: PageLocked() is how it told a huge page was usable. */
		*why = THP_FILE_FALLBACK_UNLOCKED;
		if (mm_tunables.text_thp_posted && !p->locked)
			return false;
		*pagep = p;
		return true;
	}
	return true;
}

static void huge_page_free(struct cache_page *p)
{
	unsigned long pfn = p->pfn;

	cacheline_destroy(&p->flags);
	free(p);
	free_hugepage(pfn);
}

/*
 * Map the huge page by the PMD, under the pmd lock (do_set_pmd()).  If a
 * page table got there first, fall back: the page's subpages are mapped
 * by PTE from the page cache.
 */
static vm_fault_t map_huge(struct vm_fault *vmf)
{
	spinlock_t *ptl = pmd_lockptr(vmf->vma->vm_mm, vmf->pmd);
	vm_fault_t ret = VM_FAULT_NOPAGE;

	spin_lock(ptl);
	if (pmd_none(*vmf->pmd)) {
		pmd_write(vmf->pmd, (pmd_t){.huge = true});
		vmf->vma->vm_mm->rss += HPAGE_PMD_NR;
		count_vm_event(THP_FILE_MAPPED);
		/* Only the posted patch gets here misaligned: the range shows other file data. */
		if (!vma_pmd_aligned(vmf->vma))
			count_vm_event(THP_FILE_MISALIGNED_MAP);
	} else if (!pmd_trans_huge(*vmf->pmd)) {
		ret = VM_FAULT_FALLBACK;
	}
	spin_unlock(ptl);
	return ret;
}

/* A cached huge page: wait for its read to finish, then map it. */
static vm_fault_t map_cached(struct vm_fault *vmf, struct cache_page *p)
{
	wait_on_page_locked(p);
	if (!p->uptodate)
		return fallback(THP_FILE_FALLBACK_READ_ERROR);
	return map_huge(vmf);
}

/* xas_store() of the huge page in its 512 slots; xa_lock held. */
static void store_huge(struct address_space *m, struct cache_page *new, pgoff_t hindex)
{
	cacheline_rmw(&m->nodes[hindex >> XA_CHUNK_SHIFT]);
	for (pgoff_t i = hindex; i < hindex + HPAGE_PMD_NR; i++)
		m->i_pages[i] = new;
	m->cached_bytes += HPAGE_PMD_SIZE;
}

/* Under xa_lock, IRQs off: the range's state, and the new page stored if free. */
static int store_if_free(struct address_space *m, struct cache_page *new, pgoff_t hindex,
			 struct cache_page **cached, enum vm_event_item *why)
{
	int usable;

	local_irq_disable();
	spin_lock(&m->xa_lock);
	cacheline_read(&m->nodes[hindex >> XA_CHUNK_SHIFT]);
	usable = pagecache_usable(m, hindex, cached, why);
	if (usable && !*cached)
		store_huge(m, new, hindex);
	spin_unlock(&m->xa_lock);
	local_irq_enable();
	return usable;
}

vm_fault_t filemap_huge_fault(struct vm_fault *vmf, enum page_entry_size pe_size)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *m = &vma->vm_file->f_mapping;
	unsigned long haddr = vmf->address & ~(HPAGE_PMD_SIZE - 1);
	pgoff_t hindex = vmf->pgoff & ~((pgoff_t)HPAGE_PMD_NR - 1);
	struct cache_page *cached, *new;
	enum vm_event_item why;
	unsigned long pfn;
	vm_fault_t ret;

	if (pe_size != PE_SIZE_PMD)
		return fallback(THP_FILE_FALLBACK_NOT_PMD);
	if (vmf->flags & FAULT_FLAG_WRITE)
		return fallback(THP_FILE_FALLBACK_WRITE);
	/*
	 * Read-only text only: a writable or shared mapping mapped huge would
	 * take later writes without a fault (the review asked for this check).
	 */
	if (vma->vm_flags & (VM_WRITE | VM_SHARED))
		return fallback(THP_FILE_FALLBACK_WRITABLE);
	/* transhuge_vma_suitable(): the alignment the posted patch did not check, the range. */
	if (!mm_tunables.text_thp_posted && !vma_pmd_aligned(vma))
		return fallback(THP_FILE_FALLBACK_MISALIGNED);
	if (haddr < vma->vm_start || haddr + HPAGE_PMD_SIZE > vma->vm_end ||
	    hindex + HPAGE_PMD_NR > m->nr_pages)
		return fallback(THP_FILE_FALLBACK_RANGE);

	/* The lockless look first: a cached huge page is simply mapped. */
	cacheline_read(&m->nodes[hindex >> XA_CHUNK_SHIFT]);
	if (!pagecache_usable(m, hindex, &cached, &why))
		return fallback(why);
	if (cached)
		return map_cached(vmf, cached);

	if (!alloc_hugepage(&pfn))
		return fallback(THP_FILE_FALLBACK_ALLOC);
	new = calloc(1, sizeof(*new));
	new->pfn = pfn;
	new->index = hindex;
	new->order = HPAGE_PMD_ORDER;
	new->locked = true;
	cacheline_init(&new->flags);
	init_waitqueue_head(&new->wait, "page lock");

	if (!mm_tunables.text_thp_posted) {
		/* Visible, locked, before the read: others wait rather than read. */
		if (!store_if_free(m, new, hindex, &cached, &why)) {
			huge_page_free(new);
			return fallback(why);
		}
		if (cached) {
			huge_page_free(new);
			return map_cached(vmf, cached);
		}
		count_vm_event(THP_FILE_ALLOC);
		if (!readpage(m, new)) {
			unlock_page(new); /* stays !uptodate: waiters fall back too */
			return fallback(THP_FILE_FALLBACK_READ_ERROR);
		}
		unlock_page(new);
		return map_huge(vmf);
	}

	/* The patch: read a page nobody can see, then map it, then store it. */
	if (!readpage(m, new)) {
		huge_page_free(new);
		return fallback(THP_FILE_FALLBACK_READ_ERROR);
	}
	new->locked = false;
	local_irq_disable();
	spin_lock(&m->xa_lock);
	cacheline_read(&m->nodes[hindex >> XA_CHUNK_SHIFT]);
	if (!pagecache_usable(m, hindex, &cached, &why) || cached) {
		/*
		 * Someone cached the range while we read it: our 2 MiB were read
		 * twice.  The review's window, counted.
		 */
		spin_unlock(&m->xa_lock);
		local_irq_enable();
		count_vm_event(THP_FILE_DOUBLE_READ);
		huge_page_free(new);
		if (!cached)
			return fallback(why);
		return map_cached(vmf, cached);
	}
	/* Mapped, and only then in the page cache, all under xa_lock. */
	ret = map_huge(vmf);
	store_huge(m, new, hindex);
	spin_unlock(&m->xa_lock);
	local_irq_enable();
	count_vm_event(THP_FILE_ALLOC);
	return ret;
}

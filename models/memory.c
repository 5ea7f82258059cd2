/* models/memory.c - the anonymous fault paths and page-table teardown.
 *
 * Follows mm/memory.c of Linux 5.1 with the speculative page fault
 * series, SPF v12 (Laurent Dufour, "Provide infrastructure to do a
 * speculative fault (not holding mmap_sem)", April 2019; the review thread
 * is in seeds/000), and lock_vma_under_rcu() of Linux 6.4:
 *
 *   classic:     handle_mm_fault() under mmap_sem for read
 *   speculative: handle_speculative_fault() -> handle_pte_fault() with
 *                FAULT_FLAG_SPECULATIVE; pte_map_lock()/pte_spinlock()
 *                revalidate the VMA with IRQs off before taking the PTL
 *   per-VMA:     lock_vma_under_rcu() -> handle_mm_fault() holding the
 *                VMA's own lock only
 *
 * Any VM_FAULT_RETRY from the first two makes the caller redo the fault
 * under mmap_sem (arch/x86/mm/fault.c, see fault.c).
 */
#include "cost.h"
#include "filemap.h"
#include "huge_memory.h"
#include "mm.h"
#include "mmu_gather.h"
#include "page_alloc.h"
#include "vmstat.h"

/* Why a speculative fault gave up, for the counters. */
static void spf_fallback_reason(struct vm_fault *vmf, enum vm_event_item why)
{
	if (vmf->spf_fallback != NR_VM_EVENT_ITEMS)
		return;
	vmf->spf_fallback = why;
	trace_arg_str("fallback", vm_event_name(why));
}

/* internal.h (SPF): has the VMA been changed or unlinked since we started? */
static bool vma_has_changed(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	cacheline_read(&vma->vm_sequence.line);
	return vma->vm_rb_empty || vma->vm_sequence.sequence != vmf->sequence;
}

/*
 * What one try of the loop below executes when nothing has changed: cli,
 * the two loads of vma_has_changed() (vm_rb, vm_sequence), the pmd, the
 * lock word - a locked qspinlock fails queued_spin_trylock() on its read,
 * before any cmpxchg (include/asm-generic/qspinlock.h) - and sti.  Every
 * line is one this CPU read on the try before: all hit the L1.
 */
static double pte_map_lock_try_cost(void)
{
	return cycles(COST_IRQ_TOGGLE + 4 * COST_L1_HIT);
}

/*
 * A failed spin_trylock() in the loops below: IRQs go back on and the
 * loop goes round.  Each further try re-reads lines this CPU holds in its
 * cache - the PTL, vm_sequence, the pmd - and fails the same way until
 * another CPU writes one of them: wait for that write, counting the tries
 * the loop would have made meanwhile.  With [kernel] max_try = N (the
 * bound the review asked for) give up at the N-th failure; 0 is the
 * patch's unbounded loop.  Returns false to give up.
 */
static bool pte_trylock_relax(struct vm_fault *vmf, spinlock_t *ptl)
{
	struct cacheline *lines[] = {&ptl->line, &vmf->vma->vm_sequence.line, pmd_line(vmf->pmd)};
	struct cpu_wait w = {WAIT_SPINLOCK, ptl->class->name, ptl, spinlock_holder};
	int max_try = mm_tunables.max_try;
	double iter = pte_map_lock_try_cost(), t0;
	bool written;

	vmf->trylock_failures++;
	if (max_try && vmf->trylock_failures >= max_try)
		return false;
	t0 = cpu_clock();
	written =
	    spin_on_lines(lines, 3, &w, max_try ? (max_try - vmf->trylock_failures) * iter : -1);
	if (!written) {
		vmf->trylock_failures = max_try;
		return false;
	}
	vmf->trylock_failures += (int)((cpu_clock() - t0) / iter);
	/* The last of them fell on the deadline. */
	if (max_try && vmf->trylock_failures >= max_try) {
		vmf->trylock_failures = max_try;
		return false;
	}
	return true;
}

/*
 * The loop's end: its failed tries, its elapsed time (what the review
 * feared would "hammer a CPU"), the longest span of it with IRQs off (one
 * try: IRQs go back on between tries), and the end of its trace span.
 */
static void pte_lock_account(struct vm_fault *vmf, double t0)
{
	histogram_add(spf_trylock_failures, vmf->trylock_failures);
	histogram_add(spf_pte_map_lock_loop, cpu_clock() - t0);
	histogram_add(spf_pte_map_lock_irqs_off, vmf->irqs_off_max);
	trace_arg_num("tries", vmf->trylock_failures + 1);
	trace_end();
}

/* local_irq_disable() for one try, timed. */
static void pte_lock_irq_disable(struct vm_fault *vmf)
{
	local_irq_disable();
	vmf->irqs_off_at = cpu_clock();
}

/* local_irq_enable() at a try's end: the longest such span is the loop's figure. */
static void pte_lock_irq_enable(struct vm_fault *vmf)
{
	double span = cpu_clock() - vmf->irqs_off_at;

	if (span > vmf->irqs_off_max)
		vmf->irqs_off_max = span;
	local_irq_enable();
}

/*
 * Take the PTL for the speculative path, or for [kernel] pte_lock = spin
 * the variant the patch avoids: spin_lock() with IRQs off, which never
 * answers the TLB-flush IPI of a CPU that holds the PTL while it zaps.
 */
static bool pte_lock_speculative(struct vm_fault *vmf, spinlock_t **ptlp)
{
	spinlock_t *ptl;
	pmd_t pmdval;
	bool ret = false;
	double t0 = cpu_clock();

	/* Each loop bounds its own tries: do_wp_page() runs two in one fault. */
	vmf->trylock_failures = 0;
	vmf->irqs_off_max = 0;
	trace_begin("pte_map_lock()", NULL);
again:
	pte_lock_irq_disable(vmf);
	cpu_work(pte_map_lock_try_cost());
	if (vma_has_changed(vmf)) {
		spf_fallback_reason(vmf, SPF_FALLBACK_SEQ_CHANGED);
		goto out;
	}
	/*
	 * We check if the pmd value is still the same to ensure that there
	 * is not a huge collapse operation in progress in our back.
	 */
	pmdval = pmd_read(vmf->pmd);
	if (!pmd_same(pmdval, vmf->orig_pmd)) {
		spf_fallback_reason(vmf, SPF_FALLBACK_PMD_CHANGED);
		goto out;
	}
	ptl = pte_lockptr(vmf->vma->vm_mm, vmf->pmd);
	if (mm_tunables.pte_lock == PTE_LOCK_SPIN) {
		spin_lock(ptl);
	} else if (unlikely(!spin_trylock(ptl))) {
		/*
		 * A spin_trylock() of the ptl is done to avoid a deadlock with
		 * other CPU invalidating the TLB and requiring this CPU to
		 * catch the IPI: IRQs go back on before we try again.
		 */
		pte_lock_irq_enable(vmf);
		if (pte_trylock_relax(vmf, ptl))
			goto again;
		spf_fallback_reason(vmf, SPF_FALLBACK_TRYLOCK_LIMIT);
		pte_lock_account(vmf, t0);
		return false;
	}
	if (vma_has_changed(vmf)) {
		spin_unlock(ptl);
		spf_fallback_reason(vmf, SPF_FALLBACK_SEQ_CHANGED);
		goto out;
	}
	*ptlp = ptl;
	ret = true;
out:
	pte_lock_irq_enable(vmf);
	pte_lock_account(vmf, t0);
	return ret;
}

/* pte_spinlock(): the PTL of a present PTE. */
static bool pte_spinlock(struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_SPECULATIVE)) {
		vmf->ptl = pte_lockptr(vmf->vma->vm_mm, vmf->pmd);
		spin_lock(vmf->ptl);
		return true;
	}
	return pte_lock_speculative(vmf, &vmf->ptl);
}

/*
 * pte_map_lock(): map and lock the PTE of vmf->address.  The first
 * vma_has_changed() guarantees the page tables are still valid, having
 * IRQs disabled ensures they stay around (freeing them waits for this
 * CPU's answer to the flush IPI), hence the second vma_has_changed() once
 * we hold the lock.  After that a concurrent zap_pte_range() blocks on
 * the PTL.
 */
static bool pte_map_lock(struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_SPECULATIVE)) {
		vmf->ptl = pte_lockptr(vmf->vma->vm_mm, vmf->pmd);
		spin_lock(vmf->ptl);
		vmf->pte = vmf->pmd->table;
		return true;
	}
	if (!pte_lock_speculative(vmf, &vmf->ptl))
		return false;
	vmf->pte = vmf->orig_pmd.table;
	return true;
}

static void pte_unmap_unlock(struct vm_fault *vmf)
{
	spin_unlock(vmf->ptl);
}

/*
 * Deliver the page fault to userland, checked inside the PT lock.  The
 * speculative path backed off if a uffd was armed when it started: one
 * armed in our back shows here.  The patch ignores that race; the
 * reviewer would rather abort the speculation.
 */
enum anon_uffd { UFFD_MAP, UFFD_DELIVER, UFFD_ABORT };

static enum anon_uffd anon_userfault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	cacheline_read(&vma->vm_sequence.line);
	if (!userfaultfd_missing(vma))
		return UFFD_MAP;
	if (!(vmf->flags & FAULT_FLAG_SPECULATIVE))
		return UFFD_DELIVER;
	count_vm_event(SPF_UFFD_RACE);
	if (mm_tunables.uffd_race != UFFD_RACE_ABORT)
		return UFFD_MAP;
	spf_fallback_reason(vmf, SPF_FALLBACK_UFFD);
	return UFFD_ABORT;
}

/*
 * "Use the zero-page for reads": a read of anonymous memory never written
 * maps the shared zero page read-only (pte_mkspecial(my_zero_pfn())).
 * Nothing is allocated, zeroed, charged or put on the LRU, and RSS does
 * not grow; writing the page later is a write-protect fault, do_wp_page().
 * will-it-scale's tlb_flush2 reads each page back after its
 * madvise(MADV_DONTNEED): one of these an operation.
 */
static vm_fault_t do_anonymous_zero_page(struct vm_fault *vmf)
{
	vm_fault_t ret = 0;

	if (!pte_map_lock(vmf))
		return VM_FAULT_RETRY;
	if (pte_present(vmf->pte, vmf->address))
		goto unlock;
	switch (anon_userfault(vmf)) {
	case UFFD_DELIVER:
		pte_unmap_unlock(vmf);
		return handle_userfault(vmf);
	case UFFD_ABORT:
		ret = VM_FAULT_RETRY;
		goto unlock;
	case UFFD_MAP:
		break;
	}
	set_pte_zero_at(vmf->address, vmf->pte);
unlock:
	pte_unmap_unlock(vmf);
	return ret;
}

static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool speculative = vmf->flags & FAULT_FLAG_SPECULATIVE;
	unsigned long pfn;
	vm_fault_t ret = 0;

	/*
	 * pte_alloc(), but never speculatively: a table instantiated after
	 * free_pgtables() would leak.  The walk saw one; if it has gone since,
	 * pte_map_lock() notices.
	 */
	if (!speculative) {
		if (pmd_none(*vmf->pmd) && __pte_alloc(mm, vmf->pmd))
			return VM_FAULT_OOM;
		/* A huge page mapped the range meanwhile: pmd_trans_unstable(). */
		if (pmd_trans_huge(pmd_read(vmf->pmd)))
			return 0;
	}
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_anonymous_zero_page(vmf);
	/* The speculative path checked anon_vma is set: it cannot prepare it. */
	if (!speculative && anon_vma_prepare(vma))
		return VM_FAULT_OOM;

	/* alloc_zeroed_user_highpage_movable(), charged before it is mapped */
	pfn = alloc_page();
	clear_page();
	if (mem_cgroup_try_charge(1))
		goto oom_free_page;

	if (!pte_map_lock(vmf)) {
		ret = VM_FAULT_RETRY;
		goto release;
	}
	/* Another CPU mapped it first. */
	if (pte_present(vmf->pte, vmf->address))
		goto unlock_and_release;
	switch (anon_userfault(vmf)) {
	case UFFD_DELIVER:
		pte_unmap_unlock(vmf);
		mem_cgroup_cancel_charge(1);
		free_page(pfn);
		return handle_userfault(vmf);
	case UFFD_ABORT:
		ret = VM_FAULT_RETRY;
		goto unlock_and_release;
	case UFFD_MAP:
		break;
	}

	/* inc_mm_counter_fast(), page_add_new_anon_rmap(), commit charge */
	page_add_new_anon_rmap(pfn);
	lru_cache_add(1);
	set_pte_at(mm, vmf->address, vmf->pte, pfn);
	pte_unmap_unlock(vmf);
	return ret;

unlock_and_release:
	pte_unmap_unlock(vmf);
release:
	mem_cgroup_cancel_charge(1);
	free_page(pfn);
	return ret;
oom_free_page:
	free_page(pfn);
	return VM_FAULT_OOM;
}

/*
 * do_wp_page() of the zero page: vm_normal_page() finds no page, so
 * wp_page_copy() with nothing to copy, a zeroed page instead.  Entered
 * with the PTL held; it is dropped to allocate and taken again
 * (pte_map_lock(), which under SPF checks the VMA once more), and the
 * entry must still be the zero page, or another CPU got there first.  The
 * old entry is cleared and flushed from every CPU of the mm before the new
 * one goes in (ptep_clear_flush_notify()), the PTL held throughout: a
 * thread still reading zeroes through a stale TLB entry must not go on
 * doing so after another has written the new page.
 */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn;

	pte_unmap_unlock(vmf);
	/* As in do_anonymous_page(): speculation needs anon_vma already set. */
	if (!(vmf->flags & FAULT_FLAG_SPECULATIVE) && anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	pfn = alloc_page();
	clear_page();
	if (mem_cgroup_try_charge(1)) {
		free_page(pfn);
		return VM_FAULT_OOM;
	}
	if (!pte_map_lock(vmf)) {
		mem_cgroup_cancel_charge(1);
		free_page(pfn);
		return VM_FAULT_RETRY;
	}
	/* !pte_same(): another CPU replaced or zapped it meanwhile. */
	if (!pte_special(vmf->pte, vmf->address)) {
		pte_unmap_unlock(vmf);
		mem_cgroup_cancel_charge(1);
		free_page(pfn);
		return 0;
	}
	cacheline_rmw(pte_line(vmf->pte, vmf->address)); /* ptep_clear_flush() */
	pte_clear(mm, vmf->address, vmf->pte);
	flush_tlb_mm_range(mm, vmf->address, vmf->address + PAGE_SIZE, PAGE_SHIFT, false);
	page_add_new_anon_rmap(pfn);
	lru_cache_add(1);
	set_pte_at(mm, vmf->address, vmf->pte, pfn);
	pte_unmap_unlock(vmf);
	return 0;
}

/*
 * vmf_can_call_fault() (6.7): under the VMA lock, only a file whose
 * ->fault comes with ->map_pages (the page cache's filemap_fault()) may
 * be called; others want mmap_lock.
 */
static vm_fault_t vmf_can_call_fault(const struct vm_fault *vmf)
{
	if (vmf->vma->vm_ops->map_pages || !(vmf->flags & FAULT_FLAG_VMA_LOCK))
		return 0;
	return VM_FAULT_RETRY;
}

/*
 * vmf_anon_prepare() (6.7): the first private copy in a VMA creates its
 * anon_vma, which looks at neighbours only mmap_lock keeps still.
 */
static vm_fault_t vmf_anon_prepare(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma->anon_vma)
		return 0;
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		return VM_FAULT_RETRY;
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	return 0;
}

/* __do_fault(): the file's ->fault, which returns the page locked. */
static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	return vmf->vma->vm_ops->fault(vmf);
}

/*
 * do_fault_around(): map the cached pages around the fault, up to
 * fault_around_bytes, aligned, inside the VMA and the page table.
 * VM_FAULT_NOPAGE if that mapped the faulting page itself.
 */
static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr_pages = mm_tunables.fault_around_bytes >> PAGE_SHIFT;
	unsigned long mask = ~(nr_pages * PAGE_SIZE - 1) & PAGE_MASK;
	unsigned long address = vmf->address & mask;
	pgoff_t start_pgoff, end_pgoff, last;
	int off;

	if (address < vma->vm_start)
		address = vma->vm_start;
	off = ((vmf->address - address) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
	start_pgoff = vmf->pgoff - off;
	/* end_pgoff is either the end of the page table, the VMA or the window. */
	end_pgoff = start_pgoff - ((address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) + PTRS_PER_PTE - 1;
	last = ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff - 1;
	if (end_pgoff > last)
		end_pgoff = last;
	if (end_pgoff > start_pgoff + nr_pages - 1)
		end_pgoff = start_pgoff + nr_pages - 1;
	if (pmd_none(*vmf->pmd) && __pte_alloc(vma->vm_mm, vmf->pmd))
		return VM_FAULT_OOM;
	if (pmd_trans_huge(*vmf->pmd))
		return VM_FAULT_NOPAGE;
	vma->vm_ops->map_pages(vmf, start_pgoff, end_pgoff);
	return pte_present(vmf->pmd->table, vmf->address) ? VM_FAULT_NOPAGE : 0;
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;

	/*
	 * Map the cached neighbours first, if fault-around is on: the fault
	 * may be done before ->fault is even called.
	 */
	if (vmf->vma->vm_ops->map_pages && mm_tunables.fault_around_bytes >> PAGE_SHIFT > 1) {
		ret = do_fault_around(vmf);
		if (ret)
			return ret;
	}
	ret = vmf_can_call_fault(vmf);
	if (ret)
		return ret;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	ret |= alloc_set_pte(vmf);
	unlock_page(vmf->page);
	return ret;
}

/* A write to a private file mapping: a private copy of the page. */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = vmf_can_call_fault(vmf);

	if (!ret)
		ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	vmf->cow_pfn = alloc_page();
	if (mem_cgroup_try_charge(1)) {
		free_page(vmf->cow_pfn);
		return VM_FAULT_OOM;
	}
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		mem_cgroup_cancel_charge(1);
		free_page(vmf->cow_pfn);
		return ret;
	}
	copy_page();
	vmf->cow = true;
	ret |= alloc_set_pte(vmf);
	unlock_page(vmf->page);
	count_vm_event(COW_FAULT);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		/* Mapped meanwhile: the copy goes (uncharge_out). */
		mem_cgroup_cancel_charge(1);
		free_page(vmf->cow_pfn);
		return ret;
	}
	lru_cache_add(1);
	return ret;
}

/*
 * A write to a shared file mapping: the page-cache page itself, told it
 * is about to be written (->page_mkwrite), mapped, then dirtied
 * (fault_dirty_shared_page()).
 */
static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret = vmf_can_call_fault(vmf);

	if (ret)
		return ret;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	/* Check if the backing address space wants to know that the page is about to become
	 * writable */
	if (vma->vm_ops->page_mkwrite) {
		unlock_page(vmf->page);
		vma->vm_ops->page_mkwrite(vmf);
	}
	ret |= alloc_set_pte(vmf);
	/* fault_dirty_shared_page() */
	set_page_dirty(vmf->page);
	unlock_page(vmf->page);
	if (!vma->vm_ops->page_mkwrite)
		cacheline_rmw(&vma->vm_file->f_mapping.i_times); /* file_update_time() */
	return ret;
}

/* do_fault(): a file-backed page not mapped yet. */
static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	vmf->pgoff = ((vmf->address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/*
 * handle_pte_fault(): a none PTE is a first touch, of anonymous memory
 * (do_anonymous_page()) or of a file (do_fault()).  A present one is a
 * write to the zero page a read mapped (do_wp_page()), or a fault that
 * raced with another CPU mapping the same page: relock and, if nothing
 * changed, just mark the entry young and dirty.
 */
static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_SPECULATIVE)) {
		/* A huge page mapped it meanwhile: pmd_devmap_trans_unstable(). */
		if (pmd_trans_huge(*vmf->pmd))
			return 0;
		/* The speculative walk already read the PTE: don't fetch it again. */
		vmf->orig_pte_none =
		    pmd_none(*vmf->pmd) || !pte_present(vmf->pmd->table, vmf->address);
	}
	if (vmf->orig_pte_none)
		return vma_is_anonymous(vmf->vma) ? do_anonymous_page(vmf) : do_fault(vmf);

	if (!pte_spinlock(vmf))
		return VM_FAULT_RETRY;
	vmf->pte = vmf->flags & FAULT_FLAG_SPECULATIVE ? vmf->orig_pmd.table : vmf->pmd->table;
	/* A write to the read-only zero page: !pte_write(entry). */
	if (vmf->flags & FAULT_FLAG_WRITE && pte_special(vmf->pte, vmf->address))
		return do_wp_page(vmf);
	cpu_work(cycles(COST_SET_PTE)); /* ptep_set_access_flags() */
	spin_unlock(vmf->ptl);
	return 0;
}

static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
				    unsigned int flags)
{
	struct vm_fault vmf = {
	    .vma = vma,
	    .address = address & PAGE_MASK,
	    .flags = flags,
	    .vma_flags = vma->vm_flags,
	    .spf_fallback = NR_VM_EVENT_ITEMS,
	};
	pmd_t orig_pmd;
	vm_fault_t ret;

	vmf.pmd = pmd_alloc(vma->vm_mm, address);
	if (!vmf.pmd)
		return VM_FAULT_OOM;
	cpu_work(cycles(COST_WALK_LEVEL));
	orig_pmd = pmd_read(vmf.pmd);
	if (pmd_none(orig_pmd) && !vma_is_anonymous(vma) && vma->vm_ops->huge_fault &&
	    mm_tunables.text_thp && !(vma->vm_flags & VM_NOHUGEPAGE)) {
		/* create_huge_pmd(): the file's huge_fault, else 4 KiB pages. */
		vmf.pgoff = ((vmf.address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
		ret = vma->vm_ops->huge_fault(&vmf, PE_SIZE_PMD);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	} else if (pmd_none(orig_pmd) && vma_is_anonymous(vma) &&
		   transparent_hugepage_enabled(vma)) {
		ret = do_huge_pmd_anonymous_page(&vmf);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	} else if (pmd_trans_huge(orig_pmd)) {
		/* Mapped by a huge page meanwhile: nothing left to do. */
		return 0;
	}
	return handle_pte_fault(&vmf);
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags)
{
	return __handle_mm_fault(vma, address, flags);
}

static vm_fault_t spf_fallback(enum vm_event_item why)
{
	count_vm_event(why);
	return VM_FAULT_RETRY;
}

/*
 * __handle_speculative_fault(): the fault without mmap_sem.  The VMA is
 * found under RCU and pinned; its vm_sequence, read at the start, must be
 * even and unchanged at every later check; the walk takes no lock and
 * only IRQs off keep the tables it reads from being freed.
 */
static vm_fault_t __handle_speculative_fault(struct mm_struct *mm, unsigned long address,
					     unsigned int flags)
{
	struct vm_fault vmf = {.address = address & PAGE_MASK, .spf_fallback = NR_VM_EVENT_ITEMS};
	struct vm_area_struct *vma;
	unsigned int seq;
	vm_fault_t ret;

	count_vm_event(SPF_ATTEMPT);
	/* Clear flags that may lead to release the mmap_sem to retry */
	flags &= ~FAULT_FLAG_ALLOW_RETRY;
	flags |= FAULT_FLAG_SPECULATIVE;

	vma = find_vma_rcu(mm, address);
	if (!vma)
		return spf_fallback(SPF_FALLBACK_NO_VMA);

	/* rmb <-> seqlock, vma_rb_erase() */
	seq = raw_read_seqcount(&vma->vm_sequence);
	if (seq & 1) {
		ret = spf_fallback(SPF_FALLBACK_SEQ_CHANGED);
		goto out_put;
	}
	/* Can't call vm_ops services, we don't know what they would do. */
	if (vma->vm_ops && vma->vm_ops->fault)
		goto out_notsup;
	/*
	 * __anon_vma_prepare() requires the mmap_sem to be held because
	 * vm_next and vm_prev must be safe.
	 */
	if (!vma->anon_vma)
		goto out_notsup;
	vmf.vma_flags = vma->vm_flags;
	/* Can't call userland page fault handler in the speculative path */
	if (vmf.vma_flags & VM_UFFD_MISSING)
		goto out_notsup;
	if (vmf.vma_flags & (VM_GROWSDOWN | VM_GROWSUP))
		goto out_notsup;
	if (address < vma->vm_start || vma->vm_end <= address) {
		ret = spf_fallback(SPF_FALLBACK_SEQ_CHANGED);
		goto out_put;
	}
	/* This one is required to check that the VMA has write access set */
	if (flags & FAULT_FLAG_WRITE) {
		if (!(vmf.vma_flags & VM_WRITE))
			goto out_segv;
	} else if (!(vmf.vma_flags & (VM_READ | VM_EXEC | VM_WRITE))) {
		goto out_segv;
	}
	/* MPOL_INTERLEAVE needs mpol_misplaced(), not safe speculatively. */
	if (vma->vm_policy_interleave)
		goto out_notsup;

	/* Do a speculative lookup of the PTE entry, IRQs off. */
	local_irq_disable();
	vmf.pmd = pmd_offset(mm, address);
	if (!vmf.pmd)
		goto out_walk;
	vmf.orig_pmd = pmd_read(vmf.pmd);
	/*
	 * pmd_none: the first fault of each PMD instantiates the page table
	 * under mmap_sem, since doing it here could leak it after
	 * free_pgtables().  THP is not handled speculatively: a collapse in
	 * our back could not be identified.
	 */
	if (pmd_none(vmf.orig_pmd) || pmd_trans_huge(vmf.orig_pmd))
		goto out_walk;
	cpu_work(cycles(COST_WALK_LEVEL));
	cacheline_read(pte_line(vmf.orig_pmd.table, address));
	vmf.orig_pte_none = !pte_present(vmf.orig_pmd.table, address);
	local_irq_enable();

	vmf.vma = vma;
	vmf.sequence = seq;
	vmf.flags = flags;
	/* Re-validate the VMA after checking the bounds. */
	if (read_seqcount_retry(&vma->vm_sequence, seq)) {
		ret = spf_fallback(SPF_FALLBACK_SEQ_CHANGED);
		goto out_put;
	}

	ret = handle_pte_fault(&vmf);
	put_vma(vma);
	if (ret != VM_FAULT_RETRY) {
		count_vm_event(SPF_SUCCESS);
		return ret;
	}
	return spf_fallback(vmf.spf_fallback != NR_VM_EVENT_ITEMS ? vmf.spf_fallback
								  : SPF_FALLBACK_OTHER);

out_segv:
	/* Handled: the caller delivers the signal, as the classic path would. */
	put_vma(vma);
	count_vm_event(SPF_SUCCESS);
	return VM_FAULT_SIGSEGV;
out_walk:
	local_irq_enable();
	ret = spf_fallback(SPF_FALLBACK_PMD_NONE);
	goto out_put;
out_notsup:
	ret = spf_fallback(SPF_FALLBACK_NOT_ELIGIBLE);
out_put:
	put_vma(vma);
	return ret;
}

/* Speculative faults only for multithreaded user tasks. */
vm_fault_t handle_speculative_fault(struct mm_struct *mm, unsigned long address, unsigned int flags)
{
	if (!(flags & FAULT_FLAG_USER) || mm->mm_users == 1)
		return VM_FAULT_RETRY;
	return __handle_speculative_fault(mm, address, flags);
}

/*
 * lock_vma_under_rcu() (6.4): find the VMA under RCU and read-lock it;
 * NULL sends the fault to mmap_lock.  6.4 handles anonymous VMAs that
 * already have an anon_vma; 6.7 (Matthew Wilcox, "Handle more faults
 * under the VMA lock") file VMAs as well, whose handlers decide for
 * themselves (vmf_can_call_fault(), vmf_anon_prepare()).
 */
struct vm_area_struct *lock_vma_under_rcu(struct mm_struct *mm, unsigned long address)
{
	struct vm_area_struct *vma;

	rcu_read_lock();
retry:
	vma = find_vma(mm, address);
	if (!vma || vma->vm_start > address)
		goto inval;
	if (vma->vm_ops && !mm_tunables.vma_lock_file_faults)
		goto inval;
	/* find_mergeable_anon_vma() reads neighbours we have not locked. */
	if (!vma->vm_ops && !vma->anon_vma)
		goto inval;
	if (!vma_start_read(vma))
		goto inval;
	/* Userfaults are not handled under the VMA lock. */
	if (userfaultfd_missing(vma)) {
		vma_end_read(vma);
		goto inval;
	}
	/* Check since vm_start/vm_end might change before we lock the VMA. */
	if (address < vma->vm_start || address >= vma->vm_end) {
		vma_end_read(vma);
		goto inval;
	}
	/* Check if the VMA got isolated after we found it. */
	if (vma->detached) {
		vma_end_read(vma);
		count_vm_event(VMA_LOCK_MISS);
		goto retry;
	}
	rcu_read_unlock();
	return vma;
inval:
	rcu_read_unlock();
	count_vm_event(VMA_LOCK_ABORT);
	return NULL;
}

/*
 * zap_pte_range(): clear the PTEs under the PTL, gathering the pages.
 * When the gather is full its TLB flush happens before the PTL is
 * dropped, IPIs and all: the flush a speculative faulter spinning on this
 * PTL with IRQs off would never answer.
 */
static unsigned long zap_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd,
				   unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct pte_table *table = pmd->table;
	spinlock_t *ptl;
	bool force_flush, file, special;
	unsigned long first;

again:
	force_flush = false;
	ptl = pte_lockptr(mm, pmd);
	spin_lock(ptl);
	for (first = addr; addr != end; addr += PAGE_SIZE) {
		/* ptep_get_and_clear(): each line of entries once. */
		if (addr == first || pte_index(addr) % PTES_PER_LINE == 0)
			cacheline_rmw(pte_line(table, addr));
		if (!pte_present(table, addr))
			continue;
		file = pte_file(table, addr);
		special = pte_special(table, addr);
		pte_clear(mm, addr, table);
		cpu_work(sim_machine->zap_page);
		tlb_remove_tlb_entry(tlb, addr);
		/* vm_normal_page() is NULL for the zero page: nothing to unmap or free. */
		if (special)
			continue;
		/*
		 * A page-cache page stays cached: its mapping goes
		 * (page_remove_rmap()), a written shared one is dirtied, and
		 * the gather drops the mapping's reference after the flush.
		 * A dirty PTE forces that flush before the PTL is dropped, for
		 * this table's entries: until it is done another CPU may still
		 * write the page through its TLB, after set_page_dirty() has
		 * been and gone (1cf35d47712d, 3.15; since 5df397dec7c4, 6.2,
		 * with the rmap removal delayed past it).
		 */
		if (file) {
			struct cache_page *page = vma_cache_page(vma, addr);
			bool delay_rmap = false;

			if (vma->vm_flags & VM_SHARED && vma->vm_flags & VM_WRITE) {
				set_page_dirty(page);
				force_flush = true;
				delay_rmap = mm_tunables.zap_delay_rmap;
			}
			if (!delay_rmap)
				cacheline_rmw(&page->flags);
			if (__tlb_remove_file_page(tlb, page, delay_rmap)) {
				force_flush = true;
				addr += PAGE_SIZE;
				break;
			}
			continue;
		}
		page_remove_rmap(table->pfn[pte_index(addr)]);
		if (__tlb_remove_page(tlb, table->pfn[pte_index(addr)])) {
			force_flush = true;
			addr += PAGE_SIZE;
			break;
		}
	}
	/* Do the actual TLB flush before dropping ptl */
	if (force_flush) {
		tlb_flush_mmu_tlbonly(tlb);
		tlb_flush_rmaps(tlb);
	}
	spin_unlock(ptl);
	if (force_flush) {
		tlb_flush_mmu_free(tlb);
		if (addr != end)
			goto again;
	}
	return addr;
}

static void zap_pmd_range(struct mmu_gather *tlb, struct vm_area_struct *vma, unsigned long addr,
			  unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;

	while (addr < end) {
		unsigned long next = (addr + PMD_SIZE) & PMD_MASK;
		pmd_t *pmd = pmd_offset(mm, addr);

		if (next > end)
			next = end;
		/*
		 * A huge PMD maps only a range its VMA covered whole when it was
		 * faulted.  The kernel's __split_vma() splits one that a cut
		 * through a merged VMA would halve (split_huge_pmd()); that is
		 * not modelled, so such a zap drops the whole huge page and the
		 * half outside the range faults again.  Shipped scenarios never
		 * cut one: their anonymous THP mappings are not merged.
		 */
		if (pmd && pmd_trans_huge(*pmd) && zap_huge_pmd(tlb, vma, pmd, addr)) {
			addr = next;
			continue;
		}
		if (pmd && !pmd_none(*pmd) && !pmd_trans_huge(*pmd))
			zap_pte_range(tlb, vma, pmd, addr, next);
		addr = next;
	}
}

/*
 * MADV_DONTNEED: drop the pages, keep the VMA and its page tables.  SPF
 * v12 wraps the zap in vm_write_begin/end: a speculative fault on the VMA
 * meanwhile sees vm_sequence odd or moved and falls back (seq_changed)
 * rather than map a page the zap is about to drop.
 */
void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct mmu_gather tlb;

	vm_write_begin(vma);
	tlb_gather_mmu(&tlb, vma->vm_mm);
	zap_pmd_range(&tlb, vma, start, end);
	tlb_finish_mmu(&tlb);
	vm_write_end(vma);
}

/*
 * free_pgtables() for a range that no VMA covers any more: clear each pmd
 * and queue its table, freed only once the TLBs are flushed.
 */
static void free_pgtables(struct mmu_gather *tlb, struct mm_struct *mm, unsigned long start,
			  unsigned long end)
{
	for (unsigned long addr = start & PMD_MASK; addr < end; addr += PMD_SIZE) {
		pmd_t *pmd = pmd_offset(mm, addr);

		/* A table shared with a neighbouring VMA stays. */
		if (!pmd || pmd_none(*pmd) || pmd_trans_huge(*pmd))
			continue;
		if ((addr < start && find_vma(mm, addr) && find_vma(mm, addr)->vm_start < start) ||
		    (addr + PMD_SIZE > end && find_vma(mm, end) &&
		     find_vma(mm, end)->vm_start < addr + PMD_SIZE))
			continue;
		tlb_remove_table(tlb, pmd->table, addr);
		pmd_write(pmd, (pmd_t){.table = NULL});
	}
}

/* unmap_region(): zap, free the page tables, flush, free what was gathered. */
void unmap_region(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
		  unsigned long end)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm);
	zap_pmd_range(&tlb, vma, start, end);
	free_pgtables(&tlb, mm, start, end);
	tlb_finish_mmu(&tlb);
}

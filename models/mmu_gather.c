/* models/mmu_gather.c - flush once, then free what the flush protected. */
#include "mmu_gather.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "filemap.h"
#include "page_alloc.h"
#include "vmstat.h"

/* __tlb_reset_range(): nothing to flush yet. */
static void tlb_reset_range(struct mmu_gather *tlb)
{
	tlb->start = ULONG_MAX;
	tlb->end = 0;
}

/* __tlb_adjust_range(): a flush covers every entry cleared since the last. */
static void tlb_adjust_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	if (address < tlb->start)
		tlb->start = address;
	if (address + size > tlb->end)
		tlb->end = address + size;
	tlb->need_flush = true;
}

static void inc_tlb_flush_pending(struct mm_struct *mm)
{
	cacheline_rmw(&mm->tlb_flush_line);
	mm->tlb_flush_pending++;
}

static void dec_tlb_flush_pending(struct mm_struct *mm)
{
	cacheline_rmw(&mm->tlb_flush_line);
	mm->tlb_flush_pending--;
}

/* Another gather than ours is batching in this mm. */
static bool mm_tlb_flush_nested(struct mm_struct *mm)
{
	cacheline_read(&mm->tlb_flush_line);
	return mm->tlb_flush_pending > 1;
}

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm)
{
	memset(tlb, 0, offsetof(struct mmu_gather, delayed));
	tlb->mm = mm;
	tlb_reset_range(tlb);
	inc_tlb_flush_pending(mm);
}

void tlb_remove_tlb_entry(struct mmu_gather *tlb, unsigned long address)
{
	tlb_adjust_range(tlb, address, PAGE_SIZE);
}

void tlb_remove_pmd_tlb_entry(struct mmu_gather *tlb, unsigned long address)
{
	tlb_adjust_range(tlb, address & PMD_MASK, PMD_SIZE);
}

/*
 * tlb_next_batch() refused: every batch is in use, or (5df397dec7c4) an
 * rmap removal waits for the flush and the batch being filled, the bundle
 * on the stack or one of MAX_GATHER_BATCH, has just been filled.
 */
static bool tlb_gather_full(const struct mmu_gather *tlb)
{
	int nr = tlb->nr_pages + tlb->nr_file;

	if (tlb->delayed_rmap &&
	    (nr == MMU_GATHER_BUNDLE ||
	     (nr > MMU_GATHER_BUNDLE && (nr - MMU_GATHER_BUNDLE) % MAX_GATHER_BATCH == 0)))
		return true;
	return nr >= MMU_GATHER_MAX_PAGES;
}

bool __tlb_remove_page(struct mmu_gather *tlb, unsigned long pfn)
{
	tlb->page[tlb->nr_pages++] = (unsigned int)pfn;
	return tlb_gather_full(tlb);
}

bool __tlb_remove_file_page(struct mmu_gather *tlb, struct cache_page *page, bool delay_rmap)
{
	tlb->nr_file++;
	if (delay_rmap) {
		tlb->delayed[tlb->nr_delayed++] = page;
		tlb->delayed_rmap = true;
	}
	return tlb_gather_full(tlb);
}

/* page_remove_rmap() of each: the atomic on its mapcount, in its struct page. */
void tlb_flush_rmaps(struct mmu_gather *tlb)
{
	for (int i = 0; i < tlb->nr_delayed; i++)
		cacheline_rmw(&tlb->delayed[i]->flags);
	tlb->nr_delayed = 0;
	tlb->delayed_rmap = false;
}

bool __tlb_remove_huge_page(struct mmu_gather *tlb, unsigned long pfn)
{
	tlb->huge[tlb->nr_huge++] = (unsigned int)pfn;
	tlb->need_flush = true;
	return tlb->nr_huge == MMU_GATHER_BUNDLE;
}

/* pte_free_tlb(): the table goes once the flush is done, which covers its address. */
void tlb_remove_table(struct mmu_gather *tlb, struct pte_table *table, unsigned long address)
{
	table->free_next = tlb->tables;
	tlb->tables = table;
	tlb->freed_tables = true;
	tlb_adjust_range(tlb, address, PAGE_SIZE);
}

void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (!tlb->need_flush)
		return;
	flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end, PAGE_SHIFT, tlb->freed_tables);
	tlb->need_flush = false;
	tlb_reset_range(tlb);
}

/*
 * After the flush no CPU can reach the gathered pages, and none is inside
 * a lockless walk of the gathered tables: each answered the flush IPI
 * with IRQs on.
 */
void tlb_flush_mmu_free(struct mmu_gather *tlb)
{
	release_pages(tlb->page, tlb->nr_pages);
	tlb->nr_pages = 0;
	/* put_page() of each cached page: its line is hot from the zap's rmap. */
	cpu_work(tlb->nr_file * sim_machine->atomic);
	tlb->nr_file = 0;
	for (int i = 0; i < tlb->nr_huge; i++)
		release_hugepage(tlb->huge[i]);
	tlb->nr_huge = 0;
	while (tlb->tables) {
		struct pte_table *t = tlb->tables;

		tlb->tables = t->free_next;
		pte_free(t);
	}
}

void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu_tlbonly(tlb);
	tlb_flush_mmu_free(tlb);
}

/*
 * Threads zapping the same mm under mmap_lock for read (MADV_DONTNEED, or
 * munmap() once it has downgraded) may clear the same PTEs, and the one
 * that found a PTE already clear skips its flush while the other's is
 * still to come: flush everything before returning.  99baac21e458 (4.13)
 * added the check; since 7a30df49f63a (5.2) the flush is the whole mm's
 * (fullmm) and counts as freeing tables, so it reaches the CPUs in lazy
 * TLB mode too.
 */
void tlb_finish_mmu(struct mmu_gather *tlb)
{
	if (mm_tlb_flush_nested(tlb->mm)) {
		count_vm_event(TLB_FLUSH_NESTED);
		tlb->start = 0;
		tlb->end = ULONG_MAX;
		tlb->freed_tables = true;
		tlb->need_flush = true;
	}
	tlb_flush_mmu(tlb);
	dec_tlb_flush_pending(tlb->mm);
}

/* models/mmu_gather.c - flush once, then free what the flush protected. */
#include "mmu_gather.h"

#include <stddef.h>
#include <string.h>

#include "page_alloc.h"

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	memset(tlb, 0, offsetof(struct mmu_gather, page));
	tlb->mm = mm;
	tlb->start = start;
	tlb->end = end;
}

void tlb_remove_tlb_entry(struct mmu_gather *tlb, unsigned long address)
{
	(void)address;
	tlb->need_flush = true;
}

bool __tlb_remove_page(struct mmu_gather *tlb, unsigned long pfn)
{
	tlb->page[tlb->nr_pages++] = (unsigned int)pfn;
	return tlb->nr_pages >= MMU_GATHER_MAX_PAGES;
}

bool __tlb_remove_file_page(struct mmu_gather *tlb)
{
	tlb->nr_file++;
	return tlb->nr_pages + tlb->nr_file >= MMU_GATHER_MAX_PAGES;
}

bool __tlb_remove_huge_page(struct mmu_gather *tlb, unsigned long pfn)
{
	tlb->huge[tlb->nr_huge++] = (unsigned int)pfn;
	tlb->need_flush = true;
	return tlb->nr_huge == MMU_GATHER_BUNDLE;
}

void tlb_remove_table(struct mmu_gather *tlb, struct pte_table *table)
{
	table->free_next = tlb->tables;
	tlb->tables = table;
	tlb->freed_tables = true;
	tlb->need_flush = true;
}

void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (!tlb->need_flush)
		return;
	flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end, PAGE_SHIFT, tlb->freed_tables);
	tlb->need_flush = false;
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

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
}

/* models/mmu_gather.h - batching a teardown's TLB flush and frees.
 *
 * As include/asm-generic/tlb.h (5.1): pages and page tables cleared from
 * the page tables are gathered, the TLBs of the mm's CPUs flushed once,
 * and only then are the pages and tables freed.  The gather holds
 * MMU_GATHER_BUNDLE pages on the stack plus up to MAX_GATHER_BATCH_COUNT
 * batches of MAX_GATHER_BATCH pages; a full gather forces the flush early,
 * inside zap_pte_range() with the PTL held.  With kernel.zap_delay_rmap,
 * a dirty shared page's rmap is removed only after the flush
 * (tlb_flush_rmaps()), and while one waits the gather takes no new batch:
 * it is full at the end of the one it is filling.
 */
#ifndef FAULTSIM_MODELS_MMU_GATHER_H
#define FAULTSIM_MODELS_MMU_GATHER_H

#include "mm.h"

#define MMU_GATHER_BUNDLE      8
#define MAX_GATHER_BATCH       ((4096 - 16) / 8) /* pointers in a page */
#define MAX_GATHER_BATCH_COUNT (10000 / MAX_GATHER_BATCH)
#define MMU_GATHER_MAX_PAGES   (MMU_GATHER_BUNDLE + MAX_GATHER_BATCH_COUNT * MAX_GATHER_BATCH)

struct mmu_gather {
	struct mm_struct *mm;
	unsigned long start, end;	      /* what was cleared since the last flush */
	int nr_pages;			      /* gathered 4 KiB pages */
	int nr_huge;			      /* gathered huge pages */
	unsigned int huge[MMU_GATHER_BUNDLE]; /* their frames */
	int nr_file;			      /* gathered page-cache pages: not freed */
	bool delayed_rmap;		      /* a gathered page's rmap waits for the flush */
	int nr_delayed;
	bool need_flush;
	bool freed_tables;
	struct pte_table *tables; /* page tables to free after the flush */
	/* Last: only their first nr_delayed and nr_pages are read, so they are never cleared. */
	struct cache_page *delayed[MAX_GATHER_BATCH]; /* rmaps waiting: one batch at most */
	unsigned int page[MMU_GATHER_MAX_PAGES];      /* their frames */
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm);
/* A PTE, or a huge PMD, cleared: the next flush covers its range. */
void tlb_remove_tlb_entry(struct mmu_gather *tlb, unsigned long address);
void tlb_remove_pmd_tlb_entry(struct mmu_gather *tlb, unsigned long address);
/* Gather a page; true when the gather is full and must be flushed. */
bool __tlb_remove_page(struct mmu_gather *tlb, unsigned long pfn);
/*
 * Gather a page-cache page's mapping reference, its rmap removal delayed
 * past the flush or not; true when the gather is full.
 */
bool __tlb_remove_file_page(struct mmu_gather *tlb, struct cache_page *page, bool delay_rmap);
/* tlb_flush_rmaps(): the delayed rmap removals, once the TLBs are flushed. */
void tlb_flush_rmaps(struct mmu_gather *tlb);
/* Gather a huge page; true when the gather is full and must be flushed. */
bool __tlb_remove_huge_page(struct mmu_gather *tlb, unsigned long pfn);
void tlb_remove_table(struct mmu_gather *tlb, struct pte_table *table, unsigned long address);
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_flush_mmu_free(struct mmu_gather *tlb);
/* Flush, then free: where no PTL sits between the two. */
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

#endif

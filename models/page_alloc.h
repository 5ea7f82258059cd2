/* models/page_alloc.h - pages: allocation, memcg charge, LRU, freeing.
 *
 * A page is not an object here: what costs is the per-CPU list, the zone
 * lock behind it, the memcg counter and the LRU lock, each a shared line
 * or lock of the simulation, batched as the kernel batches, and the cache
 * misses on struct pages inside those locks.  A mapped page is known by
 * the CPU that mapped it and by who wrote its struct page last, and when
 * (the PTE records a struct page_mark): see page_alloc.c.
 */
#ifndef FAULTSIM_MODELS_PAGE_ALLOC_H
#define FAULTSIM_MODELS_PAGE_ALLOC_H

#include <stdbool.h>

void page_alloc_init(void);

/* An order-0 page from this CPU's list (mm/page_alloc.c rmqueue_pcplist()). */
void alloc_page(void);
/* An order-9 page from the buddy lists; false when fragmentation wins. */
bool alloc_hugepage(void);
/* Mapped pages back from a zap, each as its mapper left it: LRU removal, uncharge, free. */
struct page_mark;
void release_pages(const struct page_mark *pages, int nr, bool on_lru);
/* The zap's rmap removal: writes the struct page, wherever it is now. */
void page_remove_rmap(struct page_mark *page);
void release_hugepage(void);
/* A page never mapped to user space (a fault that gave up, a page table): back to the list only. */
void free_page(void);
void free_hugepage(void);

/* mm/memcontrol.c */
int mem_cgroup_try_charge(int nr_pages);
void mem_cgroup_cancel_charge(int nr_pages);

/* mm/swap.c: the new page goes on the LRU through the per-CPU pagevec. */
void lru_cache_add(int nr_pages);

#endif

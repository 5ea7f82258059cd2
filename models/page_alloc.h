/* models/page_alloc.h - page frames: allocation, memcg charge, LRU, freeing.
 *
 * A page is a frame number (pfn), as in the kernel: each node's zone has
 * a struct page per frame it has handed out, its buddy allocator keeps
 * free blocks on per-order lists and merges a freed page with its buddy,
 * and the per-CPU lists hold frames.  What costs is the per-CPU list, the
 * zone lock behind it, the memcg counter and the LRU lock, each a shared
 * line or lock of the simulation, batched as the kernel batches, and the
 * cache misses on struct pages inside those locks: see page_alloc.c.
 */
#ifndef FAULTSIM_MODELS_PAGE_ALLOC_H
#define FAULTSIM_MODELS_PAGE_ALLOC_H

#include <stdbool.h>

/* Buddy orders 0 to MAX_ORDER - 1: the largest free block is 4 MiB. */
#define MAX_ORDER 11

void page_alloc_init(void);

/* An order-0 page from this CPU's list (mm/page_alloc.c rmqueue_pcplist()). */
unsigned long alloc_page(void);
/* An order-9 page from the buddy lists into *pfn; false when fragmentation wins. */
bool alloc_hugepage(unsigned long *pfn);
/* page_add_new_anon_rmap(): the current CPU maps the new page, onto its LRU. */
void page_add_new_anon_rmap(unsigned long pfn);
/* The zap's rmap removal: writes the struct page, wherever it is now. */
void page_remove_rmap(unsigned long pfn);
/* Mapped pages back from a zap: LRU removal, uncharge, free. */
void release_pages(const unsigned int *pfns, int nr);
void release_hugepage(unsigned long pfn);
/* A page never mapped to user space (a fault that gave up, a page table): back to the list only. */
void free_page(unsigned long pfn);
void free_hugepage(unsigned long pfn);

/* /proc/buddyinfo: free blocks of this order on node's zone. */
unsigned long zone_free_blocks(int node, int order);

/* mm/memcontrol.c */
int mem_cgroup_try_charge(int nr_pages);
void mem_cgroup_cancel_charge(int nr_pages);

/* mm/swap.c: the new page goes on the LRU through the per-CPU pagevec. */
void lru_cache_add(int nr_pages);

#endif

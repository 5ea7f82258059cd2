/* models/filemap.h - the page cache of a file, and its fault handlers.
 *
 * After mm/filemap.c (5.x).  A file's address_space indexes its cached
 * pages by offset, as the xarray i_pages does: lookups are lockless under
 * RCU (a read of the xarray node's line), insertions take xa_lock with
 * IRQs off.  A huge page fills its 512 slots, as a multi-index entry.
 * A page is locked while it is read; readers of a locked page sleep on it.
 */
#ifndef FAULTSIM_MODELS_FILEMAP_H
#define FAULTSIM_MODELS_FILEMAP_H

#include "mm.h"

#define XA_CHUNK_SHIFT 6 /* 64 slots an xarray node */

struct cache_page {
	pgoff_t index; /* of the first base page */
	int order;     /* 0, or HPAGE_PMD_ORDER */
	bool uptodate;
	bool locked;
	bool dirty;
	struct cacheline flags; /* page->flags: PG_locked, PG_uptodate */
	/*
	 * The page's first data line, the one will-it-scale writes: whose
	 * caches it was last pulled into (cpu -1: it is only in memory).
	 */
	struct page_mark data;
	/* Its frame: a page added while the clock runs (a prefilled cache is never freed). */
	unsigned long pfn;
	struct wait_queue_head wait; /* wait_on_page_locked() */
};

struct address_space {
	struct cache_page **i_pages; /* a slot per base page */
	pgoff_t nr_pages;	     /* the file's size */
	struct cacheline *nodes;     /* a line per xarray node */
	spinlock_t xa_lock;
	unsigned long cached_bytes; /* page cache memory in use */
	unsigned long read_bytes;   /* read from storage */
	/*
	 * A sparse file on tmpfs (will-it-scale's ftruncate()d tmpfile): a
	 * page not cached is a hole, allocated and zeroed, never read.
	 */
	bool holes;
	struct cacheline i_times; /* the inode's mtime and ctime: file_update_time() */
};

struct file {
	struct address_space f_mapping;
};

void file_init(struct file *f, unsigned long size);
/* Fill the cache as an earlier run left it, before the clock starts. */
void file_cache_prefill(struct file *f, int order);

/* find_get_page(): a lockless lookup; NULL if not cached. */
struct cache_page *find_get_page(struct address_space *mapping, pgoff_t index);
void lock_page(struct cache_page *page);
void unlock_page(struct cache_page *page);
/* Sleep until the page is unlocked, without taking its lock. */
void wait_on_page_locked(struct cache_page *page);
/* Read a locked page's bytes; false on a read error. */
bool readpage(struct address_space *mapping, struct cache_page *page);

vm_fault_t filemap_fault(struct vm_fault *vmf);
void filemap_map_pages(struct vm_fault *vmf, pgoff_t start, pgoff_t end);
vm_fault_t filemap_huge_fault(struct vm_fault *vmf, enum page_entry_size pe_size);

/* A mapping's PTE for a page cache page: alloc_set_pte() under the PTL. */
vm_fault_t alloc_set_pte(struct vm_fault *vmf);
/* The page's PG_dirty, set once (set_page_dirty()). */
void set_page_dirty(struct cache_page *page);
/* The cached page backing address of a file VMA. */
struct cache_page *vma_cache_page(struct vm_area_struct *vma, unsigned long address);

extern const struct vm_operations_struct generic_file_vm_ops;

#endif

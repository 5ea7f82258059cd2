/* models/filemap.c - page cache lookups, readahead, filemap_fault() and
 * fault-around (filemap_map_pages()), after mm/filemap.c and mm/memory.c.
 */
#include "filemap.h"

#include <stdlib.h>

#include "cost.h"
#include "page_alloc.h"
#include "vmstat.h"

void file_init(struct file *f, unsigned long size)
{
	struct address_space *m = &f->f_mapping;
	pgoff_t nodes;

	m->nr_pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	m->i_pages = calloc(m->nr_pages, sizeof(*m->i_pages));
	nodes = (m->nr_pages >> XA_CHUNK_SHIFT) + 1;
	m->nodes = calloc(nodes, sizeof(*m->nodes));
	for (pgoff_t i = 0; i < nodes; i++)
		cacheline_init(&m->nodes[i]);
	spin_lock_init(&m->xa_lock, "xa_lock");
	cacheline_init(&m->i_times);
	m->cached_bytes = m->read_bytes = 0;
	m->holes = false;
}

static struct cache_page *page_alloc_cache(pgoff_t index, int order)
{
	struct cache_page *p = calloc(1, sizeof(*p));

	p->index = index;
	p->order = order;
	cacheline_init(&p->flags);
	p->data.cpu = -1;
	init_waitqueue_head(&p->wait, "page lock");
	return p;
}

static pgoff_t page_nr(const struct cache_page *p)
{
	return 1UL << p->order;
}

/* A new page another CPU beat into the cache: undone before anyone saw it. */
static void page_cache_discard(struct cache_page *p)
{
	unsigned long pfn = p->pfn;

	cacheline_destroy(&p->flags);
	free(p);
	free_page(pfn);
}

/* Store p in its slots; the caller holds xa_lock (or the clock has not started). */
static void page_cache_store(struct address_space *m, struct cache_page *p)
{
	for (pgoff_t i = 0; i < page_nr(p) && p->index + i < m->nr_pages; i++)
		m->i_pages[p->index + i] = p;
	m->cached_bytes += page_nr(p) * PAGE_SIZE;
}

void file_cache_prefill(struct file *f, int order)
{
	struct address_space *m = &f->f_mapping;

	for (pgoff_t i = 0; i < m->nr_pages; i += 1UL << order) {
		/* A huge page only for a whole 2 MiB of the file. */
		int o = i + (1UL << order) <= m->nr_pages ? order : 0;

		for (pgoff_t j = i; j < i + (1UL << order) && j < m->nr_pages; j += 1UL << o) {
			struct cache_page *p = page_alloc_cache(j, o);

			p->uptodate = true;
			page_cache_store(m, p);
		}
	}
}

struct cache_page *find_get_page(struct address_space *m, pgoff_t index)
{
	struct cache_page *p;

	if (index >= m->nr_pages)
		return NULL;
	rcu_read_lock();
	cacheline_read(&m->nodes[index >> XA_CHUNK_SHIFT]);
	p = m->i_pages[index];
	rcu_read_unlock();
	return p;
}

/* add_to_page_cache_lru(): under xa_lock, IRQs off; -1 if a slot is taken. */
static int add_to_page_cache(struct address_space *m, struct cache_page *p)
{
	int ret = 0;

	local_irq_disable();
	spin_lock(&m->xa_lock);
	for (pgoff_t i = 0; i < page_nr(p) && !ret; i++)
		if (m->i_pages[p->index + i])
			ret = -1;
	if (!ret) {
		cacheline_rmw(&m->nodes[p->index >> XA_CHUNK_SHIFT]);
		page_cache_store(m, p);
	}
	spin_unlock(&m->xa_lock);
	local_irq_enable();
	return ret;
}

/* A woken waiter tries again: another may have taken the lock first. */
void lock_page(struct cache_page *p)
{
	for (;;) {
		cacheline_rmw(&p->flags); /* trylock_page(): test_and_set_bit_lock() */
		if (!p->locked)
			break;
		/* __lock_page(): an exclusive waiter, woken alone. */
		prepare_to_wait_exclusive(&p->wait);
		schedule();
	}
	p->locked = true;
}

void wait_on_page_locked(struct cache_page *p)
{
	for (;;) {
		cacheline_read(&p->flags);
		if (!p->locked)
			return;
		prepare_to_wait(&p->wait);
		schedule();
	}
}

void unlock_page(struct cache_page *p)
{
	cacheline_rmw(&p->flags);
	p->locked = false;
	wake_up(&p->wait);
}

bool readpage(struct address_space *m, struct cache_page *p)
{
	unsigned long bytes = page_nr(p) * PAGE_SIZE;

	storage_read(bytes);
	m->read_bytes += bytes;
	if (gsl_rng_uniform(this_cpu()->rng) < mm_tunables.read_error)
		return false;
	p->uptodate = true;
	return true;
}

/*
 * page_cache_sync_readahead(): allocate the window's missing pages, put
 * them in the cache locked, read them in one request, unlock them.
 */
static void page_cache_sync_readahead(struct address_space *m, pgoff_t index)
{
	pgoff_t window = mm_tunables.ra_bytes / PAGE_SIZE, n = 0;
	struct cache_page **pages;

	if (window < 1)
		window = 1;
	if (index + window > m->nr_pages)
		window = m->nr_pages - index;
	pages = calloc(window, sizeof(*pages));
	for (pgoff_t i = index; i < index + window; i++) {
		struct cache_page *p;

		if (m->i_pages[i])
			continue; /* cached already: the window goes on past it */
		p = page_alloc_cache(i, 0);
		p->pfn = alloc_page();
		p->locked = true;
		if (add_to_page_cache(m, p)) {
			page_cache_discard(p);
			continue;
		}
		pages[n++] = p;
	}
	if (n) {
		bool ok;

		storage_read(n * PAGE_SIZE);
		m->read_bytes += n * PAGE_SIZE;
		ok = gsl_rng_uniform(this_cpu()->rng) >= mm_tunables.read_error;
		for (pgoff_t i = 0; i < n; i++) {
			pages[i]->uptodate = ok;
			unlock_page(pages[i]);
		}
	}
	free(pages);
}

/*
 * shmem_getpage() on a hole: a new zeroed page, added to the cache locked
 * and up to date.  NULL if another CPU added one first.
 */
static struct cache_page *shmem_alloc_hole(struct address_space *m, pgoff_t index)
{
	struct cache_page *p;

	p = page_alloc_cache(index, 0);
	p->pfn = alloc_page();
	clear_page();
	p->data = page_mark_now(); /* the zeroing left it in our caches */
	p->uptodate = true;
	if (add_to_page_cache(m, p)) {
		page_cache_discard(p);
		return NULL;
	}
	lru_cache_add(1);
	return p;
}

/* filemap_fault(): the page, locked and up to date, in vmf->page. */
vm_fault_t filemap_fault(struct vm_fault *vmf)
{
	struct address_space *m = &vmf->vma->vm_file->f_mapping;
	struct cache_page *page = find_get_page(m, vmf->pgoff);
	vm_fault_t ret = 0;

	if (vmf->pgoff >= m->nr_pages)
		return VM_FAULT_SIGBUS;
	if (!page && m->holes) {
		shmem_alloc_hole(m, vmf->pgoff);
		page = find_get_page(m, vmf->pgoff);
	}
	if (!page) {
		count_vm_event(PGMAJFAULT);
		ret = VM_FAULT_MAJOR;
		page_cache_sync_readahead(m, vmf->pgoff);
		page = find_get_page(m, vmf->pgoff);
		if (!page)
			return VM_FAULT_SIGBUS;
	}
	lock_page(page);
	if (!page->uptodate) {
		/* A failed read: try once more, as filemap_fault() does. */
		if (!readpage(m, page)) {
			unlock_page(page);
			return VM_FAULT_SIGBUS;
		}
	}
	vmf->page = page;
	return ret | VM_FAULT_LOCKED;
}

struct cache_page *vma_cache_page(struct vm_area_struct *vma, unsigned long address)
{
	struct address_space *m = &vma->vm_file->f_mapping;
	pgoff_t pgoff = ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;

	return pgoff < m->nr_pages ? m->i_pages[pgoff] : NULL;
}

void set_page_dirty(struct cache_page *page)
{
	/* TestSetPageDirty(): the bit is read first; only the first write dirties. */
	cacheline_read(&page->flags);
	if (page->dirty)
		return;
	cacheline_rmw(&page->flags);
	page->dirty = true;
	count_vm_event(NR_DIRTIED);
}

/*
 * alloc_set_pte() for a base page under the PTL: the private copy of a
 * COW fault (anonymous from now on) or the page-cache page itself, whose
 * _mapcount page_add_file_rmap() raises.
 */
vm_fault_t alloc_set_pte(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;

	if (pmd_none(*vmf->pmd) && __pte_alloc(mm, vmf->pmd))
		return VM_FAULT_OOM;
	if (pmd_trans_huge(*vmf->pmd))
		return VM_FAULT_NOPAGE; /* a huge page got there first */
	vmf->ptl = pte_lockptr(mm, vmf->pmd);
	spin_lock(vmf->ptl);
	/* Another CPU mapped it first. */
	if (pte_present(vmf->pmd->table, vmf->address)) {
		spin_unlock(vmf->ptl);
		return VM_FAULT_NOPAGE;
	}
	if (vmf->cow) {
		page_add_new_anon_rmap(vmf->cow_pfn);
		set_pte_at(mm, vmf->address, vmf->pmd->table, vmf->cow_pfn);
	} else {
		cacheline_rmw(&vmf->page->flags); /* page_add_file_rmap() */
		set_pte_file_at(mm, vmf->address, vmf->pmd->table);
	}
	spin_unlock(vmf->ptl);
	return 0;
}

/*
 * filemap_page_mkwrite(): a shared page about to be written: the inode's
 * times updated, the page locked and dirtied.  Returns it locked.
 */
static vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf)
{
	struct address_space *m = &vmf->vma->vm_file->f_mapping;

	cacheline_rmw(&m->i_times); /* file_update_time() */
	lock_page(vmf->page);
	set_page_dirty(vmf->page);
	return VM_FAULT_LOCKED;
}

/*
 * filemap_map_pages(): map the cached neighbours of the fault, the ones up
 * to date and not locked, in one pass under the PTL (fault-around).
 */
void filemap_map_pages(struct vm_fault *vmf, pgoff_t start, pgoff_t end)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *m = &vma->vm_file->f_mapping;
	struct mm_struct *mm = vma->vm_mm;
	struct pte_table *t = vmf->pmd->table;
	spinlock_t *ptl;

	if (!t)
		return;
	int mapped = 0;

	ptl = pte_lockptr(mm, vmf->pmd);
	spin_lock(ptl);
	for (pgoff_t pgoff = start; pgoff <= end; pgoff++) {
		unsigned long addr = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		struct cache_page *p = pgoff < m->nr_pages ? m->i_pages[pgoff] : NULL;

		/* A huge page's subpages map by PTE too, when the PMD could not. */
		if (!p || pte_present(t, addr))
			continue;
		cacheline_rmw(&p->flags); /* trylock_page() */
		if (!p->uptodate || p->locked)
			continue;
		cacheline_rmw(&p->flags); /* page_add_file_rmap() */
		set_pte_file_at(mm, addr, t);
		count_vm_event(FAULT_AROUND_MAPPED);
		mapped++;
	}
	spin_unlock(ptl);
	trace_arg_num("pages mapped around", mapped);
}

const struct vm_operations_struct generic_file_vm_ops = {
    .name = "generic_file_vm_ops",
    .fault = filemap_fault,
    .huge_fault = filemap_huge_fault,
    .map_pages = filemap_map_pages,
    .page_mkwrite = filemap_page_mkwrite,
};

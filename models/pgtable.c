/* models/pgtable.c - page tables: walking, allocating, locking, freeing.
 *
 * pmd_alloc()/__pte_alloc() follow mm/memory.c: allocate the new table
 * first, then publish it under the lock that guards the entry, and free
 * it if another CPU published one meanwhile.  pte_lockptr() is the split
 * PTL of the page-table page (USE_SPLIT_PTE_PTLOCKS) or, with
 * [kernel] ptl = mm, mm->page_table_lock for every table; pmd_lockptr()
 * likewise with split PMD locks.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define PTE_TABLE_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTE_TABLE_CACHE 0
#endif
#endif
#ifndef PTE_TABLE_CACHE
#define PTE_TABLE_CACHE 1
#endif

#include "cost.h"
#include "mm.h"
#include "page_alloc.h"
#include "vmstat.h"

void mm_line_init(struct mm_struct *mm, struct cacheline *line)
{
	cacheline_init(line);
	if (mm->private_cpu >= 0)
		cacheline_set_private(line, mm->private_cpu);
}

void mm_lock_init(struct mm_struct *mm, spinlock_t *lock, const char *name)
{
	spin_lock_init(lock, name);
	if (mm->private_cpu >= 0)
		spin_lock_set_private(lock, mm->private_cpu);
}

static struct pmd_table **pud_offset(struct mm_struct *mm, unsigned long address)
{
	return &mm->pud[(address >> PUD_SHIFT) & (PTRS_PER_PUD - 1)];
}

/* NULL while the pud entry is none. */
pmd_t *pmd_offset(struct mm_struct *mm, unsigned long address)
{
	struct pmd_table *t = *pud_offset(mm, address);

	cpu_work(cycles(3 * COST_WALK_LEVEL)); /* pgd, p4d, pud */
	if (!t)
		return NULL;
	return &t->pmd[(address >> PMD_SHIFT) & (PTRS_PER_PMD - 1)];
}

static struct pmd_table *pmd_table_alloc(struct mm_struct *mm)
{
	size_t size = (sizeof(struct pmd_table) + PMD_TABLE_ALIGN - 1) & ~(PMD_TABLE_ALIGN - 1UL);
	struct pmd_table *t = aligned_alloc(PMD_TABLE_ALIGN, size);

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < PTRS_PER_PMD / PTES_PER_LINE; i++)
		mm_line_init(mm, &t->lines[i]);
	mm_lock_init(mm, &t->ptl, "pmd_lock");
	return t;
}

void pmd_table_free(struct pmd_table *t)
{
	for (int i = 0; i < PTRS_PER_PMD / PTES_PER_LINE; i++)
		cacheline_destroy(&t->lines[i]);
	spin_lock_destroy(&t->ptl);
	free(t);
}

/* __pmd_alloc(): a pmd table for the pud entry, under page_table_lock. */
pmd_t *pmd_alloc(struct mm_struct *mm, unsigned long address)
{
	struct pmd_table **pud = pud_offset(mm, address);
	struct pmd_table *new;
	unsigned long pfn;

	if (*pud)
		return pmd_offset(mm, address);
	pfn = alloc_page();
	clear_page();
	new = pmd_table_alloc(mm);
	new->table_pfn = (unsigned int)pfn;
	spin_lock(&mm->page_table_lock);
	if (!*pud) {
		*pud = new;
		new = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (new) {
		pmd_table_free(new);
		free_page(pfn);
		count_vm_event(PGTABLE_FREE);
	}
	return pmd_offset(mm, address);
}

spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	if (mm_tunables.ptl == PTL_MM)
		return &mm->page_table_lock;
	return &pmd->table->ptl;
}

spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	if (mm_tunables.ptl == PTL_MM)
		return &mm->page_table_lock;
	return &pmd_table_of_entry(pmd)->ptl;
}

/* READ_ONCE(*pmd): its line of the pmd table. */
pmd_t pmd_read(pmd_t *pmd)
{
	cacheline_read(pmd_line(pmd));
	return *pmd;
}

/* Write a pmd entry, holding its lock. */
void pmd_write(pmd_t *pmd, pmd_t val)
{
	cacheline_rmw(pmd_line(pmd));
	*pmd = val;
}

/*
 * The host memory of page-table pages: a cache of freed tables, refilled
 * 2 MiB at a time in memory advised for huge pages.  A run that faults in
 * gigabytes allocates thousands of tables, each over a host page; where
 * the host has huge pages a chunk costs it one host fault instead of two
 * a table, and a table munmap() freed serves the next fault.  The chunks
 * stay for the process's life, listed so that they remain reachable.
 * Under AddressSanitizer tables come from calloc() and go back to free(),
 * so that a use after free is caught however soon the memory is reused.
 */
#define PTE_TABLE_CHUNK (2UL << 20)

struct pte_table_chunk {
	struct pte_table_chunk *next;
};

static struct pte_table *pte_table_cache;
static struct pte_table_chunk *pte_table_chunks;

static void pte_table_refill(void)
{
	struct pte_table_chunk *c = aligned_alloc(PTE_TABLE_CHUNK, PTE_TABLE_CHUNK);
	char *p = (char *)c + sizeof(struct pte_table);
	char *end = (char *)c + PTE_TABLE_CHUNK;

	if (!c) {
		perror("faultsim: page tables");
		abort();
	}
	madvise(c, PTE_TABLE_CHUNK, MADV_HUGEPAGE);
	/* The first slot holds the chunk list's link. */
	c->next = pte_table_chunks;
	pte_table_chunks = c;
	for (; p + sizeof(struct pte_table) <= end; p += sizeof(struct pte_table)) {
		struct pte_table *t = (struct pte_table *)p;

		t->free_next = pte_table_cache;
		pte_table_cache = t;
	}
}

static struct pte_table *pte_table_get(void)
{
	struct pte_table *t;

	if (!PTE_TABLE_CACHE)
		return calloc(1, sizeof(*t));
	if (!pte_table_cache)
		pte_table_refill();
	t = pte_table_cache;
	pte_table_cache = t->free_next;
	memset(t, 0, sizeof(*t));
	return t;
}

static void pte_table_put(struct pte_table *t)
{
	if (!PTE_TABLE_CACHE) {
		free(t);
		return;
	}
	t->free_next = pte_table_cache;
	pte_table_cache = t;
}

/*
 * __pte_alloc(): allocate and zero a page-table page, then populate the
 * pmd under the pmd lock unless someone did first.
 */
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	struct pte_table *new = pte_table_get();
	spinlock_t *ptl = pmd_lockptr(mm, pmd);

	new->table_pfn = (unsigned int)alloc_page();
	clear_page();
	/* pgtable_page_ctor(): the split PTL lives in the table's struct page. */
	mm_lock_init(mm, &new->ptl, "ptl");
	for (int i = 0; i < PTRS_PER_PTE / PTES_PER_LINE; i++)
		mm_line_init(mm, &new->lines[i]);
	count_vm_event(PGTABLE_ALLOC);
	spin_lock(ptl);
	if (pmd_none(*pmd)) { /* Has another populated it? */
		pmd_write(pmd, (pmd_t){.table = new});
		new = NULL;
	}
	spin_unlock(ptl);
	if (new)
		pte_free(new);
	return 0;
}

void pte_free(struct pte_table *table)
{
	unsigned long pfn = table->table_pfn;

	spin_lock_destroy(&table->ptl);
	for (int i = 0; i < PTRS_PER_PTE / PTES_PER_LINE; i++)
		cacheline_destroy(&table->lines[i]);
	pte_table_put(table);
	free_page(pfn);
	count_vm_event(PGTABLE_FREE);
}

static void __set_pte(unsigned long address, struct pte_table *t)
{
	int i = pte_index(address);

	/* The entry's line, from whoever wrote or read its neighbours last. */
	cacheline_rmw(pte_line(t, address));
	t->present[i / BITS_PER_LONG_MM] |= 1UL << (i % BITS_PER_LONG_MM);
	t->nr_present++;
	cpu_work(cycles(COST_SET_PTE));
}

void set_pte_at(struct mm_struct *mm, unsigned long address, struct pte_table *t, unsigned long pfn)
{
	__set_pte(address, t);
	t->pfn[pte_index(address)] = (unsigned int)pfn;
	mm->rss++;
}

void set_pte_file_at(struct mm_struct *mm, unsigned long address, struct pte_table *t)
{
	int i = pte_index(address);

	__set_pte(address, t);
	t->file[i / BITS_PER_LONG_MM] |= 1UL << (i % BITS_PER_LONG_MM);
	mm->rss++;
}

/* The zero page is nobody's: it counts in no RSS counter. */
void set_pte_zero_at(unsigned long address, struct pte_table *t)
{
	int i = pte_index(address);

	__set_pte(address, t);
	t->special[i / BITS_PER_LONG_MM] |= 1UL << (i % BITS_PER_LONG_MM);
}

void pte_clear(struct mm_struct *mm, unsigned long address, struct pte_table *t)
{
	int i = pte_index(address);

	if (!pte_special(t, address))
		mm->rss--;
	t->present[i / BITS_PER_LONG_MM] &= ~(1UL << (i % BITS_PER_LONG_MM));
	t->file[i / BITS_PER_LONG_MM] &= ~(1UL << (i % BITS_PER_LONG_MM));
	t->special[i / BITS_PER_LONG_MM] &= ~(1UL << (i % BITS_PER_LONG_MM));
	t->nr_present--;
}

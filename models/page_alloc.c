/* models/page_alloc.c - page frames, the buddy allocator, per-CPU lists, memcg and the LRU.
 *
 * After Linux 5.1, the kernel the SPF v12 series was based on:
 *  - Each node has one zone, and the zone a struct page per frame
 *    (mem_map).  Its buddy allocator keeps free blocks of 2^order frames,
 *    order 0 to MAX_ORDER - 1, on a list per order.  __rmqueue_smallest()
 *    takes the first block of the smallest order that has one and splits
 *    it (expand(), the upper halves back on the lists); __free_one_page()
 *    merges a freed block with its buddy (pfn ^ (1 << order)) for as long
 *    as the buddy is free at the same order, and puts the result at the
 *    tail of its list when the next buddy up is free too
 *    (buddy_merge_likely()), at the head otherwise.
 *  - rmqueue_pcplist(): IRQs off, a page off the per-CPU list; an empty
 *    list is refilled with pcp->batch pages under zone->lock
 *    (rmqueue_bulk()); freeing past pcp->high returns batch pages, the
 *    oldest first (free_pcppages_bulk()), whose order-0 buddies are
 *    prefetched before the lock is taken (prefetch_buddy(), 4.18 to 5.x).
 *    A CPU keeps a list per zone: a page goes back to its own node's
 *    zone, through the freeing CPU's list for that zone.  zone_batchsize()
 *    gives 63 on zones of a GiB or more since 4.19's d8a759b57035 ("mm,
 *    page_alloc: double zone's batchsize", Aaron Lu: zone->lock contention
 *    in page_fault1): 1 MiB is 256 pages, / 4 = 64, rounddown_pow_of_two(64
 *    + 32) - 1.  high = 6 * batch is the rule up to 5.13; 5.14 sizes high
 *    from the zone's low watermark and doubles free batches while a CPU
 *    only frees (nr_pcp_free()), 6.7 tunes high at run time: not
 *    modelled, so the rows of later kernels run this allocator.
 *  - try_charge(): a per-CPU stock of charge; an empty stock charges
 *    MEMCG_CHARGE_BATCH (32) pages at once with an atomic on the
 *    memcg's page_counter.  Uncharging a list of freed pages is one
 *    atomic (uncharge_batch()).
 *  - lru_cache_add(): a per-CPU pagevec of PAGEVEC_SIZE (15) pages
 *    drained under the node's lru_lock; release_pages() takes lru_lock
 *    once per SWAP_CLUSTER_MAX (32) pages.
 * Each CPU allocates from its own node.
 *
 * What a page costs under those locks is mostly cache misses on struct
 * pages: the page's own, its buddy's, and its list neighbours', each
 * written last by the CPU that freed, split, merged or mapped it, or by
 * nobody since boot (then it is in memory).  Every struct page remembers
 * its last writer and that CPU's cache traffic then (sim/cache.h); a touch
 * is a hit while the line is still in our caches, a transfer while it is
 * in the writer's, and a memory access once it has been pushed out.  The
 * free lists' heads are lines of the simulation, passed from one
 * zone->lock holder to the next.  All of it is paid inside the lock:
 * zone->lock holds grow with the batch, with how much merging and
 * splitting the batch does, and with how far and how long ago the
 * struct pages were written.  The instructions each page takes
 * (cost_buddy_page, cost_lru_page) are the core's pipeline work: a busy
 * SMT sibling stretches them, as it stretches any local work, while the
 * misses cost what they cost.  The LRU is tracked coarser, as runs of
 * pages one CPU added, in list order, from newest to oldest.
 *
 * The zone's memory beyond what it has handed out is free since boot, in
 * MAX_ORDER - 1 blocks: the model gives a block its struct pages when the
 * lists have nothing smaller left, which is when the kernel would split
 * one, so a simulation holds struct pages only for the memory it touches.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, MADV_HUGEPAGE */
#include "page_alloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "cost.h"
#include "mm.h"
#include "vmstat.h"

#define PCP_BATCH	   63
#define PCP_HIGH	   (6 * PCP_BATCH)
#define MEMCG_CHARGE_BATCH 32
#define PAGEVEC_SIZE	   15
#define SWAP_CLUSTER_MAX   32

/*
 * A node's frames: up to 256 GiB of 4 KiB pages, numbered from node <<
 * PFN_NODE_SHIFT, so that 64 nodes' fit the 32 bits a page table keeps.
 */
#define PFN_NODE_SHIFT 26
#define NO_FRAME       UINT_MAX

/* page->order of a page that heads no free block: in use, or on a per-CPU list. */
#define PAGE_IN_USE -1
#define PAGE_ON_PCP -2

struct page {
	float stamp;		 /* its last writer's cache traffic then */
	short cpu;		 /* its last writer; -1: nobody since boot */
	short mapper;		 /* the CPU whose LRU list it went on */
	unsigned int prev, next; /* on a free list: the neighbours' frames */
	signed char order;	 /* PageBuddy(): heads a free block of this order; or PAGE_* */
};

struct free_area {
	unsigned int first, last; /* frames, NO_FRAME: empty */
	unsigned long nr_free;
	struct cacheline line; /* the list head and nr_free */
};

/* Pages whose struct pages one CPU wrote last, consecutive on the LRU. */
struct page_run {
	int cpu;      /* -1: nobody since boot */
	double stamp; /* its cache traffic when it wrote them */
	int nr;
	struct page_run *prev, *next; /* newer, older */
	struct page_run *cpu_newer;   /* the same CPU's next newer run */
};

struct zone {
	int node;
	spinlock_t lock;
	struct free_area free_area[MAX_ORDER];
	struct page *mem_map; /* a struct page per frame handed out so far */
	unsigned int spanned, mem_map_cap;
	spinlock_t lru_lock;	    /* pgdat->lru_lock */
	struct cacheline lru_head;  /* the lruvec's list head */
	struct page_run *lru_first; /* newest */
};

/* A CPU's list for one zone: frames in a ring, list[head] first. */
struct per_cpu_pages {
	int count, head;
	unsigned int *list;
};

/* What a CPU keeps besides its lists. */
struct per_cpu_state {
	int stock;    /* memcg_stock_pcp.nr_pages */
	int lru_pvec; /* pages in the lru_add pagevec */
	/* This CPU's runs on its node's LRU, oldest first. */
	struct page_run *lru_oldest, *lru_newest;
};

struct mem_cgroup {
	struct cacheline counter; /* page_counter usage */
	long usage;
};

static struct zone *zones;
static struct per_cpu_pages *pcp; /* [cpu * sockets + node] */
static struct per_cpu_state *pcs;
static struct mem_cgroup memcg;

void page_alloc_init(void)
{
	int nodes = sim_machine->sockets;

	SIM_BUG_ON((unsigned long)nodes << PFN_NODE_SHIFT > 1UL << 32,
		   "%d nodes' frame numbers overflow 32 bits", nodes);
	zones = calloc(nodes, sizeof(*zones));
	for (int i = 0; i < nodes; i++) {
		struct zone *z = &zones[i];

		z->node = i;
		spin_lock_init(&z->lock, "zone->lock");
		spin_lock_init(&z->lru_lock, "lru_lock");
		cacheline_init(&z->lru_head);
		for (int o = 0; o < MAX_ORDER; o++) {
			z->free_area[o].first = z->free_area[o].last = NO_FRAME;
			cacheline_init(&z->free_area[o].line);
		}
	}
	pcp = calloc((size_t)nr_cpu_ids * nodes, sizeof(*pcp));
	pcs = calloc(nr_cpu_ids, sizeof(*pcs));
	cacheline_init(&memcg.counter);
	memcg.usage = 0;
}

static struct zone *this_zone(void)
{
	return &zones[this_cpu()->socket];
}

static struct zone *page_zone(unsigned long pfn)
{
	return &zones[pfn >> PFN_NODE_SHIFT];
}

static unsigned int pfn_index(unsigned long pfn)
{
	return (unsigned int)(pfn & ((1UL << PFN_NODE_SHIFT) - 1));
}

static unsigned long page_to_pfn(const struct zone *z, unsigned int idx)
{
	return (unsigned long)z->node << PFN_NODE_SHIFT | idx;
}

/* free_pages_check(): only a page in use can be freed; a second free is a bug. */
static void free_pages_check(const struct zone *z, unsigned int idx)
{
	SIM_BUG_ON(idx >= z->spanned || z->mem_map[idx].order != PAGE_IN_USE,
		   "node %d frame %#x freed but not in use", z->node, idx);
}

static struct per_cpu_pages *this_pcp(const struct zone *z)
{
	return &pcp[smp_processor_id() * sim_machine->sockets + z->node];
}

/*
 * Touching a struct page that cpu wrote last, leaving stamp (-1: nobody,
 * it is in the node's memory): a hit while it is still in our caches, a
 * transfer from the writer's, or a memory access once the writer has
 * moved its caches' worth of other data since.
 */
static double struct_page_miss(int cpu, double stamp, const struct zone *z)
{
	double ns = cache_refetch(cpu, stamp, smp_processor_id(), z->node);

	if (ns > 0)
		cache_fill(64);
	return ns;
}

/* A load the code waits for: page_is_buddy(), the list pointers it follows. */
static double page_read(const struct zone *z, unsigned int idx)
{
	const struct page *page = &z->mem_map[idx];

	return struct_page_miss(page->cpu, page->stamp, z);
}

/* A write leaves the line in our caches: the next touch finds it here. */
static double page_write(struct zone *z, unsigned int idx)
{
	struct page *page = &z->mem_map[idx];
	double ns = struct_page_miss(page->cpu, page->stamp, z);
	int me = smp_processor_id();

	page->cpu = (short)me;
	page->stamp = (float)cache_stamp(me);
	return ns;
}

/* ---- the free lists ---- */

static void free_list_link(struct zone *z, unsigned int idx, int order, bool tail)
{
	struct free_area *area = &z->free_area[order];
	struct page *page = &z->mem_map[idx];

	page->order = (signed char)order;
	if (tail) {
		page->prev = area->last;
		page->next = NO_FRAME;
		if (area->last != NO_FRAME)
			z->mem_map[area->last].next = idx;
		else
			area->first = idx;
		area->last = idx;
	} else {
		page->next = area->first;
		page->prev = NO_FRAME;
		if (area->first != NO_FRAME)
			z->mem_map[area->first].prev = idx;
		else
			area->last = idx;
		area->first = idx;
	}
	area->nr_free++;
}

static void free_list_unlink(struct zone *z, unsigned int idx, int order)
{
	struct free_area *area = &z->free_area[order];
	struct page *page = &z->mem_map[idx];

	if (page->prev != NO_FRAME)
		z->mem_map[page->prev].next = page->next;
	else
		area->first = page->next;
	if (page->next != NO_FRAME)
		z->mem_map[page->next].prev = page->prev;
	else
		area->last = page->prev;
	page->order = PAGE_IN_USE;
	area->nr_free--;
}

/* add_to_free_list(): the page, the entry it goes next to, and the list head. */
static void add_to_free_list(struct zone *z, unsigned int idx, int order, bool tail)
{
	struct free_area *area = &z->free_area[order];
	unsigned int next_to = tail ? area->last : area->first;
	double ns = page_write(z, idx);

	if (next_to != NO_FRAME)
		ns += page_write(z, next_to);
	cpu_account(ns);
	cacheline_rmw_next(&area->line);
	free_list_link(z, idx, order, tail);
}

/* del_page_from_free_list(): list_del() writes the page and both neighbours. */
static void del_page_from_free_list(struct zone *z, unsigned int idx, int order)
{
	const struct page *page = &z->mem_map[idx];
	double ns = page_write(z, idx);

	if (page->prev != NO_FRAME)
		ns += page_write(z, page->prev);
	if (page->next != NO_FRAME)
		ns += page_write(z, page->next);
	cpu_account(ns);
	cacheline_rmw_next(&z->free_area[order].line);
	free_list_unlink(z, idx, order);
}

/*
 * mem_map lives in address space reserved at the first growth for every
 * frame the node can number, aligned to and advised for huge pages, so
 * that where the host has them a long run takes a host fault every 2 MiB
 * of struct pages rather than every 200 frames, and growing never copies.
 * The reservation is PROT_NONE, which strict overcommit does not charge;
 * growth makes the next doubling writable.
 */
#define MEM_MAP_ALIGN (2UL << 20)

static void mem_map_grow(struct zone *z, unsigned int cap)
{
	size_t reserve = (1UL << PFN_NODE_SHIFT) * sizeof(*z->mem_map);
	size_t bytes = (size_t)cap * sizeof(*z->mem_map);

	if (!z->mem_map) {
		char *map = mmap(NULL, reserve + MEM_MAP_ALIGN, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (map == MAP_FAILED) {
			perror("faultsim: mem_map");
			abort();
		}
		map += -(unsigned long)map & (MEM_MAP_ALIGN - 1);
		madvise(map, reserve, MADV_HUGEPAGE);
		z->mem_map = (struct page *)map;
	}
	bytes = (bytes + MEM_MAP_ALIGN - 1) & ~(MEM_MAP_ALIGN - 1);
	if (mprotect(z->mem_map, bytes < reserve ? bytes : reserve, PROT_READ | PROT_WRITE)) {
		perror("faultsim: mem_map");
		abort();
	}
	z->mem_map_cap = cap;
}

/* Struct pages for one more block of the zone's untouched memory. */
static void zone_grow(struct zone *z)
{
	unsigned int idx = z->spanned, n = 1U << (MAX_ORDER - 1);

	if (idx + n > 1U << PFN_NODE_SHIFT) {
		fprintf(stderr, "faultsim: node %d: the model numbers at most 256 GiB of frames\n",
			z->node);
		abort();
	}
	if (idx + n > z->mem_map_cap)
		mem_map_grow(z, z->mem_map_cap ? 2 * z->mem_map_cap : 64 * n);
	for (unsigned int i = idx; i < idx + n; i++)
		z->mem_map[i] = (struct page){.cpu = -1,
					      .mapper = -1,
					      .prev = NO_FRAME,
					      .next = NO_FRAME,
					      .order = PAGE_IN_USE};
	z->spanned += n;
	/* Boot freed it: nobody pays for putting it on the list. */
	free_list_link(z, idx, MAX_ORDER - 1, true);
}

/* expand(): the upper halves of a split block go back on the lists. */
static void expand(struct zone *z, unsigned int idx, int low, int high)
{
	while (high > low) {
		high--;
		add_to_free_list(z, idx + (1U << high), high, false);
	}
}

/* __rmqueue_smallest(): a block of the smallest order that has one, split to order. */
static unsigned int __rmqueue_smallest(struct zone *z, int order)
{
	for (;;) {
		for (int o = order; o < MAX_ORDER; o++) {
			unsigned int idx = z->free_area[o].first;

			/* get_page_from_free_area() */
			cacheline_read_next(&z->free_area[o].line);
			if (idx == NO_FRAME)
				continue;
			del_page_from_free_list(z, idx, o);
			expand(z, idx, order, o);
			return idx;
		}
		zone_grow(z);
	}
}

/*
 * buddy_merge_likely(): the block's buddy one order up is free, so the
 * block is likely to merge with it soon; it goes to the tail of its list,
 * where it is handed out last.
 */
static bool buddy_merge_likely(struct zone *z, unsigned int idx, int order)
{
	unsigned int higher_buddy;

	if (order >= MAX_ORDER - 2)
		return false;
	higher_buddy = (idx & ~(1U << order)) ^ (1U << (order + 1));
	cpu_account(page_read(z, higher_buddy));
	return z->mem_map[higher_buddy].order == order + 1;
}

/* __free_one_page(): merge with the buddy while it is free at our order. */
static void __free_one_page(struct zone *z, unsigned int idx, int order)
{
	while (order < MAX_ORDER - 1) {
		unsigned int buddy = idx ^ (1U << order);

		/* page_is_buddy(): the buddy's struct page says whether it is free. */
		cpu_account(page_read(z, buddy));
		if (z->mem_map[buddy].order != order)
			break;
		del_page_from_free_list(z, buddy, order);
		idx &= buddy;
		order++;
	}
	add_to_free_list(z, idx, order, buddy_merge_likely(z, idx, order));
}

/* ---- the per-CPU lists ---- */

static unsigned int pcp_at(const struct per_cpu_pages *p, int i)
{
	return p->list[(p->head + i) % PCP_HIGH];
}

static void pcp_add(struct per_cpu_pages *p, unsigned int idx, bool tail)
{
	if (!p->list && !(p->list = malloc(PCP_HIGH * sizeof(*p->list)))) {
		perror("faultsim: per-CPU list");
		abort();
	}
	if (tail) {
		p->list[(p->head + p->count) % PCP_HIGH] = idx;
	} else {
		p->head = (p->head + PCP_HIGH - 1) % PCP_HIGH;
		p->list[p->head] = idx;
	}
	p->count++;
}

static unsigned int pcp_take_head(struct per_cpu_pages *p)
{
	unsigned int idx = p->list[p->head];

	p->head = (p->head + 1) % PCP_HIGH;
	p->count--;
	return idx;
}

static unsigned int pcp_take_tail(struct per_cpu_pages *p)
{
	p->count--;
	return pcp_at(p, p->count);
}

/* Under one of the node's locks, taken IRQs off (spin_lock_irqsave). */
static void zone_lock(spinlock_t *lock, unsigned long *flags)
{
	local_irq_save(*flags);
	spin_lock(lock);
}

static void zone_unlock(spinlock_t *lock, unsigned long flags)
{
	spin_unlock(lock);
	local_irq_restore(flags);
}

/* rmqueue_bulk(): refill this CPU's list, each page onto its tail. */
static void rmqueue_bulk(struct zone *z, int count, struct per_cpu_pages *p)
{
	unsigned long flags;

	zone_lock(&z->lock, &flags);
	for (int i = 0; i < count; i++) {
		unsigned int idx = __rmqueue_smallest(z, 0);

		cpu_work(cycles(COST_BUDDY_PAGE));
		z->mem_map[idx].order = PAGE_ON_PCP;
		pcp_add(p, idx, true);
	}
	zone_unlock(&z->lock, flags);
}

/*
 * free_pcppages_bulk(): count pages off the tail of the list, their
 * buddies prefetched, then each merged under zone->lock.  The prefetches'
 * misses overlap as far as the core's fill buffers let them; the stores
 * inside the lock are paid in full: x86 commits them in order, and the
 * unlock's store becomes visible only after every one before it.
 */
static void free_pcppages_bulk(struct zone *z, int count, struct per_cpu_pages *p)
{
	unsigned int frames[PCP_BATCH];
	unsigned long flags;
	double prefetch = 0;

	for (int i = 0; i < count; i++) {
		frames[i] = pcp_take_tail(p);
		z->mem_map[frames[i]].order = PAGE_IN_USE;
		cpu_account(page_write(z, frames[i]));
		prefetch += page_write(z, frames[i] ^ 1);
	}
	cpu_account(prefetch / sim_machine->fill_buffers);
	zone_lock(&z->lock, &flags);
	for (int i = 0; i < count; i++) {
		cpu_work(cycles(COST_BUDDY_PAGE));
		__free_one_page(z, frames[i], 0);
	}
	zone_unlock(&z->lock, flags);
}

unsigned long alloc_page(void)
{
	struct zone *z = this_zone();
	struct per_cpu_pages *p = this_pcp(z);
	unsigned int idx;
	double ns;

	if (!p->count)
		rmqueue_bulk(z, PCP_BATCH, p);
	idx = pcp_take_head(p);
	z->mem_map[idx].order = PAGE_IN_USE;
	/* list_del() off the list, prep_new_page(): the page and the next one's back pointer. */
	ns = page_write(z, idx);
	if (p->count)
		ns += page_write(z, pcp_at(p, 0));
	cpu_account(ns);
	cpu_work(cycles(COST_PCP_ALLOC));
	return page_to_pfn(z, idx);
}

/* free_unref_page_commit(): onto the head of this CPU's list for the page's zone. */
static void free_unref_page_commit(unsigned long pfn)
{
	struct zone *z = page_zone(pfn);
	struct per_cpu_pages *p = this_pcp(z);
	unsigned int idx = pfn_index(pfn);
	double ns;

	free_pages_check(z, idx);
	ns = page_write(z, idx);
	if (p->count)
		ns += page_write(z, pcp_at(p, 0));
	cpu_account(ns);
	cpu_work(cycles(COST_PCP_FREE));
	z->mem_map[idx].order = PAGE_ON_PCP;
	z->mem_map[idx].mapper = -1;
	pcp_add(p, idx, false);
	if (p->count >= PCP_HIGH)
		free_pcppages_bulk(z, PCP_BATCH, p);
}

bool alloc_hugepage(unsigned long *pfn)
{
	struct zone *z = this_zone();
	unsigned long flags;
	unsigned int idx;

	/*
	 * Order 9 is not on the per-CPU lists: __rmqueue() under zone->lock.
	 * A fragmented zone has no free order-9 block and, with the default
	 * defrag setting, the fault does not wait for compaction.
	 */
	if (gsl_rng_uniform(this_cpu()->rng) < mm_tunables.thp_fail)
		return false;
	zone_lock(&z->lock, &flags);
	idx = __rmqueue_smallest(z, HPAGE_PMD_ORDER);
	zone_unlock(&z->lock, flags);
	*pfn = page_to_pfn(z, idx);
	return true;
}

static void count_pgfree(int nr)
{
	for (int i = 0; i < nr; i++)
		count_vm_event(PGFREE);
}

/*
 * __free_pages_ok() of a compound page: free_one_page() under zone->lock.
 * free_pages_prepare()'s checks of the 511 tail struct pages stream
 * through consecutive lines, as prep_compound_page()'s writes did: not
 * priced.
 */
void free_hugepage(unsigned long pfn)
{
	struct zone *z = page_zone(pfn);
	unsigned long flags;

	free_pages_check(z, pfn_index(pfn));
	z->mem_map[pfn_index(pfn)].mapper = -1;
	zone_lock(&z->lock, &flags);
	__free_one_page(z, pfn_index(pfn), HPAGE_PMD_ORDER);
	zone_unlock(&z->lock, flags);
	count_pgfree(HPAGE_PMD_NR);
}

void free_page(unsigned long pfn)
{
	free_unref_page_commit(pfn);
	count_vm_event(PGFREE);
}

unsigned long zone_free_blocks(int node, int order)
{
	return zones[node].free_area[order].nr_free;
}

int mem_cgroup_try_charge(int nr_pages)
{
	struct per_cpu_state *p = &pcs[smp_processor_id()];
	int batch = nr_pages > MEMCG_CHARGE_BATCH ? nr_pages : MEMCG_CHARGE_BATCH;

	/* consume_stock() */
	if (p->stock >= nr_pages) {
		p->stock -= nr_pages;
		return 0;
	}
	/* page_counter_try_charge(&memcg->memory, batch) */
	cacheline_rmw(&memcg.counter);
	memcg.usage += batch;
	p->stock += batch - nr_pages;
	return 0;
}

void mem_cgroup_cancel_charge(int nr_pages)
{
	/* cancel_charge() returns it to the counter at once. */
	cacheline_rmw(&memcg.counter);
	memcg.usage -= nr_pages;
}

/*
 * list_add() or list_del() writes the struct page at the end of an LRU
 * run (none: the list was empty): its line is ours from then on, so the
 * next run unlinked beside it finds it in our L1.
 */
static double run_write(struct page_run *r, const struct zone *z)
{
	int me = smp_processor_id();
	double ns;

	if (!r)
		return struct_page_miss(-1, 0, z);
	ns = struct_page_miss(r->cpu, r->stamp, z);
	r->cpu = me;
	r->stamp = cache_stamp(me);
	return ns;
}

/* __pagevec_lru_add(): this CPU's pagevec onto the head of its node's LRU. */
static void lru_add_drain(int nr)
{
	struct per_cpu_state *p = &pcs[smp_processor_id()];
	struct zone *z = this_zone();
	struct page_run *r = calloc(1, sizeof(*r));
	unsigned long flags;

	zone_lock(&z->lru_lock, &flags);
	/* list_add(): the head and the page it was first before us. */
	cacheline_rmw_next(&z->lru_head);
	cpu_work(nr * cycles(COST_LRU_PAGE));
	cpu_account(run_write(z->lru_first, z));
	*r = (struct page_run){.cpu = smp_processor_id(),
			       .stamp = cache_stamp(smp_processor_id()),
			       .nr = nr,
			       .next = z->lru_first};
	if (z->lru_first)
		z->lru_first->prev = r;
	z->lru_first = r;
	if (p->lru_newest)
		p->lru_newest->cpu_newer = r;
	else
		p->lru_oldest = r;
	p->lru_newest = r;
	zone_unlock(&z->lru_lock, flags);
}

void lru_cache_add(int nr_pages)
{
	struct per_cpu_state *p = &pcs[smp_processor_id()];

	/* A compound page drains the pagevec at once (pagevec_add_and_need_flush). */
	p->lru_pvec++;
	if (p->lru_pvec < PAGEVEC_SIZE && nr_pages == 1)
		return;
	lru_add_drain(p->lru_pvec);
	p->lru_pvec = 0;
}

/* Unlink an emptied run; its neighbours now touch, and our deletion wrote them. */
static double lru_run_unlink(struct zone *z, struct per_cpu_state *owner, struct page_run *r)
{
	double ns = 0;

	/*
	 * The newer neighbour: when it is the owner's next run, its end is the
	 * page the zap releases next, which pays for its line itself.
	 */
	if (r->prev && r->prev != r->cpu_newer)
		ns += run_write(r->prev, z);
	else if (!r->prev)
		cacheline_rmw_next(&z->lru_head);
	if (r->next)
		ns += run_write(r->next, z);
	if (r->prev)
		r->prev->next = r->next;
	else
		z->lru_first = r->next;
	if (r->next)
		r->next->prev = r->prev;
	owner->lru_oldest = r->cpu_newer;
	if (!owner->lru_oldest)
		owner->lru_newest = NULL;
	free(r);
	return ns;
}

/*
 * del_page_from_lru_list() for a page mapper added: the owner's oldest
 * pages go first (a region is unmapped in the order it was faulted).
 * list_del() writes the page's two neighbours.  Inside a run one is the
 * page released next, whose line its own release pays for, and the other
 * the run's outer neighbour, which every list_del() of the run writes
 * again while it sits in our L1: lru_run_unlink() pays for it once.
 */
static double lru_del(struct zone *z, int mapper)
{
	struct per_cpu_state *owner = &pcs[mapper];
	struct page_run *r = owner->lru_oldest;

	cpu_work(cycles(COST_LRU_PAGE));
	/* Still in the owner's pagevec, not yet on the LRU. */
	if (!r)
		return 0;
	if (--r->nr == 0)
		return lru_run_unlink(z, owner, r);
	return 0;
}

void page_add_new_anon_rmap(unsigned long pfn)
{
	struct zone *z = page_zone(pfn);
	unsigned int idx = pfn_index(pfn);

	cpu_account(page_write(z, idx));
	z->mem_map[idx].mapper = (short)smp_processor_id();
}

/*
 * page_remove_rmap() of an anonymous page: the atomic on its mapcount
 * writes its struct page, last written when it was mapped - a whole
 * region of zeroing ago, for a task that faults in a large region and
 * unmaps it.  The zap does it under the PTL.
 */
void page_remove_rmap(unsigned long pfn)
{
	cpu_account(page_write(page_zone(pfn), pfn_index(pfn)) + sim_machine->atomic);
}

/* put_page_testzero() and del_page_from_lru_list(), under the node's lru_lock. */
static double lru_release(struct zone *z, unsigned int idx)
{
	const struct page *page = &z->mem_map[idx];

	SIM_BUG_ON(page->mapper < 0, "node %d frame %#x released but never mapped", z->node, idx);
	return page_write(z, idx) + lru_del(z, page->mapper);
}

/*
 * release_pages(): the pages of a zap.  lru_lock is taken per node, and
 * dropped every SWAP_CLUSTER_MAX pages; then the memcg uncharge, and the
 * pages onto our per-CPU lists (free_unref_page_list()).
 */
void release_pages(const unsigned int *pfns, int nr)
{
	struct zone *locked = NULL;
	unsigned long flags = 0;
	int held = 0;

	if (!nr)
		return;
	for (int i = 0; i < nr; i++) {
		struct zone *z = page_zone(pfns[i]);

		if (locked && (z != locked || held == SWAP_CLUSTER_MAX)) {
			zone_unlock(&locked->lru_lock, flags);
			locked = NULL;
		}
		if (!locked) {
			zone_lock(&z->lru_lock, &flags);
			locked = z;
			held = 0;
		}
		cpu_account(lru_release(z, pfn_index(pfns[i])));
		held++;
	}
	if (locked)
		zone_unlock(&locked->lru_lock, flags);
	/* uncharge_batch(): one page_counter_uncharge() for the list. */
	cacheline_rmw(&memcg.counter);
	memcg.usage -= nr;
	for (int i = 0; i < nr; i++)
		free_unref_page_commit(pfns[i]);
	count_pgfree(nr);
}

void release_hugepage(unsigned long pfn)
{
	struct zone *z = page_zone(pfn);
	unsigned long flags;

	zone_lock(&z->lru_lock, &flags);
	cpu_account(lru_release(z, pfn_index(pfn)));
	zone_unlock(&z->lru_lock, flags);
	cacheline_rmw(&memcg.counter);
	memcg.usage -= HPAGE_PMD_NR;
	free_hugepage(pfn);
}

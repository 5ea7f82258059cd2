/* models/page_alloc.c - per-CPU lists, zones, memcg charges and the LRU.
 *
 * After Linux 5.1, the kernel the SPF v12 series was based on:
 *  - rmqueue_pcplist(): IRQs off, a page off the per-CPU list; an empty
 *    list is refilled with pcp->batch pages under zone->lock
 *    (rmqueue_bulk()); freeing past pcp->high returns batch pages
 *    (free_pcppages_bulk()).  zone_batchsize() gives 63 on zones of a
 *    GiB or more since 4.19's d8a759b57035 ("mm, page_alloc: double
 *    zone's batchsize", Aaron Lu: zone->lock contention in page_fault1):
 *    1 MiB is 256 pages, / 4 = 64, rounddown_pow_of_two(64 + 32) - 1.
 *    high = 6 * batch is the rule up to 5.13; 5.14 sizes high from the
 *    zone's low watermark and doubles free batches while a CPU only
 *    frees (nr_pcp_free()), 6.7 tunes high at run time: not modelled, so
 *    the rows of later kernels run this allocator.
 *  - try_charge(): a per-CPU stock of charge; an empty stock charges
 *    MEMCG_CHARGE_BATCH (32) pages at once with an atomic on the
 *    memcg's page_counter.  Uncharging a list of freed pages is one
 *    atomic (uncharge_batch()).
 *  - lru_cache_add(): a per-CPU pagevec of PAGEVEC_SIZE (15) pages
 *    drained under the node's lru_lock; release_pages() takes lru_lock
 *    once per SWAP_CLUSTER_MAX (32) pages.
 * A node is a socket: each CPU allocates from its own.
 *
 * What a page costs under those locks is mostly cache misses on its
 * struct page: written last by the CPU that freed it, or added it to the
 * LRU, or mapped or unmapped it, or by nobody since boot (then it is in
 * memory).  Pages are tracked as runs of pages one CPU wrote last, in list
 * order, each with that CPU's cache traffic then (sim/cache.h): the buddy
 * free lists as a stack (LIFO, as the kernel hands out the hottest pages),
 * each node's LRU as a list from newest to oldest.  Moving a page touches
 * its own struct page and its list neighbours'; each touch is a hit while
 * the line is still in our caches, a transfer while it is in the writer's,
 * and a memory access once it has been pushed out, and all of it is paid
 * inside the lock: zone->lock and lru_lock holds grow with the batch and
 * with how far, and how long ago, the pages come from.
 */
#include "page_alloc.h"

#include <stdlib.h>

#include "cost.h"
#include "mm.h"
#include "vmstat.h"

#define PCP_BATCH	   63
#define PCP_HIGH	   (6 * PCP_BATCH)
#define MEMCG_CHARGE_BATCH 32
#define PAGEVEC_SIZE	   15
#define SWAP_CLUSTER_MAX   32

/* Pages whose struct pages one CPU wrote last, consecutive on a list. */
struct page_run {
	int cpu;      /* -1: nobody since boot */
	double stamp; /* its cache traffic when it wrote them */
	int nr;
	struct page_run *prev, *next; /* LRU: newer, older */
	struct page_run *cpu_newer;   /* LRU: the same CPU's next newer run */
};

struct zone {
	int node;
	spinlock_t lock;
	struct page_run *free; /* the buddy lists: a stack of runs */
	int nr_free_runs, free_cap;
	spinlock_t lru_lock;	    /* pgdat->lru_lock */
	struct cacheline lru_head;  /* the lruvec's list head */
	struct page_run *lru_first; /* newest */
};

struct per_cpu_pages {
	int count;
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
static struct per_cpu_pages *pcp;
static struct mem_cgroup memcg;

void page_alloc_init(void)
{
	int nodes = sim_machine->sockets;

	zones = calloc(nodes, sizeof(*zones));
	for (int i = 0; i < nodes; i++) {
		zones[i].node = i;
		spin_lock_init(&zones[i].lock, "zone->lock");
		spin_lock_init(&zones[i].lru_lock, "lru_lock");
		cacheline_init(&zones[i].lru_head);
	}
	pcp = calloc(nr_cpu_ids, sizeof(*pcp));
	cacheline_init(&memcg.counter);
	memcg.usage = 0;
}

static struct zone *this_zone(void)
{
	return &zones[this_cpu()->socket];
}

/*
 * Writing a struct page that cpu wrote last, leaving stamp (-1: nobody,
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

static double run_miss(const struct page_run *r, const struct zone *z)
{
	return r ? struct_page_miss(r->cpu, r->stamp, z) : struct_page_miss(-1, 0, z);
}

/* rmqueue_bulk(): nr pages off the buddy lists, the most recently freed first. */
static double buddy_take(struct zone *z, int nr)
{
	double ns = 0;

	while (nr) {
		struct page_run *top = z->nr_free_runs ? &z->free[z->nr_free_runs - 1] : NULL;
		int n = top && top->nr < nr ? top->nr : nr;

		/* list_del() from the free area: the page and its next neighbour. */
		for (int i = 0; i < n; i++)
			ns += cycles(COST_BUDDY_PAGE) + 2 * run_miss(top, z);
		nr -= n;
		if (top && (top->nr -= n) == 0)
			z->nr_free_runs--;
	}
	return ns;
}

/* free_pcppages_bulk(): nr of our pages back, each checked against its buddy. */
static double buddy_give(struct zone *z, int nr)
{
	const struct page_run *buddy = z->nr_free_runs ? &z->free[z->nr_free_runs - 1] : NULL;
	double ns = 0;

	/* __free_one_page(): each page looks at its buddy's struct page. */
	for (int i = 0; i < nr; i++)
		ns += cycles(COST_BUDDY_PAGE) + run_miss(buddy, z);

	if (z->nr_free_runs && z->free[z->nr_free_runs - 1].cpu == smp_processor_id()) {
		z->free[z->nr_free_runs - 1].nr += nr;
		z->free[z->nr_free_runs - 1].stamp = cache_stamp(smp_processor_id());
		return ns;
	}
	if (z->nr_free_runs == z->free_cap) {
		z->free_cap = z->free_cap ? 2 * z->free_cap : 64;
		z->free = realloc(z->free, z->free_cap * sizeof(*z->free));
	}
	z->free[z->nr_free_runs++] = (struct page_run){
	    .cpu = smp_processor_id(), .stamp = cache_stamp(smp_processor_id()), .nr = nr};
	return ns;
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

/* rmqueue_bulk(): refill this CPU's list, or take one order-9 block. */
static void zone_alloc_pages(int nr)
{
	struct zone *z = this_zone();
	unsigned long flags;

	zone_lock(&z->lock, &flags);
	cpu_account(buddy_take(z, nr));
	zone_unlock(&z->lock, flags);
}

static void zone_free_pages(int nr)
{
	struct zone *z = this_zone();
	unsigned long flags;

	zone_lock(&z->lock, &flags);
	cpu_account(buddy_give(z, nr));
	zone_unlock(&z->lock, flags);
}

void alloc_page(void)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];

	if (!p->count) {
		zone_alloc_pages(PCP_BATCH);
		p->count += PCP_BATCH;
	}
	p->count--;
	cpu_work(cycles(COST_PCP_ALLOC));
}

/* Freed pages go on this CPU's list: their struct pages are ours now. */
static void free_pcp_pages(int nr)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];

	p->count += nr;
	cpu_work(cycles(nr * COST_PCP_FREE));
	while (p->count >= PCP_HIGH) {
		zone_free_pages(PCP_BATCH);
		p->count -= PCP_BATCH;
	}
}

bool alloc_hugepage(void)
{
	/*
	 * Order 9 is not on the per-CPU lists: __rmqueue() under zone->lock.
	 * A fragmented zone has no free order-9 block and, with the default
	 * defrag setting, the fault does not wait for compaction.
	 */
	if (gsl_rng_uniform(this_cpu()->rng) < mm_tunables.thp_fail)
		return false;
	zone_alloc_pages(1);
	return true;
}

static void count_pgfree(int nr)
{
	for (int i = 0; i < nr; i++)
		count_vm_event(PGFREE);
}

void free_hugepage(void)
{
	zone_free_pages(1);
	count_pgfree(HPAGE_PMD_NR);
}

void free_page(void)
{
	free_pcp_pages(1);
	count_vm_event(PGFREE);
}

int mem_cgroup_try_charge(int nr_pages)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];
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

/* __pagevec_lru_add(): this CPU's pagevec onto the head of its node's LRU. */
static void lru_add_drain(int nr)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];
	struct zone *z = this_zone();
	struct page_run *r = calloc(1, sizeof(*r));
	unsigned long flags;

	zone_lock(&z->lru_lock, &flags);
	/* list_add(): the head and the page it was first before us. */
	cacheline_rmw_next(&z->lru_head);
	cpu_account(nr * cycles(COST_LRU_PAGE) + run_miss(z->lru_first, z));
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
	struct per_cpu_pages *p = &pcp[smp_processor_id()];

	/* A compound page drains the pagevec at once (pagevec_add_and_need_flush). */
	p->lru_pvec++;
	if (p->lru_pvec < PAGEVEC_SIZE && nr_pages == 1)
		return;
	lru_add_drain(p->lru_pvec);
	p->lru_pvec = 0;
}

/* Unlink an emptied run; its neighbours now touch, and our deletion wrote them. */
static double lru_run_unlink(struct zone *z, struct per_cpu_pages *owner, struct page_run *r)
{
	double ns = 0;

	if (r->prev)
		ns += run_miss(r->prev, z);
	else
		cacheline_rmw_next(&z->lru_head);
	if (r->next)
		ns += run_miss(r->next, z);
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
 * del_page_from_lru_list() for a page cpu added: the owner's oldest
 * pages go first (a region is unmapped in the order it was faulted).
 * list_del() writes the page and its two neighbours; inside a run the
 * neighbours are the pages the zap took just before and after this one,
 * where the page itself is.
 */
static double lru_del(struct zone *z, int cpu, struct page_mark page)
{
	struct per_cpu_pages *owner = &pcp[cpu];
	struct page_run *r = owner->lru_oldest;
	double ns = cycles(COST_LRU_PAGE);

	/* Still in the owner's pagevec, not yet on the LRU. */
	if (!r)
		return ns;
	ns += 2 * struct_page_miss(page.cpu, page.stamp, z);
	if (--r->nr == 0)
		ns += lru_run_unlink(z, owner, r);
	return ns;
}

/*
 * page_remove_rmap() of an anonymous page: the atomic on its mapcount
 * writes its struct page, last written when it was mapped - a whole
 * region of zeroing ago, for a task that faults in a large region and
 * unmaps it.  The zap does it under the PTL.
 */
void page_remove_rmap(struct page_mark *page)
{
	struct zone *z = &zones[cpus[page->mapper].socket];

	cpu_account(struct_page_miss(page->cpu, page->stamp, z) + sim_machine->atomic);
	page->cpu = (short)smp_processor_id();
	page->stamp = (float)cache_stamp(smp_processor_id());
}

/*
 * release_pages(): the pages of a zap, each marked by the CPU that mapped
 * it and by the zap's page_remove_rmap().  lru_lock is taken per node,
 * and dropped every SWAP_CLUSTER_MAX pages; then the memcg uncharge and
 * our per-CPU list.
 */
void release_pages(const struct page_mark *pages, int nr, bool on_lru)
{
	struct zone *locked = NULL;
	unsigned long flags = 0;
	int held = 0;

	if (!nr)
		return;
	for (int i = 0; on_lru && i < nr; i++) {
		int mapper = pages[i].mapper;
		struct zone *z = &zones[cpus[mapper].socket];

		if (locked && (z != locked || held == SWAP_CLUSTER_MAX)) {
			zone_unlock(&locked->lru_lock, flags);
			locked = NULL;
		}
		if (!locked) {
			zone_lock(&z->lru_lock, &flags);
			locked = z;
			held = 0;
		}
		/* The page's own struct page: its refcount, then off the LRU. */
		cpu_account(struct_page_miss(pages[i].cpu, pages[i].stamp, z) +
			    lru_del(z, mapper, pages[i]));
		held++;
	}
	if (locked)
		zone_unlock(&locked->lru_lock, flags);
	/* uncharge_batch(): one page_counter_uncharge() for the list. */
	cacheline_rmw(&memcg.counter);
	memcg.usage -= nr;
	free_pcp_pages(nr);
	count_pgfree(nr);
}

void release_hugepage(void)
{
	struct zone *z = this_zone();
	unsigned long flags;

	zone_lock(&z->lru_lock, &flags);
	/* The zap of its PMD touched its head page just now. */
	cpu_account(lru_del(z, smp_processor_id(), page_mark_now()));
	zone_unlock(&z->lru_lock, flags);
	cacheline_rmw(&memcg.counter);
	memcg.usage -= HPAGE_PMD_NR;
	free_hugepage();
}

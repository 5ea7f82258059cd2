/* models/page_alloc.c - per-CPU lists, zones, memcg charges and the LRU.
 *
 * After Linux 5.1, the kernel the SPF v12 series was based on:
 *  - rmqueue_pcplist(): IRQs off, a page off the per-CPU list; an empty
 *    list is refilled with pcp->batch pages under zone->lock
 *    (rmqueue_bulk()); freeing past pcp->high returns batch pages
 *    (free_pcppages_bulk()).  zone_batchsize() gives 31 on large zones,
 *    and high = 6 * batch.
 *  - try_charge(): a per-CPU stock of charge; an empty stock charges
 *    MEMCG_CHARGE_BATCH (32) pages at once with an atomic on the
 *    memcg's page_counter.  Uncharging a list of freed pages is one
 *    atomic (uncharge_batch()).
 *  - lru_cache_add(): a per-CPU pagevec of PAGEVEC_SIZE (15) pages
 *    drained under the node's lru_lock; release_pages() takes lru_lock
 *    once per SWAP_CLUSTER_MAX (32) pages.
 * A node is a socket: each CPU allocates from its own.
 */
#include "page_alloc.h"

#include <stdlib.h>

#include "cost.h"
#include "mm.h"
#include "vmstat.h"

#define PCP_BATCH	   31
#define PCP_HIGH	   (6 * PCP_BATCH)
#define MEMCG_CHARGE_BATCH 32
#define PAGEVEC_SIZE	   15
#define SWAP_CLUSTER_MAX   32

struct zone {
	spinlock_t lock;
	spinlock_t lru_lock; /* pgdat->lru_lock */
};

struct per_cpu_pages {
	int count;
	int stock;    /* memcg_stock_pcp.nr_pages */
	int lru_pvec; /* pages in the lru_add pagevec */
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
		spin_lock_init(&zones[i].lock, "zone->lock");
		spin_lock_init(&zones[i].lru_lock, "lru_lock");
	}
	pcp = calloc(nr_cpu_ids, sizeof(*pcp));
	cacheline_init(&memcg.counter);
	memcg.usage = 0;
}

static struct zone *this_zone(void)
{
	return &zones[this_cpu()->socket];
}

/* nr pages handled under one of the node's locks, taken IRQs off (spin_lock_irqsave). */
static void pages_under_lock(spinlock_t *lock, int nr, int cycles_a_page)
{
	unsigned long flags;

	local_irq_save(flags);
	spin_lock(lock);
	cpu_account(cycles(nr * cycles_a_page));
	spin_unlock(lock);
	local_irq_restore(flags);
}

/* rmqueue_bulk(): move pages between the buddy lists and a per-CPU list. */
static void zone_move_pages(int nr)
{
	pages_under_lock(&this_zone()->lock, nr, COST_BUDDY_PAGE);
}

void alloc_page(void)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];

	if (!p->count) {
		zone_move_pages(PCP_BATCH);
		p->count += PCP_BATCH;
	}
	p->count--;
	cpu_account(cycles(COST_PCP_ALLOC));
}

static void free_pcp_pages(int nr)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];

	p->count += nr;
	cpu_account(cycles(nr * COST_PCP_FREE));
	while (p->count >= PCP_HIGH) {
		zone_move_pages(PCP_BATCH);
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
	zone_move_pages(1);
	return true;
}

static void count_pgfree(int nr)
{
	for (int i = 0; i < nr; i++)
		count_vm_event(PGFREE);
}

void free_hugepage(void)
{
	zone_move_pages(1);
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

static void lru_lock_pages(int nr)
{
	pages_under_lock(&this_zone()->lru_lock, nr, COST_LRU_PAGE);
}

void lru_cache_add(int nr_pages)
{
	struct per_cpu_pages *p = &pcp[smp_processor_id()];

	/* A compound page drains the pagevec at once (pagevec_add_and_need_flush). */
	p->lru_pvec++;
	if (p->lru_pvec < PAGEVEC_SIZE && nr_pages == 1)
		return;
	lru_lock_pages(p->lru_pvec);
	p->lru_pvec = 0;
}

void release_pages(int nr, bool on_lru)
{
	if (!nr)
		return;
	if (on_lru)
		for (int done = 0; done < nr; done += SWAP_CLUSTER_MAX)
			lru_lock_pages(nr - done < SWAP_CLUSTER_MAX ? nr - done : SWAP_CLUSTER_MAX);
	/* uncharge_batch(): one page_counter_uncharge() for the list. */
	cacheline_rmw(&memcg.counter);
	memcg.usage -= nr;
	free_pcp_pages(nr);
	count_pgfree(nr);
}

void release_hugepage(void)
{
	lru_lock_pages(1);
	cacheline_rmw(&memcg.counter);
	memcg.usage -= HPAGE_PMD_NR;
	free_hugepage();
}

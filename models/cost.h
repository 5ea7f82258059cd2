/* models/cost.h - what the fault paths' local work costs, in core cycles.
 *
 * Work that touches no shared line: instructions on data in the CPU's own
 * cache.  Figures are estimates from instruction counts of the v5.x
 * paths, not measurements; cache-line transfers, lock waits, IPIs and
 * zeroing are not in here, they come from the simulation.  Issue 6's
 * calibration measures a machine's real fault cost to check them.
 */
#ifndef FAULTSIM_MODELS_COST_H
#define FAULTSIM_MODELS_COST_H

#include "../sim/sim.h"

/*
 * Exception and syscall entry and return, a VMA's creation or removal and
 * a page's unmapping are machine figures (fault_entry, syscall_entry,
 * vma_op, zap_page): faultsim calibrate measures them.
 */
/* One step of the VMA tree descent. */
#define COST_VMA_TREE_LEVEL 20
/* One page-table level read in a walk. */
#define COST_WALK_LEVEL 8
/* Taking a page off the per-CPU list, and giving it back. */
#define COST_PCP_ALLOC 80
#define COST_PCP_FREE  50
/* Per page moved between a per-CPU list and the buddy lists. */
#define COST_BUDDY_PAGE 40
/* mk_pte, rmap, mm counter, set_pte_at, update_mmu_cache. */
#define COST_SET_PTE 120
/* One iteration of pte_map_lock()'s loop: cli, checks, trylock, sti. */
#define COST_PTE_MAP_LOCK_ITER 40
/* Per page on the LRU, added or removed under lru_lock. */
#define COST_LRU_PAGE 30
/* change_pte_range() per present PTE. */
#define COST_CHANGE_PTE 25
/* get_unmapped_area() search, per VMA looked at. */
#define COST_GAP_SEARCH 15
/* A user store to a page that is mapped: no fault. */
#define COST_USER_TOUCH 4

static inline double cycles(double n)
{
	return n * 1e9 / sim_machine->freq;
}

#endif

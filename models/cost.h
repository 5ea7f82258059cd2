/* models/cost.h - the names the fault paths use for their local work.
 *
 * Work that touches no shared line: instructions on data in the CPU's own
 * cache.  The figures are the machine's (the cost_ keys of machines/NAME.ini);
 * cache-line transfers, misses, lock waits, IPIs and zeroing are not in
 * here, they come from the simulation.
 */
#ifndef FAULTSIM_MODELS_COST_H
#define FAULTSIM_MODELS_COST_H

#include "../sim/sim.h"

/*
 * Exception and syscall entry and return, a VMA's creation or removal and
 * a page's unmapping are machine figures in ns (fault_entry, syscall_entry,
 * vma_op, zap_page); the rest of the local work is counted in core cycles,
 * also a machine figure (the cost_* keys of a machine description), and
 * priced with sim/engine.h's cycles().
 */
#define COST_VMA_TREE_LEVEL (sim_machine->cost.vma_tree_level)
#define COST_WALK_LEVEL	    (sim_machine->cost.walk_level)
#define COST_PCP_ALLOC	    (sim_machine->cost.pcp_alloc)
#define COST_PCP_FREE	    (sim_machine->cost.pcp_free)
#define COST_BUDDY_PAGE	    (sim_machine->cost.buddy_page)
#define COST_SET_PTE	    (sim_machine->cost.set_pte)
#define COST_IRQ_TOGGLE	    (sim_machine->cost.irq_toggle)
#define COST_L1_HIT	    (sim_machine->cost.l1_hit)
#define COST_LRU_PAGE	    (sim_machine->cost.lru_page)
#define COST_CHANGE_PTE	    (sim_machine->cost.change_pte)
#define COST_GAP_SEARCH	    (sim_machine->cost.gap_search)
#define COST_USER_TOUCH	    (sim_machine->cost.user_touch)

#endif

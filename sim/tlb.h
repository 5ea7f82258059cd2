/* sim/tlb.h - TLB shootdown: flush this CPU, IPI the others, wait for all. */
#ifndef FAULTSIM_SIM_TLB_H
#define FAULTSIM_SIM_TLB_H

#include <stdbool.h>

#include "cacheline.h"
#include "cpumask.h"
#include "stats.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

/*
 * An mm's TLB generation (mm->context.tlb_gen, x86 since 4.14): every
 * flush takes the next one with an atomic on the mm's context line, and
 * every CPU records the generation its TLB has caught up with.  A CPU
 * that finds itself behind by more than the one flush it is handling, or
 * is asked for more than the ceiling, flushes everything, and so catches
 * up with the flushes queued behind: those it skips.
 */
struct tlb_gen {
	unsigned long long gen;
	struct cacheline line;
};

static inline void tlb_gen_init(struct tlb_gen *g)
{
	g->gen = 0;
	cacheline_init(&g->line);
}

struct flush_tlb_info {
	unsigned long start, end;
	unsigned int stride_shift;
	bool freed_tables;
	const struct tlb_gen *mm_gen;	/* NULL: no generations, flush as asked */
	unsigned long long new_tlb_gen; /* the one this flush took */
};

/*
 * x86's flush_tlb_multi() preceded by the local flush, as
 * flush_tlb_mm_range() does them (arch/x86/mm/tlb.c): a range of at most
 * tlb_single_page_flush_ceiling (33) entries is flushed page by page, a
 * larger one in full.  Each CPU's flush_tlb_func() first compares
 * generations, when info->mm_gen is set.
 */
void flush_tlb_on_cpus(const struct cpumask *mask, const struct flush_tlb_info *info);

struct cpu;
/*
 * A CPU whose task sleeps runs the idle task with the mm still loaded,
 * lazily (is_lazy): a shootdown that freed no page tables skips it, and
 * it flushes its whole TLB when its task runs again.  Returns the ns that
 * flush costs c as it leaves the idle task, 0 if no shootdown skipped it.
 */
double switch_mm_lazy_flush(struct cpu *c);

struct tlb_stats {
	unsigned long shootdowns;
	unsigned long lazy_skipped; /* CPUs of the mm a shootdown sent no IPI: lazy TLB */
	unsigned long caught_up;    /* requests a CPU found its TLB up to date with */
	struct histogram wait;	    /* initiator's wait for the remote flushes */
};

extern struct tlb_stats tlb_stats;

#endif

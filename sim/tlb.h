/* sim/tlb.h - TLB shootdown: flush this CPU, IPI the others, wait for all. */
#ifndef FAULTSIM_SIM_TLB_H
#define FAULTSIM_SIM_TLB_H

#include <stdbool.h>

#include "cpumask.h"
#include "stats.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

struct flush_tlb_info {
	unsigned long start, end;
	unsigned int stride_shift;
	bool freed_tables;
};

/*
 * x86's flush_tlb_multi() preceded by the local flush, as
 * flush_tlb_mm_range() does them (arch/x86/mm/tlb.c): a range of at most
 * tlb_single_page_flush_ceiling (33) entries is flushed page by page, a
 * larger one in full.
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
	struct histogram wait;	    /* initiator's wait for the remote flushes */
};

extern struct tlb_stats tlb_stats;

#endif

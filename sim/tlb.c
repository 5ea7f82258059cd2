/* sim/tlb.c - the cost of flushing and the shootdown built on cross-calls. */
#include "tlb.h"

#include "engine.h"
#include "irq.h"

/* arch/x86/mm/tlb.c: above this many pages a full flush is cheaper. */
#define TLB_SINGLE_PAGE_FLUSH_CEILING 33
/* A full flush costs about as much as the ceiling's worth of INVLPGs. */
#define TLB_FULL_FLUSH_PAGES TLB_SINGLE_PAGE_FLUSH_CEILING

struct tlb_stats tlb_stats;

static double flush_tlb_cost(const struct flush_tlb_info *info)
{
	unsigned long pages = (info->end - info->start) >> info->stride_shift;

	if (pages > TLB_SINGLE_PAGE_FLUSH_CEILING)
		pages = TLB_FULL_FLUSH_PAGES;
	return pages * sim_machine->invlpg;
}

static double flush_tlb_func(int cpu, void *info)
{
	(void)cpu;
	return flush_tlb_cost(info);
}

void flush_tlb_on_cpus(const struct cpumask *mask, const struct flush_tlb_info *info)
{
	double waited;

	if (cpumask_test_cpu(smp_processor_id(), mask))
		cpu_account(flush_tlb_cost(info));
	waited = smp_call_function_many(mask, flush_tlb_func, (void *)info, true, "flush_tlb");
	tlb_stats.shootdowns += stats_measuring();
	histogram_add(&tlb_stats.wait, waited);
}

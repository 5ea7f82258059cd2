/* sim/tlb.c - the cost of flushing and the shootdown built on cross-calls. */
#include "tlb.h"

#include "engine.h"
#include "cpu.h"
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

/*
 * native_flush_tlb_multi() (lazy TLB CPUs skipped since Rik van Riel's
 * series in 4.19): with no page tables freed, a CPU in lazy TLB mode - its
 * task asleep, the idle task running on the mm - gets no IPI; it will see
 * the mm's tlb_gen moved at switch_mm_irqs_off() and flush then.  With
 * tables freed every CPU gets one: a speculative walk on a lazy CPU could
 * read a page-table page already reused.
 */
static void skip_lazy_cpus(struct cpumask *mask)
{
	int cpu;

	for_each_cpu(cpu, mask) {
		if (cpus[cpu].state != CPU_SLEEPING)
			continue;
		cpumask_clear_cpu(cpu, mask);
		cpus[cpu].tlb_stale = true;
		tlb_stats.lazy_skipped += stats_measuring();
	}
}

void flush_tlb_on_cpus(const struct cpumask *mask, const struct flush_tlb_info *info)
{
	struct cpumask targets = *mask;
	double waited;

	if (cpumask_test_cpu(smp_processor_id(), mask))
		cpu_account(flush_tlb_cost(info));
	/* Which CPUs are lazy is a question about now: sync first. */
	cpu_sync();
	if (!info->freed_tables)
		skip_lazy_cpus(&targets);
	/* Counted as sent, at the instant its IPIs and skipped CPUs are. */
	tlb_stats.shootdowns += stats_measuring();
	waited = smp_call_function_many(&targets, flush_tlb_func, (void *)info, true, "flush_tlb");
	histogram_add(&tlb_stats.wait, waited);
}

double switch_mm_lazy_flush(struct cpu *c)
{
	if (!c->tlb_stale)
		return 0;
	c->tlb_stale = false;
	return TLB_FULL_FLUSH_PAGES * sim_machine->invlpg;
}

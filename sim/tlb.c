/* sim/tlb.c - the cost of flushing and the shootdown built on cross-calls. */
#include "tlb.h"

#include "engine.h"
#include "cache.h"
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

static double flush_tlb_full(void)
{
	return TLB_FULL_FLUSH_PAGES * sim_machine->invlpg;
}

/*
 * flush_tlb_func() with generations.  A CPU asleep in lazy TLB mode
 * switches to init_mm (switch_mm_irqs_off(), which until 6.13's
 * 209954cbc7d0 also takes it out of the mm's cpumask: no later shootdown
 * reaches it) and flushes everything when its task runs again.  One that
 * has caught up with this flush's generation does nothing; else it reads
 * the mm's (the line the last flusher wrote) and, unless it is exactly
 * one behind and this flush is that one and a range, flushes everything
 * and catches up.  The mm's generation is read when the IPI is handled in
 * the engine, which may be before the handler's instant: a flush taken in
 * between is caught up with later, by its own IPI.
 */
static double flush_tlb_gen(struct cpu *c, const struct flush_tlb_info *f)
{
	const struct tlb_gen *g = f->mm_gen;
	unsigned long pages = (f->end - f->start) >> f->stride_shift;
	double cost = 0;

	if (c->state == CPU_SLEEPING) {
		c->tlb_stale = true;
		c->tlb_left = g;
		return 0;
	}
	if (c->tlb_gen_mm != g) {
		c->tlb_gen_mm = g;
		c->tlb_gen_local = f->new_tlb_gen - 1;
	}
	if (f->new_tlb_gen <= c->tlb_gen_local) {
		tlb_stats.caught_up += stats_measuring();
		return 0;
	}
	if (g->line.owner >= 0 && g->line.owner != c->id)
		cost = cpu_line_latency(g->line.owner, c->id);
	if (g->gen == c->tlb_gen_local) {
		tlb_stats.caught_up += stats_measuring();
		return cost;
	}
	if (pages <= TLB_SINGLE_PAGE_FLUSH_CEILING && f->new_tlb_gen == c->tlb_gen_local + 1 &&
	    f->new_tlb_gen == g->gen)
		cost += flush_tlb_cost(f);
	else
		cost += flush_tlb_full();
	c->tlb_gen_local = g->gen;
	return cost;
}

static double flush_tlb_func(int cpu, void *info)
{
	const struct flush_tlb_info *f = info;

	if (f->mm_gen)
		return flush_tlb_gen(&cpus[cpu], f);
	return flush_tlb_cost(f);
}

/*
 * native_flush_tlb_multi() (lazy TLB CPUs skipped since Rik van Riel's
 * series in 4.19): with no page tables freed, a CPU in lazy TLB mode - its
 * task asleep, the idle task running on the mm - gets no IPI; it will see
 * the mm's tlb_gen moved at switch_mm_irqs_off() and flush then.  With
 * tables freed every CPU gets one: a speculative walk on a lazy CPU could
 * read a page-table page already reused.  But one that such a flush has
 * sent to init_mm is out of the mm's cpumask until its task runs.
 */
static void skip_lazy_cpus(struct cpumask *mask, const struct flush_tlb_info *info)
{
	int cpu;

	for_each_cpu(cpu, mask) {
		struct cpu *c = &cpus[cpu];

		if (c->state != CPU_SLEEPING)
			continue;
		/* Gone to init_mm, asleep: out of the mm's cpumask. */
		if (info->freed_tables && !(info->mm_gen && c->tlb_left == info->mm_gen))
			continue;
		cpumask_clear_cpu(cpu, mask);
		c->tlb_stale = true;
		tlb_stats.lazy_skipped += stats_measuring();
	}
}

void flush_tlb_on_cpus(const struct cpumask *mask, const struct flush_tlb_info *info)
{
	struct cpumask targets = *mask;
	double waited;

	if (cpumask_test_cpu(smp_processor_id(), mask))
		cpu_account(flush_tlb_func(smp_processor_id(), (void *)info));
	/* Which CPUs are lazy is a question about now: sync first. */
	cpu_sync();
	skip_lazy_cpus(&targets, info);
	/* Counted as sent, at the instant its IPIs and skipped CPUs are. */
	tlb_stats.shootdowns += stats_measuring();
	waited = smp_call_function_many(&targets, flush_tlb_func, (void *)info, true, "flush_tlb");
	histogram_add(&tlb_stats.wait, waited);
}

double switch_mm_lazy_flush(struct cpu *c)
{
	c->tlb_left = NULL;
	if (!c->tlb_stale)
		return 0;
	c->tlb_stale = false;
	if (c->tlb_gen_mm)
		c->tlb_gen_local = c->tlb_gen_mm->gen;
	return flush_tlb_full();
}

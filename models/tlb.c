/* models/tlb.c - flush_tlb_mm_range() (arch/x86/mm/tlb.c).
 *
 * Every CPU in mm_cpumask() may hold translations for the range: take the
 * mm's next TLB generation, flush locally, IPI the others and wait until
 * each has flushed or found itself caught up.  Page tables freed by the
 * caller may only be reused after this returns.
 */
#include "mm.h"

/* inc_mm_tlb_gen(): atomic64_inc_return() on the mm's context line. */
static unsigned long long inc_mm_tlb_gen(struct mm_struct *mm)
{
	cacheline_rmw(&mm->tlb_gen.line);
	return ++mm->tlb_gen.gen;
}

void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			unsigned int stride_shift, bool freed_tables)
{
	struct flush_tlb_info info = {.start = start,
				      .end = end,
				      .stride_shift = stride_shift,
				      .freed_tables = freed_tables,
				      .mm_gen = &mm->tlb_gen,
				      .new_tlb_gen = inc_mm_tlb_gen(mm)};

	flush_tlb_on_cpus(mm_cpumask(mm), &info);
}

/* models/tlb.c - flush_tlb_mm_range() (arch/x86/mm/tlb.c).
 *
 * Every CPU in mm_cpumask() may hold translations for the range: flush
 * locally, IPI the others and wait until each has flushed.  Page tables
 * freed by the caller may only be reused after this returns.
 */
#include "mm.h"

void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			unsigned int stride_shift, bool freed_tables)
{
	struct flush_tlb_info info = {start, end, stride_shift, freed_tables};

	flush_tlb_on_cpus(mm_cpumask(mm), &info);
}

/* models/vmstat.h - event counters, as /proc/vmstat and the SPF series count.
 *
 * Each event is a named counter in the run's JSON: the vmstat names for
 * what the kernel counts (pgfault, thp_fault_alloc, vma_lock_success...),
 * and for the speculative path the outcomes the SPF series traced
 * (spf_vma_changed, spf_vma_notsup, spf_pmd_changed...), one counter per
 * fallback reason so that attempts = successes + fallbacks.
 */
#ifndef FAULTSIM_MODELS_VMSTAT_H
#define FAULTSIM_MODELS_VMSTAT_H

#include "../sim/sim.h"

enum vm_event_item {
	PGFAULT,
	FAULT_DONE_CLASSIC, /* completed under mmap_sem */
	FAULT_DONE_SPF,	    /* completed speculatively */
	FAULT_DONE_VMA_LOCK,
	FAULT_SIGSEGV,
	SPF_ATTEMPT,
	SPF_SUCCESS,
	SPF_FALLBACK_NO_VMA,
	SPF_FALLBACK_SEQ_CHANGED,
	SPF_FALLBACK_NOT_ELIGIBLE,
	SPF_FALLBACK_PMD_NONE, /* no pte table yet, or a huge PMD */
	SPF_FALLBACK_PMD_CHANGED,
	SPF_FALLBACK_TRYLOCK_LIMIT,
	SPF_FALLBACK_UFFD,
	SPF_FALLBACK_OTHER, /* VM_FAULT_RETRY from elsewhere, e.g. the PTE raced */
	SPF_UFFD_RACE,	    /* a uffd armed after the early check, seen under the PTL */
	VMA_LOCK_SUCCESS,
	VMA_LOCK_ABORT,
	VMA_LOCK_RETRY,
	VMA_LOCK_MISS,
	THP_FAULT_ALLOC,
	THP_FAULT_FALLBACK,
	PGTABLE_ALLOC,
	PGTABLE_FREE,
	PGFREE,
	UFFD_WAIT,
	PGMAJFAULT,
	FAULT_AROUND_MAPPED, /* pages filemap_map_pages() mapped */
	THP_FILE_ALLOC,
	THP_FILE_MAPPED,
	THP_FILE_FALLBACK_NOT_PMD,
	THP_FILE_FALLBACK_WRITE,
	THP_FILE_FALLBACK_WRITABLE,	/* a writable or shared mapping */
	THP_FILE_FALLBACK_RANGE,	/* the PMD range leaves the VMA */
	THP_FILE_FALLBACK_MISALIGNED,	/* transhuge_vma_suitable() */
	THP_FILE_FALLBACK_CACHED_SMALL, /* small pages of the range are cached */
	THP_FILE_FALLBACK_ALLOC,
	THP_FILE_FALLBACK_READ_ERROR,
	THP_FILE_DOUBLE_READ,	    /* read a range another CPU was reading unseen */
	THP_FILE_FALLBACK_UNLOCKED, /* posted: a settled cached THP judged unusable */
	THP_FILE_MISALIGNED_MAP,    /* posted: a huge page mapped at the wrong offset */
	NR_DIRTIED,		    /* page-cache pages dirtied (/proc/vmstat nr_dirtied) */
	COW_FAULT,		    /* do_cow_fault(): a private copy of a page-cache page */
	TLB_FLUSH_NESTED,	    /* a gather ended beside another: the whole mm flushed */
	NR_VM_EVENT_ITEMS
};

void vmstat_init(void);
/* The counter's name, as /proc/vmstat would show it. */
const char *vm_event_name(enum vm_event_item item);
void count_vm_event(enum vm_event_item item);

/* Histograms of the speculative path. */
extern struct histogram *spf_trylock_failures;	    /* per speculative pte_map_lock() */
extern struct histogram *spf_pte_map_lock_loop;	    /* ns in that loop, all its tries */
extern struct histogram *spf_pte_map_lock_irqs_off; /* ns of its longest IRQs-off span */
extern struct histogram *fault_latency;		    /* ns, entry to return */

#endif

/* models/vmstat.c - the event counters, resolved to named counters once. */
#include "vmstat.h"

static const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
    [PGFAULT] = "pgfault",
    [FAULT_DONE_CLASSIC] = "fault_done_classic",
    [FAULT_DONE_SPF] = "fault_done_spf",
    [FAULT_DONE_VMA_LOCK] = "fault_done_vma_lock",
    [FAULT_SIGSEGV] = "fault_sigsegv",
    [SPF_ATTEMPT] = "spf_attempts",
    [SPF_SUCCESS] = "spf_success",
    [SPF_FALLBACK_NO_VMA] = "spf_fallback_no_vma",
    [SPF_FALLBACK_SEQ_CHANGED] = "spf_fallback_seq_changed",
    [SPF_FALLBACK_NOT_ELIGIBLE] = "spf_fallback_not_eligible",
    [SPF_FALLBACK_PMD_NONE] = "spf_fallback_pmd_none",
    [SPF_FALLBACK_PMD_CHANGED] = "spf_fallback_pmd_changed",
    [SPF_FALLBACK_TRYLOCK_LIMIT] = "spf_fallback_trylock_limit",
    [SPF_FALLBACK_UFFD] = "spf_fallback_uffd",
    [SPF_FALLBACK_OTHER] = "spf_fallback_other",
    [SPF_UFFD_RACE] = "spf_uffd_race",
    [VMA_LOCK_SUCCESS] = "vma_lock_success",
    [VMA_LOCK_ABORT] = "vma_lock_abort",
    [VMA_LOCK_RETRY] = "vma_lock_retry",
    [VMA_LOCK_MISS] = "vma_lock_miss",
    [THP_FAULT_ALLOC] = "thp_fault_alloc",
    [THP_FAULT_FALLBACK] = "thp_fault_fallback",
    [PGTABLE_ALLOC] = "pgtable_alloc",
    [PGTABLE_FREE] = "pgtable_free",
    [PGFREE] = "pgfree",
    [UFFD_WAIT] = "uffd_wait",
    [PGMAJFAULT] = "pgmajfault",
    [FAULT_AROUND_MAPPED] = "fault_around_mapped",
    [THP_FILE_ALLOC] = "thp_file_alloc",
    [THP_FILE_MAPPED] = "thp_file_mapped",
    [THP_FILE_FALLBACK_NOT_PMD] = "thp_file_fallback_not_pmd",
    [THP_FILE_FALLBACK_WRITE] = "thp_file_fallback_write",
    [THP_FILE_FALLBACK_WRITABLE] = "thp_file_fallback_writable",
    [THP_FILE_FALLBACK_RANGE] = "thp_file_fallback_range",
    [THP_FILE_FALLBACK_MISALIGNED] = "thp_file_fallback_misaligned",
    [THP_FILE_FALLBACK_CACHED_SMALL] = "thp_file_fallback_cached_small",
    [THP_FILE_FALLBACK_ALLOC] = "thp_file_fallback_alloc",
    [THP_FILE_FALLBACK_READ_ERROR] = "thp_file_fallback_read_error",
    [THP_FILE_DOUBLE_READ] = "thp_file_double_read",
    [THP_FILE_FALLBACK_UNLOCKED] = "thp_file_fallback_unlocked",
    [THP_FILE_MISALIGNED_MAP] = "thp_file_misaligned_map",
    [NR_DIRTIED] = "nr_dirtied",
    [COW_FAULT] = "cow_fault",
    [TLB_FLUSH_NESTED] = "tlb_flush_nested",
};

static struct counter *vm_events[NR_VM_EVENT_ITEMS];

struct histogram *spf_trylock_failures;
struct histogram *spf_pte_map_lock_irqs_off;
struct histogram *spf_pte_map_lock_loop;
struct histogram *fault_latency;

void vmstat_init(void)
{
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		vm_events[i] = counter_get(vm_event_names[i]);
	spf_trylock_failures = histogram_get("spf_trylock_failures");
	spf_pte_map_lock_irqs_off = histogram_get("spf_pte_map_lock_irqs_off_ns");
	spf_pte_map_lock_loop = histogram_get("spf_pte_map_lock_loop_ns");
	fault_latency = histogram_get("fault_latency_ns");
}

const char *vm_event_name(enum vm_event_item item)
{
	return vm_event_names[item];
}

void count_vm_event(enum vm_event_item item)
{
	vm_events[item]->value += stats_measuring();
}

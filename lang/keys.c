/* lang/keys.c - the schema of scenario files and the checks it implies. */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "units.h"

#define NS  1.0
#define US  1e3
#define MS  1e6
#define SEC 1e9
#define MB  1048576.0
#define GIB 1073741824.0
#define TIB 1099511627776.0

#define FAULT_WORKLOADS "page_fault1|page_fault2|page_fault3|tlb_flush2|pft|mmap1|mixed|text"

/* clang-format off */
const struct key_def keys[] = {
	{"machine", "profile", KEY_NAME, "xeon-icx-2s", 0, 0, NULL, NULL,
	 "machine description in machines/NAME.ini, overridden by the keys below"},
	{"machine", "sockets", KEY_INT, NULL, 1, 64, NULL, NULL, "sockets"},
	{"machine", "cores_per_socket", KEY_INT, NULL, 1, 1024, NULL, NULL, "cores per socket"},
	{"machine", "smt", KEY_INT, NULL, 1, 8, NULL, NULL, "hardware threads per core"},
	{"machine", "smt_yield", KEY_REAL, NULL, 1, 2, NULL, NULL,
	 "throughput of two busy SMT siblings relative to one thread alone on the core"},
	{"machine", "cores_per_llc", KEY_INT, NULL, 1, 1024, NULL, NULL,
	 "cores sharing a last-level cache (an AMD CCX)"},
	{"machine", "freq", KEY_FREQ, NULL, 1e8, 1e10, NULL, NULL, "core frequency"},
	{"machine", "line_smt", KEY_TIME, NULL, 0, 10 * US, NULL, NULL,
	 "one-way cache-line transfer between SMT siblings"},
	{"machine", "line_llc", KEY_TIME, NULL, 0, 10 * US, NULL, NULL,
	 "one-way cache-line transfer inside a last-level cache"},
	{"machine", "line_socket", KEY_TIME, NULL, 0, 10 * US, NULL, NULL,
	 "one-way cache-line transfer inside a socket"},
	{"machine", "line_remote", KEY_TIME, NULL, 0, 10 * US, NULL, NULL,
	 "one-way cache-line transfer between sockets"},
	{"machine", "line_occupancy", KEY_TIME, NULL, 0, 1 * US, NULL, NULL,
	 "time a line's home is busy per read of the shared line it serves"},
	{"machine", "atomic", KEY_TIME, NULL, 0, 1 * US, NULL, NULL,
	 "atomic RMW on a line the CPU already owns"},
	{"machine", "ipi_send", KEY_TIME, NULL, 0, 1 * MS, NULL, NULL,
	 "the sender's APIC ICR write for one IPI"},
	{"machine", "ipi_multicast", KEY_BOOL, NULL, 0, 1, NULL, NULL,
	 "x2APIC cluster mode: one ICR write reaches up to 16 CPUs"},
	{"machine", "ipi_latency", KEY_TIME, NULL, 0, 1 * MS, NULL, NULL,
	 "IPI send to handler entry"},
	{"machine", "ipi_handler", KEY_TIME, NULL, 0, 1 * MS, NULL, NULL,
	 "IPI handler entry, body and exit"},
	{"machine", "wakeup", KEY_TIME, NULL, 0, 1 * MS, NULL, NULL,
	 "a sleeping task woken until it runs, its CPU in C1"},
	{"machine", "idle_c1e_exit", KEY_TIME, "0", 0, 10 * MS, NULL, NULL,
	 "C1E's exit latency: added to a wake-up on a core idle idle_c1e_residency"},
	{"machine", "idle_c1e_residency", KEY_TIME, "0", 0, 1 * SEC, NULL, NULL,
	 "C1E's target residency: the shortest idle the governor spends in it"},
	{"machine", "idle_c6_exit", KEY_TIME, "0", 0, 10 * MS, NULL, NULL,
	 "C6's exit latency: added to a wake-up on a core idle idle_c6_residency"},
	{"machine", "idle_c6_residency", KEY_TIME, "0", 0, 1 * SEC, NULL, NULL,
	 "C6's target residency; 0 with idle_c6_exit 0: no C6"},
	{"machine", "invlpg", KEY_TIME, NULL, 0, 10 * US, NULL, NULL, "flushing one TLB entry"},
	{"machine", "mem_latency", KEY_TIME, NULL, 0, 10 * US, NULL, NULL,
	 "a load from local memory, idle machine"},
	{"machine", "mem_latency_remote", KEY_TIME, NULL, 0, 10 * US, NULL, NULL,
	 "a load from another socket's memory, idle machine"},
	{"machine", "mem_bw", KEY_BANDWIDTH, NULL, 1e8, 1e13, NULL, NULL,
	 "memory bandwidth per socket, bytes moved in and out"},
	{"machine", "mem_bw_core", KEY_BANDWIDTH, NULL, 1e8, 1e13, NULL, NULL,
	 "what one core zeroes a second, each line's read for ownership included"},
	{"machine", "mem_queueing", KEY_REAL, "0", 0, 10, NULL, NULL,
	 "a miss's wait at a loaded memory controller: mem_latency x (1 + this x u / (1 - u)) at "
	 "utilisation u of mem_bw"},
	{"machine", "fill_buffers", KEY_INT, NULL, 1, 256, NULL, NULL,
	 "a core's L1D fill buffers: how many independent misses (prefetches) overlap"},
	{"machine", "disk_latency", KEY_TIME, NULL, 0, 1 * SEC, NULL, NULL, "storage read latency"},
	{"machine", "disk_bw", KEY_BANDWIDTH, NULL, 1e6, 1e12, NULL, NULL, "storage bandwidth"},
	{"machine", "fault_entry", KEY_TIME, "200ns", 0, 1 * MS, NULL, NULL,
	 "page-fault exception entry and return, and a fault's fixed work the model does not count"},
	{"machine", "syscall_entry", KEY_TIME, "70ns", 0, 1 * MS, NULL, NULL,
	 "system call entry and return"},
	{"machine", "vma_op", KEY_TIME, "170ns", 0, 1 * MS, NULL, NULL,
	 "creating and linking, or unlinking, one VMA (mmap, munmap)"},
	{"machine", "cost_vma_tree_level", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: one step of the VMA tree descent"},
	{"machine", "cost_walk_level", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: one page-table level read in a walk"},
	{"machine", "cost_pcp_alloc", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: taking a page off the per-CPU list"},
	{"machine", "cost_pcp_free", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: putting a page on the per-CPU list"},
	{"machine", "cost_buddy_page", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: a page moved between a per-CPU list and the buddy lists, misses apart"},
	{"machine", "cost_set_pte", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: mk_pte, rmap, mm counter, set_pte_at, update_mmu_cache"},
	{"machine", "cost_irq_toggle", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: local_irq_disable() and local_irq_enable() (cli, sti)"},
	{"machine", "cost_l1_hit", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: a load that hits the L1 data cache"},
	{"machine", "cost_lru_page", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: a page added to or removed from the LRU, misses apart"},
	{"machine", "cost_change_pte", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: change_pte_range() per present PTE"},
	{"machine", "cost_gap_search", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: get_unmapped_area() per tree level descended"},
	{"machine", "itlb_4k", KEY_INT, NULL, 0, 1e6, NULL, NULL,
	 "first-level iTLB entries for 4 KiB pages"},
	{"machine", "itlb_2m", KEY_INT, NULL, 0, 1e6, NULL, NULL,
	 "first-level iTLB entries for 2 MiB pages"},
	{"machine", "stlb", KEY_INT, NULL, 0, 1e6, NULL, NULL,
	 "second-level TLB entries, shared by 4 KiB and 2 MiB pages; 0: none"},
	{"machine", "stlb_hit", KEY_REAL, NULL, 0, 1e4, NULL, NULL,
	 "core cycles: a first-level iTLB miss served by the second-level TLB"},
	{"machine", "l2_hit", KEY_REAL, NULL, 0, 1e4, NULL, NULL,
	 "core cycles: a load that hits the L2 (a page walk's entry, say)"},
	{"machine", "llc_hit", KEY_REAL, NULL, 0, 1e4, NULL, NULL,
	 "core cycles: a load that hits the last-level cache"},
	{"machine", "l2_size", KEY_SIZE, NULL, 4096, GIB, NULL, NULL, "a core's L2 cache"},
	{"machine", "llc_size", KEY_SIZE, NULL, 4096, 64 * GIB, NULL, NULL,
	 "a socket's last-level cache"},
	{"machine", "cost_user_touch", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: a user store to a mapped page"},
	{"machine", "cost_srcu_read", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: srcu_read_lock() or srcu_read_unlock(), a per-CPU count and smp_mb()"},
	{"machine", "cost_rcu_read", KEY_REAL, NULL, 0, 1e6, NULL, NULL,
	 "core cycles: rcu_read_lock() or rcu_read_unlock() of a preemptible kernel"},
	{"machine", "zap_page", KEY_TIME, "17ns", 0, 1 * MS, NULL, NULL,
	 "unmapping one present page: clear the PTE, drop the rmap, gather the page"},

	{"kernel", "spinlock", KEY_CHOICE, "qspinlock", 0, 0, "qspinlock|ticket", NULL,
	 "spinlock_t implementation"},
	{"kernel", "watchdog_thresh", KEY_TIME, "10s", 1 * MS, 120 * SEC, NULL, NULL,
	 "IRQs off this long is a hard lockup (kernel.watchdog_thresh)"},
	{"kernel", "rcu_gp", KEY_TIME, "2ms", 0, 1 * SEC, NULL, NULL,
	 "shortest RCU grace period"},
	{"kernel", "fault_path", KEY_CHOICE, "classic", 0, 0, "classic|spf|pervma", NULL,
	 "page-fault path: mmap_sem, speculative (SPF v12) or per-VMA locks (6.4)"},
	{"kernel", "ptl", KEY_CHOICE, "split", 0, 0, "split|mm", NULL,
	 "page-table lock: one per page-table page, or mm->page_table_lock"},
	{"kernel", "max_try", KEY_INT, "0", 0, 1e6, NULL, NULL,
	 "SPF: failed PTL trylocks before falling back; 0 retries for ever (the patch)"},
	{"kernel", "pte_lock", KEY_CHOICE, "trylock", 0, 0, "trylock|spin", NULL,
	 "SPF: trylock with IRQs on between tries (the patch), or spin_lock with IRQs off"},
	{"kernel", "uffd_race", KEY_CHOICE, "ignore", 0, 0, "ignore|abort", NULL,
	 "SPF: a userfaultfd armed mid-fault is ignored (the patch) or aborts the speculation"},
	{"kernel", "thp", KEY_CHOICE, "never", 0, 0, "never|always", NULL,
	 "anonymous transparent huge pages (transparent_hugepage/enabled)"},
	{"kernel", "thp_fail", KEY_REAL, "0", 0, 1, NULL, NULL,
	 "chance that an order-9 allocation fails (fragmentation)"},
	{"kernel", "text_thp", KEY_CHOICE, "never", 0, 0, "never|always", NULL,
	 "filemap_huge_fault(): map read-only file text with 2 MiB pages"},
	{"kernel", "text_thp_patch", KEY_CHOICE, "fixed", 0, 0, "posted|fixed", NULL,
	 "filemap_huge_fault() as posted (no alignment check, a cached THP usable only while "
	 "locked, map before insert) or as the review fixed it"},
	{"kernel", "fault_around_bytes", KEY_SIZE, "64k", 4096, 2 * MB, NULL, NULL,
	 "file read faults map up to this much of the cached neighbourhood; 4k turns it off"},
	{"kernel", "readahead", KEY_SIZE, "128k", 4096, 64 * MB, NULL, NULL,
	 "readahead window of a page-cache miss"},
	{"kernel", "read_error", KEY_REAL, "0", 0, 1, NULL, NULL,
	 "chance that a read from storage fails"},
	{"kernel", "rwsem_reader_spin", KEY_BOOL, "false", 0, 1, NULL, NULL,
	 "rw_semaphore readers spin on a running writer, as Linux 5.3 to 5.10 did; before and "
	 "since, a reader that finds a writer sleeps"},
	{"kernel", "munmap_downgrade", KEY_BOOL, "true", 0, 1, NULL, NULL,
	 "munmap drops mmap_sem to read for its zap (Linux 5.0+); MAP_FIXED never does"},
	{"kernel", "vma_lock_file_faults", KEY_BOOL, "false", 0, 1, NULL, NULL,
	 "per-VMA locks also take faults on file mappings with ->map_pages (Linux 6.7+); "
	 "before, only anonymous VMAs"},
	{"kernel", "zap_delay_rmap", KEY_BOOL, "false", 0, 1, NULL, NULL,
	 "a zap removes a dirty shared page's rmap only after the TLB flush, and gathers no more "
	 "than its on-stack bundle of 8 pages while such a removal waits (commit 5df397dec7c4 as "
	 "merged for 6.2-rc1, before it let the gather grow a batch)"},

	{"workload", "type", KEY_CHOICE, NULL, 0, 0, "lock|page_fault1|page_fault2|page_fault3|tlb_flush2|pft|mmap1|mixed|text", NULL,
	 "what the tasks run"},
	{"workload", "threads", KEY_INT, "0", 0, 4096, NULL, NULL,
	 "tasks sharing one mm, one per CPU (set this or processes)"},
	{"workload", "processes", KEY_INT, "0", 0, 4096, NULL, FAULT_WORKLOADS,
	 "tasks each with its own mm, one per CPU (set this or threads)"},
	{"workload", "placement", KEY_NAME, "auto", 0, 0, NULL, NULL,
	 "compact (pinned, as will-it-scale), spread (the scheduler), auto (as the benchmark "
	 "does) or a CPU list such as 0-15,64-79"},
	{"workload", "duration", KEY_TIME, "10ms", 1 * US, 100 * SEC, NULL, NULL,
	 "simulated time measured"},
	{"workload", "warmup", KEY_NAME, "auto", 0, 0, NULL, NULL,
	 "simulated time before measuring: a time, or auto (a loop workload measures once "
	 "every task has completed a full loop; others from the start)"},
	{"workload", "critical_section", KEY_TIME, "1us", 0, 1 * SEC, NULL, "lock",
	 "work done holding the lock"},
	{"workload", "think_time", KEY_TIME, "0", 0, 1 * SEC, NULL, NULL,
	 "user work between operations (lock: between release and next acquisition)"},
	{"workload", "loop_jitter", KEY_TIME, "0", 0, 1 * SEC, NULL,
	 "page_fault1|page_fault2|page_fault3|tlb_flush2|mmap1",
	 "user work each task adds after each loop, uniform at random up to this (seeded): "
	 "loops that all take the same time fall into step, and real ones vary; a sensitivity "
	 "check, 0 in every shipped run"},
	{"workload", "spin_irqs_off", KEY_BOOL, "false", 0, 1, NULL, "lock",
	 "contenders spin for the lock with IRQs off"},
	{"workload", "flush_in_cs", KEY_BOOL, "false", 0, 1, NULL, "lock",
	 "the holder shoots down every task's TLB inside the critical section"},
	{"workload", "region", KEY_SIZE, "128m", 4096, TIB, NULL, "page_fault1|page_fault2|page_fault3|pft|mmap1",
	 "bytes each task maps (page_fault1-3, mmap1) or writes (pft)"},
	{"workload", "interleave", KEY_INT, "0", 0, 1e9, NULL, "pft",
	 "pft: tasks take turns by blocks of this many pages; 0 gives each one chunk"},
	{"workload", "slot", KEY_SIZE, "2m", 4096, 16 * GIB, NULL, "mixed",
	 "mixed: bytes per VMA"},
	{"workload", "slots", KEY_INT, "4", 1, 1e6, NULL, "mixed",
	 "mixed: VMAs in all when shared, else per task"},
	{"workload", "shared", KEY_BOOL, "true", 0, 1, NULL, "mixed",
	 "mixed: threads touch and change each other's VMAs"},
	{"workload", "random", KEY_BOOL, "false", 0, 1, NULL, "mixed",
	 "mixed: write random pages of the slots rather than each in turn"},
	{"workload", "munmap_ratio", KEY_REAL, "0", 0, 1, NULL, "mixed",
	 "mixed: share of operations that mmap(MAP_FIXED) over a VMA"},
	{"workload", "mprotect_ratio", KEY_REAL, "0", 0, 1, NULL, "mixed",
	 "mixed: share of operations that mprotect a VMA"},
	{"workload", "madvise_ratio", KEY_REAL, "0", 0, 1, NULL, "mixed",
	 "mixed: share of operations that madvise(MADV_DONTNEED) a VMA"},
	{"workload", "uffd_ratio", KEY_REAL, "0", 0, 1, NULL, "mixed",
	 "mixed: share of operations that arm and disarm userfaultfd on a VMA"},
	{"workload", "text_size", KEY_SIZE, "200m", 4096, 64 * GIB, NULL, "text",
	 "text: size of the executable's text"},
	{"workload", "text_aligned", KEY_BOOL, "true", 0, 1, NULL, "text",
	 "text: the mapping agrees with its file offset modulo 2 MiB"},
	{"workload", "cache", KEY_CHOICE, "cold", 0, 0, "cold|warm|small", "text",
	 "text: page cache at start: empty, as this kernel leaves it, or in 4 KiB pages"},
	{"workload", "text_start", KEY_CHOICE, "spread", 0, 0, "spread|same", "text",
	 "text: threads start at their own share of the text, or all at its start"},
	{"workload", "text_writes", KEY_REAL, "0", 0, 1, NULL, "text",
	 "text: share of accesses that write the private mapping (copy-on-write)"},
	{"workload", "text_shared", KEY_BOOL, "false", 0, 1, NULL, "text",
	 "text: a shared mapping (writes go to the page cache) rather than a private one"},
	{"workload", "footprint", KEY_SIZE, "64m", 4096, 64 * GIB, NULL, "text",
	 "text: bytes of text executed after start-up, for the iTLB cost"},
	{"workload", "line_cycles", KEY_REAL, "16", 1, 1e6, NULL, "text",
	 "text: cycles the code of one 64-byte line runs for in a pass (16 instructions at "
	 "IPC 1)"},
};
/* clang-format on */

const int nr_keys = sizeof(keys) / sizeof(keys[0]);

int key_find(const char *section, const char *name)
{
	for (int i = 0; i < nr_keys; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

int section_known(const char *section)
{
	for (int i = 0; i < nr_keys; i++)
		if (strcmp(keys[i].section, section) == 0)
			return 1;
	return 0;
}

/* Levenshtein distance, for "did you mean". */
static int edit_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	int row[64];

	if (la > 63 || lb > 63)
		return 99;
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = i;
		for (int j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *key_suggest(const char *section, const char *name)
{
	const char *best = NULL;
	int best_d = 4;

	for (int i = 0; i < nr_keys; i++) {
		const char *cand = name ? keys[i].name : keys[i].section;
		int d;

		if (name && strcmp(keys[i].section, section) != 0)
			continue;
		d = edit_distance(name ? name : section, cand);
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	return best;
}

int choice_in(const char *choices, const char *value)
{
	size_t n = strlen(value);

	/* Whole words only: "a|b" is no one choice even where both are. */
	for (const char *p = choices; p; p = strchr(p, '|')) {
		size_t len;

		if (*p == '|')
			p++;
		len = strcspn(p, "|");
		if (len == n && strncmp(p, value, n) == 0)
			return 1;
	}
	return 0;
}

static const char *const unit_of[] = {
    [KEY_SIZE] = "bytes",
    [KEY_TIME] = "ns",
    [KEY_FREQ] = "Hz",
    [KEY_BANDWIDTH] = "B/s",
};

void key_describe_range(const struct key_def *k, char *buf, int len)
{
	switch (k->type) {
	case KEY_CHOICE:
		snprintf(buf, len, "one of %s", k->choices);
		return;
	case KEY_BOOL:
		snprintf(buf, len, "true or false");
		return;
	case KEY_NAME:
		snprintf(buf, len, "a name");
		return;
	case KEY_INT:
	case KEY_REAL:
		snprintf(buf, len, "%g to %g", k->min, k->max);
		return;
	default:
		snprintf(buf, len, "%g to %g %s", k->min, k->max, unit_of[k->type]);
		return;
	}
}

int key_parse(const struct key_def *k, const char *value, double *out, char *why, int len)
{
	static const char *const expect[] = {
	    [KEY_INT] = "an integer",
	    [KEY_REAL] = "a number",
	    [KEY_SIZE] = "a size such as 4k, 2m, 1g",
	    [KEY_TIME] = "a time such as 50ns, 3us, 2ms, 1s",
	    [KEY_FREQ] = "a frequency such as 2.5GHz",
	    [KEY_BANDWIDTH] = "a bandwidth such as 12GB/s",
	    [KEY_BOOL] = "true or false",
	};
	char range[96];
	int rc = -1;

	*out = 0;
	if (!*value) {
		snprintf(why, len, "empty value");
		return -1;
	}
	switch (k->type) {
	case KEY_NAME:
		return 0;
	case KEY_CHOICE:
		if (choice_in(k->choices, value))
			return 0;
		snprintf(why, len, "'%s' is not one of %s", value, k->choices);
		return -1;
	case KEY_INT:
		rc = parse_int(value, out);
		break;
	case KEY_REAL:
		rc = parse_real(value, out);
		break;
	case KEY_SIZE:
		rc = parse_size(value, out);
		break;
	case KEY_TIME:
		rc = parse_time(value, out);
		break;
	case KEY_FREQ:
		rc = parse_freq(value, out);
		break;
	case KEY_BANDWIDTH:
		rc = parse_bandwidth(value, out);
		break;
	case KEY_BOOL:
		rc = parse_bool(value, out);
		break;
	}
	if (rc) {
		snprintf(why, len, "'%s' is not %s", value, expect[k->type]);
		return -1;
	}
	if (k->type != KEY_BOOL && (*out < k->min || *out > k->max)) {
		key_describe_range(k, range, sizeof(range));
		snprintf(why, len, "'%s' is out of range (%s)", value, range);
		return -1;
	}
	return 0;
}

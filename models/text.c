/* models/text.c - starting an executable: many threads fault its text in.
 *
 * The text is a read-only, executable mapping of a file of text_size
 * bytes, 2 MiB-aligned with its file offset or off by a page, whose page
 * cache starts cold, warm (as this kernel would have left it: huge pages
 * with text_thp, else small ones) or filled with small pages.  Each
 * thread fetches every page of the text once, starting at its own share
 * (or all at the start, as threads that run the same code), so all of it
 * is mapped when the last thread is done.  One operation is one page
 * fetched.  With text_writes, that share of accesses are writes instead:
 * copy-on-write faults in a private mapping, page cache pages made
 * writable in a shared one (text_shared).
 *
 * Afterwards the program runs over a footprint of its text, pass after
 * pass: the translations need one entry per 4 KiB page and one per 2 MiB
 * page the footprint touches.  A pass is a cyclic sweep, and through an
 * LRU structure a cyclic sweep either fits or misses every time: the
 * first-level iTLB (entries by page size) misses all of a size's entries
 * when they outnumber its own; the second-level TLB, which both sizes
 * share, then serves those misses if all of the pass's entries fit in it,
 * else each is a page walk.  A walk reads the leaf entry's line from
 * where the pass's page-table lines fit - the L2, the LLC or memory - and
 * one level above it from the L1 (the paging-structure caches hold the
 * rest).  The pass's own time is its lines' code, line_cycles each.
 */
#include "cost.h"
#include "filemap.h"
#include "task.h"
#include "vmstat.h"

static struct file text_file;
static unsigned long text_start;

static void text_task(void *arg)
{
	struct task *t = arg;
	const struct workload_params *p = &task_set.params;
	unsigned long pages = text_file.f_mapping.nr_pages;
	unsigned long first = p->text_same_start ? 0 : pages * t->rank / p->tasks;
	gsl_rng *rng = this_cpu()->rng;

	for (unsigned long i = 0; i < pages && !task_time_up(); i++) {
		unsigned long addr = text_start + ((first + i) % pages) * PAGE_SIZE;
		double start = cpu_clock();

		if (p->text_writes > 0 && gsl_rng_uniform(rng) < p->text_writes)
			task_touch(t, addr);
		else
			task_read(t, addr);
		task_op_done(t, start);
	}
	t->finished = cpu_clock();
}

static void text_start_tasks(const struct workload_params *p)
{
	unsigned long len = (p->text_size + PAGE_SIZE - 1) & PAGE_MASK;
	unsigned long span = (len + HPAGE_PMD_SIZE - 1) & ~(HPAGE_PMD_SIZE - 1);

	tasks_start(p, text_task, false);
	file_init(&text_file, p->text_size);
	if (p->text_cache == TEXT_CACHE_WARM)
		file_cache_prefill(&text_file, p->kernel.text_thp ? HPAGE_PMD_ORDER : 0);
	else if (p->text_cache == TEXT_CACHE_SMALL)
		file_cache_prefill(&text_file, 0);
	/* Off by one page: address and file offset disagree modulo 2 MiB. */
	text_start = TASK_MMAP_BASE - span - (p->text_aligned ? 0 : HPAGE_PMD_SIZE - PAGE_SIZE);
	for (int i = 0; i < task_set.nr_mms; i++) {
		struct mm_struct *mm = &task_set.mms[i];
		struct vm_area_struct *vma;

		vma = mm_setup_vma(mm, text_start, len,
				   VM_READ | VM_EXEC | (p->text_writes > 0 ? VM_WRITE : 0) |
				       (p->text_shared ? VM_SHARED : 0));
		vma->vm_ops = &generic_file_vm_ops;
		vma->vm_file = &text_file;
		vma->vm_pgoff = 0;
	}
}

static void add_metric(struct workload_result *r, const char *name, double value)
{
	if (r->nr_metrics < WORKLOAD_METRICS_MAX)
		r->metrics[r->nr_metrics++] = (struct workload_metric){name, value};
}

/* Translations the footprint needs, from how the first mm maps it. */
static void itlb_entries(unsigned long footprint, double *e4k, double *e2m)
{
	struct mm_struct *mm = &task_set.mms[0];

	*e4k = *e2m = 0;
	for (unsigned long a = text_start; a < text_start + footprint;) {
		pmd_t *pmd = pmd_offset(mm, a);
		unsigned long next = (a + PMD_SIZE) & PMD_MASK;

		if (pmd && pmd_trans_huge(*pmd)) {
			(*e2m)++;
			a = next;
			continue;
		}
		(*e4k)++;
		a += PAGE_SIZE;
	}
}

struct itlb_pass {
	double misses;	    /* first-level iTLB misses */
	double stlb_misses; /* of those, the ones that walk */
	double ns;	    /* what they cost */
};

/* A page walk's cycles: the leaf entry's line, where the pass's entries fit, and the level above.
 */
static double walk_cycles(double entries)
{
	const struct machine_tlb *t = &sim_machine->tlb;
	double bytes = entries * 8; /* a page-table entry is 8 bytes */
	double leaf = bytes <= t->l2_size    ? t->l2_hit
		      : bytes <= t->llc_size ? t->llc_hit
					     : sim_machine->mem_latency * sim_machine->freq / 1e9;

	return leaf + COST_L1_HIT;
}

static struct itlb_pass itlb_pass(double e4k, double e2m)
{
	const struct machine_tlb *t = &sim_machine->tlb;
	struct itlb_pass pass = {0};

	pass.misses = (e4k > t->itlb_4k ? e4k : 0) + (e2m > t->itlb_2m ? e2m : 0);
	pass.stlb_misses = e4k + e2m > t->stlb ? pass.misses : 0;
	pass.ns = cycles(pass.misses * t->stlb_hit + pass.stlb_misses * walk_cycles(e4k + e2m));
	return pass;
}

static void text_collect(struct workload_result *r)
{
	const struct workload_params *p = &task_set.params;
	double mapped = 0, e4k, e2m, run_ns;
	unsigned long footprint = p->footprint < p->text_size ? p->footprint : p->text_size;
	struct itlb_pass pass;

	tasks_collect(r);
	for (int i = 0; i < p->tasks; i++)
		if (task_set.tasks[i].finished > mapped)
			mapped = task_set.tasks[i].finished;
	itlb_entries(footprint, &e4k, &e2m);
	pass = itlb_pass(e4k, e2m);
	run_ns = cycles(footprint / 64.0 * p->line_cycles);
	add_metric(r, "text_mapped_ns", mapped);
	add_metric(r, "page_cache_bytes", (double)text_file.f_mapping.cached_bytes);
	add_metric(r, "read_bytes", (double)text_file.f_mapping.read_bytes);
	add_metric(r, "itlb_entries_4k", e4k);
	add_metric(r, "itlb_entries_2m", e2m);
	add_metric(r, "itlb_misses_per_pass", pass.misses);
	add_metric(r, "stlb_misses_per_pass", pass.stlb_misses);
	add_metric(r, "itlb_ns_per_pass", pass.ns);
	add_metric(r, "itlb_share_of_pass", pass.ns / (pass.ns + run_ns));
}

const struct workload_ops text_workload = {
    .name = "text",
    .start = text_start_tasks,
    .collect = text_collect,
};

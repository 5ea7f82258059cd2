/* models/task.c - tasks, their address spaces and will-it-scale counting. */
#include "task.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "cost.h"
#include "page_alloc.h"
#include "vmstat.h"

struct task_set task_set;

/* Start-up mappings of the program, its loader and its libraries: see below. */
#define TASK_IMAGE_VMAS 25
/* glibc's default thread stack: RLIMIT_STACK, 8 MiB. */
#define TASK_THREAD_STACK (8UL << 20)

/*
 * What a will-it-scale task has mapped before its test maps anything:
 * its binary, heap and five shared libraries of four segments each (r,
 * r-x, r, rw), TASK_IMAGE_VMAS in all (an estimate, from /proc/PID/maps
 * of a glibc program linked with libhwloc), and, for each thread
 * pthread_create() started, its stack and the guard page below it
 * (glibc's allocate_stack() maps both and mprotect()s the stack: two
 * VMAs).  Every VMA lookup descends past them.  Neighbours never share
 * flags, so none merges with another or with what the test maps.  They
 * are laid out above TASK_MMAP_BASE, where the workloads' own mappings
 * start, though the kernel puts them below mmap_base: only the tree's
 * size matters.
 */
static void task_image_setup(struct mm_struct *mm, int threads)
{
	static const unsigned long segment[4] = {VM_READ, VM_READ | VM_EXEC, VM_READ,
						 VM_READ | VM_WRITE};
	unsigned long a = TASK_MMAP_BASE;

	for (int i = 0; i < threads; i++) {
		mm_setup_vma(mm, a, PAGE_SIZE, 0);
		mm_setup_vma(mm, a + PAGE_SIZE, TASK_THREAD_STACK, VM_READ | VM_WRITE);
		a += PAGE_SIZE + TASK_THREAD_STACK;
	}
	for (int i = 0; i < TASK_IMAGE_VMAS; i++) {
		mm_setup_vma(mm, a, HPAGE_PMD_SIZE, segment[i % 4]);
		a += HPAGE_PMD_SIZE;
	}
}

void tasks_start(const struct workload_params *p, void (*body)(void *arg), bool loops)
{
	struct task_set *ts = &task_set;

	ts->params = *p;
	ts->warm = 0;
	ts->loops = loops;
	/*
	 * Under auto, a loop workload's window opens at the cap unless its
	 * loops open it sooner; anything else measures from the start.
	 */
	stats_from = p->warmup != WARMUP_AUTO ? p->warmup : loops ? WARMUP_AUTO_MAX : 0;
	stats_length = p->duration;
	mm_tunables = p->kernel;
	vmstat_init();
	page_alloc_init();
	histogram_init(&ts->latency);
	ts->nr_mms = p->processes ? p->tasks : 1;
	ts->mms = calloc(ts->nr_mms, sizeof(*ts->mms));
	ts->tasks = calloc(p->tasks, sizeof(*ts->tasks));
	for (int i = 0; i < ts->nr_mms; i++) {
		bool alone = p->processes || p->tasks == 1;

		mm_init(&ts->mms[i], alone ? task_cpu(p, i) : -1);
		ts->mms[i].mm_users = p->processes ? 1 : p->tasks;
		task_image_setup(&ts->mms[i], p->processes ? 0 : p->tasks);
	}
	for (int i = 0; i < p->tasks; i++) {
		struct task *t = &ts->tasks[i];

		t->rank = i;
		t->loops = -1;
		t->cpu = task_cpu(p, i);
		t->mm = &ts->mms[p->processes ? i : 0];
		cpumask_set_cpu(t->cpu, mm_cpumask(t->mm));
	}
	for (int i = 0; i < p->tasks; i++)
		sim_start_cpu(ts->tasks[i].cpu, body, &ts->tasks[i]);
}

void tasks_collect(struct workload_result *r)
{
	struct task_set *ts = &task_set;

	*r = (struct workload_result){0};
	r->ops_min = ts->params.tasks ? ts->tasks[0].ops : 0;
	r->loops_min = ts->loops ? LONG_MAX : -1;
	for (int i = 0; i < ts->params.tasks; i++) {
		struct task *t = &ts->tasks[i];

		r->ops += t->ops;
		r->faults += t->faults;
		r->faults_total += t->faults_total;
		if (t->ops < r->ops_min)
			r->ops_min = t->ops;
		if (t->ops > r->ops_max)
			r->ops_max = t->ops;
		/* A task still in its first, partial loop has completed none. */
		if (ts->loops && (t->loops > 0 ? t->loops : 0) < r->loops_min)
			r->loops_min = t->loops > 0 ? t->loops : 0;
	}
	r->latency = ts->latency;
}

/*
 * The window is [stats_from, stats_from + duration] on each CPU's clock:
 * will-it-scale counts what each task completed in its sampling interval.
 */
static bool in_window(double started, double now)
{
	return started >= stats_from && now <= stats_from + task_set.params.duration;
}

bool task_time_up(void)
{
	/* Measuring cannot begin after WARMUP_AUTO_MAX; nor can the run go on past it. */
	return cpu_clock() >= stats_from + task_set.params.duration;
}

unsigned long task_loop_start(struct task *t, unsigned long pages)
{
	if (t->loops >= 0 || !pages)
		return 0;
	return gsl_rng_uniform_int(this_cpu()->rng, pages);
}

/*
 * Every loop of a task costs what the same loop cost the others, to the
 * nanosecond, so tasks that meet (one waits out another's munmap) leave
 * the meeting one behind the other and meet again never, or always: the
 * threads fall into a schedule no machine keeps.  workload.loop_jitter
 * adds up to that much user work after each loop, at random, to see how
 * much a prediction owes to that schedule.
 */
static void task_loop_jitter(void)
{
	double jitter = task_set.params.loop_jitter;

	if (jitter > 0)
		cpu_work(jitter * gsl_rng_uniform(this_cpu()->rng));
}

void task_loop_done(struct task *t)
{
	struct task_set *ts = &task_set;

	task_loop_jitter();
	if (++t->loops != 1 || ++ts->warm != ts->params.tasks)
		return;
	/* The last task has completed a full loop: every phase has run on every CPU. */
	if (ts->params.warmup == WARMUP_AUTO && cpu_clock() < stats_from)
		stats_from = cpu_clock();
}

void task_op_done(struct task *t, double started)
{
	double now = cpu_clock();

	rcu_user_enter();
	if (!in_window(started, now))
		return;
	t->ops++;
	histogram_add(&task_set.latency, now - started);
}

/* The page-table page that maps addr: NULL if none, or if a huge PMD does (*huge). */
static struct pte_table *user_pte_table(struct mm_struct *mm, unsigned long addr, bool *huge)
{
	struct pmd_table *t = mm->pud[(addr >> PUD_SHIFT) & (PTRS_PER_PUD - 1)];
	pmd_t pmd;

	*huge = false;
	if (!t)
		return NULL;
	pmd = t->pmd[(addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1)];
	*huge = pmd.huge;
	return pmd.huge ? NULL : pmd.table;
}

/*
 * The hardware walk: is addr mapped, and for a write, writable?  Page
 * tables of a shared mm change under other CPUs, so look at them at this
 * CPU's real instant.
 */
static bool user_page_mapped(struct mm_struct *mm, unsigned long addr, bool write)
{
	struct pte_table *t;
	bool huge;

	if (mm->private_cpu < 0)
		cpu_sync();
	t = user_pte_table(mm, addr, &huge);
	if (huge)
		return true;
	if (!t)
		return false;
	/* The walker reads the entry's line: a miss if another CPU wrote it. */
	cacheline_read(pte_line(t, addr));
	/* The zero page is mapped read-only: a write to it faults. */
	return pte_present(t, addr) && !(write && pte_special(t, addr));
}

/*
 * After a write fault, is addr still mapped read-only to the zero page?
 * Its fault lost a race to a read that mapped it, and returned with
 * nothing done: the store, executed again, faults again.
 */
static bool write_finds_zero_page(struct mm_struct *mm, unsigned long addr)
{
	bool huge;
	struct pte_table *t = user_pte_table(mm, addr, &huge);

	return t && pte_special(t, addr);
}

static void task_access(struct task *t, unsigned long addr, bool write)
{
	vm_fault_t fault;
	double now;

	if (user_page_mapped(t->mm, addr, write)) {
		cpu_work(cycles(COST_USER_TOUCH));
		return;
	}
	do {
		fault = do_user_addr_fault(t->mm, addr, write);
		rcu_user_enter();
		now = cpu_clock();
		t->faults_total++;
		if (in_window(now, now))
			t->faults++;
	} while (write && !(fault & VM_FAULT_ERROR) && write_finds_zero_page(t->mm, addr));
}

void task_touch(struct task *t, unsigned long addr)
{
	task_access(t, addr, true);
}

/*
 * A page-cache page outlives the mappings that write it: its data line
 * was last pulled into whichever caches wrote it a loop ago and may have
 * left them since (anonymous and copied pages are new, and the kernel
 * just zeroed or copied them through ours).  The store itself retires
 * into the store buffer and its miss drains under the next fault's
 * exception entry, so it costs no time here; the line it brings in
 * still takes its room in our caches, pushing out the struct pages and
 * page-table lines the kernel touches next.
 */
void task_store_cached(struct page_mark *data)
{
	int me = smp_processor_id();

	if (cache_refetch(data->cpu, data->stamp, me, -1) > 0)
		cache_fill(64);
	*data = page_mark_now();
}

void task_read(struct task *t, unsigned long addr)
{
	task_access(t, addr, false);
}

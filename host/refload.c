/* host/refload.c - faultsim-ref: the simulated workloads, run for real.
 *
 *   faultsim-ref WORKLOAD --tasks N [--processes] [--seconds S] [--warmup S]
 *   WORKLOAD: page_fault1 | pft | mmap1 | mixed | thp
 *
 * As will-it-scale runs its tests: N tasks (threads of this process, or
 * processes), one per CPU and pinned there, each incrementing its own
 * counter in shared memory; after the warm-up the parent samples the
 * counters every interval and reports operations per task per second,
 * averaged over the samples.  Faults are checked against getrusage():
 * the minor faults the tasks took, against those the workload meant to
 * cause.  Output: one line of key=value pairs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEMSIZE		     (128UL << 20) /* will-it-scale's page_fault1 and mmap1 */
#define PAGE		     4096UL
#define HPAGE		     (2UL << 20)
#define MAX_TASKS	     1024
#define SLOT		     (2UL << 20) /* mixed: a VMA */
#define SLOTS		     4
#define MIXED_FIXED_PERMILLE 10 /* mixed: 1% of operations replace a slot */

struct counter {
	_Atomic unsigned long ops;
	_Atomic unsigned long faults; /* faults the workload meant to cause */
	char pad[64 - 2 * sizeof(unsigned long)];
};

static struct counter *counters; /* shared with child processes */
static _Atomic int stop;
static const char *workload;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void touch_region(struct counter *c, char *p, size_t len, size_t stride)
{
	for (size_t off = 0; off < len && !stop; off += PAGE) {
		p[off] = 1;
		atomic_fetch_add_explicit(&c->ops, 1, memory_order_relaxed);
		if (off % stride == 0)
			atomic_fetch_add_explicit(&c->faults, 1, memory_order_relaxed);
	}
}

static void page_fault1(struct counter *c, bool huge)
{
	while (!stop) {
		char *p = mmap(NULL, MEMSIZE + (huge ? HPAGE : 0), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *a = p;

		if (p == MAP_FAILED)
			return;
		if (huge) {
			a = (char *)(((unsigned long)p + HPAGE - 1) & ~(HPAGE - 1));
			madvise(a, MEMSIZE, MADV_HUGEPAGE);
		}
		touch_region(c, a, MEMSIZE, huge ? HPAGE : PAGE);
		munmap(p, MEMSIZE + (huge ? HPAGE : 0));
	}
}

static void mmap1(struct counter *c)
{
	while (!stop) {
		void *p =
		    mmap(NULL, MEMSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		munmap(p, MEMSIZE);
		atomic_fetch_add_explicit(&c->ops, 1, memory_order_relaxed);
	}
}

/* pft: write each page of the task's own region once; then it is done. */
static void pft(struct counter *c, char *region)
{
	touch_region(c, region, MEMSIZE, PAGE);
}

/* mixed, private slots: writes page by page, 1% of operations remap a slot. */
static void mixed(struct counter *c, unsigned seed)
{
	char *base =
	    mmap(NULL, SLOTS * (SLOT + PAGE), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long cursor = 0;

	for (int s = 0; s < SLOTS; s++)
		mmap(base + s * (SLOT + PAGE), SLOT, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	/* Faulted pages, so a touch of a mapped page is not counted as a fault. */
	unsigned char *mapped = calloc(SLOTS * SLOT / PAGE, 1);

	while (!stop) {
		if ((unsigned)rand_r(&seed) % 1000 < MIXED_FIXED_PERMILLE) {
			int s = rand_r(&seed) % SLOTS;

			mmap(base + s * (SLOT + PAGE), SLOT, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			memset(mapped + s * SLOT / PAGE, 0, SLOT / PAGE);
		} else {
			unsigned long page = cursor++ % (SLOTS * SLOT / PAGE);
			unsigned long s = page / (SLOT / PAGE), off = page % (SLOT / PAGE);

			base[s * (SLOT + PAGE) + off * PAGE] = 1;
			if (!mapped[page]) {
				mapped[page] = 1;
				atomic_fetch_add_explicit(&c->faults, 1, memory_order_relaxed);
			}
		}
		atomic_fetch_add_explicit(&c->ops, 1, memory_order_relaxed);
	}
	free(mapped);
}

struct task {
	int id;
	char *pft_region;
};

static void *task_main(void *arg)
{
	struct task *t = arg;
	struct counter *c = &counters[t->id];

	pin(t->id);
	if (!strcmp(workload, "page_fault1"))
		page_fault1(c, false);
	else if (!strcmp(workload, "thp"))
		page_fault1(c, true);
	else if (!strcmp(workload, "mmap1"))
		mmap1(c);
	else if (!strcmp(workload, "pft"))
		pft(c, t->pft_region);
	else
		mixed(c, (unsigned)t->id + 1);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned long total(bool faults)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_TASKS; i++)
		n += faults ? counters[i].faults : counters[i].ops;
	return n;
}

static int usage(void)
{
	fprintf(stderr, "usage: faultsim-ref page_fault1|pft|mmap1|mixed|thp --tasks N "
			"[--processes] [--seconds S] [--warmup S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int tasks = 1;
	bool processes = false;
	double seconds = 2, warmup = 0.5, t0, t1 = 0;
	unsigned long ops0, ops1 = 0;
	pthread_t threads[MAX_TASKS];
	struct task ts[MAX_TASKS];
	pid_t pids[MAX_TASKS];
	char *pft_shared = NULL;
	struct rusage ru;
	long minflt;

	if (argc < 2)
		return usage();
	workload = argv[1];
	if (strcmp(workload, "page_fault1") && strcmp(workload, "pft") &&
	    strcmp(workload, "mmap1") && strcmp(workload, "mixed") && strcmp(workload, "thp"))
		return usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--processes"))
			processes = true;
		else if (i + 1 < argc && !strcmp(argv[i], "--tasks"))
			tasks = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--seconds"))
			seconds = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--warmup"))
			warmup = atof(argv[++i]);
		else
			return usage();
	}
	if (tasks < 1 || tasks > MAX_TASKS || seconds <= 0 || warmup < 0)
		return usage();
	counters = mmap(NULL, MAX_TASKS * sizeof(*counters), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!strcmp(workload, "pft") && !processes)
		pft_shared = mmap(NULL, tasks * MEMSIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	for (int i = 0; i < tasks; i++) {
		ts[i] = (struct task){i, pft_shared ? pft_shared + i * MEMSIZE : NULL};
		if (!processes) {
			pthread_create(&threads[i], NULL, task_main, &ts[i]);
			continue;
		}
		if ((pids[i] = fork()) == 0) {
			if (!strcmp(workload, "pft"))
				ts[i].pft_region = mmap(NULL, MEMSIZE, PROT_READ | PROT_WRITE,
							MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			task_main(&ts[i]);
			_exit(0);
		}
	}
	if (!strcmp(workload, "pft")) {
		/* pft faults its memory once: its rate is over the whole run. */
		t0 = now_s();
		ops0 = 0;
	} else {
		usleep((useconds_t)(warmup * 1e6));
		t0 = now_s();
		ops0 = total(false);
		usleep((useconds_t)(seconds * 1e6));
		t1 = now_s();
		ops1 = total(false);
		stop = 1;
	}
	for (int i = 0; i < tasks; i++) {
		if (!processes) {
			pthread_join(threads[i], NULL);
			continue;
		}
		if (stop)
			kill(pids[i], SIGTERM);
		waitpid(pids[i], NULL, 0);
	}
	if (!stop) { /* pft: when the last task is done */
		t1 = now_s();
		ops1 = total(false);
	}
	getrusage(processes ? RUSAGE_CHILDREN : RUSAGE_SELF, &ru);
	minflt = ru.ru_minflt;
	printf("workload=%s tasks=%d processes=%d seconds=%.3f ops=%lu ops_per_task_per_s=%.1f "
	       "faults_counted=%lu minflt=%ld\n",
	       workload, tasks, processes, t1 - t0, ops1 - ops0, (ops1 - ops0) / (t1 - t0) / tasks,
	       total(true), minflt);
	return 0;
}

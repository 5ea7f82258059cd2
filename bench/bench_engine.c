/* bench/bench_engine.c - the engine's speed against SimGrid's own ceiling.
 *
 * For 2, 64 and 1024 CPUs it runs, each in its own child process, the lock
 * study (qspinlock, all CPUs contending) and a bare SimGrid loop with as
 * many actors, each calling sg_actor_sleep_for() on the same platform.
 * Both are measured as time-advancing engine events per wall second; the
 * ratio is what our primitives cost on top of SimGrid.  Peak memory per
 * simulated CPU is the growth of peak RSS from 64 to 1024 CPUs, divided by
 * the 960 extra CPUs.
 *
 * Then page_fault1 at 64 CPUs (64 processes, so no lock between them but
 * the allocator's, memcg's and the LRU's): simulated faults per wall
 * second, against the bare loop's iterations per wall second in the same
 * run, and engine events per fault.
 *
 * Then the contended flagship, spf-maxtry.ini at 64 threads (MAX_TRY 4):
 * simulated faults per bare-loop iteration again, where every fault meets
 * the others on mmap_sem's line, the PTLs and the allocator.
 *
 * Targets: the lock study at least half the bare loop's rate; at most
 * 32 KiB per simulated CPU; at least 0.5 simulated faults per bare-loop
 * iteration uncontended, 0.01 contended.
 */
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../models/workload.h"
#include "../sim/sim.h"

struct measure {
	double events;
	double wall;
	long maxrss_kib;
	double faults;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 1024 CPUs: 8 sockets x 64 cores x 2 threads, xeon-icx-2s's costs. */
static struct sim_config bench_config(void)
{
	struct sim_config cfg = {
	    .machine = {.sockets = 8,
			.cores_per_socket = 64,
			.smt = 2,
			.smt_yield = 1.35,
			.cores_per_llc = 64,
			.freq = 3.5e9,
			.line_smt = 8,
			.line_llc = 51,
			.line_socket = 51,
			.line_remote = 108,
			.line_occupancy = 25,
			.atomic = 5.4,
			.ipi_send = 20,
			.ipi_multicast = true,
			.ipi_latency = 400,
			.ipi_handler = 300,
			.wakeup = 4000,
			.invlpg = 50,
			.mem_latency = 89,
			.mem_latency_remote = 143,
			.mem_bw = 204.8e9,
			.mem_bw_core = 12e9,
			.mem_queueing = 0.52,
			.fill_buffers = 12,
			.disk_latency = 85e3,
			.disk_bw = 6.5e9,
			.fault_entry = 200,
			.syscall_entry = 70,
			.vma_op = 170,
			.zap_page = 17,
			.cost = {.vma_tree_level = 20,
				 .walk_level = 8,
				 .pcp_alloc = 80,
				 .pcp_free = 50,
				 .buddy_page = 40,
				 .set_pte = 120,
				 .irq_toggle = 10,
				 .l1_hit = 5,
				 .lru_page = 30,
				 .change_pte = 25,
				 .gap_search = 15,
				 .user_touch = 4,
				 .srcu_read = 20,
				 .rcu_read = 2},
			.tlb = {.itlb_4k = 128,
				.itlb_2m = 8,
				.stlb = 2048,
				.stlb_hit = 9,
				.l2_hit = 14,
				.llc_hit = 70,
				.l2_size = 1.25 * (1 << 20),
				.llc_size = 54 << 20}},
	    .spinlock = SPINLOCK_QUEUED,
	    .watchdog_thresh = 10e9,
	    .rcu_gp = 2e6,
	    .seed = 1,
	};
	return cfg;
}

static long bare_iterations;
static unsigned long bare_events;
static bool bare_staggered;

/*
 * All bare actors sleep 50 ns, so they all wake at one instant and
 * SimGrid serves them in one scheduling round.  Staggered, actor i sleeps
 * 50 ns x (1 + i / 1024): each wakes at an instant of its own, as the
 * CPUs of a simulation do, and each event pays a round of its own.
 */
static void bare_actor(int argc, char **argv)
{
	double step = 50e-9;

	(void)argc;
	if (bare_staggered)
		step *= 1 + atoi(argv[0]) / 1024.0;
	for (long i = 0; i < bare_iterations; i++) {
		sg_actor_sleep_for(step);
		bare_events++;
	}
}

static void run_bare(int n, struct measure *m)
{
	sg_host_t *hosts = sg_host_list();
	double t0;

	bare_iterations = 2000000 / n;
	for (int i = 0; i < n; i++) {
		char name[16], id[16];
		const char *argv[] = {id};

		snprintf(name, sizeof(name), "bare%d", i);
		snprintf(id, sizeof(id), "%d", i);
		sg_actor_create_(name, hosts[i], bare_actor, 1, argv);
	}
	free(hosts);
	t0 = wall_now();
	simgrid_run();
	m->wall = wall_now() - t0;
	m->events = (double)bare_events;
}

/* Sized for about 2 million events, as the bare loop, on each machine size. */
static void run_lock(int n, struct measure *m)
{
	struct workload_params p = {
	    .type = "lock",
	    .tasks = n,
	    .duration = n == 2 ? 500e6 : 150e6,
	    .critical_section = 100,
	    .think_time = 2000,
	};
	struct sim_outcome out;
	double t0;

	workload_find("lock")->start(&p);
	t0 = wall_now();
	sim_run(p.duration + 11e9, &out);
	m->wall = wall_now() - t0;
	m->events = (double)out.events;
}

/*
 * page_fault1, 64 processes: 100 ms simulated, about half a million faults,
 * long enough that first-touch allocation is not all the run measures.
 */
static void run_page_fault1(int n, struct measure *m)
{
	struct workload_params p = {
	    .type = "page_fault1",
	    .tasks = n,
	    .processes = true,
	    .duration = 100e6,
	    .region = 128UL << 20,
	};
	struct workload_result w;
	struct sim_outcome out;
	double t0;

	workload_find("page_fault1")->start(&p);
	t0 = wall_now();
	sim_run(p.duration + 11e9, &out);
	m->wall = wall_now() - t0;
	m->events = (double)out.events;
	workload_find("page_fault1")->collect(&w);
	m->faults = (double)w.faults_total;
}

/* spf-maxtry.ini at 64 threads, MAX_TRY 4: 2 ms of contended faults. */
static void run_flagship(int n, struct measure *m)
{
	struct workload_params p = {
	    .type = "mixed",
	    .tasks = n,
	    .duration = 2e6,
	    .slot = 2UL << 20,
	    .slots = 8,
	    .shared = true,
	    .munmap_ratio = 0.01,
	    .kernel = {.fault_path = FAULT_PATH_SPF,
		       .ptl = PTL_SPLIT,
		       .max_try = 4,
		       .pte_lock = PTE_LOCK_TRYLOCK,
		       .fault_around_bytes = 65536,
		       .ra_bytes = 131072},
	};
	struct workload_result w;
	struct sim_outcome out;
	double t0;

	workload_find("mixed")->start(&p);
	t0 = wall_now();
	sim_run(p.duration + 11e9, &out);
	m->wall = wall_now() - t0;
	m->events = (double)out.events;
	workload_find("mixed")->collect(&w);
	m->faults = (double)w.faults_total;
}

/*
 * The machine's own speed drifts: each ratio is the median of this many
 * rounds, each running the two sides back to back, the first of them in
 * turn, so that a drift within a round favours neither.
 */
#define BENCH_ROUNDS 5

static double rate(const struct measure *m)
{
	return m->events / m->wall;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, BENCH_ROUNDS, sizeof(*v), cmp_double);
	return v[BENCH_ROUNDS / 2];
}

enum bench_kind { BENCH_LOCK, BENCH_BARE, BENCH_PAGE_FAULT1, BENCH_FLAGSHIP, BENCH_STAGGERED };

static int measure_child(int n, enum bench_kind kind, struct measure *m)
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		static struct sim_config cfg;
		struct rusage ru;
		char err[128];

		cfg = bench_config();
		if (sim_init(&cfg, err, sizeof(err)))
			_exit(1);
		bare_staggered = kind == BENCH_STAGGERED;
		if (kind == BENCH_BARE || kind == BENCH_STAGGERED)
			run_bare(n, m);
		else if (kind == BENCH_LOCK)
			run_lock(n, m);
		else if (kind == BENCH_PAGE_FAULT1)
			run_page_fault1(n, m);
		else
			run_flagship(n, m);
		getrusage(RUSAGE_SELF, &ru);
		m->maxrss_kib = ru.ru_maxrss;
		_exit(write(fds[1], m, sizeof(*m)) == sizeof(*m) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], m, sizeof(*m)) != sizeof(*m))
		m->wall = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status) && m->wall > 0 ? 0 : -1;
}

/* Measure a and b back to back, a first in even rounds and b in odd ones. */
static int measure_pair(int n, enum bench_kind a, struct measure *ma, enum bench_kind b,
			struct measure *mb, int round)
{
	if (round % 2)
		return measure_child(n, b, mb) || measure_child(n, a, ma) ? -1 : 0;
	return measure_child(n, a, ma) || measure_child(n, b, mb) ? -1 : 0;
}

/*
 * Simulated faults a wall second over the 64-CPU bare loop's iterations a
 * wall second, measured back to back: the median of BENCH_ROUNDS rounds.
 */
static int faults_per_bare_iteration(enum bench_kind kind, struct measure *m, double *ratio)
{
	double r[BENCH_ROUNDS];
	struct measure bare;

	for (int i = 0; i < BENCH_ROUNDS; i++) {
		if (measure_pair(64, kind, m, BENCH_BARE, &bare, i))
			return -1;
		r[i] = (m->faults / m->wall) / rate(&bare);
	}
	*ratio = median(r);
	return 0;
}

/*
 * "bench_engine KIND CPUS" runs one measurement alone and prints it, for a
 * profiler to look at: KIND is bare, staggered, lock, page_fault1 or
 * flagship.
 */
static const char bench_usage[] =
    "usage: bench_engine [bare|staggered|lock|page_fault1|flagship CPUS]\n";

static int measure_one(const char *kind, const char *count)
{
	static const char *const kinds[] = {"lock", "bare", "page_fault1", "flagship", "staggered"};
	struct measure m = {0};
	int n = atoi(count);

	for (int k = 0; k < 5; k++) {
		if (strcmp(kind, kinds[k]) || n < 1 || n > 1024)
			continue;
		if (measure_child(n, (enum bench_kind)k, &m))
			return 1;
		printf("%s, %d CPUs: %.3g events/s, %.3g faults/s wall\n", kind, n,
		       m.events / m.wall, m.faults / m.wall);
		return 0;
	}
	fputs(bench_usage, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const int sizes[] = {2, 64, 1024};
	struct measure lock[3], bare[3], stag, pf, flag;
	bool met = true;
	double per_cpu, faults_per_iter, contended_per_iter;

	if (argc == 3)
		return measure_one(argv[1], argv[2]);
	if (argc != 1) {
		fputs(bench_usage, stderr);
		return 2;
	}

	printf("%6s %14s %14s %8s %14s %8s %10s\n", "CPUs", "lock events/s", "bare events/s",
	       "ratio", "staggered ev/s", "ratio", "RSS MiB");
	for (int i = 0; i < 3; i++) {
		double ratio[BENCH_ROUNDS], staggered[BENCH_ROUNDS];

		for (int r = 0; r < BENCH_ROUNDS; r++) {
			if (measure_pair(sizes[i], BENCH_LOCK, &lock[i], BENCH_BARE, &bare[i], r) ||
			    measure_child(sizes[i], BENCH_STAGGERED, &stag)) {
				fprintf(stderr, "bench: a measurement failed at %d CPUs\n",
					sizes[i]);
				return 1;
			}
			ratio[r] = rate(&lock[i]) / rate(&bare[i]);
			staggered[r] = rate(&lock[i]) / rate(&stag);
		}
		met &= median(ratio) >= 0.5;
		printf("%6d %14.3g %14.3g %8.2f %14.3g %8.2f %10.1f\n", sizes[i], rate(&lock[i]),
		       rate(&bare[i]), median(ratio), rate(&stag), median(staggered),
		       lock[i].maxrss_kib / 1024.0);
	}
	per_cpu = (double)(lock[2].maxrss_kib - lock[1].maxrss_kib) / (1024 - 64);
	met &= per_cpu <= 32;
	printf("peak memory per simulated CPU: %.1f KiB (target <= 32 KiB)\n", per_cpu);
	if (faults_per_bare_iteration(BENCH_PAGE_FAULT1, &pf, &faults_per_iter)) {
		fprintf(stderr, "bench: page_fault1 failed\n");
		return 1;
	}
	met &= faults_per_iter >= 0.5;
	printf("page_fault1, 64 processes: %.3g faults/s wall, %.2f events/fault, "
	       "%.2f faults per bare-loop iteration (target >= 0.5)\n",
	       pf.faults / pf.wall, pf.events / pf.faults, faults_per_iter);
	if (faults_per_bare_iteration(BENCH_FLAGSHIP, &flag, &contended_per_iter)) {
		fprintf(stderr, "bench: the flagship failed\n");
		return 1;
	}
	met &= contended_per_iter >= 0.01;
	printf("spf-maxtry, 64 threads: %.3g faults/s wall, %.2f events/fault, "
	       "%.3f faults per bare-loop iteration (target >= 0.01)\n",
	       flag.faults / flag.wall, flag.events / flag.faults, contended_per_iter);
	printf("targets (ratio >= 0.5, <= 32 KiB per CPU, >= 0.5 and 0.01 faults per iteration): "
	       "%s\n",
	       met ? "met" : "MISSED");
	return met ? 0 : 1;
}

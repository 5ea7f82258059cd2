/* tests/test_primitives.c - the kernel primitives behave as their names say.
 *
 * Each case states the property it proves; CTest runs each in its own
 * process.  Expected times are worked out from the round figures of
 * test_config(): 40 ns a line transfer inside a socket, 5 ns an atomic.
 */
#include <math.h>
#include <string.h>

#include "harness.h"

static double *out;

/* ---- a shared line is a serial resource ---- */

#define RMW_PER_CPU 200

static struct cacheline shared_line, private_lines[64];

static void rmw_task(void *arg)
{
	struct cacheline *l = arg ? &private_lines[smp_processor_id()] : &shared_line;

	for (int i = 0; i < RMW_PER_CPU; i++)
		cacheline_rmw(l);
	cpu_sync();
	if (sim_now() > out[0])
		out[0] = sim_now();
}

static void rmw_body(void *arg, double *o)
{
	int n = *(int *)arg / 2;
	bool private = *(int *)arg % 2;

	out = o;
	cacheline_init(&shared_line);
	for (int i = 0; i < n; i++) {
		cacheline_init(&private_lines[i]);
		sim_start_cpu(i, rmw_task, private ? &private_lines[i] : NULL);
	}
}

static double rmw_finish(int nr, bool private)
{
	struct sim_config cfg = test_config(1, 64, 1);
	struct child_result r;
	int arg = nr * 2 + private;

	run_child(&cfg, rmw_body, &arg, 1e9, &r);
	return r.v[0];
}

static void test_line_saturates(void)
{
	double two = rmw_finish(2, false), sixteen = rmw_finish(16, false);
	double priv = rmw_finish(16, true);

	/* Every RMW after the first moves the line: 40 ns + 5 ns each, serially. */
	CHECK_NEAR(sixteen, 16 * RMW_PER_CPU * 45.0, 0.02);
	/* The aggregate rate does not grow with CPUs: one transfer at a time. */
	CHECK_NEAR(16 * RMW_PER_CPU / sixteen, 2 * RMW_PER_CPU / two, 0.03);
	/* Private lines stay local and proceed in parallel. */
	CHECK(priv < sixteen / 50, "private %g ns vs shared %g ns", priv, sixteen);
}

/* ---- memory bandwidth is shared by SimGrid ---- */

static void zero_task(void *arg)
{
	double t0 = sim_now();

	(void)arg;
	clear_huge_page();
	out[smp_processor_id()] = sim_now() - t0;
}

/* arg: number of CPUs; on one socket or spread over two. */
static void zero_body(void *arg, double *o)
{
	int n = ((int *)arg)[0], spread = ((int *)arg)[1];

	out = o;
	for (int i = 0; i < n; i++)
		sim_start_cpu(spread ? (i % 2) * 8 + i / 2 : i, zero_task, NULL);
}

static void test_hugepage_zero_shares_bandwidth(void)
{
	struct sim_config cfg = test_config(2, 8, 1);
	struct child_result one, eight, spread;
	int a1[] = {1, 0}, a8[] = {8, 0}, a8s[] = {8, 1};
	double alone = HPAGE_PMD_SIZE / 10e9 * 1e9; /* one core: 10 GB/s */

	run_child(&cfg, zero_body, a1, 1e9, &one);
	run_child(&cfg, zero_body, a8, 1e9, &eight);
	run_child(&cfg, zero_body, a8s, 1e9, &spread);
	CHECK_NEAR(one.v[0], alone, 0.01);
	/*
	 * Each zeroing core moves 20 GB/s through its controller: every line
	 * is read for ownership, then written back.  8 CPUs on one 40 GB/s
	 * socket: 5 GB/s of traffic each, four times as long as alone.
	 */
	for (int i = 0; i < 8; i++)
		CHECK_NEAR(eight.v[i], 4 * alone, 0.01);
	/* 4 per socket over two sockets: half as long again. */
	CHECK_NEAR(spread.v[0], 2 * alone, 0.01);
	CHECK_NEAR(spread.v[8], 2 * alone, 0.01);
}

/* ---- storage bandwidth is shared by SimGrid too ---- */

static void read_task(void *arg)
{
	double t0 = sim_now();

	(void)arg;
	storage_read(1000000);
	out[smp_processor_id()] = sim_now() - t0;
}

static void read_body(void *arg, double *o)
{
	out = o;
	for (int i = 0; i < *(int *)arg; i++)
		sim_start_cpu(i, read_task, NULL);
}

static void test_storage_shares_bandwidth(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result one, two;
	int n1 = 1, n2 = 2;

	run_child(&cfg, read_body, &n1, 1e9, &one);
	run_child(&cfg, read_body, &n2, 1e9, &two);
	/* 100 us latency, then 1 MB at 1 GB/s: alone 1 ms, two at once 2 ms each. */
	CHECK_NEAR(one.v[0], 100e3 + 1e6, 0.01);
	CHECK_NEAR(two.v[0], 100e3 + 2e6, 0.01);
	CHECK_NEAR(two.v[1], 100e3 + 2e6, 0.01);
}

/* ---- a waiting writer blocks later readers ---- */

static struct rw_semaphore sem;

static void sleep_until(double t)
{
	cpu_sync();
	if (t > sim_now())
		cpu_account(t - sim_now());
	cpu_sync();
}

static void rwsem_task(void *arg)
{
	int role = smp_processor_id();

	(void)arg;
	if (role == 0) { /* a reader holding the lock 100 us */
		down_read(&sem);
		sleep_until(100e3);
		up_read(&sem);
	} else if (role == 1) { /* a writer arriving at 10 us, holding it 20 us */
		sleep_until(10e3);
		down_write(&sem);
		cpu_sync();
		out[1] = sim_now();
		cpu_account(20e3);
		cpu_sync();
		out[2] = sim_now();
		up_write(&sem);
	} else { /* a second reader arriving at 50 us */
		sleep_until(50e3);
		down_read(&sem);
		cpu_sync();
		out[3] = sim_now();
		up_read(&sem);
	}
}

static void rwsem_body(void *arg, double *o)
{
	bool writer = *(bool *)arg;

	out = o;
	init_rwsem(&sem, "sem");
	sim_start_cpu(0, rwsem_task, NULL);
	if (writer)
		sim_start_cpu(1, rwsem_task, NULL);
	sim_start_cpu(2, rwsem_task, NULL);
}

static void test_rwsem_writer_blocks_readers(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result with, without;
	bool yes = true, no = false;

	run_child(&cfg, rwsem_body, &yes, 1e9, &with);
	run_child(&cfg, rwsem_body, &no, 1e9, &without);
	/* Alone with a reader, the second reader gets in at once. */
	CHECK(without.v[3] < 51e3, "reader got the lock at %g ns", without.v[3]);
	/* The writer waits for the first reader, then the late reader waits for the writer. */
	CHECK(with.v[1] >= 100e3, "writer got it at %g ns, before the reader left", with.v[1]);
	CHECK(with.v[3] >= with.v[2], "late reader at %g ns, writer released at %g ns", with.v[3],
	      with.v[2]);
}

/* ---- a lock word held: the next RMW waits for the holder ---- */

static struct cacheline held_line;

/*
 * CPU 0 takes the line at 0 and holds it until 1 us (a critical section
 * under a lock whose word it is); CPU 1 asks for it at 100 ns.
 */
static void hold_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		cacheline_rmw(&held_line);
		cacheline_hold(&held_line, 1000);
		return;
	}
	sleep_until(100);
	cacheline_rmw(&held_line);
	cpu_sync();
	out[1] = sim_now();
}

static void hold_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	cacheline_init(&held_line);
	sim_start_cpu(0, hold_task, NULL);
	sim_start_cpu(1, hold_task, NULL);
}

static void test_line_hold(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	struct child_result r;

	run_child(&cfg, hold_body, NULL, 1e9, &r);
	/* Let go at 1 us, then a transfer (40 ns) and the atomic (5 ns). */
	CHECK_NEAR(r.v[1], 1045, 0.01);
}

/* ---- the measured window has an end ---- */

#define WINDOW_NS 10.5e3

static spinlock_t window_lock;
static struct rw_semaphore window_sem;

/* CPU 0: 20 holds of 1 us, and mmap_sem-like write hold to 20 us; CPU 1 sleeps on it. */
static void window_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		down_write(&window_sem);
		for (int i = 0; i < 20; i++) {
			spin_lock(&window_lock);
			cpu_account(1e3);
			spin_unlock(&window_lock);
		}
		up_write(&window_sem);
		return;
	}
	sleep_until(5e3);
	down_read(&window_sem);
	up_read(&window_sem);
	cpu_sync();
	out[3] = sim_now();
	out[2] = this_cpu()->idle_ns;
}

static void window_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	stats_length = WINDOW_NS;
	spin_lock_init(&window_lock, "window_lock");
	init_rwsem(&window_sem, "window_sem");
	sim_start_cpu(0, window_task, NULL);
	sim_start_cpu(1, window_task, NULL);
}

/* What the window counted of window_lock: out[4..7]. */
static void window_collect(double *o)
{
	const struct lock_class *c = lock_class_get("window_lock");

	o[4] = (double)c->acquisitions;
	o[5] = c->hold_total;
	o[6] = c->wait_total;
	o[7] = c->wait_max;
}

static void test_window_ends(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	child_after_run = window_collect;
	run_child(&cfg, window_body, NULL, 1e9, &r);
	/* The run goes on to 20 us; what happens after 10.5 us is not counted. */
	CHECK(r.v[3] >= 20e3, "the reader got in at %g ns, before the writer left", r.v[3]);
	/* Acquired at 0, 1, ..., 10 us and a few ns a lock; held 1 us each, the 11th in part. */
	CHECK(r.v[4] == 11, "%g acquisitions counted in a 10.5 us window", r.v[4]);
	CHECK(r.v[5] > 10e3 && r.v[5] <= WINDOW_NS, "%g ns of holds counted in a 10.5 us window",
	      r.v[5]);
	/* Asleep from 5 us to 20 us, of which 5.5 us in the window. */
	CHECK(r.v[2] > 4e3 && r.v[2] <= WINDOW_NS - 5e3, "%g ns idle counted", r.v[2]);
}

/* CPU 0 holds a lock 3 us from 0; CPU 1 waits for it from 0; the window opens at 2 us. */
static void straddle_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		spin_lock(&window_lock);
		cpu_account(3e3);
		spin_unlock(&window_lock);
		return;
	}
	cpu_account(10);
	spin_lock(&window_lock);
	spin_unlock(&window_lock);
}

static void straddle_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	stats_from = 2e3;
	spin_lock_init(&window_lock, "window_lock");
	sim_start_cpu(0, straddle_task, NULL);
	sim_start_cpu(1, straddle_task, NULL);
}

static void test_window_clips_waits(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	child_after_run = window_collect;
	run_child(&cfg, straddle_body, NULL, 1e9, &r);
	/* Waited from 10 ns to 3 us and a hand-off: the total counts what lies past 2 us. */
	CHECK(r.v[7] > 2.9e3, "the longest wait %g ns, not the whole of it", r.v[7]);
	CHECK(r.v[6] > 0.9e3 && r.v[6] < 1.3e3,
	      "%g ns of wait counted from a window opening at 2 us", r.v[6]);
}

/* ---- spin_lock() with IRQs off against a shootdown: a hard lockup ---- */

static spinlock_t ptl;
static struct mm_struct_lite {
	struct cpumask mask;
} mm;

static void unmapper_task(void *arg)
{
	struct flush_tlb_info info = {.start = 0, .end = 4 * PAGE_SIZE, .stride_shift = PAGE_SHIFT};

	(void)arg;
	spin_lock(&ptl);
	cpu_account(1e3); /* zap_pte_range() */
	flush_tlb_on_cpus(&mm.mask, &info);
	spin_unlock(&ptl);
	out[0] = sim_now();
}

static void faulter_task(void *arg)
{
	bool use_trylock = *(bool *)arg;

	sleep_until(500);
	if (!use_trylock) {
		local_irq_disable();
		spin_lock(&ptl);
		local_irq_enable();
	} else {
		/* What pte_map_lock() does: IRQs back on between tries. */
		for (;;) {
			local_irq_disable();
			if (spin_trylock(&ptl))
				break;
			local_irq_enable();
			cpu_account(20);
		}
		local_irq_enable();
	}
	spin_unlock(&ptl);
	out[1] = sim_now();
}

static void lockup_body(void *arg, double *o)
{
	out = o;
	spin_lock_init(&ptl, "ptl");
	cpumask_clear(&mm.mask);
	cpumask_set_cpu(0, &mm.mask);
	cpumask_set_cpu(1, &mm.mask);
	sim_start_cpu(0, unmapper_task, NULL);
	sim_start_cpu(1, faulter_task, arg);
}

static void test_spin_irqsoff_shootdown_lockup(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result spin, trylock;
	bool no = false, yes = true;
	const char *rep = spin.outcome.report;

	run_child(&cfg, lockup_body, &no, 60e9, &spin);
	CHECK(spin.outcome.end == SIM_END_LOCKUP, "ended %d, report:\n%s", spin.outcome.end, rep);
	CHECK(strstr(rep, "hard LOCKUP on cpu 1"), "report:\n%s", rep);
	CHECK(strstr(rep, "spinning on spinlock \"ptl\", held by cpu 0"), "report:\n%s", rep);
	CHECK(strstr(rep, "spinning on the acks of IPI call \"flush_tlb\", not acked by cpu 1"),
	      "report:\n%s", rep);
	/* Detected at the watchdog threshold after IRQs went off at 500 ns. */
	CHECK_NEAR(spin.outcome.sim_time, 10e9 + 500, 0.001);

	run_child(&cfg, lockup_body, &yes, 60e9, &trylock);
	CHECK(trylock.outcome.end == SIM_END_OK, "trylock variant ended %d:\n%s",
	      trylock.outcome.end, trylock.outcome.report);
	CHECK(trylock.v[1] > trylock.v[0], "faulter got the PTL at %g, unmapper done at %g",
	      trylock.v[1], trylock.v[0]);
}

/* ---- IPIs wait for IRQs to come back on ---- */

static void ipi_target_task(void *arg)
{
	bool irqs_off = *(bool *)arg;

	if (irqs_off)
		local_irq_disable();
	sleep_until(50e3);
	local_irq_enable();
}

static double nop_ipi(int cpu, void *info)
{
	(void)cpu;
	(void)info;
	return 0;
}

static void ipi_sender_task(void *arg)
{
	struct cpumask mask;

	(void)arg;
	cpumask_clear(&mask);
	cpumask_set_cpu(1, &mask);
	sleep_until(1e3);
	out[0] = smp_call_function_many(&mask, nop_ipi, NULL, true, "nop");
}

static void ipi_body(void *arg, double *o)
{
	out = o;
	sim_start_cpu(0, ipi_sender_task, NULL);
	sim_start_cpu(1, ipi_target_task, arg);
}

static void test_ipi_waits_for_irqs_on(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result on, off;
	bool no = false, yes = true;

	run_child(&cfg, ipi_body, &no, 1e9, &on);
	run_child(&cfg, ipi_body, &yes, 1e9, &off);
	/*
	 * Locking the csd (its line from the target, 40), queueing it on the
	 * target's call_single_queue (a first touch: memory 80 + atomic 5),
	 * the ICR write 20, delivery 500, the handler taking the queue
	 * (transfer 40 + atomic 5), handler 300, the ack's line 40.
	 */
	CHECK_NEAR(on.v[0], 40 + 85 + 20 + 500 + 45 + 300 + 40, 0.01);
	/* Pending until the target's local_irq_enable() at 50 us. */
	CHECK_NEAR(off.v[0], 50e3 - 1e3 + 45 + 300 + 40, 0.01);
}

/* ---- requests queued together are taken in one interrupt ---- */

static void ipi_many_sender_task(void *arg)
{
	struct cpumask mask;

	(void)arg;
	cpumask_clear(&mask);
	cpumask_set_cpu(0, &mask);
	sleep_until(1e3);
	out[smp_processor_id()] = smp_call_function_many(&mask, nop_ipi, NULL, true, "nop");
}

static void ipi_idle_task(void *arg)
{
	(void)arg;
	sleep_until(100e3);
}

static void ipi_many_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	sim_start_cpu(0, ipi_idle_task, NULL);
	for (int i = 1; i < 4; i++)
		sim_start_cpu(i, ipi_many_sender_task, NULL);
}

/*
 * Three CPUs IPI the same one at the same instant.  The two that find its
 * call_single_queue not yet emptied send no IPI (llist_add() returns
 * false): one interrupt takes all three, reading each csd's line (40 ns)
 * in turn.  So the acks come a line apart, not a handler (300 ns) apart.
 */
static void test_ipi_requests_batch(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;
	double first = INFINITY, last = 0;

	run_child(&cfg, ipi_many_body, NULL, 1e9, &r);
	for (int i = 1; i < 4; i++) {
		first = r.v[i] < first ? r.v[i] : first;
		last = r.v[i] > last ? r.v[i] : last;
	}
	CHECK(last - first >= 2 * 40 - 1, "acks %g ns apart: the csds cost nothing", last - first);
	CHECK(last - first < 300, "acks %g ns apart: an interrupt each", last - first);
}

/* ---- a grace period waits for the readers that were there ---- */

static struct rcu_head freed;

static void record_free(struct rcu_head *h)
{
	(void)h;
	out[2] = sim_now();
}

static void rcu_task(void *arg)
{
	(void)arg;
	switch (smp_processor_id()) {
	case 0: /* a reader from 0 to 100 us */
		rcu_read_lock();
		sleep_until(100e3);
		rcu_read_unlock();
		break;
	case 1: /* frees at 10 us, then waits for a grace period */
		sleep_until(10e3);
		call_rcu(&freed, record_free);
		synchronize_rcu();
		out[1] = sim_now();
		break;
	default: /* a reader from 20 us to 5 ms: entered after the flip */
		sleep_until(20e3);
		rcu_read_lock();
		sleep_until(5e6);
		rcu_read_unlock();
	}
}

static void rcu_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	for (int i = 0; i < 3; i++)
		sim_start_cpu(i, rcu_task, NULL);
}

static void test_rcu_grace_period(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, rcu_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	/* Not before the old reader left, nor before rcu_gp (1 ms) passed. */
	CHECK(r.v[2] >= 10e3 + 1e6, "callback ran at %g ns", r.v[2]);
	/* The reader that came later does not hold the grace period back. */
	CHECK(r.v[2] < 5e6, "callback ran at %g ns, after the late reader", r.v[2]);
	CHECK(r.v[1] >= r.v[2], "synchronize_rcu() returned at %g, callback at %g", r.v[1], r.v[2]);
}

/* ---- seqcount ---- */

static seqcount_t seq;

static void seq_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		unsigned int start = raw_read_seqcount(&seq);

		sleep_until(10e3);
		out[0] = read_seqcount_retry(&seq, start);
		out[1] = start & 1;
	} else {
		sleep_until(1e3);
		write_seqcount_begin(&seq);
		out[2] = raw_read_seqcount(&seq) & 1;
		write_seqcount_end(&seq);
	}
}

static void seq_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	seqcount_init(&seq);
	sim_start_cpu(0, seq_task, NULL);
	sim_start_cpu(1, seq_task, NULL);
}

static void test_seqcount(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	struct child_result r;

	run_child(&cfg, seq_body, NULL, 1e9, &r);
	CHECK(r.v[1] == 0, "sequence odd with no writer");
	CHECK(r.v[2] == 1, "sequence even inside a write section");
	CHECK(r.v[0] == 1, "read_seqcount_retry() missed a write");
}

/* ---- ABBA: a deadlock is reported, not hung on ---- */

static spinlock_t lock_a, lock_b;

static void abba_task(void *arg)
{
	spinlock_t *first = smp_processor_id() ? &lock_b : &lock_a;
	spinlock_t *second = smp_processor_id() ? &lock_a : &lock_b;

	(void)arg;
	spin_lock(first);
	sleep_until(1e3);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock(first);
}

static void abba_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	spin_lock_init(&lock_a, "lock_a");
	spin_lock_init(&lock_b, "lock_b");
	sim_start_cpu(0, abba_task, NULL);
	sim_start_cpu(1, abba_task, NULL);
}

static void test_abba_deadlock_reported(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	struct child_result r;
	const char *rep = r.outcome.report;

	run_child(&cfg, abba_body, NULL, 1e6, &r);
	CHECK(r.outcome.end == SIM_END_DEADLOCK, "ended %d:\n%s", r.outcome.end, rep);
	CHECK(strstr(rep, "cpu 0: IRQs on, spinning on spinlock \"lock_b\", held by cpu 1"),
	      "report:\n%s", rep);
	CHECK(strstr(rep, "circular wait"), "report:\n%s", rep);
}

/* ---- a wake-up that meets a timeout at its instant is taken once ---- */

static int first_wait, second_wait, third_wait;

static bool wait_on(const int *obj, double timeout_ns)
{
	struct cpu_wait w = {WAIT_IO, "test", obj, NULL};

	return cpu_block(CPU_SPINNING, &w, timeout_ns);
}

/* Times out at 1 us, the instant cpu1 wakes it; then waits, untimed, for 5 us. */
static void race_waiter_task(void *arg)
{
	(void)arg;
	out[0] = wait_on(&first_wait, 1e3);
	out[1] = sim_now();
	wait_on(&second_wait, -1);
	out[2] = sim_now();
}

static void race_bystander_task(void *arg)
{
	(void)arg;
	wait_on(&third_wait, -1);
}

/*
 * cpu1 wakes cpu2 and then cpu0, which it still finds in its first wait,
 * at the instant cpu0's timeout fires.  Releasing cpu2 lets cpu0 run first:
 * it takes the wake-up and enters its second wait before cpu1 delivers the
 * first one, which must not end the second.
 */
static void race_waker_task(void *arg)
{
	(void)arg;
	sleep_until(1e3);
	cpu_wake(&cpus[2], 0);
	if (cpus[0].wait.obj == &first_wait)
		cpu_wake(&cpus[0], 0);
	sleep_until(5e3);
	cpu_wake(&cpus[0], 0);
}

static void race_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	sim_start_cpu(0, race_waiter_task, NULL);
	sim_start_cpu(1, race_waker_task, NULL);
	sim_start_cpu(2, race_bystander_task, NULL);
}

static void test_wake_meets_timeout(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, race_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "ended %d:\n%s", r.outcome.end, r.outcome.report);
	/* The race is what this proves: the first wait must have seen the wake-up. */
	CHECK(r.v[0] == 1, "the first wait timed out before the wake-up came");
	CHECK_NEAR(r.v[1], 1e3, 1e-6);
	CHECK_NEAR(r.v[2], 5e3, 1e-6);
}

/* ---- spinning with IRQs off already past the threshold: a lockup at once ---- */

static void late_spinner_task(void *arg)
{
	(void)arg;
	local_irq_disable();
	sleep_until(11e9);
	wait_on(&third_wait, -1);
}

static void late_spin_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	sim_start_cpu(0, late_spinner_task, NULL);
}

static void test_late_spin_lockup(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, late_spin_body, NULL, 60e9, &r);
	CHECK(r.outcome.end == SIM_END_LOCKUP, "ended %d:\n%s", r.outcome.end, r.outcome.report);
	CHECK_NEAR(r.outcome.sim_time, 11e9, 1e-9);
}

/* ---- write-back drains while its CPU waits ---- */

static int drain_wait;

/*
 * cpu0 writes 4 MiB (8 MiB of fills and write-back: a batch starts
 * draining at 420 us, for 420 us), then waits until 1 ms, blocked (arg
 * set) or asleep, and writes 1 MiB again, which waits for the first batch
 * to have drained.
 */
static void drain_writer_task(void *arg)
{
	memory_write(4UL << 20);
	if (arg)
		wait_on(&drain_wait, -1);
	else
		sleep_until(1e6);
	memory_write(1UL << 20);
	cpu_sync();
	out[0] = sim_now() - 1e6;
}

static void drain_waker_task(void *arg)
{
	(void)arg;
	sleep_until(1e6);
	cpu_wake(&cpus[0], 0);
}

static void drain_body(void *arg, double *o)
{
	out = o;
	sim_start_cpu(0, drain_writer_task, arg);
	if (arg)
		sim_start_cpu(1, drain_waker_task, NULL);
}

static void test_drain_while_blocked(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result blocked, asleep;
	int yes = 1;

	run_child(&cfg, drain_body, &yes, 1e9, &blocked);
	run_child(&cfg, drain_body, NULL, 1e9, &asleep);
	/* Drained by 1 ms: the second write takes only its own fills, 105 us. */
	CHECK(asleep.v[0] < 150e3, "the second write took %.0f ns after a sleep", asleep.v[0]);
	CHECK_NEAR(blocked.v[0], asleep.v[0], 1e-9);
}

static const struct test_case cases[] = {
    {"line_hold", "a lock word held keeps the next CPU's RMW waiting until it is let go",
     test_line_hold},
    {"line_saturates", "a line updated by every CPU serves one transfer at a time",
     test_line_saturates},
    {"hugepage_zero_shares_bandwidth",
     "concurrent huge-page zeroing on one socket shares its bandwidth",
     test_hugepage_zero_shares_bandwidth},
    {"storage_shares_bandwidth", "concurrent storage reads share the disk's bandwidth",
     test_storage_shares_bandwidth},
    {"rwsem_writer_blocks_readers", "a waiting writer on a rwsem blocks later readers",
     test_rwsem_writer_blocks_readers},
    {"spin_irqsoff_shootdown_lockup",
     "spin_lock() with IRQs off against a shootdown waiting on us is a hard lockup; "
     "trylock with IRQs on between tries is not",
     test_spin_irqsoff_shootdown_lockup},
    {"ipi_waits_for_irqs_on", "an IPI to a CPU with IRQs off runs at local_irq_enable()",
     test_ipi_waits_for_irqs_on},
    {"ipi_requests_batch",
     "IPIs queued on one CPU before its handler empties the queue are taken in one interrupt",
     test_ipi_requests_batch},
    {"rcu_grace_period", "a grace period waits for pre-existing readers only",
     test_rcu_grace_period},
    {"seqcount", "a seqcount is odd inside a write and readers see the change", test_seqcount},
    {"window_ends", "what CPUs do after the measured window closes is not counted",
     test_window_ends},
    {"window_clips_waits", "a wait begun before the window opens counts from the window's start",
     test_window_clips_waits},
    {"wake_meets_timeout",
     "a wake-up at the instant of a timeout counts once: it does not end the next wait",
     test_wake_meets_timeout},
    {"late_spin_lockup",
     "a CPU that starts to spin with IRQs off past the watchdog threshold is a hard lockup at once",
     test_late_spin_lockup},
    {"drain_while_blocked", "memory write-back goes on draining while its CPU waits for a lock",
     test_drain_while_blocked},
    {"abba_deadlock_reported", "an ABBA deadlock ends the run with a circular-wait report",
     test_abba_deadlock_reported},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

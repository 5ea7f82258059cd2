/* tests/test_machine.c - the machine prices what the hardware prices.
 *
 * Coherence as the hardware serves it (reads of a shared line overlap,
 * writes serialise, a storm of re-reads costs the line's home its
 * occupancy a read), struct page misses inside the allocator's locks, and
 * IPIs whose cost grows with their targets.  Expected times come from the
 * round figures of test_config(): 40 ns a transfer in a socket, 20 ns of
 * line occupancy, 5 ns an atomic, 80 ns a memory access, 20 ns an ICR
 * write.
 */
#include <math.h>

#include "../models/mm.h"
#include "../models/page_alloc.h"
#include "../models/vmstat.h"
#include "harness.h"

static double *out;

static void sleep_until(double t)
{
	cpu_sync();
	if (t > sim_now())
		cpu_account(t - sim_now());
	cpu_sync();
}

/* ---- reads of a shared line overlap; writes serialise ---- */

static struct cacheline line;

/* CPU 0 writes at 0; the others all read at 1 us, or all write. */
static void access_task(void *arg)
{
	bool write = *(bool *)arg;
	int me = smp_processor_id();

	if (me == 0) {
		cacheline_rmw(&line);
		return;
	}
	sleep_until(1e3);
	if (write)
		cacheline_rmw(&line);
	else
		cacheline_read(&line);
	cpu_sync();
	if (sim_now() - 1e3 > out[0])
		out[0] = sim_now() - 1e3;
}

static void access_body(void *arg, double *o)
{
	out = o;
	cacheline_init(&line);
	for (int i = 0; i < 33; i++)
		sim_start_cpu(i, access_task, arg);
}

static void test_readers_share(void)
{
	struct sim_config cfg = test_config(1, 64, 1);
	struct child_result reads, writes;
	bool no = false, yes = true;

	run_child(&cfg, access_body, &no, 1e9, &reads);
	run_child(&cfg, access_body, &yes, 1e9, &writes);
	/*
	 * 32 readers: the owner supplies the first (40 ns), the home then
	 * serves the other 31 one every 20 ns, each arriving 40 ns after its
	 * turn.
	 */
	CHECK_NEAR(reads.v[0], 40 + 30 * 20 + 40, 0.02);
	/* 32 writers: one transfer and atomic after the other. */
	CHECK_NEAR(writes.v[0], 32 * 45, 0.02);
}

/* ---- a trylock storm costs the home's occupancy, not transfers ---- */

#define SPINNERS 60

static spinlock_t storm_lock;

/* CPU 0 holds the lock 5 us; SPINNERS CPUs trylock and spin on it; CPU 61 times a write. */
static void storm_task(void *arg)
{
	int me = smp_processor_id();
	struct cacheline *l = &storm_lock.line;
	struct cpu_wait w = {WAIT_SPINLOCK, "storm", &storm_lock, spinlock_holder};

	(void)arg;
	if (me == 0) {
		spin_lock(&storm_lock);
		sleep_until(5e3);
		spin_unlock(&storm_lock);
		return;
	}
	if (me == SPINNERS + 1) {
		/* Once the release is visible (5045), an RMW queues behind the re-reads. */
		sleep_until(5e3 + 60);
		cacheline_rmw(l);
		cpu_sync();
		out[0] = sim_now() - 5e3;
		return;
	}
	sleep_until(100);
	/* Trylock once, then spin on the cached line until it is written. */
	if (spin_trylock(&storm_lock)) {
		spin_unlock(&storm_lock);
		return;
	}
	spin_on_lines(&l, 1, &w, -1);
	cacheline_read(l);
}

static void storm_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	spin_lock_init(&storm_lock, "storm");
	for (int i = 0; i <= SPINNERS + 1; i++)
		sim_start_cpu(i, storm_task, NULL);
}

static void test_spinner_storm(void)
{
	struct sim_config cfg = test_config(1, 64, 1);
	struct child_result r;

	run_child(&cfg, storm_body, NULL, 1e9, &r);
	/*
	 * The releasing store invalidates the spinners' copies (45), the
	 * first re-read takes the line from the releaser (40), the home
	 * serves the other 59 at 20 ns each, then the timed RMW (45).
	 */
	CHECK_NEAR(r.v[0], 45 + 40 + 59 * 20 + 45, 0.05);
	/* Not a full transfer each. */
	CHECK(r.v[0] < SPINNERS * 40, "%g ns: the storm cost full transfers", r.v[0]);
}

/* ---- struct page misses inside zone->lock ---- */

static struct lock_class *zone_lock_class;

static double zone_hold(void)
{
	return zone_lock_class ? zone_lock_class->hold_total : 0;
}

/* zone_batchsize() of a zone of a GiB or more; high is 6 batches. */
#define BATCH 63

/*
 * CPU 0 refills its per-CPU list from cold memory 8 times (frames 0 to
 * 503 of a fresh 4 MiB block, in order), then frees them in the same
 * order: past 6 batches on its list the oldest go back to the buddy
 * lists, 3 batches of them.  CPU 1 then refills from those (written last
 * by CPU 0), and takes one order-9 block.
 */
static void pages_task(void *arg)
{
	static unsigned long mine[8 * BATCH];
	double h;

	(void)arg;
	if (smp_processor_id() == 0) {
		for (int i = 0; i < 8 * BATCH; i++)
			mine[i] = alloc_page();
		zone_lock_class = lock_class_get("zone->lock");
		out[0] = zone_lock_class->hold_total / 8; /* a cold refill */
		for (int i = 0; i < 8 * BATCH; i++)
			free_page(mine[i]);
		for (int o = 0; o < MAX_ORDER; o++)
			out[4 + o] = zone_free_blocks(0, o);
		return;
	}
	sleep_until(1e6);
	h = zone_hold();
	alloc_page();
	out[1] = zone_hold() - h; /* a refill of CPU 0's pages */
	h = zone_hold();
	alloc_hugepage(&mine[0]);
	out[2] = zone_hold() - h; /* one block */
}

static void pages_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	vmstat_init();
	page_alloc_init();
	sim_start_cpu(0, pages_task, NULL);
	sim_start_cpu(1, pages_task, NULL);
}

static void test_struct_page_misses(void)
{
	/* /proc/buddyinfo once frames 0-188 are back: 0-127 merged, then 128-188. */
	static const double buddyinfo[MAX_ORDER] = {1, 0, 1, 2, 1, 1, 0, 1, 0, 1, 0};
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;
	double buddy = 40 * 1e9 / cfg.machine.freq; /* COST_BUDDY_PAGE cycles */

	run_child(&cfg, pages_body, NULL, 1e9, &r);
	/* Each cold struct page comes from memory (80 ns) once, or twice as a list neighbour. */
	CHECK(r.v[0] >= BATCH * (buddy + 80) && r.v[0] <= BATCH * (buddy + 2 * 80),
	      "a cold refill held zone->lock %g ns", r.v[0]);
	/* Pages CPU 0 freed: at least a transfer each (40 ns), less than memory. */
	CHECK(r.v[1] >= BATCH * (buddy + 40) && r.v[1] < r.v[0],
	      "a refill of another CPU's pages held zone->lock %g ns, a cold one %g ns", r.v[1],
	      r.v[0]);
	/* The hold grows with the batch: one block is a 63rd of a refill. */
	CHECK(r.v[2] < r.v[1] / 10, "one block held zone->lock %g ns, a batch %g ns", r.v[2],
	      r.v[1]);
	for (int o = 0; o < MAX_ORDER; o++)
		CHECK(r.v[4 + o] == buddyinfo[o], "order %d: %g free blocks, not %g", o, r.v[4 + o],
		      buddyinfo[o]);
}

/*
 * CPU 0 takes 16 batches (frames 0 to 1007) and frees the odd frames:
 * three batches of them reach the buddy lists, 1 to 377, none with a free
 * buddy.  CPU 1 then frees the even ones: its three batches, 0 to 376,
 * each merge with a buddy CPU 0 freed, written last by CPU 0.
 */
static void merge_task(void *arg)
{
	static unsigned long frames[16 * BATCH];
	double h, t;

	(void)arg;
	if (smp_processor_id() == 0) {
		for (int i = 0; i < 16 * BATCH; i++)
			frames[i] = alloc_page();
		zone_lock_class = lock_class_get("zone->lock");
		cpu_sync();
		h = zone_hold();
		t = sim_now();
		for (int i = 1; i < 16 * BATCH; i += 2)
			free_page(frames[i]);
		cpu_sync();
		out[0] = zone_hold() - h;
		out[2] = zone_free_blocks(0, 0);
		out[3] = sim_now() - t;
		return;
	}
	sleep_until(1e6);
	h = zone_hold();
	t = sim_now();
	for (int i = 0; i < 16 * BATCH; i += 2)
		free_page(frames[i]);
	cpu_sync();
	out[1] = zone_hold() - h;
	out[15] = sim_now() - t;
	for (int o = 0; o < MAX_ORDER; o++)
		out[4 + o] = zone_free_blocks(0, o);
}

static void merge_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	vmstat_init();
	page_alloc_init();
	sim_start_cpu(0, merge_task, NULL);
	sim_start_cpu(1, merge_task, NULL);
}

static void test_buddy_merges(void)
{
	/* 0-377 merged (256 + 64 + 32 + 16 + 8 + 2), and 1008-1023 never taken. */
	static const double buddyinfo[MAX_ORDER] = {0, 1, 0, 1, 2, 1, 1, 0, 1, 0, 0};
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, merge_body, NULL, 1e9, &r);
	/* 189 odd frames back, not one merged: their buddies were in use. */
	CHECK(r.v[2] == 3 * BATCH, "%g order-0 blocks after CPU 0's frees", r.v[2]);
	for (int o = 0; o < MAX_ORDER; o++)
		CHECK(r.v[4 + o] == buddyinfo[o], "order %d: %g free blocks, not %g", o, r.v[4 + o],
		      buddyinfo[o]);
	/* Merging is work under the lock: the buddies' lists, the orders above. */
	CHECK(r.v[1] > r.v[0],
	      "merging held zone->lock %g ns, the same frees without merging %g ns", r.v[1],
	      r.v[0]);
	/*
	 * Each page CPU 0 allocated is a transfer (40 ns) for CPU 1 to free,
	 * and each buddy it merges with another, prefetched before the lock
	 * (with it the list neighbours: buddies of the same batch).
	 */
	CHECK(r.v[15] - r.v[3] >= 8 * BATCH * 40 + 3 * BATCH * 40 / 10,
	      "CPU 1's frees took %g ns, CPU 0's %g ns", r.v[15], r.v[3]);
}

/*
 * The same frees with the core keeping 5, 10 or 20 misses in flight: the
 * buddies' prefetches are what overlap, so the time they add is divided
 * by fill_buffers, the rest unchanged: going from 5 to 10 saves twice
 * what going from 10 to 20 does.
 */
static void test_prefetch_overlap(void)
{
	static const int buffers[] = {5, 10, 20};
	struct child_result r[3];

	for (int i = 0; i < 3; i++) {
		struct sim_config cfg = test_config(1, 4, 1);

		cfg.machine.fill_buffers = buffers[i];
		run_child(&cfg, merge_body, NULL, 1e9, &r[i]);
	}
	CHECK(r[1].v[15] > r[2].v[15], "CPU 1's frees took %g ns with 10 buffers, %g with 20",
	      r[1].v[15], r[2].v[15]);
	CHECK_NEAR(r[0].v[15] - r[1].v[15], 2 * (r[1].v[15] - r[2].v[15]), 0.01);
}

/* ---- SMT siblings share their core ---- */

static void work_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		cpu_work(1000);
		cpu_sync();
	}
	out[smp_processor_id() ? 1 : 0] = sim_now();
}

/* CPU 0 alone, or with its SMT sibling (CPU 4 of 4 cores x 2) busy too. */
static void smt_body(void *arg, double *o)
{
	out = o;
	sim_start_cpu(0, work_task, NULL);
	if (*(bool *)arg)
		sim_start_cpu(4, work_task, NULL);
}

static void test_smt_siblings(void)
{
	struct sim_config cfg = test_config(1, 4, 2);
	struct child_result alone, both;
	bool no = false, yes = true;

	run_child(&cfg, smt_body, &no, 1e9, &alone);
	run_child(&cfg, smt_body, &yes, 1e9, &both);
	CHECK_NEAR(alone.v[0], 100e3, 0.01);
	/* Two busy siblings do 1.25 times one's work together: each takes 2 / 1.25 as long. */
	CHECK_NEAR(both.v[0], 100e3 * 2 / 1.25, 0.02);
	CHECK_NEAR(both.v[1], 100e3 * 2 / 1.25, 0.02);
}

/* ---- a zone->lock hold shares its core with a busy sibling ---- */

/* CPU 0 refills its per-CPU list once; CPU 4, its sibling, runs meanwhile or not. */
static void refill_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() != 0) {
		work_task(NULL);
		return;
	}
	/* Once the sibling, started with us, is running. */
	sleep_until(500);
	alloc_page();
	out[0] = lock_class_get("zone->lock")->hold_total;
}

static void refill_body(void *arg, double *o)
{
	out = o;
	vmstat_init();
	page_alloc_init();
	sim_start_cpu(0, refill_task, NULL);
	if (*(bool *)arg)
		sim_start_cpu(4, refill_task, NULL);
}

static void test_smt_stretches_holds(void)
{
	struct sim_config cfg = test_config(1, 4, 2);
	struct child_result alone, both;
	bool no = false, yes = true;
	/* The batch's instructions: 63 pages of cost_buddy_page cycles. */
	double work = BATCH * cfg.machine.cost.buddy_page * 1e9 / cfg.machine.freq;

	run_child(&cfg, refill_body, &no, 1e9, &alone);
	run_child(&cfg, refill_body, &yes, 1e9, &both);
	/*
	 * The sibling stretches the instructions by 2 / smt_yield; the misses
	 * on cold struct pages take what they took alone.
	 */
	CHECK_NEAR(both.v[0] - alone.v[0], work * (2 / 1.25 - 1), 0.01);
	CHECK(alone.v[0] > 2 * work, "a cold refill held zone->lock %g ns, its work %g ns",
	      alone.v[0], work);
}

/* ---- SMT siblings share their core's streaming bandwidth ---- */

#define ZERO_PAGES 100

/* arg: local work (ns) before the pages, not yet paid when they are booked. */
static void zero_pages_task(void *arg)
{
	cpu_work(*(double *)arg);
	for (int i = 0; i < ZERO_PAGES; i++)
		memory_write(1UL << 12);
	cpu_sync();
	out[smp_processor_id() ? 1 : 0] = sim_now();
}

/* CPU 0 alone, with its sibling CPU 4, or with CPU 1 of another core. */
struct zero_pages_case {
	int other;
	double cpu0_first; /* ns of work CPU 0 does before its pages */
};

static void zero_pages_body(void *arg, double *o)
{
	struct zero_pages_case *z = arg;
	static double none;

	out = o;
	sim_start_cpu(0, zero_pages_task, &z->cpu0_first);
	if (z->other >= 0)
		sim_start_cpu(z->other, zero_pages_task, &none);
}

static void test_smt_siblings_share_streams(void)
{
	struct sim_config cfg = test_config(1, 4, 2);
	double one = ZERO_PAGES * 4096 / 10e9 * 1e9; /* mem_bw_core 10 GB/s */
	struct zero_pages_case none = {-1, 0}, sibling = {4, 0}, core = {1, 0};
	struct zero_pages_case apart = {4, 2 * one};
	struct child_result alone, siblings, cores, after;

	run_child(&cfg, zero_pages_body, &none, 1e9, &alone);
	run_child(&cfg, zero_pages_body, &sibling, 1e9, &siblings);
	run_child(&cfg, zero_pages_body, &core, 1e9, &cores);
	run_child(&cfg, zero_pages_body, &apart, 1e9, &after);
	CHECK_NEAR(alone.v[0], one, 0.01);
	/* Two cores stream at a core's rate each. */
	CHECK_NEAR(cores.v[0], one, 0.01);
	CHECK_NEAR(cores.v[1], one, 0.01);
	/* Two siblings share one core's fill buffers: together, twice as long. */
	CHECK_NEAR(siblings.v[0] > siblings.v[1] ? siblings.v[0] : siblings.v[1], 2 * one, 0.02);
	/*
	 * CPU 0 books its pages first, for after its own work; its sibling,
	 * streaming before then, is not held up by them.
	 */
	CHECK_NEAR(after.v[1], one, 0.01);
	CHECK_NEAR(after.v[0], 3 * one, 0.01);
}

/* ---- rwsem: woken readers resume one wake-up apart, asleep is idle ---- */

#define READERS 6

static struct rw_semaphore sem;
static struct wait_queue_head writer_wq;

/*
 * CPU 0 write-locks the rwsem and sleeps (so readers do not spin on it);
 * CPUs 1..READERS arrive and sleep in the wait list; CPU 7 wakes the
 * writer at 50 us, which releases the lock.
 */
/* CPU 0's part: write-lock sem and sleep until woken, then release it (out[0]: when). */
static void hold_write_until_woken(void)
{
	down_write(&sem);
	prepare_to_wait(&writer_wq);
	schedule();
	out[0] = cpu_clock();
	up_write(&sem);
}

/* sem, writer_wq and CPUs 0 to last running task. */
static void start_sem_cpus(void (*task)(void *), int last, void *arg)
{
	init_rwsem(&sem, "sem");
	init_waitqueue_head(&writer_wq, "writer");
	for (int i = 0; i <= last; i++)
		sim_start_cpu(i, task, arg);
}

/* arg set: the readers all arrive at one instant, not 100 ns apart. */
static void rwsem_task(void *arg)
{
	int me = smp_processor_id();

	if (me == 0) {
		hold_write_until_woken();
		return;
	}
	if (me == 7) {
		sleep_until(50e3);
		wake_up_all(&writer_wq);
		return;
	}
	sleep_until(1e3 + (arg ? 0 : me * 100));
	down_read(&sem);
	cpu_sync();
	out[me] = sim_now();
	out[8 + me] = this_cpu()->idle_ns;
	up_read(&sem);
}

static void rwsem_body(void *arg, double *o)
{
	out = o;
	start_sem_cpus(rwsem_task, 7, arg);
}

static void test_rwsem_wakeups(void)
{
	struct sim_config cfg = test_config(1, 8, 1);
	struct child_result r;

	run_child(&cfg, rwsem_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "ended %d: %s", r.outcome.end, r.outcome.report);
	for (int i = 2; i <= READERS; i++) {
		double gap = r.v[i] - r.v[i - 1];

		/*
		 * The waker wakes them in queue order, a try_to_wake_up() each:
		 * the reader's wake list line (cold: 80 + 5), an ICR write (20)
		 * and its read of the count (40 or the home's 20).
		 */
		CHECK(gap >= 105 && gap <= 150, "reader %d resumed %g ns after reader %d", i, gap,
		      i - 1);
	}
	/* Asleep from its arrival until its wake-up: idle time. */
	for (int i = 1; i <= READERS; i++)
		CHECK(r.v[8 + i] > 45e3 && r.v[8 + i] < 55e3, "reader %d idle %g ns", i,
		      r.v[8 + i]);
}

/*
 * ---- rwsem: the waker marks the sleepers under the wait_lock first ----
 *
 * The same run as above: the writer records when it releases.
 * rwsem_mark_wake() reaches each sleeping reader's waiter (a line on
 * that reader's stack, which the reader filled in), claims its task's
 * wake_q node and raises its usage count, under the wait_lock, before
 * wake_up_q() wakes the first: the first reader resumes no sooner than
 * three lines a reader after the release.
 */
static void wait_lock_collect(double *o)
{
	struct lock_class *c = lock_class_get("sem.wait_lock");

	o[16] = (double)c->acquisitions;
	o[17] = (double)c->contentions;
	o[18] = c->wait_total;
	o[19] = c->hold_total;
}

static void test_rwsem_wait_lock(void)
{
	struct sim_config cfg = test_config(1, 8, 1);
	double first = 1e18;
	struct child_result r, together;
	bool yes = true;

	child_after_run = wait_lock_collect;
	run_child(&cfg, rwsem_body, NULL, 1e9, &r);
	run_child(&cfg, rwsem_body, &yes, 1e9, &together);
	child_after_run = NULL;
	CHECK(r.outcome.end == SIM_END_OK, "ended %d: %s", r.outcome.end, r.outcome.report);
	for (int i = 1; i <= READERS; i++)
		first = r.v[i] < first ? r.v[i] : first;
	/*
	 * The first wake-up alone: the release, the wait_lock and the
	 * reader's read of the count (three transfers), the ICR write and the
	 * wake-up.  Before it, for each reader, an RMW of its waiter (a
	 * transfer from the reader) and of its task's wake_q node and usage
	 * count, which no CPU has touched yet (memory).
	 */
	CHECK(first - r.v[0] >= cfg.machine.wakeup + cfg.machine.ipi_send +
				    3 * cfg.machine.line_llc +
				    READERS * (cfg.machine.line_llc + cfg.machine.atomic +
					       2 * (cfg.machine.mem_latency + cfg.machine.atomic)),
	      "first reader resumed %g ns after the release, %d waiters marked before it",
	      first - r.v[0], READERS);
	/*
	 * The wait_lock is a lock class of its own: each reader took it to
	 * queue, the waker once to mark them.  Readers 100 ns apart each find
	 * it free; readers that queue at one instant wait for one another.
	 */
	CHECK(r.v[16] == READERS + 1 && r.v[17] == 0 && r.v[19] > 0,
	      "sem.wait_lock: taken %g times, %g contended, held %g ns", r.v[16], r.v[17], r.v[19]);
	CHECK(together.v[16] == READERS + 1 && together.v[17] >= READERS - 1 && together.v[18] > 0,
	      "readers together: sem.wait_lock taken %g times, %g contended, %g ns waited",
	      together.v[16], together.v[17], together.v[18]);
}

/*
 * ---- rwsem: the wait_lock is taken with IRQs off ----
 *
 * CPU 0 holds sem for write until 50 us; CPUs 1 to READERS sleep in its
 * wait list meanwhile.  Its up_write() marks them all under the wait_lock,
 * with IRQs off (raw_spin_lock_irq()).  CPU 7 sends CPU 0 an IPI at *arg
 * and waits for the ack.
 */
static double ipi_nop(int cpu, void *info)
{
	(void)cpu;
	(void)info;
	return 0;
}

static void irqs_off_task(void *arg)
{
	int me = smp_processor_id();
	struct cpumask writer;
	double t0;

	if (me == 0) {
		down_write(&sem);
		sleep_until(50e3);
		up_write(&sem);
		out[1] = this_cpu()->irqs_off.max;
		return;
	}
	if (me <= READERS) {
		sleep_until(1e3);
		down_read(&sem);
		up_read(&sem);
		return;
	}
	cpumask_clear(&writer);
	cpumask_set_cpu(0, &writer);
	sleep_until(*(double *)arg);
	t0 = cpu_clock();
	smp_call_function_many(&writer, ipi_nop, NULL, true, "nop");
	cpu_sync();
	out[0] = sim_now() - t0;
}

static void irqs_off_body(void *arg, double *o)
{
	out = o;
	init_rwsem(&sem, "sem");
	for (int i = 0; i <= 7; i++)
		sim_start_cpu(i, irqs_off_task, arg);
}

/*
 * Sent just after the release, the IPI lands while CPU 0 marks the
 * readers (about a microsecond: six waiters, each a transfer and two
 * cold lines); sent at 60 us, on an idle CPU, it is handled as it lands.
 * What the first waits more is the rest of that section: some, and no
 * more than CPU 0's longest IRQs-off section.
 */
static void test_rwsem_wait_lock_irqs_off(void)
{
	struct sim_config cfg = test_config(1, 8, 1);
	struct child_result marking, idle;
	double early = 50e3 + 1, late = 60e3, met;

	child_after_run = wait_lock_collect;
	run_child(&cfg, irqs_off_body, &early, 1e9, &marking);
	run_child(&cfg, irqs_off_body, &late, 1e9, &idle);
	child_after_run = NULL;
	CHECK(marking.outcome.end == SIM_END_OK, "ended %d: %s", marking.outcome.end,
	      marking.outcome.report);
	met = marking.v[0] - idle.v[0];
	CHECK(met > 100 && met <= marking.v[1],
	      "the ack took %g ns during the release, %g ns on an idle CPU; CPU 0's longest "
	      "IRQs-off section %g ns",
	      marking.v[0], idle.v[0], marking.v[1]);
}

/* ---- a reader takes the rwsem's line twice, and gives it back once ---- */

#define TRYLOCKERS 16
#define TRYLOCKS   200

static struct rw_semaphore shared_sem;

/*
 * Each CPU takes the read lock, works 500 ns under it and drops it,
 * TRYLOCKS times, as faulting threads do mmap_sem.
 */
static void trylock_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < TRYLOCKS; i++) {
		if (!down_read_trylock(&shared_sem)) {
			out[1]++;
			continue;
		}
		cpu_work(500);
		up_read(&shared_sem);
	}
	cpu_sync();
	if (sim_now() > out[0])
		out[0] = sim_now();
}

static void trylock_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	init_rwsem(&shared_sem, "mmap_sem");
	for (int i = 0; i < TRYLOCKERS; i++)
		sim_start_cpu(i, trylock_task, NULL);
}

static void test_rwsem_reader_lines(void)
{
	struct sim_config cfg = test_config(1, TRYLOCKERS, 1);
	struct child_result r;
	double per;

	run_child(&cfg, trylock_body, NULL, 1e9, &r);
	per = r.v[0] / (TRYLOCKERS * TRYLOCKS);
	CHECK(r.v[1] == 0, "%g trylocks failed with no writer", r.v[1]);
	/*
	 * The line is the bottleneck (16 x 45 ns a pass against 500 ns of
	 * work): the trylock's cmpxchg, rwsem_set_reader_owned()'s store,
	 * which finds the line gone to the next cmpxchg, and up_read()'s add
	 * each take it for a transfer and an atomic, 45 ns.  Without the
	 * owner's store it would be 90 ns an acquisition.
	 */
	CHECK_NEAR(per, 3 * 45, 0.05);
}

/* ---- a locked instruction waits for the CPU's posted stores ---- */

static struct cacheline queued_line, own_line;

/*
 * CPUs 1..8 RMW queued_line at 0, 45 ns apart on the line; CPU 0 then
 * posts a store to it, which lands behind them, and at once RMWs
 * own_line, which no one else touches.
 */
static void drain_task(void *arg)
{
	(void)arg;
	if (smp_processor_id()) {
		cacheline_rmw(&queued_line);
		return;
	}
	cacheline_rmw(&own_line);
	out[1] = cacheline_store_posted(&queued_line);
	out[2] = cpu_clock();
	cacheline_rmw(&own_line);
	out[0] = cpu_clock();
}

static void drain_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	cacheline_init(&queued_line);
	cacheline_init(&own_line);
	for (int i = 0; i <= 8; i++)
		sim_start_cpu(i, drain_task, NULL);
}

static void test_store_buffer_drains(void)
{
	struct sim_config cfg = test_config(1, 16, 1);
	struct child_result r;

	run_child(&cfg, drain_body, NULL, 1e9, &r);
	/*
	 * CPU 0's first RMW misses to memory (85 ns); the store it then posts
	 * lands behind the 8 queued RMWs (the first from memory, 85 ns, the
	 * rest 45 ns each) and its own transfer: at 85 + 7 x 45 + 45 = 445 ns,
	 * while CPU 0 has moved on to 90.
	 */
	CHECK_NEAR(r.v[1], 445, 0.01);
	CHECK_NEAR(r.v[2], 90, 0.01);
	/* The RMW of the line CPU 0 holds waits for the store, then costs an atomic. */
	CHECK_NEAR(r.v[0], 445 + 5, 0.01);
}

/* ---- page tables at the hardware's granularity ---- */

static struct mm_struct pt_mm;
static unsigned long pt_base;

/*
 * A VMA of pt_size: CPU 0 faults its first page; CPU 1, later, the page
 * pt_at strides of pt_stride past it.
 */
static unsigned long pt_size, pt_stride, pt_at;

static void pt_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		do_user_addr_fault(&pt_mm, pt_base, true);
		return;
	}
	sleep_until(100e3);
	do_user_addr_fault(&pt_mm, pt_base + pt_at * pt_stride, true);
	cpu_sync();
}

/* Transfers of the two pte table lines of the first page's entry and the next. */
static void pte_collect(double *o)
{
	struct pte_table *t = pmd_offset(&pt_mm, pt_base)->table;

	o[0] = (double)t->lines[0].transfers;
	o[1] = (double)t->lines[1].transfers;
}

/* The same of the pmd table's lines. */
static void pmd_collect(double *o)
{
	pmd_t *first = pmd_offset(&pt_mm, pt_base);
	struct pmd_table *t = pmd_table_of_entry(first);
	int at = (int)(first - t->pmd) / PTES_PER_LINE;

	o[0] = (double)t->lines[at].transfers;
	o[1] = (double)t->lines[at + 1].transfers;
}

static void pt_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	vmstat_init();
	page_alloc_init();
	mm_init(&pt_mm, -1);
	pt_mm.mm_users = 2;
	/* It ends where mmap starts: its first pmd entry is the first of a line. */
	pt_base = TASK_MMAP_BASE - pt_size;
	mm_setup_vma(&pt_mm, pt_base, pt_size, VM_READ | VM_WRITE);
	cpumask_set_cpu(0, mm_cpumask(&pt_mm));
	cpumask_set_cpu(1, mm_cpumask(&pt_mm));
	sim_start_cpu(0, pt_task, NULL);
	sim_start_cpu(1, pt_task, NULL);
}

/* CPU 1's fault at entry 1, then at entry 8 (the next line), of the table stride picks. */
static void pt_run_both(unsigned long stride, void (*collect)(double *o), struct child_result *same,
			struct child_result *next)
{
	struct sim_config cfg = test_config(1, 4, 1);

	pt_stride = stride;
	pt_size = 16 * stride > (2UL << 20) ? 16 * stride : 2UL << 20;
	child_after_run = collect;
	pt_at = 1;
	run_child(&cfg, pt_body, NULL, 1e9, same);
	pt_at = PTES_PER_LINE;
	run_child(&cfg, pt_body, NULL, 1e9, next);
	child_after_run = NULL;
}

static void test_pte_lines(void)
{
	struct child_result same, next;

	pt_run_both(PAGE_SIZE, pte_collect, &same, &next);
	/* Pages 0 and 1: one line, filled from memory, then moved to CPU 1. */
	CHECK(same.v[0] == 2 && same.v[1] == 0, "pages 0 and 1: lines moved %g and %g times",
	      same.v[0], same.v[1]);
	/* Pages 0 and 8: two lines, each filled once, none moved between CPUs. */
	CHECK(next.v[0] == 1 && next.v[1] == 1, "pages 0 and 8: lines moved %g and %g times",
	      next.v[0], next.v[1]);
}

/* ---- pmd tables too: a line holds eight entries ---- */

static void test_pmd_lines(void)
{
	struct child_result same, next;

	pt_run_both(2UL << 20, pmd_collect, &same, &next);
	/* Ranges 0 and 1: one line, which CPU 1 then reads and writes as well. */
	CHECK(same.v[0] == 4 && same.v[1] == 0, "ranges 0 and 1: lines moved %g and %g times",
	      same.v[0], same.v[1]);
	/* Ranges 0 and 8: a line each, read then written by its CPU alone. */
	CHECK(next.v[0] == 2 && next.v[1] == 2, "ranges 0 and 8: lines moved %g and %g times",
	      next.v[0], next.v[1]);
}

/* ---- IPIs cost their sender per target ---- */

static double nop_ipi(int cpu, void *info)
{
	(void)cpu;
	(void)info;
	return 0;
}

static void idle_task(void *arg)
{
	(void)arg;
	sleep_until(100e3);
}

static void sender_task(void *arg)
{
	int targets = *(int *)arg;
	struct cpumask mask;
	double t0;

	cpumask_clear(&mask);
	for (int i = 1; i <= targets; i++)
		cpumask_set_cpu(i, &mask);
	sleep_until(1e3);
	/* Warm the queues' lines: each now last written by its target. */
	smp_call_function_many(&mask, nop_ipi, NULL, true, "warm");
	sleep_until(50e3);
	t0 = sim_now();
	smp_call_function_many(&mask, nop_ipi, NULL, true, "shootdown");
	out[0] = sim_now() - t0;
}

static void shootdown_body(void *arg, double *o)
{
	int targets = *(int *)arg;

	out = o;
	sim_start_cpu(0, sender_task, arg);
	for (int i = 1; i <= targets; i++)
		sim_start_cpu(i, idle_task, NULL);
}

static double shootdown(int targets, bool multicast)
{
	struct sim_config cfg = test_config(1, 128, 1);
	struct child_result r;

	cfg.machine.ipi_multicast = multicast;
	run_child(&cfg, shootdown_body, &targets, 1e9, &r);
	return r.v[0];
}

static void test_shootdown_grows(void)
{
	double one = shootdown(1, false), many = shootdown(127, false);
	double cluster = shootdown(127, true);

	/*
	 * Each further target: its csd's line back from it (40), its queue's
	 * line (40 + 5) and an ICR write (20).
	 */
	CHECK_NEAR(many - one, 126 * (40 + 45 + 20), 0.05);
	/* Multicast: one ICR write per 16 CPUs instead of one a target. */
	CHECK(cluster < many - 100 * 20, "multicast %g ns, unicast %g ns", cluster, many);
}

/* ---- rwsem readers facing a running writer: sleep (5.11+) or spin ---- */

/* CPU 0 holds the write lock, running, from 0 to 20 us; CPU 1 reads at 1 us. */
static void reader_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		down_write(&sem);
		sleep_until(20e3);
		up_write(&sem);
		return;
	}
	sleep_until(1e3);
	down_read(&sem);
	cpu_sync();
	out[0] = sim_now();
	out[1] = this_cpu()->idle_ns;
	up_read(&sem);
}

static void reader_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	init_rwsem(&sem, "sem");
	sim_start_cpu(0, reader_task, NULL);
	sim_start_cpu(1, reader_task, NULL);
}

/*
 * Since 5.11 the reader sleeps until the writer wakes it: its CPU idles
 * for most of the wait and it resumes a wake-up (2 us) after the release.
 * With rwsem_reader_spin (5.3 to 5.10) it spins, never idle, and takes
 * the lock within a line transfer of the release.
 */
static void test_rwsem_readers_sleep(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result sleeps, spins;

	run_child(&cfg, reader_body, NULL, 1e9, &sleeps);
	cfg.rwsem_reader_spin = true;
	run_child(&cfg, reader_body, NULL, 1e9, &spins);
	CHECK(sleeps.v[1] > 15e3, "5.11+: idle %g ns of a 19 us wait", sleeps.v[1]);
	CHECK(sleeps.v[0] >= 20e3 + cfg.machine.wakeup, "5.11+: resumed at %g ns", sleeps.v[0]);
	CHECK(spins.v[1] == 0, "5.3-5.10: idle %g ns while spinning", spins.v[1]);
	CHECK(spins.v[0] < 20e3 + 500, "5.3-5.10: took the lock at %g ns", spins.v[0]);
}

/* ---- a woken writer tries again: readers steal, the handoff ends it ---- */

/*
 * CPU 1 wants to write while CPU 0 reads.  Overtaken: CPU 0 holds it from
 * 0 to 20 us; CPU 2 reads at 21 us, while the woken writer is waking, and
 * holds it to 30 us.  Starved: CPU 0 then takes it for 1 us every 1.3 us,
 * for 10 ms, so it holds it whenever the woken writer (2 us) tries.
 */
static void writer_retry_task(void *arg)
{
	bool starve = *(bool *)arg;
	int me = smp_processor_id();

	if (me == 1) {
		sleep_until(1e3);
		down_write(&sem);
		cpu_sync();
		out[1] = sim_now();
		up_write(&sem);
		return;
	}
	if (me == 2) {
		sleep_until(21e3);
		down_read(&sem);
		cpu_sync();
		out[2] = sim_now();
		sleep_until(30e3);
		up_read(&sem);
		return;
	}
	for (int i = 0; !i || (starve && sim_now() < 10e6); i++) {
		down_read(&sem);
		sleep_until(i ? sim_now() + 1e3 : 20e3);
		up_read(&sem);
		sleep_until(sim_now() + 300);
	}
}

static void writer_retry_body(void *arg, double *o)
{
	out = o;
	init_rwsem(&sem, "sem");
	for (int i = 0; i <= 2 - *(bool *)arg; i++)
		sim_start_cpu(i, writer_retry_task, arg);
}

/*
 * A release wakes the writer at the head of the wait list without giving
 * it the lock (rwsem_mark_wake()): it tries again once it runs.  Since
 * 5.11 a reader arriving meanwhile steals the lock; with rwsem_reader_spin
 * (5.3 to 5.10) it queues behind the writer.  A writer kept waiting
 * RWSEM_WAIT_TIMEOUT (4 ms) gets the lock by the handoff.
 */
static void test_rwsem_writer_retries(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result steal, queue, starved;
	bool no = false, yes = true;

	run_child(&cfg, writer_retry_body, &no, 1e9, &steal);
	CHECK(steal.v[2] < 21e3 + 500, "5.11+: the reader stole it at %g ns", steal.v[2]);
	CHECK(steal.v[1] >= 30e3 + cfg.machine.wakeup,
	      "5.11+: the writer got it at %g ns, not after the stealer left", steal.v[1]);
	run_child(&cfg, writer_retry_body, &yes, 1e9, &starved);
	CHECK(starved.v[1] > 4e6 + 11e3 && starved.v[1] < 4e6 + 20e3,
	      "the handoff gave the starved writer the lock at %g ns", starved.v[1]);
	cfg.rwsem_reader_spin = true;
	run_child(&cfg, writer_retry_body, &no, 1e9, &queue);
	CHECK(queue.v[1] < 20e3 + cfg.machine.wakeup + 500, "5.3-5.10: the writer got it at %g ns",
	      queue.v[1]);
	CHECK(queue.v[2] > queue.v[1], "5.3-5.10: the reader got it at %g ns, before the writer",
	      queue.v[2]);
}

/* ---- a writer that outspun its threshold stops the next one spinning ---- */

/*
 * CPU 0 reads from 0 to 100 us; CPU 1 wants to write at 1 us, CPU 2 at
 * 40 us (or alone at 40 us).  out[2]: CPU 2's idle time, out[3]: when it
 * got the lock.
 */
static void nonspin_task(void *arg)
{
	int me = smp_processor_id();

	(void)arg;
	if (me == 0) {
		down_read(&sem);
		sleep_until(100e3);
		up_read(&sem);
		return;
	}
	sleep_until(me == 1 ? 1e3 : 40e3);
	down_write(&sem);
	cpu_sync();
	if (me == 2) {
		out[2] = this_cpu()->idle_ns;
		out[3] = sim_now();
	}
	up_write(&sem);
}

static void nonspin_body(void *arg, double *o)
{
	bool first = *(bool *)arg;

	out = o;
	init_rwsem(&sem, "sem");
	for (int i = 0; i <= 2; i++)
		if (i != 1 || first)
			sim_start_cpu(i, nonspin_task, NULL);
}

/*
 * RWSEM_NONSPINNABLE: a writer that spun on readers past its threshold
 * ((20 + readers) / 2 us) and gave up marks the rwsem, and a writer
 * arriving in the same reader phase sleeps at once instead of spinning.
 */
static void test_rwsem_nonspinnable(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result both, alone;
	bool yes = true, no = false;

	run_child(&cfg, nonspin_body, &yes, 1e9, &both);
	run_child(&cfg, nonspin_body, &no, 1e9, &alone);
	CHECK(both.v[2] > both.v[3] - 40e3 - cfg.machine.wakeup - 1e3,
	      "behind a writer that gave up: idle %g ns of a wait to %g ns", both.v[2], both.v[3]);
	CHECK(alone.v[2] < alone.v[3] - 40e3 - 10e3,
	      "alone: idle %g ns of a wait to %g ns, 10.5 us spun first", alone.v[2], alone.v[3]);
}

/* ---- a writer spinning on a writer that downgrades: spin on, bounded, then sleep ---- */

/*
 * CPU 0 write-locks at 0, works 10 us, downgrades and reads on until 200
 * us.  CPU 1 wants to write at 1 us.  out[0]: CPU 1's idle time, out[1]:
 * when it got the lock.
 */
static void downgrade_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() == 0) {
		down_write(&sem);
		cpu_work(10e3);
		cpu_sync();
		downgrade_write(&sem);
		sleep_until(200e3);
		up_read(&sem);
		return;
	}
	sleep_until(1e3);
	down_write(&sem);
	cpu_sync();
	out[0] = this_cpu()->idle_ns;
	out[1] = sim_now();
	up_write(&sem);
}

static void downgrade_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	init_rwsem(&sem, "sem");
	sim_start_cpu(0, downgrade_task, NULL);
	sim_start_cpu(1, downgrade_task, NULL);
}

/*
 * rwsem_spin_on_owner() returns when the owner changes: a writer that
 * spins on a running writer sees it downgrade (munmap's zap), spins on
 * the reader for the threshold ((20 + 1) / 2 us) and then sleeps; it
 * does not spin through the whole reader phase.
 */
static void test_rwsem_spin_downgrade(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, downgrade_body, NULL, 1e9, &r);
	CHECK(r.v[1] >= 200e3, "the writer got the lock at %g ns, inside the reader phase", r.v[1]);
	/* Spun 9 us on the writer and 10.5 us on the reader; idle from there but the wake-up. */
	CHECK(r.v[0] > r.v[1] - 1e3 - 9e3 - 10.5e3 - cfg.machine.wakeup - 2e3,
	      "idle %g ns of a wait from 1 us to %g ns", r.v[0], r.v[1]);
	CHECK(r.v[0] < r.v[1] - 1e3 - 9e3 - 10.5e3,
	      "idle %g ns of a wait from 1 us to %g ns: it spun less than its threshold", r.v[0],
	      r.v[1]);
}

/* ---- a writer spinning when the handoff grants readers: spin on, bounded ---- */

/*
 * CPU 0 write-locks at 0 and holds 5 ms; CPU 1 wants to read at 1 us and
 * sleeps; CPU 2 wants to write at 2 us and spins on the running writer.
 * At 5 ms CPU 1 has waited past RWSEM_WAIT_TIMEOUT: the handoff grants it
 * the lock, which it reads under until 6 ms.  out[0]: CPU 2's idle time,
 * out[1]: when it got the lock.
 */
static void handoff_task(void *arg)
{
	int me = smp_processor_id();

	(void)arg;
	if (me == 0) {
		down_write(&sem);
		cpu_work(5e6);
		cpu_sync();
		up_write(&sem);
		return;
	}
	sleep_until(me * 1e3);
	if (me == 1) {
		down_read(&sem);
		sleep_until(6e6);
		up_read(&sem);
		return;
	}
	down_write(&sem);
	cpu_sync();
	out[0] = this_cpu()->idle_ns;
	out[1] = sim_now();
	up_write(&sem);
}

static void handoff_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	init_rwsem(&sem, "sem");
	for (int i = 0; i < 3; i++)
		sim_start_cpu(i, handoff_task, NULL);
}

/*
 * The handoff changes the owner as a downgrade does: the spinning writer
 * sees the readers, spins on them for the threshold ((20 + 1) / 2 us) and
 * sleeps, instead of spinning through their whole phase.
 */
static void test_rwsem_spin_handoff(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;
	double spun;

	run_child(&cfg, handoff_body, NULL, 1e9, &r);
	spun = r.v[1] - 2e3 - r.v[0];
	CHECK(r.v[1] >= 6e6, "the writer got the lock at %g ns, inside the reader phase", r.v[1]);
	CHECK(spun > 5e6 - 2e3 && spun < 5e6 + 10.5e3 + cfg.machine.wakeup + 2e3,
	      "the writer spun %g ns: on the writer to 5 ms, then the threshold", spun);
}

/* ---- a spinner takes the lock: the release still wakes the writer asleep in front ---- */

/*
 * CPU 0 write-locks and sleeps until CPU 3 wakes it at 50 us, then works
 * 5 us and releases; CPU 1 wants to write at 1 us and, the owner asleep,
 * sleeps in the wait list; CPU 2 wants to write at 54 us and spins on the
 * running owner.  out[0]: how long CPU 0's up_write() took; out[1], out[2]:
 * when CPUs 1 and 2 got the lock; out[3]: how many times CPU 1 slept.
 */
static void steal_task(void *arg)
{
	int me = smp_processor_id();
	double t0;

	(void)arg;
	if (me == 3) {
		sleep_until(50e3);
		wake_up_all(&writer_wq);
		return;
	}
	if (me == 0) {
		down_write(&sem);
		prepare_to_wait(&writer_wq);
		schedule();
		cpu_work(5e3);
		cpu_sync();
		t0 = sim_now();
		up_write(&sem);
		cpu_sync();
		out[0] = sim_now() - t0;
		return;
	}
	sleep_until(me == 1 ? 1e3 : 54e3);
	down_write(&sem);
	cpu_sync();
	out[me] = sim_now();
	if (me == 1)
		out[3] = this_cpu()->sleeps;
	cpu_work(10e3);
	up_write(&sem);
}

static void steal_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	start_sem_cpus(steal_task, 3, NULL);
}

/*
 * The spinner wins the release, but RWSEM_FLAG_WAITERS sends the releaser
 * through rwsem_wake() all the same: the wait_lock, the sleeping writer's
 * waiter, wake_q node and usage count (four transfers) and its wake-up's
 * ICR write.  That writer finds the lock taken, sleeps a second time, and
 * gets it after the spinner.
 */
static void test_rwsem_steal_wakes_writer(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, steal_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "ended %d: %s", r.outcome.end, r.outcome.report);
	CHECK(r.v[2] < r.v[1], "the spinner got the lock at %g ns, the sleeper at %g ns", r.v[2],
	      r.v[1]);
	CHECK(r.v[3] == 2, "the writer in front slept %g times", r.v[3]);
	CHECK(r.v[0] >= 4 * cfg.machine.line_llc + cfg.machine.ipi_send,
	      "up_write() took %g ns with a writer asleep in front", r.v[0]);
}

/* ---- woken readers: all of the queue's, not only those in front ---- */

/*
 * CPU 0 write-locks and sleeps until CPU 4 wakes it at 50 us; then CPU 1
 * (a reader), CPU 2 (a writer) and CPU 3 (a reader) queue, in that order.
 * out[i]: when CPU i got the lock.
 */
static void phase_fair_task(void *arg)
{
	int me = smp_processor_id();

	(void)arg;
	if (me == 0) {
		hold_write_until_woken();
		return;
	}
	if (me == 4) {
		sleep_until(50e3);
		wake_up_all(&writer_wq);
		return;
	}
	sleep_until(me * 1e3);
	if (me == 2)
		down_write(&sem);
	else
		down_read(&sem);
	cpu_sync();
	out[me] = sim_now();
	sleep_until(sim_now() + 10e3);
	if (me == 2)
		up_write(&sem);
	else
		up_read(&sem);
}

static void phase_fair_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	start_sem_cpus(phase_fair_task, 4, NULL);
}

/*
 * rwsem_mark_wake() since 5.3: with a reader first in the queue, every
 * queued reader gets the lock, those behind a writer too; the writer
 * waits for them all.
 */
static void test_rwsem_readers_phase_fair(void)
{
	struct sim_config cfg = test_config(1, 8, 1);
	struct child_result r;

	run_child(&cfg, phase_fair_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "ended %d: %s", r.outcome.end, r.outcome.report);
	CHECK(r.v[3] < r.v[1] + 1e3,
	      "the reader behind the writer got it at %g ns, the first at %g", r.v[3], r.v[1]);
	CHECK(r.v[2] >= r.v[3] + 10e3, "the writer got it at %g ns, before the readers left",
	      r.v[2]);
}

/* ---- lazy TLB: a shootdown skips CPUs whose task sleeps ---- */

static struct wait_queue_head lazy_wq;
static struct cpumask lazy_mm_cpus;

/*
 * CPUs 1..LAZY_SLEEPERS sleep from 1 us to 60 us; CPU 0 flushes a page at
 * 50 us, freeing page tables or not; out[0]: its wait, out[1]: IPIs sent,
 * out[2]: the first sleeper's resumption after the wake-up at 60 us.
 */
#define LAZY_SLEEPERS 8

static void lazy_task(void *arg)
{
	bool freed = *(bool *)arg;
	int me = smp_processor_id();
	unsigned long ipis;
	double t0;

	if (me) {
		sleep_until(1e3);
		prepare_to_wait(&lazy_wq);
		schedule();
		cpu_sync();
		if (me == 1)
			out[2] = sim_now();
		return;
	}
	sleep_until(50e3);
	ipis = ipi_stats.ipis;
	t0 = sim_now();
	flush_tlb_on_cpus(&lazy_mm_cpus, &(struct flush_tlb_info){.end = PAGE_SIZE,
								  .stride_shift = PAGE_SHIFT,
								  .freed_tables = freed});
	cpu_sync();
	out[0] = sim_now() - t0;
	out[1] = (double)(ipi_stats.ipis - ipis);
	sleep_until(60e3);
	wake_up_all(&lazy_wq);
}

static void lazy_body(void *arg, double *o)
{
	out = o;
	init_waitqueue_head(&lazy_wq, "lazy");
	cpumask_clear(&lazy_mm_cpus);
	for (int i = 0; i <= LAZY_SLEEPERS; i++) {
		cpumask_set_cpu(i, &lazy_mm_cpus);
		sim_start_cpu(i, lazy_task, arg);
	}
}

/*
 * native_flush_tlb_multi(): a flush that frees no page tables sends no
 * IPI to a CPU in lazy TLB mode, which flushes its whole TLB when its
 * task runs again; one that frees tables IPIs every CPU of the mm.
 */
static void test_lazy_tlb_skipped(void)
{
	struct sim_config cfg = test_config(1, 16, 1);
	struct child_result lazy, freed;
	bool no = false, yes = true;

	run_child(&cfg, lazy_body, &no, 1e9, &lazy);
	run_child(&cfg, lazy_body, &yes, 1e9, &freed);
	CHECK(lazy.v[1] == 0, "%g IPIs to sleeping CPUs, none freed", lazy.v[1]);
	CHECK(freed.v[1] == LAZY_SLEEPERS, "%g IPIs with tables freed", freed.v[1]);
	CHECK(freed.v[0] > lazy.v[0] + LAZY_SLEEPERS * cfg.machine.ipi_send,
	      "the sender waited %g ns with tables freed, %g without", freed.v[0], lazy.v[0]);
	/* The skipped CPU pays a full flush, 33 INVLPGs' worth, as it resumes. */
	CHECK_NEAR(lazy.v[2] - freed.v[2], 33 * cfg.machine.invlpg, 0.01);
}

/* ---- TLB generations: a CPU behind by several flushes catches up once ---- */

static struct tlb_gen gen_mm;
static struct cpumask gen_mm_cpus;

/*
 * CPU 1 runs with IRQs off from 1 us to 30 us while CPUs 0, 2 and 3 each
 * flush a page of the mm, at 5, 10 and 15 us, each taking the mm's next
 * generation.  CPU 1 then takes the three requests at once.  out[0]: the
 * requests a CPU found itself caught up with, out[1]: CPU 1's time in
 * the handlers.
 */
static void gen_task(void *arg)
{
	bool gens = *(bool *)arg;
	int me = smp_processor_id();
	struct flush_tlb_info info = {.end = PAGE_SIZE, .stride_shift = PAGE_SHIFT};
	double t;

	if (me == 1) {
		sleep_until(1e3);
		local_irq_disable();
		sleep_until(30e3);
		t = sim_now();
		local_irq_enable();
		out[1] = cpu_clock() - t;
		cpu_sync();
		out[0] = (double)tlb_stats.caught_up;
		return;
	}
	sleep_until(5e3 * (me ? me : 1));
	cacheline_rmw(&gen_mm.line);
	info.new_tlb_gen = ++gen_mm.gen;
	info.mm_gen = gens ? &gen_mm : NULL;
	flush_tlb_on_cpus(&gen_mm_cpus, &info);
}

static void gen_body(void *arg, double *o)
{
	out = o;
	tlb_gen_init(&gen_mm);
	cpumask_clear(&gen_mm_cpus);
	for (int i = 0; i < 4; i++) {
		cpumask_set_cpu(i, &gen_mm_cpus);
		sim_start_cpu(i, gen_task, arg);
	}
}

/*
 * flush_tlb_func(): a CPU that finds itself more than one generation
 * behind flushes its whole TLB and records the mm's generation; the
 * requests queued behind, for generations it has now caught up with, cost
 * it nothing.  Without generations each is flushed as asked.
 */
static void test_tlb_gen_catch_up(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result with, without;
	bool yes = true, no = false;

	run_child(&cfg, gen_body, &yes, 1e9, &with);
	run_child(&cfg, gen_body, &no, 1e9, &without);
	CHECK(with.outcome.end == SIM_END_OK && without.outcome.end == SIM_END_OK, "%s%s",
	      with.outcome.report, without.outcome.report);
	CHECK(with.v[0] == 2 && without.v[0] == 0,
	      "requests caught up with: %g with generations, %g without", with.v[0], without.v[0]);
	/* One full flush, 33 INVLPGs' worth, where three single pages were. */
	CHECK(with.v[1] - without.v[1] >= 30 * cfg.machine.invlpg,
	      "CPU 1 spent %g ns in its handlers with generations, %g without", with.v[1],
	      without.v[1]);
}

/*
 * CPU 1 sleeps from 1 us to 100 us; CPU 0 flushes a page of the mm with
 * tables freed at 10 us and again at 50 us.  out[0], out[1]: the IPIs
 * each sent.
 */
static void lazy_exit_task(void *arg)
{
	struct flush_tlb_info info = {
	    .end = PAGE_SIZE, .stride_shift = PAGE_SHIFT, .freed_tables = true, .mm_gen = &gen_mm};
	unsigned long ipis;

	(void)arg;
	if (smp_processor_id() == 1) {
		sleep_until(1e3);
		prepare_to_wait(&lazy_wq);
		schedule();
		return;
	}
	for (int i = 0; i < 2; i++) {
		sleep_until(10e3 + 40e3 * i);
		cacheline_rmw(&gen_mm.line);
		info.new_tlb_gen = ++gen_mm.gen;
		ipis = ipi_stats.ipis;
		flush_tlb_on_cpus(&gen_mm_cpus, &info);
		out[i] = (double)(ipi_stats.ipis - ipis);
	}
	sleep_until(100e3);
	wake_up_all(&lazy_wq);
}

static void lazy_exit_body(void *arg, double *o)
{
	out = o;
	tlb_gen_init(&gen_mm);
	init_waitqueue_head(&lazy_wq, "lazy");
	cpumask_clear(&gen_mm_cpus);
	for (int i = 0; i < 2; i++) {
		cpumask_set_cpu(i, &gen_mm_cpus);
		sim_start_cpu(i, lazy_exit_task, arg);
	}
}

/*
 * A CPU asleep in lazy TLB mode that a flush freeing tables reaches
 * switches to init_mm, leaving the mm's cpumask (before 6.13's
 * 209954cbc7d0): the next such flush sends it nothing.
 */
static void test_lazy_tlb_leaves_mm(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	struct child_result r;

	run_child(&cfg, lazy_exit_body, NULL, 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "%s", r.outcome.report);
	CHECK(r.v[0] == 1 && r.v[1] == 0, "IPIs to the sleeping CPU: %g, then %g", r.v[0], r.v[1]);
}

/* ---- the ICR writes: with IRQs off, after every target is queued ---- */

static struct cpumask icr_targets, icr_one;

/* A one-page flush from this CPU to CPUs first..last, into mask. */
static void flush_page_on(struct cpumask *mask, int first, int last)
{
	struct flush_tlb_info info = {.end = PAGE_SIZE, .stride_shift = PAGE_SHIFT};

	cpumask_clear(mask);
	for (int i = first; i <= last; i++)
		cpumask_set_cpu(i, mask);
	flush_tlb_on_cpus(mask, &info);
}

/*
 * Two senders, xAPIC physical mode: at 10 us CPU 0 sends a call to CPUs
 * 1..n, then at instant at CPU 9 one to CPU to.  out[0]: CPU 9's wait,
 * out[1]: its requests queued behind another.
 */
struct two_senders {
	int n, to;
	double at;
};

static void two_senders_task(void *arg)
{
	const struct two_senders *a = arg;
	int me = smp_processor_id();

	if (me == 0) {
		sleep_until(10e3);
		flush_page_on(&icr_targets, 1, a->n);
	} else if (me == 9) {
		unsigned long coalesced;
		double t;

		sleep_until(a->at);
		t = sim_now();
		coalesced = ipi_stats.coalesced;
		flush_page_on(&icr_one, a->to, a->to);
		cpu_sync();
		out[0] = sim_now() - t;
		out[1] = (double)(ipi_stats.coalesced - coalesced);
	}
}

static void two_senders_body(void *arg, double *o)
{
	out = o;
	for (int i = 0; i < 10; i++)
		sim_start_cpu(i, two_senders_task, arg);
}

/*
 * default_send_IPI_mask_sequence_phys() writes its ICRs with IRQs off,
 * after the requests are queued: an IPI to a CPU in the middle of
 * sending to eight others waits for its last write, so CPU 9's wait grows
 * with CPU 0's targets, by about an ICR write each.
 */
static void test_icr_writes_irqs_off(void)
{
	struct sim_config cfg = test_config(1, 16, 1);
	struct child_result one, eight;
	struct two_senders to1 = {.n = 1, .to = 0, .at = 10.2e3},
			   to8 = {.n = 8, .to = 0, .at = 10.2e3};

	cfg.machine.ipi_multicast = false;
	cfg.machine.ipi_send = 200;
	run_child(&cfg, two_senders_body, &to1, 1e9, &one);
	run_child(&cfg, two_senders_body, &to8, 1e9, &eight);
	CHECK(one.outcome.end == SIM_END_OK && eight.outcome.end == SIM_END_OK, "%s%s",
	      one.outcome.report, eight.outcome.report);
	CHECK(eight.v[0] >= one.v[0] + 5 * cfg.machine.ipi_send,
	      "CPU 9 waited %g ns for CPU 0 sending to 8, %g sending to 1", eight.v[0], one.v[0]);
}

/*
 * llist_add() onto a call_single_queue that holds a request returns
 * false, and smp_call_function_many_cond() sends no IPI for it: CPU 9's
 * request to CPU 8, queued behind CPU 0's, waits for CPU 0's IPI to CPU
 * 8, about 12 us away, and CPU 9 writes no ICR; CPU 1's queue was emptied
 * by its handler before CPU 9 queues, so that request takes an IPI of
 * its own and is acked within a few microseconds.
 */
static void test_ipi_behind_inflight(void)
{
	struct sim_config cfg = test_config(1, 16, 1);
	struct child_result behind, emptied;
	/*
	 * CPU 0 queues its eight requests at once, then at 2 us an ICR write
	 * sends its IPI to CPU 1 at about 12 us and the one to CPU 8 at about
	 * 26 us.
	 */
	struct two_senders to8 = {.n = 8, .to = 8, .at = 14e3}, to1 = {.n = 8, .to = 1, .at = 14e3};

	cfg.machine.ipi_multicast = false;
	cfg.machine.ipi_send = 2000;
	run_child(&cfg, two_senders_body, &to8, 1e9, &behind);
	run_child(&cfg, two_senders_body, &to1, 1e9, &emptied);
	CHECK(behind.outcome.end == SIM_END_OK && emptied.outcome.end == SIM_END_OK, "%s%s",
	      behind.outcome.report, emptied.outcome.report);
	CHECK(behind.v[1] == 1 && behind.v[0] > 10e3,
	      "behind CPU 0's request to CPU 8: %g queued behind, acked after %g ns", behind.v[1],
	      behind.v[0]);
	CHECK(emptied.v[1] == 0 && emptied.v[0] < 2 * cfg.machine.ipi_send + 2e3,
	      "to CPU 1, emptied at about 12 us: %g queued behind, acked after %g ns", emptied.v[1],
	      emptied.v[0]);
}

/* ---- C-states: a long sleep wakes slower, unless a sibling keeps the core up ---- */

enum sibling { SIBLING_NONE, SIBLING_BUSY, SIBLING_SLEEPS_LATE };

static struct wait_queue_head sibling_wq;

/*
 * CPU 0 sleeps from 1 us until CPU 1 (another core) wakes it at 1 ms.
 * CPU 2, CPU 0's SMT sibling, has no task, runs throughout, or runs until
 * 800 us and then sleeps until CPU 1 wakes it at 2 ms.  out[0]: when CPU 0
 * resumed, out[1]: its idle time.
 */
static void cstate_task(void *arg)
{
	enum sibling sibling = *(enum sibling *)arg;
	int me = smp_processor_id();

	if (me == 0) {
		sleep_until(1e3);
		prepare_to_wait(&lazy_wq);
		schedule();
		cpu_sync();
		out[0] = sim_now();
		out[1] = this_cpu()->idle_ns;
	} else if (me == 1) {
		sleep_until(1e6);
		wake_up_all(&lazy_wq);
		sleep_until(2e6);
		wake_up_all(&sibling_wq);
	} else if (sibling == SIBLING_BUSY) {
		sleep_until(2e6);
	} else {
		sleep_until(800e3);
		prepare_to_wait(&sibling_wq);
		schedule();
	}
}

static void cstate_body(void *arg, double *o)
{
	out = o;
	init_waitqueue_head(&lazy_wq, "idle");
	init_waitqueue_head(&sibling_wq, "sibling");
	for (int i = 0; i <= 1 + (*(enum sibling *)arg != SIBLING_NONE); i++)
		sim_start_cpu(i, cstate_task, arg);
}

/*
 * intel_idle's states: a CPU whose core idled past C6's target residency
 * (here 600 us) wakes after C6's exit latency (133 us) on top of the
 * wake-up, and that time is idle; a core with a busy sibling never left
 * C0; one whose sibling slept only its last 200 us reached C1E (exit
 * 10 us, residency 20 us).
 */
static void test_cstate_exit(void)
{
	struct sim_config cfg = test_config(1, 2, 2);
	struct child_result deep, shallow, late;
	enum sibling none = SIBLING_NONE, busy = SIBLING_BUSY, sleeps = SIBLING_SLEEPS_LATE;

	cfg.machine.idle_c1e_exit = 10e3;
	cfg.machine.idle_c1e_residency = 20e3;
	cfg.machine.idle_c6_exit = 133e3;
	cfg.machine.idle_c6_residency = 600e3;
	run_child(&cfg, cstate_body, &none, 1e9, &deep);
	run_child(&cfg, cstate_body, &busy, 1e9, &shallow);
	run_child(&cfg, cstate_body, &sleeps, 1e9, &late);
	CHECK_NEAR(deep.v[0] - shallow.v[0], 133e3, 0.01);
	CHECK_NEAR(deep.v[1] - shallow.v[1], 133e3, 0.01);
	CHECK_NEAR(late.v[0] - shallow.v[0], 10e3, 0.01);
	CHECK(shallow.v[0] < 1e6 + 2 * cfg.machine.wakeup, "sibling busy: resumed at %g ns",
	      shallow.v[0]);
}

/* ---- C-states: an interrupt to an idle CPU waits for its exit too ---- */

/*
 * CPU 1 sleeps from 1 us; CPU 0 sends it an IPI at *arg and waits for the
 * ack (out[0]), then at once another (out[1]), and wakes it at 1 ms.
 */
static void cstate_ipi_task(void *arg)
{
	struct cpumask sleeper;
	double t0;

	if (smp_processor_id()) {
		sleep_until(1e3);
		prepare_to_wait(&lazy_wq);
		schedule();
		return;
	}
	cpumask_clear(&sleeper);
	cpumask_set_cpu(1, &sleeper);
	sleep_until(*(double *)arg);
	for (int i = 0; i < 2; i++) {
		cpu_sync();
		t0 = sim_now();
		smp_call_function_many(&sleeper, ipi_nop, NULL, true, "nop");
		cpu_sync();
		out[i] = sim_now() - t0;
	}
	sleep_until(1e6);
	wake_up_all(&lazy_wq);
}

static void cstate_ipi_body(void *arg, double *o)
{
	out = o;
	init_waitqueue_head(&lazy_wq, "idle");
	for (int i = 0; i <= 1; i++)
		sim_start_cpu(i, cstate_ipi_task, arg);
}

/*
 * A shootdown that frees page tables IPIs the mm's sleeping CPUs too, and
 * each takes the interrupt once out of its C-state: an ack from a CPU idle
 * 9 us (short of C1E's 20 us residency) comes at once, from one idle 49 us
 * after C1E's 10 us exit, from one idle 699 us after C6's 133 us.  The
 * handler wakes the core, so an IPI right after it finds the CPU shallow.
 */
static void test_cstate_ipi(void)
{
	struct sim_config cfg = test_config(1, 2, 1);
	struct child_result shallow, c1e, c6;
	double soon = 10e3, later = 50e3, late = 700e3;

	cfg.machine.idle_c1e_exit = 10e3;
	cfg.machine.idle_c1e_residency = 20e3;
	cfg.machine.idle_c6_exit = 133e3;
	cfg.machine.idle_c6_residency = 600e3;
	run_child(&cfg, cstate_ipi_body, &soon, 1e9, &shallow);
	run_child(&cfg, cstate_ipi_body, &later, 1e9, &c1e);
	run_child(&cfg, cstate_ipi_body, &late, 1e9, &c6);
	CHECK(shallow.v[0] < 5e3, "an IPI to a CPU idle 9 us acked after %g ns", shallow.v[0]);
	CHECK_NEAR(c1e.v[0] - shallow.v[0], 10e3, 0.01);
	CHECK_NEAR(c6.v[0] - shallow.v[0], 133e3, 0.01);
	CHECK_NEAR(c1e.v[1], shallow.v[1], 0.01);
	CHECK_NEAR(c6.v[1], shallow.v[1], 0.01);
}

/* ---- a line stays cached until its CPU has moved the caches' worth ---- */

/* An RMW of the line by CPU 0, its cost in ns, after streaming bytes. */
static double rmw_after(double bytes)
{
	double t;

	cache_fill(bytes);
	cpu_sync();
	t = sim_now();
	cacheline_rmw(&line);
	cpu_sync();
	return sim_now() - t;
}

static void reuse_task(void *arg)
{
	const struct machine *m = sim_machine;
	double llc_share = m->tlb.llc_size / m->cores_per_llc;
	unsigned long pfn;

	(void)arg;
	cacheline_rmw(&line);
	out[0] = rmw_after(0);				     /* just written */
	out[1] = rmw_after(m->tlb.l2_size / 2);		     /* still in L2 */
	out[2] = rmw_after(m->tlb.l2_size + 64);	     /* out of L2, in the LLC */
	out[3] = rmw_after(m->tlb.l2_size + llc_share + 64); /* evicted */
	/* A struct page mapped, then a region of zeroing, then unmapped. */
	pfn = alloc_page();
	page_add_new_anon_rmap(pfn);
	cache_fill(128 << 20);
	cpu_sync();
	out[4] = sim_now();
	page_remove_rmap(pfn);
	cpu_sync();
	out[4] = sim_now() - out[4];
}

static void reuse_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	cacheline_init(&line);
	vmstat_init();
	page_alloc_init();
	sim_start_cpu(0, reuse_task, NULL);
}

/*
 * test_config(): 1 MiB of L2, 32 MiB of LLC over 4 cores, an LLC hit of
 * 60 cycles at 2 GHz (30 ns), memory 80 ns, an atomic 5 ns.
 */
static void test_line_reuse(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;

	run_child(&cfg, reuse_body, NULL, 1e9, &r);
	CHECK_NEAR(r.v[0], 5, 0.01);
	CHECK_NEAR(r.v[1], 5, 0.01);
	CHECK_NEAR(r.v[2], 5 + 30, 0.01);
	CHECK_NEAR(r.v[3], 5 + 80, 0.01);
	CHECK_NEAR(r.v[4], 5 + 80, 0.01);
}

/* ---- a miss waits at a loaded memory controller ---- */

#define LOADED_AT 8e6 /* ns: eight load windows of steady streaming */

/* CPU 0 misses to memory at once and after LOADED_AT; the others stream. */
static void loaded_task(void *arg)
{
	const struct machine *m = sim_machine;
	double evict = m->tlb.l2_size + m->tlb.llc_size / m->cores_per_llc + 64;

	(void)arg;
	if (smp_processor_id() != 0) {
		while (cpu_clock() < 2 * LOADED_AT)
			memory_write(1UL << 12);
		return;
	}
	cacheline_rmw(&line);
	out[0] = rmw_after(evict);
	cpu_work(LOADED_AT);
	cpu_sync();
	/* The load the next miss sees: read at the instant it is issued. */
	out[2] = memory_utilisation(0);
	out[1] = rmw_after(evict);
}

struct loaded_case {
	int first, last; /* the streaming CPUs */
};

static void loaded_body(void *arg, double *o)
{
	const struct loaded_case *c = arg;

	out = o;
	cacheline_init(&line);
	sim_start_cpu(0, loaded_task, NULL);
	for (int i = c->first; i <= c->last; i++)
		sim_start_cpu(i, loaded_task, NULL);
}

/*
 * test_config(): memory 80 ns, mem_bw 40 GB/s a socket, a core zeroes
 * 10 GB/s; an atomic 5 ns.  One core zeroing loads socket 0's controller
 * twice over, with each line's read for ownership and its write-back: to
 * u = 0.5, give or take the last batch's credit (2 GB/s).  With
 * mem_queueing 0.5 a miss then waits 80 x 0.5 x u / (1 - u), about 40 ns,
 * more.  The same stream on the other socket leaves socket 0's misses
 * alone.
 */
static void test_loaded_memory(void)
{
	struct sim_config one = test_config(1, 4, 1), two = test_config(2, 4, 1);
	struct loaded_case here = {1, 1}, there = {4, 4};
	struct child_result r, apart;

	one.machine.mem_queueing = 0.5;
	two.machine.mem_queueing = 0.5;
	run_child(&one, loaded_body, &here, 1e9, &r);
	run_child(&two, loaded_body, &there, 1e9, &apart);
	CHECK_NEAR(r.v[0], 5 + 80, 0.01);
	CHECK_NEAR(r.v[2], 0.5, 0.1);
	CHECK_NEAR(r.v[1], 5 + 80 * (1 + 0.5 * r.v[2] / (1 - r.v[2])), 0.001);
	CHECK_NEAR(apart.v[0], 5 + 80, 0.01);
	CHECK_NEAR(apart.v[1], 5 + 80, 0.01);
}

/* ---- SMT siblings share their core's L1 and L2 ---- */

/* CPU 0 writes the line, waits while the other streams, then writes it again. */
static void shared_l2_task(void *arg)
{
	(void)arg;
	if (smp_processor_id() != 0) {
		cache_fill(sim_machine->tlb.l2_size + 64);
		cpu_sync();
		return;
	}
	cacheline_rmw(&line);
	cpu_sync();
	cpu_work(10e3);
	cpu_sync();
	out[0] = sim_now();
	cacheline_rmw(&line);
	cpu_sync();
	out[0] = sim_now() - out[0];
}

static void shared_l2_body(void *arg, double *o)
{
	out = o;
	cacheline_init(&line);
	sim_start_cpu(0, shared_l2_task, NULL);
	sim_start_cpu(*(int *)arg, shared_l2_task, NULL);
}

/*
 * test_config(1, 4, 2): CPU 4 is CPU 0's sibling, CPU 1 another core's
 * CPU; 1 MiB of L2, an LLC hit 30 ns, an atomic 5 ns.  A sibling that
 * streams more than the L2 holds pushes CPU 0's line out to the LLC;
 * another core streaming the same leaves it in CPU 0's L2.
 */
static void test_smt_share_l2(void)
{
	struct sim_config cfg = test_config(1, 4, 2);
	int sibling = 4, other = 1;
	struct child_result a, b;

	run_child(&cfg, shared_l2_body, &sibling, 1e9, &a);
	run_child(&cfg, shared_l2_body, &other, 1e9, &b);
	CHECK_NEAR(a.v[0], 5 + 30, 0.01);
	CHECK_NEAR(b.v[0], 5, 0.01);
}

/* ---- release_pages() pays each struct page once ---- */

#define RELEASED 150 /* ten pagevecs' worth, and two sets stay under pcp->high */

/* Fault in a set of pages, zap them, push them out of L2 if asked, release them. */
static double release_set(unsigned int *pfns, bool evict)
{
	double t;

	for (int i = 0; i < RELEASED; i++) {
		pfns[i] = (unsigned int)alloc_page();
		page_add_new_anon_rmap(pfns[i]);
		lru_cache_add(1);
	}
	for (int i = 0; i < RELEASED; i++)
		page_remove_rmap(pfns[i]);
	if (evict)
		cache_fill(2 * sim_machine->tlb.l2_size);
	cpu_sync();
	t = sim_now();
	release_pages(pfns, RELEASED);
	cpu_sync();
	return sim_now() - t;
}

static void release_task(void *arg)
{
	static unsigned int hot[RELEASED], cold[RELEASED];

	(void)arg;
	out[0] = release_set(hot, false);
	out[1] = release_set(cold, true);
}

static void release_body(void *arg, double *o)
{
	(void)arg;
	out = o;
	vmstat_init();
	page_alloc_init();
	sim_start_cpu(0, release_task, NULL);
}

/*
 * test_config(): 1 MiB of L2, an LLC hit 30 ns.  A zap writes each
 * struct page; release_pages() then takes each off the LRU, whose
 * list_del() writes its neighbours, the pages released just before and
 * after it.  Pushed out to the LLC in between, each page's line comes
 * back once (30 ns a page), not once for itself and again for each
 * neighbour.
 */
static void test_release_pages_once(void)
{
	struct sim_config cfg = test_config(1, 4, 1);
	struct child_result r;
	double extra;

	run_child(&cfg, release_body, NULL, 1e9, &r);
	extra = r.v[1] - r.v[0];
	CHECK(extra >= RELEASED * 30 && extra <= RELEASED * 30 * 1.05,
	      "evicted struct pages cost %.0f ns more to release, want %d to %.0f", extra,
	      RELEASED * 30, RELEASED * 30 * 1.05);
}

static const struct test_case cases[] = {
    {"readers_share", "reads of a shared line overlap at the home's rate; writes serialise",
     test_readers_share},
    {"spinner_storm",
     "a 60-spinner trylock storm delays the next write by 60 x line_occupancy, not 60 transfers",
     test_spinner_storm},
    {"struct_page_misses",
     "a page freed on one CPU costs another a transfer, a cold one memory, inside zone->lock",
     test_struct_page_misses},
    {"buddy_merges",
     "a freed page merges with its free buddy up the orders; merging with another CPU's pages "
     "costs transfers inside zone->lock",
     test_buddy_merges},
    {"prefetch_overlap",
     "prefetch_buddy()'s misses overlap as far as the core's fill buffers let them",
     test_prefetch_overlap},
    {"smt_siblings_share_streams",
     "two SMT siblings zeroing pages share their core's streaming bandwidth; two cores do not",
     test_smt_siblings_share_streams},
    {"smt_siblings", "two busy SMT siblings each run slower than one alone, by smt_yield",
     test_smt_siblings},
    {"smt_stretches_holds",
     "a busy SMT sibling stretches the instructions of a zone->lock hold, not its misses",
     test_smt_stretches_holds},
    {"rwsem_wakeups", "woken readers resume one wake-up apart; their sleep is idle time",
     test_rwsem_wakeups},
    {"rwsem_wait_lock", "the waker marks every sleeping reader under the wait_lock first",
     test_rwsem_wait_lock},
    {"rwsem_wait_lock_irqs_off",
     "an IPI landing while a CPU holds an rwsem's wait_lock (IRQs off) waits for its unlock",
     test_rwsem_wait_lock_irqs_off},
    {"pte_lines", "CPUs faulting neighbouring pages share a PTE line only when their entries do",
     test_pte_lines},
    {"pmd_lines",
     "CPUs faulting neighbouring 2 MiB ranges share a pmd line only when their entries do",
     test_pmd_lines},
    {"rwsem_readers_sleep",
     "a reader facing a running writer sleeps since 5.11, spins with rwsem_reader_spin",
     test_rwsem_readers_sleep},
    {"rwsem_reader_lines",
     "a reader's trylock writes the rwsem's line twice (count, owner), its release once",
     test_rwsem_reader_lines},
    {"store_buffer_drains",
     "an RMW after a posted store waits for that store to land, as a locked instruction does",
     test_store_buffer_drains},
    {"line_reuse",
     "a line costs nothing while in L2, an LLC hit past it, memory once its CPU moved a cache's "
     "worth",
     test_line_reuse},
    {"shootdown_grows",
     "a 127-target shootdown costs the sender its per-target cost 126 times more",
     test_shootdown_grows},
    {"rwsem_writer_retries",
     "a woken writer tries again: a reader stealing meanwhile wins (5.11+), the 4 ms handoff "
     "ends it",
     test_rwsem_writer_retries},
    {"rwsem_spin_downgrade",
     "a writer spinning on a writer that downgrades spins on the reader for its threshold, "
     "then sleeps",
     test_rwsem_spin_downgrade},
    {"rwsem_steal_wakes_writer",
     "a spinner takes the lock, and the release still wakes the writer asleep in front",
     test_rwsem_steal_wakes_writer},
    {"rwsem_spin_handoff",
     "a writer spinning when the handoff grants readers spins on them for its threshold, then "
     "sleeps",
     test_rwsem_spin_handoff},
    {"rwsem_nonspinnable",
     "a writer that outspun its threshold on readers makes the next one sleep at once",
     test_rwsem_nonspinnable},
    {"rwsem_readers_phase_fair",
     "a wake-up grants every queued reader, those behind a queued writer too (5.3+)",
     test_rwsem_readers_phase_fair},
    {"lazy_tlb_skipped",
     "a shootdown freeing no page tables skips CPUs whose task sleeps; they flush on waking",
     test_lazy_tlb_skipped},
    {"tlb_gen_catch_up",
     "a CPU behind by several flushes flushes all once and skips the requests queued behind",
     test_tlb_gen_catch_up},
    {"lazy_tlb_leaves_mm",
     "a lazy CPU that a flush freeing tables reaches leaves the mm: the next one skips it",
     test_lazy_tlb_leaves_mm},
    {"icr_writes_irqs_off",
     "an IPI to a CPU writing ICRs waits for its last write: the writes run with IRQs off",
     test_icr_writes_irqs_off},
    {"ipi_behind_inflight",
     "a request queued behind one whose IPI is still being sent sends no IPI and waits for that "
     "one's handler; one queued after that handler emptied the queue sends its own",
     test_ipi_behind_inflight},
    {"smt_share_l2", "what one SMT sibling streams evicts the other's lines from their shared L2",
     test_smt_share_l2},
    {"release_pages_once",
     "release_pages() brings each evicted struct page back once, its LRU neighbours included",
     test_release_pages_once},
    {"loaded_memory",
     "a miss to memory waits longer while its socket's controller streams (each zeroed line in and "
     "out), by mem_queueing",
     test_loaded_memory},
    {"cstate_exit",
     "a CPU asleep past C6's residency wakes its exit latency later, unless its sibling runs",
     test_cstate_exit},
    {"cstate_ipi",
     "an IPI to a CPU asleep past C1E's or C6's residency is acked that state's exit later; the "
     "handler wakes the core, so the next one is not",
     test_cstate_ipi},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

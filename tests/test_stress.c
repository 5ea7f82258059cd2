/* tests/test_stress.c - randomised stress of each primitive, many seeds.
 *
 * CPUs take and release rw_semaphores, spinlocks and wait queues in random
 * orders and for random times, with trylocks, downgrades, nested locks and
 * a CPU that keeps sending IPIs to all the others while they wait.  The
 * primitives check their own invariants after every operation (the harness
 * turns the checks on: a broken one aborts the child and fails the case);
 * the tasks also keep a shadow count of holders, so a lock that lets two
 * writers in is caught, and every run must end with every task done: a
 * deadlock or a lost wake-up here is the simulator's, not the kernel's.
 */
#include <math.h>

#include "harness.h"

#define NR_CPUS 12
#define OPS	300
#define SEEDS	25

enum { OUT_DONE, OUT_VIOLATIONS, OUT_IPIS };

static double *out;
static struct rw_semaphore sems[2];
static spinlock_t locks[2];
static struct wait_queue_head wq;
static int shadow_readers[2], shadow_writer[2], shadow_lock[2];
static bool stop_ipis;
static int wq_event;

static double rnd(void)
{
	return gsl_rng_uniform(this_cpu()->rng);
}

/* Local work of up to max_ns, a random amount. */
static void work(double max_ns)
{
	cpu_account(rnd() * max_ns);
}

static void violation(void)
{
	out[OUT_VIOLATIONS]++;
}

static void read_locked(int i)
{
	if (shadow_writer[i])
		violation();
	shadow_readers[i]++;
}

static void write_locked(int i)
{
	if (shadow_writer[i] || shadow_readers[i])
		violation();
	shadow_writer[i] = 1;
}

/* Hold sems[i] for read a while; sometimes take sems[1] inside sems[0]. */
static void hold_read(int i)
{
	work(800);
	if (i == 0 && rnd() < 0.3) {
		down_write(&sems[1]);
		write_locked(1);
		work(300);
		shadow_writer[1] = 0;
		up_write(&sems[1]);
	}
	shadow_readers[i]--;
	up_read(&sems[i]);
}

static void rwsem_op(void)
{
	int i = rnd() < 0.7 ? 0 : 1;
	double r = rnd();

	if (r < 0.45) {
		down_read(&sems[i]);
		read_locked(i);
		hold_read(i);
	} else if (r < 0.6) {
		if (!down_read_trylock(&sems[i]))
			return;
		read_locked(i);
		hold_read(i);
	} else {
		down_write(&sems[i]);
		write_locked(i);
		work(500);
		shadow_writer[i] = 0;
		/* munmap() since 5.0: downgrade for the zap, then up_read(). */
		if (r < 0.8) {
			downgrade_write(&sems[i]);
			read_locked(i);
			hold_read(i);
			return;
		}
		up_write(&sems[i]);
	}
}

static void spin_op(void)
{
	int i = rnd() < 0.8 ? 0 : 1;
	double r = rnd();

	if (r < 0.5) {
		spin_lock(&locks[i]);
	} else {
		/* pte_map_lock(): IRQs off for each try, on in between. */
		for (;;) {
			local_irq_disable();
			if (spin_trylock(&locks[i]))
				break;
			local_irq_enable();
			work(50);
		}
	}
	if (shadow_lock[i])
		violation();
	shadow_lock[i] = 1;
	work(400);
	/* Nested in lock order, as pmd lock then PTL. */
	if (i == 0 && rnd() < 0.3) {
		spin_lock(&locks[1]);
		if (shadow_lock[1])
			violation();
		shadow_lock[1] = 1;
		work(100);
		shadow_lock[1] = 0;
		spin_unlock(&locks[1]);
	}
	shadow_lock[i] = 0;
	spin_unlock(&locks[i]);
	local_irq_enable();
}

/* One waiter per event: the exclusive ones take turns, the rest all wake. */
static void waitqueue_op(void)
{
	int seen;

	if (rnd() < 0.5) {
		work(300);
		/* The event and the wake-up at one instant, as under the waker's lock. */
		cpu_sync();
		wq_event++;
		if (rnd() < 0.5)
			wake_up_all(&wq);
		else
			wake_up(&wq);
		return;
	}
	if (rnd() < 0.5)
		prepare_to_wait_exclusive(&wq);
	else
		prepare_to_wait(&wq);
	/* Queued: an event from now on wakes us, even one before we sleep. */
	seen = wq_event;
	schedule();
	if (wq_event == seen)
		violation();
}

static void (*stress_op)(void);

static void stress_task(void *arg)
{
	(void)arg;
	for (int n = 0; n < OPS; n++) {
		stress_op();
		work(1000);
	}
	out[OUT_DONE]++;
}

static double ipi_handler(int cpu, void *info)
{
	(void)cpu;
	(void)info;
	return 200;
}

/* Keeps interrupting the others: IPIs land while they spin and sleep. */
static void ipi_task(void *arg)
{
	struct cpumask all;

	(void)arg;
	cpumask_clear(&all);
	for (int c = 0; c < NR_CPUS; c++)
		cpumask_set_cpu(c, &all);
	while (!stop_ipis) {
		work(3000);
		cpu_sync();
		smp_call_function_many(&all, ipi_handler, NULL, rnd() < 0.5, "stress");
		out[OUT_IPIS]++;
	}
}

/* The waiters' last wake-up: tasks still asleep once the others are done. */
static void closer_task(void *arg)
{
	(void)arg;
	while (out[OUT_DONE] < NR_CPUS - 2) {
		cpu_account(50e3);
		cpu_sync();
		if (stress_op == waitqueue_op) {
			wq_event++;
			wake_up_all(&wq);
		}
	}
	stop_ipis = true;
}

static void stress_body(void *arg, double *o)
{
	out = o;
	stress_op = (void (*)(void))arg;
	init_rwsem(&sems[0], "sem0");
	init_rwsem(&sems[1], "sem1");
	spin_lock_init(&locks[0], "lock0");
	spin_lock_init(&locks[1], "lock1");
	init_waitqueue_head(&wq, "wq");
	for (int c = 0; c < NR_CPUS - 2; c++)
		sim_start_cpu(c, stress_task, NULL);
	sim_start_cpu(NR_CPUS - 2, ipi_task, NULL);
	sim_start_cpu(NR_CPUS - 1, closer_task, NULL);
}

static void stress(void (*op)(void), enum spinlock_kind kind)
{
	struct sim_config cfg = test_config(2, NR_CPUS / 4, 2);
	struct child_result r;

	cfg.spinlock = kind;
	for (unsigned long seed = 1; seed <= SEEDS; seed++) {
		cfg.seed = seed;
		if (run_child(&cfg, stress_body, (void *)op, 1e9, &r))
			return;
		CHECK(r.outcome.end == SIM_END_OK, "seed %lu: run ended %d: %s", seed,
		      r.outcome.end, r.outcome.report);
		CHECK(r.v[OUT_DONE] == NR_CPUS - 2, "seed %lu: %g tasks done", seed, r.v[OUT_DONE]);
		CHECK(r.v[OUT_VIOLATIONS] == 0, "seed %lu: %g exclusion violations", seed,
		      r.v[OUT_VIOLATIONS]);
		CHECK(r.v[OUT_IPIS] > 10, "seed %lu: only %g IPIs sent", seed, r.v[OUT_IPIS]);
	}
}

static void test_rwsem(void)
{
	stress(rwsem_op, SPINLOCK_QUEUED);
}

static void test_spinlock(void)
{
	stress(spin_op, SPINLOCK_QUEUED);
	stress(spin_op, SPINLOCK_TICKET);
}

static void test_waitqueue(void)
{
	stress(waitqueue_op, SPINLOCK_QUEUED);
}

static const struct test_case cases[] = {
    {"rwsem",
     "readers, writers, trylocks, downgrades and nesting under IPIs keep the rwsem sound "
     "and never deadlock falsely",
     test_rwsem},
    {"spinlock",
     "spin_lock, trylock loops with IRQs off and nesting under IPIs keep both "
     "spinlocks sound and exclusive",
     test_spinlock},
    {"waitqueue", "sleepers on a wait queue are woken, exclusive ones one at a time, none lost",
     test_waitqueue},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

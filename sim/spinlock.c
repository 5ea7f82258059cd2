/* sim/spinlock.c - the two spinlock algorithms and their hand-off costs. */
#include "spinlock.h"

#include "engine.h"

void spin_lock_init(spinlock_t *lock, const char *name)
{
	cacheline_init(&lock->line);
	lock->owner = -1;
	lock->waiters = (struct cpu_queue){0};
	lock->class = lock_class_get(name);
	lock->class->spins = true;
	lock->acquired_at = 0;
}

void spin_lock_destroy(spinlock_t *lock)
{
	cacheline_destroy(&lock->line);
}

int spinlock_holder(const void *obj)
{
	return ((const spinlock_t *)obj)->owner;
}

/* One owner, who does not also wait for it; waiters only behind an owner. */
static void spinlock_check(const spinlock_t *lock)
{
	if (!sim_invariants)
		return;
	SIM_BUG_ON(lock->owner < -1 || lock->owner >= nr_cpu_ids, "%s: owner %d", lock->class->name,
		   lock->owner);
	SIM_BUG_ON(lock->owner < 0 && lock->waiters.len, "%s: free with %d waiters",
		   lock->class->name, lock->waiters.len);
	SIM_BUG_ON(lock->owner >= 0 && cpus[lock->owner].queued_on == &lock->waiters,
		   "%s: the owner cpu%d waits for it", lock->class->name, lock->owner);
	cpu_queue_check(&lock->waiters, lock);
}

static void spin_acquired(spinlock_t *lock, double waited)
{
	lock->acquired_at = cpu_clock();
	lock_class_acquired(lock->class, waited);
	spinlock_check(lock);
}

void spin_lock(spinlock_t *lock)
{
	struct cpu_wait w = {WAIT_SPINLOCK, lock->class->name, lock, spinlock_holder};
	double t0;

	cacheline_sync(&lock->line);
	t0 = cpu_clock();
	/* ticket: xadd of the next ticket; qspinlock: the cmpxchg fast path. */
	cacheline_rmw(&lock->line);
	if (lock->owner < 0 && !lock->waiters.len) {
		lock->owner = smp_processor_id();
		spin_acquired(lock, 0);
		return;
	}
	/* qspinlock slow path: xchg_tail() publishes our MCS node. */
	if (sim_cfg->spinlock == SPINLOCK_QUEUED)
		cacheline_rmw_next(&lock->line);
	cpu_queue_add(&lock->waiters, this_cpu());
	cpu_block(CPU_SPINNING, &w, -1);
	/* spin_unlock() handed the lock over before waking us. */
	spin_acquired(lock, cpu_clock() - t0);
}

int spin_trylock(spinlock_t *lock)
{
	/* queued_spin_trylock() and the ticket trylock both read first. */
	cacheline_read(&lock->line);
	if (lock->owner >= 0 || lock->waiters.len)
		return 0;
	cacheline_rmw_next(&lock->line);
	lock->owner = smp_processor_id();
	spin_acquired(lock, 0);
	return 1;
}

/*
 * Ticket hand-off: the release invalidated every waiter's copy; each one
 * re-reads the line.  The line serves them one at a time, nearest first
 * around the ring from the releaser, and the next ticket holder owns the
 * lock when its read is served.  The reads of the others still occupy the
 * line, delaying the new holder's own release and new arrivals.
 */
static double ticket_handoff(spinlock_t *lock, double visible, struct cpu *next)
{
	int me = smp_processor_id();
	double next_at = visible;

	for (int i = 1; i < nr_cpu_ids; i++) {
		struct cpu *c = &cpus[(me + i) % nr_cpu_ids];
		double done;

		if (c != next && (c->wait.kind != WAIT_SPINLOCK || c->wait.obj != lock))
			continue;
		done = cacheline_read_by(&lock->line, c->id, visible);
		if (c == next)
			next_at = done;
	}
	return next_at;
}

/*
 * MCS hand-off: only the queue head spins on the lock word.  It reads the
 * released word, then claims the lock with a store that takes the line.
 */
static double mcs_handoff(spinlock_t *lock, double visible, struct cpu *next)
{
	double seen = cacheline_read_by(&lock->line, next->id, visible);

	return cacheline_rmw_by(&lock->line, next->id, seen);
}

void spin_unlock(spinlock_t *lock)
{
	struct cpu *next;
	double visible, at;

	cacheline_sync(&lock->line);
	SIM_BUG_ON(lock->owner != smp_processor_id(), "%s: unlocked by cpu%d, owner %d",
		   lock->class->name, smp_processor_id(), lock->owner);
	lock_class_released(lock->class, cpu_clock() - lock->acquired_at);
	visible = cacheline_store_posted(&lock->line);
	next = cpu_queue_pop(&lock->waiters);
	if (!next) {
		lock->owner = -1;
		return;
	}
	lock->owner = next->id;
	if (sim_cfg->spinlock == SPINLOCK_TICKET)
		at = ticket_handoff(lock, visible, next);
	else
		at = mcs_handoff(lock, visible, next);
	cpu_wake(next, at - sim_now());
	spinlock_check(lock);
}

void spin_lock_set_private(spinlock_t *lock, int cpu)
{
	cacheline_set_private(&lock->line, cpu);
}

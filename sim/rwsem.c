/* sim/rwsem.c - reader/writer semaphore: fast paths, spinning, sleeping. */
#include "rwsem.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "irq.h"
#include "trace.h"

#define RWSEM_WAITING_WRITER 1 /* cpu->wait_flags of a queued writer */

/* kernel/locking/rwsem.c (5.3+): DIV_ROUND_UP(HZ, 250) jiffies, 4 ms. */
#define RWSEM_WAIT_TIMEOUT 4e6

/* kernel/locking/rwsem.c: the most readers one wake-up grants. */
#define MAX_READERS_WAKEUP 0x100

/*
 * The rwsem_waiter a sleeper queues lives on its task's stack: the sleeper
 * fills it in, the next CPU to queue writes its list link, and a waker
 * moves it to its wake list.  A line per CPU, since a CPU waits on one
 * rwsem at a time.
 */
static struct cacheline *waiter_line;

/*
 * Two lines of each task_struct a waker writes under the wait_lock, both
 * last written by whoever woke the task before (wake_up_q() clears the
 * node and drops the reference): the wake_q node wake_q_add() claims with
 * a cmpxchg, and the usage count get_task_struct() raises.
 */
static struct cacheline *wake_q_line, *task_usage_line;

void rwsem_init(void)
{
	waiter_line = calloc(nr_cpu_ids, sizeof(*waiter_line));
	wake_q_line = calloc(nr_cpu_ids, sizeof(*wake_q_line));
	task_usage_line = calloc(nr_cpu_ids, sizeof(*task_usage_line));
	for (int i = 0; i < nr_cpu_ids; i++) {
		cacheline_init(&waiter_line[i]);
		cacheline_init(&wake_q_line[i]);
		cacheline_init(&task_usage_line[i]);
	}
}

/*
 * rwsem_mark_wake() queues task c for wake_up_q(), from instant at (ns):
 * wake_q_add()'s cmpxchg on its node and get_task_struct().  Returns when
 * the waker is done.
 */
static double rwsem_wake_q_add(const struct cpu *c, double at)
{
	at = cacheline_rmw_by(&wake_q_line[c->id], smp_processor_id(), at);
	return cacheline_rmw_by(&task_usage_line[c->id], smp_processor_id(), at);
}

/*
 * The wait_lock asked for at instant at, while its line was busy (held,
 * or moving) until busy, and had at got: the time it was still busy is
 * the lock's contention.
 */
static void wait_lock_acquired(struct rw_semaphore *sem, double busy, double at, double got)
{
	lock_class_acquired(sem->wait_lock_class, busy > at ? (busy < got ? busy : got) - at : 0);
	sem->wait_lock_asked = at;
	sem->wait_lock_taken = got;
}

/* raw_spin_lock_irq(&sem->wait_lock) by me, asking at instant at: when it has it. */
static double wait_lock_take(struct rw_semaphore *sem, int me, double at)
{
	double busy = sem->wait_lock_line.free_at;
	double got = cacheline_rmw_by(&sem->wait_lock_line, me, at);

	wait_lock_acquired(sem, busy, at, got);
	return got;
}

/* The same by the running CPU, its access issued after its previous one (next). */
static void wait_lock_take_here(struct rw_semaphore *sem, bool next)
{
	double busy = sem->wait_lock_line.free_at, at = cpu_clock();

	if (next)
		cacheline_rmw_next(&sem->wait_lock_line);
	else
		cacheline_rmw(&sem->wait_lock_line);
	wait_lock_acquired(sem, busy, at, cpu_clock());
}

/*
 * raw_spin_unlock_irq(&sem->wait_lock) at instant until.  IRQs were off
 * from the raw_spin_lock_irq(), spin included: an IPI that lands in
 * between waits for the unlock.
 */
static void wait_lock_let_go(struct rw_semaphore *sem, double until)
{
	local_irq_off_span(sem->wait_lock_asked, until);
	cacheline_hold(&sem->wait_lock_line, until);
	lock_class_released(sem->wait_lock_class, until - sem->wait_lock_taken);
}

void init_rwsem(struct rw_semaphore *sem, const char *name)
{
	char wait_lock[64];

	snprintf(wait_lock, sizeof(wait_lock), "%s.wait_lock", name);
	cacheline_init(&sem->line);
	cacheline_init(&sem->wait_lock_line);
	sem->wait_lock_class = lock_class_get(wait_lock);
	sem->wait_lock_class->spins = true;
	sem->wait_lock_taken = 0;
	sem->wait_lock_asked = 0;
	sem->readers = 0;
	sem->writer_locked = false;
	sem->owner = -1;
	sem->wait_list = (struct cpu_queue){0};
	sem->spinners = (struct cpu_queue){0};
	sem->class = lock_class_get(name);
	sem->write_acquired_at = 0;
	sem->nonspinnable = false;
	sem->reader_phase = 0;
}

void rwsem_destroy(struct rw_semaphore *sem)
{
	cacheline_destroy(&sem->line);
	cacheline_destroy(&sem->wait_lock_line);
}

/*
 * RWSEM_FLAG_HANDOFF: the first waiter has waited RWSEM_WAIT_TIMEOUT.  The
 * kernel sets the bit when that waiter next tries the lock and fails; it
 * is woken at every release, so the bit is taken as set from the timeout
 * on, a wake-up cycle early at most.
 * From then on no reader steals the lock and no spinner takes it: it goes
 * to that waiter.
 */
static bool rwsem_handoff(const struct rw_semaphore *sem, double at)
{
	const struct cpu *head = sem->wait_list.head;

	return head && at - head->wait_since >= RWSEM_WAIT_TIMEOUT;
}

/*
 * A writer at the head of the wait list that a release woke and that has
 * not yet tried the lock again: a later release has nobody to wake.
 */
static bool rwsem_writer_waking(const struct cpu *c)
{
	return c && c->wait_flags & RWSEM_WAITING_WRITER && (c->state != CPU_SLEEPING || c->woken);
}

/*
 * The count agrees with the owner, the wait lists are sound, and nobody
 * waits on a free semaphore but a writer woken to try it again: every
 * release hands it to spinners and readers, or wakes the writer in front.
 */
static void rwsem_check(const struct rw_semaphore *sem)
{
	const char *n = sem->class->name;

	if (!sim_invariants)
		return;
	SIM_BUG_ON(sem->readers < 0 || sem->readers > nr_cpu_ids, "%s: %d readers", n,
		   sem->readers);
	SIM_BUG_ON(sem->writer_locked && sem->readers, "%s: write-locked with %d readers", n,
		   sem->readers);
	SIM_BUG_ON(sem->writer_locked != (sem->owner >= 0), "%s: writer_locked %d, owner %d", n,
		   sem->writer_locked, sem->owner);
	cpu_queue_check(&sem->wait_list, sem);
	cpu_queue_check(&sem->spinners, sem);
	SIM_BUG_ON(sem->owner >= 0 && cpus[sem->owner].queued_on &&
		       (cpus[sem->owner].queued_on == &sem->wait_list ||
			cpus[sem->owner].queued_on == &sem->spinners),
		   "%s: the owner cpu%d waits for it", n, sem->owner);
	/* Spinners may wait on a free lock only while the handoff keeps it for a woken writer. */
	SIM_BUG_ON(!rwsem_is_locked(sem) && sem->spinners.len &&
		       !rwsem_writer_waking(sem->wait_list.head),
		   "%s: free with %d spinners", n, sem->spinners.len);
	SIM_BUG_ON(!rwsem_is_locked(sem) && sem->wait_list.len &&
		       !rwsem_writer_waking(sem->wait_list.head),
		   "%s: free with %d sleepers, none of them woken", n, sem->wait_list.len);
}

/* rwsem_set_owner(): a writer's owner field has no flags left in it. */
static void rwsem_set_owner(struct rw_semaphore *sem, int cpu)
{
	sem->writer_locked = true;
	sem->owner = cpu;
	sem->nonspinnable = false;
}

/* A reader counts in; the first one starts a reader phase. */
static void rwsem_reader_in(struct rw_semaphore *sem)
{
	if (!sem->readers++)
		sem->reader_phase++;
}

static int rwsem_holder(const void *obj)
{
	return ((const struct rw_semaphore *)obj)->owner;
}

/* RWSEM_FLAG_WAITERS: set while anyone sleeps in the wait list. */
static inline bool rwsem_has_waiters(const struct rw_semaphore *sem)
{
	return sem->wait_list.len > 0;
}

/* rwsem_can_spin_on_owner(): the owner is a writer on a CPU right now. */
static bool rwsem_owner_running(const struct rw_semaphore *sem)
{
	return sem->owner >= 0 && cpus[sem->owner].state != CPU_SLEEPING;
}

/*
 * rwsem_try_write_lock() by a woken writer, still in the wait list: the
 * lock is its own if nobody holds it.  A reader that stole the lock, or
 * an optimistic spinner that took it, while the writer was waking makes
 * it sleep again; it stays at its place in the list.
 */
static bool rwsem_try_write_lock(struct rw_semaphore *sem)
{
	struct cpu *me = this_cpu();

	/* raw_spin_lock_irq(&sem->wait_lock), then the count: read, and cmpxchg'd if free */
	wait_lock_take_here(sem, false);
	cacheline_rmw_next(&sem->line);
	wait_lock_let_go(sem, cpu_clock());
	if (sem->writer_locked || sem->readers)
		return false;
	cpu_queue_remove(&sem->wait_list, me);
	rwsem_set_owner(sem, me->id);
	return true;
}

/*
 * rwsem_rspin_threshold(): how long a writer spins on a reader-owned
 * rwsem before it queues: (20 + readers) / 2 us, readers capped at 30.
 */
static double rwsem_rspin_threshold(const struct rw_semaphore *sem)
{
	int readers = sem->readers < 30 ? sem->readers : 30;

	return (20 + readers) * 500.0;
}

/*
 * rwsem_optimistic_spin() of a writer, as the owner now is: for as long
 * as a writer owns it and runs, for the threshold on readers unless an
 * earlier spinner found them too slow (RWSEM_NONSPINNABLE); 0: sleep.
 */
static double rwsem_writer_spin(const struct rw_semaphore *sem)
{
	if (sem->writer_locked)
		return rwsem_owner_running(sem) ? -1 : 0;
	return sem->nonspinnable ? 0 : rwsem_rspin_threshold(sem);
}

static double rwsem_wake_readers(struct rw_semaphore *sem, struct cpu_queue *q, double at);

/*
 * rwsem_spin_on_owner() returns when the owner changes.  Only the first
 * spinning writer watches the owner; the others wait behind it in the
 * rwsem's optimistic spin queue (osq_lock()), each on a line of its own.
 * The first sees the change as it reads the owner's line, leaves the spin
 * and decides again, as the loop in rwsem_optimistic_spin() does; with
 * all, each of them does so as it comes to the front, which they all do
 * at once once RWSEM_NONSPINNABLE sends the first away.
 */
static void rwsem_spinners_recheck(struct rw_semaphore *sem, double at, bool all)
{
	struct cpu *c = sem->spinners.head, *next;

	for (; c; c = next) {
		next = c->wait_next;
		if (!(c->wait_flags & RWSEM_WAITING_WRITER))
			continue;
		cpu_queue_remove(&sem->spinners, c);
		cpu_wake(c, cacheline_read_by(&sem->line, c->id, at) - sim_now());
		if (!all)
			return;
	}
}

/*
 * A spinning writer told the owner changed: rwsem_try_write_lock_unqueued()
 * on a free lock, else how long to spin on the new owner (0: sleep).
 */
static double rwsem_spin_again(struct rw_semaphore *sem, bool *taken)
{
	cacheline_rmw(&sem->line);
	*taken = !sem->writer_locked && !sem->readers && !rwsem_handoff(sem, cpu_clock());
	if (*taken) {
		rwsem_set_owner(sem, smp_processor_id());
		return 0;
	}
	return rwsem_writer_spin(sem);
}

/*
 * Wait for the lock: spin first where the kernel would, then sleep in the
 * wait list.  A reader is woken owning the lock (rwsem_mark_wake() counts
 * it in); a writer is woken to try again, as rwsem_down_write_slowpath()
 * loops, unless the handoff made the lock its own.  Returns when we own it.
 */
static void rwsem_wait(struct rw_semaphore *sem, bool writer, double spin_limit)
{
	struct cpu *me = this_cpu();
	struct cpu_wait w = {writer ? WAIT_RWSEM_WRITE : WAIT_RWSEM_READ, sem->class->name, sem,
			     rwsem_holder};
	unsigned long phase = sem->reader_phase;
	bool spun = spin_limit != 0, taken;

	me->wait_flags = writer ? RWSEM_WAITING_WRITER : 0;
	for (bool first = true; spin_limit != 0; first = false) {
		bool woken;

		/* Back from a look at the owner, it is still first in the queue. */
		if (first)
			cpu_queue_add(&sem->spinners, me);
		else
			cpu_queue_push(&sem->spinners, me);
		woken = cpu_block(CPU_SPINNING, &w, spin_limit);
		/* Granted: a writer is the owner, a reader counted in. */
		if (woken && (!writer || sem->owner == me->id))
			return;
		if (!woken) {
			cpu_queue_remove(&sem->spinners, me);
			/*
			 * rwsem_set_nonspinnable(): the readers of the phase we
			 * spun on outlasted our threshold.  They will outlast
			 * the next writer's too: it queues at once, until this
			 * reader phase ends, and so do the writers spinning now.
			 */
			if (!writer || (sem->readers && sem->reader_phase == phase)) {
				sem->nonspinnable = true;
				rwsem_spinners_recheck(sem, cpu_clock(), true);
				break;
			}
		}
		/* The owner changed under us: rwsem_optimistic_spin() loops on. */
		spin_limit = rwsem_spin_again(sem, &taken);
		if (taken)
			return;
		phase = sem->reader_phase;
	}
	/*
	 * osq_unlock(): the next spinner comes to the front and decides: a
	 * reader (5.3 to 5.10) joins the readers inside, a writer looks at
	 * the owner.
	 */
	if (spun) {
		if (sem->readers && !rwsem_handoff(sem, cpu_clock()))
			rwsem_wake_readers(sem, &sem->spinners, cpu_clock());
		rwsem_spinners_recheck(sem, cpu_clock(), false);
	}
	/*
	 * The waiter on our stack is filled in (task, type, timeout), on a
	 * line the last CPU to queue behind us or to wake us wrote; the
	 * wait_lock's locked cmpxchg waits for those stores to land.  Then,
	 * under the wait_lock: rwsem_add_waiter(), whose list_add_tail()
	 * writes the link of the waiter last in the list, on that task's
	 * stack, then the count - a reader takes back its bias
	 * (atomic_long_add_return()), the first waiter sets
	 * RWSEM_FLAG_WAITERS, a later writer reads it - and the unlock:
	 * whoever takes the wait_lock next waits for all of it, which is where
	 * a crowd of queueing readers spins.  No other CPU runs in between: a
	 * release then would find nobody to wake.  (A writer's first
	 * rwsem_try_write_lock() under the same hold is folded into the
	 * count's access.)
	 */
	cacheline_rmw_next(&waiter_line[me->id]);
	wait_lock_take_here(sem, true);
	if (sem->wait_list.tail)
		cacheline_rmw_next(&waiter_line[sem->wait_list.tail->id]);
	if (!writer || !sem->wait_list.len)
		cacheline_rmw_next(&sem->line);
	else
		cacheline_read_next(&sem->line);
	wait_lock_let_go(sem, cpu_clock());
	me->wait_since = cpu_clock();
	cpu_queue_add(&sem->wait_list, me);
	do {
		cpu_block(CPU_SLEEPING, &w, -1);
	} while (writer && sem->owner != me->id && !rwsem_try_write_lock(sem));
	/* A woken reader sees the lock is its own: waiter.task, which the waker cleared. */
	if (!writer)
		cacheline_read(&waiter_line[me->id]);
}

/*
 * rwsem_set_reader_owned(): every reader that takes the lock also writes
 * sem->owner, which shares the count's line ("the task_struct pointer of
 * the last owning reader will be left in the owner field", since 5.3).
 * The store is posted and costs the reader little, but it is a second
 * write to the line for each acquisition, and where CPUs queue for the
 * line, the line has passed to the next one's RMW before it lands.
 */
static void rwsem_set_reader_owned(struct rw_semaphore *sem)
{
	cacheline_store_posted(&sem->line);
}

/*
 * try_to_wake_up() of sleeper c by the current CPU from instant at (ns):
 * returns the instant the waker is done, where the next wake-up starts.
 */
static double rwsem_wake_sleeper(struct cpu *c, double at)
{
	double done = ttwu_queue(c->id, at);

	cpu_wake(c, done - sim_now() + sim_machine->wakeup);
	return done;
}

/*
 * Grant the lock to c, which sees it at instant at (ns).  A spinner goes
 * on at once; a sleeper is woken.  Returns when the waker is done.
 */
static double rwsem_grant(struct rw_semaphore *sem, struct cpu *c, double at, bool sleeper)
{
	if (c->wait_flags & RWSEM_WAITING_WRITER)
		rwsem_set_owner(sem, c->id);
	else
		rwsem_reader_in(sem);
	if (sleeper)
		return rwsem_wake_sleeper(c, at);
	cpu_wake(c, at - sim_now());
	return at;
}

/* The waker pays for the wake-ups it did, up to instant done. */
static void rwsem_waker_pays(double done)
{
	if (done > cpu_clock())
		cpu_account(done - cpu_clock());
}

/*
 * rwsem_mark_wake() for readers, when a reader is first in q: grant every
 * reader in q, those behind writers too, from instant at on (phase-fair
 * since d3681e269fff, 5.3: "all readers are eligible to acquire the lock
 * at the same time irrespective of their order in the queue"); writers
 * keep their places.  For sleepers, all under the wait_lock: unless the
 * waker already holds the lock for read (RWSEM_WAKE_READ_OWNED: a reader
 * that stole it, or a downgrade), a fetch_add of one reader's bias first,
 * to see that no writer took the lock meanwhile; each reader's waiter is
 * moved to the wake list and handed its task (list_move_tail() and the
 * store to waiter->task), a line of its stack apiece, and its task is
 * queued (rwsem_wake_q_add()); the count gets the rest of the readers'
 * bias.  Once the wait_lock is let go, wake_up_q() wakes them one
 * try_to_wake_up() after the other.  A reader that stole the lock, or a
 * downgrade, finding a writer first takes the wait_lock only to see that.
 * Returns when the waker is done.
 */
static double rwsem_wake_readers(struct rw_semaphore *sem, struct cpu_queue *q, double at)
{
	bool sleeper = q == &sem->wait_list, read_owned = sem->readers > 0;
	struct cpu *c = q->head, *next, *wake[MAX_READERS_WAKEUP];
	int woken = 0, me = smp_processor_id();

	if (!c || (!sleeper && c->wait_flags & RWSEM_WAITING_WRITER))
		return at;
	if (sleeper)
		at = wait_lock_take(sem, me, at);
	if (sleeper && c->wait_flags & RWSEM_WAITING_WRITER) {
		at = cacheline_read_by(&waiter_line[c->id], me, at);
		wait_lock_let_go(sem, at);
		return at;
	}
	if (sleeper && !read_owned)
		at = cacheline_rmw_by(&sem->line, me, at);
	for (; c && woken < MAX_READERS_WAKEUP; c = next) {
		next = c->wait_next;
		if (c->wait_flags & RWSEM_WAITING_WRITER)
			continue;
		cpu_queue_remove(q, c);
		wake[woken++] = c;
		if (sleeper) {
			at = cacheline_rmw_by(&waiter_line[c->id], me, at);
			at = rwsem_wake_q_add(c, at);
		}
	}
	if (sleeper) {
		at = cacheline_rmw_by(&sem->line, me, at);
		wait_lock_let_go(sem, at);
	}
	for (int i = 0; i < woken; i++) {
		double done = rwsem_grant(sem, wake[i],
					  cacheline_read_by(&sem->line, wake[i]->id, at), sleeper);

		/* Spinners read the count at once; sleepers wait their turn to be woken. */
		if (sleeper)
			at = done;
	}
	return at;
}

/*
 * Reader optimistic lock stealing (1a728dff855a, with 617f3ef95177 in
 * 5.11): a reader in the slow path takes a lock that no writer holds and
 * no handoff reserves, even with waiters queued, as when a release has
 * woken a writer that has not yet tried it again.  Only a first reader
 * steals: with readers inside it queues, so a stream of readers cannot
 * starve the sleepers.
 */
static bool rwsem_read_steal(const struct rw_semaphore *sem)
{
	return !sim_cfg->rwsem_reader_spin && !sem->writer_locked && !sem->readers &&
	       !rwsem_handoff(sem, cpu_clock());
}

void down_read(struct rw_semaphore *sem)
{
	double t0;
	bool fast;

	cacheline_sync(&sem->line);
	t0 = cpu_clock();
	/* atomic_long_add_return_acquire(RWSEM_READER_BIAS, &sem->count) */
	cacheline_rmw(&sem->line);
	fast = !sem->writer_locked && !rwsem_has_waiters(sem);
	if (fast || rwsem_read_steal(sem)) {
		rwsem_reader_in(sem);
		rwsem_set_reader_owned(sem);
		/* A stealer, first in, wakes the queued readers if one is first
		 * (RWSEM_WAKE_READ_OWNED). */
		if (!fast)
			rwsem_waker_pays(rwsem_wake_readers(sem, &sem->wait_list, cpu_clock()));
		lock_class_acquired(sem->class, 0);
		trace_begin("hold (read)", sem->class->name);
		rwsem_check(sem);
		return;
	}
	/*
	 * rwsem_down_read_slowpath(): 5.3 to 5.10 spin on a running writer if
	 * no one sleeps.  Since 5.11 (617f3ef95177, "Remove reader optimistic
	 * spinning") a reader that finds a writer, or sleepers, queues and
	 * sleeps at once.
	 */
	if (sim_cfg->rwsem_reader_spin && !rwsem_has_waiters(sem) && rwsem_owner_running(sem))
		rwsem_wait(sem, false, -1);
	else
		rwsem_wait(sem, false, 0);
	lock_class_acquired(sem->class, cpu_clock() - t0);
	trace_begin("hold (read)", sem->class->name);
	rwsem_check(sem);
}

/* sem->count as a cmpxchg compares it: readers, the writer, the waiters flag. */
static long rwsem_count(const struct rw_semaphore *sem)
{
	return sem->readers * RWSEM_READER_BIAS | (sem->writer_locked ? RWSEM_WRITER_LOCKED : 0) |
	       (rwsem_has_waiters(sem) ? RWSEM_FLAG_WAITERS : 0);
}

/*
 * __down_read_trylock() from ddb20d1d3aed (2019) to 5.15: a cmpxchg of
 * the count expecting an unlocked rwsem, retried with the value it found
 * unless that shows a writer or waiters.  With any reader inside, the
 * first try fails and a second locked cmpxchg follows ("most threads
 * almost need to run at least 2 times of cmpxchg", 14c240488411, of
 * mmap_sem at 40 threads faulting).  The retry comes a few cycles after
 * the failed cmpxchg, on the line that cmpxchg took: no other CPU comes
 * in between, so it lands.  Since 5.16 the count is read first; that
 * form is not modelled (its author measured it 11% faster at 40 threads,
 * 0.5% at 4).
 */
int down_read_trylock(struct rw_semaphore *sem)
{
	long count;

	/* atomic_long_try_cmpxchg_acquire(&sem->count, &tmp, tmp + RWSEM_READER_BIAS) */
	cacheline_rmw(&sem->line);
	count = rwsem_count(sem);
	if (count & RWSEM_READ_FAILED_MASK)
		return 0;
	if (count != RWSEM_UNLOCKED_VALUE)
		cacheline_rmw_next(&sem->line);
	rwsem_reader_in(sem);
	rwsem_set_reader_owned(sem);
	lock_class_acquired(sem->class, 0);
	trace_begin("hold (read)", sem->class->name);
	rwsem_check(sem);
	return 1;
}

void down_write(struct rw_semaphore *sem)
{
	double t0;

	cacheline_sync(&sem->line);
	t0 = cpu_clock();
	/* atomic_long_try_cmpxchg_acquire(&sem->count, 0, RWSEM_WRITER_LOCKED) */
	cacheline_rmw(&sem->line);
	/*
	 * Free and no waiters: the fast path's cmpxchg.  Free with waiters (a
	 * woken writer on its way) and no handoff: rwsem_optimistic_spin()'s
	 * first rwsem_try_write_lock_unqueued() takes it.
	 */
	if (!sem->writer_locked && !sem->readers &&
	    (!rwsem_has_waiters(sem) || !rwsem_handoff(sem, cpu_clock()))) {
		rwsem_set_owner(sem, smp_processor_id());
		sem->write_acquired_at = cpu_clock();
		lock_class_acquired(sem->class, 0);
		trace_begin("hold (write)", sem->class->name);
		rwsem_check(sem);
		return;
	}
	rwsem_wait(sem, true, rwsem_writer_spin(sem));
	sem->write_acquired_at = cpu_clock();
	lock_class_acquired(sem->class, cpu_clock() - t0);
	trace_begin("hold (write)", sem->class->name);
	rwsem_check(sem);
}

/*
 * rwsem_mark_wake() of a writer at the front of the wait list, under the
 * wait_lock, which a queueing sleeper took last: its waiter is read for
 * its task, which is queued (rwsem_wake_q_add()), then the lock is let
 * go.  Returns the instant it is.
 */
static double rwsem_mark_writer(struct rw_semaphore *sem, struct cpu *head, double at)
{
	int me = smp_processor_id();

	at = wait_lock_take(sem, me, at);
	at = cacheline_read_by(&waiter_line[head->id], me, at);
	at = rwsem_wake_q_add(head, at);
	wait_lock_let_go(sem, at);
	return at;
}

/*
 * The release saw RWSEM_FLAG_WAITERS, but an optimistic spinner has taken
 * the lock: the kernel's rwsem_wake() takes the wait_lock all the same.
 * Readers in front: rwsem_mark_wake()'s fetch_add of a reader's bias finds
 * the writer and takes it back, two RMWs of the count.  A writer in front
 * is woken, unless it is awake already (the try_to_wake_up() of a running
 * task is not priced), and finds the lock taken: it sleeps again.  Returns
 * when the releaser is done.
 */
static double rwsem_wake_after_steal(struct rw_semaphore *sem, double at)
{
	struct cpu *head = sem->wait_list.head;
	int me = smp_processor_id();

	if (head->wait_flags & RWSEM_WAITING_WRITER) {
		at = rwsem_mark_writer(sem, head, at);
		return rwsem_writer_waking(head) ? at : rwsem_wake_sleeper(head, at);
	}
	at = wait_lock_take(sem, me, at);
	at = cacheline_rmw_by(&sem->line, me, at);
	at = cacheline_rmw_by(&sem->line, me, at);
	wait_lock_let_go(sem, at);
	return at;
}

/*
 * rwsem_wake(): the lock just became free (or reader-owned with no writer
 * in front).  Optimistic spinners win the race against sleepers, as the
 * spinning CPU sees the release first; with sleepers queued, a writer
 * spinner's win still sends the releaser through the wait_lock (spinning
 * readers, 5.3 to 5.10, are granted without it).  Readers at the front of the wait
 * list are woken owning the lock (rwsem_mark_wake()).  A writer at the
 * front is only woken: it tries the lock when it runs, and whoever comes
 * first in the meantime may take it.  Under the handoff the lock is its
 * own (RWSEM_FLAG_HANDOFF: nobody else may take it), so it is granted as
 * it is woken: the writer's retry would find it free and take it.
 */
static void rwsem_wake(struct rw_semaphore *sem, double visible)
{
	struct cpu *head = sem->wait_list.head, *c;
	bool handoff = rwsem_handoff(sem, visible);
	double at;

	c = sem->spinners.head;
	if (c && !handoff) {
		if (!(c->wait_flags & RWSEM_WAITING_WRITER)) {
			rwsem_waker_pays(rwsem_wake_readers(sem, &sem->spinners, visible));
			rwsem_spinners_recheck(sem, visible, false);
			return;
		}
		if (sem->readers)
			return;
		cpu_queue_pop(&sem->spinners);
		rwsem_waker_pays(
		    rwsem_grant(sem, c, cacheline_rmw_by(&sem->line, c->id, visible), false));
		if (head)
			rwsem_waker_pays(rwsem_wake_after_steal(sem, visible));
		return;
	}
	if (!head)
		return;
	if (!(head->wait_flags & RWSEM_WAITING_WRITER)) {
		rwsem_waker_pays(rwsem_wake_readers(sem, &sem->wait_list, visible));
		rwsem_spinners_recheck(sem, visible, false);
		return;
	}
	/* Readers still inside: the last of them wakes the writer. */
	if (sem->readers)
		return;
	at = rwsem_mark_writer(sem, head, visible);
	/* Woken by an earlier release and not yet back: it will try the lock. */
	if (rwsem_writer_waking(head)) {
		rwsem_waker_pays(at);
		return;
	}
	if (handoff) {
		cpu_queue_pop(&sem->wait_list);
		rwsem_waker_pays(
		    rwsem_grant(sem, head, cacheline_rmw_by(&sem->line, head->id, at), true));
		rwsem_spinners_recheck(sem, at, false);
		return;
	}
	rwsem_waker_pays(rwsem_wake_sleeper(head, at));
}

void up_read(struct rw_semaphore *sem)
{
	trace_end();
	cacheline_rmw(&sem->line);
	SIM_BUG_ON(sem->readers <= 0 || sem->writer_locked, "%s: up_read without a reader",
		   sem->class->name);
	sem->readers--;
	if (!sem->readers) {
		/* clear_nonspinnable() before waking the waiters */
		if (rwsem_has_waiters(sem))
			sem->nonspinnable = false;
		rwsem_wake(sem, cpu_clock());
	}
	rwsem_check(sem);
}

/* The writer lets go: returns the instant its store to the count is visible. */
static double rwsem_write_release(struct rw_semaphore *sem)
{
	double visible;

	cacheline_sync(&sem->line);
	SIM_BUG_ON(sem->owner != smp_processor_id(), "%s: released by cpu%d, owner %d",
		   sem->class->name, smp_processor_id(), sem->owner);
	trace_end();
	lock_class_released(sem->class, cpu_clock() - sem->write_acquired_at);
	visible = cacheline_store_posted(&sem->line);
	sem->writer_locked = false;
	sem->owner = -1;
	return visible;
}

void up_write(struct rw_semaphore *sem)
{
	rwsem_wake(sem, rwsem_write_release(sem));
	rwsem_check(sem);
}

/*
 * downgrade_write(): the writer keeps the lock as a reader and lets the
 * readers at the front of the wait list in with it (rwsem_downgrade_wake()).
 * A writer at the front stays queued, and so blocks later readers.
 */
void downgrade_write(struct rw_semaphore *sem)
{
	/* atomic_long_add_return(-RWSEM_WRITER_LOCKED + RWSEM_READER_BIAS) */
	double visible = rwsem_write_release(sem);

	rwsem_reader_in(sem);
	trace_begin("hold (read)", sem->class->name);
	/* Spinning readers see the count first; then the sleepers at the front. */
	visible = rwsem_wake_readers(sem, &sem->spinners, visible);
	/* Spinning writers now face readers: bounded spins, or sleep. */
	rwsem_spinners_recheck(sem, visible, false);
	rwsem_waker_pays(rwsem_wake_readers(sem, &sem->wait_list, visible));
	rwsem_check(sem);
}

void rwsem_set_private(struct rw_semaphore *sem, int cpu)
{
	cacheline_set_private(&sem->line, cpu);
	cacheline_set_private(&sem->wait_lock_line, cpu);
}

/* sim/rwsem.h - struct rw_semaphore, after kernel/locking/rwsem.c (v5.11+).
 *
 * The count word (reader count, writer-locked and waiters flags) and the
 * owner field share one cache line: every down/up is an atomic on it, so
 * even uncontended readers of one semaphore contend for that line.
 *
 * A writer that cannot take the lock spins optimistically while the owner
 * is a running writer, or for a bounded time while readers own it; then
 * it queues and sleeps.  A queued waiter sets the waiters flag,
 * which sends later readers to the slow path: a waiting writer blocks new
 * readers.  A reader that cannot take the lock queues and sleeps at once,
 * as since 5.11; with [kernel] rwsem_reader_spin (5.3 to 5.10) it spins
 * while a running writer owns the lock and no one is queued.  Queueing and
 * waking take the wait_lock, a raw spinlock: its line is held while the
 * holder works under it, and whoever asks meanwhile waits for the hold to
 * end, counted in the lock class "NAME.wait_lock" as a spinlock's wait
 * is.  The waker wakes sleepers one after the
 * other (wake_up_q()), paying a try_to_wake_up() each, so woken readers
 * resume one wake-up apart, each after the wake-up latency.  A sleeper
 * at the head of the queue for RWSEM_WAIT_TIMEOUT sets the handoff bit:
 * the lock then goes to it, not to an optimistic spinner.
 */
#ifndef FAULTSIM_SIM_RWSEM_H
#define FAULTSIM_SIM_RWSEM_H

#include <stdbool.h>

#include "cacheline.h"
#include "cpu.h"

/* The count word's fields, as kernel/locking/rwsem.c lays them out. */
#define RWSEM_UNLOCKED_VALUE   0L
#define RWSEM_WRITER_LOCKED    (1L << 0)
#define RWSEM_FLAG_WAITERS     (1L << 1)
#define RWSEM_READER_BIAS      (1L << 8)
#define RWSEM_READ_FAILED_MASK (RWSEM_WRITER_LOCKED | RWSEM_FLAG_WAITERS)

struct rw_semaphore {
	/*
	 * count and owner; and the raw_spinlock_t wait_lock, which in the
	 * kernel's 40-byte struct shares the count's line.  It is a line of
	 * its own here, so that a hold (cacheline_hold()) keeps out only those
	 * who want the lock, not the readers' atomics on the count.
	 */
	struct cacheline line;
	struct cacheline wait_lock_line;
	struct lock_class *wait_lock_class; /* "NAME.wait_lock": spins and holds on it */
	double wait_lock_taken;		    /* when its holder took it */
	double wait_lock_asked;		    /* when its holder asked, IRQs off from then */
	int readers;
	bool writer_locked;
	int owner;		    /* the writer, or -1 */
	struct cpu_queue wait_list; /* sleeping waiters, FIFO */
	struct cpu_queue spinners;  /* optimistic spinners (the OSQ) */
	struct lock_class *class;
	double write_acquired_at;
	bool nonspinnable; /* RWSEM_NONSPINNABLE: writers queue without spinning on readers */
	unsigned long reader_phase; /* times readers took the lock from nobody */
};

/* Each CPU's struct rwsem_waiter, on its task's stack: a line apiece. */
void rwsem_init(void);
void init_rwsem(struct rw_semaphore *sem, const char *name);
void rwsem_destroy(struct rw_semaphore *sem);
void down_read(struct rw_semaphore *sem);
int down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
/* Turn the write lock held into a read lock, waking the readers queued first. */
void downgrade_write(struct rw_semaphore *sem);
/* Only cpu will ever take it: see cacheline_set_private(). */
void rwsem_set_private(struct rw_semaphore *sem, int cpu);

static inline bool rwsem_is_locked(const struct rw_semaphore *sem)
{
	return sem->readers || sem->writer_locked;
}

#endif

/* sim/spinlock.h - spinlock_t, as qspinlock or as the old ticket lock.
 *
 * The lock word is a cache line.  A waiter spins (on the CPU, answering
 * IRQs unless they are off) until the lock is handed to it; what the
 * hand-off costs comes from the line traffic of the algorithm:
 *
 *  - ticket: every waiter re-reads the lock line after each release; the
 *    line serves those reads one at a time, and the next ticket holder
 *    learns it is its turn only when its own read is served.  Hand-off
 *    grows with the number of waiters (Boyd-Wickizer et al., "Non-scalable
 *    locks are dangerous", Linux Symposium 2012).
 *  - qspinlock: waiters queue MCS-style and spin on their own node; only
 *    the queue head watches the lock word, so a hand-off is one transfer
 *    to the head plus its claim of the lock (kernel/locking/qspinlock.c).
 */
#ifndef FAULTSIM_SIM_SPINLOCK_H
#define FAULTSIM_SIM_SPINLOCK_H

#include "cacheline.h"
#include "cpu.h"

typedef struct spinlock {
	struct cacheline line;
	int owner;		  /* CPU holding the lock, or -1 */
	struct cpu_queue waiters; /* ticket order, or the MCS queue */
	struct lock_class *class;
	double acquired_at;
} spinlock_t;

void spin_lock_init(spinlock_t *lock, const char *name);
void spin_lock_destroy(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
/* 1 if taken; fails, without waiting, if the lock is held or queued on. */
int spin_trylock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
/* Only cpu will ever take it: see cacheline_set_private(). */
void spin_lock_set_private(spinlock_t *lock, int cpu);

/* For a struct cpu_wait: the CPU holding the lock obj, or -1. */
int spinlock_holder(const void *obj);

static inline int spin_is_locked(const spinlock_t *lock)
{
	return lock->owner >= 0;
}

#endif

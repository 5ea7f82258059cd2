/* sim/waitqueue.c - sleeping on a wait queue and waking its sleepers. */
#include "waitqueue.h"

#include <stdbool.h>

#include "engine.h"

#define WQ_FLAG_EXCLUSIVE 1

static void queue_self(struct wait_queue_head *wq, int flags)
{
	struct cpu *c = this_cpu();

	cpu_sync();
	c->wait = (struct cpu_wait){WAIT_IO, wq->name, wq, NULL};
	c->wait_flags = flags;
	cpu_queue_add(&wq->waiters, c);
}

void prepare_to_wait(struct wait_queue_head *wq)
{
	queue_self(wq, 0);
}

void prepare_to_wait_exclusive(struct wait_queue_head *wq)
{
	queue_self(wq, WQ_FLAG_EXCLUSIVE);
}

void schedule(void)
{
	struct cpu_wait w = this_cpu()->wait;

	cpu_block(CPU_SLEEPING, &w, -1);
}

void wake_up_all(struct wait_queue_head *wq)
{
	struct cpu *c;

	cpu_sync();
	while ((c = cpu_queue_pop(&wq->waiters)))
		cpu_wake(c, sim_machine->wakeup);
}

void wake_up(struct wait_queue_head *wq)
{
	struct cpu *c, *next;
	bool woke_exclusive = false;

	cpu_sync();
	for (c = wq->waiters.head; c; c = next) {
		next = c->wait_next;
		/* Exclusive waiters after the first stay queued, in order. */
		if ((c->wait_flags & WQ_FLAG_EXCLUSIVE) && woke_exclusive)
			continue;
		woke_exclusive |= c->wait_flags & WQ_FLAG_EXCLUSIVE;
		cpu_queue_remove(&wq->waiters, c);
		cpu_wake(c, sim_machine->wakeup);
	}
	if (sim_invariants)
		cpu_queue_check(&wq->waiters, wq);
}

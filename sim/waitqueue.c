/* sim/waitqueue.c - sleeping on a wait queue and waking its sleepers. */
#include "waitqueue.h"

#include "engine.h"

void prepare_to_wait(struct wait_queue_head *wq)
{
	struct cpu *c = this_cpu();

	cpu_sync();
	c->wait = (struct cpu_wait){WAIT_IO, wq->name, wq, NULL};
	cpu_queue_add(&wq->waiters, c);
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

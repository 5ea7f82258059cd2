/* sim/waitqueue.c - sleeping on a wait queue and waking its sleepers. */
#include "waitqueue.h"

#include "engine.h"

void wait_event_sleep(struct wait_queue_head *wq)
{
	struct cpu_wait w = {WAIT_IO, wq->name, wq, NULL};

	cpu_sync();
	cpu_queue_add(&wq->waiters, this_cpu());
	cpu_block(CPU_SLEEPING, &w, -1);
}

void wake_up_all(struct wait_queue_head *wq)
{
	struct cpu *c;

	cpu_sync();
	while ((c = cpu_queue_pop(&wq->waiters)))
		cpu_wake(c, sim_machine->wakeup);
}

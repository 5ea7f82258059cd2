/* sim/waitqueue.h - wait queues: tasks sleep until someone wakes them all. */
#ifndef FAULTSIM_SIM_WAITQUEUE_H
#define FAULTSIM_SIM_WAITQUEUE_H

#include "cpu.h"

struct wait_queue_head {
	const char *name;
	struct cpu_queue waiters;
};

static inline void init_waitqueue_head(struct wait_queue_head *wq, const char *name)
{
	wq->name = name;
	wq->waiters = (struct cpu_queue){0};
}

/*
 * Queue the current task on wq (prepare_to_wait()), then drop what the
 * waker needs and sleep (schedule()): a wake-up in between is not lost.
 */
void prepare_to_wait(struct wait_queue_head *wq);
/* The same for a waiter that will take what it waits for: woken alone. */
void prepare_to_wait_exclusive(struct wait_queue_head *wq);
void schedule(void);
/* Wake every sleeper; each pays the machine's wake-up latency. */
void wake_up_all(struct wait_queue_head *wq);
/* Wake the non-exclusive sleepers and the first exclusive one (wake_up()). */
void wake_up(struct wait_queue_head *wq);

#endif

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

/* Sleep on wq until wake_up_all(); the CPU idles meanwhile. */
void wait_event_sleep(struct wait_queue_head *wq);
/* Wake every sleeper; each pays the machine's wake-up latency. */
void wake_up_all(struct wait_queue_head *wq);

#endif

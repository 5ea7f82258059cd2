/* sim/engine_private.h - SimGrid handles shared inside sim/ only. */
#ifndef FAULTSIM_SIM_ENGINE_PRIVATE_H
#define FAULTSIM_SIM_ENGINE_PRIVATE_H

#include <simgrid/forward.h>

/*
 * One wake-up semaphore per CPU: a cpu_block() waits on it when it has a
 * timeout, or when suspending the actor would suspend its write-back.
 */
extern sg_sem_t *cpu_sem;
/* Each CPU's actor: a wait without a timeout suspends it. */
extern sg_actor_t *cpu_actor;
/* Resolved once at sim_init(): the memory controller of each socket, the disk. */
extern sg_host_t *mem_host;
extern sg_disk_t storage_disk;

/*
 * Post sem at the caller's next blocking point (see cpu.c); every
 * blocking SimGrid call in sim/ is preceded by sim_flush_posts().
 */
void sim_post(sg_sem_t sem);
void sim_flush_posts(void);

/*
 * After every blocking SimGrid call: simulated time may have moved while
 * we were away, and another CPU ran.  c is NULL for actors that are not
 * a CPU (the SRCU kthread).
 */
void sim_resume(struct cpu *c);

#endif

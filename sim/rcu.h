/* sim/rcu.h - RCU and SRCU read sections, grace periods, deferred frees.
 *
 * A domain counts its readers in two phases.  A grace period flips the
 * phase new readers enter and ends once every reader of the old phase has
 * left and at least rcu_gp has passed (the kernel's grace-period machinery
 * is not instant).  Callbacks queued before the flip then run, in the
 * domain's grace-period kthread: that is where deferred frees happen.
 * Read sections cost only local time (per-CPU counters in SRCU,
 * preemption counts in RCU).
 */
#ifndef FAULTSIM_SIM_RCU_H
#define FAULTSIM_SIM_RCU_H

#include "cpu.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

struct srcu_struct {
	const char *name;
	int idx; /* the phase new readers enter */
	long readers[2];
	struct rcu_head *cbs, **cbs_tail; /* waiting for the next grace period */
	struct rcu_head *gp_cbs;	  /* waiting for the current one */
	void *gp_sem;			  /* wakes the grace-period kthread */
	bool gp_waiting_readers;
	unsigned long completed; /* grace periods ended */
};

void init_srcu_struct(struct srcu_struct *ssp, const char *name);
int srcu_read_lock(struct srcu_struct *ssp);
void srcu_read_unlock(struct srcu_struct *ssp, int idx);
void call_srcu(struct srcu_struct *ssp, struct rcu_head *head, void (*func)(struct rcu_head *));
void synchronize_srcu(struct srcu_struct *ssp);

/* The one RCU domain. */
extern struct srcu_struct rcu_state;

void rcu_read_lock(void);
void rcu_read_unlock(void);
/* The CPU returns to user space: a quiescent state the kthread must see. */
void rcu_user_enter(void);

static inline void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	call_srcu(&rcu_state, head, func);
}

static inline void synchronize_rcu(void)
{
	synchronize_srcu(&rcu_state);
}

#endif

/* sim/rcu.c - two-phase reader counts and the grace-period kthread. */
#include "rcu.h"

#include <simgrid/actor.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>

#include "engine.h"
#include "engine_private.h"

struct srcu_struct rcu_state;

static void srcu_gp_kthread(int argc, char **argv);

/* Before the run starts: creating the kthread is not a simcall then. */
void init_srcu_struct(struct srcu_struct *ssp, const char *name)
{
	sg_actor_t a = sg_actor_init(name, sg_host_by_name("cpu0"));

	*ssp = (struct srcu_struct){0};
	ssp->name = name;
	ssp->cbs_tail = &ssp->cbs;
	ssp->gp_sem = sg_sem_init(0);
	sg_actor_set_data(a, ssp);
	sg_actor_start_(a, srcu_gp_kthread, 0, NULL);
	sg_actor_daemonize(a);
}

/* The reader counts of the current phase: what a grace period waits on. */
static int srcu_enter(struct srcu_struct *ssp)
{
	int idx = ssp->idx;

	ssp->readers[idx]++;
	return idx;
}

static void srcu_exit(struct srcu_struct *ssp, int idx)
{
	/* The last reader of the old phase lets the grace period end. */
	if (--ssp->readers[idx] == 0 && ssp->gp_waiting_readers && idx != ssp->idx) {
		/* The kthread must see the unlock at its real instant. */
		cpu_sync();
		ssp->gp_waiting_readers = false;
		sim_post(ssp->gp_sem);
	}
}

int srcu_read_lock(struct srcu_struct *ssp)
{
	cpu_account(cycles(sim_machine->cost.srcu_read));
	return srcu_enter(ssp);
}

void srcu_read_unlock(struct srcu_struct *ssp, int idx)
{
	cpu_account(cycles(sim_machine->cost.srcu_read));
	srcu_exit(ssp, idx);
}

/*
 * RCU's grace periods are an SRCU domain's here, but its readers pay only
 * their nesting count: rcu_read_lock() has no barrier.
 */
void rcu_read_lock(void)
{
	struct cpu *c = this_cpu();

	cpu_account(cycles(sim_machine->cost.rcu_read));
	if (c->rcu_nesting++ == 0)
		c->rcu_idx = srcu_enter(&rcu_state);
}

void rcu_read_unlock(void)
{
	struct cpu *c = this_cpu();

	cpu_account(cycles(sim_machine->cost.rcu_read));
	if (--c->rcu_nesting == 0)
		srcu_exit(&rcu_state, c->rcu_idx);
}

/*
 * Returning to user space is a quiescent state (rcu_user_enter()).  A CPU
 * that meets no other one runs ahead of simulated time on its own clock,
 * and the grace-period kthread runs only as simulated time moves: without
 * this, a run whose CPUs never meet would queue callbacks (freed VMAs) for
 * its whole length.  So while callbacks wait, a CPU that has run a quarter
 * of rcu_gp ahead pays its time here and lets the kthread see it.
 */
void rcu_user_enter(void)
{
	if (!rcu_state.cbs && !rcu_state.gp_cbs)
		return;
	if (this_cpu()->pending < sim_cfg->rcu_gp / 4)
		return;
	cpu_sync();
}

/* The grace-period kthread of one domain (rcu_gp_kthread()). */
static void srcu_gp_kthread(int argc, char **argv)
{
	struct srcu_struct *ssp = sg_actor_self_get_data();
	sg_sem_t sem = ssp->gp_sem;

	(void)argc;
	(void)argv;
	for (;;) {
		int old;

		sim_flush_posts();
		sg_sem_acquire(sem); /* callbacks are queued */
		sim_resume(NULL);
		ssp->gp_cbs = ssp->cbs;
		ssp->cbs = NULL;
		ssp->cbs_tail = &ssp->cbs;
		old = ssp->idx;
		ssp->idx ^= 1;
		sg_actor_sleep_for(sim_cfg->rcu_gp * 1e-9);
		sim_resume(NULL);
		if (ssp->readers[old]) {
			ssp->gp_waiting_readers = true;
			sim_flush_posts();
			sg_sem_acquire(sem);
			sim_resume(NULL);
		}
		ssp->completed++;
		while (ssp->gp_cbs) {
			struct rcu_head *h = ssp->gp_cbs;

			ssp->gp_cbs = h->next;
			h->func(h);
		}
		/* More callbacks arrived during this grace period: go again. */
		if (ssp->cbs)
			sim_post(sem);
	}
}

void call_srcu(struct srcu_struct *ssp, struct rcu_head *head, void (*func)(struct rcu_head *))
{
	bool idle = !ssp->cbs && !ssp->gp_cbs;

	head->func = func;
	head->next = NULL;
	*ssp->cbs_tail = head;
	ssp->cbs_tail = &head->next;
	if (idle)
		sim_post(ssp->gp_sem);
}

struct rcu_synchronize {
	struct rcu_head head;
	struct cpu *waiter;
};

static void wakeme_after_rcu(struct rcu_head *head)
{
	struct rcu_synchronize *rs = (struct rcu_synchronize *)head;

	cpu_wake(rs->waiter, sim_machine->wakeup);
}

static int rcu_gp_holder(const void *obj)
{
	const struct srcu_struct *ssp = obj;

	/* The first CPU still inside an old-phase read section. */
	for (int i = 0; i < nr_cpu_ids; i++)
		if (cpus[i].rcu_nesting && cpus[i].rcu_idx != ssp->idx)
			return i;
	return -1;
}

void synchronize_srcu(struct srcu_struct *ssp)
{
	struct rcu_synchronize rs = {.waiter = this_cpu()};
	struct cpu_wait w = {WAIT_RCU_GP, ssp->name, ssp, rcu_gp_holder};

	cpu_sync();
	call_srcu(ssp, &rs.head, wakeme_after_rcu);
	cpu_block(CPU_SLEEPING, &w, -1);
}

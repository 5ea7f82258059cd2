/* sim/cpu.c - paying local time, blocking and waking CPUs. */
#include "cpu.h"

#include <stdlib.h>

#include <simgrid/actor.h>
#include <simgrid/semaphore.h>

#include "engine.h"
#include "engine_private.h"
#include "lockup.h"
#include "tlb.h"
#include "trace.h"

/*
 * Waking a CPU (resuming its actor or posting its semaphore) is a simcall,
 * and a simcall lets other actors run before it returns: in the middle of
 * what the poster does at this instant, they would see it half done.
 * Posts wait in this list until the poster's next blocking point, where
 * it has nothing left to do at the instant they were made (simulated time
 * has not moved).
 */
struct post {
	sg_sem_t sem;	    /* a semaphore to release, or */
	struct cpu *cpu;    /* a CPU to wake */
	unsigned long wait; /* from the wait it was in then */
};

static struct post *posts;
static int nr_posts, posts_cap;
/* A list already released, kept for the next post: no allocation each time. */
static struct post *spare_posts;
static int spare_cap;

static void post_add(sg_sem_t sem, struct cpu *c)
{
	unsigned long wait = c ? c->wait_seq : 0;

	if (!posts && spare_posts) {
		posts = spare_posts;
		posts_cap = spare_cap;
		spare_posts = NULL;
	}
	if (nr_posts == posts_cap) {
		posts_cap = posts_cap ? 2 * posts_cap : 64;
		posts = realloc(posts, posts_cap * sizeof(*posts));
	}
	posts[nr_posts++] = (struct post){sem, c, wait};
}

void sim_post(sg_sem_t sem)
{
	post_add(sem, NULL);
}

/*
 * A CPU waiting without a timeout is a suspended actor: resuming it is
 * cheaper in SimGrid than a semaphore, which allocates an acquisition
 * each wait.  One that has not yet suspended itself (still paying its
 * pending time) sees c->woken before it would, and does not.  One that
 * timed out at this instant took the wake-up from c->woken and may be in
 * its next wait already: the post was for a wait that is over.
 */
static void post_wake(const struct post *p)
{
	struct cpu *c = p->cpu;

	if (p->wait != c->wait_seq)
		return;
	if (c->on_sem) {
		c->sem_posted = true;
		sg_sem_release(cpu_sem[c->id]);
	} else if (c->suspending) {
		sg_actor_resume(cpu_actor[c->id]);
	}
}

void sim_flush_posts(void)
{
	struct cpu *me = current_cpu;

	/* Nothing posted: no simcall, no one else ran, time has not moved. */
	if (!nr_posts)
		return;
	while (nr_posts) {
		/* Others run during each release and may post: take the list. */
		struct post *batch = posts;
		int n = nr_posts, cap = posts_cap;

		posts = NULL;
		nr_posts = posts_cap = 0;
		for (int i = 0; i < n; i++) {
			if (batch[i].cpu)
				post_wake(&batch[i]);
			else
				sg_sem_release(batch[i].sem);
		}
		if (spare_posts) {
			free(batch);
			continue;
		}
		spare_posts = batch;
		spare_cap = cap;
	}
	sim_resume(me);
}

/*
 * m threads busy on one core share what it does, smt_yield times what one
 * thread alone does (m = 2): each one's work takes m / smt_yield as long.
 * A sibling spinning (with PAUSE) or idle leaves the core to us.
 */
static double smt_stretch(const struct cpu *c)
{
	int stride = sim_machine->sockets * sim_machine->cores_per_socket, busy = 1;

	for (int s = c->core; s < nr_cpu_ids; s += stride)
		busy += s != c->id && cpus[s].state == CPU_RUNNING && cpus[s].busy;
	return busy > 1 ? busy / sim_machine->smt_yield : 1;
}

void cpu_work(double ns)
{
	current_cpu->pending += sim_machine->smt > 1 ? ns * smt_stretch(current_cpu) : ns;
}

void cpu_sync(void)
{
	struct cpu *c = current_cpu;

	sim_flush_posts();
	/* IRQ handlers run while we sleep add their time: pay that too. */
	while (c->pending > 0) {
		double d = c->pending;

		c->pending = 0;
		c->events++;
		sg_actor_sleep_for(d * 1e-9);
		sim_resume(c);
	}
}

/*
 * How long c's core has been idle at instant at, c having slept since its
 * asleep_since: a core enters a C-state only as deep as all its threads
 * allow, so it has idled since the last of its busy threads went to sleep
 * (or took an interrupt), and not at all while one runs.
 */
static double core_idle_for(const struct cpu *c, double at)
{
	int stride = sim_machine->sockets * sim_machine->cores_per_socket;
	double since = c->asleep_since;

	for (int s = c->core; s < nr_cpu_ids; s += stride) {
		if (s == c->id || !cpus[s].busy || cpus[s].state == CPU_DONE)
			continue;
		if (cpus[s].state != CPU_SLEEPING)
			return 0;
		if (cpus[s].asleep_since > since)
			since = cpus[s].asleep_since;
	}
	return at > since ? at - since : 0;
}

/*
 * An idle core enters the deepest state whose target residency its idle
 * time reaches: cpuidle's menu governor when it predicts the sleep right.
 * A wake-up or an interrupt then waits for that state's exit, the CPU idle
 * meanwhile; C1's exit (a microsecond or two) is part of the machine's
 * wakeup, and a thread whose sibling runs wakes as from C1.
 */
double cpu_idle_exit(const struct cpu *c, double at)
{
	const struct machine *m = sim_machine;
	double idle = core_idle_for(c, at);

	if (m->idle_c6_exit > 0 && idle >= m->idle_c6_residency)
		return m->idle_c6_exit;
	if (m->idle_c1e_exit > 0 && idle >= m->idle_c1e_residency)
		return m->idle_c1e_exit;
	return 0;
}

bool cpu_block(enum cpu_state st, const struct cpu_wait *w, double timeout_ns)
{
	struct cpu *c = current_cpu;
	bool watchdog = false, irqs_off = c->irqs_disabled;
	double limit = timeout_ns, ahead, t0;
	int timed_out = 0;

	/*
	 * Already queued on what we wait for, we may be woken while paying
	 * our pending time: c->woken keeps that wake-up for us.
	 */
	c->wait_seq++;
	c->state = st;
	c->wait = *w;
	c->asleep_since = cpu_clock();
	if (st == CPU_SLEEPING)
		c->sleeps += stats_measuring();
	sim_flush_posts();
	/*
	 * What we still have to do before waiting (the atomic that queued us)
	 * takes its time while we are queued: one SimGrid wait covers both,
	 * from now, and a wake-up that comes before that work is done waits
	 * for it.  The wait itself starts at t0.
	 */
	ahead = c->pending;
	c->pending = 0;
	t0 = sim_now() + ahead;
	if (c->irqs_disabled && st == CPU_SPINNING) {
		double left = c->irqs_off_since + sim_cfg->watchdog_thresh - t0;

		if (limit < 0 || left <= limit) {
			limit = left > 0 ? left : 0;
			watchdog = true;
		}
	}
	if (c->woken) {
		/* Woken while we synced before waiting: nothing to wait for. */
	} else if (limit >= 0 && ahead + limit <= 0) {
		/* Out of time already: SimGrid takes a zero timeout for none. */
		timed_out = 1;
	} else if (limit < 0 && !c->async_started) {
		c->events++;
		c->suspending = true;
		sg_actor_suspend(cpu_actor[c->id]);
		c->suspending = false;
		sim_resume(c);
	} else {
		/*
		 * Suspending an actor suspends the activities it started and
		 * did not wait for: its memory write-back would stop draining.
		 */
		c->events++;
		c->on_sem = true;
		if (limit < 0)
			sg_sem_acquire(cpu_sem[c->id]);
		else
			timed_out = sg_sem_acquire_timeout(cpu_sem[c->id], (ahead + limit) * 1e-9);
		c->on_sem = false;
		sim_resume(c);
	}
	/*
	 * The waker's post waits for its next blocking point, which may come
	 * after our timeout at the same instant: what it handed us is ours,
	 * and a release it made once we had timed out is a token to take.
	 */
	if (timed_out && c->woken) {
		if (c->sem_posted) {
			sg_sem_acquire(cpu_sem[c->id]);
			sim_resume(c);
		}
		timed_out = 0;
	}
	c->sem_posted = false;
	c->woken = false;
	/* A sleeping task leaves its CPU idle: will-it-scale's threads_idle. */
	if (st == CPU_SLEEPING) {
		double exit = cpu_idle_exit(c, sim_now());

		/* A timer's wake-up pays the exit now; a waker's adds to its delay. */
		if (timed_out)
			c->pending += exit;
		else
			c->wake_delay += exit;
		c->idle_ns += stats_span(t0, sim_now() + exit);
		c->pending += switch_mm_lazy_flush(c);
	}
	if (timed_out && watchdog)
		lockup_hard(c);
	c->state = CPU_RUNNING;
	c->wait.kind = WAIT_NONE;
	if (timed_out) {
		trace_span(c->id, false, st == CPU_SLEEPING ? "sleep on" : "spin on", w->name, t0,
			   cpu_clock());
		return false;
	}
	/* Resumed by the waker's delay, or once our own work is done. */
	c->pending += c->wake_delay > t0 - sim_now() ? c->wake_delay : t0 - sim_now();
	c->wake_delay = 0;
	trace_span(c->id, false,
		   st == CPU_SLEEPING ? "sleep on"
		   : irqs_off	      ? "spin, IRQs off, on"
				      : "spin on",
		   w->name, t0 < sim_now() ? t0 : sim_now(), cpu_clock());
	return true;
}

void cpu_wake(struct cpu *c, double delay_ns)
{
	SIM_BUG_ON(c->woken, "cpu%d woken twice for one wait", c->id);
	c->woken = true;
	c->wake_delay = delay_ns > 0 ? delay_ns : 0;
	post_add(NULL, c);
}

void cpu_queue_remove(struct cpu_queue *q, struct cpu *c)
{
	struct cpu **p = &q->head, *prev = NULL;

	SIM_BUG_ON(c->queued_on != q, "cpu%d is not in the queue it leaves", c->id);
	for (; *p != c; prev = *p, p = &(*p)->wait_next)
		;
	*p = c->wait_next;
	if (q->tail == c)
		q->tail = prev;
	q->len--;
	c->wait_next = NULL;
	c->queued_on = NULL;
}

void cpu_queue_check(const struct cpu_queue *q, const void *obj)
{
	const struct cpu *c, *last = NULL;
	int n = 0;

	for (c = q->head; c; last = c, c = c->wait_next) {
		SIM_BUG_ON(++n > nr_cpu_ids, "wait list of %d links has a cycle", q->len);
		SIM_BUG_ON(c->queued_on != q, "cpu%d linked in a list it is not queued on", c->id);
		SIM_BUG_ON(obj && c->state != CPU_RUNNING && c->wait.obj != obj,
			   "cpu%d queued here waits on something else", c->id);
	}
	SIM_BUG_ON(n != q->len, "wait list counts %d waiters, links %d", q->len, n);
	SIM_BUG_ON(q->tail != last, "wait list tail is not its last link");
}

/* sim/cpu.h - the simulated CPUs: who runs, local time, blocking and waking.
 *
 * Each simulated CPU is one SimGrid actor pinned to its own host.  Work that
 * touches no shared state (a page-table walk, a PTE write) is accumulated in
 * cpu->pending and paid in a single time advance at the CPU's next
 * interaction with shared state: cpu_sync().  Every primitive that reads or
 * writes shared state syncs first, so it acts at the exact simulated instant
 * the CPU reaches it, and the ordering between CPUs is that of real time.
 *
 * A CPU that must wait for another (a spinlock, an IPI ack, a sleeping
 * rwsem) blocks with cpu_block() and is resumed by cpu_wake() at the instant
 * the thing it waits for happens.  Spinning is event-driven: the iterations
 * in between would hit in the spinner's own cache and change nothing but the
 * clock, so the clock advances over them in one step.
 */
#ifndef FAULTSIM_SIM_CPU_H
#define FAULTSIM_SIM_CPU_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>

#include "invariant.h"
#include "stats.h"

struct tlb_gen;
struct ipi_request;
struct cacheline;
struct cpu_queue;

/* A spinning CPU's interest in a line: see spin_on_lines(). */
struct line_watch {
	struct cacheline *line;
	struct cpu *cpu;
	struct line_watch *prev, *next;
};

#define SPIN_WATCH_MAX 4

enum cpu_state {
	CPU_RUNNING,
	CPU_SPINNING, /* busy-waiting: on the CPU, answers IRQs if enabled */
	CPU_SLEEPING, /* task blocked: the CPU idles */
	CPU_DONE,
};

enum wait_kind {
	WAIT_NONE,
	WAIT_SPINLOCK,
	WAIT_RWSEM_READ,
	WAIT_RWSEM_WRITE,
	WAIT_IPI_ACK,
	WAIT_RCU_GP,
	WAIT_IO,
};

/* What a blocked CPU waits for: read by the lockup and deadlock reports. */
struct cpu_wait {
	enum wait_kind kind;
	const char *name;		/* lock class or call */
	const void *obj;		/* the lock, the IPI call... */
	int (*holder)(const void *obj); /* CPU holding obj now, or -1 */
};

struct cpu {
	int id;
	int socket, core, llc;
	/*
	 * A core's first CPU: bytes into the core's caches (sim/cache.h).
	 * Beside the topology, on the line every miss's pricing reads.
	 */
	double cache_traffic;
	enum cpu_state state;
	bool busy; /* runs a task (others idle) */

	double pending;		/* ns of local work not yet paid in simulated time */
	double wake_delay;	/* ns the waker charges to this CPU's resumption */
	double stores_visible;	/* when its posted stores have all left the store buffer */
	bool woken;		/* cpu_wake() was called for the current wait */
	unsigned long wait_seq; /* which cpu_block() this is, for stale wake-ups */
	bool suspending;	/* waiting without a timeout: its actor suspended */
	bool on_sem;		/* waiting on its semaphore (cpu_sem) */
	bool async_started;	/* started a SimGrid activity it did not wait for */
	bool sem_posted;	/* a waker released that semaphore for this wait */

	/*
	 * Masking IRQs is local: it is not synced, and an IPI that lands
	 * inside a section the CPU has already run ahead through is held
	 * until the section's end (irqs_last_on).
	 */
	bool irqs_disabled;
	double irqs_off_since;		    /* logical instant of the disable */
	double irqs_last_off, irqs_last_on; /* the last closed section */
	double irq_until;		    /* the end of the last IPI handler it ran */
	double irq_batch_at;		    /* when it last emptied call_single_queue */
	struct histogram irqs_off;	    /* length of every IRQs-off section */
	struct ipi_request *ipi_pending, **ipi_pending_tail;

	struct cpu_wait wait;
	struct line_watch watch[SPIN_WATCH_MAX];
	int nr_watch;
	struct cpu_queue *queued_on; /* the one queue this CPU is in, or NULL */
	struct cpu *wait_next;	     /* link in that queue */
	int wait_flags;		     /* owner-defined, e.g. reader or writer */
	double wait_since;	     /* ns: when it queued, for the owner's use */
	double idle_ns;		     /* ns spent asleep while it had a task */
	unsigned long sleeps;	     /* of those sleeps, how many began in the window */
	double asleep_since;	     /* ns: when it last went to sleep, or an IPI left it idle */
	bool tlb_stale;		     /* a shootdown skipped it asleep: see sim/tlb.h */
	/* cpu_tlbstate: the generation of whose mm its TLB has caught up with. */
	const struct tlb_gen *tlb_gen_mm;
	unsigned long long tlb_gen_local;
	const struct tlb_gen *tlb_left; /* the mm it left for init_mm, asleep */

	int rcu_nesting;
	int rcu_idx;

	gsl_rng *rng;
	unsigned long events; /* time advances and blocks: engine cost */
	void *task;	      /* the workload's per-CPU state */
};

extern struct cpu *cpus;
extern int nr_cpu_ids;
extern struct cpu *current_cpu;

static inline struct cpu *this_cpu(void)
{
	return current_cpu;
}

static inline int smp_processor_id(void)
{
	return current_cpu->id;
}

/*
 * Simulated time, ns.  Read on every lock, line and statistic, so it is
 * kept here rather than asked of SimGrid each time: time moves only while
 * an actor is blocked in SimGrid, and every blocking call in sim/ resumes
 * through sim_resume(), which reads the clock once.
 */
extern double sim_clock_ns;

static inline double sim_now(void)
{
	return sim_clock_ns;
}

/* Local work: paid at the next cpu_sync(). */
static inline void cpu_account(double ns)
{
	current_cpu->pending += ns;
}

/*
 * Local work done by the core's pipeline (instructions on cached data):
 * it takes longer while an SMT sibling runs too, since the two share the
 * core.  Waits and misses are cpu_account()ed: the sibling barely slows
 * those down.
 */
void cpu_work(double ns);

/* Pay all local work now, so the next action happens at its real instant. */
void cpu_sync(void);

/* The current CPU's logical time: now plus the work it has yet to pay. */
static inline double cpu_clock(void)
{
	return sim_now() + current_cpu->pending;
}

/*
 * Block the current CPU in state st (spinning or sleeping) until cpu_wake().
 * Its pending work is done first, while it is already queued: the wait,
 * and its timeout, start when that work is done, and a wake-up that comes
 * earlier takes effect then.  timeout_ns < 0 waits for ever.  Returns true
 * if woken, false on timeout; a wake-up issued by the instant the timeout
 * fires counts as woken, so a waker that handed us something (a lock)
 * never sees us give up on it.
 * With IRQs off the hard-lockup watchdog bounds the wait: past its
 * threshold the run ends with a lockup report and this never returns.
 */
bool cpu_block(enum cpu_state st, const struct cpu_wait *w, double timeout_ns);

/* Resume c, blocked in cpu_block(); it goes on delay_ns later, at the earliest. */
void cpu_wake(struct cpu *c, double delay_ns);

/* ns an interrupt or a wake-up reaching asleep c at instant at waits for its C-state's exit. */
double cpu_idle_exit(const struct cpu *c, double at);

/*
 * Intrusive FIFO of CPUs waiting on one object.  A CPU waits for one thing
 * at a time, so it is in at most one queue: queued_on says which.
 */
struct cpu_queue {
	struct cpu *head, *tail;
	int len;
};

static inline void cpu_queue_add(struct cpu_queue *q, struct cpu *c)
{
	SIM_BUG_ON(c->queued_on, "cpu%d queued twice", c->id);
	c->queued_on = q;
	c->wait_next = NULL;
	if (q->tail)
		q->tail->wait_next = c;
	else
		q->head = c;
	q->tail = c;
	q->len++;
}

/* c goes in first, as one that was at the front and steps back in. */
static inline void cpu_queue_push(struct cpu_queue *q, struct cpu *c)
{
	SIM_BUG_ON(c->queued_on, "cpu%d queued twice", c->id);
	c->queued_on = q;
	c->wait_next = q->head;
	q->head = c;
	if (!q->tail)
		q->tail = c;
	q->len++;
}

static inline struct cpu *cpu_queue_pop(struct cpu_queue *q)
{
	struct cpu *c = q->head;

	if (!c)
		return NULL;
	q->head = c->wait_next;
	if (!q->head)
		q->tail = NULL;
	q->len--;
	c->wait_next = NULL;
	c->queued_on = NULL;
	return c;
}

/* Take c, which must be in q, out of it. */
void cpu_queue_remove(struct cpu_queue *q, struct cpu *c);

/*
 * Check q's links: acyclic, its length and tail match them, every member
 * knows it is in q and, unless obj is NULL, waits on obj.
 */
void cpu_queue_check(const struct cpu_queue *q, const void *obj);

#endif

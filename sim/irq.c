/* sim/irq.c - IRQ masking, IPI delivery and the synchronous cross-call. */
#include "irq.h"

#include <math.h>
#include <stdlib.h>

#include "cache.h"
#include "cacheline.h"
#include "engine.h"
#include "lockup.h"
#include "trace.h"

/* x2APIC logical cluster mode addresses up to 16 CPUs with one ICR write. */
#define X2APIC_CLUSTER_SIZE 16

struct ipi_call {
	struct cpu *sender;
	smp_call_func_t func;
	void *info;
	const char *what;
	bool wait;	 /* the sender spins until all have acked */
	int outstanding; /* targets that found IRQs off and have not acked */
	double last_ack; /* ns: the latest ack seen so far */
	double sent_at;	 /* ns */
	struct ipi_request *reqs;
	int nr_reqs;
};

struct ipi_request {
	struct ipi_call *call;
	int target;
	bool acked;
	bool coalesced;	  /* queued behind another request: no ICR write */
	double queued_at; /* ns: its llist_add() */
	double sent_at;	  /* ns: queued, or the ICR write that sent it is done */
	struct ipi_request *next;
	struct ipi_request *inflight_next;
};

struct ipi_stats ipi_stats;

/*
 * Each CPU's call_single_queue head: a sender llist_add()s its request
 * there, the target's handler takes the list (llist_del_all()).  The line
 * moves between the two every time.
 */
static struct cacheline *call_single_queue;

/*
 * What each queue holds that no handler has seen yet.  A sender queues all
 * its requests, then writes the ICRs: until it has, the requests it queued
 * are in the targets' queues and no IPI is on its way for them (inflight).
 * A request another sender queues behind one of them sends no IPI and is
 * taken by the handler that IPI runs (waiting).
 */
static struct ipi_request **csq_inflight, **csq_waiting;

void irq_init(void)
{
	csq_inflight = calloc(nr_cpu_ids, sizeof(*csq_inflight));
	csq_waiting = calloc(nr_cpu_ids, sizeof(*csq_waiting));
	call_single_queue = calloc(nr_cpu_ids, sizeof(*call_single_queue));
	for (int i = 0; i < nr_cpu_ids; i++)
		cacheline_init(&call_single_queue[i]);
}

static void ipi_call_free(struct ipi_call *call)
{
	free(call->reqs);
	free(call);
}

/*
 * Masking is local: no other CPU reads the flag at the instant it flips
 * except an IPI sender, and ipi_deliver() reads the section's logical
 * bounds instead.  So neither side syncs, and a section of local work
 * costs no engine event.
 */
void local_irq_disable(void)
{
	struct cpu *c = this_cpu();

	if (c->irqs_disabled)
		return;
	c->irqs_disabled = true;
	c->irqs_off_since = cpu_clock();
}

/*
 * Only the last closed section is kept: an IPI landing in an earlier one
 * that the CPU ran through before syncing is handled as it lands.
 */
void local_irq_off_span(double from, double until)
{
	struct cpu *c = this_cpu();

	if (c->irqs_disabled || until <= from)
		return;
	histogram_add(&c->irqs_off, until - from);
	c->irqs_last_off = from;
	c->irqs_last_on = until;
	trace_span(c->id, false, "IRQs off", NULL, from, until);
}

/*
 * Run one IPI handler on target, landing at instant at; returns its end
 * and sets *began to its start.
 */
static double ipi_handle(struct ipi_request *r, struct cpu *target, double at, double *began)
{
	struct ipi_call *call = r->call;
	double end, ack;

	/*
	 * llist_add() onto a queue the target has not emptied yet returns
	 * false, and the sender sends no IPI for it (kernel/smp.c): queued
	 * before the last handler's llist_del_all(), the request is in that
	 * handler's batch: no interrupt of its own, but its csd, which the
	 * sender wrote, is one more line to pull in (llist_reverse_order(),
	 * then its func and info), then its function.
	 *
	 * Otherwise it is an interrupt of its own.  A CPU runs one at a time:
	 * an IPI that lands while another handler runs waits for it.  Under a
	 * shootdown storm the acks come that much later, and the senders slow
	 * down with them.
	 */
	if (r->sent_at < target->irq_batch_at) {
		*began = at = target->irq_until;
		end = at + cpu_line_latency(call->sender->id, target->id) +
		      call->func(target->id, call->info);
	} else {
		if (at < target->irq_until)
			at = target->irq_until;
		/*
		 * An idle CPU takes the interrupt once out of its C-state: a
		 * shootdown that frees page tables waits for every sleeping
		 * CPU of the mm to wake (arch/x86/mm/tlb.c sends those IPIs
		 * to lazy CPUs too).
		 */
		if (target->state == CPU_SLEEPING)
			at += cpu_idle_exit(target, at);
		*began = at;
		/* flush_smp_call_function_queue(): llist_del_all() of our queue. */
		at = cacheline_rmw_ahead(&call_single_queue[target->id], target->id, at);
		target->irq_batch_at = at;
		end = at + sim_machine->ipi_handler + call->func(target->id, call->info);
	}
	target->irq_until = end;
	/* Idle again after the handler: its C-state starts over from there. */
	if (target->state == CPU_SLEEPING && end > target->asleep_since)
		target->asleep_since = end;
	ack = end + cpu_line_latency(target->id, call->sender->id);

	r->acked = true;
	trace_span(target->id, true, "IPI handler", call->what, at, end);
	trace_flow(call->sender->id, call->sent_at, target->id, at, call->what);
	if (ack > call->last_ack)
		call->last_ack = ack;
	return end;
}

/* The last ack: a waiting sender goes on, an async call is done. */
static void ipi_call_done(struct ipi_call *call, double now)
{
	if (call->wait)
		cpu_wake(call->sender, call->last_ack - now);
	else
		ipi_call_free(call);
}

void local_irq_enable(void)
{
	struct cpu *c = this_cpu();
	double off, now;

	if (!c->irqs_disabled)
		return;
	now = sim_now();
	off = cpu_clock() - c->irqs_off_since;
	histogram_add(&c->irqs_off, off);
	c->irqs_disabled = false;
	c->irqs_last_off = c->irqs_off_since;
	c->irqs_last_on = cpu_clock();
	trace_span(c->id, false, "IRQs off", NULL, c->irqs_last_off, c->irqs_last_on);
	if (off > sim_cfg->watchdog_thresh) {
		cpu_sync();
		lockup_hard(c);
	}

	/* Pending IPIs run now, one after the other, on this CPU. */
	while (c->ipi_pending) {
		struct ipi_request *r = c->ipi_pending;
		struct ipi_call *call = r->call;
		double end, began;

		c->ipi_pending = r->next;
		if (!c->ipi_pending)
			c->ipi_pending_tail = &c->ipi_pending;
		end = ipi_handle(r, c, now + c->pending, &began);
		c->pending = end - now;
		if (!--call->outstanding)
			ipi_call_done(call, now);
	}
}

/* The first target that has not acked: who a waiting sender waits for. */
static int ipi_call_holder(const void *obj)
{
	const struct ipi_call *call = obj;

	for (int i = 0; i < call->nr_reqs; i++)
		if (!call->reqs[i].acked)
			return call->reqs[i].target;
	return -1;
}

/*
 * The IPI lands on target at instant now.  A target running ahead of now
 * may have masked IRQs only later, or have unmasked them already after a
 * section that covers now: the flag alone does not say, the bounds do.
 */
static void ipi_deliver(struct ipi_request *r, struct cpu *target, double now)
{
	double end, began, at = now;

	if (target->irqs_disabled && target->irqs_off_since <= now) {
		*target->ipi_pending_tail = r;
		target->ipi_pending_tail = &r->next;
		r->call->outstanding++;
		ipi_stats.deferred += stats_measuring();
		return;
	}
	if (target->irqs_last_off <= now && now < target->irqs_last_on)
		at = target->irqs_last_on;
	end = ipi_handle(r, target, at, &began);
	/* The handler steals its time from the task, unless the CPU idles. */
	if (target->state == CPU_SLEEPING)
		return;
	/*
	 * Only its own time: a handler queued behind another one starts when
	 * that one ends, and the task already pays for that one.
	 */
	target->pending += end - began;
	/* What the target does after the handler happens that much later. */
	if (target->irqs_disabled)
		target->irqs_off_since += end - began;
}

double ttwu_queue(int target, double at)
{
	return cacheline_rmw_by(&call_single_queue[target], smp_processor_id(), at) +
	       sim_machine->ipi_send;
}

/*
 * When the handler of an IPI still being sent will empty the target's
 * queue, as far as the target's state says now: once it lands, and once
 * the handler before it is done; never, as far as is known, if it lands
 * with IRQs off (the handler waits for them to come back on).
 */
static double csq_taken_at(const struct ipi_request *k, const struct cpu *target)
{
	double lands = k->sent_at + sim_machine->ipi_latency;

	if (target->irqs_disabled && target->irqs_off_since <= lands)
		return INFINITY;
	if (target->irqs_last_off <= lands && lands < target->irqs_last_on)
		lands = target->irqs_last_on;
	return lands > target->irq_until ? lands : target->irq_until;
}

/* A handler has emptied the queue between q's llist_add() and instant t. */
static bool csq_taken_by(const struct ipi_request *q, const struct cpu *target, double t)
{
	if (q->queued_at <= target->irq_batch_at && target->irq_batch_at <= t)
		return true;
	for (const struct ipi_request *k = csq_inflight[target->id]; k; k = k->inflight_next) {
		double taken;

		if (k->coalesced)
			continue;
		taken = csq_taken_at(k, target);
		if (q->queued_at <= taken && taken <= t)
			return true;
	}
	return false;
}

/*
 * The target's call_single_queue still holds a request at instant t: one
 * waiting for its IRQs to come back on, one its next handler has not
 * taken yet (that handler's llist_del_all() comes after t), or one queued
 * before t by a sender still writing ICRs.  Of those, the last queued
 * before t decides: a handler that took it took every earlier one too.
 */
static bool call_single_queue_busy(const struct cpu *target, double t)
{
	const struct ipi_request *last = NULL;

	if (target->ipi_pending || t < target->irq_batch_at)
		return true;
	for (const struct ipi_request *q = csq_inflight[target->id]; q; q = q->inflight_next)
		if (q->queued_at <= t && (!last || q->queued_at > last->queued_at))
			last = q;
	return last && !csq_taken_by(last, target, t);
}

/* An IPI is still being sent to the target: a handler will come. */
static bool csq_ipi_coming(int target)
{
	for (const struct ipi_request *q = csq_inflight[target]; q; q = q->inflight_next)
		if (!q->coalesced)
			return true;
	return false;
}

static void csq_inflight_del(struct ipi_request *r)
{
	struct ipi_request **p = &csq_inflight[r->target];

	while (*p != r)
		p = &(*p)->inflight_next;
	*p = r->inflight_next;
}

/* In the order they were queued, as llist_reverse_order() gives them. */
static void csq_wait(struct ipi_request *r)
{
	struct ipi_request **p = &csq_waiting[r->target];

	while (*p && (*p)->queued_at <= r->queued_at)
		p = &(*p)->next;
	r->next = *p;
	*p = r;
}

/*
 * The IPI that landed at instant at runs a handler whose llist_del_all()
 * takes the requests queued behind it while it was being sent.
 */
static void csq_release_waiting(struct cpu *target, double at)
{
	struct ipi_request *r;

	while ((r = csq_waiting[target->id])) {
		struct ipi_call *call = r->call;

		csq_waiting[target->id] = r->next;
		r->next = NULL;
		call->outstanding--;
		ipi_deliver(r, target, at > r->sent_at ? at : r->sent_at);
		if (!call->outstanding)
			ipi_call_done(call, sim_now());
	}
}

/*
 * smp_call_function_many_cond(): for each target, lock the csd it keeps
 * for it (csd_lock(): a store to a line the target's csd_unlock() wrote
 * last, which the locked llist_add() after it waits for; only those two
 * CPUs touch a csd, so where its line is is known without tracking it)
 * and queue it on the target's call_single_queue (llist_add() on a line
 * the target took last).  A target whose queue was not empty gets no IPI
 * (llist_add() returned false: cpumask_ipi leaves it out), the one still
 * pending will find the request.  Then the ICR writes for the others,
 * all with IRQs off (local_irq_save() in default_send_IPI_mask_sequence_phys()
 * and in the x2APIC senders): once a target, or once a cluster of 16 with
 * x2APIC cluster multicast.  Meanwhile IPIs to the sender wait, and the
 * requests to it pile up in its queue.  The sender pays all of it, so a
 * shootdown of 127 CPUs costs it more than one of 1.  Returns with the
 * sender synced at the last write.
 */
static void ipi_send_all(struct ipi_call *call)
{
	int last_cluster = -1;
	double irqs_off;

	cpu_sync();
	call->sent_at = sim_now();
	for (int i = 0; i < call->nr_reqs; i++) {
		struct ipi_request *r = &call->reqs[i];

		cpu_account(cpu_line_latency(r->target, call->sender->id));
		cacheline_rmw_next(&call_single_queue[r->target]);
		r->sent_at = r->queued_at = cpu_clock();
		r->coalesced = call_single_queue_busy(&cpus[r->target], r->sent_at);
		ipi_stats.coalesced += r->coalesced && stats_measuring();
		r->inflight_next = csq_inflight[r->target];
		csq_inflight[r->target] = r;
	}
	irqs_off = cpu_clock();
	for (int i = 0; i < call->nr_reqs; i++) {
		struct ipi_request *r = &call->reqs[i];
		int cluster = r->target / X2APIC_CLUSTER_SIZE;

		if (r->coalesced)
			continue;
		if (!sim_machine->ipi_multicast || cluster != last_cluster)
			cpu_account(sim_machine->ipi_send);
		last_cluster = cluster;
		/* A cluster's later members leave with its one write. */
		r->sent_at = cpu_clock();
	}
	local_irq_off_span(irqs_off, cpu_clock());
	cpu_sync();
}

/*
 * The call lives on the heap: without wait, targets with IRQs off run it
 * after the sender has gone on, and the last of them frees it.
 */
double smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info,
			      bool wait, const char *what)
{
	struct cpu *me = this_cpu();
	struct ipi_call *call = calloc(1, sizeof(*call));
	struct cpu_wait w = {WAIT_IPI_ACK, what, call, ipi_call_holder};
	double t0, now;
	int cpu;

	*call =
	    (struct ipi_call){.sender = me, .func = func, .info = info, .what = what, .wait = wait};
	cpu_sync();
	t0 = sim_now();
	call->reqs = calloc(nr_cpu_ids, sizeof(*call->reqs));
	for_each_cpu(cpu, mask) {
		if (cpu == me->id)
			continue;
		call->reqs[call->nr_reqs++] = (struct ipi_request){.call = call, .target = cpu};
	}
	if (stats_measuring()) {
		ipi_stats.calls++;
		ipi_stats.ipis += call->nr_reqs;
	}
	if (!call->nr_reqs) {
		ipi_call_free(call);
		return 0;
	}

	ipi_send_all(call);
	now = sim_now();
	call->last_ack = now;
	/*
	 * An IPI that landed while we were still sending lands, for the
	 * engine, now: the targets have run up to now, and what they did
	 * meanwhile cannot be revisited.  Under a storm the sender is itself
	 * interrupted while sending, and that is what would otherwise put a
	 * landing tens of microseconds into the targets' past.
	 */
	for (int i = 0; i < call->nr_reqs; i++) {
		struct ipi_request *r = &call->reqs[i];
		struct cpu *target = &cpus[r->target];
		double lands = r->sent_at + sim_machine->ipi_latency;

		if (lands < now)
			lands = now;
		csq_inflight_del(r);
		/* Behind a request whose IPI is still being sent: it goes with that one. */
		if (r->coalesced && csq_ipi_coming(r->target)) {
			csq_wait(r);
			call->outstanding++;
			continue;
		}
		ipi_deliver(r, target, lands);
		if (!r->coalesced)
			csq_release_waiting(target, lands);
	}

	if (!wait) {
		if (!call->outstanding)
			ipi_call_free(call);
		return sim_now() - t0;
	}
	if (call->outstanding)
		cpu_block(CPU_SPINNING, &w, -1);
	else
		cpu_account(call->last_ack - now);
	cpu_sync();
	ipi_call_free(call);
	histogram_add(&ipi_stats.wait, sim_now() - t0);
	return sim_now() - t0;
}

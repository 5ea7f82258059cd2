/* sim/irq.c - IRQ masking, IPI delivery and the synchronous cross-call. */
#include "irq.h"

#include <stdlib.h>

#include "engine.h"
#include "lockup.h"
#include "trace.h"

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
	struct ipi_request *next;
};

struct ipi_stats ipi_stats;

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

/* Run one IPI handler on target, starting at instant at; returns its end. */
static double ipi_handle(struct ipi_request *r, struct cpu *target, double at)
{
	struct ipi_call *call = r->call;
	double end = at + sim_machine->ipi_handler + call->func(target->id, call->info);
	double ack = end + machine_line_latency(sim_machine, target->id, call->sender->id);

	r->acked = true;
	trace_span(target->id, true, "IPI handler", call->what, at, end);
	trace_flow(call->sender->id, call->sent_at, target->id, at, call->what);
	if (ack > call->last_ack)
		call->last_ack = ack;
	return end;
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
	if (off > sim_cfg->watchdog_thresh) {
		cpu_sync();
		lockup_hard(c);
	}

	/* Pending IPIs run now, one after the other, on this CPU. */
	while (c->ipi_pending) {
		struct ipi_request *r = c->ipi_pending;
		struct ipi_call *call = r->call;
		double end;

		c->ipi_pending = r->next;
		if (!c->ipi_pending)
			c->ipi_pending_tail = &c->ipi_pending;
		end = ipi_handle(r, c, now + c->pending);
		c->pending = end - now;
		if (--call->outstanding)
			continue;
		/* The last ack: a waiting sender goes on, an async call is done. */
		if (call->wait)
			cpu_wake(call->sender, call->last_ack - now);
		else
			ipi_call_free(call);
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
	double end, at = now;

	if (target->irqs_disabled && target->irqs_off_since <= now) {
		*target->ipi_pending_tail = r;
		target->ipi_pending_tail = &r->next;
		r->call->outstanding++;
		ipi_stats.deferred++;
		return;
	}
	if (target->irqs_last_off <= now && now < target->irqs_last_on)
		at = target->irqs_last_on;
	end = ipi_handle(r, target, at);
	/* The handler steals its time from the task, unless the CPU idles. */
	if (target->state == CPU_SLEEPING)
		return;
	target->pending += end - at;
	/* What the target does after the handler happens that much later. */
	if (target->irqs_disabled)
		target->irqs_off_since += end - at;
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

	*call = (struct ipi_call){.sender = me, .func = func, .info = info, .what = what,
				  .wait = wait};
	cpu_sync();
	t0 = sim_now();
	call->reqs = calloc(nr_cpu_ids, sizeof(*call->reqs));
	for_each_cpu(cpu, mask)
	{
		if (cpu == me->id)
			continue;
		call->reqs[call->nr_reqs++] = (struct ipi_request){call, cpu, false, NULL};
	}
	ipi_stats.calls++;
	ipi_stats.ipis += call->nr_reqs;
	if (!call->nr_reqs) {
		ipi_call_free(call);
		return 0;
	}

	/* Fill each target's call_single_data, then send; spin until they land. */
	cpu_account(call->nr_reqs * sim_machine->atomic + sim_machine->ipi_latency);
	cpu_sync();
	now = sim_now();
	call->last_ack = now;
	call->sent_at = now - sim_machine->ipi_latency;
	for (int i = 0; i < call->nr_reqs; i++)
		ipi_deliver(&call->reqs[i], &cpus[call->reqs[i].target], now);

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

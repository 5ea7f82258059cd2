/* sim/lockup.c - who waits for whom, in words a kernel developer reads. */
#include "lockup.h"

#include <stdarg.h>
#include <stdio.h>

struct report {
	char *buf;
	size_t len, used;
};

static void report_add(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->used >= r->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->used, r->len - r->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->used += (size_t)n;
}

static const char *wait_object(enum wait_kind kind)
{
	switch (kind) {
	case WAIT_SPINLOCK:
		return "spinlock";
	case WAIT_RWSEM_READ:
		return "rwsem (read)";
	case WAIT_RWSEM_WRITE:
		return "rwsem (write)";
	case WAIT_IPI_ACK:
		return "the acks of IPI call";
	case WAIT_RCU_GP:
		return "a grace period of";
	case WAIT_IO:
		return "I/O";
	case WAIT_NONE:
		break;
	}
	return "nothing";
}

static const char *holder_role(enum wait_kind kind)
{
	return kind == WAIT_IPI_ACK  ? "not acked by"
	       : kind == WAIT_RCU_GP ? "read section on"
				     : "held by";
}

/* One line for c: its IRQ state, what it waits on, and who holds that. */
static int describe_cpu(struct report *r, const struct cpu *c)
{
	const struct cpu_wait *w = &c->wait;
	int holder = w->kind != WAIT_NONE && w->holder ? w->holder(w->obj) : -1;

	report_add(r, "  cpu %d: IRQs %s", c->id, c->irqs_disabled ? "off" : "on");
	if (c->irqs_disabled)
		report_add(r, " for %.3f ms", (sim_now() - c->irqs_off_since) / 1e6);
	if (w->kind == WAIT_NONE) {
		report_add(r, ", running\n");
		return -1;
	}
	report_add(r, ", %s on %s \"%s\"", c->state == CPU_SLEEPING ? "sleeping" : "spinning",
		   wait_object(w->kind), w->name);
	if (holder >= 0)
		report_add(r, ", %s cpu %d", holder_role(w->kind), holder);
	report_add(r, "\n");
	return holder;
}

/* Follow the chain of waits from c; stop at its end or at a cycle. */
static void describe_chain(struct report *r, const struct cpu *c)
{
	char seen[MACHINE_MAX_CPUS] = {0};
	int cpu = c->id;

	while (cpu >= 0 && !seen[cpu]) {
		seen[cpu] = 1;
		cpu = describe_cpu(r, &cpus[cpu]);
	}
	if (cpu >= 0)
		report_add(r, "  circular wait: back to cpu %d\n", cpu);
}

void lockup_hard(struct cpu *c)
{
	char buf[8192];
	struct report r = {buf, sizeof(buf), 0};

	report_add(&r, "NMI watchdog: Watchdog detected hard LOCKUP on cpu %d at %.6f s\n", c->id,
		   sim_now() / 1e9);
	describe_chain(&r, c);
	sim_abort(SIM_END_LOCKUP, buf);
	__builtin_unreachable();
}

enum sim_end lockup_describe_stall(char *buf, size_t len)
{
	struct report r = {buf, len, 0};
	int stuck = 0, blocked = 0;

	for (int i = 0; i < nr_cpu_ids; i++) {
		if (!cpus[i].busy || cpus[i].state == CPU_DONE)
			continue;
		stuck++;
		blocked += cpus[i].wait.kind != WAIT_NONE;
	}
	if (stuck && stuck == blocked)
		report_add(&r, "deadlock: no CPU can make progress at %.6f s\n", sim_now() / 1e9);
	else
		report_add(&r, "time limit: %d CPUs still busy at %.6f s (livelock?)\n", stuck,
			   sim_now() / 1e9);
	for (int i = 0; i < nr_cpu_ids; i++)
		if (cpus[i].busy && cpus[i].state != CPU_DONE)
			describe_chain(&r, &cpus[i]);
	return stuck == blocked ? SIM_END_DEADLOCK : SIM_END_LIVELOCK;
}

/* sim/irq.h - per-CPU interrupt state and inter-processor interrupts.
 *
 * An IPI reaches its target ipi_latency after it is sent.  If the target
 * has IRQs on, the handler runs at once, stealing its time from whatever
 * the target was doing (spinning included); if IRQs are off, the IPI stays
 * pending and runs at local_irq_enable().  The sender of a synchronous
 * call spins, IRQs on, until every target has acked.
 */
#ifndef FAULTSIM_SIM_IRQ_H
#define FAULTSIM_SIM_IRQ_H

#include <stdbool.h>

#include "cpu.h"
#include "cpumask.h"

/* Before the run: the CPUs' call_single_queue lines. */
void irq_init(void);

/*
 * try_to_wake_up() of a task whose CPU is target, by the current CPU at
 * instant at (ns): the task goes on target's wake list (its
 * call_single_queue line) and a reschedule IPI is sent.  Returns the
 * instant the waker is done with it; the waker pays that.
 */
double ttwu_queue(int target, double at);

void local_irq_disable(void);
void local_irq_enable(void);
/*
 * An IRQs-off section the caller priced on its own clock instead of
 * running it: a raw_spin_lock_irq() from the instant it asked for the
 * lock (its spin included) until its unlock.  It becomes the CPU's last
 * closed section.  Inside one already, nothing.
 */
void local_irq_off_span(double from, double until);

static inline bool irqs_disabled(void)
{
	return this_cpu()->irqs_disabled;
}

#define local_irq_save(flags)                                                                      \
	do {                                                                                       \
		(flags) = irqs_disabled();                                                         \
		local_irq_disable();                                                               \
	} while (0)

#define local_irq_restore(flags)                                                                   \
	do {                                                                                       \
		if (!(flags))                                                                      \
			local_irq_enable();                                                        \
	} while (0)

/*
 * The function an IPI runs on a target.  It runs in interrupt context on
 * that CPU, which is not the one executing this code, so instead of
 * accounting time it returns the ns it takes there; it must not touch
 * shared simulated state.
 */
typedef double (*smp_call_func_t)(int cpu, void *info);

/*
 * Run func on every CPU of mask but this one; with wait, spin until all
 * have run it (kernel/smp.c).  Returns the ns the caller waited.
 */
double smp_call_function_many(const struct cpumask *mask, smp_call_func_t func, void *info,
			      bool wait, const char *what);

struct ipi_stats {
	unsigned long calls, ipis, deferred; /* deferred: found IRQs off */
	unsigned long coalesced;	     /* queued behind a request: no IPI of its own */
	struct histogram wait;		     /* sender's wait per call */
};

extern struct ipi_stats ipi_stats;

#endif

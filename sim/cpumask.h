/* sim/cpumask.h - sets of CPUs, as the kernel's struct cpumask. */
#ifndef FAULTSIM_SIM_CPUMASK_H
#define FAULTSIM_SIM_CPUMASK_H

#include <stdbool.h>
#include <string.h>

#include "machine.h"

#define CPUMASK_LONGS (MACHINE_MAX_CPUS / (8 * sizeof(unsigned long)))
#define CPUMASK_BITS  (8 * sizeof(unsigned long))

struct cpumask {
	unsigned long bits[CPUMASK_LONGS];
};

static inline void cpumask_clear(struct cpumask *m)
{
	memset(m, 0, sizeof(*m));
}

static inline void cpumask_set_cpu(int cpu, struct cpumask *m)
{
	m->bits[cpu / CPUMASK_BITS] |= 1UL << (cpu % CPUMASK_BITS);
}

static inline void cpumask_clear_cpu(int cpu, struct cpumask *m)
{
	m->bits[cpu / CPUMASK_BITS] &= ~(1UL << (cpu % CPUMASK_BITS));
}

static inline bool cpumask_test_cpu(int cpu, const struct cpumask *m)
{
	return (m->bits[cpu / CPUMASK_BITS] >> (cpu % CPUMASK_BITS)) & 1;
}

/* Next set bit at or after cpu, or nr if none below nr. */
static inline int cpumask_next_from(int cpu, const struct cpumask *m, int nr)
{
	for (; cpu < nr; cpu++) {
		unsigned long w = m->bits[cpu / CPUMASK_BITS] >> (cpu % CPUMASK_BITS);

		if (!w) {
			cpu |= CPUMASK_BITS - 1;
			continue;
		}
		cpu += __builtin_ctzl(w);
		return cpu < nr ? cpu : nr;
	}
	return nr;
}

#define for_each_cpu(cpu, mask)                                                                    \
	for ((cpu) = cpumask_next_from(0, (mask), nr_cpu_ids); (cpu) < nr_cpu_ids;                 \
	     (cpu) = cpumask_next_from((cpu) + 1, (mask), nr_cpu_ids))

#endif

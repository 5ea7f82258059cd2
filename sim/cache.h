/* sim/cache.h - what a CPU's caches still hold.
 *
 * A line a CPU touched stays in its caches until its core has pulled
 * about their capacity of other data through them.  Each core counts the
 * bytes its CPUs bring in (cache_fill(): lines they miss on, pages they
 * zero or copy): SMT siblings share the core's L1 and L2, so what one
 * sibling streams evicts the other's lines too.  Whoever touches a line
 * keeps that count as the line's stamp.  The next touch looks at how much
 * has passed through the toucher's core since - the reuse distance in
 * bytes - and finds the line in L2 (l2_size), in the core's share of the
 * LLC (llc_size over the cores that share it), or in memory.
 *
 * That is what makes kernel work memory-bound where the kernel's is: a
 * task that faults in 128 MiB and unmaps it touches each struct page and
 * page-table line again only after tens of megabytes of zeroing, so the
 * unmap and the allocator's lists miss on every one of them.
 */
#ifndef FAULTSIM_SIM_CACHE_H
#define FAULTSIM_SIM_CACHE_H

#include "cpu.h"
#include "engine.h"

/*
 * The latency of a line transfer between two CPUs, by how much of the
 * hierarchy they share (the CPUs' topology is worked out once, at start).
 */
static inline double cpu_line_latency(int from, int to)
{
	const struct cpu *a, *b;

	if (from == to || from < 0)
		return 0;
	a = &cpus[from];
	b = &cpus[to];
	if (a->core == b->core)
		return sim_machine->line_smt;
	if (a->llc == b->llc)
		return sim_machine->line_llc;
	if (a->socket == b->socket)
		return sim_machine->line_socket;
	return sim_machine->line_remote;
}

/* The count of bytes brought into cpu's core's caches: its first CPU's. */
static inline double *core_traffic(int cpu)
{
	return &cpus[cpus[cpu].core].cache_traffic;
}

/* Bytes brought into the current CPU's caches. */
static inline void cache_fill(double bytes)
{
	*core_traffic(current_cpu->id) += bytes;
}

/* The stamp a touch by cpu leaves now. */
static inline double cache_stamp(int cpu)
{
	return *core_traffic(cpu);
}

/*
 * What it costs CPU me to get a line that toucher (-1: nobody
 * since boot) touched last, leaving stamp, beyond an L1 hit: nothing while
 * it is in our own L2, an LLC hit, a transfer from the toucher's cache, or
 * memory on node (-1: our own).  ns.
 */
double cache_refetch(int toucher, double stamp, int me, int node);

#endif

/* sim/cache.c - reuse distances: where a line touched earlier is now. */
#include "cache.h"

#include "memory.h"

static double memory_ns(int me, int node)
{
	return memory_latency(cpus[me].socket, node);
}

double cache_refetch(int toucher, double stamp, int me, int node)
{
	const struct machine_tlb *t = &sim_machine->tlb;
	double since, llc_share;
	bool same_core;

	if (toucher < 0)
		return memory_ns(me, node);
	/* SMT siblings share L1 and L2: a sibling's line is as good as our own. */
	same_core = cpus[toucher].core == cpus[me].core;
	since = cache_stamp(toucher) - stamp;
	/* Most touches: a line still in the toucher's L2. */
	if (since <= t->l2_size)
		return same_core ? 0 : cpu_line_latency(toucher, me);
	/* The LLC is shared: under load each core keeps its share of it. */
	llc_share = t->llc_size / sim_machine->cores_per_llc;
	if (since > t->l2_size + llc_share)
		return memory_ns(me, node);
	if (!same_core)
		return cpu_line_latency(toucher, me);
	return cycles(t->llc_hit);
}

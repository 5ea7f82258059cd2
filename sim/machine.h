/* sim/machine.h - the simulated machine: topology and primitive costs.
 *
 * A machine is described by data (the files in machines/): sockets, cores, SMT
 * threads, and what the hardware charges for the primitives the fault
 * paths use.  This file holds the description and the topology queries;
 * machine.c turns it into the SimGrid platform the CPUs run on.
 */
#ifndef FAULTSIM_SIM_MACHINE_H
#define FAULTSIM_SIM_MACHINE_H

#include <stdbool.h>

#define MACHINE_MAX_CPUS 4096

struct machine {
	int sockets;
	int cores_per_socket;
	int smt;	   /* hardware threads per core */
	double smt_yield;  /* two busy siblings' throughput over one thread's */
	int cores_per_llc; /* cores sharing a last-level cache (an AMD CCX) */
	double freq;	   /* Hz */

	/* One-way cache-line transfer latency by distance, ns. */
	double line_smt;
	double line_llc;
	double line_socket;
	double line_remote;
	double line_occupancy; /* ns a line's home is busy per read it serves */
	double atomic;	       /* an atomic RMW on a line this CPU already owns, ns */

	double ipi_send;    /* the sender's ICR write for one IPI, ns */
	bool ipi_multicast; /* x2APIC cluster mode: one ICR write per 16 CPUs */
	double ipi_latency; /* send to handler entry, ns */
	double ipi_handler; /* entry, handler body, exit and ack, ns */
	double wakeup;	    /* a sleeping task woken until it runs, its CPU in C1, ns */
	/* Deeper idle states: exit latency and target residency, ns (intel_idle). */
	double idle_c1e_exit, idle_c1e_residency;
	double idle_c6_exit, idle_c6_residency;
	double invlpg; /* flushing one TLB entry, ns */

	double mem_latency;	   /* ns: a load that misses every cache, local memory */
	double mem_latency_remote; /* ns: the same from the other socket's memory */
	double mem_bw;		   /* bytes/s per socket moved, in and out, shared by its cores */
	double mem_bw_core;	   /* bytes/s one core zeroes, reads for ownership included */
	double mem_queueing;	   /* a miss's queueing at a loaded controller (sim/memory.h) */
	/*
	 * L1D fill buffers a core has: the misses it keeps in flight at
	 * once, so how far independent misses (prefetches) overlap.
	 */
	int fill_buffers;

	double disk_latency;  /* ns per request */
	double disk_bw;	      /* bytes/s, shared by all readers */
	double fault_entry;   /* ns: exception entry and return, and the rest of a
				 fault's fixed work the models do not count */
	double syscall_entry; /* ns: a system call's entry and return */
	double vma_op;	      /* ns: creating and linking, or unlinking, one VMA */
	double zap_page;      /* ns: unmapping one present page in zap_pte_range() */

	/*
	 * Core cycles of the fault paths' local work: instructions on data
	 * in the CPU's own cache, misses apart (those come from the lines
	 * and the memory the paths touch).  See the cost_* keys.
	 */
	struct machine_costs {
		double vma_tree_level;
		double walk_level;
		double pcp_alloc;
		double pcp_free;
		double buddy_page;
		double set_pte;
		double irq_toggle;
		double l1_hit;
		double lru_page;
		double change_pte;
		double gap_search;
		double user_touch;
		double srcu_read;
		double rcu_read;
	} cost;

	/*
	 * Address translation, for what a text's footprint costs: the
	 * first-level iTLB's entries by page size, the shared second-level
	 * TLB's, its hit and the cache levels a page walk may find its entry
	 * in (cycles), and those caches' sizes (bytes; the LLC a socket's).
	 * The cache levels also decide where any line a CPU touched earlier
	 * is now (sim/cache.h).
	 */
	struct machine_tlb {
		int itlb_4k, itlb_2m, stlb;
		double stlb_hit, l2_hit, llc_hit;
		double l2_size, llc_size;
	} tlb;
};

static inline int machine_nr_cpus(const struct machine *m)
{
	return m->sockets * m->cores_per_socket * m->smt;
}

/*
 * CPU numbering follows what Linux shows on x86 servers: first one thread
 * of every core, socket by socket, then the SMT siblings in the same order,
 * so "the first N CPUs" fill physical cores before siblings.
 */
static inline int machine_cpu_core(const struct machine *m, int cpu)
{
	return cpu % (m->sockets * m->cores_per_socket);
}

static inline int machine_cpu_socket(const struct machine *m, int cpu)
{
	return machine_cpu_core(m, cpu) / m->cores_per_socket;
}

static inline int machine_cpu_llc(const struct machine *m, int cpu)
{
	return machine_cpu_core(m, cpu) / m->cores_per_llc;
}

/*
 * The idx-th CPU Linux's load balancer gives an unpinned task on an idle
 * machine: sockets alternate first, then the LLCs of a socket, then the
 * cores of an LLC; SMT siblings come last, once every core is busy.
 */
static inline int machine_spread_cpu(const struct machine *m, int idx)
{
	int llcs = m->cores_per_socket / m->cores_per_llc;
	int socket = idx % m->sockets, llc, core, thread;

	idx /= m->sockets;
	llc = idx % llcs;
	idx /= llcs;
	core = idx % m->cores_per_llc;
	thread = idx / m->cores_per_llc;
	return thread * m->sockets * m->cores_per_socket + socket * m->cores_per_socket +
	       llc * m->cores_per_llc + core;
}

/*
 * Check the description for values no machine can have: 0, or -1 with *why
 * set and *keys naming the fields at fault, comma-separated.
 */
int machine_validate(const struct machine *m, const char **keys, const char **why);

/* Write the SimGrid platform for this machine to path; 0 or -1 (errno). */
int machine_write_platform(const struct machine *m, const char *path);

#endif

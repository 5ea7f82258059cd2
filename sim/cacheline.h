/* sim/cacheline.h - coherent cache lines, the unit of sharing.
 *
 * A line is owned (modified or exclusive) by one CPU at a time and may be
 * read-shared by others.  An atomic read-modify-write or a store needs it
 * exclusively: it invalidates the sharers and waits for the transfers
 * already granted, so a line that every CPU updates is a serial resource
 * (the mmap_sem count word, a memcg counter, a ticket lock).  A read of a
 * modified line is served by its owner, one full transfer that leaves the
 * line shared.  Reads of a shared line are served by its home (an LLC
 * slice, a directory) concurrently: each pays its own distance latency,
 * and the home is busy line_occupancy per request, so N CPUs re-reading a
 * line after a write (ticket waiters, trylock spinners, seqcount readers)
 * delay the next write by N x line_occupancy, not by N transfers: the
 * c.k/2 term of Boyd-Wickizer et al., "Non-scalable locks are dangerous".
 *
 * Every call here is an interaction with shared state: it syncs the
 * current CPU first and charges the time to completion as local time.
 * Callers act on the state they find at the instant of the request: the
 * line serves requests in the order they are issued, so that order is the
 * order in which their effects land.
 *
 * A line private to one CPU (the mmap_sem of a single-threaded process, in
 * a simulation where nothing else can reach that process) is no shared
 * state: accessing it is local work, paid with the CPU's other local work.
 * Any access by another CPU is a bug in the model and aborts the run.
 *
 * A CPU spinning on values it has cached (a trylock loop) only sees a
 * change when another CPU writes one of the lines: spin_on_lines() waits
 * for exactly that, instead of iterating.
 */
#ifndef FAULTSIM_SIM_CACHELINE_H
#define FAULTSIM_SIM_CACHELINE_H

#include <stdbool.h>

#include "cpu.h"

struct cacheline {
	int owner;	 /* last writer; -1 before the first one */
	int last_reader; /* a sharer to invalidate, or -1 */
	int nr_sharers;	 /* CPUs other than owner holding a copy */
	double free_at;	 /* ns: the line is busy with transfers until then */
	/*
	 * Bitmap over nr_cpu_ids: in the word itself up to 64 CPUs, so that
	 * the 64 lines of every new page-table page cost no allocation.
	 */
	union {
		unsigned long word;
		unsigned long *map;
	} sharers;
	unsigned long transfers; /* misses served */
	int toucher;		 /* the CPU that touched it last, or -1 */
	double stamp;		 /* its cache traffic then: sim/cache.h */
	int private_to;		 /* the only CPU that may touch it, or -1 */
	struct line_watch *watchers;
};

void cacheline_init(struct cacheline *l);
void cacheline_destroy(struct cacheline *l);
/* From now on only cpu touches l: its accesses cost local time only. */
void cacheline_set_private(struct cacheline *l, int cpu);

static inline bool cacheline_private(const struct cacheline *l)
{
	return l->private_to >= 0 && l->private_to == smp_processor_id();
}

/* Sync the current CPU unless l is private to it: see above. */
static inline void cacheline_sync(const struct cacheline *l)
{
	if (!cacheline_private(l))
		cpu_sync();
}

/* Atomic RMW (or store that must complete) by the current CPU. */
void cacheline_rmw(struct cacheline *l);
/*
 * An atomic RMW the current CPU issues right after its previous access,
 * acting on what that access saw: no other CPU runs in between.
 */
void cacheline_rmw_next(struct cacheline *l);
/*
 * The current CPU keeps l, a lock word it has just taken, until instant
 * until (ns): the next CPU's access waits for that.  A short critical
 * section under a raw spinlock whose waiters are not queued, such as an
 * rwsem's wait_lock.
 */
void cacheline_hold(struct cacheline *l, double until);
/* A load by the current CPU. */
void cacheline_read(struct cacheline *l);
/* A load issued right after the CPU's previous access, as cacheline_rmw_next(). */
void cacheline_read_next(struct cacheline *l);
/*
 * A store the current CPU does not wait for (a release): the line is
 * reserved for it, the CPU only pays the local cost.  Returns the instant
 * (ns) the store is visible to others.
 */
double cacheline_store_posted(struct cacheline *l);
/*
 * A load by another CPU, issued at instant at (ns) - a spinner re-reading
 * the line after it was invalidated.  Returns the instant it completes.
 */
double cacheline_read_by(struct cacheline *l, int cpu, double at);
/* An atomic RMW by another CPU at instant at; returns when it completes. */
double cacheline_rmw_by(struct cacheline *l, int cpu, double at);
/*
 * The same, by a CPU at an instant ahead of the engine's clock, such as
 * an IPI handler's, priced when the IPI is sent: if the line is idle by
 * then, CPUs that touch it in the meantime do not wait for it.
 */
double cacheline_rmw_ahead(struct cacheline *l, int cpu, double at);

/*
 * Spin (state CPU_SPINNING, as w says) re-reading the n lines, each a hit
 * in this CPU's cache, until another CPU writes one of them or timeout_ns
 * passes (< 0: no timeout).  Returns true if a line was written: the next
 * read of it misses and sees the new value.
 */
bool spin_on_lines(struct cacheline *const *lines, int n, const struct cpu_wait *w,
		   double timeout_ns);

#endif

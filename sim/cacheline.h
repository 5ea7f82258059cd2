/* sim/cacheline.h - coherent cache lines, the unit of sharing.
 *
 * A line is owned (modified or exclusive) by one CPU at a time and may be
 * read-shared by others.  An atomic read-modify-write or a store needs it
 * exclusively; a read needs a copy.  A miss moves the line from its owner
 * at the latency for their distance.  The line serves one transfer at a
 * time: a request that finds it busy queues behind the transfers already
 * granted, which is what makes a line that every CPU updates a serial
 * resource (the mmap_sem count word, a memcg counter, a ticket lock).
 *
 * Every call here is an interaction with shared state: it syncs the
 * current CPU first and charges the time to completion as local time.
 * Callers act on the state they find at the instant of the request: the
 * line serves requests in the order they are issued, so that order is the
 * order in which their effects land.
 */
#ifndef FAULTSIM_SIM_CACHELINE_H
#define FAULTSIM_SIM_CACHELINE_H

struct cacheline {
	int owner;		 /* last writer; -1 before the first one */
	int last_reader;	 /* a sharer to invalidate, or -1 */
	int nr_sharers;		 /* CPUs other than owner holding a copy */
	double free_at;		 /* ns: the line is busy with transfers until then */
	unsigned long *sharers;	 /* bitmap over nr_cpu_ids */
	unsigned long transfers; /* misses served */
};

void cacheline_init(struct cacheline *l);
void cacheline_destroy(struct cacheline *l);

/* Atomic RMW (or store that must complete) by the current CPU. */
void cacheline_rmw(struct cacheline *l);
/*
 * An atomic RMW the current CPU issues right after its previous access,
 * acting on what that access saw: no other CPU runs in between.
 */
void cacheline_rmw_next(struct cacheline *l);
/* A load by the current CPU. */
void cacheline_read(struct cacheline *l);
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

#endif

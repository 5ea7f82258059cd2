/* sim/cacheline.c - line ownership, sharing and the serial transfer queue. */
#include "cacheline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cpu.h"
#include "engine.h"
#include "memory.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static inline bool sharers_inline(void)
{
	return nr_cpu_ids <= (int)BITS_PER_LONG;
}

static inline unsigned long *sharers_map(struct cacheline *l)
{
	return sharers_inline() ? &l->sharers.word : l->sharers.map;
}

/*
 * Past 64 CPUs the bitmap is allocated at the line's second sharer: until
 * then the one sharer is last_reader.  Most lines (a private mm's page
 * tables, a page's user data) never get a second one.
 */
static inline int sharer_test(struct cacheline *l, int cpu)
{
	if (!sharers_map(l))
		return l->last_reader == cpu;
	return (sharers_map(l)[cpu / BITS_PER_LONG] >> (cpu % BITS_PER_LONG)) & 1;
}

static inline void sharer_bit(unsigned long *map, int cpu)
{
	map[cpu / BITS_PER_LONG] |= 1UL << (cpu % BITS_PER_LONG);
}

static inline void sharer_set(struct cacheline *l, int cpu)
{
	if (!sharers_map(l)) {
		if (!l->nr_sharers)
			return;
		l->sharers.map =
		    calloc((nr_cpu_ids + BITS_PER_LONG - 1) / BITS_PER_LONG, sizeof(unsigned long));
		sharer_bit(l->sharers.map, l->last_reader);
	}
	sharer_bit(sharers_map(l), cpu);
}

static void sharers_clear(struct cacheline *l)
{
	size_t words = (nr_cpu_ids + BITS_PER_LONG - 1) / BITS_PER_LONG;

	if (!l->nr_sharers)
		return;
	if (sharers_map(l))
		memset(sharers_map(l), 0, words * sizeof(unsigned long));
	l->nr_sharers = 0;
	l->last_reader = -1;
}

void cacheline_init(struct cacheline *l)
{
	l->owner = -1;
	l->last_reader = -1;
	l->nr_sharers = 0;
	l->free_at = 0;
	l->transfers = 0;
	l->toucher = -1;
	l->stamp = 0;
	if (sharers_inline())
		l->sharers.word = 0;
	else
		l->sharers.map = NULL;
	l->private_to = -1;
	l->watchers = NULL;
}

void cacheline_set_private(struct cacheline *l, int cpu)
{
	l->private_to = cpu;
}

static void private_violation(const struct cacheline *l, int cpu)
{
	fprintf(stderr, "faultsim: bug: cpu %d touched a line private to cpu %d\n", cpu,
		l->private_to);
	abort();
}

static void watch_unlink(struct line_watch *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		w->line->watchers = w->next;
	if (w->next)
		w->next->prev = w->prev;
}

static void watches_drop(struct cpu *c)
{
	for (int i = 0; i < c->nr_watch; i++)
		watch_unlink(&c->watch[i]);
	c->nr_watch = 0;
}

/* A write by cpu 'me' lands at instant at: wake every other CPU spinning on l. */
static void watchers_wake(struct cacheline *l, int me, double at)
{
	struct line_watch *w = l->watchers, *next;

	for (; w; w = next) {
		struct cpu *c = w->cpu;

		/* c's other watches are on other lines: next stays valid. */
		next = w->next;
		if (c->id == me)
			continue;
		watches_drop(c);
		cpu_wake(c, at - sim_now());
	}
}

bool spin_on_lines(struct cacheline *const *lines, int n, const struct cpu_wait *w,
		   double timeout_ns)
{
	struct cpu *c = this_cpu();
	double deadline;

	/* Watch from the instant of our last read; a write while we sync wakes us. */
	for (int i = 0; i < n; i++) {
		struct line_watch *lw = &c->watch[i];

		*lw = (struct line_watch){lines[i], c, NULL, lines[i]->watchers};
		if (lw->next)
			lw->next->prev = lw;
		lines[i]->watchers = lw;
	}
	c->nr_watch = n;
	cpu_sync();
	deadline = sim_now() + timeout_ns;
	if (cpu_block(CPU_SPINNING, w, timeout_ns)) {
		/* Written in time, but visible only past the deadline: gave up first. */
		if (timeout_ns >= 0 && cpu_clock() > deadline) {
			c->pending = deadline - sim_now();
			return false;
		}
		return true;
	}
	watches_drop(c);
	return false;
}

void cacheline_destroy(struct cacheline *l)
{
	/* Whoever still spins on a freed line must look again. */
	if (l->watchers)
		watchers_wake(l, -1, sim_now());
	if (!sharers_inline())
		free(l->sharers.map);
	l->sharers.map = NULL;
}

/*
 * What it costs cpu to fetch l from whoever holds it: a transfer from the
 * owner's cache, or memory if the owner has since pulled its caches' worth
 * of other data through them.
 */
static double line_fetch(const struct cacheline *l, int from, int cpu)
{
	if (from == l->toucher)
		return cache_refetch(from, l->stamp, cpu, -1);
	return cpu_line_latency(from, cpu);
}

/* A line cpu holds itself: free while cached, an LLC hit or memory once evicted. */
static double line_refetch(const struct cacheline *l, int cpu)
{
	return l->toucher == cpu ? cache_refetch(cpu, l->stamp, cpu, -1) : 0;
}

/* cpu touched l now; a miss brought a line into its caches. */
static void line_touched(struct cacheline *l, int cpu, bool miss)
{
	if (miss)
		*core_traffic(cpu) += 64;
	l->toucher = cpu;
	l->stamp = cache_stamp(cpu);
}

/*
 * A transfer that needs the line alone (an RMW, a read of a modified
 * line), issued at 'at' with latency lat: it starts when the line is free
 * and keeps it busy until it completes.  Returns that instant.
 */
static double line_transfer(struct cacheline *l, double at, double lat)
{
	double start = at > l->free_at ? at : l->free_at;

	l->free_at = start + lat;
	l->transfers++;
	return l->free_at;
}

/*
 * A read of a shared line, served by its home: the home takes requests
 * line_occupancy apart, and each reader gets the data its own distance
 * latency after its turn.  Returns the instant the read completes.
 */
static double line_serve_read(struct cacheline *l, double at, double lat)
{
	double start = at > l->free_at ? at : l->free_at;

	l->free_at = start + sim_machine->line_occupancy;
	l->transfers++;
	return start + lat;
}

/*
 * The RMW itself: reserve says whether it occupies the line until done, so
 * that requests after it wait; one issued ahead of the others' requests,
 * on an idle line, must not make them wait for an instant still to come.
 */
static double line_rmw(struct cacheline *l, int me, double now, bool reserve)
{
	double lat, done;

	if (l->private_to >= 0 && l->private_to != me)
		private_violation(l, me);
	if (l->owner == me && !l->nr_sharers) {
		lat = line_refetch(l, me);
		line_touched(l, me, lat > 0);
		done = now + sim_machine->atomic + lat;
		goto written;
	}
	if (l->owner != me && l->owner >= 0)
		lat = line_fetch(l, l->owner, me);
	else
		lat = cpu_line_latency(l->last_reader, me);
	/* A first touch costs a fill from memory. */
	if (l->owner < 0 && l->last_reader < 0)
		lat = memory_latency(cpus[me].socket, -1);
	line_touched(l, me, true);
	sharers_clear(l);
	l->owner = me;
	if (reserve) {
		done = line_transfer(l, now, lat + sim_machine->atomic);
	} else {
		done = now + lat + sim_machine->atomic;
		l->transfers++;
	}
written:
	if (l->watchers)
		watchers_wake(l, me, done);
	return done;
}

void cacheline_hold(struct cacheline *l, double until)
{
	if (l->free_at < until)
		l->free_at = until;
}

/* Instant at which cpu, asking at 'now', holds the line exclusively. */
double cacheline_rmw_by(struct cacheline *l, int me, double now)
{
	return line_rmw(l, me, now, true);
}

double cacheline_rmw_ahead(struct cacheline *l, int me, double at)
{
	return line_rmw(l, me, at, at < l->free_at);
}

/*
 * A locked instruction drains the store buffer first (x86-TSO): an RMW
 * after a posted store to a line another CPU now waits on starts only
 * when that store has landed.
 */
static double locked_start(double now)
{
	return current_cpu->stores_visible > now ? current_cpu->stores_visible : now;
}

void cacheline_rmw(struct cacheline *l)
{
	double now;

	cacheline_sync(l);
	now = cpu_clock();
	cpu_account(cacheline_rmw_by(l, smp_processor_id(), locked_start(now)) - now);
}

void cacheline_rmw_next(struct cacheline *l)
{
	double at = cpu_clock();

	cpu_account(cacheline_rmw_by(l, smp_processor_id(), locked_start(at)) - at);
}

double cacheline_store_posted(struct cacheline *l)
{
	double now, visible;

	cacheline_sync(l);
	now = cpu_clock();
	cpu_account(sim_machine->atomic);
	visible = cacheline_rmw_by(l, smp_processor_id(), now);
	if (visible > current_cpu->stores_visible)
		current_cpu->stores_visible = visible;
	return visible;
}

double cacheline_read_by(struct cacheline *l, int cpu, double at)
{
	bool modified;
	double lat;

	if (l->private_to >= 0 && l->private_to != cpu)
		private_violation(l, cpu);
	if (l->owner == cpu || (l->nr_sharers && sharer_test(l, cpu))) {
		lat = line_refetch(l, cpu);
		line_touched(l, cpu, lat > 0);
		return at + 1 + lat;
	}
	lat = l->owner >= 0 ? line_fetch(l, l->owner, cpu) : memory_latency(cpus[cpu].socket, -1);
	line_touched(l, cpu, true);
	/* Modified in its owner's cache: the owner supplies it, and shares it. */
	modified = l->owner >= 0 && !l->nr_sharers;
	sharer_set(l, cpu);
	l->nr_sharers++;
	l->last_reader = cpu;
	return modified ? line_transfer(l, at, lat) : line_serve_read(l, at, lat);
}

void cacheline_read_next(struct cacheline *l)
{
	double at = cpu_clock();

	cpu_account(cacheline_read_by(l, smp_processor_id(), at) - at);
}

void cacheline_read(struct cacheline *l)
{
	double now;

	cacheline_sync(l);
	now = cpu_clock();
	cpu_account(cacheline_read_by(l, smp_processor_id(), now) - now);
}

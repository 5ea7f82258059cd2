/* sim/cacheline.c - line ownership, sharing and the serial transfer queue. */
#include "cacheline.h"

#include <stdlib.h>

#include "cpu.h"
#include "engine.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static inline int sharer_test(const struct cacheline *l, int cpu)
{
	return (l->sharers[cpu / BITS_PER_LONG] >> (cpu % BITS_PER_LONG)) & 1;
}

static inline void sharer_set(struct cacheline *l, int cpu)
{
	l->sharers[cpu / BITS_PER_LONG] |= 1UL << (cpu % BITS_PER_LONG);
}

static void sharers_clear(struct cacheline *l)
{
	size_t words = (nr_cpu_ids + BITS_PER_LONG - 1) / BITS_PER_LONG;

	if (!l->nr_sharers)
		return;
	for (size_t i = 0; i < words; i++)
		l->sharers[i] = 0;
	l->nr_sharers = 0;
	l->last_reader = -1;
}

void cacheline_init(struct cacheline *l)
{
	size_t words = (nr_cpu_ids + BITS_PER_LONG - 1) / BITS_PER_LONG;

	l->owner = -1;
	l->last_reader = -1;
	l->nr_sharers = 0;
	l->free_at = 0;
	l->transfers = 0;
	l->sharers = calloc(words, sizeof(unsigned long));
}

void cacheline_destroy(struct cacheline *l)
{
	free(l->sharers);
	l->sharers = NULL;
}

/* Reserve the line's next transfer slot for a miss of latency lat issued at 'at'. */
static double line_transfer(struct cacheline *l, double at, double lat)
{
	double start = at > l->free_at ? at : l->free_at;

	l->free_at = start + lat;
	l->transfers++;
	return l->free_at;
}

/* Instant at which cpu, asking at 'now', holds the line exclusively. */
double cacheline_rmw_by(struct cacheline *l, int me, double now)
{
	double lat;

	if (l->owner == me && !l->nr_sharers)
		return now + sim_machine->atomic;
	if (l->owner != me && l->owner >= 0)
		lat = machine_line_latency(sim_machine, l->owner, me);
	else
		lat = machine_line_latency(sim_machine, l->last_reader, me);
	/* A first touch costs a fill from memory, as far as a remote socket. */
	if (l->owner < 0 && l->last_reader < 0)
		lat = sim_machine->line_remote;
	sharers_clear(l);
	l->owner = me;
	return line_transfer(l, now, lat + sim_machine->atomic);
}

void cacheline_rmw(struct cacheline *l)
{
	double now;

	cpu_sync();
	now = sim_now();
	cpu_account(cacheline_rmw_by(l, smp_processor_id(), now) - now);
}

void cacheline_rmw_next(struct cacheline *l)
{
	double at = cpu_clock();

	cpu_account(cacheline_rmw_by(l, smp_processor_id(), at) - at);
}

double cacheline_store_posted(struct cacheline *l)
{
	double now;

	cpu_sync();
	now = sim_now();
	cpu_account(sim_machine->atomic);
	return cacheline_rmw_by(l, smp_processor_id(), now);
}

double cacheline_read_by(struct cacheline *l, int cpu, double at)
{
	double lat;

	if (l->owner == cpu || (l->nr_sharers && sharer_test(l, cpu)))
		return at + 1;
	lat = l->owner >= 0 ? machine_line_latency(sim_machine, l->owner, cpu)
			    : sim_machine->line_remote;
	sharer_set(l, cpu);
	l->nr_sharers++;
	l->last_reader = cpu;
	return line_transfer(l, at, lat);
}

void cacheline_read(struct cacheline *l)
{
	double now;

	cpu_sync();
	now = sim_now();
	cpu_account(cacheline_read_by(l, smp_processor_id(), now) - now);
}

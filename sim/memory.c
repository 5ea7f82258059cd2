/* sim/memory.c - page streams on the memory controllers, and the load misses queue behind. */
#include "memory.h"

#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/exec.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cpu.h"
#include "engine.h"
#include "engine_private.h"
#include "trace.h"

struct memory_stats memory_stats;

/*
 * What each socket's memory controller is moving: the bytes the CPUs hand
 * it, averaged over the last MEMORY_LOAD_WINDOW ns (an exponential average
 * on SimGrid's clock, which only moves forward).  A load that misses the
 * caches queues behind that traffic at the controller.  Written pages
 * reach the controller in batches (memory_write()), each crediting its
 * bytes at once, so the window is long beside a batch: a batch of 2 MiB
 * (1 MiB zeroed, read and written back) moves the average by 2 GB/s,
 * where a socket's controller moves tens.
 */
#define MEMORY_LOAD_WINDOW 1e6
/* The average decays in steps this long: 0.1% each, and no exp() a miss. */
#define MEMORY_LOAD_STEP 1e3

struct memory_load {
	double rate; /* bytes/ns */
	double at;   /* ns: when rate was last brought up to date */
};

static struct memory_load *memory_load;

static struct memory_load *load_now(int socket)
{
	struct memory_load *l;
	double now = sim_now();

	if (!memory_load)
		memory_load = calloc(sim_machine->sockets, sizeof(*memory_load));
	l = &memory_load[socket];
	/* Whole steps only: the average must not depend on how often it is read. */
	if (now >= l->at + MEMORY_LOAD_STEP) {
		double steps = floor((now - l->at) / MEMORY_LOAD_STEP) * MEMORY_LOAD_STEP;

		l->rate *= exp(-steps / MEMORY_LOAD_WINDOW);
		l->at += steps;
	}
	return l;
}

static void memory_load_add(int socket, size_t bytes)
{
	load_now(socket)->rate += bytes / MEMORY_LOAD_WINDOW;
}

double memory_utilisation(int socket)
{
	double u = load_now(socket)->rate * 1e9 / sim_machine->mem_bw;

	return u < MEMORY_UTILISATION_MAX ? u : MEMORY_UTILISATION_MAX;
}

/*
 * A load from node's memory, issued on socket: the idle latency, and
 * the wait for the controller's queue, which grows as u / (1 - u) of its
 * utilisation u, scaled by mem_queueing (an M/M/1 queue's shape, fitted
 * to a published loaded-latency curve: see the profiles).
 */
double memory_latency(int socket, int node)
{
	bool local = node < 0 || node == socket;
	double idle = local ? sim_machine->mem_latency : sim_machine->mem_latency_remote;
	double u;

	if (!sim_machine->mem_queueing)
		return idle;
	u = memory_utilisation(local ? socket : node);
	return idle * (1 + sim_machine->mem_queueing * u / (1 - u));
}

/*
 * A core streams through its own L1 miss buffers (line fill buffers) and
 * L2 queue, and their number bounds what one core can stream: Little's
 * law, bandwidth = buffers x 64 B / latency (J. McCalpin, "Single-core
 * memory bandwidth: latency, bandwidth and concurrency", 2025-02-17).  The
 * buffers are the core's: its SMT siblings share them, so two siblings
 * zeroing pages at once stream mem_bw_core between them, not each.
 *
 * Each core keeps the spans its buffers are busy, on its CPUs' clocks,
 * which run ahead of SimGrid's by the local work they have yet to pay: a
 * CPU may book a span before its sibling, at an earlier instant of its
 * own, asks for one.  A stream takes the free time from its start on, in
 * order; spans that ended before SimGrid's now can concern nobody.
 */
struct busy_span {
	double from, until;
};

struct core_buffers {
	struct busy_span *spans; /* disjoint, in order */
	int nr, cap;
};

static struct core_buffers *core_buffers;

/* Mark [from, until] busy: it lies in a gap; it may join its neighbours. */
static void busy_insert(struct core_buffers *b, double from, double until)
{
	int at = 0;

	while (at < b->nr && b->spans[at].from < from)
		at++;
	if (b->nr == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 8;
		b->spans = realloc(b->spans, b->cap * sizeof(*b->spans));
	}
	memmove(&b->spans[at + 1], &b->spans[at], (b->nr - at) * sizeof(*b->spans));
	b->spans[at] = (struct busy_span){from, until};
	b->nr++;
	if (at + 1 < b->nr && b->spans[at + 1].from <= until) {
		b->spans[at].until = b->spans[at + 1].until;
		memmove(&b->spans[at + 1], &b->spans[at + 2], (b->nr - at - 2) * sizeof(*b->spans));
		b->nr--;
	}
	if (at > 0 && b->spans[at - 1].until >= from) {
		b->spans[at - 1].until = b->spans[at].until;
		memmove(&b->spans[at], &b->spans[at + 1], (b->nr - at - 1) * sizeof(*b->spans));
		b->nr--;
	}
}

/* Book ns of this core's streaming from now on; returns when it is done. */
static double core_stream(struct cpu *c, double ns)
{
	static struct busy_span *pieces;
	static int pieces_cap;
	struct core_buffers *b;
	double t = cpu_clock();
	int old = 0, nr_pieces = 0;

	/* Without SMT a core's buffers are its one CPU's, whose clock orders them. */
	if (sim_machine->smt == 1)
		return t + ns;
	if (!core_buffers)
		core_buffers = calloc(nr_cpu_ids, sizeof(*core_buffers));
	b = &core_buffers[c->core];
	while (old < b->nr && b->spans[old].until < sim_now())
		old++;
	if (old) {
		memmove(b->spans, &b->spans[old], (b->nr - old) * sizeof(*b->spans));
		b->nr -= old;
	}
	if (pieces_cap < b->nr + 1) {
		pieces_cap = 2 * (b->nr + 1);
		pieces = realloc(pieces, pieces_cap * sizeof(*pieces));
	}
	/* The gaps between booked spans first, in order, then after the last. */
	for (int i = 0; i < b->nr && ns > 0; i++) {
		const struct busy_span *s = &b->spans[i];

		if (s->until <= t)
			continue;
		if (s->from > t) {
			double use = s->from - t < ns ? s->from - t : ns;

			pieces[nr_pieces++] = (struct busy_span){t, t + use};
			ns -= use;
			t += use;
		}
		if (ns > 0)
			t = s->until;
	}
	if (ns > 0) {
		pieces[nr_pieces++] = (struct busy_span){t, t + ns};
		t += ns;
	}
	for (int i = 0; i < nr_pieces; i++)
		busy_insert(b, pieces[i].from, pieces[i].until);
	return t;
}

/*
 * A store to a line that is not in the cache reads the line first (a read
 * for ownership), so every line zeroed or copied into goes through the
 * controller twice: in, then back out as it is written back.  REP STOSB,
 * which clear_page() runs, does so: on one Broadwell-EP core it zeroes a
 * buffer larger than the L3 at 5.4 GB/s, where MOVNTI, which skips the
 * read, does 11.8 (Ankur Arora, LKML 2020-10-14, "[PATCH 4/8] x86/asm:
 * add clear_page_nt()").  mem_bw_core is the former: bytes zeroed a
 * second, the reads included.
 */
#define RFO_TRAFFIC 2

void memory_stream(size_t bytes)
{
	struct cpu *c = this_cpu();
	double alone = bytes / sim_machine->mem_bw_core * 1e9;
	double t0 = cpu_clock();
	sg_exec_t exec;

	/* The buffers' share first; the controller may then serve it slower. */
	cpu_account(core_stream(c, alone) - alone - t0);
	cpu_sync();
	cache_fill(bytes);
	memory_load_add(c->socket, RFO_TRAFFIC * bytes);
	exec = sg_actor_exec_init((double)(RFO_TRAFFIC * bytes));
	sg_exec_set_host(exec, mem_host[c->socket]);
	sg_exec_set_bound(exec, RFO_TRAFFIC * sim_machine->mem_bw_core);
	c->events++;
	sg_exec_start(exec);
	sg_exec_wait(exec);
	sim_resume(c);
	memory_stats.time_ns += stats_span(t0, sim_now());
	memory_stats.bytes += stats_measuring() ? bytes : 0;
	trace_span(c->id, false, "zeroing/copying", NULL, t0, sim_now());
}

/* Per CPU: bytes its written lines owe the controller, and the batch draining. */
static size_t *backlog;
static sg_exec_t *draining;

/*
 * Lines filled into the cache (read, or read for ownership) and written:
 * the CPU pays the fills at what one core streams; the controller moves
 * the fills and, later, the written lines' write-back.
 */
static void memory_write_lines(size_t filled, size_t written)
{
	struct cpu *c = this_cpu();
	double alone = filled / sim_machine->mem_bw_core * 1e9, t0 = cpu_clock();
	double done = core_stream(c, alone);
	sg_exec_t exec;

	if (!backlog) {
		backlog = calloc(nr_cpu_ids, sizeof(*backlog));
		draining = calloc(nr_cpu_ids, sizeof(*draining));
	}
	trace_span(c->id, false, "zeroing/copying", NULL, t0, done);
	cpu_account(done - t0);
	cache_fill(filled);
	if (stats_measuring()) {
		memory_stats.time_ns += done - t0;
		memory_stats.bytes += filled;
	}
	backlog[c->id] += filled + written;
	if (backlog[c->id] < RFO_TRAFFIC * MEMORY_WRITEBACK_BATCH)
		return;
	cpu_sync();
	if (draining[c->id]) {
		/* The cache cannot take more than memory drains. */
		double waited_from = sim_now();

		c->events++;
		sg_exec_wait(draining[c->id]);
		sim_resume(c);
		memory_stats.time_ns += stats_span(waited_from, sim_now());
	}
	memory_load_add(c->socket, backlog[c->id]);
	exec = sg_actor_exec_init((double)backlog[c->id]);
	sg_exec_set_host(exec, mem_host[c->socket]);
	sg_exec_set_bound(exec, RFO_TRAFFIC * sim_machine->mem_bw_core);
	sg_exec_start(exec);
	sim_resume(c);
	draining[c->id] = exec;
	c->async_started = true;
	backlog[c->id] = 0;
}

void memory_write(size_t bytes)
{
	memory_write_lines(bytes, bytes);
}

void memory_copy(size_t bytes)
{
	memory_write_lines(2 * bytes, bytes);
}

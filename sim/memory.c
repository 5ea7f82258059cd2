/* sim/memory.c - page streams as executions on the memory-controller host. */
#include "memory.h"

#include <simgrid/actor.h>
#include <simgrid/exec.h>
#include <stdlib.h>

#include "cache.h"
#include "cpu.h"
#include "engine.h"
#include "engine_private.h"
#include "trace.h"

struct memory_stats memory_stats;

void memory_stream(size_t bytes)
{
	struct cpu *c = this_cpu();
	sg_exec_t exec;
	double t0;

	cpu_sync();
	t0 = sim_now();
	cache_fill(bytes);
	exec = sg_actor_exec_init((double)bytes);
	sg_exec_set_host(exec, mem_host[c->socket]);
	sg_exec_set_bound(exec, sim_machine->mem_bw_core);
	c->events++;
	sg_exec_start(exec);
	sg_exec_wait(exec);
	sim_resume(c);
	memory_stats.time_ns += stats_span(t0, sim_now());
	memory_stats.bytes += stats_measuring() ? bytes : 0;
	trace_span(c->id, false, "zeroing/copying", NULL, t0, sim_now());
}

/* Per CPU: bytes written but not yet sent to memory, and the batch draining. */
static size_t *backlog;
static sg_exec_t *draining;

void memory_write(size_t bytes)
{
	struct cpu *c = this_cpu();
	sg_exec_t exec;

	if (!backlog) {
		backlog = calloc(nr_cpu_ids, sizeof(*backlog));
		draining = calloc(nr_cpu_ids, sizeof(*draining));
	}
	trace_span(c->id, false, "zeroing/copying", NULL, cpu_clock(),
		   cpu_clock() + bytes / sim_machine->mem_bw_core * 1e9);
	cpu_account(bytes / sim_machine->mem_bw_core * 1e9);
	cache_fill(bytes);
	if (stats_measuring()) {
		memory_stats.time_ns += bytes / sim_machine->mem_bw_core * 1e9;
		memory_stats.bytes += bytes;
	}
	backlog[c->id] += bytes;
	if (backlog[c->id] < MEMORY_WRITEBACK_BATCH)
		return;
	cpu_sync();
	if (draining[c->id]) {
		/* The cache cannot take more than memory drains. */
		double t0 = sim_now();

		c->events++;
		sg_exec_wait(draining[c->id]);
		sim_resume(c);
		memory_stats.time_ns += stats_span(t0, sim_now());
	}
	exec = sg_actor_exec_init((double)backlog[c->id]);
	sg_exec_set_host(exec, mem_host[c->socket]);
	sg_exec_set_bound(exec, sim_machine->mem_bw_core);
	sg_exec_start(exec);
	sim_resume(c);
	draining[c->id] = exec;
	backlog[c->id] = 0;
}

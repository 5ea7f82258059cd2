/* sim/storage.c - latency plus a SimGrid disk read. */
#include "storage.h"

#include <simgrid/actor.h>
#include <simgrid/disk.h>

#include "cpu.h"
#include "engine.h"
#include "engine_private.h"
#include "tlb.h"

struct storage_stats storage_stats;

void storage_read(size_t bytes)
{
	struct cpu *c = this_cpu();
	double t0;

	cpu_sync();
	t0 = sim_now();
	c->asleep_since = t0;
	c->state = CPU_SLEEPING;
	c->events += 2;
	sg_actor_sleep_for(sim_machine->disk_latency * 1e-9);
	sg_disk_read(storage_disk, bytes);
	sim_resume(c);
	/* SimGrid 3.32 keeps a finished I/O among the actor's activities. */
	c->async_started = true;
	c->state = CPU_RUNNING;
	/* Asleep, it was lazy: a shootdown meanwhile may have skipped it. */
	c->pending += switch_mm_lazy_flush(c);
	if (!stats_measuring())
		return;
	storage_stats.reads++;
	storage_stats.bytes += bytes;
	storage_stats.time_ns += stats_span(t0, sim_now());
}

/* sim/storage.c - latency plus a SimGrid disk read. */
#include "storage.h"

#include <simgrid/actor.h>
#include <simgrid/disk.h>

#include "cpu.h"
#include "engine.h"
#include "engine_private.h"

void storage_read(size_t bytes)
{
	struct cpu *c = this_cpu();

	cpu_sync();
	c->state = CPU_SLEEPING;
	c->events += 2;
	sg_actor_sleep_for(sim_machine->disk_latency * 1e-9);
	sg_disk_read(storage_disk, bytes);
	current_cpu = c;
	c->state = CPU_RUNNING;
}

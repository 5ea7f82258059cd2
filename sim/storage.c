/* sim/storage.c - latency plus a SimGrid disk read. */
#include "storage.h"

#include <simgrid/actor.h>
#include <simgrid/disk.h>
#include <simgrid/host.h>
#include <stdlib.h>

#include "cpu.h"
#include "engine.h"

void storage_read(size_t bytes)
{
	struct cpu *c = this_cpu();
	unsigned int nr;
	sg_disk_t *disks;

	cpu_sync();
	sg_host_get_disks(sg_host_by_name("storage"), &nr, &disks);
	c->state = CPU_SLEEPING;
	c->events += 2;
	sg_actor_sleep_for(sim_machine->disk_latency * 1e-9);
	sg_disk_read(disks[0], bytes);
	free(disks);
	current_cpu = c;
	c->state = CPU_RUNNING;
}

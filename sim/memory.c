/* sim/memory.c - a page stream is an execution on the memory-controller host. */
#include "memory.h"

#include <simgrid/actor.h>
#include <simgrid/exec.h>

#include "cpu.h"
#include "engine.h"
#include "engine_private.h"

void memory_stream(size_t bytes)
{
	struct cpu *c = this_cpu();
	sg_exec_t exec;

	cpu_sync();
	exec = sg_actor_exec_init((double)bytes);
	sg_exec_set_host(exec, mem_host[c->socket]);
	sg_exec_set_bound(exec, sim_machine->mem_bw_core);
	c->events++;
	sg_exec_start(exec);
	sg_exec_wait(exec);
	current_cpu = c;
}

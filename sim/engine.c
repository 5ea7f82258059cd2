/* sim/engine.c - SimGrid set-up, the CPU actors and the end of a run.
 *
 * Besides one actor per busy CPU, a daemon actor sleeps until the time
 * limit: if the CPUs have not all finished by then, it reports what each
 * still waits for.  A run therefore always ends, deadlocked or not.
 */
#include "engine.h"

#include <gsl/gsl_rng.h>
#include <malloc.h>

#include <simgrid/actor.h>
#include <simgrid/disk.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xbt/log.h>

#include "cpu.h"
#include "engine_private.h"
#include "irq.h"
#include "lockup.h"
#include "rcu.h"
#include "rwsem.h"
#include "tlb.h"

const struct sim_config *sim_cfg;
const struct machine *sim_machine;

struct cpu *cpus;
int nr_cpu_ids;
struct cpu *current_cpu;
double sim_clock_ns;
sg_sem_t *cpu_sem;
sg_actor_t *cpu_actor;
sg_host_t *mem_host;
sg_disk_t storage_disk;

struct cpu_task {
	void (*fn)(void *arg);
	void *arg;
};

static struct cpu_task *tasks;
static int nr_tasks, nr_done;
static struct sim_outcome *outcome;
static double time_limit;

static void cpu_init(struct cpu *c, int id)
{
	c->id = id;
	c->socket = machine_cpu_socket(sim_machine, id);
	c->core = machine_cpu_core(sim_machine, id);
	c->llc = machine_cpu_llc(sim_machine, id);
	/* A CPU without a task idles: IRQs on, nothing to delay. */
	c->state = CPU_SLEEPING;
	c->ipi_pending_tail = &c->ipi_pending;
	histogram_init(&c->irqs_off);
	c->rng = gsl_rng_alloc(gsl_rng_mt19937);
	/* Distinct, reproducible streams: the run seed spread by CPU id. */
	gsl_rng_set(c->rng, sim_cfg->seed * 1000003UL + (unsigned long)id + 1);
}

static sg_disk_t engine_storage_disk(void)
{
	unsigned int nr;
	sg_disk_t *disks, d;

	sg_host_get_disks(sg_host_by_name("storage"), &nr, &disks);
	d = disks[0];
	free(disks);
	return d;
}

int sim_init(const struct sim_config *cfg, char *err, int errlen)
{
	char path[] = "/tmp/faultsim-platform-XXXXXX";
	int argc = 1, fd;
	char *argv[] = {"faultsim", NULL};

	sim_cfg = cfg;
	sim_machine = &cfg->machine;
	nr_cpu_ids = machine_nr_cpus(sim_machine);
	/*
	 * Every loop of a page-fault workload frees its VMAs and LRU runs and
	 * allocates them again: kept in the heap instead of going back to the
	 * OS, their memory is not faulted in afresh each time.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);

	fd = mkstemp(path);
	if (fd < 0 || (close(fd), machine_write_platform(sim_machine, path)) != 0) {
		snprintf(err, errlen, "cannot write the platform file %s", path);
		return -1;
	}
	simgrid_init(&argc, argv);
	/* SimGrid's own chatter would drown our reports; errors still show. */
	xbt_log_control_set("root.thresh:error ker_engine.thresh:critical");
	simgrid_load_platform(path);
	unlink(path);

	cpus = calloc(nr_cpu_ids, sizeof(*cpus));
	cpu_sem = calloc(nr_cpu_ids, sizeof(*cpu_sem));
	cpu_actor = calloc(nr_cpu_ids, sizeof(*cpu_actor));
	tasks = calloc(nr_cpu_ids, sizeof(*tasks));
	for (int i = 0; i < nr_cpu_ids; i++) {
		cpu_init(&cpus[i], i);
		cpu_sem[i] = sg_sem_init(0);
	}
	mem_host = calloc(sim_machine->sockets, sizeof(*mem_host));
	for (int s = 0; s < sim_machine->sockets; s++) {
		char name[16];

		snprintf(name, sizeof(name), "mem%d", s);
		mem_host[s] = sg_host_by_name(name);
	}
	storage_disk = engine_storage_disk();
	histogram_init(&ipi_stats.wait);
	irq_init();
	rwsem_init();
	histogram_init(&tlb_stats.wait);
	init_srcu_struct(&rcu_state, "rcu_gp");
	return 0;
}

static void cpu_main(int argc, char **argv)
{
	struct cpu *c = &cpus[atoi(argv[0])];

	(void)argc;
	sim_resume(c);
	c->state = CPU_RUNNING;
	tasks[c->id].fn(tasks[c->id].arg);
	cpu_sync();
	c->state = CPU_DONE;
	nr_done++;
}

void sim_start_cpu(int cpu, void (*task)(void *arg), void *arg)
{
	char name[16], id[16];
	const char *argv[] = {id};

	/* The actor and its host share the CPU's name. */
	snprintf(name, sizeof(name), "cpu%d", cpu);
	snprintf(id, sizeof(id), "%d", cpu);
	tasks[cpu].fn = task;
	tasks[cpu].arg = arg;
	cpus[cpu].busy = true;
	nr_tasks++;
	cpu_actor[cpu] = sg_actor_create_(name, sg_host_by_name(name), cpu_main, 1, argv);
}

void sim_abort(enum sim_end end, const char *report)
{
	outcome->end = end;
	snprintf(outcome->report, sizeof(outcome->report), "%s", report);
	outcome->sim_time = sim_now();
	sg_actor_kill_all();
	sg_actor_exit();
}

/* The soft-lockup detector: nothing may run past the time limit. */
static void time_limit_main(int argc, char **argv)
{
	char report[8192];
	enum sim_end end;

	(void)argc;
	(void)argv;
	sg_actor_sleep_until(time_limit * 1e-9);
	sim_resume(NULL);
	end = lockup_describe_stall(report, sizeof(report));
	sim_abort(end, report);
}

void sim_run(double limit_ns, struct sim_outcome *out)
{
	sg_actor_t watchdog;

	outcome = out;
	out->end = SIM_END_OK;
	out->report[0] = '\0';
	time_limit = limit_ns;
	watchdog = sg_actor_create("watchdog", sg_host_by_name("cpu0"), time_limit_main, 0, NULL);
	sg_actor_daemonize(watchdog);

	simgrid_run();
	sim_resume(NULL);

	if (out->end == SIM_END_OK) {
		out->sim_time = sim_now();
		if (nr_done != nr_tasks) {
			/* SimGrid found every actor blocked: a deadlock. */
			lockup_describe_stall(out->report, sizeof(out->report));
			out->end = SIM_END_DEADLOCK;
		}
	}
	out->events = 0;
	for (int i = 0; i < nr_cpu_ids; i++)
		out->events += cpus[i].events;
}

void sim_resume(struct cpu *c)
{
	sim_clock_ns = simgrid_get_clock() * 1e9;
	if (c)
		current_cpu = c;
}

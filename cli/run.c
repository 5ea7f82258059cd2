/* cli/run.c - scenario to sim_config and workload, run, hand to output. */
#include "run.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"

/* Beyond the measured duration, how long tasks may take to wind down. */
#define RUN_GRACE_NS 1e9

static void config_from_scenario(const struct scenario *sc, struct sim_config *cfg,
				 struct workload_params *wp, unsigned long seed)
{
	struct machine *m = &cfg->machine;

#define MACHINE_NUM(field) m->field = scenario_num(sc, "machine", #field)
	MACHINE_NUM(sockets);
	MACHINE_NUM(cores_per_socket);
	MACHINE_NUM(smt);
	MACHINE_NUM(cores_per_llc);
	MACHINE_NUM(freq);
	MACHINE_NUM(line_smt);
	MACHINE_NUM(line_llc);
	MACHINE_NUM(line_socket);
	MACHINE_NUM(line_remote);
	MACHINE_NUM(atomic);
	MACHINE_NUM(ipi_latency);
	MACHINE_NUM(ipi_handler);
	MACHINE_NUM(wakeup);
	MACHINE_NUM(invlpg);
	MACHINE_NUM(mem_bw);
	MACHINE_NUM(mem_bw_core);
	MACHINE_NUM(disk_latency);
	MACHINE_NUM(disk_bw);
#undef MACHINE_NUM

	cfg->spinlock = strcmp(scenario_str(sc, "kernel", "spinlock"), "ticket") == 0
			    ? SPINLOCK_TICKET
			    : SPINLOCK_QUEUED;
	cfg->watchdog_thresh = scenario_num(sc, "kernel", "watchdog_thresh");
	cfg->rcu_gp = scenario_num(sc, "kernel", "rcu_gp");
	cfg->seed = seed;

	wp->type = scenario_str(sc, "workload", "type");
	wp->tasks = (int)scenario_num(sc, "workload", "threads");
	wp->processes = false;
	wp->duration = scenario_num(sc, "workload", "duration");
	wp->critical_section = scenario_num(sc, "workload", "critical_section");
	wp->think_time = scenario_num(sc, "workload", "think_time");
	wp->spin_irqs_off = scenario_num(sc, "workload", "spin_irqs_off") != 0;
	wp->flush_in_cs = scenario_num(sc, "workload", "flush_in_cs") != 0;
}

/* What no single key can say wrong: the machine and the tasks together. */
static int check_config(const struct scenario *sc, const struct sim_config *cfg,
			const struct workload_params *wp)
{
	const char *why;
	int nr = machine_nr_cpus(&cfg->machine);

	if (machine_validate(&cfg->machine, &why)) {
		fprintf(stderr, "faultsim: %s: [machine] %s\n",
			scenario_where(sc, "machine", "profile"), why);
		return 2;
	}
	if (wp->tasks > nr) {
		fprintf(stderr,
			"faultsim: %s: [workload] threads: %d tasks but the machine has %d CPUs "
			"(one task per CPU)\n",
			scenario_where(sc, "workload", "threads"), wp->tasks, nr);
		return 2;
	}
	return 0;
}

static int load(const struct run_opts *o, struct scenario *sc, struct sim_config *cfg,
		struct workload_params *wp)
{
	if (scenario_load(sc, o->scenario, o->sets, o->nr_sets)) {
		fprintf(stderr, "faultsim: %s\n", sc->error);
		return 2;
	}
	config_from_scenario(sc, cfg, wp, o->seed);
	return check_config(sc, cfg, wp);
}

int faultsim_check(const struct run_opts *o)
{
	struct scenario sc;
	struct sim_config cfg = {0};
	struct workload_params wp = {0};
	int rc = load(o, &sc, &cfg, &wp);

	if (!rc)
		printf("%s: ok: %s workload, %d tasks on %d CPUs\n", o->scenario, wp.type, wp.tasks,
		       machine_nr_cpus(&cfg.machine));
	scenario_free(&sc);
	return rc;
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int faultsim_run(const struct run_opts *o)
{
	static struct sim_config cfg;
	static struct workload_params wp;
	struct scenario sc;
	struct output_files files;
	struct run_result res = {.opts = o, .sc = &sc, .cfg = &cfg, .wp = &wp};
	const struct workload_ops *ops;
	char err[256];
	double t0;
	int rc = load(o, &sc, &cfg, &wp);

	if (rc || output_open(&files, o, err, sizeof(err))) {
		if (!rc)
			fprintf(stderr, "faultsim: %s\n", err);
		scenario_free(&sc);
		return 2;
	}
	ops = workload_find(wp.type);
	if (sim_init(&cfg, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		output_abandon(&files);
		return 2;
	}
	t0 = wall_seconds();
	ops->start(&wp);
	sim_run(wp.duration + cfg.watchdog_thresh + RUN_GRACE_NS, &res.outcome);
	res.wall_time = wall_seconds() - t0;
	ops->collect(&res.work);

	rc = output_write(&files, &res);
	scenario_free(&sc);
	if (rc)
		return rc;
	return res.outcome.end == SIM_END_OK ? 0 : 3;
}

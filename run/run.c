/* run/run.c - scenario to sim_config and workload, run, hand to output. */
#include "run.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "../lang/placement.h"
#include "../lang/units.h"
#include <time.h>

#include "output.h"
#include "trace_out.h"

/* Beyond the measured duration, how long tasks may take to wind down. */
#define RUN_GRACE_NS 1e9

static bool is(const struct scenario *sc, const char *key, const char *value)
{
	return strcmp(scenario_str(sc, "kernel", key), value) == 0;
}

static void kernel_from_scenario(const struct scenario *sc, struct mm_tunables *k)
{
	k->fault_path = is(sc, "fault_path", "spf")	 ? FAULT_PATH_SPF
			: is(sc, "fault_path", "pervma") ? FAULT_PATH_PERVMA
							 : FAULT_PATH_CLASSIC;
	k->ptl = is(sc, "ptl", "mm") ? PTL_MM : PTL_SPLIT;
	k->max_try = (int)scenario_num(sc, "kernel", "max_try");
	k->pte_lock = is(sc, "pte_lock", "spin") ? PTE_LOCK_SPIN : PTE_LOCK_TRYLOCK;
	k->uffd_race = is(sc, "uffd_race", "abort") ? UFFD_RACE_ABORT : UFFD_RACE_IGNORE;
	k->thp = is(sc, "thp", "always");
	k->thp_fail = scenario_num(sc, "kernel", "thp_fail");
	k->text_thp = is(sc, "text_thp", "always");
	k->text_thp_posted = is(sc, "text_thp_patch", "posted");
	k->fault_around_bytes = (unsigned long)scenario_num(sc, "kernel", "fault_around_bytes");
	k->ra_bytes = (unsigned long)scenario_num(sc, "kernel", "readahead");
	k->read_error = scenario_num(sc, "kernel", "read_error");
	k->munmap_downgrade = scenario_num(sc, "kernel", "munmap_downgrade") != 0;
	k->vma_lock_file_faults = scenario_num(sc, "kernel", "vma_lock_file_faults") != 0;
	k->zap_delay_rmap = scenario_num(sc, "kernel", "zap_delay_rmap") != 0;
}

static void config_from_scenario(const struct scenario *sc, struct sim_config *cfg,
				 struct workload_params *wp, unsigned long seed)
{
	struct machine *m = &cfg->machine;

#define MACHINE_NUM(field) m->field = scenario_num(sc, "machine", #field)
	MACHINE_NUM(sockets);
	MACHINE_NUM(cores_per_socket);
	MACHINE_NUM(smt);
	MACHINE_NUM(smt_yield);
	MACHINE_NUM(cores_per_llc);
	MACHINE_NUM(freq);
	MACHINE_NUM(line_smt);
	MACHINE_NUM(line_llc);
	MACHINE_NUM(line_socket);
	MACHINE_NUM(line_remote);
	MACHINE_NUM(line_occupancy);
	MACHINE_NUM(atomic);
	MACHINE_NUM(ipi_send);
	m->ipi_multicast = scenario_num(sc, "machine", "ipi_multicast") != 0;
	MACHINE_NUM(ipi_latency);
	MACHINE_NUM(ipi_handler);
	MACHINE_NUM(wakeup);
	MACHINE_NUM(idle_c1e_exit);
	MACHINE_NUM(idle_c1e_residency);
	MACHINE_NUM(idle_c6_exit);
	MACHINE_NUM(idle_c6_residency);
	MACHINE_NUM(invlpg);
	MACHINE_NUM(mem_latency);
	MACHINE_NUM(mem_latency_remote);
	MACHINE_NUM(mem_bw);
	MACHINE_NUM(mem_bw_core);
	MACHINE_NUM(mem_queueing);
	MACHINE_NUM(fill_buffers);
	MACHINE_NUM(disk_latency);
	MACHINE_NUM(disk_bw);
	MACHINE_NUM(fault_entry);
	MACHINE_NUM(syscall_entry);
	MACHINE_NUM(vma_op);
	MACHINE_NUM(zap_page);
	m->cost.vma_tree_level = scenario_num(sc, "machine", "cost_vma_tree_level");
	m->cost.walk_level = scenario_num(sc, "machine", "cost_walk_level");
	m->cost.pcp_alloc = scenario_num(sc, "machine", "cost_pcp_alloc");
	m->cost.pcp_free = scenario_num(sc, "machine", "cost_pcp_free");
	m->cost.buddy_page = scenario_num(sc, "machine", "cost_buddy_page");
	m->cost.set_pte = scenario_num(sc, "machine", "cost_set_pte");
	m->cost.irq_toggle = scenario_num(sc, "machine", "cost_irq_toggle");
	m->cost.l1_hit = scenario_num(sc, "machine", "cost_l1_hit");
	m->cost.lru_page = scenario_num(sc, "machine", "cost_lru_page");
	m->cost.change_pte = scenario_num(sc, "machine", "cost_change_pte");
	m->cost.gap_search = scenario_num(sc, "machine", "cost_gap_search");
	m->cost.user_touch = scenario_num(sc, "machine", "cost_user_touch");
	m->cost.srcu_read = scenario_num(sc, "machine", "cost_srcu_read");
	m->cost.rcu_read = scenario_num(sc, "machine", "cost_rcu_read");
	m->tlb.itlb_4k = (int)scenario_num(sc, "machine", "itlb_4k");
	m->tlb.itlb_2m = (int)scenario_num(sc, "machine", "itlb_2m");
	m->tlb.stlb = (int)scenario_num(sc, "machine", "stlb");
	m->tlb.stlb_hit = scenario_num(sc, "machine", "stlb_hit");
	m->tlb.l2_hit = scenario_num(sc, "machine", "l2_hit");
	m->tlb.llc_hit = scenario_num(sc, "machine", "llc_hit");
	m->tlb.l2_size = scenario_num(sc, "machine", "l2_size");
	m->tlb.llc_size = scenario_num(sc, "machine", "llc_size");
#undef MACHINE_NUM

	cfg->spinlock = strcmp(scenario_str(sc, "kernel", "spinlock"), "ticket") == 0
			    ? SPINLOCK_TICKET
			    : SPINLOCK_QUEUED;
	cfg->rwsem_reader_spin = scenario_num(sc, "kernel", "rwsem_reader_spin") != 0;
	cfg->watchdog_thresh = scenario_num(sc, "kernel", "watchdog_thresh");
	cfg->rcu_gp = scenario_num(sc, "kernel", "rcu_gp");
	cfg->seed = seed;

	wp->type = scenario_str(sc, "workload", "type");
	wp->processes = scenario_num(sc, "workload", "processes") > 0;
	wp->tasks = (int)scenario_num(sc, "workload", wp->processes ? "processes" : "threads");
	wp->duration = scenario_num(sc, "workload", "duration");
	if (!strcmp(scenario_str(sc, "workload", "warmup"), "auto"))
		wp->warmup = WARMUP_AUTO;
	else if (parse_time(scenario_str(sc, "workload", "warmup"), &wp->warmup))
		wp->warmup = NAN; /* refused by check_config() */
	wp->critical_section = scenario_num(sc, "workload", "critical_section");
	wp->think_time = scenario_num(sc, "workload", "think_time");
	wp->loop_jitter = scenario_num(sc, "workload", "loop_jitter");
	wp->spin_irqs_off = scenario_num(sc, "workload", "spin_irqs_off") != 0;
	wp->flush_in_cs = scenario_num(sc, "workload", "flush_in_cs") != 0;
	wp->region = (unsigned long)scenario_num(sc, "workload", "region");
	wp->interleave = (unsigned long)scenario_num(sc, "workload", "interleave");
	wp->slot = (unsigned long)scenario_num(sc, "workload", "slot");
	wp->slots = (unsigned long)scenario_num(sc, "workload", "slots");
	wp->shared = scenario_num(sc, "workload", "shared") != 0;
	wp->random = scenario_num(sc, "workload", "random") != 0;
	wp->munmap_ratio = scenario_num(sc, "workload", "munmap_ratio");
	wp->mprotect_ratio = scenario_num(sc, "workload", "mprotect_ratio");
	wp->madvise_ratio = scenario_num(sc, "workload", "madvise_ratio");
	wp->uffd_ratio = scenario_num(sc, "workload", "uffd_ratio");
	wp->text_size = (unsigned long)scenario_num(sc, "workload", "text_size");
	wp->text_aligned = scenario_num(sc, "workload", "text_aligned") != 0;
	wp->text_cache =
	    strcmp(scenario_str(sc, "workload", "cache"), "warm") == 0	  ? TEXT_CACHE_WARM
	    : strcmp(scenario_str(sc, "workload", "cache"), "small") == 0 ? TEXT_CACHE_SMALL
									  : TEXT_CACHE_COLD;
	wp->footprint = (unsigned long)scenario_num(sc, "workload", "footprint");
	wp->text_same_start = strcmp(scenario_str(sc, "workload", "text_start"), "same") == 0;
	wp->text_writes = scenario_num(sc, "workload", "text_writes");
	wp->text_shared = scenario_num(sc, "workload", "text_shared") != 0;
	wp->line_cycles = scenario_num(sc, "workload", "line_cycles");
	kernel_from_scenario(sc, &wp->kernel);
}

static int bad_key(const struct scenario *sc, const char *section, const char *key, const char *why)
{
	fprintf(stderr, "faultsim: %s: [%s] %s: %s\n", scenario_where(sc, section, key), section,
		key, why);
	return 2;
}

/*
 * An error that several keys make together is blamed on the one the user
 * set last (--set over the file over the profile), first listed on a tie.
 */
static int bad_keys(const struct scenario *sc, const char *section, const char *list,
		    const char *why)
{
	char buf[128], *save, *key, *best = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (key = strtok_r(buf, ",", &save); key; key = strtok_r(NULL, ",", &save))
		if (!best || scenario_layer(sc, section, key) > scenario_layer(sc, section, best))
			best = key;
	return bad_key(sc, section, best, why);
}

static int check_tasks(const struct scenario *sc, const struct workload_params *wp, int nr)
{
	const char *key = wp->processes ? "processes" : "threads";
	char why[128];

	if (wp->processes && scenario_num(sc, "workload", "threads") > 0)
		return bad_keys(sc, "workload", "processes,threads",
				"set threads or processes, not both");
	if (wp->tasks < 1)
		return bad_key(sc, "workload", "threads",
			       "set threads (tasks of one process) or processes (one task each), "
			       "at least 1");
	if (wp->tasks > nr) {
		snprintf(why, sizeof(why),
			 "%d tasks but the machine has %d CPUs (one task per CPU)", wp->tasks, nr);
		return bad_key(sc, "workload", key, why);
	}
	return 0;
}

/* [workload] placement: the CPU of each task, kept for the run. */
static int place_tasks(const struct scenario *sc, const struct sim_config *cfg,
		       struct workload_params *wp)
{
	static int *cpu_of;
	char why[256];

	free(cpu_of);
	cpu_of = calloc(wp->tasks, sizeof(*cpu_of));
	if (placement_build(scenario_str(sc, "workload", "placement"), wp->type, &cfg->machine,
			    wp->tasks, cpu_of, why, sizeof(why)))
		return bad_key(sc, "workload", "placement", why);
	wp->cpu_of = cpu_of;
	return 0;
}

/* What no single key can say wrong: the machine and the tasks together. */
static int check_config(const struct scenario *sc, const struct sim_config *cfg,
			const struct workload_params *wp)
{
	const char *why, *culprits;
	double shares = wp->munmap_ratio + wp->mprotect_ratio + wp->madvise_ratio + wp->uffd_ratio;

	if (machine_validate(&cfg->machine, &culprits, &why))
		return bad_keys(sc, "machine", culprits, why);
	if (check_tasks(sc, wp, machine_nr_cpus(&cfg->machine)))
		return 2;
	if (!(wp->warmup == WARMUP_AUTO || (wp->warmup >= 0 && wp->warmup <= 100e9)))
		return bad_key(sc, "workload", "warmup",
			       "not auto or a time up to 100s (such as 0, 50ms)");
	if (wp->region % PAGE_SIZE)
		return bad_key(sc, "workload", "region", "not a whole number of 4 KiB pages");
	if (wp->slot % PAGE_SIZE)
		return bad_key(sc, "workload", "slot", "not a whole number of 4 KiB pages");
	if (shares > 1)
		return bad_keys(
		    sc, "workload", "uffd_ratio,munmap_ratio,mprotect_ratio,madvise_ratio",
		    "the shares of munmap, mprotect, madvise and uffd add up to more than 1");
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
	if (check_config(sc, cfg, wp))
		return 2;
	return place_tasks(sc, cfg, wp);
}

/* check --print: a line a key, its value in base units and where it came from. */
static void print_setting(const char *section, const char *name, const char *value, double base,
			  const char *where, void *arg)
{
	char key[96];

	(void)arg;
	snprintf(key, sizeof(key), "[%s] %s", section, name);
	if (isnan(base) || !strcmp(value, "true") || !strcmp(value, "false"))
		printf("  %-34s %-16s from %s\n", key, value, where);
	else
		printf("  %-34s %-16.10g from %s (as %s)\n", key, base, where, value);
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
	if (!rc && o->print)
		scenario_foreach(&sc, print_setting, NULL);
	scenario_free(&sc);
	return rc;
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A trace is for small runs: refuse a big one before anything runs. */
static int check_trace(const struct run_opts *o, const struct scenario *sc,
		       const struct workload_params *wp)
{
	double cpu_ms = wp->tasks * wp->duration / 1e6;

	if (!o->trace || cpu_ms <= TRACE_MAX_CPU_MS)
		return 0;
	fprintf(stderr,
		"faultsim: %s: --trace: %d tasks x %g ms = %g CPU-ms, above the %g CPU-ms a trace "
		"may cover; shorten [workload] duration or use fewer tasks\n",
		scenario_where(sc, "workload", "duration"), wp->tasks, wp->duration / 1e6, cpu_ms,
		TRACE_MAX_CPU_MS);
	return 2;
}

int faultsim_run(const struct run_opts *o)
{
	static struct sim_config cfg;
	static struct workload_params wp;
	struct scenario sc;
	struct output_files files;
	struct run_result res = {
	    .opts = o,
	    .sc = &sc,
	    .cfg = &cfg,
	    .wp = &wp,
	    .work = {.loops_min = -1}}; /* a workload without loops says nothing */
	const struct workload_ops *ops;
	char err[256];
	double t0;
	struct output_file trace = {0};
	int rc = load(o, &sc, &cfg, &wp);

	if (!rc)
		rc = check_trace(o, &sc, &wp);
	if (rc) {
		scenario_free(&sc);
		return rc;
	}
	if (output_open(&files, o, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		scenario_free(&sc);
		return outfile_failure_status();
	}
	if (outfile_open(&trace, o->trace, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		output_abandon(&files);
		scenario_free(&sc);
		return outfile_failure_status();
	}
	trace_on = o->trace != NULL;
	ops = workload_find(wp.type);
	/* The platform file goes to /tmp: failing to write it is the machine's fault. */
	if (sim_init(&cfg, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		output_abandon(&files);
		outfile_abandon(&trace);
		return EXIT_NO_RESOURCE;
	}
	t0 = wall_seconds();
	ops->start(&wp);
	sim_run((wp.warmup == WARMUP_AUTO ? WARMUP_AUTO_MAX : wp.warmup) + wp.duration +
		    cfg.watchdog_thresh + RUN_GRACE_NS,
		&res.outcome);
	res.wall_time = wall_seconds() - t0;
	ops->collect(&res.work);

	rc = output_write(&files, &res);
	if (trace.f) {
		trace_write(trace.f, nr_cpu_ids);
		if (outfile_commit(&trace))
			rc = outfile_failure_status();
	}
	scenario_free(&sc);
	if (rc)
		return rc;
	return res.outcome.end == SIM_END_OK ? 0 : 3;
}

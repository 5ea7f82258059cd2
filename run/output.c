/* run/output.c - one JSON object per run; CSV and summary derive from it. */
#include "output.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flatten.h"
#include "outfile.h"
#include "../lang/placement.h"

int output_open(struct output_files *files, const struct run_opts *o, char *err, int len)
{
	memset(files, 0, sizeof(*files));
	if (outfile_open(&files->json, o->json, err, len))
		return -1;
	if (outfile_open(&files->csv, o->csv, err, len)) {
		outfile_abandon(&files->json);
		return -1;
	}
	return 0;
}

void output_abandon(struct output_files *files)
{
	outfile_abandon(&files->json);
	outfile_abandon(&files->csv);
}

static const char *const end_names[] = {
    [SIM_END_OK] = "ok",
    [SIM_END_LOCKUP] = "lockup",
    [SIM_END_DEADLOCK] = "deadlock",
    [SIM_END_LIVELOCK] = "livelock",
};

static json_t *histogram_json(const struct histogram *h)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:I}", "p50", histogram_quantile(h, 0.5), "p90",
			 histogram_quantile(h, 0.9), "p99", histogram_quantile(h, 0.99), "p999",
			 histogram_quantile(h, 0.999), "max", h->max, "mean", histogram_mean(h),
			 "count", (json_int_t)h->count);
}

/* params.SECTION.KEY: {"value": as typed, "base": in base units, "from": where}. */
static void param_json(const char *section, const char *name, const char *value, double base,
		       const char *where, void *arg)
{
	json_t *params = arg, *sec = json_object_get(params, section), *p;

	if (!sec) {
		sec = json_object();
		json_object_set_new(params, section, sec);
	}
	p = json_pack("{s:s,s:s}", "value", value, "from", where);
	if (!isnan(base))
		json_object_set_new(p, "base", json_real(base));
	json_object_set_new(sec, name, p);
}

static json_t *params_json(const struct scenario *sc)
{
	json_t *params = json_object();

	scenario_foreach(sc, param_json, params);
	return params;
}

static json_t *locks_json(void)
{
	json_t *locks = json_object();

	for (struct lock_class *c = lock_class_first(); c; c = c->next) {
		double n = c->acquisitions ? (double)c->acquisitions : 1;

		json_object_set_new(locks, c->name,
				    json_pack("{s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "acquisitions",
					      (json_int_t)c->acquisitions, "contentions",
					      (json_int_t)c->contentions, "wait_total_ns",
					      c->wait_total, "wait_max_ns", c->wait_max,
					      "wait_avg_ns", c->wait_total / n, "hold_total_ns",
					      c->hold_total, "hold_max_ns", c->hold_max,
					      "hold_avg_ns", c->hold_total / n));
	}
	return locks;
}

/* IRQs-off figures of every busy CPU, and the worst over all of them. */
static json_t *irqs_off_json(double *max, double *p99)
{
	json_t *arr = json_array();

	*max = *p99 = 0;
	for (int i = 0; i < nr_cpu_ids; i++) {
		const struct histogram *h = &cpus[i].irqs_off;
		double q = histogram_quantile(h, 0.99);
		/* A section still open at the end (a lockup) counts too. */
		double open = cpus[i].irqs_disabled ? sim_now() - cpus[i].irqs_off_since : 0;
		double m = open > h->max ? open : h->max;

		if (!cpus[i].busy)
			continue;
		json_array_append_new(arr,
				      json_pack("{s:i,s:I,s:f,s:f}", "cpu", i, "sections",
						(json_int_t)h->count, "max_ns", m, "p99_ns", q));
		if (m > *max)
			*max = m;
		if (q > *p99)
			*p99 = q;
	}
	return arr;
}

static json_t *counters_json(void)
{
	json_t *o = json_object();

	for (struct counter *c = counter_first(); c; c = c->next)
		json_object_set_new(o, c->name, json_integer((json_int_t)c->value));
	return o;
}

static json_t *histograms_json(void)
{
	json_t *o = json_object();

	for (struct named_histogram *n = named_histogram_first(); n; n = n->next)
		json_object_set_new(o, n->name, histogram_json(&n->hist));
	return o;
}

/* The measured window's length, up to where the run ended, ns. */
static double window_span(const struct run_result *r)
{
	double end = r->outcome.sim_time;

	return end < stats_from + r->wp->duration ? end - stats_from : r->wp->duration;
}

/*
 * Idle CPU time: the share of the tasks' CPU time spent asleep (on a
 * rwsem, a page lock, a grace period), overall and per task; and the
 * machine's, as will-it-scale's runtest.py reports threads_idle and
 * processes_idle from /proc/stat's "cpu" line, where a CPU without a task
 * idles all the time.  Each sleep is two context switches, to the idle
 * task and back, as perf stat's context-switches counts them.
 */
static json_t *idle_json(const struct run_result *r)
{
	int nr_cpus = machine_nr_cpus(&r->cfg->machine);
	double span = window_span(r), total = 0, sleeps = 0;
	json_t *per_task = json_array();

	for (int i = 0; i < r->wp->tasks; i++) {
		const struct cpu *c = &cpus[task_cpu(r->wp, i)];

		total += c->idle_ns;
		sleeps += c->sleeps;
		json_array_append_new(per_task, json_real(span > 0 ? 100 * c->idle_ns / span : 0));
	}
	return json_pack(
	    "{s:f,s:f,s:o,s:f}", "pct", span > 0 ? 100 * total / (span * r->wp->tasks) : 0,
	    "machine_pct",
	    span > 0 ? 100 * (total + (nr_cpus - r->wp->tasks) * span) / (span * nr_cpus) : 0,
	    "per_task_pct", per_task, "context_switches_per_s",
	    span > 0 ? 2 * sleeps / (span * 1e-9) : 0);
}

/*
 * Spinning on spinlocks: the share of the tasks' CPU time their waiters
 * spent spinning in the window, overall and per lock class, as a profile
 * of the machine shows it in native_queued_spin_lock_slowpath() (LKP's
 * perf-profile.self.cycles-pp figures).  Sleeping and rwsem spinning are excluded.
 */
static json_t *spin_json(const struct run_result *r)
{
	double cpu_time = window_span(r) * r->wp->tasks, total = 0;
	json_t *per_lock = json_object();

	for (struct lock_class *c = lock_class_first(); c; c = c->next) {
		if (!c->spins)
			continue;
		total += c->wait_total;
		json_object_set_new(per_lock, c->name,
				    json_real(cpu_time > 0 ? 100 * c->wait_total / cpu_time : 0));
	}
	return json_pack("{s:f,s:o}", "pct", cpu_time > 0 ? 100 * total / cpu_time : 0,
			 "per_lock_pct", per_lock);
}

static json_t *result_json(const struct run_result *r)
{
	const struct workload_result *w = &r->work;
	double sim_s = r->wp->duration / 1e9;
	double irq_max, irq_p99;
	json_t *per_cpu = irqs_off_json(&irq_max, &irq_p99);
	json_t *root;

	root = json_pack("{s:s,s:I,s:i,s:i,s:s}", "scenario", r->opts->scenario, "seed",
			 (json_int_t)r->opts->seed, "cpus", machine_nr_cpus(&r->cfg->machine),
			 "tasks", r->wp->tasks, "workload", r->wp->type);
	json_object_set_new(root, "params", params_json(r->sc));
	json_object_set_new(root, "end", json_string(end_names[r->outcome.end]));
	json_object_set_new(root, "lockup", json_boolean(r->outcome.end != SIM_END_OK));
	json_object_set_new(root, "report",
			    r->outcome.report[0] ? json_string(r->outcome.report) : json_null());
	json_object_set_new(root, "throughput", json_real(w->ops / sim_s));
	json_object_set_new(root, "ops", json_integer((json_int_t)w->ops));
	json_object_set_new(root, "ops_per_task_per_s",
			    json_pack("{s:f,s:f,s:f}", "mean", w->ops / sim_s / r->wp->tasks, "min",
				      w->ops_min / sim_s, "max", w->ops_max / sim_s));
	json_object_set_new(root, "faults", json_integer((json_int_t)w->faults));
	json_object_set_new(root, "faults_per_s", json_real(w->faults / sim_s));
	json_object_set_new(root, "faults_total", json_integer((json_int_t)w->faults_total));
	if (w->nr_metrics) {
		json_t *m = json_object();

		for (int i = 0; i < w->nr_metrics; i++)
			json_object_set_new(m, w->metrics[i].name, json_real(w->metrics[i].value));
		json_object_set_new(root, "workload_metrics", m);
	}
	json_object_set_new(root, "sim_time_s", json_real(sim_s));
	json_object_set_new(root, "warmup_s", json_real(stats_from / 1e9));
	if (w->loops_min >= 0)
		json_object_set_new(root, "loops_min", json_integer(w->loops_min));
	json_object_set_new(root, "sim_end_s", json_real(r->outcome.sim_time / 1e9));
	json_object_set_new(root, "wall_time_s", json_real(r->wall_time));
	json_object_set_new(root, "events", json_integer((json_int_t)r->outcome.events));
	json_object_set_new(root, "latency_ns", histogram_json(&w->latency));
	json_object_set_new(root, "irqs_off_max_ns", json_real(irq_max));
	json_object_set_new(root, "irqs_off_p99_ns", json_real(irq_p99));
	json_object_set_new(root, "irqs_off_per_cpu", per_cpu);
	json_object_set_new(root, "idle", idle_json(r));
	json_object_set_new(root, "locks", locks_json());
	json_object_set_new(root, "spin", spin_json(r));
	json_object_set_new(root, "ipi",
			    json_pack("{s:I,s:I,s:I,s:I,s:o}", "calls", (json_int_t)ipi_stats.calls,
				      "ipis", (json_int_t)ipi_stats.ipis, "deferred",
				      (json_int_t)ipi_stats.deferred, "coalesced",
				      (json_int_t)ipi_stats.coalesced, "wait_ns",
				      histogram_json(&ipi_stats.wait)));
	json_object_set_new(
	    root, "tlb",
	    json_pack("{s:I,s:I,s:I,s:o}", "shootdowns", (json_int_t)tlb_stats.shootdowns,
		      "lazy_skipped", (json_int_t)tlb_stats.lazy_skipped, "caught_up",
		      (json_int_t)tlb_stats.caught_up, "wait_ns", histogram_json(&tlb_stats.wait)));
	json_object_set_new(root, "storage",
			    json_pack("{s:I,s:I,s:f}", "reads", (json_int_t)storage_stats.reads,
				      "bytes", (json_int_t)storage_stats.bytes, "time_ns",
				      storage_stats.time_ns));
	json_object_set_new(root, "memory",
			    json_pack("{s:f,s:I}", "time_ns", memory_stats.time_ns, "bytes",
				      (json_int_t)memory_stats.bytes));
	json_object_set_new(root, "counters", counters_json());
	json_object_set_new(root, "histograms", histograms_json());
	return root;
}

struct csv_row {
	FILE *f;
	bool header, first;
};

static void csv_field(const char *name, json_t *v, void *arg)
{
	struct csv_row *row = arg;

	fputs(row->first ? "" : ",", row->f);
	row->first = false;
	if (row->header)
		fputs(name, row->f);
	else
		csv_write_scalar(row->f, v);
}

/* One header line and one row: every scalar of the result (flatten.h). */
static void write_csv(FILE *f, json_t *root)
{
	struct csv_row row = {f, true, true};

	json_flatten(root, csv_field, &row);
	fputc('\n', f);
	row = (struct csv_row){f, false, true};
	json_flatten(root, csv_field, &row);
	fputc('\n', f);
}

/* "spread: CPUs 0, 64, 32, 96, ..." - the policy and the first CPUs it gave. */
static void print_placement(const struct run_result *r)
{
	const char *spec = scenario_str(r->sc, "workload", "placement");
	int n = r->wp->tasks < 8 ? r->wp->tasks : 8;

	bool is_auto = !strcmp(spec, "auto");

	printf("  placement   %s%s: CPUs", is_auto ? placement_auto(r->wp->type) : spec,
	       is_auto ? " (auto)" : "");
	for (int i = 0; i < n; i++)
		printf("%s %d", i ? "," : "", task_cpu(r->wp, i));
	printf("%s\n", r->wp->tasks > n ? ", ..." : "");
}

static void print_summary(const struct run_result *r, json_t *root)
{
	const struct machine *m = &r->cfg->machine;
	const struct workload_result *w = &r->work;
	json_t *lat = json_object_get(root, "latency_ns"), *idle = json_object_get(root, "idle");

	printf("faultsim run %s (seed %lu)\n", r->opts->scenario, r->opts->seed);
	printf("  machine     %s: %d sockets x %d cores x %d threads = %d CPUs, %.2f GHz\n",
	       scenario_str(r->sc, "machine", "profile"), m->sockets, m->cores_per_socket, m->smt,
	       machine_nr_cpus(m), m->freq / 1e9);
	printf("  workload    %s, %d tasks, %.3f ms measured after %.3f ms of warm-up%s\n",
	       r->wp->type, r->wp->tasks, r->wp->duration / 1e6, stats_from / 1e6,
	       r->wp->warmup == WARMUP_AUTO && w->loops_min >= 0 ? " (auto)" : "");
	if (w->loops_min >= 0)
		printf("  loops       every task completed at least %ld full loop%s\n",
		       w->loops_min, w->loops_min == 1 ? "" : "s");
	print_placement(r);
	printf("  end         %s\n", end_names[r->outcome.end]);
	if (r->outcome.report[0])
		printf("%s", r->outcome.report);
	printf("  throughput  %.4g ops/s (%.4g per task)\n",
	       json_real_value(json_object_get(root, "throughput")),
	       json_real_value(json_object_get(root, "throughput")) / r->wp->tasks);
	printf("  ops         %lu (per task %lu..%lu)\n", w->ops, w->ops_min, w->ops_max);
	if (w->faults_total)
		printf("  faults      %lu in the duration, %.4g/s\n", w->faults,
		       w->faults / (r->wp->duration / 1e9));
	printf("  latency ns  p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f\n",
	       json_real_value(json_object_get(lat, "p50")),
	       json_real_value(json_object_get(lat, "p90")),
	       json_real_value(json_object_get(lat, "p99")),
	       json_real_value(json_object_get(lat, "p999")),
	       json_real_value(json_object_get(lat, "max")));
	printf("  irqs off    max %.0f ns, p99 %.0f ns\n",
	       json_real_value(json_object_get(root, "irqs_off_max_ns")),
	       json_real_value(json_object_get(root, "irqs_off_p99_ns")));
	printf("  idle        %.1f%% of the tasks' CPU time asleep; the machine %.1f%% idle, as "
	       "will-it-scale reads it; %.4g context switches/s\n",
	       json_real_value(json_object_get(idle, "pct")),
	       json_real_value(json_object_get(idle, "machine_pct")),
	       json_real_value(json_object_get(idle, "context_switches_per_s")));
	printf("  %-18s %12s %12s %12s %12s %12s\n", "lock", "acquired", "contended", "wait avg ns",
	       "wait max ns", "hold avg ns");
	for (struct lock_class *c = lock_class_first(); c; c = c->next)
		printf("  %-18s %12lu %12lu %12.0f %12.0f %12.0f\n", c->name, c->acquisitions,
		       c->contentions, c->acquisitions ? c->wait_total / c->acquisitions : 0,
		       c->wait_max, c->acquisitions ? c->hold_total / c->acquisitions : 0);
	/* A model's correctness failure: say so, not only count it. */
	for (struct counter *c = counter_first(); c; c = c->next)
		if (!strcmp(c->name, "thp_file_misaligned_map") && c->value)
			printf("  CORRECTNESS %lu huge pages mapped at the wrong file offset "
			       "(text_thp_patch = posted lacks the alignment check): the text read "
			       "there is wrong\n",
			       c->value);
	if (ipi_stats.calls)
		printf("  ipi         %lu calls, %lu IPIs (%lu found IRQs off, %lu queued behind "
		       "another), %lu lazy CPUs skipped\n",
		       ipi_stats.calls, ipi_stats.ipis, ipi_stats.deferred, ipi_stats.coalesced,
		       tlb_stats.lazy_skipped);
	printf("  engine      %lu events in %.2f s wall (%.3g events/s)\n", r->outcome.events,
	       r->wall_time, r->wall_time > 0 ? r->outcome.events / r->wall_time : 0);
}

int output_write(struct output_files *files, const struct run_result *r)
{
	json_t *root = result_json(r);
	int rc = 0;

	/*
	 * A loop workload whose tasks have not all completed a loop never ran
	 * some phase of it (the munmap, the frees, the shootdowns): its
	 * figures describe a start-up, not will-it-scale's steady state.
	 */
	if (r->work.loops_min == 0)
		fprintf(stderr,
			"faultsim: warning: %s: a task completed no full loop (%s of warm-up, %s "
			"measured): its figures miss phases of the loop; lengthen [workload] "
			"duration or warmup, or shrink region\n",
			r->opts->scenario, scenario_str(r->sc, "workload", "warmup"),
			scenario_str(r->sc, "workload", "duration"));

	if (!r->opts->quiet)
		print_summary(r, root);
	if (files->json.f) {
		json_dumpf(root, files->json.f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
		fputc('\n', files->json.f);
	}
	if (files->csv.f)
		write_csv(files->csv.f, root);
	if (outfile_commit(&files->json))
		rc = outfile_failure_status();
	if (outfile_commit(&files->csv))
		rc = outfile_failure_status();
	json_decref(root);
	return rc;
}

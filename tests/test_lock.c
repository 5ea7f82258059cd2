/* tests/test_lock.c - the lock study reproduces what it is named after. */
#include <math.h>

#include "harness.h"

struct lock_run {
	int threads;
	double duration;
};

static void lock_body(void *arg, double *out)
{
	const struct lock_run *lr = arg;
	struct workload_params p = {
	    .type = "lock",
	    .tasks = lr->threads,
	    .duration = lr->duration,
	    .critical_section = 400,
	    .think_time = 4000,
	};

	(void)out;
	workload_find("lock")->start(&p);
}

static void lock_collect_ops(double *out)
{
	struct workload_result w;

	workload_find("lock")->collect(&w);
	out[0] = (double)w.ops;
	out[1] = (double)w.ops_min;
}

static double last_ops_min;

/* Throughput in ops/s, as the lock workload counts operations. */
static double lock_throughput(enum spinlock_kind kind, int threads, int nr_cpus, double duration)
{
	struct sim_config cfg = test_config(1, nr_cpus, 1);
	struct lock_run lr = {threads, duration};
	struct child_result r;

	cfg.spinlock = kind;
	child_after_run = lock_collect_ops;
	run_child(&cfg, lock_body, &lr, duration + 1e9, &r);
	CHECK(r.outcome.end == SIM_END_OK, "%d threads ended %d:\n%s", threads, r.outcome.end,
	      r.outcome.report);
	last_ops_min = r.v[1];
	return r.v[0] / (duration / 1e9);
}

static void test_ticket_collapses(void)
{
	/*
	 * Each waiter's re-read costs the line's home line_occupancy (20 ns
	 * here), half a transfer: the collapse is the c.k/2 of Boyd-Wickizer
	 * et al., and reaches 0.3 of the peak by 128 CPUs.
	 */
	static const int counts[] = {2, 8, 16, 32, 64, 128};
	double ticket[6], queued[6], ticket_peak = 0, queued_peak = 0;

	for (int i = 0; i < 6; i++) {
		ticket[i] = lock_throughput(SPINLOCK_TICKET, counts[i], 128, 2e6);
		queued[i] = lock_throughput(SPINLOCK_QUEUED, counts[i], 128, 2e6);
		ticket_peak = fmax(ticket_peak, ticket[i]);
		queued_peak = fmax(queued_peak, queued[i]);
		printf("  %2d CPUs: ticket %.3g ops/s, qspinlock %.3g ops/s\n", counts[i],
		       ticket[i], queued[i]);
	}
	/* Past its peak the ticket lock loses most of its throughput... */
	CHECK(ticket[5] < 0.3 * ticket_peak, "ticket at 128 CPUs %g, peak %g", ticket[5],
	      ticket_peak);
	CHECK(ticket[5] < ticket[4] && ticket[4] < ticket[3], "ticket does not fall with CPUs");
	/* ...while qspinlock stays near its own. */
	CHECK(queued[5] > 0.9 * queued_peak, "qspinlock at 128 CPUs %g, peak %g", queued[5],
	      queued_peak);
}

static void test_1024_cpus(void)
{
	/* 3 ms of 400 ns critical sections: room for every CPU's turn. */
	double tput = lock_throughput(SPINLOCK_QUEUED, 1024, 1024, 3e6);

	CHECK(tput > 1e6, "%g ops/s on 1024 CPUs", tput);
	CHECK(last_ops_min >= 1, "a CPU of 1024 never got the lock");
}

static const struct test_case cases[] = {
    {"ticket_collapses",
     "ticket-lock throughput collapses past a critical CPU count, qspinlock stays near peak",
     test_ticket_collapses},
    {"cpus_1024", "a 1024-CPU machine runs the lock study, every CPU taking its turn",
     test_1024_cpus},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

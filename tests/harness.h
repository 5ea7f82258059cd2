/* tests/harness.h - run simulations in child processes and check results.
 *
 * SimGrid allows one engine per process, so every simulation a test needs
 * runs in a fork()ed child that sends its figures back through a pipe; a
 * test can then compare configurations (ticket vs queued, 1 vs 8 CPUs).
 */
#ifndef FAULTSIM_TESTS_HARNESS_H
#define FAULTSIM_TESTS_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

#include "../models/workload.h"
#include "../sim/lockup.h"
#include "../sim/sim.h"

#define MAX_RESULTS 32

struct child_result {
	double v[MAX_RESULTS];
	struct sim_outcome outcome;
};

/* A machine with round figures, so expected times can be worked out by hand. */
struct sim_config test_config(int sockets, int cores, int smt);

/* In a child: sim_init(cfg), body(arg, out) starts the CPUs, then sim_run(limit). */
int run_child(const struct sim_config *cfg, void (*body)(void *arg, double *out), void *arg,
	      double limit_ns, struct child_result *res);

/* Called in the child after sim_run(), e.g. to collect a workload's counts. */
extern void (*child_after_run)(double *out);

extern int test_failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			test_failures++;                                                           \
		}                                                                                  \
	} while (0)

#define CHECK_NEAR(got, want, rel)                                                                 \
	CHECK(fabs((double)(got) - (double)(want)) <= (rel)*fabs((double)(want)),                  \
	      "got %g, want %g (within %g%%)", (double)(got), (double)(want), 100.0 * (rel))

struct test_case {
	const char *name;
	const char *property;
	void (*fn)(void);
};

/* main() for a test program: runs the case named by argv[1]. */
int test_main(int argc, char **argv, const struct test_case *cases, int nr);

#endif

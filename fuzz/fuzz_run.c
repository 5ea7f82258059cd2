/* fuzz/fuzz_run.c - libFuzzer target: scenarios that pass check, run.
 *
 * An input that check accepts is run for 20 us simulated, with no warm-up,
 * in a child process (SimGrid allows one engine per process).  The run must end with
 * exit 0, or with exit 3 and the lockup or deadlock report in its JSON; a
 * crash, another exit status, a run past its wall-clock limit, or exit 3
 * without a report aborts, and libFuzzer keeps the input.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../run/outfile.h"
#include "../run/run.h"
#include "fuzz_input.h"

/* The wall-clock time a fuzzed run may take; its simulated time is below. */
#define FUZZ_WALL_S 60

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* No warm-up: under auto a loop workload would first run a whole loop. */
static char *sets[] = {"workload.duration=20us", "workload.warmup=0"};

static int run_child(const char *scenario, const char *json)
{
	struct run_opts o = {.scenario = scenario,
			     .sets = sets,
			     .nr_sets = 2,
			     .seed = 1,
			     .json = json,
			     .quiet = true};
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		alarm(FUZZ_WALL_S);
		_exit(faultsim_run(&o));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0; /* out of processes: not the input's fault */
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "fuzz_run: the run died of signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (a hang)" : "");
		abort();
	}
	return WEXITSTATUS(status);
}

static bool has_report(const char *json)
{
	json_t *res = json_load_file(json, 0, NULL);
	const char *report = json_string_value(json_object_get(res, "report"));
	bool ok = report && report[0];

	json_decref(res);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts o = {.seed = 1, .sets = sets, .nr_sets = 1, .quiet = true};
	const char *json;
	int rc;

	o.scenario = fuzz_write_input(data, size);
	if (!o.scenario || faultsim_check(&o))
		return 0;
	json = fuzz_scratch_path("run.json");
	unlink(json);
	rc = run_child(o.scenario, json);
	if (rc == 0 || rc == EXIT_NO_RESOURCE || (rc == 3 && has_report(json)))
		return 0;
	fprintf(stderr, "fuzz_run: a scenario that passed check ran to exit %d%s\n", rc,
		rc == 3 ? " without a report" : "");
	abort();
}

/* tests/harness.c - fork, simulate, report back. */
#include "harness.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int test_failures;
void (*child_after_run)(double *out);

struct sim_config test_config(int sockets, int cores, int smt)
{
	struct sim_config cfg = {
	    .machine =
		{
		    .sockets = sockets,
		    .cores_per_socket = cores,
		    .smt = smt,
		    .smt_yield = 1.25,
		    .cores_per_llc = cores,
		    .freq = 2e9,
		    .line_smt = 10,
		    .line_llc = 40,
		    .line_socket = 40,
		    .line_remote = 100,
		    .line_occupancy = 20,
		    .atomic = 5,
		    .ipi_send = 20,
		    .ipi_latency = 500,
		    .ipi_handler = 300,
		    .wakeup = 2000,
		    .invlpg = 50,
		    .mem_latency = 80,
		    .mem_latency_remote = 130,
		    .mem_bw = 40e9,
		    .mem_bw_core = 10e9,
		    .fill_buffers = 10,
		    .disk_latency = 100e3,
		    .disk_bw = 1e9,
		    .fault_entry = 200,
		    .syscall_entry = 70,
		    .vma_op = 170,
		    .zap_page = 17,
		    .cost =
			{
			    .vma_tree_level = 20,
			    .walk_level = 8,
			    .pcp_alloc = 80,
			    .pcp_free = 50,
			    .buddy_page = 40,
			    .set_pte = 120,
			    .irq_toggle = 10,
			    .l1_hit = 5,
			    .lru_page = 30,
			    .change_pte = 25,
			    .gap_search = 15,
			    .user_touch = 4,
			    .srcu_read = 20,
			    .rcu_read = 2,
			},
		    .tlb = {.itlb_4k = 128,
			    .itlb_2m = 8,
			    .stlb = 1536,
			    .stlb_hit = 9,
			    .l2_hit = 14,
			    .llc_hit = 60,
			    .l2_size = 1 << 20,
			    .llc_size = 32 << 20},
		},
	    .spinlock = SPINLOCK_QUEUED,
	    .watchdog_thresh = 10e9,
	    .rcu_gp = 1e6,
	    .seed = 1,
	};
	return cfg;
}

int run_child(const struct sim_config *cfg, void (*body)(void *arg, double *out), void *arg,
	      double limit_ns, struct child_result *res)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (pipe(fds))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		static struct sim_config c;
		char err[256];

		close(fds[0]);
		c = *cfg;
		if (sim_init(&c, err, sizeof(err)))
			_exit(100);
		/* The tests run with the primitives' invariant checks, in any build. */
		sim_invariants = true;
		body(arg, res->v);
		sim_run(limit_ns, &res->outcome);
		if (child_after_run)
			child_after_run(res->v);
		n = write(fds[1], res, sizeof(*res));
		_exit(n == (ssize_t)sizeof(*res) ? 0 : 101);
	}
	close(fds[1]);
	n = read(fds[0], res, sizeof(*res));
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof(*res) || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "child simulation failed (status %d)\n", status);
		test_failures++;
		return -1;
	}
	return 0;
}

int test_main(int argc, char **argv, const struct test_case *cases, int nr)
{
	for (int i = 0; i < nr; i++) {
		if (argc < 2 || strcmp(argv[1], cases[i].name))
			continue;
		cases[i].fn();
		printf("%s: %s: %s\n", test_failures ? "FAIL" : "ok", cases[i].name,
		       cases[i].property);
		return test_failures ? 1 : 0;
	}
	fprintf(stderr, "usage: %s CASE; cases:\n", argv[0]);
	for (int i = 0; i < nr; i++)
		fprintf(stderr, "  %s\n", cases[i].name);
	return 2;
}

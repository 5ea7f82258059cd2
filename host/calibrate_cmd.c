/* host/calibrate_cmd.c - faultsim calibrate: measure, then write a profile. */
#include "calibrate_cmd.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "../run/outfile.h"

static const char *const class_names[] = {"line_smt", "line_llc", "line_socket", "line_remote"};

/* The shipped estimates of the cost_* keys, core cycles. */
static const struct {
	const char *name;
	double cycles;
} costs[] = {
    {"vma_tree_level", 20}, {"walk_level", 8},	{"pcp_alloc", 80},  {"pcp_free", 50},
    {"buddy_page", 40},	    {"set_pte", 120},	{"irq_toggle", 10}, {"l1_hit", 5},
    {"lru_page", 30},	    {"change_pte", 25}, {"gap_search", 15}, {"user_touch", 4},
    {"srcu_read", 20},	    {"rcu_read", 2},
};

static void comment_figure(FILE *f, const struct figure *fig, double scale, const char *unit)
{
	if (!fig->measured) {
		fprintf(f, "not measured");
		return;
	}
	fprintf(f, "median %.4g %s, spread %.0f%%%s", fig->median * scale, unit, 100 * fig->spread,
		fig->noisy ? " NOISY: repeats disagree, the machine was busy" : "");
}

/* A chased level's load in core cycles, or the shipped estimate. */
static void write_hit(FILE *f, const char *key, const struct figure *fig, double ghz,
		      double estimate)
{
	if (!fig->measured || ghz <= 0) {
		fprintf(f, "%s = %g ; not measured: the shipped estimate\n", key, estimate);
		return;
	}
	fprintf(f, "%s = %.1f ; a chase of dependent loads: ", key, fig->median * ghz);
	comment_figure(f, fig, 1, "ns");
	fputc('\n', f);
}

static void write_tlb(FILE *f, const struct calibration *c)
{
	double l2 = c->l2_size, llc = c->llc_size;

	fprintf(f, "; Address translation: the TLBs not measured, the shipped estimates\n");
	fprintf(f, "; (Ice Lake-SP's); the caches' hits chased.\n");
	fprintf(f, "itlb_4k = 128 ; estimate\nitlb_2m = 8 ; estimate\nstlb = 2048 ; estimate\n");
	fprintf(f, "stlb_hit = 9 ; estimate\n");
	write_hit(f, "l2_hit", &c->l2, c->freq_ghz, 14);
	write_hit(f, "llc_hit", &c->llc, c->freq_ghz, 70);
	if (l2 > 0)
		fprintf(f, "l2_size = %.0fk ; sysfs cpu0 cache index2\n", l2 / 1024);
	else
		fprintf(f, "l2_size = 1280k ; not found in sysfs: the shipped estimate\n");
	if (llc > 0)
		fprintf(f, "llc_size = %.0fk ; sysfs cpu0 cache index3\n", llc / 1024);
	else
		fprintf(f, "llc_size = %.0fk ; no index3 in sysfs: the L2 is the last level\n",
			(l2 > 0 ? l2 : 1280 * 1024) / 1024);
}

/* The nearest measured class stands in for one this machine lacks. */
static const struct figure *line_for(const struct calibration *c, int cls, int *from)
{
	for (int d = 0; d < NR_DISTANCES; d++) {
		int k = cls + d < NR_DISTANCES && c->line[cls + d].measured ? cls + d
			: cls - d >= 0 && c->line[cls - d].measured	    ? cls - d
									    : -1;

		if (k >= 0) {
			*from = k;
			return &c->line[k];
		}
	}
	*from = -1;
	return NULL;
}

static void write_profile(FILE *f, const struct calibration *c, double fault_entry)
{
	char host[256] = "this machine";
	double ipi, line0 = 50, core_bw;

	gethostname(host, sizeof(host));
	fprintf(f, "; Written by faultsim calibrate on %s.\n", host);
	fprintf(f, "; Each figure: the median of repeated runs; spread = (max - min) / median.\n");
	fprintf(f, "[machine]\n");
	fprintf(f, "sockets = %d\ncores_per_socket = %d\nsmt = %d\ncores_per_llc = %d\n",
		c->sockets, c->cores_per_socket, c->smt, c->cores_per_llc);
	fprintf(f, "smt_yield = 1.35 ; not measured: the shipped estimate\n");
	fprintf(f, "freq = %.3fGHz ; from cpufreq or /proc/cpuinfo\n",
		c->freq_ghz > 0 ? c->freq_ghz : 2.0);
	for (int k = 0; k < NR_DISTANCES; k++) {
		int from;
		const struct figure *fig = line_for(c, k, &from);

		if (!fig) {
			fprintf(f, "%s = 50ns ; not measured: a single CPU\n", class_names[k]);
			continue;
		}
		if (k == DIST_LLC)
			line0 = fig->median;
		fprintf(f, "%s = %.1fns ; ", class_names[k], fig->median);
		if (from != k)
			fprintf(f, "no such pair here: the %s figure, ", class_names[from]);
		comment_figure(f, fig, 1, "ns");
		fputc('\n', f);
	}
	if (c->occupancy.measured) {
		fprintf(f, "line_occupancy = %.2fns ; a write's cost per re-reader: ",
			c->occupancy.median);
		comment_figure(f, &c->occupancy, 1, "ns");
		fputc('\n', f);
	} else {
		fprintf(f, "line_occupancy = 25ns ; not measured (needs 3 CPUs): the shipped "
			   "estimate\n");
	}
	fprintf(f, "atomic = %.2fns ; ", c->atomic.median);
	comment_figure(f, &c->atomic, 1, "ns");
	/*
	 * membarrier's round trip is delivery, handler and the ack: split as
	 * the shipped profiles split theirs (400:300), the ack's line apart.
	 */
	ipi = c->ipi.measured ? c->ipi.median - line0 : 700;
	ipi = ipi > 10 ? ipi : 10;
	fprintf(f, "\nipi_latency = %.0fns ; 4/7 of the membarrier round trip less a line: ",
		ipi * 4 / 7);
	comment_figure(f, &c->ipi, 1, "ns");
	fprintf(f, "\nipi_handler = %.0fns ; 3/7 of it\n", ipi * 3 / 7);
	fprintf(f, "ipi_send = 20ns ; not measured: the shipped estimate\n");
	fprintf(f, "ipi_multicast = false ; not measured: physical destination mode\n");
	fprintf(f, "wakeup = 4us ; not measured: the shipped estimate\n");
	fprintf(f, "invlpg = 50ns ; not measured: the shipped estimate\n");
	/* What clear_huge_page() achieves in a fault, rather than a hot memset. */
	core_bw = c->thp_available && c->fault_2m.measured ? 2097152 / c->fault_2m.median * 1e9
							   : c->zero_one.median;
	/*
	 * A socket's controller moves at least what one of its cores' zeroing
	 * moves, twice core_bw (each line is read for ownership, then written
	 * back): a lower figure means the other CPUs were busy while it was
	 * measured.  The socket's memset() figure is taken as the controller's
	 * own, which it is where glibc's memset() of 64 MiB uses non-temporal
	 * stores (2.40 and later), and half of it where it reads each line.
	 */
	if (c->zero_socket.median >= 2 * core_bw) {
		fprintf(f, "mem_bw = %.2fGB/s ; all CPUs of a socket zeroing: ",
			c->zero_socket.median / 1e9);
		comment_figure(f, &c->zero_socket, 1e-9, "GB/s");
	} else {
		fprintf(f,
			"mem_bw = %.2fGB/s ; what one core's zeroing moves: all CPUs of a socket "
			"zeroing gave less, ",
			2 * core_bw / 1e9);
		comment_figure(f, &c->zero_socket, 1e-9, "GB/s");
	}
	if (c->thp_available && c->fault_2m.measured) {
		fprintf(f, "\nmem_bw_core = %.2fGB/s ; 2 MiB THP faults: ", core_bw / 1e9);
		comment_figure(f, &c->fault_2m, 1, "ns a fault");
	} else {
		fprintf(f, "\nmem_bw_core = %.2fGB/s ; one CPU zeroing: ", core_bw / 1e9);
		comment_figure(f, &c->zero_one, 1e-9, "GB/s");
	}
	fprintf(f, "\nmem_latency = %.1fns ; a chase of dependent loads through 256 MiB: ",
		c->mem.measured ? c->mem.median : 90);
	comment_figure(f, &c->mem, 1, "ns");
	/* The other socket's memory: [mlc]'s ratio on Ice Lake-SP, 143/89. */
	fprintf(f, "\nmem_latency_remote = %.1fns ; not measured: 1.6 x local, as Ice Lake-SP\n",
		1.6 * (c->mem.measured ? c->mem.median : 90));
	if (c->overlap.measured) {
		fprintf(f,
			"fill_buffers = %d ; misses in flight, 64 chases through memory at once: ",
			(int)(c->overlap.median + 0.5));
		comment_figure(f, &c->overlap, 1, "overlapped");
		fputc('\n', f);
	} else {
		fprintf(f, "fill_buffers = 10 ; not measured: the shipped estimate\n");
	}
	fprintf(f, "disk_latency = 85us ; not measured: the shipped estimate\n");
	fprintf(f, "disk_bw = 6.5GB/s ; not measured: the shipped estimate\n");
	fprintf(f, "syscall_entry = %.1fns ; getppid(): ", c->syscall.median);
	comment_figure(f, &c->syscall, 1, "ns");
	fprintf(f,
		"\nfault_entry = %.1fns ; the warm 4 KiB fault less what the model counts of it\n",
		fault_entry);
	fprintf(f, "vma_op = %.1fns ; half of an mmap+munmap pair less two syscalls\n",
		c->mmap_munmap.median > 2 * c->syscall.median
		    ? (c->mmap_munmap.median - 2 * c->syscall.median) / 2
		    : 0);
	fprintf(f, "zap_page = %.1fns ; munmap per page, less what freeing a page costs here\n",
		c->munmap_page.median > 30 ? c->munmap_page.median - 30 : c->munmap_page.median);
	fprintf(f, "; Core cycles of local work: the shipped estimates, but an L1 hit chased.\n");
	for (size_t i = 0; i < sizeof(costs) / sizeof(costs[0]); i++) {
		if (!strcmp(costs[i].name, "l1_hit")) {
			write_hit(f, "cost_l1_hit", &c->l1, c->freq_ghz, costs[i].cycles);
			continue;
		}
		fprintf(f, "cost_%s = %g ; estimate\n", costs[i].name, costs[i].cycles);
	}
	write_tlb(f, c);
	fprintf(f, ";\n; Measured, for faultsim validate (no key in a machine description):\n");
	fprintf(f, "; fault_4k_first_ns = %.1f ; first touch in a fresh process\n",
		c->fault_first.median);
	fprintf(f, "; fault_4k_ns = %.1f ; ", c->fault_4k.median);
	comment_figure(f, &c->fault_4k, 1, "ns");
	if (c->thp_available) {
		fprintf(f, "\n; fault_2m_ns = %.1f ; ", c->fault_2m.median);
		comment_figure(f, &c->fault_2m, 1, "ns");
	} else {
		fprintf(
		    f, "\n; fault_2m_ns: THP is not available here (transparent_hugepage = never)");
	}
	fprintf(f, "\n; mmap_munmap_ns = %.1f ; ", c->mmap_munmap.median);
	comment_figure(f, &c->mmap_munmap, 1, "ns");
	fprintf(f, "\n; munmap_page_ns = %.1f ; ", c->munmap_page.median);
	comment_figure(f, &c->munmap_page, 1, "ns");
	fprintf(f, "\n; syscall_ns = %.1f ; ", c->syscall.median);
	comment_figure(f, &c->syscall, 1, "ns");
	fputc('\n', f);
}

/*
 * What the model itself counts of an uncontended 4 KiB fault on this
 * profile, fault_entry aside: page_fault1, one process, simulated by a
 * faultsim run child.  Returns ns a fault, or -1.
 */
static double modelled_fault_ns(const struct calibration *c)
{
	char dir[] = "/tmp/faultsim-calXXXXXX", profile[64], scen[64], json[64], self[PATH_MAX];
	double ns = -1;
	json_t *res;
	FILE *f;
	pid_t pid;
	int status;

	if (!mkdtemp(dir) || !realpath("/proc/self/exe", self))
		return -1;
	snprintf(profile, sizeof(profile), "%s/p.ini", dir);
	snprintf(scen, sizeof(scen), "%s/s.ini", dir);
	snprintf(json, sizeof(json), "%s/r.json", dir);
	if ((f = fopen(profile, "w"))) {
		write_profile(f, c, 0);
		fclose(f);
	}
	if ((f = fopen(scen, "w"))) {
		fprintf(f,
			"[machine]\nprofile = %s\n[workload]\ntype = page_fault1\n"
			"processes = 1\nduration = 2ms\n",
			profile);
		fclose(f);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "run", scen, "--quiet", "--json", json, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    !WEXITSTATUS(status) && (res = json_load_file(json, 0, NULL))) {
		double fps = json_real_value(json_object_get(res, "faults_per_s"));

		ns = fps > 0 ? 1e9 / fps : -1;
		json_decref(res);
	}
	unlink(profile);
	unlink(scen);
	unlink(json);
	rmdir(dir);
	return ns;
}

int faultsim_calibrate(const char *out)
{
	struct calibration c;
	struct output_file of;
	char err[512];
	double model;

	if (outfile_open(&of, out, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		return 2;
	}
	calibrate_host(&c);
	model = modelled_fault_ns(&c);
	if (model < 0) {
		fprintf(stderr, "faultsim: calibrate: could not simulate a fault on the profile\n");
		outfile_abandon(&of);
		return 2;
	}
	write_profile(of.f ? of.f : stdout, &c,
		      c.fault_4k.median > model ? c.fault_4k.median - model : 0);
	return of.f && outfile_commit(&of) ? 2 : 0;
}

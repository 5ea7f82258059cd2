/* host/calibrate.c - measure this machine's primitive costs, for a profile.
 *
 * Microbenchmarks on the host, each repeated and reported as a median with
 * its spread ((max - min) / median over the repeats), pinned with
 * sched_setaffinity().  The result is a machine description that
 * `[machine] profile = PATH` accepts: topology from sysfs, cache-line
 * transfers by distance class (atomic ping-pong between two pinned
 * threads, half a round trip), an uncontended atomic, the IPI round trip
 * (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) with a second thread
 * running on another CPU), and zeroing bandwidth for one and for all CPUs.
 * Fault, mmap/munmap and syscall costs have no key in a machine
 * description: they are written as comments, for faultsim validate.
 */
#define _GNU_SOURCE
#include "calibrate.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define REPEATS	     9
#define NOISY_SPREAD 0.25 /* a figure whose repeats differ more is flagged */
/* Independent chases at once for fill_buffers: more than any core has. */
#define CHASE_WALKERS_MAX 64

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median and spread of n samples; sorts them. */
static struct figure summarize(double *v, int n)
{
	struct figure f;

	qsort(v, n, sizeof(*v), cmp_double);
	f.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	f.spread = f.median > 0 ? (v[n - 1] - v[0]) / f.median : 0;
	f.noisy = f.spread > NOISY_SPREAD;
	f.measured = true;
	return f;
}

static int read_int(const char *fmt, int cpu)
{
	char path[256];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), fmt, cpu);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The first CPU listed in a sysfs cpu list ("0-3,8"), and how many it lists. */
static int list_count(const char *fmt, int cpu, int *first)
{
	char path[256], buf[4096];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), fmt, cpu);
	f = fopen(path, "r");
	*first = cpu;
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	for (char *p = buf; *p && *p != '\n';) {
		int a = (int)strtol(p, &p, 10), b = a;

		if (*p == '-')
			b = (int)strtol(p + 1, &p, 10);
		if (!n)
			*first = a;
		n += b - a + 1;
		if (*p == ',')
			p++;
	}
	return n ? n : 1;
}

static void read_topology(struct calibration *c)
{
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN), max_pkg = 0, first;
	long khz;
	FILE *f;

	c->nr_cpus = n;
	for (int i = 0; i < n; i++) {
		int pkg = read_int("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", i);

		max_pkg = pkg > max_pkg ? pkg : max_pkg;
	}
	c->sockets = max_pkg + 1;
	c->smt =
	    list_count("/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", 0, &first);
	c->cores_per_socket = n / c->sockets / c->smt;
	if (c->cores_per_socket < 1)
		c->cores_per_socket = 1;
	c->cores_per_llc =
	    list_count("/sys/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list", 0, &first) /
	    c->smt;
	if (c->cores_per_llc < 1 || c->cores_per_llc > c->cores_per_socket)
		c->cores_per_llc = c->cores_per_socket;
	c->freq_ghz = 0;
	f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
	if (f && fscanf(f, "%ld", &khz) == 1)
		c->freq_ghz = khz / 1e6;
	if (f)
		fclose(f);
	if (c->freq_ghz <= 0) {
		char line[256];

		f = fopen("/proc/cpuinfo", "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "cpu MHz", 7)) {
				c->freq_ghz = atof(strchr(line, ':') + 1) / 1e3;
				break;
			}
		if (f)
			fclose(f);
	}
}

/* A CPU at distance class cls from CPU 0, or -1 when the machine has none. */
static int cpu_at(const struct calibration *c, enum distance cls)
{
	int first;

	for (int i = 1; i < c->nr_cpus; i++) {
		int pkg0 =
		    read_int("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", 0);
		int pkg = read_int("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", i);
		int core0 = read_int("/sys/devices/system/cpu/cpu%d/topology/core_id", 0);
		int core = read_int("/sys/devices/system/cpu/cpu%d/topology/core_id", i);
		int llc0, llc;

		list_count("/sys/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list", 0, &llc0);
		list_count("/sys/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list", i, &llc);
		(void)first;
		if (cls == DIST_SMT && pkg == pkg0 && core == core0)
			return i;
		if (cls == DIST_LLC && pkg == pkg0 && core != core0 && llc == llc0)
			return i;
		if (cls == DIST_SOCKET && pkg == pkg0 && llc != llc0)
			return i;
		if (cls == DIST_REMOTE && pkg != pkg0)
			return i;
	}
	return -1;
}

/* Ping-pong one line between two pinned threads: half a round trip. */
struct pingpong {
	_Atomic long turn;
	char pad[64 - sizeof(long)];
	int cpu;
	long rounds;
};

static void *pong(void *arg)
{
	struct pingpong *pp = arg;

	pin(pp->cpu);
	for (long i = 0; i < pp->rounds; i++) {
		while (atomic_load_explicit(&pp->turn, memory_order_acquire) != 2 * i + 1)
			;
		atomic_store_explicit(&pp->turn, 2 * i + 2, memory_order_release);
	}
	return NULL;
}

static double pingpong_once(int a, int b, long rounds)
{
	static struct pingpong pp __attribute__((aligned(64)));
	pthread_t t;
	double t0;

	pp.turn = 0;
	pp.cpu = b;
	pp.rounds = rounds;
	pin(a);
	pthread_create(&t, NULL, pong, &pp);
	t0 = now_ns();
	for (long i = 0; i < rounds; i++) {
		atomic_store_explicit(&pp.turn, 2 * i + 1, memory_order_release);
		while (atomic_load_explicit(&pp.turn, memory_order_acquire) != 2 * i + 2)
			;
	}
	t0 = (now_ns() - t0) / rounds / 2;
	pthread_join(t, NULL);
	return t0;
}

static struct figure measure_line(int b)
{
	double v[REPEATS];

	for (int r = 0; r < REPEATS; r++)
		v[r] = pingpong_once(0, b, 20000);
	return summarize(v, REPEATS);
}

static struct figure measure_atomic(void)
{
	static _Atomic long x;
	double v[REPEATS];

	pin(0);
	for (int r = 0; r < REPEATS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < 1000000; i++)
			atomic_fetch_add(&x, 1);
		v[r] = (now_ns() - t0) / 1e6;
	}
	return summarize(v, REPEATS);
}

static struct figure measure_syscall(void)
{
	double v[REPEATS];

	for (int r = 0; r < REPEATS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < 100000; i++)
			syscall(SYS_getppid);
		v[r] = (now_ns() - t0) / 1e5;
	}
	return summarize(v, REPEATS);
}

/* ns a fault: touch one byte of every page of a fresh private mapping. */
static double fault_pass(size_t len, size_t stride, bool huge)
{
	char *p = mmap(NULL, len + (huge ? (2UL << 20) : 0), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = p;
	double t0;

	if (p == MAP_FAILED)
		return -1;
	if (huge) {
		a = (char *)(((unsigned long)p + (2UL << 20) - 1) & ~((2UL << 20) - 1));
		madvise(a, len, MADV_HUGEPAGE);
	}
	t0 = now_ns();
	for (size_t off = 0; off < len; off += stride)
		a[off] = 1;
	t0 = (now_ns() - t0) / (len / stride);
	munmap(p, len + (huge ? (2UL << 20) : 0));
	return t0;
}

/* First touch: the first pass of the process; warm: the allocator has pages. */
static void measure_faults(struct calibration *c)
{
	double v[REPEATS];

	pin(0);
	c->fault_first = summarize((double[]){fault_pass(64UL << 20, 4096, false)}, 1);
	for (int r = 0; r < REPEATS; r++)
		v[r] = fault_pass(64UL << 20, 4096, false);
	c->fault_4k = summarize(v, REPEATS);
	c->thp_available = calibrate_thp_available();
	if (!c->thp_available)
		return;
	for (int r = 0; r < REPEATS; r++)
		v[r] = fault_pass(64UL << 20, 2UL << 20, true);
	c->fault_2m = summarize(v, REPEATS);
}

static void measure_mmap(struct calibration *c)
{
	double v[REPEATS], w[REPEATS];

	for (int r = 0; r < REPEATS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < 10000; i++) {
			void *p = mmap(NULL, 128UL << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			munmap(p, 128UL << 20);
		}
		v[r] = (now_ns() - t0) / 1e4;
	}
	c->mmap_munmap = summarize(v, REPEATS);
	for (int r = 0; r < REPEATS; r++) {
		size_t len = 16UL << 20;
		char *p =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		double t0;

		for (size_t off = 0; off < len; off += 4096)
			p[off] = 1;
		t0 = now_ns();
		munmap(p, len);
		w[r] = (now_ns() - t0) / (len / 4096);
	}
	c->munmap_page = summarize(w, REPEATS);
}

/* Zeroing bandwidth, bytes/s, of n threads each memset()ing its own buffer. */
struct zeroer {
	int cpu;
	char *buf;
	size_t len;
	double bw;
};

static void *zero_thread(void *arg)
{
	struct zeroer *z = arg;
	double t0;

	pin(z->cpu);
	memset(z->buf, 1, z->len); /* fault it in first */
	t0 = now_ns();
	for (int i = 0; i < 8; i++)
		memset(z->buf, i, z->len);
	z->bw = 8.0 * z->len / ((now_ns() - t0) * 1e-9);
	return NULL;
}

static double zero_bandwidth(int n)
{
	struct zeroer z[256];
	pthread_t t[256];
	double total = 0;

	n = n > 256 ? 256 : n;
	for (int i = 0; i < n; i++) {
		z[i] = (struct zeroer){i, malloc(64UL << 20), 64UL << 20, 0};
		pthread_create(&t[i], NULL, zero_thread, &z[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		total += z[i].bw;
		free(z[i].buf);
	}
	return total;
}

static void measure_zeroing(struct calibration *c)
{
	double one[5], all[5];
	int per_socket = c->nr_cpus / c->sockets;

	for (int r = 0; r < 5; r++) {
		one[r] = zero_bandwidth(1);
		all[r] = zero_bandwidth(per_socket);
	}
	c->zero_one = summarize(one, 5);
	c->zero_socket = summarize(all, 5);
}

/* membarrier(PRIVATE_EXPEDITED) IPIs every other CPU running this mm. */
static _Atomic int spin_stop;

static void *spinner(void *arg)
{
	pin(*(int *)arg);
	while (!atomic_load(&spin_stop))
		;
	return NULL;
}

static void measure_ipi(struct calibration *c)
{
	double v[REPEATS];
	pthread_t t;
	int other = c->nr_cpus > 1 ? 1 : -1;

	c->ipi = (struct figure){0};
	if (other < 0 ||
	    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0)
		return;
	atomic_store(&spin_stop, 0);
	pthread_create(&t, NULL, spinner, &other);
	pin(0);
	usleep(10000);
	for (int r = 0; r < REPEATS; r++) {
		double t0 = now_ns();

		for (int i = 0; i < 20000; i++)
			syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
		v[r] = (now_ns() - t0) / 20000;
	}
	atomic_store(&spin_stop, 1);
	pthread_join(t, NULL);
	c->ipi = summarize(v, REPEATS);
}

/*
 * line_occupancy: one CPU keeps incrementing a line that k others keep
 * re-reading.  Each increment waits for the reads the last one caused, so
 * its cost grows with k by what the line's home spends on each read: the
 * slope between the fewest and the most readers this machine has.  It
 * needs two readers at least, so three CPUs.
 */
struct reader {
	const _Atomic long *line;
	int cpu;
};

static void *reread(void *arg)
{
	struct reader *r = arg;
	long sink = 0;

	pin(r->cpu);
	while (!atomic_load_explicit(&spin_stop, memory_order_relaxed))
		sink += atomic_load_explicit(r->line, memory_order_relaxed);
	return (void *)sink;
}

static double write_under_readers(int k)
{
	static _Atomic long line __attribute__((aligned(64)));
	struct reader r[k];
	pthread_t t[k];
	double t0, ns;

	atomic_store(&spin_stop, 0);
	for (int i = 0; i < k; i++) {
		r[i] = (struct reader){&line, i + 1};
		pthread_create(&t[i], NULL, reread, &r[i]);
	}
	pin(0);
	usleep(5000);
	t0 = now_ns();
	for (int i = 0; i < 200000; i++)
		atomic_fetch_add(&line, 1);
	ns = (now_ns() - t0) / 200000;
	atomic_store(&spin_stop, 1);
	for (int i = 0; i < k; i++)
		pthread_join(t[i], NULL);
	return ns;
}

static void measure_occupancy(struct calibration *c)
{
	int most = c->nr_cpus - 1 < 16 ? c->nr_cpus - 1 : 16;
	double v[REPEATS];

	c->occupancy = (struct figure){0};
	if (most < 2)
		return;
	for (int r = 0; r < REPEATS; r++) {
		double slope = (write_under_readers(most) - write_under_readers(1)) / (most - 1);

		v[r] = slope > 0 ? slope : 0;
	}
	c->occupancy = summarize(v, REPEATS);
}

/* Far larger than the caches: neither they nor the prefetchers help. */
#define CHASE_BYTES (256UL << 20)
#define CHASE_LOADS 2000000

/*
 * Lines each holding the index of the next in one random cycle, and
 * CHASE_WALKERS_MAX points evenly apart along the cycle: walkers started
 * there never come near the lines another one has just brought in.
 */
struct chase {
	size_t *buf;
	size_t start[CHASE_WALKERS_MAX];
};

/* C11's aligned_alloc() takes a size that is a multiple of the alignment. */
#define CHASE_ALIGN (2UL << 20)

static bool chase_build(struct chase *c, size_t bytes)
{
	size_t lines = bytes / 64, stride = lines / CHASE_WALKERS_MAX,
	       *buf = aligned_alloc(CHASE_ALIGN,
				    (bytes + CHASE_ALIGN - 1) / CHASE_ALIGN * CHASE_ALIGN);
	size_t *order = malloc(lines * sizeof(*order)), i, p;
	int n = 0;

	if (!buf || !order || stride < 1) {
		free(buf);
		free(order);
		return false;
	}
	madvise(buf, bytes, MADV_HUGEPAGE);
	for (i = 0; i < lines; i++)
		order[i] = i;
	srand(1);
	for (i = lines - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < lines; i++)
		buf[order[i] * 8] = order[(i + 1) % lines] * 8;
	free(order);
	/* One pass to bring the buffer in before the timed ones. */
	for (p = 0, i = 0; i < lines; i++) {
		if (i % stride == 0 && n < CHASE_WALKERS_MAX)
			c->start[n++] = p;
		p = buf[p];
	}
	c->buf = buf;
	return true;
}

/*
 * ns a load when k walkers (k divides CHASE_WALKERS_MAX) chase the cycle
 * at once, from points evenly apart along it: each walker's loads depend
 * on each other, the walkers' do not, so the core overlaps up to k misses.
 */
static struct figure chase_walk(const struct chase *c, int k)
{
	size_t p[CHASE_WALKERS_MAX], sink = 0;
	double v[REPEATS];

	for (int j = 0; j < k; j++)
		p[j] = c->start[j * (CHASE_WALKERS_MAX / k)];
	for (int r = 0; r < REPEATS; r++) {
		double t0 = now_ns();

		for (long i = 0; i < CHASE_LOADS / k; i++)
			for (int j = 0; j < k; j++)
				p[j] = c->buf[p[j]];
		/* Every walker's end feeds the result: none can be optimised away. */
		for (int j = 0; j < k; j++)
			sink ^= p[j];
		v[r] = (now_ns() - t0) / (CHASE_LOADS / k * k) + (sink == 1 ? 1e-9 : 0);
	}
	return summarize(v, REPEATS);
}

/*
 * ns a load of a chain of dependent loads through bytes, one line a step
 * in a random order: what a load costs from the level of the hierarchy
 * that holds that many bytes.
 */
static struct figure chase(size_t bytes)
{
	struct chase c;
	struct figure f = {0};

	if (!chase_build(&c, bytes))
		return f;
	f = chase_walk(&c, 1);
	free(c.buf);
	return f;
}

static double sysfs_cache_bytes(int index)
{
	char path[96], buf[32] = "";
	double kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		kib = strtod(buf, NULL);
	fclose(f);
	return kib * 1024;
}

/*
 * mem_latency, one chase through memory, and fill_buffers: how many of a
 * core's misses are in flight at once, the latency of one over the time a
 * load takes with CHASE_WALKERS_MAX chases at once (past the buffers more
 * walkers overlap no more).
 */
static void measure_overlap(struct calibration *c)
{
	struct chase chase;
	struct figure many;
	double spread;

	if (!chase_build(&chase, CHASE_BYTES))
		return;
	c->mem = chase_walk(&chase, 1);
	many = chase_walk(&chase, CHASE_WALKERS_MAX);
	free(chase.buf);
	if (!many.measured || many.median <= 0)
		return;
	/* A ratio's spread: its two figures' spreads add. */
	spread = c->mem.spread + many.spread;
	c->overlap = (struct figure){.median = c->mem.median / many.median,
				     .spread = spread,
				     .noisy = spread > NOISY_SPREAD,
				     .measured = true};
}

/*
 * The hierarchy's levels, each a chase through half of a level's size
 * (16 KiB for L1): cost_l1_hit, l2_hit and llc_hit.  Where sysfs does not
 * say (a VM may not), 128 KiB is in every current server core's L2 and
 * 4 MiB past it and inside its LLC.  mem_latency: a chase far larger than
 * the caches.  Huge pages keep TLB misses out of them where THP is on.
 */
static void measure_memory(struct calibration *c)
{
	size_t l2 = 128 << 10, llc = 4 << 20;

	pin(0);
	c->l2_size = sysfs_cache_bytes(2);
	c->llc_size = sysfs_cache_bytes(3);
	if (c->l2_size > 0)
		l2 = (size_t)c->l2_size / 2;
	if (c->llc_size > c->l2_size && c->l2_size > 0)
		llc = (size_t)(c->l2_size + (c->llc_size - c->l2_size) / 2);
	c->l1 = chase(16 << 10);
	c->l2 = chase(l2);
	c->llc = chase(llc);
	measure_overlap(c);
}

bool calibrate_thp_available(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char buf[128] = "";
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) && !strstr(buf, "[never]");
	fclose(f);
	return ok;
}

void calibrate_host(struct calibration *c)
{
	static const enum distance classes[] = {DIST_SMT, DIST_LLC, DIST_SOCKET, DIST_REMOTE};

	memset(c, 0, sizeof(*c));
	read_topology(c);
	for (int i = 0; i < 4; i++) {
		int b = cpu_at(c, classes[i]);

		if (b >= 0)
			c->line[classes[i]] = measure_line(b);
	}
	c->atomic = measure_atomic();
	c->syscall = measure_syscall();
	measure_faults(c);
	measure_mmap(c);
	measure_zeroing(c);
	measure_ipi(c);
	measure_occupancy(c);
	measure_memory(c);
	pin(0);
}

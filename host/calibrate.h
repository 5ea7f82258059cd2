/* host/calibrate.h - this machine's primitive costs, measured. */
#ifndef FAULTSIM_HOST_CALIBRATE_H
#define FAULTSIM_HOST_CALIBRATE_H

#include <stdbool.h>

/* A measured figure: median of the repeats and their spread. */
struct figure {
	double median;
	double spread; /* (max - min) / median */
	bool noisy;
	bool measured;
};

enum distance { DIST_SMT, DIST_LLC, DIST_SOCKET, DIST_REMOTE, NR_DISTANCES };

struct calibration {
	int nr_cpus, sockets, cores_per_socket, smt, cores_per_llc;
	double freq_ghz;
	struct figure line[NR_DISTANCES];	       /* ns, one transfer */
	struct figure atomic;			       /* ns */
	struct figure syscall;			       /* ns */
	struct figure fault_first, fault_4k, fault_2m; /* ns a fault */
	bool thp_available;
	struct figure mmap_munmap;	     /* ns a pair, 128 MiB */
	struct figure munmap_page;	     /* ns a page */
	struct figure zero_one, zero_socket; /* bytes/s */
	struct figure ipi;		     /* ns, membarrier round trip */
	struct figure occupancy;	     /* ns a reader adds to a write, see below */
	struct figure mem;		     /* ns a load from local memory */
	struct figure overlap;		     /* misses one core keeps in flight */
	/* ns a dependent load that hits L1, L2 and the LLC; sizes from sysfs */
	struct figure l1, l2, llc;
	double l2_size, llc_size; /* bytes, 0 where sysfs has none */
};

void calibrate_host(struct calibration *c);
bool calibrate_thp_available(void);

#endif

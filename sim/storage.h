/* sim/storage.h - reads from the storage device.
 *
 * A read pays the device latency, then moves its bytes through the disk,
 * whose bandwidth SimGrid shares among all reads in flight.  The reading
 * task sleeps meanwhile.
 */
#ifndef FAULTSIM_SIM_STORAGE_H
#define FAULTSIM_SIM_STORAGE_H

#include <stddef.h>

void storage_read(size_t bytes);

/* What the readers spent, waits for the device included. */
struct storage_stats {
	unsigned long reads, bytes;
	double time_ns;
};

extern struct storage_stats storage_stats;

#endif

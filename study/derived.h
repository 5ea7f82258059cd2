/* study/derived.h - metrics computed from a row of results.csv.
 *
 *   spf_fallback_ratio   the spf_fallback_* counters over spf_attempts
 *   per_fault.*          simulated ns per fault spent waiting on mmap_sem,
 *                        on page-table locks, on the allocator's locks
 *                        (zone->lock, lru_lock), on VMA locks, in the
 *                        speculative trylock loop, zeroing and copying, on
 *                        IPIs; "other" is the rest of the mean fault
 *                        latency.  Lock waits count every waiter, the
 *                        writers of mmap_sem included.
 */
#ifndef FAULTSIM_CLI_DERIVED_H
#define FAULTSIM_CLI_DERIVED_H

#include "table.h"

#define DERIVED_BREAKDOWN_MAX 9

void derived_add(struct table *t);
/* The breakdown's columns, in stacking order; returns how many. */
int derived_breakdown(const struct table *t, int *cols);
/*
 * The throughput to judge a sweep by: faults per second where any run
 * faulted, else operations per second (a lock study faults nothing).
 */
int derived_throughput(const struct table *t);
/* What a column means, with its unit, for an axis or a legend. */
const char *derived_label(const char *col);

#endif

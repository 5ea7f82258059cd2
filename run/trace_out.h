/* run/trace_out.h - the run's timeline as Chrome/Perfetto trace-event JSON.
 *
 * One process, "faultsim"; per simulated CPU a track "cpu N" with its
 * spans (page faults, locks held, waits, zeroing) and a track "cpu N IPIs"
 * with the IPI handlers it ran, each with a flow arrow from its sender.
 * Open it in ui.perfetto.dev or chrome://tracing.
 */
#ifndef FAULTSIM_CLI_TRACE_OUT_H
#define FAULTSIM_CLI_TRACE_OUT_H

#include <stdio.h>

/* Traces are for small runs: at most this many CPU-milliseconds. */
#define TRACE_MAX_CPU_MS 64.0

void trace_write(FILE *f, int nr_cpus);

#endif

/* sim/memory.h - streaming memory through a socket's memory controller.
 *
 * Zeroing and copying pages moves bytes through the controller of the
 * CPU's socket.  SimGrid shares that controller's bandwidth (mem_bw) among
 * the CPUs streaming at the same instant, max-min fair, each capped at what
 * one core moves (mem_bw_core zeroed, twice that through the controller:
 * each line is read for ownership, then written back): eight CPUs zeroing
 * huge pages on one socket each go slower because the model divides the
 * bandwidth.  A miss to memory waits behind that traffic: the busier the
 * controller, the longer (memory_latency()).
 */
#ifndef FAULTSIM_SIM_MEMORY_H
#define FAULTSIM_SIM_MEMORY_H

#include <stddef.h>

#include "cpu.h"
#include "engine.h"

#define HPAGE_PMD_SHIFT 21
#define HPAGE_PMD_SIZE	(1UL << HPAGE_PMD_SHIFT)

/* Stream bytes through this CPU's memory controller; the CPU waits. */
void memory_stream(size_t bytes);

/*
 * Write bytes that fit in the CPU's cache (a 4 KiB page) to lines it does
 * not hold: the CPU pays the stores at what one core streams and goes on;
 * the controller moves each line twice, once read for ownership and once
 * written back as the cache evicts it.  That traffic is sent to the
 * controller in batches of twice MEMORY_WRITEBACK_BATCH (what zeroing
 * MEMORY_WRITEBACK_BATCH moves), each an execution sharing the controller
 * with every other stream, and a CPU whose previous batch is still
 * draining waits for it before starting the next: under saturation,
 * writing runs at memory's pace.  A batch is about what a core's L2 holds
 * (1.25 MiB on Ice Lake-SP, 512 KiB on Zen 3).
 */
#define MEMORY_WRITEBACK_BATCH (1UL << 20)
void memory_write(size_t bytes);

/* Read bytes from memory and write them to lines not in the cache. */
void memory_copy(size_t bytes);

/* Time CPUs spent zeroing and copying, waits for the controller included. */
struct memory_stats {
	double time_ns;
	unsigned long bytes;
};

extern struct memory_stats memory_stats;

/*
 * The share of a socket's mem_bw its controller is moving, averaged over
 * the last millisecond, and what a load that misses every
 * cache waits then: issued on socket, from node's memory (-1: socket's).
 * The queue's wait is not allowed to grow without bound as utilisation
 * nears 1: SimGrid's sharing already slows the streams themselves there.
 */
#define MEMORY_UTILISATION_MAX 0.8
double memory_utilisation(int socket);
double memory_latency(int socket, int node);

/*
 * clear_page(): a page from the allocator is not in this CPU's cache; its
 * first line's miss is paid before the stores stream.
 */
static inline void clear_page(void)
{
	cpu_account(memory_latency(this_cpu()->socket, -1));
	memory_write(1UL << 12);
}

/* clear_huge_page(): 2 MiB written, each line read for ownership first. */
static inline void clear_huge_page(void)
{
	memory_stream(HPAGE_PMD_SIZE);
}

/* copy_page(): 4 KiB read and 4 KiB written. */
static inline void copy_page(void)
{
	memory_copy(1UL << 12);
}

#endif

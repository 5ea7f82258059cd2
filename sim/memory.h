/* sim/memory.h - streaming memory through a socket's memory controller.
 *
 * Zeroing and copying pages moves bytes through the controller of the
 * CPU's socket.  SimGrid shares that controller's bandwidth (mem_bw) among
 * the CPUs streaming at the same instant, max-min fair, each capped at what
 * one core can stream (mem_bw_core): eight CPUs zeroing huge pages on one
 * socket each go slower because the model divides the bandwidth.
 */
#ifndef FAULTSIM_SIM_MEMORY_H
#define FAULTSIM_SIM_MEMORY_H

#include <stddef.h>

#define HPAGE_PMD_SHIFT 21
#define HPAGE_PMD_SIZE	(1UL << HPAGE_PMD_SHIFT)

/* Stream bytes through this CPU's memory controller; the CPU waits. */
void memory_stream(size_t bytes);

static inline void clear_page(void)
{
	memory_stream(1UL << 12);
}

/* clear_huge_page(): 2 MiB written. */
static inline void clear_huge_page(void)
{
	memory_stream(HPAGE_PMD_SIZE);
}

/* copy_page(): 4 KiB read and 4 KiB written. */
static inline void copy_page(void)
{
	memory_stream(2UL << 12);
}

#endif

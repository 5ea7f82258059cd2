/* sim/lockup.h - the hard-lockup watchdog and the stall reports.
 *
 * Like the kernel's NMI watchdog, a CPU that stays with IRQs off for longer
 * than watchdog_thresh is a hard lockup.  The report names the CPU, what it
 * spins on, who holds that, and follows the chain of waits from the holder
 * on until it ends or closes a cycle.  A run in which no CPU can progress
 * at all (a deadlock) or that is still busy at its time limit gets the same
 * report for every stuck CPU.
 */
#ifndef FAULTSIM_SIM_LOCKUP_H
#define FAULTSIM_SIM_LOCKUP_H

#include <stddef.h>

#include "cpu.h"
#include "engine.h"

/* Report c's hard lockup and end the run; does not return. */
void lockup_hard(struct cpu *c) __attribute__((noreturn));

/* Describe every unfinished CPU; says whether that is a deadlock or not. */
enum sim_end lockup_describe_stall(char *buf, size_t len);

#endif

/* sim/sim.h - the kernel-like API the models are written against.
 *
 * models/ includes this and nothing of SimGrid: CPUs and their local time,
 * cache lines, spinlocks, IRQs and IPIs, TLB shootdowns, rw_semaphores,
 * seqcounts, RCU/SRCU, memory bandwidth, storage and statistics.
 */
#ifndef FAULTSIM_SIM_SIM_H
#define FAULTSIM_SIM_SIM_H

#include "cache.h"
#include "cacheline.h"
#include "cpu.h"
#include "cpumask.h"
#include "engine.h"
#include "invariant.h"
#include "irq.h"
#include "memory.h"
#include "rcu.h"
#include "rwsem.h"
#include "seqcount.h"
#include "spinlock.h"
#include "stats.h"
#include "storage.h"
#include "tlb.h"
#include "trace.h"
#include "waitqueue.h"

#endif

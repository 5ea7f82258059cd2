/* sim/invariant.h - consistency checks on the primitives' own state.
 *
 * A deadlock report is only worth reading if the primitives cannot corrupt
 * themselves: an rwsem whose count disagrees with its owner, a wait list
 * with a cycle in it or a CPU queued on two things at once would make the
 * simulation report a deadlock the kernel would never have.  Every
 * primitive checks its state after each operation when sim_invariants is
 * set, which Debug builds and the tests do; a broken invariant aborts the
 * run with a message saying which object broke which rule, like BUG().
 */
#ifndef FAULTSIM_SIM_INVARIANT_H
#define FAULTSIM_SIM_INVARIANT_H

#include <stdbool.h>

extern bool sim_invariants;

void sim_bug(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

#define SIM_BUG_ON(cond, ...)                                                                      \
	do {                                                                                       \
		if (cond)                                                                          \
			sim_bug(__FILE__, __LINE__, #cond, __VA_ARGS__);                           \
	} while (0)

#endif

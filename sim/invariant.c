/* sim/invariant.c - the switch for the primitives' checks, and BUG(). */
#include "invariant.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu.h"
#include "engine.h"

#ifdef NDEBUG
bool sim_invariants;
#else
bool sim_invariants = true;
#endif

void sim_bug(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "faultsim: invariant broken at %.0f ns (%s:%d: %s): ", sim_now(), file,
		line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

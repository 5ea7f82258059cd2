/* sim/trace.h - a timeline of what each simulated CPU did, for small runs.
 *
 * When tracing is on, the primitives record spans on the CPU's track:
 * waiting (spinning or sleeping, with IRQs on or off, on what), holding a
 * rw_semaphore, zeroing or copying pages; the models add their own spans
 * (a page fault, an mmap) and say what happened in them (the path a fault
 * took, why speculation gave up, the trylock tries, the pages mapped).
 * IRQs-off sections are spans too.  IPI handlers go on a second track per
 * CPU, with a flow from the sender.  Times are simulated ns.
 */
#ifndef FAULTSIM_SIM_TRACE_H
#define FAULTSIM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>

enum trace_phase {
	TRACE_SPAN,	  /* a complete span: start and end */
	TRACE_BEGIN,	  /* a span opened ... */
	TRACE_END,	  /* ... and closed, nested on the CPU's track */
	TRACE_FLOW_START, /* an arrow from here ... */
	TRACE_FLOW_END,	  /* ... to there */
};

#define TRACE_MAX_ARGS 4

/* What a span says about itself: a string or a number under a key. */
struct trace_arg {
	const char *key;
	const char *str; /* NULL: the number */
	double num;
};

struct trace_event {
	enum trace_phase phase;
	const char *what;   /* "wait", "hold", "fault"... */
	const char *detail; /* the lock or call; may be NULL */
	int cpu;
	bool irq_track; /* on the CPU's IPI-handler track */
	double start, end;
	unsigned long flow;
	struct trace_arg args[TRACE_MAX_ARGS];
	int nr_args;
};

extern bool trace_on;
extern struct trace_event *trace_events;
extern size_t trace_nr;

void trace_span(int cpu, bool irq_track, const char *what, const char *detail, double start,
		double end);
/* Spans on the current CPU's track, opened and closed at its clock. */
void trace_begin(const char *what, const char *detail);
void trace_end(void);
/* Say something about the current CPU's innermost open span (its args). */
void trace_arg_str(const char *key, const char *value);
void trace_arg_num(const char *key, double value);
/* An arrow, e.g. an IPI from its sender to the handler on the target. */
void trace_flow(int from, double at, int to, double to_at, const char *what);

#endif

/* sim/trace.c - recording timeline events in memory. */
#include "trace.h"

#include <stdlib.h>

#include "cpu.h"

bool trace_on;
struct trace_event *trace_events;
size_t trace_nr;
static size_t trace_cap;
static unsigned long flows;

static struct trace_event *trace_add(void)
{
	if (trace_nr == trace_cap) {
		trace_cap = trace_cap ? 2 * trace_cap : 4096;
		trace_events = realloc(trace_events, trace_cap * sizeof(*trace_events));
	}
	return &trace_events[trace_nr++];
}

void trace_span(int cpu, bool irq_track, const char *what, const char *detail, double start,
		double end)
{
	if (!trace_on)
		return;
	*trace_add() =
	    (struct trace_event){TRACE_SPAN, what, detail, cpu, irq_track, start, end, 0};
}

void trace_begin(const char *what, const char *detail)
{
	if (!trace_on)
		return;
	*trace_add() = (struct trace_event){TRACE_BEGIN, what,	      detail, smp_processor_id(),
					    false,	 cpu_clock(), 0,      0};
}

void trace_end(void)
{
	if (!trace_on)
		return;
	*trace_add() = (struct trace_event){TRACE_END, NULL,	    NULL, smp_processor_id(),
					    false,     cpu_clock(), 0,	  0};
}

void trace_flow(int from, double at, int to, double to_at, const char *what)
{
	if (!trace_on)
		return;
	flows++;
	*trace_add() =
	    (struct trace_event){TRACE_FLOW_START, what, NULL, from, false, at, at, flows};
	*trace_add() =
	    (struct trace_event){TRACE_FLOW_END, what, NULL, to, true, to_at, to_at, flows};
}

/* sim/trace.c - recording timeline events in memory.
 *
 * Only the measured window is recorded (sim/stats.h): a loop workload's
 * warm-up can be a thousand times longer than the window a trace is
 * sized for.  A complete span that ends in the window is kept whole; one
 * opened before the window (trace_begin()) is left out with its end.
 */
#include "trace.h"

#include <stdint.h>
#include <stdlib.h>

#include "cpu.h"
#include "engine.h"
#include "stats.h"

/* An open span begun before the window: its end is not recorded either. */
#define TRACE_UNRECORDED SIZE_MAX

bool trace_on;
struct trace_event *trace_events;
size_t trace_nr;
static size_t trace_cap;
static unsigned long flows;

/* Each CPU's open spans, innermost last: indices into trace_events. */
#define TRACE_MAX_DEPTH 16
static size_t (*open_spans)[TRACE_MAX_DEPTH];
static int *depth;

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
	if (!trace_on || end < stats_from || start > stats_from + stats_length)
		return;
	*trace_add() = (struct trace_event){.phase = TRACE_SPAN,
					    .what = what,
					    .detail = detail,
					    .cpu = cpu,
					    .irq_track = irq_track,
					    .start = start,
					    .end = end};
}

void trace_begin(const char *what, const char *detail)
{
	int cpu = smp_processor_id();

	if (!trace_on)
		return;
	if (!depth) {
		open_spans = calloc(nr_cpu_ids, sizeof(*open_spans));
		depth = calloc(nr_cpu_ids, sizeof(*depth));
	}
	if (depth[cpu] < TRACE_MAX_DEPTH)
		open_spans[cpu][depth[cpu]] = stats_measuring() ? trace_nr : TRACE_UNRECORDED;
	depth[cpu]++;
	if (!stats_measuring())
		return;
	*trace_add() = (struct trace_event){
	    .phase = TRACE_BEGIN, .what = what, .detail = detail, .cpu = cpu, .start = cpu_clock()};
}

void trace_end(void)
{
	int cpu = smp_processor_id();

	if (!trace_on)
		return;
	if (depth && depth[cpu] && --depth[cpu] < TRACE_MAX_DEPTH &&
	    open_spans[cpu][depth[cpu]] == TRACE_UNRECORDED)
		return;
	*trace_add() = (struct trace_event){.phase = TRACE_END, .cpu = cpu, .start = cpu_clock()};
}

static struct trace_event *innermost(void)
{
	int cpu = smp_processor_id();

	if (!trace_on || !depth || !depth[cpu] || depth[cpu] > TRACE_MAX_DEPTH ||
	    open_spans[cpu][depth[cpu] - 1] == TRACE_UNRECORDED)
		return NULL;
	return &trace_events[open_spans[cpu][depth[cpu] - 1]];
}

void trace_arg_str(const char *key, const char *value)
{
	struct trace_event *e = innermost();

	if (e && e->nr_args < TRACE_MAX_ARGS)
		e->args[e->nr_args++] = (struct trace_arg){key, value, 0};
}

void trace_arg_num(const char *key, double value)
{
	struct trace_event *e = innermost();

	if (e && e->nr_args < TRACE_MAX_ARGS)
		e->args[e->nr_args++] = (struct trace_arg){key, NULL, value};
}

void trace_flow(int from, double at, int to, double to_at, const char *what)
{
	if (!trace_on || to_at < stats_from || at > stats_from + stats_length)
		return;
	flows++;
	*trace_add() = (struct trace_event){.phase = TRACE_FLOW_START,
					    .what = what,
					    .cpu = from,
					    .start = at,
					    .end = at,
					    .flow = flows};
	*trace_add() = (struct trace_event){.phase = TRACE_FLOW_END,
					    .what = what,
					    .cpu = to,
					    .irq_track = true,
					    .start = to_at,
					    .end = to_at,
					    .flow = flows};
}

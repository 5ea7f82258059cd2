/* run/trace_out.c - writing the recorded timeline as trace events. */
#include "trace_out.h"

#include <string.h>

#include "../sim/sim.h"

/* Track ids: a CPU's own, and its IPI-handler track after all CPUs. */
static int track(const struct trace_event *e, int nr_cpus)
{
	return e->cpu + (e->irq_track ? nr_cpus : 0);
}

static void write_name(FILE *f, const struct trace_event *e)
{
	fputs("\"name\":\"", f);
	fputs(e->what, f);
	if (e->detail) {
		fputc(' ', f);
		for (const char *c = e->detail; *c; c++)
			if (*c != '"' && *c != '\\')
				fputc(*c, f);
	}
	fputs("\"", f);
	if (!e->nr_args)
		return;
	fputs(",\"args\":{", f);
	for (int i = 0; i < e->nr_args; i++) {
		fprintf(f, "%s\"%s\":", i ? "," : "", e->args[i].key);
		if (e->args[i].str)
			fprintf(f, "\"%s\"", e->args[i].str);
		else
			fprintf(f, "%.10g", e->args[i].num);
	}
	fputc('}', f);
}

void trace_write(FILE *f, int nr_cpus)
{
	bool first = true;

	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	for (int c = 0; c < nr_cpus; c++) {
		if (!cpus[c].busy)
			continue;
		fprintf(f,
			"%s{\"ph\":\"M\",\"pid\":0,\"tid\":%d,\"name\":\"thread_name\","
			"\"args\":{\"name\":\"cpu %d\"}},\n"
			"{\"ph\":\"M\",\"pid\":0,\"tid\":%d,\"name\":\"thread_name\","
			"\"args\":{\"name\":\"cpu %d IPIs\"}}",
			first ? "" : ",\n", c, c, c + nr_cpus, c);
		first = false;
	}
	for (size_t i = 0; i < trace_nr; i++) {
		const struct trace_event *e = &trace_events[i];
		/* Trace-event time is in microseconds. */
		double ts = e->start / 1e3;

		fprintf(f, "%s{\"pid\":0,\"tid\":%d,\"ts\":%.4f,", first ? "" : ",\n",
			track(e, nr_cpus), ts);
		first = false;
		switch (e->phase) {
		case TRACE_SPAN:
			fprintf(f, "\"ph\":\"X\",\"dur\":%.4f,", (e->end - e->start) / 1e3);
			write_name(f, e);
			break;
		case TRACE_BEGIN:
			fputs("\"ph\":\"B\",", f);
			write_name(f, e);
			break;
		case TRACE_END:
			fputs("\"ph\":\"E\"", f);
			break;
		case TRACE_FLOW_START:
		case TRACE_FLOW_END:
			fprintf(f, "\"ph\":\"%s\",\"id\":%lu,\"cat\":\"ipi\",%s",
				e->phase == TRACE_FLOW_START ? "s" : "f", e->flow,
				e->phase == TRACE_FLOW_END ? "\"bp\":\"e\"," : "");
			write_name(f, e);
			break;
		}
		fputc('}', f);
	}
	fputs("\n]}\n", f);
}

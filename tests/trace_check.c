/* tests/trace_check.c - is a --trace file valid trace-event JSON?
 *
 * Loads it with jansson, checks every B span is closed by an E on the same
 * track (open spans are allowed only when the run ended in a lockup:
 * --open-ok), and prints the counts of event kinds and the span names, one
 * a line, for the shell test to grep.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	json_t *root, *events, *e;
	int depth[8192] = {0}, counts[128] = {0};
	bool open_ok = argc > 2 && !strcmp(argv[2], "--open-ok");
	size_t i;

	if (argc < 2 || !(root = json_load_file(argv[1], 0, NULL))) {
		fprintf(stderr, "trace_check: %s: not JSON\n", argc > 1 ? argv[1] : "(none)");
		return 1;
	}
	events = json_object_get(root, "traceEvents");
	if (!json_is_array(events)) {
		fprintf(stderr, "trace_check: no traceEvents array\n");
		return 1;
	}
	json_array_foreach(events, i, e)
	{
		const char *ph = json_string_value(json_object_get(e, "ph"));
		const char *name = json_string_value(json_object_get(e, "name"));
		int tid = (int)json_integer_value(json_object_get(e, "tid"));

		if (!ph || tid < 0 || tid >= 8192 ||
		    (strcmp(ph, "M") && !json_is_number(json_object_get(e, "ts")))) {
			fprintf(stderr, "trace_check: event %zu is malformed\n", i);
			return 1;
		}
		counts[(unsigned char)ph[0]]++;
		depth[tid] += !strcmp(ph, "B") - !strcmp(ph, "E");
		if (depth[tid] < 0) {
			fprintf(stderr, "trace_check: an E without its B on track %d\n", tid);
			return 1;
		}
		if (name && strcmp(ph, "E") && strcmp(ph, "M"))
			printf("name %s\n", name);
	}
	for (int t = 0; t < 8192 && !open_ok; t++)
		if (depth[t]) {
			fprintf(stderr, "trace_check: %d spans left open on track %d\n", depth[t],
				t);
			return 1;
		}
	printf("events %zu B %d E %d X %d s %d f %d M %d\n", json_array_size(events), counts['B'],
	       counts['E'], counts['X'], counts['s'], counts['f'], counts['M']);
	json_decref(root);
	return 0;
}

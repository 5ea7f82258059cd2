/* lang/placement.c - task placement: compact, spread, auto or a CPU list. */
#include "placement.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * will-it-scale pins its tasks (compact); pft, the mixed churn and a
 * program starting its text leave them to the scheduler (spread).
 */
const char *placement_auto(const char *type)
{
	static const char *const pinned[] = {"page_fault1", "page_fault2", "page_fault3",
					     "tlb_flush2",  "mmap1",	   "lock"};

	for (size_t i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++)
		if (!strcmp(type, pinned[i]))
			return "compact";
	return "spread";
}

/* "0-15,64-79": the listed CPUs in order; each once, each on the machine. */
static int parse_list(const char *spec, int nr, int tasks, int *cpu_of, char *why, int len)
{
	bool *used = calloc(nr, sizeof(*used));
	const char *p = spec;
	int n = 0, rc = -1;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p)
				goto bad;
		}
		if (lo < 0 || hi < lo || hi >= nr) {
			snprintf(why, len, "'%s': CPUs %ld-%ld are not all on the machine (0-%d)",
				 spec, lo, hi, nr - 1);
			goto out;
		}
		for (long c = lo; c <= hi; c++) {
			if (used[c]) {
				snprintf(why, len, "'%s': CPU %ld listed twice", spec, c);
				goto out;
			}
			used[c] = true;
			if (n < tasks)
				cpu_of[n] = (int)c;
			n++;
		}
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			goto bad;
	}
	if (n < tasks) {
		snprintf(why, len, "'%s' lists %d CPUs for %d tasks", spec, n, tasks);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	snprintf(why, len, "'%s' is not compact, spread, auto or a CPU list such as 0-15,64-79",
		 spec);
out:
	free(used);
	return rc;
}

int placement_build(const char *spec, const char *type, const struct machine *m, int tasks,
		    int *cpu_of, char *why, int len)
{
	if (!strcmp(spec, "auto"))
		spec = placement_auto(type);
	if (!strcmp(spec, "compact")) {
		for (int i = 0; i < tasks; i++)
			cpu_of[i] = i;
		return 0;
	}
	if (!strcmp(spec, "spread")) {
		for (int i = 0; i < tasks; i++)
			cpu_of[i] = machine_spread_cpu(m, i);
		return 0;
	}
	return parse_list(spec, machine_nr_cpus(m), tasks, cpu_of, why, len);
}

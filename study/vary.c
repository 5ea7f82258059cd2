/* study/vary.c - parsing section.key=LIST into the values a sweep runs. */
#include "vary.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lang/keys.h"

#define VARY_MAX_VALUES 100000

static int add_value(struct vary *v, const char *s, char *err, int len)
{
	/* A value listed twice is one point, not two. */
	for (int i = 0; i < v->nr; i++)
		if (!strcmp(v->values[i], s))
			return 0;
	if (v->nr == VARY_MAX_VALUES) {
		snprintf(err, len, "more than %d values", VARY_MAX_VALUES);
		return -1;
	}
	v->values = realloc(v->values, (v->nr + 1) * sizeof(*v->values));
	v->values[v->nr++] = strdup(s);
	return 0;
}

static int parse_long(const char *s, const char *stop, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || end != stop ? -1 : 0;
}

/* A..B, A..BxF or A..B+S. */
static int add_range(struct vary *v, const char *item, const char *dots, char *err, int len)
{
	const char *b = dots + 2, *op = b + strcspn(b, "x+");
	long lo, hi, step = 1;
	char buf[32];
	bool mul = *op == 'x';

	if (parse_long(item, dots, &lo) || parse_long(b, op, &hi) ||
	    (*op && parse_long(op + 1, op + strlen(op), &step))) {
		snprintf(err, len, "'%s' is not a range such as 1..256x2 or 0..16+4", item);
		return -1;
	}
	if (hi < lo || step < 1 || (mul && (step < 2 || lo < 1))) {
		snprintf(err, len,
			 "'%s': a range goes up from A to B by +S >= 1 or xF >= 2 from A >= 1",
			 item);
		return -1;
	}
	for (long x = lo; x <= hi; x = mul ? x * step : x + step) {
		snprintf(buf, sizeof(buf), "%ld", x);
		if (add_value(v, buf, err, len))
			return -1;
	}
	return 0;
}

int vary_parse(const char *spec, struct vary *v, char *err, int len)
{
	const char *eq = strchr(spec, '='), *dot = strchr(spec, '.');
	char *list, *item, *save;
	const char *hint;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	if (!eq || !dot || dot > eq || dot == spec || dot + 1 == eq || (size_t)(dot - spec) >= 64 ||
	    (size_t)(eq - dot - 1) >= 64) {
		snprintf(err, len, "'%s' is not section.key=LIST", spec);
		return -1;
	}
	snprintf(v->section, sizeof(v->section), "%.*s", (int)(dot - spec), spec);
	snprintf(v->key, sizeof(v->key), "%.*s", (int)(eq - dot - 1), dot + 1);
	if (key_find(v->section, v->key) < 0) {
		hint = section_known(v->section) ? key_suggest(v->section, v->key) : NULL;
		snprintf(err, len, "%s.%s: unknown key%s%s%s", v->section, v->key,
			 hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
		return -1;
	}
	list = strdup(eq + 1);
	for (item = strtok_r(list, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		const char *dots = strstr(item, "..");

		rc = dots ? add_range(v, item, dots, err, len) : add_value(v, item, err, len);
	}
	free(list);
	if (!rc && !v->nr) {
		snprintf(err, len, "%s.%s: no values", v->section, v->key);
		rc = -1;
	}
	if (rc)
		vary_free(v);
	return rc;
}

void vary_free(struct vary *v)
{
	for (int i = 0; i < v->nr; i++)
		free(v->values[i]);
	free(v->values);
	v->values = NULL;
	v->nr = 0;
}

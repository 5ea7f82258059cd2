/* run/flatten.c - walking a result's JSON into flat CSV columns. */
#include "flatten.h"

#include <string.h>

static void walk(json_t *o, const char *prefix, void (*fn)(const char *, json_t *, void *),
		 void *arg)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		char name[256];

		if (!*prefix && (!strcmp(key, "params") || !strcmp(key, "report")))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(v))
			walk(v, name, fn, arg);
		else if (!json_is_array(v) && !json_is_null(v))
			fn(name, v, arg);
	}
}

void json_flatten(json_t *root, void (*fn)(const char *name, json_t *value, void *arg), void *arg)
{
	walk(root, "", fn, arg);
}

void csv_write_text(FILE *f, const char *text)
{
	fputc('"', f);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			fputs("\"\"", f);
		else
			fputc(*p == '\n' ? ' ' : *p, f);
	}
	fputc('"', f);
}

void csv_write_scalar(FILE *f, json_t *v)
{
	if (json_is_string(v))
		csv_write_text(f, json_string_value(v));
	else if (json_is_integer(v))
		fprintf(f, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%.12g", json_real_value(v));
	else if (json_is_boolean(v))
		fprintf(f, "%s", json_is_true(v) ? "true" : "false");
}

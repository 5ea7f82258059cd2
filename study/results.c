/* study/results.c - DIR/results.csv, rebuilt from the points that finished.
 *
 * One row per finished point and seed, in the sweep's order: the point,
 * every varied key, the seed, its status (ok, lockup, deadlock, livelock
 * or failed) and the reason a failed point gave, then every scalar of its
 * JSON but the wall time, the one figure that is not simulated.  Points
 * not yet run have no row.  The file is replaced whole, so it is never
 * half written.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../run/flatten.h"
#include "../run/outfile.h"
#include "sweep.h"

/* Every scalar but the wall time and what the row's first columns say, once. */
static void collect_name(const char *name, json_t *v, void *arg)
{
	json_t *seen = json_array_get(arg, 0), *columns = json_array_get(arg, 1);

	(void)v;
	if (!strcmp(name, "wall_time_s") || !strcmp(name, "seed") || !strcmp(name, "scenario") ||
	    !strcmp(name, "end") || json_object_get(seen, name))
		return;
	json_object_set_new(seen, name, json_true());
	json_array_append_new(columns, json_string(name));
}

/* A varied value: bare when it needs no quoting (numbers, words). */
static void write_value(FILE *f, const char *s)
{
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") ==
	    strlen(s))
		fputs(s, f);
	else
		csv_write_text(f, s);
}

static void collect_value(const char *name, json_t *v, void *arg)
{
	json_object_set(arg, name, v);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 4096);
	n = fread(buf, 1, 4095, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

static json_t *load_point(const char *dir, const char *name, const char *ext)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/points/%s.%s", dir, name, ext);
	return json_load_file(path, 0, NULL);
}

static void write_header(FILE *f, json_t *varies, json_t *columns)
{
	size_t i;
	json_t *v;

	fputs("point", f);
	json_array_foreach(varies, i, v)
	    fprintf(f, ",%s", json_string_value(json_object_get(v, "key")));
	fputs(",seed,status,reason", f);
	json_array_foreach(columns, i, v) fprintf(f, ",%s", json_string_value(v));
	fputc('\n', f);
}

/* One row per point with a result; false if the point has none yet. */
static bool write_row(FILE *f, const char *dir, json_t *pt, json_t *columns)
{
	const char *name = json_string_value(json_object_get(pt, "name"));
	json_t *res = load_point(dir, name, "json"), *flat, *v;
	char path[1024], *reason = NULL;
	const char *status = "failed";
	size_t i;

	if (!res) {
		snprintf(path, sizeof(path), "%s/points/%s.failed", dir, name);
		reason = read_text(path);
	}
	if (!res && !reason) {
		/* Killed or out of a resource: it runs again on resume. */
		status = "unfinished";
		snprintf(path, sizeof(path), "%s/points/%s.unfinished", dir, name);
		reason = read_text(path);
		if (!reason)
			return false; /* not run yet */
	}
	fputs(name, f);
	json_array_foreach(json_object_get(pt, "values"), i, v)
	{
		fputc(',', f);
		write_value(f, json_string_value(v));
	}
	fprintf(f, ",%lld,", (long long)json_integer_value(json_object_get(pt, "seed")));
	if (!res) {
		fprintf(f, "%s,", status);
		csv_write_text(f, reason);
		for (i = 0; i < json_array_size(columns); i++)
			fputc(',', f);
		fputc('\n', f);
		free(reason);
		return true;
	}
	fprintf(f, "%s,", json_string_value(json_object_get(res, "end")));
	flat = json_object();
	json_flatten(res, collect_value, flat);
	json_array_foreach(columns, i, v)
	{
		fputc(',', f);
		csv_write_scalar(f, json_object_get(flat, json_string_value(v)));
	}
	fputc('\n', f);
	json_decref(flat);
	json_decref(res);
	return true;
}

int results_write(const char *dir)
{
	char path[1024], err[512];
	json_t *manifest, *points, *columns = json_array(), *pt, *acc;
	struct output_file of;
	size_t i, missing = 0;
	char names[2048] = "";
	int rc;

	snprintf(path, sizeof(path), "%s/sweep.json", dir);
	manifest = json_load_file(path, 0, NULL);
	points = json_object_get(manifest, "points");
	if (!json_is_array(points)) {
		fprintf(stderr, "faultsim: %s: not a sweep directory (no readable sweep.json)\n",
			dir);
		json_decref(manifest);
		json_decref(columns);
		return 2;
	}
	/* Every column any point has, in the order the sweep's points first have them. */
	acc = json_pack("[o,O]", json_object(), columns);
	json_array_foreach(points, i, pt)
	{
		json_t *res =
		    load_point(dir, json_string_value(json_object_get(pt, "name")), "json");

		if (!res)
			continue;
		json_flatten(res, collect_name, acc);
		json_decref(res);
	}
	json_decref(acc);
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	if (outfile_open(&of, path, err, sizeof(err))) {
		fprintf(stderr, "faultsim: %s\n", err);
		json_decref(manifest);
		json_decref(columns);
		return outfile_failure_status();
	}
	write_header(of.f, json_object_get(manifest, "vary"), columns);
	json_array_foreach(points, i, pt)
	{
		if (write_row(of.f, dir, pt, columns))
			continue;
		if (missing++ < 8)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), " %s",
				 json_string_value(json_object_get(pt, "name")));
	}
	rc = outfile_commit(&of) ? outfile_failure_status() : 0;
	/* A partial sweep says so: the report would describe it as complete. */
	if (!rc && missing) {
		fprintf(stderr, "faultsim: %s: %zu of %zu points have no result yet:%s%s\n", dir,
			missing, json_array_size(points), names, missing > 8 ? " ..." : "");
		rc = 1;
	}
	json_decref(manifest);
	json_decref(columns);
	return rc;
}

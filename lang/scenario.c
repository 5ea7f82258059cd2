/* lang/scenario.c - INI through libinih, with includes, layers and checks.
 *
 * libinih does not tell its handler the line number, so the files are fed
 * to ini_parse_stream() through a reader of ours that counts lines, expands
 * "include FILE" in place and rejects lines that are neither a section, a
 * key = value, a comment nor an include.  Parsing stops at the first error.
 *
 * Input limits, so that any input is refused or parsed in bounded time:
 * scenario, include and profile files are regular files; a line holds at
 * most MAX_LINE characters and no NUL byte; includes nest at most
 * MAX_INCLUDE_DEPTH deep, and a load reads at most MAX_TOTAL_LINES lines,
 * includes counted each time they are read.
 */
#include "scenario.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <dirent.h>
#include <ini.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum layer { LAYER_DEFAULT, LAYER_PROFILE, LAYER_FILE, LAYER_SET };

#define MAX_INCLUDE_DEPTH 8
#define MAX_TOTAL_LINES	  100000
/* libinih's line buffer (INI_MAX_LINE), less the terminating NUL. */
#define MAX_LINE 199

struct parse_ctx {
	struct scenario *sc;
	const char *file;
	FILE *f;
	int line;
	int depth;
	int layer;
};

static int parse_file(struct scenario *sc, const char *path, const char *from, int depth,
		      int layer);

static void fail(struct scenario *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct scenario *sc, const char *fmt, ...)
{
	va_list ap;

	if (sc->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(sc->error, sizeof(sc->error), fmt, ap);
	va_end(ap);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Store one value at its layer, after checking section, key and value. */
static int set_value(struct scenario *sc, int layer, const char *where, const char *section,
		     const char *name, const char *raw)
{
	char buf[256], why[256];
	const char *hint;
	char *value;
	struct setting *st;
	double num;
	char *hash;
	int k;

	/* libinih strips "; comments"; fio files also use " # comments". */
	snprintf(buf, sizeof(buf), "%s", raw);
	hash = strstr(buf, " #");
	if (hash)
		*hash = '\0';
	value = trim(buf);

	if (!section_known(section)) {
		hint = key_suggest(section, NULL);
		fail(sc, "%s: unknown section [%s]%s%s%s", where, section,
		     hint ? "; did you mean [" : "", hint ? hint : "", hint ? "]?" : "");
		return -1;
	}
	k = key_find(section, name);
	if (k < 0) {
		hint = key_suggest(section, name);
		fail(sc, "%s: [%s] %s: unknown key%s%s%s", where, section, name,
		     hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
		return -1;
	}
	if (layer == LAYER_PROFILE &&
	    (strcmp(section, "machine") || strcmp(name, "profile") == 0)) {
		fail(sc,
		     "%s: [%s] %s: a machine file may only set [machine] keys other than profile",
		     where, section, name);
		return -1;
	}
	if (key_parse(&keys[k], value, &num, why, sizeof(why))) {
		fail(sc, "%s: [%s] %s: %s", where, section, name, why);
		return -1;
	}
	st = &sc->settings[k];
	if (st->layer > layer)
		return 0;
	free(st->value);
	st->value = strdup(value);
	st->num = num;
	st->layer = layer;
	snprintf(st->where, sizeof(st->where), "%s", where);
	return 0;
}

/* [sweep]: what faultsim sweep varies; faultsim run ignores it. */
static void sweep_key(struct scenario *sc, const char *where, const char *name, const char *value)
{
	char *end;
	long n;

	if (strcmp(name, "vary") == 0) {
		sc->sweep = realloc(sc->sweep, (sc->nr_sweep + 1) * sizeof(*sc->sweep));
		sc->sweep[sc->nr_sweep].spec = strdup(value);
		snprintf(sc->sweep[sc->nr_sweep].where, WHERE_LEN, "%s", where);
		sc->nr_sweep++;
		return;
	}
	if (strcmp(name, "seeds") == 0) {
		n = strtol(value, &end, 10);
		if (end == value || *end || n < 1 || n > 1000) {
			fail(sc, "%s: [sweep] seeds: '%s' is not 1 to 1000", where, value);
			return;
		}
		sc->sweep_seeds = (int)n;
		snprintf(sc->sweep_seeds_where, WHERE_LEN, "%s", where);
		return;
	}
	fail(sc, "%s: [sweep] %s: unknown key (vary = section.key=LIST, seeds = N)", where, name);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *ctx = user;
	char where[WHERE_LEN];

	snprintf(where, sizeof(where), "%s:%d", ctx->file, ctx->line);
	if (strcmp(section, "sweep") == 0 && ctx->layer == LAYER_FILE)
		sweep_key(ctx->sc, where, name, value);
	else
		set_value(ctx->sc, ctx->layer, where, section, name, value);
	return 1;
}

/* "include FILE", relative to the including file's folder. */
static void include_file(struct parse_ctx *ctx, const char *arg)
{
	char dir[WHERE_LEN], path[2 * WHERE_LEN], from[WHERE_LEN + 16];
	char *copy = strdup(ctx->file);

	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	free(copy);
	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, arg);
	if (ctx->depth >= MAX_INCLUDE_DEPTH) {
		fail(ctx->sc, "%s:%d: include %s: includes nested deeper than %d (a cycle?)",
		     ctx->file, ctx->line, arg, MAX_INCLUDE_DEPTH);
		return;
	}
	snprintf(from, sizeof(from), "%s:%d: include", ctx->file, ctx->line);
	parse_file(ctx->sc, path, from, ctx->depth + 1, ctx->layer);
}

/*
 * One line into str, refusing what libinih would silently split or cut:
 * a line longer than its buffer, a NUL byte.
 */
static int get_line(struct parse_ctx *ctx, char *str, int num)
{
	int ch, n = 0;

	while ((ch = getc(ctx->f)) != EOF && ch != '\n') {
		if (ch == '\0') {
			fail(ctx->sc, "%s:%d: a NUL byte in the line", ctx->file, ctx->line + 1);
			return -1;
		}
		if (n == num - 1) {
			fail(ctx->sc, "%s:%d: line longer than %d characters", ctx->file,
			     ctx->line + 1, num - 1);
			return -1;
		}
		str[n++] = (char)ch;
	}
	if (ferror(ctx->f)) {
		fail(ctx->sc, "%s: cannot read: %m", ctx->file);
		return -1;
	}
	if (ch == EOF && !n)
		return -1;
	str[n] = '\0';
	ctx->line++;
	if (++ctx->sc->lines_read > MAX_TOTAL_LINES) {
		fail(ctx->sc, "%s:%d: more than %d lines in all, includes counted each time",
		     ctx->file, ctx->line, MAX_TOTAL_LINES);
		return -1;
	}
	return 0;
}

static char *read_line(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	char *s;

	if (ctx->sc->error[0] || get_line(ctx, str, num < MAX_LINE + 1 ? num : MAX_LINE + 1))
		return NULL;
	/* No continuation lines: an indented line is an ordinary one. */
	s = trim(str);
	memmove(str, s, strlen(s) + 1);
	if (!str[0] || str[0] == ';' || str[0] == '#' || strchr(str, '='))
		return str;
	if (str[0] == '[' && strchr(str, ']'))
		return str;
	if (strncmp(str, "include", 7) == 0 && isspace((unsigned char)str[7])) {
		include_file(ctx, trim(str + 7));
		str[0] = '\0';
		return ctx->sc->error[0] ? NULL : str;
	}
	fail(ctx->sc, "%s:%d: expected '[section]', 'key = value' or 'include FILE', got '%s'",
	     ctx->file, ctx->line, str);
	return NULL;
}

/*
 * Open a scenario, include or profile file: a regular file, nothing else.
 * from, if not NULL, is what named it ("file:line: include x.ini").
 */
static FILE *open_regular(struct scenario *sc, const char *path, const char *from)
{
	struct stat st;
	FILE *f = fopen(path, "r");

	if (!f) {
		fail(sc, "%s%s%s: cannot open: %m", from ? from : "", from ? ": " : "", path);
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fail(sc, "%s%s%s: not a regular file", from ? from : "", from ? ": " : "", path);
		fclose(f);
		return NULL;
	}
	return f;
}

static int parse_file(struct scenario *sc, const char *path, const char *from, int depth, int layer)
{
	struct parse_ctx ctx = {sc, path, NULL, 0, depth, layer};
	int rc;

	ctx.f = open_regular(sc, path, from);
	if (!ctx.f)
		return -1;
	rc = ini_parse_stream(read_line, &ctx, on_key, &ctx);
	fclose(ctx.f);
	if (rc > 0)
		fail(sc, "%s:%d: syntax error", path, rc);
	return sc->error[0] ? -1 : 0;
}

/* --set section.key=value */
static int apply_set(struct scenario *sc, const char *arg)
{
	char buf[512], where[WHERE_LEN];
	char *dot, *eq;

	snprintf(buf, sizeof(buf), "%s", arg);
	snprintf(where, sizeof(where), "--set %s", arg);
	dot = strchr(buf, '.');
	eq = strchr(buf, '=');
	if (!dot || !eq || dot > eq) {
		fail(sc, "%s: expected --set section.key=value", where);
		return -1;
	}
	*dot = *eq = '\0';
	return set_value(sc, LAYER_SET, where, trim(buf), trim(dot + 1), eq + 1);
}

static void list_profiles(const char *dir, char *buf, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);

		if (l > 4 && strcmp(names[i]->d_name + l - 4, ".ini") == 0 && used + l < len)
			used += snprintf(buf + used, len - used, "%s%.*s", used ? ", " : "",
					 (int)(l - 4), names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* name as a path: relative paths start from the folder of st's file. */
static void setting_path(const struct setting *st, const char *name, char *path, size_t len)
{
	char file[WHERE_LEN], *colon;

	snprintf(file, sizeof(file), "%s", st->where);
	colon = strrchr(file, ':');
	if (name[0] == '/' || st->layer != LAYER_FILE || !colon) {
		snprintf(path, len, "%s", name);
		return;
	}
	*colon = '\0';
	snprintf(path, len, "%s/%s", dirname(file), name);
}

static int load_profile(struct scenario *sc)
{
	int k = key_find("machine", "profile");
	const char *name = sc->settings[k].value;
	const char *dir = getenv("FAULTSIM_MACHINES");
	char path[WHERE_LEN + 64], dirbuf[WHERE_LEN], avail[512], from[WHERE_LEN + 32];
	FILE *f;

	if (!dir) {
		snprintf(dirbuf, sizeof(dirbuf), "%s/machines", FAULTSIM_DATADIR);
		dir = dirbuf;
	}
	/*
	 * A path (as faultsim calibrate writes one): relative to the folder
	 * of the file that names it, as an include is; from --set, to ours.
	 */
	snprintf(from, sizeof(from), "%s: [machine] profile", sc->settings[k].where);
	if (strchr(name, '/')) {
		setting_path(&sc->settings[k], name, path, sizeof(path));
		return parse_file(sc, path, from, 0, LAYER_PROFILE);
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
	    strlen(name)) {
		fail(sc, "%s: [machine] profile: '%s' is not a profile name", sc->settings[k].where,
		     name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.ini", dir, name);
	f = fopen(path, "r");
	if (!f) {
		list_profiles(dir, avail, sizeof(avail));
		fail(sc, "%s: [machine] profile: no machine '%s' in %s; available: %s",
		     sc->settings[k].where, name, dir, avail);
		return -1;
	}
	fclose(f);
	return parse_file(sc, path, from, 0, LAYER_PROFILE);
}

/* Every key needs a value, and keys of another workload type are mistakes. */
static int check_complete(struct scenario *sc)
{
	const char *type = scenario_str(sc, "workload", "type");

	for (int i = 0; i < nr_keys; i++) {
		const struct key_def *k = &keys[i];
		const struct setting *st = &sc->settings[i];

		if (strcmp(k->section, "workload") == 0 && strcmp(k->name, "type") != 0 && !type)
			continue;
		if (!st->value) {
			fail(sc, "%s: [%s] %s: not set%s", sc->path, k->section, k->name,
			     strcmp(k->section, "machine") == 0 ? " by the machine profile" : "");
			return -1;
		}
		if (k->workloads && st->layer >= LAYER_FILE && !choice_in(k->workloads, type)) {
			fail(sc, "%s: [%s] %s: does not apply to type = %s (only to %s)", st->where,
			     k->section, k->name, type, k->workloads);
			return -1;
		}
	}
	return 0;
}

int scenario_load(struct scenario *sc, const char *path, char *const *sets, int nr_sets)
{
	memset(sc, 0, sizeof(*sc));
	sc->path = strdup(path);
	sc->settings = calloc(nr_keys, sizeof(*sc->settings));
	for (int i = 0; i < nr_keys; i++) {
		if (keys[i].def)
			set_value(sc, LAYER_DEFAULT, "default", keys[i].section, keys[i].name,
				  keys[i].def);
	}
	if (parse_file(sc, path, NULL, 0, LAYER_FILE))
		return 2;
	for (int i = 0; i < nr_sets; i++)
		if (apply_set(sc, sets[i]))
			return 2;
	if (load_profile(sc) || check_complete(sc))
		return 2;
	return 0;
}

void scenario_free(struct scenario *sc)
{
	for (int i = 0; sc->settings && i < nr_keys; i++)
		free(sc->settings[i].value);
	for (int i = 0; i < sc->nr_sweep; i++)
		free(sc->sweep[i].spec);
	free(sc->sweep);
	free(sc->settings);
	free(sc->path);
	sc->settings = NULL;
	sc->path = NULL;
}

static const struct setting *lookup(const struct scenario *sc, const char *section,
				    const char *name)
{
	int k = key_find(section, name);

	return k < 0 ? NULL : &sc->settings[k];
}

double scenario_num(const struct scenario *sc, const char *section, const char *name)
{
	return lookup(sc, section, name)->num;
}

const char *scenario_str(const struct scenario *sc, const char *section, const char *name)
{
	return lookup(sc, section, name)->value;
}

void scenario_foreach(const struct scenario *sc,
		      void (*fn)(const char *section, const char *name, const char *value,
				 double base, const char *where, void *arg),
		      void *arg)
{
	for (int i = 0; i < nr_keys; i++) {
		const struct setting *st = &sc->settings[i];
		bool numeric = keys[i].type != KEY_NAME && keys[i].type != KEY_CHOICE;

		if (st->value)
			fn(keys[i].section, keys[i].name, st->value, numeric ? st->num : NAN,
			   st->where, arg);
	}
}

int scenario_layer(const struct scenario *sc, const char *section, const char *name)
{
	return lookup(sc, section, name)->layer;
}

const char *scenario_where(const struct scenario *sc, const char *section, const char *name)
{
	return lookup(sc, section, name)->where;
}

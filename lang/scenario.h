/* lang/scenario.h - loading a scenario: INI files, includes, a machine
 * profile, command-line overrides, and the checks that come with them.
 *
 * Precedence, lowest first: the schema's defaults, the machine profile
 * (machines/NAME.ini), the scenario file and its includes in file order,
 * then --set.  Every value is parsed and range-checked where it was
 * written, so an error names the file and line (or the --set) and the key.
 */
#ifndef FAULTSIM_CLI_SCENARIO_H
#define FAULTSIM_CLI_SCENARIO_H

#include "keys.h"

#define WHERE_LEN 512

struct setting {
	char *value;
	double num;	       /* parsed, in base units */
	char where[WHERE_LEN]; /* "file:line", "--set" or "default" */
	int layer;
};

/* A line of the file's [sweep] section: vary = section.key=LIST. */
struct sweep_line {
	char *spec;
	char where[WHERE_LEN];
};

struct scenario {
	char *path;
	struct setting *settings; /* one per key in keys[] */
	struct sweep_line *sweep; /* [sweep] vary lines, in file order */
	int nr_sweep;
	int sweep_seeds; /* [sweep] seeds, 0 if not set */
	char sweep_seeds_where[WHERE_LEN];
	char error[1024];
	int lines_read; /* by this load, includes counted each time */
};

/* 0 on success; 2 with sc->error set on bad input. */
int scenario_load(struct scenario *sc, const char *path, char *const *sets, int nr_sets);
void scenario_free(struct scenario *sc);

double scenario_num(const struct scenario *sc, const char *section, const char *name);
const char *scenario_str(const struct scenario *sc, const char *section, const char *name);
const char *scenario_where(const struct scenario *sc, const char *section, const char *name);
/*
 * Each resolved key: its value as typed, in base units where it is a
 * number (else NAN), and where it came from ("default", "file:line" of the
 * scenario, an include or the profile, "--set ...").
 */
void scenario_foreach(const struct scenario *sc,
		      void (*fn)(const char *section, const char *name, const char *value,
				 double base, const char *where, void *arg),
		      void *arg);

/* Where a value came from, as a rank: default < profile < file < --set. */
int scenario_layer(const struct scenario *sc, const char *section, const char *name);

#endif

/* lang/keys.h - every key a scenario may set: type, range, default, help. */
#ifndef FAULTSIM_CLI_KEYS_H
#define FAULTSIM_CLI_KEYS_H

enum key_type {
	KEY_INT,
	KEY_REAL,
	KEY_SIZE,
	KEY_TIME,
	KEY_FREQ,
	KEY_BANDWIDTH,
	KEY_BOOL,
	KEY_CHOICE,
	KEY_NAME,
};

struct key_def {
	const char *section;
	const char *name;
	enum key_type type;
	const char *def;       /* NULL: a machine profile or the user must set it */
	double min, max;       /* in base units: bytes, ns, Hz, bytes/s */
	const char *choices;   /* KEY_CHOICE: "a|b|c" */
	const char *workloads; /* workload types it applies to; NULL: all */
	const char *help;
};

extern const struct key_def keys[];
extern const int nr_keys;

int key_find(const char *section, const char *name);
int section_known(const char *section);
/* The known key (or section, if name is NULL) closest to a misspelling. */
const char *key_suggest(const char *section, const char *name);
/* 1 if value is one of the '|'-separated words of choices. */
int choice_in(const char *choices, const char *value);
/* Parse and range-check value; 0, or -1 with why filled in. */
int key_parse(const struct key_def *k, const char *value, double *out, char *why, int len);
/* The accepted range or values, in the units a user types. */
void key_describe_range(const struct key_def *k, char *buf, int len);

#endif

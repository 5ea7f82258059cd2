/* study/vary.h - what a sweep varies: a key and the list of its values.
 *
 * LIST is comma-separated items, each a value as a scenario would take it
 * (64, 2m, spf) or an integer range: A..BxF multiplies by F from A up to
 * B (1..256x2), A..B+S adds S (0..16+4), A..B counts by one.
 */
#ifndef FAULTSIM_CLI_VARY_H
#define FAULTSIM_CLI_VARY_H

struct vary {
	char section[64], key[64];
	char **values;
	int nr;
};

/* Parse "section.key=LIST"; 0, or -1 with a message in err. */
int vary_parse(const char *spec, struct vary *v, char *err, int len);
void vary_free(struct vary *v);

#endif

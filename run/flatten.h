/* run/flatten.h - a run's JSON as flat name = scalar pairs, for CSV files.
 *
 * Nested objects become a.b.c; parameters, the report text, arrays and
 * nulls are left out (they stay in the JSON).
 */
#ifndef FAULTSIM_CLI_FLATTEN_H
#define FAULTSIM_CLI_FLATTEN_H

#include <jansson.h>
#include <stdio.h>

void json_flatten(json_t *root, void (*fn)(const char *name, json_t *value, void *arg), void *arg);
/* One scalar as a CSV field: strings quoted, booleans as true/false. */
void csv_write_scalar(FILE *f, json_t *value);
/* A free text as a CSV field, quoted, quotes doubled, newlines as spaces. */
void csv_write_text(FILE *f, const char *text);

#endif

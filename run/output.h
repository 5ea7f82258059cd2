/* run/output.h - the summary table, the JSON and the CSV of a run.
 *
 * Output files are opened before the run (an unwritable path is bad input,
 * found before any work) as temporaries beside their targets, and renamed
 * into place only once complete: a run never leaves half a file.
 */
#ifndef FAULTSIM_CLI_OUTPUT_H
#define FAULTSIM_CLI_OUTPUT_H

#include <stdio.h>

#include "outfile.h"
#include "run.h"

struct output_files {
	struct output_file json, csv;
};

int output_open(struct output_files *files, const struct run_opts *o, char *err, int len);
void output_abandon(struct output_files *files);
/* 0, or 2 if a file could not be written (nothing is left behind). */
int output_write(struct output_files *files, const struct run_result *r);

#endif

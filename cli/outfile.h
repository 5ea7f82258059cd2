/* cli/outfile.h - a file written whole or not at all.
 *
 * It is written as a temporary beside its target (PATH.tmpXXXXXX), flushed
 * to disk, then renamed into place: a crash or a kill leaves the old file
 * or none, never half of one.
 */
#ifndef FAULTSIM_CLI_OUTFILE_H
#define FAULTSIM_CLI_OUTFILE_H

#include <stdio.h>

struct output_file {
	char *path, *tmp;
	FILE *f;
};

/* path NULL: nothing to write.  0, or -1 with a message in err. */
int outfile_open(struct output_file *of, const char *path, char *err, int len);
void outfile_abandon(struct output_file *of);
/* 0, or -1 (with a message on stderr) and nothing left behind. */
int outfile_commit(struct output_file *of);

#endif

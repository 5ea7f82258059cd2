/* run/outfile.h - a file written whole or not at all.
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

/*
 * Exit status for the last failure of outfile_open() or outfile_commit():
 * EXIT_NO_RESOURCE when the machine ran out of something (disk space,
 * quota, file descriptors, memory) or the disk failed, 2 (bad input: a
 * path that cannot be written) otherwise.  A sweep runs the former again.
 */
#define EXIT_NO_RESOURCE 4
int outfile_failure_status(void);
/* The same for any failed call that set errno (mkdir(), open()). */
int exit_status_for_errno(int err);

#endif

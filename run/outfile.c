/* run/outfile.c - files written whole or not at all. */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int last_errno;

int exit_status_for_errno(int err)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
	case EIO:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
		return EXIT_NO_RESOURCE;
	default:
		return 2;
	}
}

int outfile_failure_status(void)
{
	return exit_status_for_errno(last_errno);
}

static void file_release(struct output_file *of)
{
	free(of->path);
	free(of->tmp);
	memset(of, 0, sizeof(*of));
}

int outfile_open(struct output_file *of, const char *path, char *err, int len)
{
	size_t n;
	int fd;

	memset(of, 0, sizeof(*of));
	if (!path)
		return 0;
	n = strlen(path) + 16;
	of->path = strdup(path);
	of->tmp = malloc(n);
	snprintf(of->tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(of->tmp);
	/* mkstemp() makes it 0600; the file should be as any other the user writes. */
	if (fd >= 0) {
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (fd < 0 || !(of->f = fdopen(fd, "w"))) {
		last_errno = errno;
		snprintf(err, len, "%s: cannot write: %s", path, strerror(errno));
		file_release(of);
		return -1;
	}
	return 0;
}

void outfile_abandon(struct output_file *of)
{
	if (of->f) {
		fclose(of->f);
		unlink(of->tmp);
	}
	file_release(of);
}

/* Close, flush to disk and rename into place; on failure leave nothing. */
int outfile_commit(struct output_file *of)
{
	int ok;

	if (!of->f)
		return 0;
	ok = fflush(of->f) == 0 && fsync(fileno(of->f)) == 0;
	ok = (fclose(of->f) == 0) && ok;
	of->f = NULL;
	if (ok && rename(of->tmp, of->path) == 0) {
		file_release(of);
		return 0;
	}
	last_errno = errno;
	fprintf(stderr, "faultsim: %s: cannot write: %s\n", of->path, strerror(errno));
	unlink(of->tmp);
	file_release(of);
	return -1;
}

/* fuzz/fuzz_input.c - the private folder and the scenario file in it. */
#include "fuzz_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static const char *fuzz_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/faultsim-fuzz-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

const char *fuzz_scratch_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	return path;
}

const char *fuzz_write_input(const uint8_t *data, size_t size)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scenario.ini", fuzz_dir());
	f = fopen(path, "w");
	if (!f)
		return NULL;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return path;
}

/* fuzz/fuzz_check.c - libFuzzer target: the scenario loader and check.
 *
 * Any input must come back, in bounded time, with 0 (valid) or 2 (bad
 * input, with a message); a crash, a hang (libFuzzer's -timeout), a leak or
 * a sanitizer report is a finding.
 */
#include <stdlib.h>

#include "../run/run.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts o = {.seed = 1, .quiet = true};
	int rc;

	o.scenario = fuzz_write_input(data, size);
	if (!o.scenario)
		return 0;
	rc = faultsim_check(&o);
	if (rc != 0 && rc != 2)
		abort();
	return 0;
}

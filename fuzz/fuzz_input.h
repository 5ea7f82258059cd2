/* fuzz/fuzz_input.h - a fuzzer's bytes as a scenario file on disk.
 *
 * The loader reads files (scenarios include others, and name profiles), so
 * each input is written to one file in a private folder; includes of
 * relative names then resolve inside that folder, and absolute ones reach
 * whatever the input names, /dev/zero included.
 */
#ifndef FAULTSIM_FUZZ_INPUT_H
#define FAULTSIM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* The scenario's path, with data written to it; NULL if it cannot be. */
const char *fuzz_write_input(const uint8_t *data, size_t size);

/* A scratch path in the same private folder, for a run's outputs. */
const char *fuzz_scratch_path(const char *name);

#endif

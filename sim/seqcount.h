/* sim/seqcount.h - seqcount_t: odd while a writer is inside.
 *
 * The sequence lives in a cache line: readers take a shared copy that
 * stays valid (and cheap to re-read) until a writer bumps it.
 */
#ifndef FAULTSIM_SIM_SEQCOUNT_H
#define FAULTSIM_SIM_SEQCOUNT_H

#include <stdbool.h>

#include "cacheline.h"

typedef struct seqcount {
	struct cacheline line;
	unsigned int sequence;
} seqcount_t;

static inline void seqcount_init(seqcount_t *s)
{
	cacheline_init(&s->line);
	s->sequence = 0;
}

static inline void seqcount_destroy(seqcount_t *s)
{
	cacheline_destroy(&s->line);
}

static inline void write_seqcount_begin(seqcount_t *s)
{
	cacheline_rmw(&s->line);
	s->sequence++;
}

static inline void write_seqcount_end(seqcount_t *s)
{
	cacheline_rmw(&s->line);
	s->sequence++;
}

/* No waiting for an even value: the caller decides what odd means. */
static inline unsigned int raw_read_seqcount(seqcount_t *s)
{
	cacheline_read(&s->line);
	return s->sequence;
}

static inline bool read_seqcount_retry(seqcount_t *s, unsigned int start)
{
	cacheline_read(&s->line);
	return s->sequence != start;
}

#endif

/* study/reference.h - faultsim reference: predictions against published
 * measurements.
 *
 * A reference file is a CSV of published points, one a row:
 *
 *   id          a name for the row, used by the shape facts
 *   machine     the machine profile, relative to the file
 *   scenario    the scenario the row runs, relative to the file
 *   mode        threads or processes
 *   tasks       how many
 *   set         more section.key=value settings, separated by spaces
 *   metric      throughput (operations a second, all tasks) or idle_pct
 *   published   the published figure
 *   bound_pct   the error the README states for the row (30 unless it
 *               explains a miss)
 *   source      where the figure was published
 *
 * and beside it, optionally, FILE's shapes.csv: id, expect, known_miss,
 * source, where expect compares rows' predictions: "pf1-p48 >= 0.8 *
 * pf1-p24", or "0.07e6 <= mmap1-t24 <= 0.34e6", and known_miss (true or
 * false) says the README explains why the model misses it.  Each row runs as a one-point sweep
 * in DIR/rows/ID (resumable), once for each of seeds 1..N; its prediction
 * is the median, shown with the lowest and the highest: runs where
 * threads queue on mmap_sem move with when the munmap() convoys fall.
 * DIR/reference.csv, DIR/reference.md and DIR/plots/reference.{png,svg}
 * hold the comparison.
 */
#ifndef FAULTSIM_STUDY_REFERENCE_H
#define FAULTSIM_STUDY_REFERENCE_H

struct reference_opts {
	const char *self; /* this executable, to run the rows */
	const char *file;
	const char *out;
	int jobs;  /* rows run at once; 0: the machine's CPUs */
	int seeds; /* runs a row; 0: 1 */
};

/* 0 when every row is within its bound and every shape holds; 1 if not; 2 on bad input. */
int faultsim_reference(const struct reference_opts *o);

#endif

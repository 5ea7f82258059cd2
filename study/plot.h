/* study/plot.h - faultsim plot: figures of a sweep, drawn by gnuplot.
 *
 * Each figure is written as DIR/plots/NAME.dat (the data: mean and 95%
 * confidence interval across seeds), NAME.gp (a gnuplot script filled
 * from a template in plots/) and NAME.png and NAME.svg; a user can edit
 * and re-run the .gp by hand.
 */
#ifndef FAULTSIM_CLI_PLOT_H
#define FAULTSIM_CLI_PLOT_H

struct plot_opts {
	const char *dir;
	const char *kind;   /* scaling, latency, maxtry, breakdown */
	const char *x;	    /* a varied key; default: the first */
	const char *y;	    /* a results.csv column */
	const char *series; /* a varied key: one line each */
	long recommended;   /* maxtry: the report's recommended MAX_TRY, marked; 0: none */
};

int faultsim_plot(const struct plot_opts *o);

/* Run gnuplot on DIR/NAME.gp, which writes NAME.png and NAME.svg there; 0 or 2. */
int gnuplot_run(const char *dir, const char *name);

#endif

/* study/table.h - results.csv in memory, and its rows grouped for statistics.
 *
 * Rows are grouped by a series value and an x value, in the order they
 * first appear (the sweep's order); each group's mean and 95% confidence
 * interval across its seeds come from GSL (Student's t).
 */
#ifndef FAULTSIM_CLI_TABLE_H
#define FAULTSIM_CLI_TABLE_H

struct table {
	int nr_cols, nr_rows;
	char **cols;
	char ***cells; /* [row][col] */
};

int table_load(const char *path, struct table *t, char *err, int len);
void table_free(struct table *t);
/* Column index, or -1. */
int table_col(const struct table *t, const char *name);
/* A column of several columns' values joined, v1/v2; -1 if one is missing. */
int table_join_columns(struct table *t, const char *names);
/* Append an empty column; returns its index. */
int table_add_column(struct table *t, const char *name);
/* A cell as a number; NaN when empty or not a number. */
double table_num(const struct table *t, int row, int col);

struct group {
	const char *series; /* "" without a series */
	const char *x;
	int *rows;
	int n;
};

struct groups {
	struct group *g;
	int n;
};

/* Group the rows whose status is ok by (series, x); series_col may be -1. */
void groups_build(const struct table *t, int x_col, int series_col, struct groups *gs);
void groups_free(struct groups *gs);
/* Mean and sample variance (NAN under 2 values) of col over the group; returns the count. */
int group_stats(const struct table *t, const struct group *g, int col, double *mean, double *var);
/*
 * Welch's t statistic of mean(b) - mean(a) for col, and its degrees of
 * freedom (Welch-Satterthwaite).  -1 when either group has under two
 * values; with no variance at all, t is +-INFINITY or 0.
 */
int group_welch(const struct table *ta, const struct group *a, const struct table *tb,
		const struct group *b, int col_a, int col_b, double *t, double *df);
/* Mean of col over the group's rows, and the half-width of its 95% CI. */
double group_mean(const struct table *t, const struct group *g, int col, double *ci);

#endif

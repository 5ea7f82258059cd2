/* study/table.c - reading results.csv and averaging across seeds. */
#include "table.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split one CSV line into fields: quotes, doubled quotes, commas inside. */
static char **split_csv(const char *line, int *n)
{
	char **fields = NULL;
	size_t len = strlen(line);
	char *buf = malloc(len + 1);

	*n = 0;
	for (const char *p = line;;) {
		size_t k = 0;

		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				buf[k++] = *p;
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',' && *p != '\n')
				buf[k++] = *p++;
		}
		buf[k] = '\0';
		fields = realloc(fields, (*n + 1) * sizeof(*fields));
		fields[(*n)++] = strdup(buf);
		if (*p != ',')
			break;
		p++;
	}
	free(buf);
	return fields;
}

int table_load(const char *path, struct table *t, char *err, int len)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n;

	memset(t, 0, sizeof(*t));
	if (!f) {
		snprintf(err, len, "%s: cannot read: run faultsim sweep first", path);
		return -1;
	}
	if (getline(&line, &cap, f) < 0) {
		snprintf(err, len, "%s: empty", path);
		fclose(f);
		free(line);
		return -1;
	}
	t->cols = split_csv(line, &t->nr_cols);
	while (getline(&line, &cap, f) > 0) {
		char **cells = split_csv(line, &n);

		/* A short row (a failed point) is padded with empty cells. */
		cells = realloc(cells, (t->nr_cols > n ? t->nr_cols : n) * sizeof(*cells));
		for (; n < t->nr_cols; n++)
			cells[n] = strdup("");
		t->cells = realloc(t->cells, (t->nr_rows + 1) * sizeof(*t->cells));
		t->cells[t->nr_rows++] = cells;
	}
	free(line);
	fclose(f);
	return 0;
}

void table_free(struct table *t)
{
	for (int r = 0; r < t->nr_rows; r++) {
		for (int c = 0; c < t->nr_cols; c++)
			free(t->cells[r][c]);
		free(t->cells[r]);
	}
	for (int c = 0; c < t->nr_cols; c++)
		free(t->cols[c]);
	free(t->cells);
	free(t->cols);
	memset(t, 0, sizeof(*t));
}

int table_col(const struct table *t, const char *name)
{
	for (int c = 0; c < t->nr_cols; c++)
		if (strcmp(t->cols[c], name) == 0)
			return c;
	return -1;
}

double table_num(const struct table *t, int row, int col)
{
	const char *s;
	char *end;
	double v;

	if (col < 0)
		return NAN;
	s = t->cells[row][col];
	v = strtod(s, &end);
	return end == s || *end ? NAN : v;
}

void groups_build(const struct table *t, int x_col, int series_col, struct groups *gs)
{
	int status = table_col(t, "status");

	memset(gs, 0, sizeof(*gs));
	for (int r = 0; r < t->nr_rows; r++) {
		const char *s = series_col >= 0 ? t->cells[r][series_col] : "";
		const char *x = x_col >= 0 ? t->cells[r][x_col] : "";
		struct group *g = NULL;

		if (status >= 0 && strcmp(t->cells[r][status], "ok"))
			continue;
		for (int i = 0; i < gs->n && !g; i++)
			if (!strcmp(gs->g[i].series, s) && !strcmp(gs->g[i].x, x))
				g = &gs->g[i];
		if (!g) {
			gs->g = realloc(gs->g, (gs->n + 1) * sizeof(*gs->g));
			g = &gs->g[gs->n++];
			*g = (struct group){s, x, NULL, 0};
		}
		g->rows = realloc(g->rows, (g->n + 1) * sizeof(int));
		g->rows[g->n++] = r;
	}
}

void groups_free(struct groups *gs)
{
	for (int i = 0; i < gs->n; i++)
		free(gs->g[i].rows);
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

int group_stats(const struct table *t, const struct group *g, int col, double *mean, double *var)
{
	double *v = malloc(g->n * sizeof(double));
	int n = 0;

	for (int i = 0; i < g->n; i++) {
		double x = table_num(t, g->rows[i], col);

		if (!isnan(x))
			v[n++] = x;
	}
	*mean = n ? gsl_stats_mean(v, 1, n) : NAN;
	*var = n > 1 ? gsl_stats_variance_m(v, 1, n, *mean) : NAN;
	free(v);
	return n;
}

int group_welch(const struct table *ta, const struct group *a, const struct table *tb,
		const struct group *b, int col_a, int col_b, double *t, double *df)
{
	double ma, va, mb, vb, se2;
	int na = group_stats(ta, a, col_a, &ma, &va), nb = group_stats(tb, b, col_b, &mb, &vb);

	if (na < 2 || nb < 2)
		return -1;
	se2 = va / na + vb / nb;
	if (se2 <= 0) {
		*t = mb > ma ? INFINITY : mb < ma ? -INFINITY : 0;
		*df = na + nb - 2;
		return 0;
	}
	*t = (mb - ma) / sqrt(se2);
	*df = se2 * se2 / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1));
	return 0;
}

double group_mean(const struct table *t, const struct group *g, int col, double *ci)
{
	double mean, var;
	int n = group_stats(t, g, col, &mean, &var);

	*ci = n > 1 ? gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(var / n) : 0;
	return mean;
}

int table_add_column(struct table *t, const char *name)
{
	t->cols = realloc(t->cols, (t->nr_cols + 1) * sizeof(*t->cols));
	t->cols[t->nr_cols] = strdup(name);
	for (int r = 0; r < t->nr_rows; r++) {
		t->cells[r] = realloc(t->cells[r], (t->nr_cols + 1) * sizeof(char *));
		t->cells[r][t->nr_cols] = strdup("");
	}
	return t->nr_cols++;
}

/* A series of several keys, a,b: a column of their values joined, v1/v2. */
int table_join_columns(struct table *t, const char *names)
{
	char *list = strdup(names), *save, *name;
	int cols[8], n = 0, c;

	for (name = strtok_r(list, ",", &save); name && n < 8; name = strtok_r(NULL, ",", &save))
		if ((cols[n++] = table_col(t, name)) < 0) {
			free(list);
			return -1;
		}
	free(list);
	c = table_add_column(t, names);
	for (int r = 0; r < t->nr_rows; r++) {
		char buf[512] = "";

		for (int i = 0; i < n; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "/" : "",
				 t->cells[r][cols[i]]);
		free(t->cells[r][c]);
		t->cells[r][c] = strdup(buf);
	}
	return c;
}

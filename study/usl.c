/* study/usl.c - the USL fit: residuals, Jacobian, and the GSL solver. */
#include "usl.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>

struct usl_data {
	const double *n, *x;
	int count;
};

static int usl_f(const gsl_vector *p, void *arg, gsl_vector *f)
{
	const struct usl_data *d = arg;
	struct usl_fit m = {gsl_vector_get(p, 0), gsl_vector_get(p, 1), gsl_vector_get(p, 2), 0, 0};

	/* Relative residuals: a 1-CPU point weighs as much as a 256-CPU one. */
	for (int i = 0; i < d->count; i++)
		gsl_vector_set(f, i, (usl_eval(&m, d->n[i]) - d->x[i]) / d->x[i]);
	return GSL_SUCCESS;
}

static int usl_df(const gsl_vector *p, void *arg, gsl_matrix *j)
{
	const struct usl_data *d = arg;
	double l = gsl_vector_get(p, 0), s = gsl_vector_get(p, 1), k = gsl_vector_get(p, 2);

	for (int i = 0; i < d->count; i++) {
		double n = d->n[i], den = 1 + s * (n - 1) + k * n * (n - 1);
		double w = 1 / d->x[i];

		gsl_matrix_set(j, i, 0, w * n / den);
		gsl_matrix_set(j, i, 1, -w * l * n * (n - 1) / (den * den));
		gsl_matrix_set(j, i, 2, -w * l * n * n * (n - 1) / (den * den));
	}
	return GSL_SUCCESS;
}

static double r_squared(const struct usl_fit *fit, const double *n, const double *x, int count)
{
	double mean = 0, ss_tot = 0, ss_res = 0;

	for (int i = 0; i < count; i++)
		mean += x[i] / count;
	for (int i = 0; i < count; i++) {
		double e = x[i] - usl_eval(fit, n[i]);

		ss_res += e * e;
		ss_tot += (x[i] - mean) * (x[i] - mean);
	}
	return ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
}

int usl_fit(const double *n, const double *x, int count, struct usl_fit *fit)
{
	struct usl_data d = {n, x, count};
	gsl_multifit_nlinear_fdf fdf = {usl_f, usl_df, NULL, (size_t)count, 3, &d, 0, 0, 0};
	gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
	gsl_multifit_nlinear_workspace *w;
	double start[3], lo = INFINITY;
	int info, status, i_lo = 0;
	gsl_vector_view p0;

	if (count < 3)
		return -1;
	for (int i = 0; i < count; i++) {
		if (!(x[i] > 0) || !(n[i] >= 1))
			return -1;
		if (n[i] < lo) {
			lo = n[i];
			i_lo = i;
		}
	}
	/* Start from linear scaling through the smallest N. */
	start[0] = x[i_lo] / n[i_lo];
	start[1] = 0.01;
	start[2] = 1e-4;
	p0 = gsl_vector_view_array(start, 3);
	w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, count, 3);
	gsl_multifit_nlinear_init(&p0.vector, &fdf, w);
	status = gsl_multifit_nlinear_driver(500, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, w);
	fit->lambda = gsl_vector_get(w->x, 0);
	fit->sigma = gsl_vector_get(w->x, 1);
	fit->kappa = gsl_vector_get(w->x, 2);
	gsl_multifit_nlinear_free(w);
	if (status != GSL_SUCCESS || !isfinite(fit->lambda))
		return -1;
	fit->r2 = r_squared(fit, n, x, count);
	fit->peak = fit->kappa > 0 ? sqrt((1 - fit->sigma) / fit->kappa) : INFINITY;
	return 0;
}

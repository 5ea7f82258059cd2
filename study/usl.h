/* study/usl.h - Gunther's Universal Scalability Law, fitted with GSL.
 *
 *   X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
 *
 * sigma is contention (the serial share), kappa coherency (the cost of
 * keeping data consistent, which makes throughput fall past a peak at
 * N* = sqrt((1 - sigma) / kappa)).  Fitted by nonlinear least squares
 * (gsl_multifit_nlinear, Levenberg-Marquardt).
 */
#ifndef FAULTSIM_CLI_USL_H
#define FAULTSIM_CLI_USL_H

struct usl_fit {
	double lambda, sigma, kappa;
	double r2;   /* coefficient of determination on the data */
	double peak; /* N*, or INFINITY when kappa <= 0 */
};

/* 0, or -1 when there are too few points or the fit does not converge. */
int usl_fit(const double *n, const double *x, int count, struct usl_fit *fit);

static inline double usl_eval(const struct usl_fit *f, double n)
{
	return f->lambda * n / (1 + f->sigma * (n - 1) + f->kappa * n * (n - 1));
}

#endif

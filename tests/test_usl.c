/* tests/test_usl.c - the scalability fit recovers what generated the data. */
#include <math.h>

#include "../study/usl.h"
#include "harness.h"

static void test_usl_recovers(void)
{
	/* Two shapes: mild contention with a late peak; strong coherency. */
	static const double truth[][3] = {{2.0e6, 0.05, 0.0008}, {1.0e5, 0.20, 0.01}};
	double n[9], x[9];

	for (int c = 0; c < 2; c++) {
		struct usl_fit want = {truth[c][0], truth[c][1], truth[c][2], 0, 0}, got;

		for (int i = 0; i < 9; i++) {
			n[i] = 1 << i; /* 1..256 CPUs, doubling, as the sweeps do */
			x[i] = usl_eval(&want, n[i]);
		}
		CHECK(usl_fit(n, x, 9, &got) == 0, "case %d: the fit failed", c);
		CHECK_NEAR(got.sigma, want.sigma, 0.05);
		CHECK_NEAR(got.kappa, want.kappa, 0.05);
		CHECK_NEAR(got.lambda, want.lambda, 0.05);
		CHECK(got.r2 > 0.999, "case %d: R2 %g on exact data", c, got.r2);
		CHECK_NEAR(got.peak, sqrt((1 - want.sigma) / want.kappa), 0.05);
	}
	/* Too few points is an error, not a guess. */
	CHECK(usl_fit(n, x, 2, &(struct usl_fit){0}) != 0, "fitted three parameters to two points");
}

static const struct test_case cases[] = {
    {"usl_recovers", "the USL fit recovers sigma and kappa within 5% from USL data",
     test_usl_recovers},
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}

/* study/progress.c - points done, failed, and the time left, on stderr. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void format_eta(char *buf, size_t len, double s)
{
	int t = (int)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%dh%02dm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%dm%02ds", t / 60, t % 60);
}

void progress_start(struct progress *pr, int todo, int finished)
{
	pr->todo = todo;
	pr->finished = finished;
	pr->start = wall_now();
	pr->tty = isatty(2);
	if (finished)
		fprintf(stderr, "sweep: %d points already done, %d to run\n", finished, todo);
}

void progress_point(struct progress *pr, int done, int failed, const char *name, const char *how)
{
	double elapsed = wall_now() - pr->start;
	char eta[32];
	int filled = pr->todo ? BAR_WIDTH * done / pr->todo : BAR_WIDTH;

	format_eta(eta, sizeof(eta), elapsed / done * (pr->todo - done));
	if (!pr->tty) {
		fprintf(stderr, "sweep: %d/%d %s %s (%d failed, ETA %s)\n", done, pr->todo, name,
			how, failed, eta);
		return;
	}
	fprintf(stderr, "\r[%.*s%*s] %d/%d done, %d failed, ETA %s ", filled,
		"##############################", BAR_WIDTH - filled, "", done, pr->todo, failed,
		eta);
}

void progress_end(struct progress *pr, int done, int failed, bool interrupted)
{
	if (pr->tty && done)
		fputc('\n', stderr);
	fprintf(stderr, "sweep: %s: %d of %d points run in %.1f s, %d failed%s\n",
		interrupted ? "interrupted" : "done", done, pr->todo, wall_now() - pr->start,
		failed, interrupted ? "; run the same command again to resume" : "");
}

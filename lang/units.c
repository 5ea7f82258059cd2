/* lang/units.c - unit suffix tables and the one number parser under them. */
#include "units.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
	const char *suffix;
	double scale;
};

static const struct unit size_units[] = {
    {"", 1},
    {"b", 1},
    {"k", 1024.0},
    {"kb", 1024.0},
    {"kib", 1024.0},
    {"m", 1048576.0},
    {"mb", 1048576.0},
    {"mib", 1048576.0},
    {"g", 1073741824.0},
    {"gb", 1073741824.0},
    {"gib", 1073741824.0},
    {"t", 1099511627776.0},
    {NULL, 0},
};

static const struct unit time_units[] = {
    {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {NULL, 0},
};

static const struct unit freq_units[] = {
    {"hz", 1}, {"khz", 1e3}, {"mhz", 1e6}, {"ghz", 1e9}, {NULL, 0},
};

static const struct unit bw_units[] = {
    {"b/s", 1},	       {"kb/s", 1e3},	     {"mb/s", 1e6},	      {"gb/s", 1e9},
    {"kib/s", 1024.0}, {"mib/s", 1048576.0}, {"gib/s", 1073741824.0}, {NULL, 0},
};

/* A finite, non-negative number followed by one of the suffixes. */
static int parse_with(const char *s, const struct unit *units, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v) || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	/* Zero needs no unit: "0" is zero whatever it measures. */
	if (!*end && v == 0) {
		*out = 0;
		return 0;
	}
	for (const struct unit *u = units; u->suffix; u++) {
		if (strcasecmp(end, u->suffix) == 0) {
			*out = v * u->scale;
			return 0;
		}
	}
	return -1;
}

int parse_size(const char *s, double *bytes)
{
	return parse_with(s, size_units, bytes);
}

int parse_time(const char *s, double *ns)
{
	return parse_with(s, time_units, ns);
}

int parse_freq(const char *s, double *hz)
{
	return parse_with(s, freq_units, hz);
}

int parse_bandwidth(const char *s, double *bytes_per_s)
{
	return parse_with(s, bw_units, bytes_per_s);
}

int parse_real(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end != s && !*end && isfinite(*v) ? 0 : -1;
}

int parse_int(const char *s, double *v)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (end == s || *end)
		return -1;
	*v = (double)n;
	return 0;
}

int parse_bool(const char *s, double *v)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *v = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *v = 0, 0;
	}
	return -1;
}

/* lang/units.h - numbers with the units kernel people type.
 *
 * sizes 4k 2m 1g (powers of 1024), times 50ns 3us 2ms 1s, frequencies
 * 2.5GHz, bandwidths 12GB/s (powers of 1000; GiB/s for 1024).  Each parser
 * returns 0 and the value in base units (bytes, ns, Hz, bytes/s), or -1.
 */
#ifndef FAULTSIM_CLI_UNITS_H
#define FAULTSIM_CLI_UNITS_H

int parse_size(const char *s, double *bytes);
int parse_time(const char *s, double *ns);
int parse_freq(const char *s, double *hz);
int parse_bandwidth(const char *s, double *bytes_per_s);
int parse_real(const char *s, double *v);
int parse_int(const char *s, double *v);
int parse_bool(const char *s, double *v);

#endif

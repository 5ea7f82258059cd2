/* host/calibrate_cmd.h - faultsim calibrate [--out FILE]. */
#ifndef FAULTSIM_CLI_CALIBRATE_CMD_H
#define FAULTSIM_CLI_CALIBRATE_CMD_H

/* Measure this machine; write its profile to out (NULL: stdout).  0 or 2. */
int faultsim_calibrate(const char *out);

#endif

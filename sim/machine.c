/* sim/machine.c - a machine's checks and its SimGrid platform.
 *
 * The platform holds one host per simulated CPU (named cpuN, running at the
 * core frequency), one host per socket standing for its memory controller
 * (memN, a single "core" whose speed is the socket's memory bandwidth in
 * bytes/s, so SimGrid's max-min sharing divides that bandwidth among the
 * CPUs streaming through it) and a storage host carrying the disk.  The C
 * API cannot create hosts, hence the XML.
 */
#include "machine.h"

#include <errno.h>
#include <stdio.h>

int machine_validate(const struct machine *m, const char **keys, const char **why)
{
	if (m->cores_per_socket % m->cores_per_llc) {
		*keys = "cores_per_llc,cores_per_socket";
		*why = "cores_per_llc must divide cores_per_socket";
		return -1;
	}
	if (machine_nr_cpus(m) > MACHINE_MAX_CPUS) {
		*keys = "sockets,cores_per_socket,smt";
		*why = "sockets x cores_per_socket x smt exceeds 4096 CPUs";
		return -1;
	}
	if (m->idle_c6_exit > 0 && m->idle_c6_residency < m->idle_c1e_residency) {
		*keys = "idle_c6_residency,idle_c1e_residency";
		*why = "the deeper state C6 needs a target residency at least C1E's";
		return -1;
	}
	if (m->mem_bw_core > m->mem_bw) {
		*keys = "mem_bw_core,mem_bw";
		*why = "mem_bw_core cannot exceed the socket's mem_bw";
		return -1;
	}
	return 0;
}

int machine_write_platform(const struct machine *m, const char *path)
{
	FILE *f = fopen(path, "w");
	int nr = machine_nr_cpus(m);

	if (!f)
		return -1;
	fprintf(f, "<?xml version='1.0'?>\n"
		   "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
		   "<platform version=\"4.1\">\n"
		   "<zone id=\"machine\" routing=\"None\">\n");
	for (int cpu = 0; cpu < nr; cpu++)
		fprintf(f, "<host id=\"cpu%d\" speed=\"%.17gf\"/>\n", cpu, m->freq);
	for (int s = 0; s < m->sockets; s++)
		fprintf(f, "<host id=\"mem%d\" speed=\"%.17gf\" core=\"1\"/>\n", s, m->mem_bw);
	fprintf(f,
		"<host id=\"storage\" speed=\"1f\">\n"
		"<disk id=\"disk0\" read_bw=\"%.17gBps\" write_bw=\"%.17gBps\"/>\n"
		"</host>\n</zone>\n</platform>\n",
		m->disk_bw, m->disk_bw);
	if (fclose(f) != 0)
		return -1;
	return 0;
}

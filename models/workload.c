/* models/workload.c - the table of workloads. */
#include "workload.h"

#include <string.h>

extern const struct workload_ops lock_workload;
extern const struct workload_ops page_fault1_workload;
extern const struct workload_ops page_fault2_workload;
extern const struct workload_ops page_fault3_workload;
extern const struct workload_ops tlb_flush2_workload;
extern const struct workload_ops pft_workload;
extern const struct workload_ops mmap1_workload;
extern const struct workload_ops mixed_workload;
extern const struct workload_ops text_workload;

static const struct workload_ops *const workloads[] = {
    &lock_workload,	   &page_fault1_workload, &page_fault2_workload,
    &page_fault3_workload, &tlb_flush2_workload,  &pft_workload,
    &mmap1_workload,	   &mixed_workload,	  &text_workload,
};

const struct workload_ops *workload_find(const char *type)
{
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (strcmp(workloads[i]->name, type) == 0)
			return workloads[i];
	return NULL;
}

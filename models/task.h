/* models/task.h - what the fault workloads share: tasks, address spaces,
 * touching memory, counting operations the way will-it-scale does.
 *
 * Each task runs on its own CPU.  With threads all tasks share one
 * mm_struct; with processes each has its own, which only its CPU can
 * reach, so that mm's lines are private (see cacheline_set_private()).
 */
#ifndef FAULTSIM_MODELS_TASK_H
#define FAULTSIM_MODELS_TASK_H

#include "mm.h"
#include "workload.h"

struct task {
	int rank; /* its index among the tasks */
	int cpu;  /* the CPU it runs on */
	struct mm_struct *mm;
	unsigned long ops, faults, faults_total;
	long loops;	      /* full loops completed, -1 while in its first, partial one */
	unsigned long base;   /* the task's region or first slot */
	unsigned long cursor; /* the next page it touches */
	bool exec;	      /* mixed: the protection it last asked for */
	double finished;      /* text: when it had fetched all the text */
};

struct task_set {
	struct workload_params params;
	struct task *tasks;
	struct mm_struct *mms;
	int nr_mms;
	struct histogram latency;
	int warm;   /* tasks that have completed a full loop */
	bool loops; /* a loop workload: see task_loop_start() */
};

extern struct task_set task_set;

/*
 * Set up tasks and address spaces, then start body on each task's CPU.
 * loops: body is a loop workload (task_loop_start(), task_loop_done()).
 */
void tasks_start(const struct workload_params *p, void (*body)(void *arg), bool loops);
void tasks_collect(struct workload_result *r);

/* Is the measured duration over for this task's CPU? */
bool task_time_up(void);
/* One operation completed now: counted if it ran inside the measured window. */
void task_op_done(struct task *t, double started);
/*
 * A loop workload, as will-it-scale's tests run: tasks long out of step.
 * task_loop_start() gives the page a loop of pages begins at: for the
 * first loop a seeded random one, after that 0.  task_loop_done() ends a
 * loop; with warmup = auto, measuring begins when every task has completed
 * a full one.
 */
unsigned long task_loop_start(struct task *t, unsigned long pages);
void task_loop_done(struct task *t);
/* A user store to addr: faults if the page is not mapped. */
void task_touch(struct task *t, unsigned long addr);
/* The line a task_touch() stored to, of a page-cache page: its mark. */
void task_store_cached(struct page_mark *data);
/* A load or an instruction fetch from addr: a read fault if it is not mapped. */
void task_read(struct task *t, unsigned long addr);

#endif

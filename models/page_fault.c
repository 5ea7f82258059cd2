/* models/page_fault.c - will-it-scale's page_fault1, page_fault2 and
 * page_fault3.
 *
 * Each task maps a 128 MiB region, writes one byte per page, unmaps it,
 * and starts again; one operation is one page written (will-it-scale
 * tests/page_fault{1,2,3}.c, MEMSIZE 128 MiB).  The region is
 *
 *   page_fault1  private anonymous memory: do_anonymous_page();
 *   page_fault2  a private mapping of the task's own file: do_cow_fault()
 *                copies each page from the page cache;
 *   page_fault3  a shared mapping of the task's own file: do_shared_fault()
 *                writes the page-cache page itself and dirties it.
 *
 * The file is the benchmark's: an unlinked tmpfile, ftruncate()d to the
 * region's size, on tmpfs - holes the first loop fills with zeroed pages,
 * which stay cached across loops.  Tasks start at a seeded random page of
 * their first loop, as if long out of step.
 */
#include <stdlib.h>

#include "filemap.h"
#include "task.h"

enum page_fault_kind {
	PAGE_FAULT_ANON,
	PAGE_FAULT_PRIVATE_FILE,
	PAGE_FAULT_SHARED_FILE,
};

static enum page_fault_kind kind;
static struct file *files; /* one a task */

/* page_fault3 writes the page-cache page itself: where its line was. */
static void page_fault_store_cached(struct file *file, unsigned long off)
{
	struct cache_page *p = file->f_mapping.i_pages[off >> PAGE_SHIFT];

	if (p)
		task_store_cached(&p->data);
}

static void page_fault_task(void *arg)
{
	struct task *t = arg;
	unsigned long len = task_set.params.region;
	struct file *file = kind == PAGE_FAULT_ANON ? NULL : &files[t->rank];
	unsigned long flags = VM_READ | VM_WRITE | (kind == PAGE_FAULT_SHARED_FILE ? VM_SHARED : 0);

	while (!task_time_up()) {
		unsigned long addr = vm_mmap(t->mm, file, 0, len, flags, false);
		unsigned long first = task_loop_start(t, len / PAGE_SIZE);

		for (unsigned long off = first * PAGE_SIZE; off < len; off += PAGE_SIZE) {
			double start = cpu_clock();

			if (task_time_up())
				return;
			task_touch(t, addr + off);
			if (kind == PAGE_FAULT_SHARED_FILE)
				page_fault_store_cached(file, off);
			task_op_done(t, start);
		}
		vm_munmap(t->mm, addr, len);
		task_loop_done(t);
	}
}

static void page_fault_start(const struct workload_params *p, enum page_fault_kind k)
{
	kind = k;
	if (k != PAGE_FAULT_ANON) {
		files = calloc(p->tasks, sizeof(*files));
		for (int i = 0; i < p->tasks; i++) {
			file_init(&files[i], p->region);
			files[i].f_mapping.holes = true;
		}
	}
	tasks_start(p, page_fault_task, true);
}

static void page_fault1_start(const struct workload_params *p)
{
	page_fault_start(p, PAGE_FAULT_ANON);
}

static void page_fault2_start(const struct workload_params *p)
{
	page_fault_start(p, PAGE_FAULT_PRIVATE_FILE);
}

static void page_fault3_start(const struct workload_params *p)
{
	page_fault_start(p, PAGE_FAULT_SHARED_FILE);
}

const struct workload_ops page_fault1_workload = {
    .name = "page_fault1",
    .start = page_fault1_start,
    .collect = tasks_collect,
};

const struct workload_ops page_fault2_workload = {
    .name = "page_fault2",
    .start = page_fault2_start,
    .collect = tasks_collect,
};

const struct workload_ops page_fault3_workload = {
    .name = "page_fault3",
    .start = page_fault3_start,
    .collect = tasks_collect,
};

/* models/mmap.c - the VMA tree, VMA lifetime, mmap and munmap.
 *
 * The tree is a sorted array standing for mm->mm_rb: lookups cost a
 * descent of log2(n) levels.  VMAs are only created and removed whole;
 * splitting and merging are not modelled, so munmap, mprotect and madvise
 * act on whole VMAs (a range that cuts one is refused with -EINVAL).
 *
 * Lifetime follows SPF v12: the tree holds a reference (vm_ref_count);
 * find_vma_rcu() takes one more under RCU, retrying if mm_seq says the
 * tree changed meanwhile; the last put_vma() frees the VMA after an RCU
 * grace period, so a speculative fault never touches freed memory.
 * Writers bump vm_sequence around every change (vm_write_begin/end) under
 * CONFIG_SPECULATIVE_PAGE_FAULT, and write-lock each VMA they change
 * (vma_start_write) under CONFIG_PER_VMA_LOCK (6.4); mmap_write_unlock()
 * then releases all those marks at once by bumping mm_lock_seq.
 */
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "filemap.h"
#include "mm.h"
#include "vmstat.h"

struct mm_tunables mm_tunables;

void mm_init(struct mm_struct *mm, int private_cpu)
{
	memset(mm, 0, sizeof(*mm));
	mm->private_cpu = private_cpu;
	init_rwsem(&mm->mmap_sem, "mmap_sem");
	if (private_cpu >= 0)
		rwsem_set_private(&mm->mmap_sem, private_cpu);
	seqcount_init(&mm->mm_seq);
	if (private_cpu >= 0)
		cacheline_set_private(&mm->mm_seq.line, private_cpu);
	mm_lock_init(mm, &mm->page_table_lock, "page_table_lock");
	for (int l = 0; l < VMA_TREE_LINES; l++)
		mm_line_init(mm, &mm->vma_tree[l]);
	mm_line_init(mm, &mm->vm_stat);
	cpumask_clear(mm_cpumask(mm));
}

static bool spf_enabled(void)
{
	return mm_tunables.fault_path == FAULT_PATH_SPF;
}

static bool per_vma_lock_enabled(void)
{
	return mm_tunables.fault_path == FAULT_PATH_PERVMA;
}

/* Index of the first VMA ending above addr, or nr_vmas; *levels visited. */
static int vma_search(const struct mm_struct *mm, unsigned long addr, int *levels)
{
	int lo = 0, hi = mm->nr_vmas;

	*levels = 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (mm->vmas[mid]->vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
		(*levels)++;
	}
	return lo;
}

/*
 * The nodes of a path from the root, levels deep: a descent reads them;
 * an insert or an erase writes them back up to the root, rebalancing and
 * updating rb_subtree_gap (vma_gap_update()).  Each access follows the
 * one before it: the lock or seqcount that guards the tree was just read.
 * Another thread's mmap or munmap leaves them in its cache.
 */
static void vma_tree_path(struct mm_struct *mm, int levels, bool write)
{
	for (int l = 0; l < levels; l++) {
		struct cacheline *line = &mm->vma_tree[l < VMA_TREE_LINES ? l : VMA_TREE_LINES - 1];

		if (write)
			cacheline_rmw_next(line);
		else
			cacheline_read_next(line);
	}
}

/* vma_search() as a CPU pays for it: a tree level a step, a node's line each. */
static int vma_index_path(struct mm_struct *mm, unsigned long addr, int *levels)
{
	int i = vma_search(mm, addr, levels);

	cpu_work(cycles(*levels * COST_VMA_TREE_LEVEL));
	vma_tree_path(mm, *levels, false);
	return i;
}

static int vma_index(struct mm_struct *mm, unsigned long addr)
{
	int levels;

	return vma_index_path(mm, addr, &levels);
}

/* The first VMA with vm_end > addr; it may start above addr. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	int i = vma_index(mm, addr);

	return i < mm->nr_vmas ? mm->vmas[i] : NULL;
}

void get_vma(struct vm_area_struct *vma)
{
	cacheline_rmw(&vma->vm_ref_line);
	vma->vm_ref_count++;
}

static void vm_area_free_rcu(struct rcu_head *head)
{
	struct vm_area_struct *vma = (void *)((char *)head - offsetof(struct vm_area_struct, rcu));

	seqcount_destroy(&vma->vm_sequence);
	cacheline_destroy(&vma->vm_ref_line);
	rwsem_destroy(&vma->vm_lock);
	if (vma->anon_vma && --vma->anon_vma->refcount == 0)
		free(vma->anon_vma);
	free(vma);
}

void put_vma(struct vm_area_struct *vma)
{
	cacheline_rmw(&vma->vm_ref_line);
	if (--vma->vm_ref_count == 0)
		call_rcu(&vma->rcu, vm_area_free_rcu);
}

/* SPF v12 find_vma_rcu(): a referenced VMA, found without mmap_sem. */
struct vm_area_struct *find_vma_rcu(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = NULL;
	unsigned int seq;

	do {
		if (vma)
			put_vma(vma);
		seq = raw_read_seqcount(&mm->mm_seq);
		if (seq & 1) { /* read_seqbegin() waits for the writer */
			struct cacheline *line = &mm->mm_seq.line;
			struct cpu_wait w = {WAIT_SPINLOCK, "mm_seq", mm, NULL};

			spin_on_lines(&line, 1, &w, -1);
			vma = NULL;
			continue;
		}
		rcu_read_lock();
		vma = find_vma(mm, addr);
		if (vma)
			get_vma(vma);
		rcu_read_unlock();
	} while ((seq & 1) || read_seqcount_retry(&mm->mm_seq, seq));
	return vma;
}

/* anon_vma_prepare(): the first fault in a VMA gives it an anon_vma. */
int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *anon_vma;

	if (vma->anon_vma)
		return 0;
	anon_vma = calloc(1, sizeof(*anon_vma));
	anon_vma->refcount = 1;
	spin_lock(&mm->page_table_lock);
	if (!vma->anon_vma) {
		vma->anon_vma = anon_vma;
		anon_vma = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	free(anon_vma);
	return 0;
}

void vm_write_begin(struct vm_area_struct *vma)
{
	if (spf_enabled())
		write_seqcount_begin(&vma->vm_sequence);
}

void vm_write_end(struct vm_area_struct *vma)
{
	if (spf_enabled())
		write_seqcount_end(&vma->vm_sequence);
}

/* include/linux/mm.h (6.4): read-lock a VMA unless a writer marked it. */
bool vma_start_read(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	/* Check before locking: a race might give a false "locked". */
	cacheline_read(&mm->mmap_sem.line);
	if (vma->vm_lock_seq == mm->mm_lock_seq)
		return false;
	if (!down_read_trylock(&vma->vm_lock))
		return false;
	/*
	 * mm_lock_seq may have moved on while we took the lock: a writer
	 * that marked the VMA since then must win.
	 */
	cacheline_read(&mm->mmap_sem.line);
	if (vma->vm_lock_seq == mm->mm_lock_seq) {
		up_read(&vma->vm_lock);
		return false;
	}
	return true;
}

void vma_end_read(struct vm_area_struct *vma)
{
	up_read(&vma->vm_lock);
}

/* Mark vma write-locked until mmap_write_unlock(); waits out its readers. */
void vma_start_write(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!per_vma_lock_enabled() || vma->vm_lock_seq == mm->mm_lock_seq)
		return;
	down_write(&vma->vm_lock);
	vma->vm_lock_seq = mm->mm_lock_seq;
	up_write(&vma->vm_lock);
}

/* vma_end_write_all(), then up_write(): every mark is released at once. */
void mmap_write_unlock(struct mm_struct *mm)
{
	if (per_vma_lock_enabled())
		mm->mm_lock_seq++;
	up_write(&mm->mmap_sem);
}

static struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	vma->vm_mm = mm;
	seqcount_init(&vma->vm_sequence);
	mm_line_init(mm, &vma->vm_ref_line);
	if (mm->private_cpu >= 0)
		cacheline_set_private(&vma->vm_sequence.line, mm->private_cpu);
	init_rwsem(&vma->vm_lock, "vm_lock");
	if (mm->private_cpu >= 0)
		rwsem_set_private(&vma->vm_lock, mm->private_cpu);
	vma->vm_lock_seq = -1;
	vma->vm_ref_count = 1; /* the tree's */
	return vma;
}

/* vma_link(): into the tree, with mm_seq odd while it changes. */
static void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int levels, i = vma_index_path(mm, vma->vm_start, &levels);

	if (mm->nr_vmas == mm->vmas_cap) {
		mm->vmas_cap = mm->vmas_cap ? 2 * mm->vmas_cap : 16;
		mm->vmas = realloc(mm->vmas, mm->vmas_cap * sizeof(*mm->vmas));
	}
	write_seqcount_begin(&mm->mm_seq);
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(*mm->vmas));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
	cpu_work(sim_machine->vma_op);
	vma_tree_path(mm, levels, true);
	cacheline_rmw_next(&mm->vm_stat); /* map_count, vm_stat_account() */
	write_seqcount_end(&mm->mm_seq);
}

/* detach_vmas_to_be_unmapped() and vma_rb_erase() for one VMA. */
static void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int levels, i = vma_index_path(mm, vma->vm_start, &levels);

	vma_start_write(vma);
	vm_write_begin(vma);
	write_seqcount_begin(&mm->mm_seq);
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(*mm->vmas));
	mm->nr_vmas--;
	vma->vm_rb_empty = true;
	vma->detached = true;
	cpu_work(sim_machine->vma_op);
	vma_tree_path(mm, levels, true);
	cacheline_rmw_next(&mm->vm_stat);
	write_seqcount_end(&mm->mm_seq);
	vm_write_end(vma);
}

/*
 * get_unmapped_area(), top-down: the highest gap below mmap_base that
 * fits.  vm_unmapped_area() finds it by descending the tree on
 * rb_subtree_gap: the nodes' lines of the path.
 */
static unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long len)
{
	unsigned long end = TASK_MMAP_BASE;
	int levels;

	vma_search(mm, end - len, &levels);
	vma_tree_path(mm, levels, false);

	for (int i = mm->nr_vmas - 1; i >= 0; i--) {
		struct vm_area_struct *vma = mm->vmas[i];

		cpu_work(cycles(COST_GAP_SEARCH));
		if (vma->vm_end <= end - len)
			return end - len;
		end = vma->vm_start;
	}
	return end - TASK_MMAP_LOW >= len ? end - len : 0;
}

/* Are [start, start + len) exactly whole VMAs (or nothing)? */
static bool range_is_whole_vmas(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	unsigned long end = start + len;

	if (vma && vma->vm_start < start)
		return false;
	for (int i = vma_index(mm, start); i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++)
		if (mm->vmas[i]->vm_end > end)
			return false;
	return true;
}

/* mmap_write_downgrade(): vma_end_write_all(), then downgrade_write(). */
static void mmap_write_downgrade(struct mm_struct *mm)
{
	if (per_vma_lock_enabled())
		mm->mm_lock_seq++;
	downgrade_write(&mm->mmap_sem);
}

/*
 * __do_munmap() (5.0+) on whole VMAs: detach them from the tree, then,
 * with downgrade, let mmap_sem go to read - nothing can find them any
 * more, so faults on other VMAs may run during the zap - and
 * unmap_region() zaps the range, flushes the TLBs and frees the page
 * tables; the tree's references go last.  Returns 1 if it downgraded.
 */
static int __do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len, bool downgrade)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma, **detached;
	int nr = 0;

	if (!range_is_whole_vmas(mm, start, len))
		return -1;
	detached = malloc((mm->nr_vmas + 1) * sizeof(*detached));
	while ((vma = find_vma(mm, start)) && vma->vm_start < end) {
		vma_unlink(mm, vma);
		detached[nr++] = vma;
	}
	if (downgrade)
		mmap_write_downgrade(mm);
	for (int i = 0; i < nr; i++) {
		unmap_region(mm, detached[i], detached[i]->vm_start, detached[i]->vm_end);
		put_vma(detached[i]);
	}
	free(detached);
	return downgrade;
}

/* do_munmap(): MAP_FIXED's replacement keeps mmap_sem for write throughout. */
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return __do_munmap(mm, start, len, false);
}

/*
 * mmap_region() for an anonymous mapping or one of a file, from its
 * start; fixed replaces what is there.
 */
unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
		      unsigned long len, unsigned long vm_flags, bool fixed)
{
	struct vm_area_struct *vma;

	if (!fixed)
		addr = get_unmapped_area(mm, len);
	else if (do_munmap(mm, addr, len))
		return 0;
	if (!addr)
		return 0;
	vma = vm_area_alloc(mm);
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	if (file) {
		vma->vm_file = file;
		vma->vm_ops = &generic_file_vm_ops;
		vma->vm_pgoff = 0;
	}
	vma_link(mm, vma);
	return addr;
}

unsigned long vm_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
		      unsigned long len, unsigned long vm_flags, bool fixed)
{
	unsigned long ret;

	cpu_work(sim_machine->syscall_entry);
	trace_begin("mmap", NULL);
	down_write(&mm->mmap_sem);
	ret = do_mmap(mm, file, addr, len, vm_flags, fixed);
	mmap_write_unlock(mm);
	trace_end();
	return ret;
}

int vm_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	int ret;

	cpu_work(sim_machine->syscall_entry);
	trace_begin("munmap", NULL);
	down_write(&mm->mmap_sem);
	ret = __do_munmap(mm, start, len, mm_tunables.munmap_downgrade);
	if (ret == 1) {
		up_read(&mm->mmap_sem);
		ret = 0;
	} else {
		mmap_write_unlock(mm);
	}
	trace_end();
	return ret;
}

/* A VMA created before the run: what the program mapped at start-up. */
unsigned long mm_setup_vma(struct mm_struct *mm, unsigned long start, unsigned long len,
			   unsigned long flags)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);
	int levels, i = vma_search(mm, start, &levels);

	/* Set-up costs no simulated time, and stays O(log n) a VMA. */
	if (mm->nr_vmas == mm->vmas_cap) {
		mm->vmas_cap = mm->vmas_cap ? 2 * mm->vmas_cap : 16;
		mm->vmas = realloc(mm->vmas, mm->vmas_cap * sizeof(*mm->vmas));
	}
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(*mm->vmas));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
	vma->vm_start = start;
	vma->vm_end = start + len;
	vma->vm_flags = flags;
	return start;
}

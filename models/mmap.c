/* models/mmap.c - the VMA tree, VMA lifetime, mmap and munmap.
 *
 * The tree is a sorted array standing for mm->mm_rb: lookups cost a
 * descent of log2(n) levels.  As mm/mmap.c does up to 6.0 (the rbtree and
 * the vm_next list), a new mapping joins a neighbour it continues
 * (vma_merge()), and munmap first cuts the VMAs it only partly covers
 * (__split_vma(); a huge PMD the cut would halve is not split first: see
 * zap_pmd_range()).  mprotect and madvise act on whole VMAs.
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
	mm_line_init(mm, &mm->mm_rb_line);
	mm->vmacache = calloc(nr_cpu_ids, sizeof(*mm->vmacache));
	mm_line_init(mm, &mm->vm_stat);
	mm_line_init(mm, &mm->tlb_flush_line);
	tlb_gen_init(&mm->tlb_gen);
	mm_line_init(mm, &mm->tlb_gen.line);
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
	cacheline_read_next(&mm->mm_rb_line); /* mm->mm_rb: the root */
	vma_tree_path(mm, *levels, false);
	return i;
}

static int vma_index(struct mm_struct *mm, unsigned long addr)
{
	int levels;

	return vma_index_path(mm, addr, &levels);
}

/* VMACACHE_HASH(): the slot an address's VMA is remembered in. */
static int vmacache_hash(unsigned long addr)
{
	return (addr >> PMD_SHIFT) & (VMACACHE_SIZE - 1);
}

/*
 * vmacache_find() (mm/vmacache.c, 3.15 to 6.0): a VMA this task found
 * before, unless the tree changed since (the seqnum moved: the cache is
 * flushed).  The per-VMA lock kernels (6.4 and later) have none: it went
 * with the rbtree in 6.1.  One task runs on a CPU here, so the cache is
 * the CPU's.
 */
static struct vm_area_struct *vmacache_find(struct mm_struct *mm, unsigned long addr)
{
	struct vmacache *vc = mm->vmacache[smp_processor_id()];
	int idx = vmacache_hash(addr);

	if (per_vma_lock_enabled() || !vc)
		return NULL;
	cpu_work(cycles(COST_VMA_TREE_LEVEL));
	cacheline_read_next(&mm->mm_rb_line);
	if (vc->seqnum != mm->vmacache_seqnum) {
		memset(vc, 0, sizeof(*vc));
		vc->seqnum = mm->vmacache_seqnum;
		return NULL;
	}
	for (int i = 0; i < VMACACHE_SIZE; i++) {
		struct vm_area_struct *vma = vc->vmas[idx];

		if (vma && vma->vm_start <= addr && vma->vm_end > addr)
			return vma;
		idx = (idx + 1) & (VMACACHE_SIZE - 1);
	}
	return NULL;
}

static void vmacache_update(struct mm_struct *mm, unsigned long addr, struct vm_area_struct *vma)
{
	struct vmacache **vc = &mm->vmacache[smp_processor_id()];

	if (per_vma_lock_enabled())
		return;
	if (!*vc) {
		*vc = calloc(1, sizeof(**vc));
		(*vc)->seqnum = mm->vmacache_seqnum;
	}
	if ((*vc)->seqnum == mm->vmacache_seqnum)
		(*vc)->vmas[vmacache_hash(addr)] = vma;
}

/* vmacache_invalidate(): a VMA left the tree; every task's cache is stale. */
static void vmacache_invalidate(struct mm_struct *mm)
{
	mm->vmacache_seqnum++;
	cacheline_rmw_next(&mm->mm_rb_line);
}

/* __find_vma(): the first VMA with vm_end > addr, from the tree alone. */
static struct vm_area_struct *__find_vma(struct mm_struct *mm, unsigned long addr)
{
	int i = vma_index(mm, addr);

	return i < mm->nr_vmas ? mm->vmas[i] : NULL;
}

/* The first VMA with vm_end > addr; it may start above addr. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vmacache_find(mm, addr);

	if (vma)
		return vma;
	vma = __find_vma(mm, addr);
	if (vma && vma->vm_start <= addr)
		vmacache_update(mm, addr, vma);
	return vma;
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
	cacheline_destroy(&vma->vm_line);
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

/*
 * SPF v12 find_vma_rcu(): a referenced VMA, found without mmap_sem.  It
 * walks the tree (__find_vma()): the task's vmacache is only for lookups
 * under mmap_sem.
 */
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
		vma = __find_vma(mm, addr);
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
	mm_line_init(mm, &vma->vm_line);
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

/*
 * validate_mm() (mm/mmap.c, CONFIG_DEBUG_VM_RB), with the invariant
 * checks on: the VMAs in address order, none empty or overlapping the
 * next or detached, and an anonymous VMA's pgoff its address, which
 * merging relies on.
 */
static void validate_mm(const struct mm_struct *mm)
{
	if (!sim_invariants)
		return;
	for (int i = 0; i < mm->nr_vmas; i++) {
		const struct vm_area_struct *vma = mm->vmas[i];

		SIM_BUG_ON(vma->vm_start >= vma->vm_end, "vma %d: [%#lx, %#lx) is empty", i,
			   vma->vm_start, vma->vm_end);
		SIM_BUG_ON(i + 1 < mm->nr_vmas && vma->vm_end > mm->vmas[i + 1]->vm_start,
			   "vma %d ends at %#lx, past the next one's start %#lx", i, vma->vm_end,
			   mm->vmas[i + 1]->vm_start);
		SIM_BUG_ON(vma->detached, "vma %d at %#lx is in the tree but detached", i,
			   vma->vm_start);
		SIM_BUG_ON(!vma->vm_file && vma->vm_pgoff != vma->vm_start >> PAGE_SHIFT,
			   "anonymous vma %d at %#lx has pgoff %#lx", i, vma->vm_start,
			   vma->vm_pgoff);
	}
}

/* Make room for one more VMA in the array. */
static void vmas_grow(struct mm_struct *mm)
{
	if (mm->nr_vmas < mm->vmas_cap)
		return;
	mm->vmas_cap = mm->vmas_cap ? 2 * mm->vmas_cap : 16;
	mm->vmas = realloc(mm->vmas, mm->vmas_cap * sizeof(*mm->vmas));
}

static void vmas_insert(struct mm_struct *mm, int i, struct vm_area_struct *vma)
{
	vmas_grow(mm);
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(*mm->vmas));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
}

static void vmas_remove(struct mm_struct *mm, int i)
{
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(*mm->vmas));
	mm->nr_vmas--;
}

/*
 * __vma_link_list() and __vma_unlink_list(): the VMAs on either side of
 * the gap at slot i (i - 1 and i, the one that comes or goes not in the
 * array) point at it or past it.  They are often another thread's
 * mappings, so their lines are in its cache.
 */
static void vma_list_neighbours(struct mm_struct *mm, int i)
{
	if (i > 0)
		cacheline_rmw_next(&mm->vmas[i - 1]->vm_line);
	if (i < mm->nr_vmas)
		cacheline_rmw_next(&mm->vmas[i]->vm_line);
}

/* vma_link(): into the tree and the list, with mm_seq odd while it changes. */
static void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int levels, i = vma_index_path(mm, vma->vm_start, &levels);

	write_seqcount_begin(&mm->mm_seq);
	cpu_work(sim_machine->vma_op);
	vma_tree_path(mm, levels, true);
	cacheline_rmw_next(&vma->vm_line);
	vma_list_neighbours(mm, i);
	vmas_insert(mm, i, vma);
	cacheline_rmw_next(&mm->vm_stat); /* map_count, vm_stat_account() */
	write_seqcount_end(&mm->mm_seq);
	validate_mm(mm);
}

/* detach_vmas_to_be_unmapped() and vma_rb_erase() for one VMA. */
static void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int levels, i = vma_index_path(mm, vma->vm_start, &levels);

	vma_start_write(vma);
	vm_write_begin(vma);
	write_seqcount_begin(&mm->mm_seq);
	vmas_remove(mm, i);
	vma->vm_rb_empty = true;
	vma->detached = true;
	cpu_work(sim_machine->vma_op);
	vma_tree_path(mm, levels, true);
	vma_list_neighbours(mm, i);
	vmacache_invalidate(mm);
	cacheline_rmw_next(&mm->vm_stat);
	write_seqcount_end(&mm->mm_seq);
	vm_write_end(vma);
	validate_mm(mm);
}

/*
 * is_mergeable_vma(): the same flags and file, no userfaultfd context and
 * the default memory policy, as a new mapping has.  Its anon_vma, none
 * yet, suits any neighbour's (is_mergeable_anon_vma()): nothing here
 * forks, so an anon_vma chain is always singular.
 */
static bool vma_mergeable(const struct vm_area_struct *vma, unsigned long vm_flags,
			  struct file *file)
{
	if (vma->vm_flags != vm_flags || vma->vm_file != file)
		return false;
	return !vma->vm_userfaultfd_ctx && !vma->vm_policy_interleave;
}

/* A file's pages must continue across the join; an anonymous VMA's pgoff is its address. */
static bool can_vma_merge_after(const struct vm_area_struct *prev, unsigned long vm_flags,
				struct file *file, pgoff_t pgoff)
{
	pgoff_t pages = (prev->vm_end - prev->vm_start) >> PAGE_SHIFT;

	return vma_mergeable(prev, vm_flags, file) && prev->vm_pgoff + pages == pgoff;
}

static bool can_vma_merge_before(const struct vm_area_struct *next, unsigned long vm_flags,
				 struct file *file, pgoff_t end_pgoff)
{
	return vma_mergeable(next, vm_flags, file) && next->vm_pgoff == end_pgoff;
}

/*
 * __vma_adjust(): vma takes [start, end), and as one change of the tree
 * (mm_seq odd throughout) insert is linked beside it or remove, which it
 * swallowed, taken out.  Faults speculating on either see vm_sequence
 * move; per-VMA lock readers are shut out until mmap_write_unlock().
 */
static void __vma_adjust(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
			 unsigned long end, struct vm_area_struct *insert,
			 struct vm_area_struct *remove)
{
	int levels, depth, i;

	vma_index_path(mm, vma->vm_start, &levels);
	vma_start_write(vma);
	vm_write_begin(vma);
	if (remove) {
		vma_start_write(remove);
		vm_write_begin(remove);
	}
	write_seqcount_begin(&mm->mm_seq);
	if (remove) {
		/* anon_vma_clone(): the survivor takes over the pages' anon_vma. */
		if (!vma->anon_vma && remove->anon_vma) {
			vma->anon_vma = remove->anon_vma;
			vma->anon_vma->refcount++;
		}
		i = vma_search(mm, remove->vm_start, &depth);
		vmas_remove(mm, i);
		remove->vm_rb_empty = true;
		remove->detached = true;
		vma_list_neighbours(mm, i);
		vmacache_invalidate(mm);
	}
	vma->vm_pgoff += ((long)start - (long)vma->vm_start) / (long)PAGE_SIZE;
	vma->vm_start = start;
	vma->vm_end = end;
	cacheline_rmw_next(&vma->vm_line);
	if (insert) {
		i = vma_search(mm, insert->vm_start, &depth);
		cacheline_rmw_next(&insert->vm_line);
		vma_list_neighbours(mm, i);
		vmas_insert(mm, i, insert);
	}
	cpu_work(sim_machine->vma_op);
	vma_tree_path(mm, levels, true);
	if (insert || remove)
		cacheline_rmw_next(&mm->vm_stat);
	write_seqcount_end(&mm->mm_seq);
	if (remove)
		vm_write_end(remove);
	vm_write_end(vma);
	if (remove)
		put_vma(remove);
	validate_mm(mm);
}

/*
 * vma_merge() for a new mapping of [addr, end): extend prev over it, and
 * over next as well if their anon_vmas agree, or pull next down to addr.
 * Returns the VMA that now covers the range, or NULL: link a new one.
 */
static struct vm_area_struct *vma_merge(struct mm_struct *mm, unsigned long addr, unsigned long end,
					unsigned long vm_flags, struct file *file, pgoff_t pgoff)
{
	int i = vma_index(mm, addr);
	struct vm_area_struct *prev = i > 0 ? mm->vmas[i - 1] : NULL;
	struct vm_area_struct *next = i < mm->nr_vmas ? mm->vmas[i] : NULL;

	if (prev && (prev->vm_end != addr || !can_vma_merge_after(prev, vm_flags, file, pgoff)))
		prev = NULL;
	if (next &&
	    (next->vm_start != end ||
	     !can_vma_merge_before(next, vm_flags, file, pgoff + ((end - addr) >> PAGE_SHIFT))))
		next = NULL;
	/* Joining both sides needs one anon_vma for all three. */
	if (prev && next && prev->anon_vma && next->anon_vma && prev->anon_vma != next->anon_vma)
		next = NULL;
	if (prev) {
		__vma_adjust(mm, prev, prev->vm_start, next ? next->vm_end : end, NULL, next);
		return prev;
	}
	if (next) {
		__vma_adjust(mm, next, addr, next->vm_end, NULL, NULL);
		return next;
	}
	return NULL;
}

/*
 * __split_vma(): cut vma at addr.  The copy (vm_area_dup(): a new VMA,
 * filled from vma's lines) takes the part below addr if new_below, the
 * part above it if not.
 */
static void __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
			bool new_below)
{
	struct vm_area_struct *new = vm_area_alloc(mm);

	cacheline_read(&vma->vm_line);
	new->vm_start = vma->vm_start;
	new->vm_end = vma->vm_end;
	new->vm_flags = vma->vm_flags;
	new->vm_ops = vma->vm_ops;
	new->vm_file = vma->vm_file;
	new->vm_pgoff = vma->vm_pgoff;
	new->vm_policy_interleave = vma->vm_policy_interleave;
	new->vm_userfaultfd_ctx = vma->vm_userfaultfd_ctx;
	new->anon_vma = vma->anon_vma; /* anon_vma_clone() */
	if (new->anon_vma)
		new->anon_vma->refcount++;
	if (new_below) {
		new->vm_end = addr;
		__vma_adjust(mm, vma, addr, vma->vm_end, new, NULL);
	} else {
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		new->vm_start = addr;
		__vma_adjust(mm, vma, vma->vm_start, addr, new, NULL);
	}
}

/*
 * get_unmapped_area(), top-down: the highest gap below mmap_base that
 * fits.  vm_unmapped_area() finds it by descending the tree on
 * rb_subtree_gap, a step and a node's line a level; the scan below only
 * finds the same answer.  What the task mapped at start-up lies above
 * TASK_MMAP_BASE (see task_image_setup()) and is passed over.
 */
static unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long len)
{
	unsigned long end = TASK_MMAP_BASE;
	int levels;

	vma_search(mm, end - len, &levels);
	cpu_work(cycles(levels * COST_GAP_SEARCH));
	vma_tree_path(mm, levels, false);

	for (int i = mm->nr_vmas - 1; i >= 0; i--) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (vma->vm_start >= end)
			continue;
		if (vma->vm_end <= end - len)
			return end - len;
		end = vma->vm_start;
	}
	return end - TASK_MMAP_LOW >= len ? end - len : 0;
}

/* mmap_write_downgrade(): vma_end_write_all(), then downgrade_write(). */
static void mmap_write_downgrade(struct mm_struct *mm)
{
	if (per_vma_lock_enabled())
		mm->mm_lock_seq++;
	downgrade_write(&mm->mmap_sem);
}

/*
 * __do_munmap() (5.0+): cut the VMAs at either end that reach past the
 * range, detach the VMAs now inside it from the tree, then, with downgrade, let mmap_sem go to read
 * - nothing can find them any more, so faults on other VMAs may run during the zap - and
 * unmap_region() zaps the range, flushes the TLBs and frees the page
 * tables; the tree's references go last.  Returns 1 if it downgraded.
 */
static int __do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len, bool downgrade)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma, *last, **detached;
	int nr = 0;

	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	if (start > vma->vm_start)
		__split_vma(mm, vma, start, false);
	last = find_vma(mm, end);
	if (last && end > last->vm_start)
		__split_vma(mm, last, end, true);
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
	pgoff_t pgoff;

	if (!fixed)
		addr = get_unmapped_area(mm, len);
	else
		do_munmap(mm, addr, len);
	if (!addr)
		return 0;
	/* A file is mapped from its start; anonymous memory's offset is its address. */
	pgoff = file ? 0 : addr >> PAGE_SHIFT;
	if (vma_merge(mm, addr, addr + len, vm_flags, file, pgoff))
		return addr;
	vma = vm_area_alloc(mm);
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_pgoff = pgoff;
	if (file) {
		vma->vm_file = file;
		vma->vm_ops = &generic_file_vm_ops;
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
struct vm_area_struct *mm_setup_vma(struct mm_struct *mm, unsigned long start, unsigned long len,
				    unsigned long flags)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);
	int levels, i = vma_search(mm, start, &levels);

	/* Set-up costs no simulated time, and stays O(log n) a VMA. */
	vmas_insert(mm, i, vma);
	vma->vm_start = start;
	vma->vm_end = start + len;
	vma->vm_flags = flags;
	vma->vm_pgoff = start >> PAGE_SHIFT;
	return vma;
}

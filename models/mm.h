/* models/mm.h - address spaces, VMAs, page tables and fault codes.
 *
 * Names, fields and return codes follow include/linux/mm.h and
 * mm_types.h, with the fields the speculative page fault series (SPF v12,
 * Laurent Dufour, April 2019: vm_sequence, vm_ref_count, mm_seq) and the
 * per-VMA lock design of Linux 6.4 (vm_lock, vm_lock_seq, mm_lock_seq)
 * added.  Only what the modelled paths read or write is here: a page is
 * its frame number (its struct page lives in page_alloc.c), and a present
 * PTE is a bit and a frame number in its page-table page.
 */
#ifndef FAULTSIM_MODELS_MM_H
#define FAULTSIM_MODELS_MM_H

#include "../sim/sim.h"

/*
 * A line of a page's data as the caches see it: the CPU that wrote it
 * last and that CPU's cache traffic then (sim/cache.h).
 */
struct page_mark {
	float stamp;
	short cpu;
};

/* A line the current CPU writes now. */
static inline struct page_mark page_mark_now(void)
{
	int me = smp_processor_id();

	return (struct page_mark){.stamp = (float)cache_stamp(me), .cpu = (short)me};
}

#define unlikely(x) __builtin_expect(!!(x), 0)

typedef unsigned int vm_fault_t;

#define VM_FAULT_OOM	  0x000001
#define VM_FAULT_SIGBUS	  0x000002
#define VM_FAULT_SIGSEGV  0x000040
#define VM_FAULT_MAJOR	  0x000004
#define VM_FAULT_NOPAGE	  0x000100
#define VM_FAULT_LOCKED	  0x000200
#define VM_FAULT_RETRY	  0x000400
#define VM_FAULT_FALLBACK 0x000800
#define VM_FAULT_ERROR	  (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

#define FAULT_FLAG_WRITE       0x01
#define FAULT_FLAG_ALLOW_RETRY 0x04
#define FAULT_FLAG_TRIED       0x20
#define FAULT_FLAG_USER	       0x40
#define FAULT_FLAG_INSTRUCTION 0x100
#define FAULT_FLAG_SPECULATIVE 0x200  /* SPF: not holding mmap_sem */
#define FAULT_FLAG_VMA_LOCK    0x1000 /* 6.4: holding only the VMA's lock */

#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_UFFD_MISSING 0x00000200UL
#define VM_GROWSUP	0x00000000UL /* none on x86 */
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL

#define PTRS_PER_PTE	 512
#define PTRS_PER_PMD	 512
#define PTRS_PER_PUD	 512
#define PMD_SHIFT	 21
#define PMD_SIZE	 (1UL << PMD_SHIFT)
#define PMD_MASK	 (~(PMD_SIZE - 1))
#define PUD_SHIFT	 30
#define HPAGE_PMD_NR	 (1 << (HPAGE_PMD_SHIFT - PAGE_SHIFT))
#define HPAGE_PMD_ORDER	 (HPAGE_PMD_SHIFT - PAGE_SHIFT)
#define PAGE_MASK	 (~(PAGE_SIZE - 1))
#define BITS_PER_LONG_MM (8 * (int)sizeof(unsigned long))

/*
 * The user address space the model gives out: one p4d entry's worth
 * (512 GiB) below mmap_base, so pgd and p4d exist from the start and a
 * walk allocates at most the pmd table and the pte table.
 */
#define TASK_MMAP_BASE 0x7f8000000000UL
#define TASK_MMAP_LOW  (TASK_MMAP_BASE - (1UL << 39))

/* 8-byte entries: a 64-byte line holds eight. */
#define PTES_PER_LINE 8

/*
 * A page-table page of PTEs; with split PTLs its struct page holds the
 * lock.  Its 64 lines are lines of the simulation: CPUs faulting into
 * neighbouring 4 KiB pages share one only when their entries do.
 */
struct pte_table {
	spinlock_t ptl;
	struct cacheline lines[PTRS_PER_PTE / PTES_PER_LINE];
	unsigned long present[PTRS_PER_PTE / BITS_PER_LONG_MM];
	unsigned long file[PTRS_PER_PTE / BITS_PER_LONG_MM];	/* maps a page-cache page */
	unsigned long special[PTRS_PER_PTE / BITS_PER_LONG_MM]; /* maps the zero page */
	unsigned int pfn[PTRS_PER_PTE];				/* each present page's frame */
	unsigned int table_pfn;					/* the table's own frame */
	int nr_present;
	struct pte_table *free_next; /* queued for freeing after the flush */
};

/* A PMD entry: none, a pte table, or a huge page. */
typedef struct {
	struct pte_table *table;
	bool huge;
	unsigned int pfn; /* a huge page's frame */
} pmd_t;

static inline bool pmd_none(pmd_t pmd)
{
	return !pmd.table && !pmd.huge;
}

static inline bool pmd_trans_huge(pmd_t pmd)
{
	return pmd.huge;
}

static inline bool pmd_same(pmd_t a, pmd_t b)
{
	return a.table == b.table && a.huge == b.huge;
}

/*
 * A pmd table: like a pte table, 64 lines of eight entries, so CPUs
 * faulting into neighbouring 2 MiB ranges share a line only when their
 * entries do.  Tables are allocated aligned to PMD_TABLE_ALIGN, so the
 * table holding an entry is found from the entry's address, as
 * virt_to_page() does.
 */
#define PMD_TABLE_ALIGN 32768

struct pmd_table {
	pmd_t pmd[PTRS_PER_PMD];
	struct cacheline lines[PTRS_PER_PMD / PTES_PER_LINE];
	spinlock_t ptl; /* split PMD lock (pmd_lock()) */
	/*
	 * pmd_huge_pte: the page tables deposited for the huge entries, to
	 * split them by later (pgtable_trans_huge_deposit()), a stack.
	 */
	unsigned int huge_pte[PTRS_PER_PMD];
	int nr_huge_pte;
	unsigned int table_pfn; /* the table's own frame */
};

_Static_assert(sizeof(struct pmd_table) <= PMD_TABLE_ALIGN, "a pmd table overflows its alignment");

static inline struct pmd_table *pmd_table_of_entry(pmd_t *pmd)
{
	return (struct pmd_table *)((unsigned long)pmd & ~(PMD_TABLE_ALIGN - 1UL));
}

/* The line of the pmd table that holds this entry. */
static inline struct cacheline *pmd_line(pmd_t *pmd)
{
	struct pmd_table *t = pmd_table_of_entry(pmd);

	return &t->lines[(pmd - t->pmd) / PTES_PER_LINE];
}

struct anon_vma {
	int refcount;
};

struct vm_fault;
struct file;
struct cache_page;

enum page_entry_size {
	PE_SIZE_PTE,
	PE_SIZE_PMD,
	PE_SIZE_PUD,
};

typedef unsigned long pgoff_t;

struct vm_operations_struct {
	const char *name;
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*huge_fault)(struct vm_fault *vmf, enum page_entry_size pe_size);
	void (*map_pages)(struct vm_fault *vmf, pgoff_t start, pgoff_t end);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
};

struct userfaultfd_ctx;

struct vm_area_struct {
	unsigned long vm_start, vm_end;
	unsigned long vm_flags;
	struct mm_struct *vm_mm;
	struct anon_vma *anon_vma;
	const struct vm_operations_struct *vm_ops;
	struct file *vm_file;	   /* NULL: anonymous */
	pgoff_t vm_pgoff;	   /* file offset of vm_start, in pages */
	bool vm_policy_interleave; /* an MPOL_INTERLEAVE mempolicy */
	struct userfaultfd_ctx *vm_userfaultfd_ctx;
	/*
	 * The struct's first line: vm_start, vm_end, vm_next, vm_prev and the
	 * rb node ("The first cache line has the info for VMA tree walking",
	 * mm_types.h, 5.x).  Linking, unlinking and resizing a VMA write it,
	 * and so do its neighbours' links.
	 */
	struct cacheline vm_line;

	/* SPF: writers bump it around every change; readers compare. */
	seqcount_t vm_sequence;
	/* SPF: get_vma()/put_vma(), one atomic each on this line. */
	struct cacheline vm_ref_line;
	int vm_ref_count;
	bool vm_rb_empty; /* RB_EMPTY_NODE(&vma->vm_rb): out of the tree */

	/* Per-VMA lock (6.4). */
	struct rw_semaphore vm_lock;
	int vm_lock_seq;
	bool detached;

	struct rcu_head rcu;
};

enum fault_path_kind {
	FAULT_PATH_CLASSIC, /* mmap_sem for read */
	FAULT_PATH_SPF,	    /* speculative, SPF v12 */
	FAULT_PATH_PERVMA,  /* per-VMA locks, Linux 6.4 */
};

enum ptl_kind {
	PTL_SPLIT, /* one lock per page-table page (USE_SPLIT_PTE_PTLOCKS) */
	PTL_MM,	   /* mm->page_table_lock for all */
};

enum pte_lock_kind {
	PTE_LOCK_TRYLOCK, /* the patch: spin_trylock(), IRQs on between tries */
	PTE_LOCK_SPIN,	  /* spin_lock() with IRQs off: what the patch avoids */
};

enum uffd_race_kind {
	UFFD_RACE_IGNORE, /* the patch: a uffd armed mid-fault is ignored */
	UFFD_RACE_ABORT,  /* the reviewer: abort the speculation */
};

/* The kernel configuration a run models: [kernel] in a scenario. */
struct mm_tunables {
	enum fault_path_kind fault_path;
	enum ptl_kind ptl;
	int max_try; /* 0: the patch's unbounded trylock loop */
	enum pte_lock_kind pte_lock;
	enum uffd_race_kind uffd_race;
	bool thp;	      /* transparent_hugepage/enabled = always */
	double thp_fail;      /* chance an order-9 allocation fails */
	bool text_thp;	      /* filemap_huge_fault() for read-only text */
	bool text_thp_posted; /* filemap_huge_fault() as posted, not as fixed */
	unsigned long fault_around_bytes;
	unsigned long ra_bytes;	   /* readahead window */
	double read_error;	   /* chance a read fails */
	bool munmap_downgrade;	   /* munmap zaps under mmap_sem for read (5.0+) */
	bool vma_lock_file_faults; /* per-VMA locks take file faults too (6.7+) */
	bool zap_delay_rmap;	   /* 5df397dec7c4 as merged: a dirty shared page's rmap waits for
				      the flush, and the gather for it stops at its bundle */
};

extern struct mm_tunables mm_tunables;

/* Levels of the VMA tree whose lines are followed; deeper ones share the last. */
#define VMA_TREE_LINES 16

/* include/linux/vmacache.h (3.15 to 6.0): a task's last VMAs found. */
#define VMACACHE_SIZE 4

struct vmacache {
	unsigned long seqnum; /* mm->vmacache_seqnum when it was filled */
	struct vm_area_struct *vmas[VMACACHE_SIZE];
};

struct mm_struct {
	struct rw_semaphore mmap_sem;
	/*
	 * mm_lock_seq (6.4) follows mmap_lock in struct mm_struct, on the
	 * same cache line: reading it is a read of mmap_sem.line.
	 */
	int mm_lock_seq;
	seqcount_t mm_seq; /* SPF v12: the VMA tree is being changed */
	spinlock_t page_table_lock;

	struct vm_area_struct **vmas; /* sorted by address: the VMA tree */
	int nr_vmas, vmas_cap;
	/*
	 * mm->mmap, mm->mm_rb and vmacache_seqnum share mm_struct's first
	 * line: every lookup reads it, every unlink writes it.
	 */
	struct cacheline mm_rb_line;
	unsigned long vmacache_seqnum;
	struct vmacache **vmacache; /* per CPU, a task's current->vmacache */
	/*
	 * mm->mm_rb's nodes as the caches see them, a line a level: the
	 * paths to nearby addresses share their nodes.  And the counters
	 * every mmap and munmap writes (map_count, total_vm, ...).
	 */
	struct cacheline vma_tree[VMA_TREE_LINES];
	struct cacheline vm_stat;
	struct pmd_table *pud[PTRS_PER_PUD];

	struct cpumask cpu_vm_mask; /* CPUs that may cache its translations */
	/*
	 * tlb_flush_pending: the mmu_gathers under way in this mm, each with
	 * PTE changes it may not have flushed yet (inc_tlb_flush_pending()).
	 * A line of its own, far from mmap_lock in struct mm_struct, that
	 * each gather writes as it starts and as it ends.
	 */
	int tlb_flush_pending;
	struct cacheline tlb_flush_line;
	struct tlb_gen tlb_gen; /* mm->context.tlb_gen, on the context's line */
	int mm_users;
	int private_cpu; /* the one CPU that can reach it, or -1 */
	struct userfaultfd_ctx *uffd_ctx;
	long rss;
};

static inline struct cpumask *mm_cpumask(struct mm_struct *mm)
{
	return &mm->cpu_vm_mask;
}

/* What a fault handler carries from step to step (struct vm_fault). */
struct vm_fault {
	struct vm_area_struct *vma;
	unsigned int flags;
	unsigned long address;
	unsigned long vma_flags; /* SPF: the flags read at the start */
	unsigned int sequence;	 /* SPF: vm_sequence at the start */
	pmd_t orig_pmd;		 /* SPF: the PMD the walk saw */
	pmd_t *pmd;
	struct pte_table *pte; /* the locked page-table page */
	bool orig_pte_none;
	spinlock_t *ptl;
	pgoff_t pgoff;		 /* the faulting page's offset in the file */
	struct cache_page *page; /* the page cache page ->fault returned */
	bool cow;		 /* do_cow_fault(): map a private copy of vmf->page */
	unsigned long cow_pfn;	 /* the copy's frame */
	int trylock_failures;	 /* pte_map_lock() retries in this fault */
	double irqs_off_at;	 /* when its current try turned IRQs off */
	double irqs_off_max;	 /* its loop's longest span with IRQs off */
	int spf_fallback;	 /* enum vm_event_item: why speculation failed */
};

/* mm/mmap.c */
void mm_init(struct mm_struct *mm, int private_cpu);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_rcu(struct mm_struct *mm, unsigned long addr);
void get_vma(struct vm_area_struct *vma);
void put_vma(struct vm_area_struct *vma);
int anon_vma_prepare(struct vm_area_struct *vma);
struct file;
/* file NULL: anonymous memory. */
unsigned long do_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
		      unsigned long len, unsigned long vm_flags, bool fixed);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
unsigned long vm_mmap(struct mm_struct *mm, struct file *file, unsigned long addr,
		      unsigned long len, unsigned long vm_flags, bool fixed);
int vm_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
/* A VMA that exists before the run starts: set up at no simulated cost. */
struct vm_area_struct *mm_setup_vma(struct mm_struct *mm, unsigned long start, unsigned long len,
				    unsigned long flags);
void vm_write_begin(struct vm_area_struct *vma);
void vm_write_end(struct vm_area_struct *vma);

/* Per-VMA locks (include/linux/mm.h, 6.4) */
bool vma_start_read(struct vm_area_struct *vma);
void vma_end_read(struct vm_area_struct *vma);
void vma_start_write(struct vm_area_struct *vma);
void mmap_write_unlock(struct mm_struct *mm);

/* mm/memory.c */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags);
vm_fault_t handle_speculative_fault(struct mm_struct *mm, unsigned long address,
				    unsigned int flags);
struct vm_area_struct *lock_vma_under_rcu(struct mm_struct *mm, unsigned long address);
void zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
void unmap_region(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
		  unsigned long end);

/* Page tables (mm/memory.c, mm/pgtable-generic.c) */
pmd_t *pmd_offset(struct mm_struct *mm, unsigned long address);
pmd_t *pmd_alloc(struct mm_struct *mm, unsigned long address);
spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd);
spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd);
void mm_line_init(struct mm_struct *mm, struct cacheline *line);
void mm_lock_init(struct mm_struct *mm, spinlock_t *lock, const char *name);
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd);
pmd_t pmd_read(pmd_t *pmd);
void pmd_write(pmd_t *pmd, pmd_t val);
void pmd_table_free(struct pmd_table *t);
void pte_free(struct pte_table *table);

static inline int pte_index(unsigned long address)
{
	return (address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/* The line of t holding address's entry. */
static inline struct cacheline *pte_line(struct pte_table *t, unsigned long address)
{
	return &t->lines[pte_index(address) / PTES_PER_LINE];
}

static inline bool pte_present(const struct pte_table *t, unsigned long address)
{
	int i = pte_index(address);

	return (t->present[i / BITS_PER_LONG_MM] >> (i % BITS_PER_LONG_MM)) & 1;
}

static inline bool pte_file(const struct pte_table *t, unsigned long address)
{
	int i = pte_index(address);

	return (t->file[i / BITS_PER_LONG_MM] >> (i % BITS_PER_LONG_MM)) & 1;
}

/*
 * pte_special() of my_zero_pfn(): the zero page, read-only, no struct page
 * to count.  Only a present entry is special: pte_clear() clears both.
 */
static inline bool pte_special(const struct pte_table *t, unsigned long address)
{
	int i = pte_index(address);

	return t->special[i / BITS_PER_LONG_MM] >> (i % BITS_PER_LONG_MM) & 1;
}

/* An anonymous page, mapped by this CPU (page_add_new_anon_rmap() is the caller's). */
void set_pte_at(struct mm_struct *mm, unsigned long address, struct pte_table *t,
		unsigned long pfn);
/* A page of the page cache (page_add_file_rmap() is the caller's). */
void set_pte_file_at(struct mm_struct *mm, unsigned long address, struct pte_table *t);
void set_pte_zero_at(unsigned long address, struct pte_table *t);
void pte_clear(struct mm_struct *mm, unsigned long address, struct pte_table *t);

/* mm/mprotect.c, mm/madvise.c, fs/userfaultfd.c */
/* prot: the VM_READ, VM_WRITE and VM_EXEC bits the range gets. */
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot);
int madvise_dontneed(struct mm_struct *mm, unsigned long start, unsigned long len);
int userfaultfd_register(struct mm_struct *mm, unsigned long start, unsigned long len);
int userfaultfd_unregister(struct mm_struct *mm, unsigned long start, unsigned long len);
vm_fault_t handle_userfault(struct vm_fault *vmf);

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline bool userfaultfd_missing(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_MISSING;
}

/* arch/x86/mm/fault.c */
vm_fault_t do_user_addr_fault(struct mm_struct *mm, unsigned long address, bool write);

/* arch/x86/mm/tlb.c */
void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end,
			unsigned int stride_shift, bool freed_tables);

#endif

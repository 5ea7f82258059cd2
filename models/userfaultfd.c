/* models/userfaultfd.c - arming userfaultfd on a VMA, and faults that wait.
 *
 * UFFDIO_REGISTER and UFFDIO_UNREGISTER change vm_flags under mmap_sem
 * for write, inside vm_write_begin/end (SPF v12) and after
 * vma_start_write() (6.4).  A fault on a missing page of an armed VMA is
 * delivered to the monitor: here the monitor never resolves it, so the
 * fault sleeps on the context's queue until unregistering wakes it
 * (userfaultfd_unregister() -> wake_userfault()), then is retried.
 */
#include <stdlib.h>

#include "cost.h"
#include "mm.h"
#include "vmstat.h"

struct userfaultfd_ctx {
	struct wait_queue_head fault_wqh;
};

static struct vm_area_struct *uffd_vma(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (!vma || vma->vm_start != start || vma->vm_end != start + len)
		return NULL;
	return vma;
}

static int uffd_set_flags(struct mm_struct *mm, unsigned long start, unsigned long len, bool arm)
{
	struct vm_area_struct *vma;

	cpu_work(sim_machine->syscall_entry);
	down_write(&mm->mmap_sem);
	vma = uffd_vma(mm, start, len);
	if (!vma) {
		mmap_write_unlock(mm);
		return -1;
	}
	if (!mm->uffd_ctx) {
		mm->uffd_ctx = calloc(1, sizeof(*mm->uffd_ctx));
		init_waitqueue_head(&mm->uffd_ctx->fault_wqh, "userfaultfd");
	}
	vma_start_write(vma);
	vm_write_begin(vma);
	if (arm) {
		vma->vm_flags |= VM_UFFD_MISSING;
		vma->vm_userfaultfd_ctx = mm->uffd_ctx;
	} else {
		vma->vm_flags &= ~VM_UFFD_MISSING;
		vma->vm_userfaultfd_ctx = NULL;
	}
	vm_write_end(vma);
	if (!arm)
		wake_up_all(&mm->uffd_ctx->fault_wqh);
	mmap_write_unlock(mm);
	return 0;
}

int userfaultfd_register(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return uffd_set_flags(mm, start, len, true);
}

int userfaultfd_unregister(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return uffd_set_flags(mm, start, len, false);
}

/*
 * handle_userfault(): drop mmap_sem and sleep until woken, then have the
 * fault retried (multiple retries allowed, as since Linux 5.7).  Holding
 * only a VMA lock (6.4), retry under mmap_lock instead.
 */
vm_fault_t handle_userfault(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	struct userfaultfd_ctx *ctx = vmf->vma->vm_userfaultfd_ctx;

	/* lock_vma_under_rcu() refused armed VMAs; this one was armed since. */
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		return VM_FAULT_RETRY;
	count_vm_event(UFFD_WAIT);
	/* Queued before mmap_sem goes, so unregistering cannot miss us. */
	prepare_to_wait(&ctx->fault_wqh);
	up_read(&mm->mmap_sem);
	schedule();
	return VM_FAULT_RETRY;
}

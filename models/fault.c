/* models/fault.c - the user page-fault entry (arch/x86/mm/fault.c).
 *
 * do_user_addr_fault() as each modelled kernel has it:
 *  - SPF v12: try handle_speculative_fault() first; VM_FAULT_RETRY means
 *    "redo it under mmap_sem";
 *  - 6.4: try lock_vma_under_rcu() and handle_mm_fault() with only the
 *    VMA locked; on failure or VM_FAULT_RETRY, lock_mmap;
 *  - classic: mmap_sem for read around find_vma() and handle_mm_fault(),
 *    retried if the handler dropped mmap_sem (a userfault).
 */
#include "cost.h"
#include "mm.h"
#include "vmstat.h"

static bool access_error(bool write, struct vm_area_struct *vma)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !(vma->vm_flags & (VM_READ | VM_EXEC | VM_WRITE));
}

static vm_fault_t lock_mmap_fault(struct mm_struct *mm, unsigned long address, bool write,
				  unsigned int flags)
{
	struct vm_area_struct *vma;
	vm_fault_t fault;

	/* do_user_addr_fault(): a trylock first; the sleeping lock if it fails, and on a retry. */
	if (!down_read_trylock(&mm->mmap_sem)) {
	retry:
		down_read(&mm->mmap_sem);
	}
	vma = find_vma(mm, address);
	/* No stack expansion modelled: a hole is a SIGSEGV. */
	if (!vma || vma->vm_start > address || access_error(write, vma)) {
		up_read(&mm->mmap_sem);
		count_vm_event(FAULT_SIGSEGV);
		return VM_FAULT_SIGSEGV;
	}
	fault = handle_mm_fault(vma, address, flags);
	if (fault & VM_FAULT_RETRY) {
		/*
		 * handle_userfault() dropped mmap_sem.  Retried as often as it
		 * takes, as since 5.7: 5.1 allowed one retry, then SIGBUS.
		 */
		flags |= FAULT_FLAG_TRIED;
		goto retry;
	}
	up_read(&mm->mmap_sem);
	count_vm_event(FAULT_DONE_CLASSIC);
	return fault;
}

static bool per_vma_fault(struct mm_struct *mm, unsigned long address, bool write,
			  unsigned int flags, vm_fault_t *fault)
{
	struct vm_area_struct *vma = lock_vma_under_rcu(mm, address);

	if (!vma)
		return false;
	if (access_error(write, vma)) {
		vma_end_read(vma);
		return false;
	}
	*fault = handle_mm_fault(vma, address, flags | FAULT_FLAG_VMA_LOCK);
	vma_end_read(vma);
	if (!(*fault & VM_FAULT_RETRY)) {
		count_vm_event(VMA_LOCK_SUCCESS);
		count_vm_event(FAULT_DONE_VMA_LOCK);
		return true;
	}
	count_vm_event(VMA_LOCK_RETRY);
	return false;
}

vm_fault_t do_user_addr_fault(struct mm_struct *mm, unsigned long address, bool write)
{
	unsigned int flags = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_USER;
	double t0 = cpu_clock();
	vm_fault_t fault;

	if (write)
		flags |= FAULT_FLAG_WRITE;
	cpu_work(sim_machine->fault_entry);
	count_vm_event(PGFAULT);
	trace_begin("page fault", NULL);

	switch (mm_tunables.fault_path) {
	case FAULT_PATH_SPF:
		fault = handle_speculative_fault(mm, address, flags);
		if (fault != VM_FAULT_RETRY) {
			count_vm_event(fault & VM_FAULT_SIGSEGV ? FAULT_SIGSEGV : FAULT_DONE_SPF);
			trace_arg_str("path", "speculative");
			goto done;
		}
		break;
	case FAULT_PATH_PERVMA:
		if (per_vma_fault(mm, address, write, flags, &fault)) {
			trace_arg_str("path", "vma lock");
			goto done;
		}
		break;
	case FAULT_PATH_CLASSIC:
		break;
	}
	fault = lock_mmap_fault(mm, address, write, flags);
	trace_arg_str("path", "mmap_sem");
done:
	trace_end();
	histogram_add(fault_latency, cpu_clock() - t0);
	return fault;
}

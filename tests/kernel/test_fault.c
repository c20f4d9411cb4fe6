/*
 * test_fault.c - the generic fault seam (kernel/proc/fault.c), driven with
 * hand-made struct fault values instead of hardware exceptions: what it
 * resolves, and what it hands back to the arch as a kernel fault.
 */
#include <keel/ktest.h>
#include <keel/fault.h>
#include <keel/thread.h>
#include <keel/vm.h>
#include <arch/arch.h>
#include <arch/layout.h>

/* A page fault as the arch would report one from a user copy. */
static struct fault fault_uaccess_write(uintptr_t addr)
{
	return (struct fault){
		.kind = FAULT_PAGE,
		.name = "test page fault",
		.addr = addr,
		.access = VM_FAULT_WRITE,
		.uaccess = true,
		.can_sleep = true,
	};
}

static bool fault_run(struct fault f)
{
	bool handled;

	arch_irq_disable();
	handled = fault_handle(&f);
	arch_irq_enable();
	return handled;
}

KTEST(fault_seam_resolves_and_refuses)
{
	struct thread *me = thread_current();
	struct mm *mm = vm_create();
	uintptr_t va;
	uint64_t pa;
	struct fault f;

	KT_CHECK(t, mm != NULL);
	if (!mm)
		return;
	va = (uintptr_t)vm_map(mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, 0, false);
	KT_CHECK(t, (long)va > 0);
	me->mm = mm;
	arch_irq_disable();
	vm_switch(mm);
	arch_irq_enable();

	/* Refused: kernel code without a fixup, a kernel address, corrupt
	 * tables, a context that cannot sleep, a non-page kernel fault. */
	f = fault_uaccess_write(va);
	f.uaccess = false;
	KT_CHECK(t, !fault_run(f));
	KT_CHECK(t, !fault_run(fault_uaccess_write(USER_TOP)));
	f = fault_uaccess_write(va);
	f.malformed = true;
	KT_CHECK(t, !fault_run(f));
	f = fault_uaccess_write(va);
	f.can_sleep = false;
	KT_CHECK(t, !fault_run(f));
	f = fault_uaccess_write(va);
	f.kind = FAULT_PROTECTION;
	KT_CHECK(t, !fault_run(f));
	KT_CHECK(t, !vm_translate(mm, va, &pa));

	/* Resolved: the lazy page gets a frame, no arch code involved. */
	KT_CHECK(t, fault_run(fault_uaccess_write(va)));
	KT_CHECK(t, vm_translate(mm, va, &pa));
	/* Outside every mapping: not resolvable. */
	KT_CHECK(t, !fault_run(fault_uaccess_write(va + 16 * PAGE_SIZE)));

	arch_irq_disable();
	vm_switch(NULL);
	me->mm = NULL;
	arch_irq_enable();
	vm_put(mm);
}

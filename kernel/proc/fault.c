/*
 * fault.c - what a CPU fault means, decided once for every architecture.
 *
 * The arch trap code decodes the hardware fault into a struct fault
 * (keel/fault.h) and calls fault_handle().  Here:
 *
 *  1. A page fault on a user address, taken where sleeping is allowed (user
 *     mode, or kernel code in a user copy that has an exception fixup), is
 *     resolved in the current address space by vm_fault().  The fault-loop
 *     detector stops a thread that faults on the same instruction and
 *     address over and over without progress (the Twizzler seed bug: a
 *     handler that fixed a page table the CPU was not using) and names both
 *     page-table roots.
 *  2. A user fault that stays unresolved becomes an out-of-memory kill
 *     (vm_fault found no frame even after the killer ran) or a signal
 *     (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP by kind), except that an
 *     unresolved page fault goes to the process's page-fault upcall if it
 *     set one (kernel/proc/exo.c), unless the loop detector stopped it: a
 *     handler that returns without fixing anything 1000 times in a row is
 *     killed like any other fault loop.
 *  3. Anything else is a kernel fault: returned to the arch unresolved, for
 *     its exception fixup or a panic.
 *
 * Runs with interrupts off on the faulting thread's stack; enables them
 * only around vm_fault.  The loop detector's per-thread fields are [C]
 * (only the thread itself touches them).
 */
#include <keel/fault.h>
#include <keel/vm.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/signal.h>
#include <keel/klog.h>
#include <keel/exo.h>
#include <arch/arch.h>
#include <arch/layout.h>
#include <lib/errno.h>

/* Faults at one instruction and address before the detector steps in. */
#define FAULT_LOOP_LIMIT 1000

static unsigned fault_loops;   /* [A] detections since boot */

unsigned fault_loop_detections(void)
{
	return __atomic_load_n(&fault_loops, __ATOMIC_RELAXED);
}

/* True when the current thread has faulted at f's pc and address
 * FAULT_LOOP_LIMIT times in a row (then logged, and the count restarts). */
static bool fault_loop(const struct fault *f)
{
	struct thread *t = thread_current();

	if (!t)
		return false;
	if (t->fault_rip == f->pc && t->fault_addr == f->addr) {
		if (++t->fault_repeat < FAULT_LOOP_LIMIT)
			return false;
		kprintf("fault loop: thread %d (%s) faulted %u times at rip %lx addr %lx;\n"
			"  the handler updated the address space with root %lx,\n"
			"  the CPU has CR3 = %lx loaded\n", t->tid, t->name, t->fault_repeat,
			f->pc, f->addr, t->mm ? (unsigned long)vm_pmap_root(t->mm) : 0ul,
			(unsigned long)f->loaded_root);
		t->fault_repeat = 0;
		__atomic_fetch_add(&fault_loops, 1, __ATOMIC_RELAXED);
		return true;
	}
	t->fault_rip = f->pc;
	t->fault_addr = f->addr;
	t->fault_repeat = 0;
	return false;
}

/* Resolve a page fault in the address space; true if the access can be
 * retried (or the thread is dying and should just return to user mode). */
static bool fault_page(struct fault *f)
{
	int err;

	if (f->addr >= USER_TOP || !f->can_sleep || f->malformed)
		return false;
	/* Kernel code only touches user memory in uaccess (with a fixup). */
	if (!f->user && !f->uaccess)
		return false;
	if (fault_loop(f)) {
		f->looping = true;
		return false;
	}
	arch_irq_enable();
	err = vm_fault(f->addr, f->access);
	if (err == -ENOMEM && f->user)
		vm_out_of_memory(f->addr);
	arch_irq_disable();
	/* Gave up because the thread is dying: not a bad access.  Return to
	 * user mode, where the pending kill ends it. */
	if (err == -EINTR && f->user)
		return true;
	return err == 0;
}

/* The signal an unresolved user fault of this kind raises (Linux's). */
static int fault_signal(enum fault_kind kind)
{
	switch (kind) {
	case FAULT_ARITHMETIC:
		return SIGFPE;
	case FAULT_ILLEGAL:
		return SIGILL;
	case FAULT_BREAKPOINT:
		return SIGTRAP;
	case FAULT_ALIGNMENT:
		return SIGBUS;
	case FAULT_PAGE:
	case FAULT_PROTECTION:
	case FAULT_OTHER:
		break;
	}
	return SIGSEGV;
}

/* An unresolved user fault: today always a signal. */
static void fault_user(const struct fault *f)
{
	struct thread *t = thread_current();
	int sig = fault_signal(f->kind);

	klog(LOG_INFO, "%s[%d]: %s at rip %lx%s%lx: killed by signal %d",
	     t ? t->name : "?", t ? t->tid : 0, f->name, f->pc,
	     f->kind == FAULT_PAGE ? ", addr " : ", error ",
	     f->kind == FAULT_PAGE ? f->addr : f->code, sig);
	if (f->kind == FAULT_PAGE && t && t->mm && f->can_sleep) {
		/* si_code: a mapping without the access right, or none at all. */
		arch_irq_enable();
		bool mapped = vm_is_mapped(t->mm, f->addr);
		arch_irq_disable();
		signal_force_fault(sig, mapped ? SEGV_ACCERR : SEGV_MAPERR, f->addr);
	} else
		signal_force(sig);
}

bool fault_handle(struct fault *f)
{
	if (f->kind == FAULT_PAGE && fault_page(f))
		return true;
	if (f->user) {
		if (f->kind == FAULT_PAGE && f->can_sleep && !f->looping && exo_fault_upcall(f))
			return true;
		fault_user(f);
		return true;
	}
	return false;
}

void fault_bad_return(const char *name)
{
	struct thread *t = thread_current();

	klog(LOG_INFO, "%s[%d]: %s returning to user mode: killed by signal %d",
	     t->name, t->tid, name, SIGSEGV);
	arch_irq_enable();
	proc_exit_group(SIGSEGV, true);
}

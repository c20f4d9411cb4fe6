/*
 * keel/fault.h - the seam between an architecture's exception decoding and
 * the generic decision of what a fault means.
 *
 * The arch trap code decodes the hardware state into a struct fault (what
 * kind of fault, at which instruction and address, which access, whether
 * the interrupted code could sleep) and calls fault_handle().  Generic code
 * (kernel/proc/fault.c) decides: a page fault is resolved in the address
 * space if it can be (vm_fault); an unresolved user fault becomes an
 * out-of-memory kill, an upcall to the process's user-level handler
 * (keel/exo.h), or a signal; a kernel fault it cannot resolve goes back to the arch, which
 * applies an exception fixup or panics.  Nothing here knows about vectors,
 * error codes or control registers.
 *
 * Invariants: fault_handle() runs with interrupts off on the faulting
 * thread's kernel stack and returns with them off; it enables them only
 * while resolving a page fault that may sleep (f->can_sleep).
 */
#ifndef KEEL_FAULT_H
#define KEEL_FAULT_H

#include <keel/compiler.h>

enum fault_kind {
	FAULT_PAGE,             /* access to an unmapped or protected address */
	FAULT_PROTECTION,       /* general protection, segment, stack faults */
	FAULT_ARITHMETIC,       /* divide error, x87/SIMD floating-point */
	FAULT_ILLEGAL,          /* undefined or privileged instruction */
	FAULT_BREAKPOINT,       /* breakpoint or single step */
	FAULT_ALIGNMENT,        /* alignment check */
	FAULT_OTHER,            /* anything else the arch reports */
};

/* f->access bits: the VM_FAULT_* bits of keel/vm.h. */
struct fault {
	enum fault_kind kind;
	const char *name;       /* the arch's name, for logs ("#PF page fault") */
	uintptr_t pc;           /* faulting instruction */
	uintptr_t addr;         /* FAULT_PAGE: the address accessed */
	unsigned long code;     /* the arch's error code, for logs */
	unsigned access;        /* FAULT_PAGE: VM_FAULT_WRITE/EXEC/USER/PRESENT */
	bool user;              /* raised by user-mode code */
	bool uaccess;           /* kernel code that may touch user memory
				   (it has an exception fixup) */
	bool can_sleep;         /* the interrupted context may sleep */
	bool malformed;         /* FAULT_PAGE: the page tables are corrupt
				   (reserved bits): never resolvable */
	uint64_t loaded_root;   /* page-table root the MMU was using */
	bool looping;           /* set by fault_handle: the fault-loop detector
				   stopped this fault (not sent to an upcall) */
};

/*
 * Decide what f means (see the header comment).  True when it was dealt
 * with: resolved (retry the instruction), or a user fault turned into a
 * signal or a kill (return to user mode, where it is delivered).  False for
 * a kernel-mode fault nothing resolved: the arch's fixup or panic follows.
 */
bool fault_handle(struct fault *f);
/*
 * The user state the kernel was about to return to is invalid (the return
 * itself faulted): the process is ended with SIGSEGV.  Interrupts off;
 * does not return.
 */
void fault_bad_return(const char *name) __noreturn;
/* Times the fault-loop detector stopped a thread. */
unsigned fault_loop_detections(void);

#endif

/*
 * pgfault.c - libkeel: user-level page-fault handling (JOS's pgfault.c).
 *
 * The first set_pgfault_handler() (or exo_cowfork()) maps the exception
 * stack - EXO_XSTACK_SIZE bytes with a PROT_NONE guard page below, so an
 * overflowing handler faults in the kernel's frame push and is killed -
 * (and above it PFTEMP, the page where copy-on-write copies are made)
 * and installs _exo_pgfault_upcall (pgfault_entry.S) as the process's
 * upcall.  Every fault the kernel leaves unresolved comes to
 * _exo_pgfault_dispatch(): a write to a copy-on-write page is copied here
 * if exo_cowfork is in use; anything else goes to the program's handler;
 * with none, the upcall is removed and the instruction faults again, now
 * raising SIGSEGV as it would without this library.
 *
 * One exception stack per process, as in JOS, where an environment has
 * one thread: two threads faulting at once would share it.
 */
#include <keel/exo.h>
#include <sys/mman.h>
#include <stddef.h>
#include <errno.h>
#include "exo_syscall.h"

#define XSTACK_GUARD EXO_PAGE_SIZE

static void (*volatile user_handler)(struct exo_utrapframe *utf);
static volatile int upcall_on; /* the kernel has our upcall */
unsigned long _exo_xstack_base, _exo_xstack_top, _exo_pftemp;
volatile int _exo_cow_enabled;

int _exo_upcall_setup(void)
{
	void *base;
	int err;

	if (!_exo_xstack_top) {
		/* [guard][exception stack][PFTEMP], one mapping */
		base = mmap(NULL, XSTACK_GUARD + EXO_XSTACK_SIZE + EXO_PAGE_SIZE,
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			return -ENOMEM;
		if (mprotect(base, XSTACK_GUARD, PROT_NONE) != 0) {
			munmap(base, XSTACK_GUARD + EXO_XSTACK_SIZE + EXO_PAGE_SIZE);
			return -ENOMEM;
		}
		_exo_xstack_base = (unsigned long)base;
		_exo_xstack_top = _exo_xstack_base + XSTACK_GUARD + EXO_XSTACK_SIZE;
		_exo_pftemp = _exo_xstack_top;
	}
	if (upcall_on)
		return 0;
	err = exo_set_pgfault_upcall(0, _exo_pgfault_upcall, (void *)_exo_xstack_top);
	if (err)
		return err;
	upcall_on = 1;
	return 0;
}

void set_pgfault_handler(void (*handler)(struct exo_utrapframe *utf))
{
	user_handler = handler;
	if (_exo_upcall_setup() != 0) {
		static const char msg[] =
			"set_pgfault_handler: cannot set up the exception stack\n";
		exo_syscall3(1 /* write */, 2, msg, sizeof(msg) - 1);
		exo_syscall1(231 /* exit_group */, 127);
	}
}

void _exo_pgfault_dispatch(struct exo_utrapframe *utf)
{
	void (*h)(struct exo_utrapframe *) = user_handler;

	if (_exo_cow_enabled && (utf->utf_err & EXO_FEC_WR) && (utf->utf_err & EXO_FEC_PR) &&
	    _exo_cow_copy(utf->utf_fault_va & ~(EXO_PAGE_SIZE - 1)) == 1)
		return;
	if (h) {
		h(utf);
		return;
	}
	/* Nobody handles it: fault again without the upcall (SIGSEGV). */
	exo_set_pgfault_upcall(0, NULL, NULL);
	upcall_on = 0;
}

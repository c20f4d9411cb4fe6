/*
 * exo_syscall.h - libkeel's raw system calls (internal).
 *
 * The exo_* calls return 0/values or -errno, never touching errno, so the
 * library issues them with the syscall instruction itself instead of musl's
 * syscall(), which would turn errors into -1 and errno.  The page-fault
 * handler path uses only these (no errno, no stdio).
 */
#ifndef LIBKEEL_EXO_SYSCALL_H
#define LIBKEEL_EXO_SYSCALL_H

static inline long exo_syscall5(long nr, long a1, long a2, long a3, long a4, long a5)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

#define exo_syscall0(nr)             exo_syscall5(nr, 0, 0, 0, 0, 0)
#define exo_syscall1(nr, a)          exo_syscall5(nr, (long)(a), 0, 0, 0, 0)
#define exo_syscall2(nr, a, b)       exo_syscall5(nr, (long)(a), (long)(b), 0, 0, 0)
#define exo_syscall3(nr, a, b, c)    exo_syscall5(nr, (long)(a), (long)(b), (long)(c), 0, 0)
#define exo_syscall4(nr, a, b, c, d) exo_syscall5(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0)

/* Shared between the library's files. */
extern void _exo_pgfault_upcall(void);
/* The C side of the upcall: called by _exo_pgfault_upcall with the frame. */
void _exo_pgfault_dispatch(struct exo_utrapframe *utf);
/* Install the upcall and its exception stack if not done yet: 0 or -errno. */
int _exo_upcall_setup(void);
/* The library's own mapping, 0 before setup: the exception stack's guard
 * page and stack [_exo_xstack_base, _exo_xstack_top), then the PFTEMP page
 * at _exo_pftemp where copies are made (it keeps the last copy mapped). */
extern unsigned long _exo_xstack_base, _exo_xstack_top, _exo_pftemp;
/* exo_cowfork ran: copy-on-write write faults are the library's. */
extern volatile int _exo_cow_enabled;
/* Copy the copy-on-write page at va (page-aligned) into a private writable
 * one: 1 done, 0 not a copy-on-write page, -errno. */
int _exo_cow_copy(unsigned long va);

#endif

/*
 * <keel/exo.h> - Keel's exokernel interface (MIT JOS lab 4 on Keel): a
 * parent builds a child's address space page by page, a process handles
 * its own page faults on an exception stack, copy-on-write fork is a
 * library routine, and processes exchange values and pages by IPC.
 * docs/exokernel.md is the full description; this header is the contract.
 *
 * An "environment" is a Keel process: every id is a pid, 0 is the caller.
 * The system calls are Keel's own, numbered from EXO_SYSCALL_BASE, next to
 * the Linux ABI.  Each returns 0 (or a pid, a count, perm bits) or a
 * negative errno value (-EINVAL, -ESRCH, -EPERM, -EFAULT, -EACCES,
 * -ENOMEM, -ENOENT, -EAGAIN, -EINTR); they never set errno.
 *
 * User programs include it as <keel/exo.h> (the build adds include/uapi)
 * and link libkeel.a, which implements the functions below with the
 * library routines (set_pgfault_handler, exo_cowfork, ipc_send, ipc_recv).
 * The kernel includes it as <uapi/keel/exo.h> for the numbers and layouts.
 */
#ifndef KEEL_UAPI_EXO_H
#define KEEL_UAPI_EXO_H

#include <stdint.h>

/* System-call numbers. */
#define EXO_SYSCALL_BASE            1000
#define __NR_exo_fork               1000
#define __NR_exo_set_status         1001
#define __NR_exo_page_alloc         1002
#define __NR_exo_page_map           1003
#define __NR_exo_page_unmap         1004
#define __NR_exo_page_perm          1005
#define __NR_exo_set_pgfault_upcall 1006
#define __NR_exo_ipc_try_send       1007
#define __NR_exo_ipc_recv           1008
#define __NR_exo_page_scan          1009
#define __NR_exo_ipc_send           1010

/* exo_set_status */
#define EXO_RUNNABLE     1
#define EXO_NOT_RUNNABLE 2

/*
 * Page permissions.  EXO_PERM_R is implied in every request and always set
 * in what is reported for a present page (a reported 0 means "no page").
 * COW and SHARE are the program's own: the kernel keeps and reports them
 * per page but never acts on them (libkeel's exo_cowfork does).
 */
#define EXO_PERM_R     0x1
#define EXO_PERM_W     0x2
#define EXO_PERM_X     0x4
#define EXO_PERM_COW   0x8
#define EXO_PERM_SHARE 0x10
#define EXO_PERM_ALL   0x1f

/* No page: exo_ipc_try_send sends none, exo_ipc_recv accepts none. */
#define EXO_NO_PAGE ((void *)-1)

#define EXO_PAGE_SIZE 4096ul
/* User addresses: page-aligned, EXO_USER_MIN <= va < EXO_USER_TOP. */
#define EXO_USER_MIN  0x1000ul
#define EXO_USER_TOP  0x7ffffffff000ul

/*
 * The exception stack is the EXO_XSTACK_SIZE bytes below the xstack_top
 * given to exo_set_pgfault_upcall.  A fault taken while the stack pointer
 * is in it nests: the new frame goes below the current one, past its
 * 128-byte red zone and one empty word.  A frame that would go below the
 * bottom, or cannot be written, kills the process with SIGSEGV.
 */
#define EXO_XSTACK_SIZE (4 * EXO_PAGE_SIZE)

/* What exo_ipc_recv tells about the message it received. */
struct exo_ipc_msg {
	int32_t from; /* the sender's pid */
	int32_t perm; /* the page's perm bits, 0 if no page came */
	uint64_t value;
};

/* The registers at a fault, in the order the exception frame holds them. */
struct exo_pushregs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
};

/*
 * The frame the kernel pushes on the exception stack for a page fault
 * (x86-64); the upcall entry is jumped to with %rsp pointing at it.
 */
struct exo_utrapframe {
	uint64_t utf_fault_va; /* the address accessed */
	uint64_t utf_err;      /* the hardware page-fault error code */
	struct exo_pushregs utf_regs;
	uint64_t utf_rip;
	uint64_t utf_rflags;
	uint64_t utf_rsp;
};

/* x86 page-fault error-code bits (utf_err). */
#define EXO_FEC_PR 0x1  /* a protection fault on a present page */
#define EXO_FEC_WR 0x2  /* a write */
#define EXO_FEC_U  0x4  /* from user mode (always) */
#define EXO_FEC_I  0x10 /* an instruction fetch */

/* One present page found by exo_page_scan. */
struct exo_page_info {
	uint64_t va;
	uint32_t perm;  /* as exo_page_perm reports it */
	uint32_t flags; /* EXO_PAGE_* */
};
#define EXO_PAGE_STACK 0x1 /* in a stack (grows-down) mapping */

#ifndef __KEEL_KERNEL__
#include <sys/types.h>

/* ---- system calls (libkeel: plain wrappers) ---- */

/*
 * A child with the caller's registers (it returns 0), files, signal
 * dispositions, working directory, credentials and mappings, but no page
 * present in any mapping; it runs only once set EXO_RUNNABLE, and dies
 * with its parent if it never was.
 *
 * Always inlined, as JOS's sys_exofork: the child resumes right after the
 * system-call instruction, in the caller's own stack frame.  Were it a
 * function call, the child would return through a return address that the
 * parent's next call has overwritten by the time it copies that stack page
 * into the child.
 */
static inline __attribute__((always_inline)) pid_t exo_fork(void)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)__NR_exo_fork) : "rcx", "r11", "memory");
	return (pid_t)ret;
}
int exo_set_status(pid_t pid, int status);
/* A zeroed page at va, replacing what was there. */
int exo_page_alloc(pid_t pid, void *va, int perm);
/* srcpid's page at srcva, also at dstva in dstpid (the same frame). */
int exo_page_map(pid_t srcpid, void *srcva, pid_t dstpid, void *dstva, int perm);
/* Unmap the page at va (the mapping of that page goes); nothing there: 0. */
int exo_page_unmap(pid_t pid, void *va);
/* The caller's perm bits at va, or -ENOENT when no page is present. */
int exo_page_perm(const void *va);
/* Page faults the kernel does not resolve go to entry on that stack
 * (entry NULL: none; they raise SIGSEGV again). */
int exo_set_pgfault_upcall(pid_t pid, void (*entry)(void), void *xstack_top);
/* -EAGAIN unless `to` is blocked in exo_ipc_recv. */
int exo_ipc_try_send(pid_t to, uint64_t value, const void *pg, int perm);
/* Keel's extension: exo_ipc_try_send that sleeps until `to` receives
 * instead of failing with -EAGAIN (-EINTR if a signal comes first).
 * libkeel's ipc_send uses it. */
int exo_ipc_send(pid_t to, uint64_t value, const void *pg, int perm);
/* Block until a message comes; a page sent is mapped at pg (if not
 * EXO_NO_PAGE).  -EINTR if a signal comes first. */
int exo_ipc_recv(void *pg, struct exo_ipc_msg *msg);
/*
 * Keel's extension for scanning an address space: the present pages of
 * the caller in [start, end), in address order, at most max of them, into
 * out; returns how many (fewer than max: none left).  Pages of PROT_NONE
 * mappings are left out (nothing may access them).  One call walks the
 * page tables, skipping empty ranges, instead of one exo_page_perm per page.
 */
long exo_page_scan(const void *start, const void *end, struct exo_page_info *out,
		   unsigned long max);

/* ---- library routines (libkeel) ---- */

/* Call handler for every page fault the kernel leaves unresolved; the
 * first call allocates the exception stack and installs the upcall. */
void set_pgfault_handler(void (*handler)(struct exo_utrapframe *utf));
/* JOS's fork(): a copy-on-write child built entirely in user space. */
pid_t exo_cowfork(void);
/* Send until delivered (yields while `to` is not receiving). */
void ipc_send(pid_t to, uint64_t value, const void *pg, int perm);
/* Receive one message; from and perm may be NULL.  Returns the value. */
uint64_t ipc_recv(pid_t *from, void *pg, int *perm);
/*
 * A kernel access to user memory never goes to the fault handler: a
 * buffer in a page that exo_cowfork made copy-on-write gives -EFAULT to
 * read(2), exo_ipc_recv and the like.  Call this first: it copies every
 * copy-on-write page of [buf, buf+len) so that the kernel can write there.
 * 0, or -1 with errno set.
 */
int exo_make_writable(void *buf, unsigned long len);
#endif

#endif

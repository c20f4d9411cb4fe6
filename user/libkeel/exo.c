/*
 * exo.c - libkeel: the exokernel system calls as C functions
 * (<keel/exo.h>).  Each returns what the kernel returned: a value, or a
 * negative errno.
 */
#include <keel/exo.h>
#include "exo_syscall.h"

int exo_set_status(pid_t pid, int status)
{
	return (int)exo_syscall2(__NR_exo_set_status, pid, status);
}

int exo_page_alloc(pid_t pid, void *va, int perm)
{
	return (int)exo_syscall3(__NR_exo_page_alloc, pid, va, perm);
}

int exo_page_map(pid_t srcpid, void *srcva, pid_t dstpid, void *dstva, int perm)
{
	return (int)exo_syscall5(__NR_exo_page_map, srcpid, (long)srcva, dstpid, (long)dstva, perm);
}

int exo_page_unmap(pid_t pid, void *va)
{
	return (int)exo_syscall2(__NR_exo_page_unmap, pid, va);
}

int exo_page_perm(const void *va)
{
	return (int)exo_syscall1(__NR_exo_page_perm, va);
}

int exo_set_pgfault_upcall(pid_t pid, void (*entry)(void), void *xstack_top)
{
	return (int)exo_syscall3(__NR_exo_set_pgfault_upcall, pid, entry, xstack_top);
}

int exo_ipc_try_send(pid_t to, uint64_t value, const void *pg, int perm)
{
	return (int)exo_syscall4(__NR_exo_ipc_try_send, to, value, pg, perm);
}

int exo_ipc_recv(void *pg, struct exo_ipc_msg *msg)
{
	return (int)exo_syscall2(__NR_exo_ipc_recv, pg, msg);
}

long exo_page_scan(const void *start, const void *end, struct exo_page_info *out, unsigned long max)
{
	return exo_syscall4(__NR_exo_page_scan, start, end, out, max);
}

/*
 * ipc.c - libkeel: JOS's ipc_send / ipc_recv on exo_ipc_try_send and
 * exo_ipc_recv.  ipc_send sleeps in the kernel until the receiver is
 * waiting (exo_ipc_send, Keel's blocking variant of exo_ipc_try_send); a hard error (the receiver is gone, a bad page) is reported on
 * standard error and ends the program, as JOS panics.
 */
#include <keel/exo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exo_syscall.h"

void ipc_send(pid_t to, uint64_t value, const void *pg, int perm)
{
	int r;

	if (!pg)
		pg = EXO_NO_PAGE;
	/* Keel's blocking send: sleeps until `to` receives (JOS retries
	 * with sys_yield, which keeps every waiting sender on a CPU). */
	while ((r = exo_ipc_send(to, value, pg, perm)) == -EINTR)
		;
	if (r < 0) {
		fprintf(stderr, "ipc_send to %d: %s\n", (int)to, strerror(-r));
		abort();
	}
}

uint64_t ipc_recv(pid_t *from, void *pg, int *perm)
{
	struct exo_ipc_msg m;
	int r;

	if (!pg)
		pg = EXO_NO_PAGE;
	/* The kernel cannot write into a copy-on-write page (it gives
	 * -EFAULT): touch m first, so a fault copies its page now. */
	*(volatile int32_t *)&m.from = 0;
	*(volatile uint64_t *)&m.value = 0;
	while ((r = exo_ipc_recv(pg, &m)) == -EINTR)
		;
	if (r < 0) {
		if (from)
			*from = 0;
		if (perm)
			*perm = 0;
		return (uint64_t)(int64_t)r;
	}
	if (from)
		*from = m.from;
	if (perm)
		*perm = m.perm;
	return m.value;
}

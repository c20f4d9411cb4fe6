/*
 * cowfork.c - libkeel: exo_cowfork(), JOS's copy-on-write fork written
 * entirely in user space on Keel's exokernel calls.
 *
 *   1. Install the upcall (pgfault.c) and enable copy-on-write handling.
 *   2. exo_fork(): a child with our registers and mappings, no pages, not
 *      running.  In the child it returns 0: fix musl's cached thread id,
 *      return 0.
 *   3. Walk our present pages with exo_page_scan (the page tables are
 *      walked in the kernel, empty ranges skipped) and for each:
 *        - EXO_PERM_SHARE: map it into the child as it is (shared);
 *        - writable or already COW: map it copy-on-write (read-only + COW)
 *          into the child, then remap our own copy-on-write too - child
 *          first, so that the child sees the page as it was;
 *        - read-only (text, rodata): map it into the child read-only.
 *      The library's own mapping (exception stack, PFTEMP) is skipped:
 *      the child's exception stack is demand-filled by the kernel.
 *   4. Set the child runnable.
 *
 * A write to a copy-on-write page then faults up to _exo_pgfault_dispatch,
 * which calls _exo_cow_copy(): allocate a page at PFTEMP, copy, map it over
 * the faulting page with write permission (three system calls, no window
 * in which the page reads wrong).
 */
#include <keel/exo.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "exo_syscall.h"

#define SCAN_BATCH       128
/* musl 1.2 (Debian 12) keeps the thread id in struct pthread, at this
 * offset from the thread pointer; its fork() refreshes it in the child. */
#define MUSL_TP_SELF_OFF 0
#define MUSL_TP_TID_OFF  48

static unsigned long thread_pointer(void)
{
	unsigned long tp;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

/* Does musl's cached tid sit where we think?  (Checked in the parent.) */
static int musl_tid_known(void)
{
	unsigned long tp = thread_pointer();

	return tp && *(unsigned long *)(tp + MUSL_TP_SELF_OFF) == tp &&
	       *(int *)(tp + MUSL_TP_TID_OFF) == (int)exo_syscall0(SYS_gettid);
}

int _exo_cow_copy(unsigned long va)
{
	int perm = exo_page_perm((void *)va), err;

	if (perm < 0 || !(perm & EXO_PERM_COW) || (perm & EXO_PERM_W))
		return 0;
	err = exo_page_alloc(0, (void *)_exo_pftemp, EXO_PERM_R | EXO_PERM_W);
	if (err)
		return err;
	memcpy((void *)_exo_pftemp, (void *)va, EXO_PAGE_SIZE);
	err = exo_page_map(0, (void *)_exo_pftemp, 0, (void *)va,
			   (perm & ~EXO_PERM_COW) | EXO_PERM_W);
	return err ? err : 1;
}

int exo_make_writable(void *buf, unsigned long len)
{
	unsigned long va = (unsigned long)buf & ~(EXO_PAGE_SIZE - 1);
	unsigned long end = (unsigned long)buf + len;

	for (; va < end; va += EXO_PAGE_SIZE) {
		int r = _exo_cow_copy(va);
		if (r < 0) {
			errno = -r;
			return -1;
		}
	}
	return 0;
}

/* Give page info to child as exo_cowfork's step 3 says: 0 or -errno. */
static int duppage(pid_t child, const struct exo_page_info *pi)
{
	void *va = (void *)pi->va;
	int perm = (int)pi->perm, cow, err;

	if (perm & EXO_PERM_SHARE)
		return exo_page_map(0, va, child, va, perm);
	if (!(perm & (EXO_PERM_W | EXO_PERM_COW)))
		return exo_page_map(0, va, child, va, perm);
	cow = (perm & ~EXO_PERM_W) | EXO_PERM_COW;
	err = exo_page_map(0, va, child, va, cow);
	if (err || perm == cow)
		return err;
	return exo_page_map(0, va, 0, va, cow);
}

static int in_library_area(unsigned long va)
{
	return va >= _exo_xstack_base && va <= _exo_pftemp;
}

/* Step 3 for every present page: 0 or -errno. */
static int dup_address_space(pid_t child)
{
	struct exo_page_info batch[SCAN_BATCH];
	unsigned long at = EXO_USER_MIN;

	for (;;) {
		long n = exo_page_scan((void *)at, (void *)EXO_USER_TOP, batch, SCAN_BATCH);
		if (n < 0)
			return (int)n;
		for (long i = 0; i < n; i++) {
			if (in_library_area(batch[i].va))
				continue;
			int err = duppage(child, &batch[i]);
			if (err)
				return err;
		}
		if (n < SCAN_BATCH)
			return 0;
		at = batch[n - 1].va + EXO_PAGE_SIZE;
	}
}

pid_t exo_cowfork(void)
{
	int fix_tid = musl_tid_known(), err;
	pid_t child;

	err = _exo_upcall_setup();
	if (err)
		return err;
	_exo_cow_enabled = 1;
	child = exo_fork();
	if (child < 0)
		return child;
	if (child == 0) {
		if (fix_tid)
			*(int *)(thread_pointer() + MUSL_TP_TID_OFF) =
				(int)exo_syscall0(SYS_gettid);
		return 0;
	}
	err = dup_address_space(child);
	if (!err)
		err = exo_set_status(child, EXO_RUNNABLE);
	if (err) {
		/* Never ran: it dies now; reap it so no zombie stays behind. */
		exo_syscall2(SYS_kill, child, SIGKILL);
		exo_syscall4(SYS_wait4, child, 0, 0, 0);
		return err;
	}
	return child;
}

/*
 * syscall.c - the system-call dispatcher: number -> handler through the
 * table generated from kernel/sys/syscall.tbl.  Unknown numbers return
 * -ENOSYS and are logged once each.
 */
#include <keel/syscall.h>
#include <keel/klog.h>
#include <keel/thread.h>
#include <lib/errno.h>
#include <syscall_table.h>

#define SYSCALL_LOG_WORDS ((SYSCALL_MAX + 64) / 64)

static uint64_t syscall_logged[SYSCALL_LOG_WORDS + 1];   /* [A] */

long syscall_dispatch(unsigned long nr, const uint64_t *args)
{
	if (nr <= SYSCALL_MAX && syscall_table[nr])
		return syscall_table[nr](args);
	unsigned long word = nr <= SYSCALL_MAX ? nr / 64 : SYSCALL_LOG_WORDS;
	uint64_t bit = nr <= SYSCALL_MAX ? 1ull << (nr % 64) : 1;
	if (!(__atomic_fetch_or(&syscall_logged[word], bit, __ATOMIC_RELAXED) & bit)) {
		struct thread *t = thread_current();
		klog(LOG_NOTICE, "syscall %lu not implemented (first called by %s[%d])", nr,
		     t ? t->name : "?", t ? t->tid : 0);
	}
	return -ENOSYS;
}

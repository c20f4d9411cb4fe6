/*
 * syscall.c - the system-call dispatcher: number -> handler through the
 * table generated from kernel/sys/syscall.tbl.  Unknown numbers return
 * -ENOSYS and are logged once each.
 */
#include <keel/syscall.h>
#include <keel/klog.h>
#include <keel/thread.h>
#include <keel/signal.h>
#include <lib/errno.h>
#include <syscall_table.h>

#define SYSCALL_LOG_WORDS ((SYSCALL_MAX + 64) / 64)

static uint64_t syscall_logged[SYSCALL_LOG_WORDS + 1];   /* [A] */

/*
 * A call that a signal interrupted returns -EINTR; this turns it into the
 * code Linux's version of the call returns, which decides whether the
 * call restarts (see ERESTARTSYS in keel/signal.h and
 * signal_restart_syscall): calls that restart under SA_RESTART (and when
 * no handler runs) and calls that restart only when no handler runs (the
 * waits for a signal and the multiplexers).  Every other -EINTR stays
 * (epoll_wait, rt_sigtimedwait: EINTR even after a stop, as on Linux);
 * nanosleep returns -ERESTART_RESTARTBLOCK itself.
 */
static long syscall_interrupted(unsigned long nr)
{
	syscall_fn fn = syscall_table[nr];

	if (fn == sys_read || fn == sys_write || fn == sys_readv || fn == sys_writev ||
	    fn == sys_pread64 || fn == sys_pwrite64 || fn == sys_ioctl || fn == sys_open ||
	    fn == sys_openat || fn == sys_wait4 || fn == sys_waitid || fn == sys_fcntl)
		return -ERESTARTSYS;
	/* futex: Linux restarts a timed wait with its deadline only when no
	 * handler runs; a restart here would run its relative timeout again,
	 * so a handler always ends it (waiters allow spurious wakeups). */
	if (fn == sys_pause || fn == sys_rt_sigsuspend || fn == sys_poll || fn == sys_ppoll ||
	    fn == sys_select || fn == sys_pselect6 || fn == sys_futex)
		return -ERESTARTNOHAND;
	return -EINTR;
}

long syscall_dispatch(unsigned long nr, const uint64_t *args)
{
	if (nr <= SYSCALL_MAX && syscall_table[nr]) {
		long ret = syscall_table[nr](args);
		return ret == -EINTR ? syscall_interrupted(nr) : ret;
	}
	unsigned long word = nr <= SYSCALL_MAX ? nr / 64 : SYSCALL_LOG_WORDS;
	uint64_t bit = nr <= SYSCALL_MAX ? 1ull << (nr % 64) : 1;
	if (!(__atomic_fetch_or(&syscall_logged[word], bit, __ATOMIC_RELAXED) & bit)) {
		struct thread *t = thread_current();
		klog(LOG_NOTICE, "syscall %lu not implemented (first called by %s[%d])", nr,
		     t ? t->name : "?", t ? t->tid : 0);
	}
	return -ENOSYS;
}

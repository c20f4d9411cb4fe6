/*
 * sys_signal.c - signal system calls: rt_sigaction, rt_sigprocmask,
 * rt_sigreturn, pause, rt_sigsuspend, rt_sigpending, rt_sigtimedwait,
 * kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, sigaltstack.
 * Delivery and job control are in kernel/proc/signal.c.
 */
#include <keel/syscall.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/signal.h>
#include <keel/cred.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/signal.h>
#include <arch/user.h>
#include <keel/klog.h>

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGSET_SIZE 8
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))
#define SIG_IGN_HANDLER 1

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct sigaction_k __user *, act,
		struct sigaction_k __user *, oact, size_t, setsize)
{
	struct proc *p = proc_current();
	struct sigaction_k k, old;

	if (setsize != SIGSET_SIZE || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act) {
		if (copy_from_user(&k, act, sizeof(k)))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
	}
	if (oact && !user_range_ok((uintptr_t)oact, sizeof(old)))
		return -EFAULT;
	spin_lock(&p->lock);
	old = p->sigactions[sig - 1];
	if (act) {
		k.mask &= ~UNBLOCKABLE;
		p->sigactions[sig - 1] = k;
		/* Setting SIG_IGN (or a default-ignore) discards pending ones. */
		if (k.handler == SIG_IGN_HANDLER || signal_ignored_locked(p, sig))
			signal_discard_locked(p, 1ull << (sig - 1));
	}
	spin_unlock(&p->lock);
	if (oact && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t __user *, set,
		uint64_t __user *, oset, size_t, setsize)
{
	struct thread *t = thread_current();
	uint64_t old = t->sig_mask, s;

	if (setsize != SIGSET_SIZE)
		return -EINVAL;
	if (set) {
		if (copy_from_user(&s, set, sizeof(s)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			t->sig_mask |= s;
			break;
		case SIG_UNBLOCK:
			t->sig_mask &= ~s;
			break;
		case SIG_SETMASK:
			t->sig_mask = s;
			break;
		default:
			return -EINVAL;
		}
		t->sig_mask &= ~UNBLOCKABLE;
	}
	if (oset && copy_to_user(oset, &old, sizeof(old))) {
		t->sig_mask = old;
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct thread *t = thread_current();

	/* The restored rax is no system call's result: nothing to restart. */
	t->syscall_nr = SYSCALL_NR_NONE;
	t->restart_fn = NULL;
	return signal_restore_frame(t->utf);
}

/* Resume what the thread's restart block names (an interrupted
 * nanosleep), or -EINTR if nothing (Linux). */
SYSCALL_DEFINE0(restart_syscall)
{
	struct thread *t = thread_current();
	long (*fn)(struct thread *) = t->restart_fn;

	t->restart_fn = NULL;
	return fn ? fn(t) : -EINTR;
}

/* Sleep until a signal is delivered (one that is ignored never wakes us). */
SYSCALL_DEFINE0(pause)
{
	while (sched_sleep_until(UINT64_MAX, true) == 0)
		;
	return -EINTR;
}

/*
 * Wait for a signal with *umask blocked instead of the current mask: the
 * handler runs with it, and the old mask is back when it returns (Linux's
 * saved_sigmask, signal_mask_temporarily).  Always -EINTR, never restarted.
 */
SYSCALL_DEFINE2(rt_sigsuspend, const uint64_t __user *, umask, size_t, setsize)
{
	uint64_t mask;

	if (setsize != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_mask_temporarily(mask);
	while (sched_sleep_until(UINT64_MAX, true) == 0)
		;
	return -EINTR;
}

/* The pending signals that the caller blocks (Linux). */
SYSCALL_DEFINE2(rt_sigpending, uint64_t __user *, uset, size_t, setsize)
{
	uint64_t set;

	if (setsize > SIGSET_SIZE)
		return -EINVAL;
	set = signal_pending_set() & thread_current()->sig_mask;
	if (copy_to_user(uset, &set, setsize))
		return -EFAULT;
	return 0;
}

/*
 * Wait for a signal of *uset (unblocked meanwhile), take it without
 * running its handler and return its number and siginfo; -EAGAIN when
 * the timeout (NULL: none) passes, -EINTR when another signal's handler
 * is to run (never restarted, as on Linux).
 */
SYSCALL_DEFINE4(rt_sigtimedwait, const uint64_t __user *, uset, struct ksiginfo __user *, uinfo,
		const struct k_timespec __user *, uts, size_t, setsize)
{
	struct thread *t = thread_current();
	uint64_t set, saved, deadline = UINT64_MAX;
	struct ksiginfo info;
	struct k_timespec ts;
	int sig, err = 0;

	if (setsize != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		if ((uint64_t)ts.tv_sec < UINT64_MAX / 4 / NSEC_PER_SEC)
			deadline = time_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	}
	set &= ~UNBLOCKABLE;
	sig = signal_take_pending(set, &info);
	if (!sig) {
		saved = t->sig_mask;
		t->sig_mask &= ~set;            /* they wake us while we wait */
		err = sched_sleep_until(deadline, true);
		t->sig_mask = saved;
		sig = signal_take_pending(set, &info);
	}
	if (!sig)
		return err ? -EINTR : -EAGAIN;
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

/* kill(-1): every process but init and the caller that me (credentials
 * c) may signal; how many there are, permitted or not (zombies count, the
 * signal is lost on them): Linux's kill(-1) is 0 then, even if none was
 * permitted.  [proc_tree_lock] */
static int kill_all(struct proc *me, const struct cred *c, const struct ksiginfo *info)
{
	struct list *pos;
	int n = 0;

	spin_assert_held(&proc_tree_lock);
	list_for_each(pos, &proc_all) {
		struct proc *p = list_entry(pos, struct proc, all_node);
		if (p == proc_init() || p == me)
			continue;
		if (p->state == PROC_ALIVE && cred_may_signal(c, me, p, info->si_signo))
			signal_send_info(p, info);
		n++;
	}
	return n;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct proc *me = proc_current();
	struct ksiginfo info;
	struct cred c;
	long ret = -ESRCH;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;          /* -pid would overflow */
	signal_info_user(&info, sig, SI_USER);
	cred_get(me, &c);
	spin_lock(&proc_tree_lock);
	if (pid > 0) {
		struct proc *p = proc_find(pid);
		if (p && !cred_may_signal(&c, me, p, sig))
			ret = -EPERM;
		else if (p && p->state == PROC_ALIVE)
			ret = signal_send_info(p, &info);
		else if (p)
			ret = 0;       /* a zombie: the signal is lost, no error */
	} else if (pid == -1) {
		ret = kill_all(me, &c, &info) ? 0 : -ESRCH;
	} else {
		ret = signal_kill_pgrp_locked(pid == 0 ? me->pgid : -pid, &info, me, &c);
	}
	spin_unlock(&proc_tree_lock);
	return ret;
}

/* Signal thread tid (of process tgid, unless tgid is -1) with info, if
 * the caller may (cred_may_signal: -EPERM). */
static long kill_thread(int tgid, int tid, const struct ksiginfo *info)
{
	struct sigqueue *spare = signal_entry_alloc();
	struct proc *me = proc_current();
	struct thread *t;
	struct cred c;
	long ret;

	cred_get(me, &c);
	spin_lock(&proc_tree_lock);
	t = thread_find_locked(tid);
	if (!t) {
		ret = -ESRCH;
	} else {
		if (tgid != -1 && t->proc->pid != tgid)
			ret = -ESRCH;
		else if (!cred_may_signal_locked(&c, me, t->proc, info->si_signo))
			ret = -EPERM;
		else
			ret = signal_send_thread_locked(t, info, &spare);
		spin_unlock(&t->proc->lock);
	}
	spin_unlock(&proc_tree_lock);
	signal_entry_free(spare);
	return ret;
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	struct ksiginfo info;

	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	signal_info_user(&info, sig, SI_TKILL);
	return kill_thread(tgid, tid, &info);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	struct ksiginfo info;

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	signal_info_user(&info, sig, SI_TKILL);
	return kill_thread(-1, tid, &info);
}

/*
 * The siginfo of rt_sigqueueinfo/rt_tgsigqueueinfo from user memory: as
 * on Linux, a process may not pretend to be kill() or the kernel
 * (si_code >= 0, or SI_TKILL) towards another process (-EPERM).
 */
static long sigqueue_info(struct ksiginfo *info, const struct ksiginfo __user *uinfo, int sig,
			  int target_pid)
{
	if (copy_from_user(info, uinfo, sizeof(*info)))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && target_pid != proc_current()->pid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

SYSCALL_DEFINE3(rt_sigqueueinfo, int, pid, int, sig, const struct ksiginfo __user *, uinfo)
{
	struct proc *me = proc_current();
	struct ksiginfo info;
	struct cred c;
	struct proc *p;
	long ret;

	ret = sigqueue_info(&info, uinfo, sig, pid);
	if (ret)
		return ret;
	cred_get(me, &c);
	spin_lock(&proc_tree_lock);
	p = pid > 0 ? proc_find(pid) : NULL;
	if (!p)
		ret = -ESRCH;
	else if (sig < 0 || sig > NSIG)
		ret = -EINVAL;
	else if (!cred_may_signal(&c, me, p, sig))
		ret = -EPERM;
	else if (p->state == PROC_ALIVE)
		ret = signal_send_info(p, &info);
	spin_unlock(&proc_tree_lock);
	return ret;
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, int, tgid, int, tid, int, sig,
		const struct ksiginfo __user *, uinfo)
{
	struct ksiginfo info;
	long ret;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	ret = sigqueue_info(&info, uinfo, sig, tgid);
	if (ret)
		return ret;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	return kill_thread(tgid, tid, &info);
}

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};

/* The alternate signal stack (keel/signal.h, signal_altstack_*). */
SYSCALL_DEFINE2(sigaltstack, const struct k_stack __user *, uss, struct k_stack __user *, uoss)
{
	uintptr_t cur_sp = arch_user_frame_sp(thread_current()->utf);
	struct k_stack ss, old;
	long ret = 0;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	memset(&old, 0, sizeof(old));
	signal_altstack_get(cur_sp, &old.ss_sp, &old.ss_flags, &old.ss_size);
	if (uss) {
		ret = signal_altstack_set(cur_sp, ss.ss_sp, ss.ss_flags, ss.ss_size);
		if (ret)
			return ret;
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

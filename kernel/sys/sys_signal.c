/*
 * sys_signal.c - signal system calls: rt_sigaction, rt_sigprocmask,
 * rt_sigreturn, pause, rt_sigsuspend, kill, tkill, tgkill, sigaltstack.
 */
#include <keel/syscall.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/signal.h>
#include <keel/sched.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/signal.h>
#include <keel/klog.h>

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGSET_SIZE 8
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

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
		/* Setting SIG_IGN (or a default-ignore) discards a pending one. */
		if (k.handler == 1)
			p->sig_pending &= ~(1ull << (sig - 1));
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
	return signal_restore_frame(thread_current()->utf);
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

/* kill(-1): every process but init and the caller; how many (zombies
 * count, the signal is lost on them).  [proc_tree_lock] */
static int kill_all(struct proc *me, int sig)
{
	struct list *pos;
	int n = 0;

	spin_assert_held(&proc_tree_lock);
	list_for_each(pos, &proc_all) {
		struct proc *p = list_entry(pos, struct proc, all_node);
		if (p == proc_init() || p == me)
			continue;
		if (p->state == PROC_ALIVE)
			signal_send(p, sig);
		n++;
	}
	return n;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct proc *me = proc_current();
	long ret = -ESRCH;
	int n;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;          /* -pid would overflow */
	spin_lock(&proc_tree_lock);
	if (pid > 0) {
		struct proc *p = proc_find(pid);
		if (p && p->state == PROC_ALIVE)
			ret = signal_send(p, sig);
		else if (p)
			ret = 0;       /* a zombie: the signal is lost, no error */
	} else {
		n = pid == -1 ? kill_all(me, sig) : signal_send_pgrp_locked(pid == 0 ? me->pgid : -pid, sig);
		ret = n ? 0 : -ESRCH;
	}
	spin_unlock(&proc_tree_lock);
	return ret;
}

/* Signal thread tid (of process tgid, unless tgid is -1). */
static long kill_thread(int tgid, int tid, int sig)
{
	struct thread *t;
	long ret;

	spin_lock(&proc_tree_lock);
	t = thread_find_locked(tid);
	if (!t) {
		ret = -ESRCH;
	} else {
		ret = tgid != -1 && t->proc->pid != tgid ? -ESRCH : signal_send_thread_locked(t, sig);
		spin_unlock(&t->proc->lock);
	}
	spin_unlock(&proc_tree_lock);
	return ret;
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0 || tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	return kill_thread(tgid, tid, sig);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	return kill_thread(-1, tid, sig);
}

#define SS_DISABLE 2

SYSCALL_DEFINE2(sigaltstack, const void __user *, ss, void __user *, oss)
{
	/* No alternate signal stacks yet: report "disabled"; setting one is ENOSYS. */
	static const struct { uint64_t sp; int32_t flags, pad; uint64_t size; } off = {
		0, SS_DISABLE, 0, 0
	};

	if (oss && copy_to_user(oss, &off, sizeof(off)))
		return -EFAULT;
	if (ss) {
		klog_once(LOG_WARN, "sigaltstack: alternate signal stacks are not supported yet");
		return -ENOSYS;
	}
	return 0;
}

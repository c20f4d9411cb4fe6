/*
 * signal.c - signal state and delivery decisions (Linux semantics).
 *
 * Pending signals live in proc->sig_pending (process-directed) and
 * thread->sig_pending (thread-directed), blocked ones in thread->sig_mask;
 * all under proc->lock.  Sending wakes every sleeping thread of the
 * process so interruptible waits return -EINTR; delivery happens on the way
 * back to user mode (signal_deliver, called by the arch return path):
 * ignored signals are dropped, default actions terminate or are ignored,
 * and caught signals get a signal frame built by the arch code.
 */
#include <keel/signal.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <lib/errno.h>

#define SIG_BIT(sig)   (1ull << ((sig) - 1))
#define SIG_DFL_VALUE  0
#define SIG_IGN_VALUE  1
#define UNBLOCKABLE    (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
/* Default action "ignore". */
#define DEFAULT_IGNORE (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | \
			SIG_BIT(SIGCONT))
/* Job-control stops: ignored until job control exists (next issue). */
#define DEFAULT_STOP   (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | \
			SIG_BIT(SIGTTOU))

static bool sig_valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

/* Would sig, if delivered to p, do nothing at all?  [p->lock] held. */
static bool sig_ignored(struct proc *p, int sig)
{
	uint64_t h = p->sigactions[sig - 1].handler;

	spin_assert_held(&p->lock);
	/* init receives only the signals it has a handler for (Linux). */
	if (p->unkillable && h == SIG_DFL_VALUE)
		return true;
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	if (h == SIG_IGN_VALUE)
		return true;
	return h == SIG_DFL_VALUE && (DEFAULT_IGNORE & SIG_BIT(sig));
}

int signal_send(struct proc *p, int sig)
{
	struct list *pos;

	if (sig == 0)
		return 0;
	if (!sig_valid(sig))
		return -EINVAL;
	spin_lock(&p->lock);
	if (p->state == PROC_ALIVE && !sig_ignored(p, sig)) {
		p->sig_pending |= SIG_BIT(sig);
		list_for_each(pos, &p->threads)
			sched_wake(list_entry(pos, struct thread, proc_node));
	}
	spin_unlock(&p->lock);
	return 0;
}

int signal_send_thread_locked(struct thread *t, int sig)
{
	struct proc *p = t->proc;

	spin_assert_held(&p->lock);
	if (sig == 0)
		return 0;
	if (!sig_valid(sig))
		return -EINVAL;
	if (p->state == PROC_ALIVE && !sig_ignored(p, sig)) {
		t->sig_pending |= SIG_BIT(sig);
		sched_wake(t);
	}
	return 0;
}

int signal_send_pgrp_locked(int pgid, int sig)
{
	struct pid *grp;
	struct list *pos;
	int n = 0;

	spin_assert_held(&proc_tree_lock);
	grp = pid_lookup(pgid);
	if (!grp)
		return 0;
	list_for_each(pos, &grp->pgrp) {
		struct proc *p = list_entry(pos, struct proc, pgrp_node);
		if (p->state == PROC_ALIVE)
			signal_send(p, sig);
		n++;
	}
	return n;
}

int signal_send_pgrp(int pgid, int sig)
{
	int n;

	spin_lock(&proc_tree_lock);
	n = signal_send_pgrp_locked(pgid, sig);
	spin_unlock(&proc_tree_lock);
	return n;
}

bool signal_current_ignores_or_blocks(int sig)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	bool ret;

	spin_lock(&p->lock);
	ret = (t->sig_mask & SIG_BIT(sig)) || p->sigactions[sig - 1].handler == SIG_IGN_VALUE;
	spin_unlock(&p->lock);
	return ret;
}

void signal_raise_current(int sig)
{
	struct thread *t = thread_current();

	if (!t || !t->proc || !sig_valid(sig))
		return;
	spin_lock(&t->proc->lock);
	if (!sig_ignored(t->proc, sig))
		t->sig_pending |= SIG_BIT(sig);
	spin_unlock(&t->proc->lock);
}

/* Deliverable signals of t: pending and not blocked.  [t->proc->lock] held. */
static uint64_t sig_deliverable(struct thread *t)
{
	spin_assert_held(&t->proc->lock);
	return (t->sig_pending | t->proc->sig_pending) & ~(t->sig_mask & ~UNBLOCKABLE);
}

bool signal_fatal_pending(void)
{
	struct thread *t = thread_current();
	struct proc *p;

	if (!t || !(p = t->proc))
		return false;
	/* Lock-free: a sender sets the bit and then wakes us (see signal_send). */
	return ((READ_ONCE(t->sig_pending) | READ_ONCE(p->sig_pending)) & SIG_BIT(SIGKILL)) ||
	       (READ_ONCE(p->group_exiting) && READ_ONCE(p->exec_survivor) != t);
}

bool signal_checkpoint(void)
{
	sched_cond_resched();
	return signal_fatal_pending();
}

bool signal_pending(void)
{
	struct thread *t = thread_current();
	bool pending;

	if (!t || !t->proc)
		return false;
	spin_lock(&t->proc->lock);
	pending = sig_deliverable(t) != 0 ||
		  (t->proc->group_exiting && t->proc->exec_survivor != t);
	spin_unlock(&t->proc->lock);
	return pending;
}

/*
 * Take the next deliverable signal for the current thread and decide what
 * it does: returns the signal number and fills *act for a caught signal,
 * or terminates the process for a fatal one (does not return then), or
 * returns 0 when nothing is left to deliver.
 */
void signal_mask_temporarily(uint64_t mask)
{
	struct thread *t = thread_current();

	if (!t->restore_sig_mask) {
		t->saved_sig_mask = t->sig_mask;
		t->restore_sig_mask = true;
	}
	t->sig_mask = mask & ~UNBLOCKABLE;
}

uint64_t signal_frame_mask(void)
{
	struct thread *t = thread_current();

	if (!t->restore_sig_mask)
		return t->sig_mask;
	t->restore_sig_mask = false;
	return t->saved_sig_mask;
}

void signal_restore_mask(void)
{
	struct thread *t = thread_current();

	if (t->restore_sig_mask) {
		t->sig_mask = t->saved_sig_mask;
		t->restore_sig_mask = false;
	}
}

int signal_dequeue(struct sigaction_k *act)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;

	/*
	 * Fast path of every return to user mode: nothing pending, no exit.
	 * A racing sender is seen at the next kernel exit, as with the lock.
	 */
	if (!READ_ONCE(t->sig_pending) && !READ_ONCE(p->sig_pending) &&
	    !READ_ONCE(p->group_exiting))
		return 0;

	for (;;) {
		spin_lock(&p->lock);
		if (p->group_exiting && p->exec_survivor != t) {
			spin_unlock(&p->lock);
			proc_exit_thread_in_group();      /* does not return */
		}
		uint64_t set = sig_deliverable(t);
		if (!set) {
			spin_unlock(&p->lock);
			return 0;
		}
		int sig = __builtin_ctzll(set) + 1;
		if (t->sig_pending & SIG_BIT(sig))
			t->sig_pending &= ~SIG_BIT(sig);
		else
			p->sig_pending &= ~SIG_BIT(sig);
		struct sigaction_k a = p->sigactions[sig - 1];
		spin_unlock(&p->lock);

		if (sig != SIGKILL && sig != SIGSTOP && a.handler == SIG_IGN_VALUE)
			continue;
		/* Caught when sent, reset to the default since: init drops it. */
		if (READ_ONCE(p->unkillable) && a.handler == SIG_DFL_VALUE)
			continue;
		if (sig == SIGKILL || a.handler == SIG_DFL_VALUE) {
			if (DEFAULT_IGNORE & SIG_BIT(sig))
				continue;
			if (DEFAULT_STOP & SIG_BIT(sig)) {
				klog_once(LOG_WARN, "signal: stop signals are ignored until job control exists");
				continue;
			}
			proc_exit_group(sig, true);           /* does not return */
		}
		*act = a;
		return sig;
	}
}

/*
 * A synchronous fault signal for the current thread (SIGSEGV on a bad
 * access, ...): like Linux, a blocked or ignored one is unblocked and reset
 * to its default action, so the process cannot loop on the fault.
 */
void signal_force(int sig)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	uint64_t bit = SIG_BIT(sig);

	spin_lock(&p->lock);
	if ((t->sig_mask & bit) || p->sigactions[sig - 1].handler == SIG_IGN_VALUE) {
		t->sig_mask &= ~bit;
		p->sigactions[sig - 1].handler = SIG_DFL_VALUE;
	}
	/* A real fault that init does not handle ends init too (Linux). */
	if (p->sigactions[sig - 1].handler == SIG_DFL_VALUE)
		p->unkillable = false;
	t->sig_pending |= bit;
	spin_unlock(&p->lock);
}

/*
 * signal.c - signal state, delivery decisions and job control (Linux
 * semantics, man 7 signal).
 *
 * Pending signals live in proc->sig_pending (process-directed) and
 * thread->sig_pending (thread-directed), blocked ones in thread->sig_mask;
 * the siginfo of each pending instance is a struct sigqueue on
 * proc->sig_queue (naming its target thread, or none).  A standard signal
 * is pending at most once; real-time ones (SIGRTMIN..64) queue one entry
 * per send, up to SIGQUEUE_MAX per process.  A pending bit without an
 * entry (no memory) delivers a zeroed SI_USER siginfo, as on Linux.
 * Entries are never allocated or freed under proc->lock: senders allocate
 * before taking it, spent entries go to proc->sig_free for reuse, and the
 * process's free releases them all.
 *
 * Sending wakes every sleeping thread of the process so interruptible
 * waits end (their system call is then restarted or fails with EINTR, see
 * ERESTARTSYS in keel/signal.h); delivery happens on the way back to user
 * mode (signal_dequeue, called by the arch return path): ignored signals
 * are dropped, default actions terminate, stop or are ignored, and caught
 * signals get a signal frame built by the arch code.
 *
 * Job control.  A stop signal at its default action starts a group stop:
 * proc->stop_sig is set and every thread parks in sig_stop_park() at its
 * next signal_dequeue (an interruptible sleep ends first, as for any
 * signal).  When all threads have parked, the parent is told once
 * (wait_report, SIGCHLD CLD_STOPPED unless SA_NOCLDSTOP).  SIGCONT, sent
 * while any disposition is in force, discards pending stop signals, ends
 * the stop and wakes the threads; the first of them tells the parent
 * (CLD_CONTINUED).  A stop signal discards a pending SIGCONT.  SIGKILL and
 * an exiting group end a park at once.  Parked threads sleep off the run
 * queues.  SIGTSTP, SIGTTIN and SIGTTOU are discarded at delivery when the
 * process's group is orphaned.
 *
 * Lock key: [p->lock] the process's lock (signal state, the queue, the
 * stop fields); [proc_tree_lock] the wait_report fields and the parent
 * link.  Order: proc_tree_lock -> proc->lock -> thread pi_lock.
 */
#include <keel/signal.h>
#include <keel/uaccess.h>
#include <keel/proc.h>
#include <keel/cred.h>
#include <keel/pid.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <lib/errno.h>
#include <lib/string.h>

#define SIG_BIT(sig)   (1ull << ((sig) - 1))
#define SIG_DFL_VALUE  0
#define SIG_IGN_VALUE  1
#define UNBLOCKABLE    (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
/* Default action "ignore". */
#define DEFAULT_IGNORE (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | \
			SIG_BIT(SIGCONT))
/* Default action "stop" (job control). */
#define DEFAULT_STOP   (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | \
			SIG_BIT(SIGTTOU))
/* Stops discarded in an orphaned process group (all but SIGSTOP). */
#define TTY_STOP       (SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
/* Queued siginfo per process (Linux: RLIMIT_SIGPENDING). */
#define SIGQUEUE_MAX   1024

struct sigqueue {
	struct list node;       /* [p->lock] on p->sig_queue or p->sig_free */
	struct thread *target;  /* [p->lock] thread-directed: its thread; NULL: process */
	struct ksiginfo info;   /* [p->lock] */
};

static bool sig_valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

static bool sig_ignored(struct proc *p, int sig);

/*
 * Would sig, sent to p (t: to its thread t), do nothing at all?  As on
 * Linux, a blocked signal is never ignored (its handler may change before
 * it is unblocked): t's mask, or for a process-directed signal that of
 * its first thread, read racily (a thread's mask is its own, [C]; either
 * outcome of the race is a signal the disposition ignores, dropped now or
 * at delivery).  [p->lock] held.
 */
static bool sig_ignored_by(struct proc *p, struct thread *t, int sig)
{
	spin_assert_held(&p->lock);
	if (!t && !list_empty(&p->threads))
		t = list_entry(p->threads.next, struct thread, proc_node);
	if (t && (READ_ONCE(t->sig_mask) & SIG_BIT(sig) & ~UNBLOCKABLE))
		return false;
	return sig_ignored(p, sig);
}

/* Does p's disposition ignore sig?  [p->lock] held. */
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

bool signal_ignored_locked(struct proc *p, int sig)
{
	return sig_ignored(p, sig);
}

/* Is t about to die (SIGKILL, exiting group)?  [p->lock] held. */
static bool sig_fatal_locked(struct proc *p, struct thread *t)
{
	spin_assert_held(&p->lock);
	return ((t->sig_pending | p->sig_pending) & SIG_BIT(SIGKILL)) ||
	       (p->group_exiting && p->exec_survivor != t);
}

static void sig_wake_all(struct proc *p)
{
	struct list *pos;

	spin_assert_held(&p->lock);
	list_for_each(pos, &p->threads)
		sched_wake(list_entry(pos, struct thread, proc_node));
}

struct sigqueue *signal_entry_alloc(void)
{
	return kmalloc(sizeof(struct sigqueue), 0);
}

void signal_entry_free(struct sigqueue *q)
{
	kfree(q);
}

/* Move q from the queue to the spares.  [p->lock] held. */
static void sig_entry_retire(struct proc *p, struct sigqueue *q)
{
	list_remove(&q->node);
	p->sig_queued--;
	list_add_tail(&p->sig_free, &q->node);
}

void signal_discard_locked(struct proc *p, uint64_t mask)
{
	struct list *pos, *tmp;

	spin_assert_held(&p->lock);
	p->sig_pending &= ~mask;
	list_for_each(pos, &p->threads)
		list_entry(pos, struct thread, proc_node)->sig_pending &= ~mask;
	list_for_each_safe(pos, tmp, &p->sig_queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, node);
		if (mask & SIG_BIT(q->info.si_signo))
			sig_entry_retire(p, q);
	}
}

void signal_queue_flush(struct proc *p, struct thread *t)
{
	struct list dead = LIST_INIT(dead);
	struct list *pos, *tmp;

	spin_lock(&p->lock);
	list_for_each_safe(pos, tmp, &p->sig_queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, node);
		if (!t || q->target == t) {
			list_remove(&q->node);
			p->sig_queued--;
			list_add_tail(&dead, &q->node);
		}
	}
	if (!t) {
		list_for_each_safe(pos, tmp, &p->sig_free) {
			list_remove(pos);
			list_add_tail(&dead, pos);
		}
	}
	spin_unlock(&p->lock);
	list_for_each_safe(pos, tmp, &dead)
		signal_entry_free(list_entry(pos, struct sigqueue, node));
}

/*
 * The job-control side effects of sending sig to p, which happen even if
 * sig is then ignored or blocked: a stop discards a pending SIGCONT;
 * SIGCONT discards pending stops and ends a group stop.  [p->lock] held.
 */
static void sig_jobctl_on_send(struct proc *p, int sig)
{
	spin_assert_held(&p->lock);
	if (DEFAULT_STOP & SIG_BIT(sig)) {
		signal_discard_locked(p, SIG_BIT(SIGCONT));
	} else if (sig == SIGCONT) {
		signal_discard_locked(p, DEFAULT_STOP);
		p->cont_seq++;
		if (p->stop_sig) {
			if (p->stop_reported)
				p->cont_notify = true;
			p->stop_sig = 0;
			sig_wake_all(p);
		}
	}
}

/*
 * Make info pending for p (t NULL) or its thread t, with a queue entry
 * from *spare or p's spares.  [p->lock] held.
 */
static int sig_queue_locked(struct proc *p, struct thread *t, const struct ksiginfo *info,
			    struct sigqueue **spare)
{
	int sig = info->si_signo;
	uint64_t *pending = t ? &t->sig_pending : &p->sig_pending;
	struct sigqueue *q = NULL;

	spin_assert_held(&p->lock);
	if (p->state != PROC_ALIVE)
		return 0;
	sig_jobctl_on_send(p, sig);
	if (sig_ignored_by(p, t, sig))
		return 0;
	if (sig < SIGRTMIN && (*pending & SIG_BIT(sig)))
		return 0;               /* standard signals do not queue */
	if (p->sig_queued < SIGQUEUE_MAX) {
		if (!list_empty(&p->sig_free)) {
			q = list_entry(p->sig_free.next, struct sigqueue, node);
			list_remove(&q->node);
		} else if (spare && *spare) {
			q = *spare;
			*spare = NULL;
		}
	}
	if (q) {
		q->target = t;
		q->info = *info;
		list_add_tail(&p->sig_queue, &q->node);
		p->sig_queued++;
	} else if (sig >= SIGRTMIN && info->si_code != SI_USER && info->si_code != SI_KERNEL) {
		return -EAGAIN;         /* sigqueue: the queue is full */
	}
	*pending |= SIG_BIT(sig);
	if (t)
		sched_wake(t);
	else
		sig_wake_all(p);
	return 0;
}

int signal_send_info(struct proc *p, const struct ksiginfo *info)
{
	struct sigqueue *spare;
	int ret;

	if (info->si_signo == 0)
		return 0;
	if (!sig_valid(info->si_signo))
		return -EINVAL;
	spare = signal_entry_alloc();
	spin_lock(&p->lock);
	ret = sig_queue_locked(p, NULL, info, &spare);
	spin_unlock(&p->lock);
	signal_entry_free(spare);
	return ret;
}

static void sig_info_kernel(struct ksiginfo *info, int sig)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = SI_KERNEL;
}

void signal_info_user(struct ksiginfo *info, int sig, int code)
{
	struct proc *me = proc_current();

	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	if (me) {
		info->kill.pid = me->pid;
		info->kill.uid = cred_uid();
	}
}

int signal_send(struct proc *p, int sig)
{
	struct ksiginfo info;

	sig_info_kernel(&info, sig);
	return signal_send_info(p, &info);
}

int signal_send_thread_locked(struct thread *t, const struct ksiginfo *info,
			      struct sigqueue **spare)
{
	spin_assert_held(&t->proc->lock);
	if (info->si_signo == 0)
		return 0;
	if (!sig_valid(info->si_signo))
		return -EINVAL;
	return sig_queue_locked(t->proc, t, info, spare);
}

int signal_send_pgrp_info_locked(int pgid, const struct ksiginfo *info)
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
			signal_send_info(p, info);
		n++;
	}
	return n;
}

int signal_kill_pgrp_locked(int pgid, const struct ksiginfo *info, struct proc *me,
			    const struct cred *c)
{
	struct pid *grp;
	struct list *pos;
	int ret = -ESRCH;

	spin_assert_held(&proc_tree_lock);
	grp = pid_lookup(pgid);
	if (!grp)
		return -ESRCH;
	list_for_each(pos, &grp->pgrp) {
		struct proc *p = list_entry(pos, struct proc, pgrp_node);

		if (!cred_may_signal(c, me, p, info->si_signo)) {
			if (ret)
				ret = -EPERM;
			continue;
		}
		if (p->state == PROC_ALIVE)
			signal_send_info(p, info);
		ret = 0;
	}
	return ret;
}

int signal_send_pgrp_locked(int pgid, int sig)
{
	struct ksiginfo info;

	sig_info_kernel(&info, sig);
	return signal_send_pgrp_info_locked(pgid, &info);
}

int signal_send_pgrp(int pgid, int sig)
{
	int n;

	spin_lock(&proc_tree_lock);
	n = signal_send_pgrp_locked(pgid, sig);
	spin_unlock(&proc_tree_lock);
	return n;
}

bool signal_pgrp_has_stopped(int pgid)
{
	struct pid *grp;
	struct list *pos;
	bool stopped = false;

	spin_assert_held(&proc_tree_lock);
	grp = pid_lookup(pgid);
	if (!grp)
		return false;
	list_for_each(pos, &grp->pgrp) {
		struct proc *p = list_entry(pos, struct proc, pgrp_node);
		spin_lock(&p->lock);
		stopped |= p->state == PROC_ALIVE && p->stop_sig != 0;
		spin_unlock(&p->lock);
	}
	return stopped;
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
	struct sigqueue *spare;
	struct ksiginfo info;

	if (!t || !t->proc || !sig_valid(sig))
		return;
	/* As Linux's send_sig(sig, current, 0): SI_USER from ourselves, to
	 * this thread. */
	signal_info_user(&info, sig, SI_USER);
	spare = signal_entry_alloc();
	spin_lock(&t->proc->lock);
	sig_queue_locked(t->proc, t, &info, &spare);
	spin_unlock(&t->proc->lock);
	signal_entry_free(spare);
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
	struct proc *p;
	bool pending;

	if (!t || !(p = t->proc))
		return false;
	spin_lock(&p->lock);
	/* A group stop or a continue to report ends sleeps too. */
	pending = sig_deliverable(t) != 0 || p->stop_sig || p->cont_notify ||
		  (p->group_exiting && p->exec_survivor != t);
	spin_unlock(&p->lock);
	return pending;
}

uint64_t signal_pending_set(void)
{
	struct thread *t = thread_current();
	uint64_t set;

	spin_lock(&t->proc->lock);
	set = t->sig_pending | t->proc->sig_pending;
	spin_unlock(&t->proc->lock);
	return set;
}

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

int signal_mask_temporarily_user(const uint64_t __user *umask, size_t size)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_mask_temporarily(mask);
	return 0;
}

void signal_restore_mask(void)
{
	struct thread *t = thread_current();

	if (t->restore_sig_mask) {
		t->sig_mask = t->saved_sig_mask;
		t->restore_sig_mask = false;
	}
}

/*
 * Take one pending instance of sig for t (its own first, then its
 * process's) with its siginfo; the pending bit goes with the last
 * instance.  [p->lock] held.
 */
static void sig_collect_locked(struct proc *p, struct thread *t, int sig, struct ksiginfo *info)
{
	struct thread *target = (t->sig_pending & SIG_BIT(sig)) ? t : NULL;
	uint64_t *pending = target ? &t->sig_pending : &p->sig_pending;
	struct sigqueue *found = NULL;
	bool more = false;
	struct list *pos;

	spin_assert_held(&p->lock);
	list_for_each(pos, &p->sig_queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, node);
		if (q->target != target || q->info.si_signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = q;
	}
	if (found) {
		*info = found->info;
		sig_entry_retire(p, found);
	} else {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
	if (!more)
		*pending &= ~SIG_BIT(sig);
}

int signal_take_pending(uint64_t set, struct ksiginfo *info)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	uint64_t avail;
	int sig = 0;

	spin_lock(&p->lock);
	avail = t->sig_pending & set;
	if (!avail)
		avail = p->sig_pending & set;
	if (avail) {
		sig = __builtin_ctzll(avail) + 1;
		sig_collect_locked(p, t, sig, info);
	}
	spin_unlock(&p->lock);
	return sig;
}

/*
 * Tell p's parent that p stopped (CLD_STOPPED, status the signal) or
 * continued (CLD_CONTINUED): the report its wait sees, and SIGCHLD unless
 * the parent asked for none (SA_NOCLDSTOP) or ignores it.  No lock held.
 */
static void sig_notify_parent(struct proc *p, int why, int status)
{
	struct ksiginfo info;
	struct proc *parent;
	bool send;

	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.chld.pid = p->pid;
	info.chld.status = status;
	spin_lock(&proc_tree_lock);
	parent = p->parent;
	if (p->state == PROC_ALIVE) {
		p->wait_report = why == CLD_STOPPED ? PROC_REPORT_STOPPED : PROC_REPORT_CONTINUED;
		p->wait_report_sig = status;
	}
	if (parent && p->state == PROC_ALIVE) {
		spin_lock(&p->lock);
		info.chld.uid = p->cred.u.real;
		spin_unlock(&p->lock);
		spin_lock(&parent->lock);
		send = !(parent->sigactions[SIGCHLD - 1].flags & SA_NOCLDSTOP) &&
		       parent->sigactions[SIGCHLD - 1].handler != SIG_IGN_VALUE;
		spin_unlock(&parent->lock);
		if (send)
			signal_send_info(parent, &info);
		wake_up(&parent->child_wq);
	}
	spin_unlock(&proc_tree_lock);
}

/*
 * The current thread parks in p's group stop until SIGCONT, SIGKILL or an
 * exit ends it; the last thread to park tells the parent.  [p->lock] held
 * on entry; released on return.
 */
static void sig_stop_park(struct thread *t, struct proc *p)
{
	int sig = p->stop_sig;

	spin_assert_held(&p->lock);
	p->nstopped++;
	if (p->nstopped >= p->nthreads && !p->stop_reported) {
		p->stop_reported = true;
		spin_unlock(&p->lock);
		sig_notify_parent(p, CLD_STOPPED, sig);
		spin_lock(&p->lock);
	}
	while (p->stop_sig && !sig_fatal_locked(p, t)) {
		WRITE_ONCE(t->state, THREAD_SLEEPING);     /* before the lock goes */
		spin_unlock(&p->lock);
		schedule();
		WRITE_ONCE(t->state, THREAD_RUNNING);
		spin_lock(&p->lock);
	}
	p->nstopped--;
	spin_unlock(&p->lock);
}

/*
 * The current thread waits while its process is held not runnable
 * (exo_set_status, an exo_fork child before its parent starts it), until
 * runnable or killed.  [p->lock] held on entry; released on return.
 */
static void sig_hold_park(struct thread *t, struct proc *p)
{
	spin_assert_held(&p->lock);
	while (p->exo.held && !sig_fatal_locked(p, t)) {
		WRITE_ONCE(t->state, THREAD_SLEEPING);     /* before the lock goes */
		spin_unlock(&p->lock);
		schedule();
		WRITE_ONCE(t->state, THREAD_RUNNING);
		spin_lock(&p->lock);
	}
	spin_unlock(&p->lock);
}

void signal_hold_locked(struct proc *p, bool held)
{
	spin_assert_held(&p->lock);
	p->exo.held = held;
	if (!held)
		sig_wake_all(p);
}

void signal_thread_left(struct proc *p)
{
	bool notify = false;
	int sig = 0;

	spin_lock(&p->lock);
	if (p->stop_sig && !p->stop_reported && p->nthreads && p->nstopped >= p->nthreads) {
		p->stop_reported = true;
		notify = true;
		sig = p->stop_sig;
	}
	spin_unlock(&p->lock);
	if (notify)
		sig_notify_parent(p, CLD_STOPPED, sig);
}

/*
 * The default action of stop signal sig, dequeued when p had seen
 * cont_seq SIGCONTs: start a group stop, unless SIGCONT came meanwhile or
 * the group is orphaned (SIGTSTP, SIGTTIN, SIGTTOU only).  No lock held.
 */
static void sig_do_stop(struct proc *p, int sig, unsigned cont_seq)
{
	bool orphaned = false;

	if (TTY_STOP & SIG_BIT(sig)) {
		spin_lock(&proc_tree_lock);
		orphaned = pid_pgrp_orphaned(p->pgid);
		spin_unlock(&proc_tree_lock);
	}
	if (orphaned)
		return;
	spin_lock(&p->lock);
	if (p->cont_seq == cont_seq && !p->stop_sig) {
		p->stop_sig = sig;
		p->stop_reported = false;
		p->cont_notify = false;
		sig_wake_all(p);
	}
	spin_unlock(&p->lock);
}

/*
 * Take the next deliverable signal for the current thread and decide what
 * it does: returns the signal number and fills *act and *info for a
 * caught signal, or terminates the process for a fatal one (does not
 * return then), or stops the process here, or returns 0 when nothing is
 * left to deliver.
 */
int signal_dequeue(struct sigaction_k *act, struct ksiginfo *info)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;

	if (!signal_work_pending())
		return 0;

	for (;;) {
		spin_lock(&p->lock);
		if (p->group_exiting && p->exec_survivor != t) {
			spin_unlock(&p->lock);
			proc_exit_thread_in_group();      /* does not return */
		}
		if (p->cont_notify) {
			p->cont_notify = false;
			spin_unlock(&p->lock);
			sig_notify_parent(p, CLD_CONTINUED, SIGCONT);
			continue;
		}
		if (p->stop_sig && !sig_fatal_locked(p, t)) {
			sig_stop_park(t, p);              /* releases the lock */
			continue;
		}
		if (p->exo.held && !sig_fatal_locked(p, t)) {
			sig_hold_park(t, p);              /* releases the lock */
			continue;
		}
		uint64_t set = sig_deliverable(t);
		if (!set) {
			spin_unlock(&p->lock);
			return 0;
		}
		/* SIGKILL first, then the lowest number (Linux). */
		int sig = (set & SIG_BIT(SIGKILL)) ? SIGKILL : __builtin_ctzll(set) + 1;
		sig_collect_locked(p, t, sig, info);
		struct sigaction_k a = p->sigactions[sig - 1];
		unsigned cont_seq = p->cont_seq;
		spin_unlock(&p->lock);

		if (sig != SIGKILL && sig != SIGSTOP && a.handler == SIG_IGN_VALUE)
			continue;
		/* Caught when sent, reset to the default since: init drops it. */
		if (READ_ONCE(p->unkillable) && a.handler == SIG_DFL_VALUE)
			continue;
		if (sig == SIGKILL || sig == SIGSTOP || a.handler == SIG_DFL_VALUE) {
			if (DEFAULT_IGNORE & SIG_BIT(sig))
				continue;
			if (DEFAULT_STOP & SIG_BIT(sig)) {
				sig_do_stop(p, sig, cont_seq);
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
void signal_force_fault(int sig, int code, uint64_t addr)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	uint64_t bit = SIG_BIT(sig);
	struct sigqueue *spare = signal_entry_alloc();
	struct ksiginfo info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.fault.addr = addr;
	spin_lock(&p->lock);
	if ((t->sig_mask & bit) || p->sigactions[sig - 1].handler == SIG_IGN_VALUE) {
		t->sig_mask &= ~bit;
		p->sigactions[sig - 1].handler = SIG_DFL_VALUE;
	}
	/* A real fault that init does not handle ends init too (Linux). */
	if (p->sigactions[sig - 1].handler == SIG_DFL_VALUE)
		p->unkillable = false;
	if (!(t->sig_pending & bit))
		sig_queue_locked(p, t, &info, &spare);
	t->sig_pending |= bit;
	spin_unlock(&p->lock);
	signal_entry_free(spare);
}

void signal_force(int sig)
{
	signal_force_fault(sig, SI_KERNEL, 0);
}

/* Is sp on the current thread's alternate stack (never, if it disarms)? */
static bool sig_on_altstack(struct thread *t, uintptr_t sp)
{
	if (t->sas_flags & SS_AUTODISARM)
		return false;
	return sp > t->sas_sp && sp - t->sas_sp <= t->sas_size;
}

void signal_altstack_get(uintptr_t cur_sp, uintptr_t *sp, int *flags, size_t *size)
{
	struct thread *t = thread_current();

	*sp = t->sas_sp;
	*size = t->sas_size;
	*flags = !t->sas_size ? SS_DISABLE : sig_on_altstack(t, cur_sp) ? SS_ONSTACK : 0;
	*flags |= (int)(t->sas_flags & SS_AUTODISARM);
}

int signal_altstack_set(uintptr_t cur_sp, uintptr_t sp, int flags, size_t size)
{
	struct thread *t = thread_current();
	int mode = (int)((unsigned)flags & ~SS_AUTODISARM);

	if (sig_on_altstack(t, cur_sp))
		return -EPERM;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		sp = 0;
		size = 0;
	} else if (size < MINSIGSTKSZ) {
		return -ENOMEM;
	}
	t->sas_sp = sp;
	t->sas_size = size;
	t->sas_flags = flags;
	return 0;
}

uintptr_t signal_altstack_handler_sp(uintptr_t cur_sp)
{
	struct thread *t = thread_current();
	uintptr_t top;

	if (!t->sas_size || sig_on_altstack(t, cur_sp))
		return 0;
	top = t->sas_sp + t->sas_size;
	if (t->sas_flags & SS_AUTODISARM) {
		t->sas_sp = 0;
		t->sas_size = 0;
		t->sas_flags = 0;
	}
	return top;
}

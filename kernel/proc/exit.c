/*
 * exit.c - how threads and processes end: exit(2) and exit_group(2), the
 * last thread's teardown, reparenting to init, the reaper, and wait4(2).
 *
 * A thread leaves through proc_exit_thread (its own exit) or
 * proc_exit_group (the whole process: the other threads are sent SIGKILL
 * and leave on their way back to user mode).  Every exiting thread runs
 * proc_thread_exiting() in its own context: it leaves the address space
 * (vm_user_leave), and the last thread of the process also closes the
 * files, drops the working directory, hands its children to init and turns
 * the process into a zombie that its parent's wait can see.  The thread's
 * stack, page tables and mm go later, in the reaper, once no CPU runs on
 * them (proc_thread_reap).  wait (proc_wait) frees the zombie's struct
 * proc, and reports a child's stops and continues (proc->wait_report, set
 * by the job control of kernel/proc/signal.c) once each.  A child whose
 * parent ignores SIGCHLD or set SA_NOCLDWAIT is freed at exit instead
 * (Linux).  An exit that
 * orphans a process group with a stopped member sends it SIGHUP and
 * SIGCONT (POSIX).  docs/howto.md walks through it.  Locks as in
 * keel/proc.h.
 */
#include <keel/proc.h>
#include "proc_internal.h"
#include <keel/pid.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/vm.h>
#include <keel/fd.h>
#include <keel/flock.h>
#include <keel/sys_sem.h>
#include <keel/vfs.h>
#include <keel/main.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/uaccess.h>
#include <keel/futex.h>
#include <keel/time.h>
#include <keel/tty.h>
#include <lib/errno.h>
#include <lib/string.h>

struct waitq proc_exit_wq = WAITQ_INIT(proc_exit_wq, "proc_exit_wq");

#define SIG_IGN_HANDLER 1 /* sigaction_k.handler of SIG_IGN */

void proc_exit_group(int code, bool signaled)
{
	struct proc *p = proc_current();
	struct list *pos;

	spin_lock(&p->lock);
	if (!p->group_exiting || p->exec_survivor) {
		/* First exit, or an execve's thread kill in progress: the exit wins. */
		p->group_exiting = true;
		p->exec_survivor = NULL;
		p->exit_requested = true;
		p->exit_status = signaled ? (code & 0x7f) : (code & 0xff) << 8;
	}
	list_for_each(pos, &p->threads)
		sched_wake(list_entry(pos, struct thread, proc_node));
	spin_unlock(&p->lock);
	thread_exit();
}

/*
 * execve in a multi-threaded process: every other thread exits (as for
 * exit_group, but the caller survives).  Returns 0 once the caller is the
 * only thread, or -EINTR if the process is already exiting.
 */
int proc_kill_other_threads(void)
{
	struct thread *me = thread_current();
	struct proc *p = me->proc;
	struct list *pos;

	spin_lock(&p->lock);
	if (p->nthreads == 1) {
		spin_unlock(&p->lock);
		return 0;
	}
	if (p->group_exiting) {
		spin_unlock(&p->lock);
		return -EINTR;
	}
	p->group_exiting = true;
	p->exec_survivor = me;
	list_for_each(pos, &p->threads)
		sched_wake(list_entry(pos, struct thread, proc_node));
	spin_unlock(&p->lock);
	/* They leave at their next return to user mode or interruptible sleep. */
	while (READ_ONCE(p->nthreads) > 1)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	spin_lock(&p->lock);
	if (p->exit_requested) {
		/* exit_group won: this thread leaves too, execve fails. */
		spin_unlock(&p->lock);
		return -EINTR;
	}
	p->group_exiting = false;
	p->exec_survivor = NULL;
	spin_unlock(&p->lock);
	return 0;
}

void proc_exit_thread_in_group(void)
{
	thread_exit();
}

void proc_exit_thread(int code)
{
	struct proc *p = proc_current();

	spin_lock(&p->lock);
	if (p->nthreads == 1 && !p->group_exiting)
		p->exit_status = (code & 0xff) << 8;
	spin_unlock(&p->lock);
	thread_exit();
}

/*
 * Process groups whose only link to their session may have been the
 * exiting process (POSIX orphaned process groups): its own group, if its
 * parent is in another group of the same session, and each group of its
 * children in another group of the same session.  Bounded: a process
 * linking more groups than ORPHAN_CHECK_MAX checks the first ones only.
 */
#define ORPHAN_CHECK_MAX 16

struct orphan_check {
	int n;
	int pgid[ORPHAN_CHECK_MAX];
};

static void orphan_check_add(struct orphan_check *oc, int pgid)
{
	for (int i = 0; i < oc->n; i++)
		if (oc->pgid[i] == pgid)
			return;
	if (oc->n < ORPHAN_CHECK_MAX)
		oc->pgid[oc->n++] = pgid;
}

/*
 * After p became a zombie: each group it linked that is now orphaned and
 * has a stopped member gets SIGHUP, then SIGCONT (POSIX).
 * [proc_tree_lock] held.
 */
static void orphan_check_signal(const struct orphan_check *oc)
{
	spin_assert_held(&proc_tree_lock);
	for (int i = 0; i < oc->n; i++) {
		if (!pid_pgrp_orphaned(oc->pgid[i]) || !signal_pgrp_has_stopped(oc->pgid[i]))
			continue;
		signal_send_pgrp_locked(oc->pgid[i], SIGHUP);
		signal_send_pgrp_locked(oc->pgid[i], SIGCONT);
	}
}

/* The siginfo of p's exit for its parent (CLD_EXITED, _KILLED, _DUMPED). */
static void proc_exit_info(struct proc *p, struct ksiginfo *info)
{
	int status = p->exit_status;

	memset(info, 0, sizeof(*info));
	info->si_signo = p->exit_signal;
	info->chld.pid = p->pid;
	info->chld.uid = p->cred.u.real; /* no thread is left to change it */
	if (status & WAIT_SIG_MASK) {
		info->si_code = (status & WAIT_CORE_FLAG) ? CLD_DUMPED : CLD_KILLED;
		info->chld.status = status & WAIT_SIG_MASK;
	} else {
		info->si_code = CLD_EXITED;
		info->chld.status = (status >> 8) & 0xff;
	}
}

static bool proc_autoreap(struct proc *parent, struct proc *p, bool *send);

/*
 * A zombie c that np adopted: np hears of it as if it had just died
 * (Linux's reparent_leader: SIGCHLD, and reaped at once if np ignores
 * SIGCHLD or set SA_NOCLDWAIT, moving it to *dead).  True if it stays a
 * zombie for np to wait for.  [T]
 */
static bool proc_adopt_zombie(struct proc *np, struct proc *c, struct list *dead,
			      struct list *dead_pids)
{
	struct ksiginfo info;
	bool send, autoreap = proc_autoreap(np, c, &send);

	if (send) {
		proc_exit_info(c, &info);
		signal_send_info(np, &info);
	}
	if (!autoreap)
		return true;
	list_remove(&c->sibling);
	pid_detach_proc(c, dead_pids);
	list_add_tail(dead, &c->sibling);
	return false;
}

/*
 * Who adopts p's children: the nearest living ancestor that asked to be a
 * child subreaper (PR_SET_CHILD_SUBREAPER), else init (NULL once init has
 * exited).  [T]
 */
static struct proc *proc_new_parent(struct proc *p)
{
	spin_assert_held(&proc_tree_lock);
	for (struct proc *a = p->parent; a && a != init_proc; a = a->parent)
		if (a->child_subreaper && a->state == PROC_ALIVE)
			return a;
	return init_proc;
}

/*
 * Give p's children to their new parent (proc_new_parent), sending each
 * its parent-death signal (PR_SET_PDEATHSIG).  After init itself has
 * exited there is nobody to wait for them: zombies are freed (moved to
 * *dead, their pid entries to *dead_pids, for the caller to free outside
 * the lock), live ones are killed and free themselves when they exit.  [T]
 */
static void proc_reparent_children(struct proc *p, struct list *dead, struct list *dead_pids,
				   struct orphan_check *oc)
{
	struct proc *np = proc_new_parent(p);
	struct list *pos, *tmp;
	bool zombie = false;

	spin_assert_held(&proc_tree_lock);

	list_for_each_safe(pos, tmp, &p->children) {
		struct proc *c = list_entry(pos, struct proc, sibling);
		if (c->state == PROC_ALIVE && c->pgid != p->pgid && c->sid == p->sid)
			orphan_check_add(oc, c->pgid); /* p links c's group to the session */
		/* An exo_fork child never made runnable dies with its parent
		 * (embryo only goes from true to false, under c->lock). */
		if (c->state == PROC_ALIVE && READ_ONCE(c->exo.embryo))
			signal_send(c, SIGKILL);
		if (c->state == PROC_ALIVE && c->pdeath_sig) {
			struct ksiginfo info;
			signal_info_user(&info, c->pdeath_sig, SI_USER); /* from the dying parent */
			signal_send_info(c, &info);
		}
		list_remove(&c->sibling);
		c->parent = np;
		/* As on Linux: an orphan tells its new parent with SIGCHLD only. */
		c->exit_signal = SIGCHLD;
		if (np) {
			list_add_tail(&np->children, &c->sibling);
			if (c->state == PROC_ZOMBIE && proc_adopt_zombie(np, c, dead, dead_pids))
				zombie = true;
		} else if (c->state == PROC_ZOMBIE) {
			pid_detach_proc(c, dead_pids);
			list_add_tail(dead, &c->sibling);
		} else {
			signal_send(c, SIGKILL);
		}
	}
	if (zombie)
		wake_up(&np->child_wq);
}

/*
 * Take t out of its process: its clear-child-tid word, a vfork parent, its
 * hold on the address space, its place on the thread list and in the pid
 * table.  True when t was the process's last thread.
 */
static bool proc_thread_leave(struct thread *t)
{
	struct proc *p = t->proc;
	struct list dead_pids = LIST_INIT(dead_pids);
	uint64_t run_ns;
	bool last;

	if (t->clear_child_tid) {
		int zero = 0;
		if (copy_to_user((void __user *)t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_address(t->mm, t->clear_child_tid, 1);
	}
	proc_vfork_release(t);
	proc_usage_thread_leave(t);
	/* Before nthreads drops: the last thread's exit finds the memory freed. */
	vm_user_leave(t->mm);
	run_ns = sched_thread_run_ns(t);
	spin_lock(&proc_tree_lock);
	spin_lock(&p->lock);
	list_remove(&t->proc_node);
	p->exited_run_ns += run_ns;
	last = --p->nthreads == 0;
	spin_unlock(&p->lock);
	pid_detach_thread(t, &dead_pids);
	spin_unlock(&proc_tree_lock);
	pid_free_dead(&dead_pids);
	signal_queue_flush(p, t);
	if (!last)
		signal_thread_left(p);
	return last;
}

/* The last thread is gone: stop the interval timer, drop files and cwd. */
static void proc_release_resources(struct proc *p)
{
	struct fdtable *fdt;
	struct vnode *cwd;

	spin_lock(&p->itimer_lock);
	p->itimer.period = 0;
	timer_cancel(&p->itimer); /* waits for a running callback */
	spin_unlock(&p->itimer_lock);
	spin_lock(&p->lock);
	fdt = proc_set_fdt_locked(p, NULL); /* readers elsewhere see NULL */
	cwd = proc_set_cwd_locked(p, NULL);
	p->mm = NULL;
	spin_unlock(&p->lock);
	fdtable_put(fdt); /* may sleep: after the lock */
	vnode_put(cwd);
	flock_proc_exit(p); /* its POSIX record locks */
	sem_exit(p);        /* its SEM_UNDO adjustments */
	ioport_exit(p);
}

/*
 * Does p's exit free it at once instead of leaving a zombie (Linux): its
 * exit signal is SIGCHLD and its parent ignores SIGCHLD or set
 * SA_NOCLDWAIT.  *send: whether the parent still gets the signal (not
 * when it ignores it).  [proc_tree_lock] held.
 */
static bool proc_autoreap(struct proc *parent, struct proc *p, bool *send)
{
	const struct sigaction_k *a;
	bool reap = false;

	spin_assert_held(&proc_tree_lock);
	*send = true;
	if (p->exit_signal != SIGCHLD)
		return false;
	spin_lock(&parent->lock);
	a = &parent->sigactions[SIGCHLD - 1];
	if (a->handler == SIG_IGN_HANDLER) {
		reap = true;
		*send = false;
	} else if (a->flags & SA_NOCLDWAIT) {
		reap = true;
	}
	spin_unlock(&parent->lock);
	return reap;
}

/*
 * Hand p's children to init, make p a zombie and tell its parent; an
 * orphan of a dead init is freed at once, init's own exit ends the run.
 * t is p's last thread, running this.
 */
static void proc_become_zombie(struct proc *p, struct thread *t)
{
	struct list dead_pids = LIST_INIT(dead_pids);
	struct list dead = LIST_INIT(dead);
	struct list *pos, *tmp;
	struct orphan_check oc = { .n = 0 };
	struct ksiginfo info;
	struct proc *parent;
	bool is_init, orphan, autoreap = false, send = true;
	int status;

	spin_lock(&proc_tree_lock);
	is_init = p == init_proc;
	parent = p->parent;
	if (parent && parent->pgid != p->pgid && parent->sid == p->sid)
		orphan_check_add(&oc, p->pgid);
	if (!is_init)
		proc_reparent_children(p, &dead, &dead_pids, &oc);
	p->state = PROC_ZOMBIE;
	p->wait_report = 0;
	wake_up(&proc_exit_wq); /* pidfds: takes only the queue's lock */
	status = p->exit_status;
	orphan_check_signal(&oc);
	/* The parent may free p as soon as it sees the zombie: notify under the lock. */
	if (parent) {
		autoreap = proc_autoreap(parent, p, &send);
		if (send) {
			proc_exit_info(p, &info);
			signal_send_info(parent, &info);
		}
		if (autoreap)
			list_remove(&p->sibling); /* its wait sees one child less */
		wake_up(&parent->child_wq);
	}
	/* An orphan of a dead init, or reaped by its parent's choice: nobody waits. */
	orphan = (!parent && !is_init) || autoreap;
	if (orphan)
		pid_detach_proc(p, &dead_pids);
	spin_unlock(&proc_tree_lock);
	pid_free_dead(&dead_pids);
	list_for_each_safe(pos, tmp, &dead)
		proc_free(list_entry(pos, struct proc, sibling));
	if (is_init)
		init_exited(status);
	if (orphan) {
		t->proc = NULL; /* the reaper does not need it */
		proc_free(p);
	}
}

void proc_thread_exiting(struct thread *t)
{
	struct proc *p = t->proc;

	if (!proc_thread_leave(t))
		return;
	exo_proc_exit(p);
	proc_release_resources(p);
	tty_exit_session(p); /* a session leader's exit hangs up its terminal */
	proc_become_zombie(p, t);
}

void proc_thread_reap(struct thread *t)
{
	if (t->mm)
		vm_put(t->mm);
	t->mm = NULL;
}

/*
 * init has exited: free it, free its zombie children, and kill the live
 * ones (they free themselves when they exit, having no parent).
 */
void proc_reap_init(void)
{
	struct proc *p = init_proc;
	struct list *pos, *tmp;
	struct list dead = LIST_INIT(dead);
	struct list dead_pids = LIST_INIT(dead_pids);

	spin_lock(&proc_tree_lock);
	assert(p && p->state == PROC_ZOMBIE);
	list_for_each_safe(pos, tmp, &p->children) {
		struct proc *c = list_entry(pos, struct proc, sibling);
		list_remove(&c->sibling);
		c->parent = NULL;
		if (c->state == PROC_ZOMBIE) {
			pid_detach_proc(c, &dead_pids);
			list_add_tail(&dead, &c->sibling);
		} else {
			signal_send(c, SIGKILL);
		}
	}
	pid_detach_proc(p, &dead_pids);
	init_proc = NULL;
	spin_unlock(&proc_tree_lock);
	pid_free_dead(&dead_pids);
	list_for_each_safe(pos, tmp, &dead)
		proc_free(list_entry(pos, struct proc, sibling));
	proc_free(p);
}

static bool wait_matches(struct proc *me, struct proc *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->pgid == me->pgid;
	return c->pgid == -pid;
}

/*
 * A stop or continue of c that options ask for: its wait status (consumed
 * unless WNOWAIT), or 0.  [proc_tree_lock] held.
 */
static int wait_jobctl_status(struct proc *c, int options)
{
	int status = 0;

	spin_assert_held(&proc_tree_lock);
	if (c->state != PROC_ALIVE)
		return 0;
	if ((options & WUNTRACED) && c->wait_report == PROC_REPORT_STOPPED)
		status = WAIT_STOPPED_CODE | (c->wait_report_sig << 8);
	else if ((options & WCONTINUED) && c->wait_report == PROC_REPORT_CONTINUED)
		status = WAIT_CONTINUED_STATUS;
	if (status && !(options & WNOWAIT))
		c->wait_report = 0;
	return status;
}

long proc_wait(int pid, int *status, int options)
{
	struct proc *me = proc_current();
	struct list dead_pids = LIST_INIT(dead_pids);
	long ret;

	might_sleep();
	spin_lock(&proc_tree_lock);
	for (;;) {
		struct proc *z = NULL;
		bool have = false;
		struct list *pos;
		int js = 0;

		list_for_each(pos, &me->children) {
			struct proc *c = list_entry(pos, struct proc, sibling);
			if (!wait_matches(me, c, pid))
				continue;
			have = true;
			if (c->state == PROC_ZOMBIE && (options & WEXITED)) {
				z = c;
				break;
			}
			js = wait_jobctl_status(c, options);
			if (js) {
				*status = js;
				ret = c->pid;
				break;
			}
		}
		if (js)
			break;
		if (z) {
			if (options & WNOWAIT) {
				*status = z->exit_status;
				ret = z->pid;
				break;
			}
			list_remove(&z->sibling);
			proc_usage_reap(me, z);
			pid_detach_proc(z, &dead_pids);
			*status = z->exit_status;
			ret = z->pid;
			spin_unlock(&proc_tree_lock);
			pid_free_dead(&dead_pids);
			proc_free(z);
			return ret;
		}
		if (!have) {
			ret = -ECHILD;
			break;
		}
		if (options & WNOHANG) {
			ret = 0;
			break;
		}
		struct waiter w;
		waitq_prepare(&me->child_wq, &w); /* asleep before the check */
		if (signal_pending()) {
			waitq_finish(&me->child_wq, &w);
			ret = -EINTR;
			break;
		}
		spin_unlock(&proc_tree_lock);
		schedule();
		waitq_finish(&me->child_wq, &w);
		spin_lock(&proc_tree_lock);
	}
	spin_unlock(&proc_tree_lock);
	return ret;
}

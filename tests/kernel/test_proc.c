/*
 * test_proc.c - in-kernel tests of the reference-count type
 * (keel/refcount.h) and of the pid table (keel/pid.h).
 *
 * Reference counts: the last put is reported exactly once, also when every
 * CPU gets and puts at once; get_not_zero refuses a dead count; files and
 * descriptor tables release their contents on the last put only.  (The
 * panics on misuse are not provoked.)
 *
 * The pid table is driven with hand-made processes and threads (no
 * process runs during in-kernel tests): lookups of live and removed
 * numbers, pid_next's order, and process-group and session membership
 * through setpgid/setsid-style moves and exits.  Numbers come from
 * pid_alloc(), so they never collide with a real process.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/refcount.h>
#include <keel/fd.h>
#include <keel/proc.h>
#include <keel/pid.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/cpu.h>
#include <keel/time.h>
#include <keel/kmalloc.h>
#include <lib/errno.h>

#define RC_THREADS 8
#define RC_ROUNDS  20000
#define RC_WAIT_NS (10000 * NSEC_PER_MSEC)

/* ---------------------------------------------------------------- refcount_t */

KTEST(refcount_get_put_zero_once)
{
	refcount_t r;

	refcount_init(&r, 1);
	refcount_get(&r);
	refcount_get(&r);
	KT_CHECK_EQ(t, refcount_read(&r), 3);
	KT_CHECK(t, !refcount_put(&r));
	KT_CHECK(t, !refcount_put(&r));
	KT_CHECK(t, refcount_put(&r)); /* the last one, and only it */
	KT_CHECK_EQ(t, refcount_read(&r), 0);
	KT_CHECK(t, !refcount_get_not_zero(&r)); /* dead: a lookup may not revive it */
	KT_CHECK_EQ(t, refcount_read(&r), 0);

	refcount_init(&r, 2);
	KT_CHECK(t, refcount_get_not_zero(&r));
	KT_CHECK_EQ(t, refcount_read(&r), 3);
}

struct rc_race {
	refcount_t ref;
	unsigned last_puts; /* [A] puts that returned true */
	unsigned refused;   /* [A] get_not_zero that failed on a live count */
	unsigned done;      /* [A] threads finished */
};

/* Holds one reference (given by the test): churns, then drops it. */
static void rc_churn(void *arg)
{
	struct rc_race *r = arg;

	for (int i = 0; i < RC_ROUNDS; i++) {
		if (!(i & 1))
			refcount_get(&r->ref);
		else if (!refcount_get_not_zero(&r->ref))
			__atomic_fetch_add(&r->refused, 1, __ATOMIC_RELAXED);
		if (refcount_put(&r->ref))
			__atomic_fetch_add(&r->last_puts, 1, __ATOMIC_RELAXED);
	}
	if (refcount_put(&r->ref))
		__atomic_fetch_add(&r->last_puts, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->done, 1, __ATOMIC_RELEASE);
}

/* Every CPU gets and puts one count: exactly one put, the last, sees zero. */
KTEST(refcount_last_put_once_smp)
{
	static struct rc_race r;
	unsigned cpus = cpu_online_count(), started = 0;
	uint64_t end = time_ns() + RC_WAIT_NS;

	refcount_init(&r.ref, 1 + RC_THREADS); /* the test's and one per thread */
	r.last_puts = 0;
	r.refused = 0;
	r.done = 0;
	for (int i = 0; i < RC_THREADS; i++) {
		if (kthread_create("ktest-rc", rc_churn, &r, (int)(i % cpus)))
			started++;
		else if (refcount_put(&r.ref)) /* a thread that never ran */
			r.last_puts++;
	}
	KT_CHECK_EQ(t, started, RC_THREADS);
	while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) < started && time_ns() < end)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	KT_CHECK_EQ(t, __atomic_load_n(&r.done, __ATOMIC_ACQUIRE), started);
	KT_CHECK_EQ(t, __atomic_load_n(&r.last_puts, __ATOMIC_RELAXED), 0);
	KT_CHECK_EQ(t, __atomic_load_n(&r.refused, __ATOMIC_RELAXED), 0);
	KT_CHECK_EQ(t, refcount_read(&r.ref), 1);
	KT_CHECK(t, refcount_put(&r.ref));
}

static unsigned rc_released;

static void rc_file_release(struct file *f)
{
	rc_released++;
}

static const struct file_ops rc_file_ops = {
	.release = rc_file_release,
};

/* A file is released on its last put; a table closes its files on its own. */
KTEST(refcount_file_and_fdtable)
{
	struct fdtable *tab = fdtable_create();
	struct file *f = file_alloc(&rc_file_ops, NULL, NULL, O_RDONLY);

	KT_CHECK(t, tab && f);
	if (!tab || !f)
		return;
	rc_released = 0;
	KT_CHECK(t, file_get(f) == f);
	file_put(f);
	KT_CHECK_EQ(t, rc_released, 0);
	KT_CHECK_EQ(t, fd_alloc(tab, f, 0, false), 0); /* the table takes our reference */
	KT_CHECK(t, fdtable_get(tab) == tab);
	fdtable_put(tab);
	KT_CHECK_EQ(t, rc_released, 0); /* the table is still held */
	fdtable_put(tab);
	KT_CHECK_EQ(t, rc_released, 1); /* closed with the table */
}

/* ---------------------------------------------------------------- pid table */

/* A process as the table sees it: pid, group and session set, lists empty. */
static struct proc *pt_proc(int pid, int pgid, int sid)
{
	struct proc *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	spin_init(&p->lock, "proc");
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->all_node);
	list_init(&p->pgrp_node);
	list_init(&p->session_node);
	p->pid = pid;
	p->pgid = pgid;
	p->sid = sid;
	p->state = PROC_ALIVE;
	return p;
}

/* Into the table (as clone does), or out of it (as wait does). */
static bool pt_attach(struct proc *p)
{
	struct pid *spare = pid_entry_alloc();

	if (!spare)
		return false;
	spin_lock(&proc_tree_lock);
	pid_attach_proc(p, &spare);
	spin_unlock(&proc_tree_lock);
	pid_entry_free(spare);
	return true;
}

static void pt_detach(struct proc *p)
{
	struct list dead = LIST_INIT(dead);

	spin_lock(&proc_tree_lock);
	pid_detach_proc(p, &dead);
	spin_unlock(&proc_tree_lock);
	pid_free_dead(&dead);
}

static struct proc *pt_find(int pid)
{
	struct proc *p;

	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	spin_unlock(&proc_tree_lock);
	return p;
}

/* Members of group pgid; -1 if it has no entry at all. */
static int pt_pgrp_count(int pgid)
{
	struct list *pos;
	struct pid *e;
	int n = 0;

	spin_lock(&proc_tree_lock);
	e = pid_lookup(pgid);
	if (e)
		list_for_each(pos, &e->pgrp)
			n++;
	else
		n = -1;
	spin_unlock(&proc_tree_lock);
	return n;
}

static bool pt_pgrp_has(int pgid, struct proc *p)
{
	struct list *pos;
	struct pid *e;
	bool found = false;

	spin_lock(&proc_tree_lock);
	e = pid_lookup(pgid);
	if (e)
		list_for_each(pos, &e->pgrp)
			found |= list_entry(pos, struct proc, pgrp_node) == p;
	spin_unlock(&proc_tree_lock);
	return found;
}

KTEST(pid_lookup_live_and_dead)
{
	int nr = pid_alloc(), never = pid_alloc();
	struct proc *p = pt_proc(nr, nr, nr);
	struct thread *th = kzalloc(sizeof(*th));
	struct pid *spare = pid_entry_alloc();
	struct list dead = LIST_INIT(dead);
	struct thread *found, *other;

	KT_CHECK(t, p && th && spare);
	if (!p || !th || !spare)
		goto out_free;
	if (!pt_attach(p)) {
		KT_CHECK(t, false);
		goto out_free;
	}
	KT_CHECK(t, pt_find(nr) == p);
	KT_CHECK(t, pt_find(never) == NULL);

	/* A second thread of p, found by its tid with p's lock held. */
	th->tid = pid_alloc();
	th->proc = p;
	spin_lock(&proc_tree_lock);
	pid_attach_thread(th, &spare);
	found = thread_find_locked(th->tid);
	if (found)
		spin_unlock(&found->proc->lock);
	KT_CHECK(t, proc_find(th->tid) == NULL); /* a tid is not a pid */
	other = thread_find_locked(nr);          /* p's first thread is not here */
	if (other)
		spin_unlock(&other->proc->lock);
	pid_detach_thread(th, &dead);
	spin_unlock(&proc_tree_lock);
	KT_CHECK(t, found == th);
	KT_CHECK(t, other == NULL);
	KT_CHECK(t, spare == NULL);
	KT_CHECK(t, !list_empty(&dead)); /* its entry went with it */
	pid_free_dead(&dead);
	spin_lock(&proc_tree_lock);
	other = thread_find_locked(th->tid); /* exited */
	if (other)
		spin_unlock(&other->proc->lock);
	spin_unlock(&proc_tree_lock);
	KT_CHECK(t, other == NULL);

	pt_detach(p); /* reaped */
	KT_CHECK(t, pt_find(nr) == NULL);
	spin_lock(&proc_tree_lock);
	KT_CHECK(t, pid_lookup(nr) == NULL);
	KT_CHECK(t, !pid_pgrp_in_use(nr));
	spin_unlock(&proc_tree_lock);
out_free:
	pid_entry_free(spare);
	kfree(th);
	kfree(p);
}

KTEST(pid_next_in_order)
{
	int n1 = pid_alloc(), n2 = pid_alloc(), n3 = pid_alloc();
	int n4 = pid_alloc(), n5 = pid_alloc(), after;
	struct proc *a = pt_proc(n1, n1, n1), *b = pt_proc(n3, n1, n1), *c = pt_proc(n5, n1, n1);

	KT_CHECK(t, a && b && c);
	if (!a || !b || !c)
		goto out_free;
	/* Out of order, as racing clones may link: the walk is still by pid.
	 * (Should an attach fail for memory, the test leaks rather than free a
	 * process the table still holds.) */
	if (!pt_attach(a) || !pt_attach(c) || !pt_attach(b)) {
		KT_CHECK(t, false);
		return;
	}
	KT_CHECK_EQ(t, pid_next(n1), n1);
	KT_CHECK_EQ(t, pid_next(n1 + 1), n3); /* n2 was never a process */
	KT_CHECK_EQ(t, pid_next(n2), n3);
	KT_CHECK_EQ(t, pid_next(n3 + 1), n5);
	KT_CHECK_EQ(t, pid_next(n4), n5);
	after = pid_next(n5 + 1);
	KT_CHECK(t, after == 0 || after > n5); /* nothing of ours is left */
	KT_CHECK(t, pid_next(0) <= n1 && pid_next(0) > 0);

	pt_detach(b); /* gone between two steps */
	KT_CHECK_EQ(t, pid_next(n1 + 1), n5);
	pt_detach(a); /* the previous one gone too */
	KT_CHECK_EQ(t, pid_next(n1 + 1), n5);
	KT_CHECK_EQ(t, pid_next(n3 + 1), n5);
	pt_detach(c);
	after = pid_next(n1);
	KT_CHECK(t, after == 0 || after > n5);
out_free:
	kfree(a);
	kfree(b);
	kfree(c);
}

/*
 * A leader L and two children A, B in L's group and session: A makes its
 * own group, B moves to a number nothing uses (a new entry), L exits while
 * B still holds its group, then B leaves it; A starts a session.
 */
KTEST(pid_pgrp_membership)
{
	int l = pid_alloc(), x;
	struct proc *L = pt_proc(l, l, l);
	struct proc *A = NULL, *B = NULL;
	struct list dead = LIST_INIT(dead);
	struct pid *spare = NULL;
	bool moved;

	if (L) {
		A = pt_proc(pid_alloc(), l, l);
		B = pt_proc(pid_alloc(), l, l);
	}
	KT_CHECK(t, L && A && B);
	if (!L || !A || !B)
		goto out_free;
	if (!pt_attach(L) || !pt_attach(A) || !pt_attach(B)) {
		KT_CHECK(t, false); /* out of memory: leak, as in pid_next_in_order */
		return;
	}
	KT_CHECK_EQ(t, pt_pgrp_count(l), 3);
	KT_CHECK(t, pt_pgrp_has(l, L) && pt_pgrp_has(l, A) && pt_pgrp_has(l, B));

	/* setpgid(A, 0): A's own group. */
	spin_lock(&proc_tree_lock);
	KT_CHECK(t, pid_set_pgrp(A, A->pid, &spare, &dead)); /* its entry exists */
	spin_unlock(&proc_tree_lock);
	KT_CHECK_EQ(t, A->pgid, A->pid);
	KT_CHECK_EQ(t, pt_pgrp_count(l), 2);
	KT_CHECK_EQ(t, pt_pgrp_count(A->pid), 1);
	KT_CHECK(t, !pt_pgrp_has(l, A));

	/* L exits and is reaped: its group lives on in B. */
	pt_detach(L);
	KT_CHECK(t, pt_find(l) == NULL);
	KT_CHECK_EQ(t, pt_pgrp_count(l), 1);
	KT_CHECK(t, pt_pgrp_has(l, B));
	spin_lock(&proc_tree_lock);
	KT_CHECK(t, pid_pgrp_in_use(l));
	spin_unlock(&proc_tree_lock);

	/* setpgid(B, x) for an unused x: needs a spare entry. */
	x = pid_alloc();
	spin_lock(&proc_tree_lock);
	moved = pid_set_pgrp(B, x, &spare, &dead);
	spin_unlock(&proc_tree_lock);
	KT_CHECK(t, !moved);
	KT_CHECK_EQ(t, B->pgid, l); /* nothing changed */
	spare = pid_entry_alloc();
	KT_CHECK(t, spare != NULL);
	if (spare) {
		spin_lock(&proc_tree_lock);
		KT_CHECK(t, pid_set_pgrp(B, x, &spare, &dead));
		KT_CHECK(t, !pid_pgrp_in_use(l));
		KT_CHECK(t, pid_lookup(l) != NULL); /* still session l's number */
		spin_unlock(&proc_tree_lock);
		KT_CHECK(t, spare == NULL);
		KT_CHECK(t, list_empty(&dead));
		KT_CHECK_EQ(t, pt_pgrp_count(x), 1);
		KT_CHECK_EQ(t, pt_pgrp_count(l), 0);
	}

	/* setsid(A): a session and group of its own; L's session keeps B. */
	spin_lock(&proc_tree_lock);
	pid_set_session(A, &dead);
	KT_CHECK(t, pid_lookup(A->pid) && !list_empty(&pid_lookup(A->pid)->session));
	KT_CHECK(t, pid_lookup(l) && !list_empty(&pid_lookup(l)->session));
	spin_unlock(&proc_tree_lock);
	KT_CHECK_EQ(t, A->sid, A->pid);
	KT_CHECK_EQ(t, A->pgid, A->pid);

	/* Exits: every number goes out of use. */
	pt_detach(A);
	pt_detach(B);
	KT_CHECK_EQ(t, pt_pgrp_count(A->pid), -1);
	KT_CHECK_EQ(t, pt_pgrp_count(x), -1);
	KT_CHECK_EQ(t, pt_pgrp_count(l), -1); /* B was the session's last */
out_free:
	pid_free_dead(&dead);
	pid_entry_free(spare);
	kfree(L);
	kfree(A);
	kfree(B);
}

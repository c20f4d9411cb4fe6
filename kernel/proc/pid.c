/*
 * pid.c - the pid table (see keel/pid.h for the model and the lock rule).
 *
 * A fixed array of PID_HASH_SIZE chains keyed by the low bits of the
 * number.  Numbers come from a counter, so the live ones spread evenly
 * over the chains and a lookup walks about (entries / PID_HASH_SIZE) of
 * them.  Each entry carries the process, the thread, and the group and
 * session membership lists of its number, so kill(-pgid) visits only the
 * group's members.
 *
 * An entry goes into the table when its number first gets a use: a new
 * process or thread (clone), or setpgid() to a number nothing else uses.
 * It leaves when its last use goes: the thread exits, the process is
 * reaped, the last member leaves the group or session.  Both happen under
 * proc_tree_lock; allocation and freeing happen outside it (spare entries
 * in, dead lists out).
 *
 * proc_all is kept sorted by pid: a new process is inserted from the
 * tail, which is its place unless a racing clone that got a larger pid
 * linked first (then one step back).
 */
#include <keel/pid.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/kmalloc.h>
#include <keel/spinlock.h>
#include <keel/panic.h>

#define PID_HASH_BITS 9
#define PID_HASH_SIZE (1u << PID_HASH_BITS) /* 512 chains */

struct list proc_all = LIST_INIT(proc_all); /* [proc_tree_lock] proc.all_node, by pid */
static struct list pid_hash[PID_HASH_SIZE]; /* [proc_tree_lock] struct pid.hash_node */
static struct kmem_cache *pid_cache;        /* [I] */
static int pid_counter = 1;                 /* [A] the next number */

void pid_init(void)
{
	pid_cache = kmem_cache_create("pid", sizeof(struct pid), 0);
	if (!pid_cache)
		panic("pid: cannot create the pid cache");
	for (unsigned i = 0; i < PID_HASH_SIZE; i++)
		list_init(&pid_hash[i]);
}

int pid_alloc(void)
{
	return __atomic_fetch_add(&pid_counter, 1, __ATOMIC_RELAXED);
}

int pid_last(void)
{
	return __atomic_load_n(&pid_counter, __ATOMIC_RELAXED) - 1;
}

/* ---------------------------------------------------------------- entries */

struct pid *pid_entry_alloc(void)
{
	struct pid *e = kmem_cache_alloc(pid_cache, KM_ZERO);

	if (!e)
		return NULL;
	list_init(&e->hash_node);
	list_init(&e->pgrp);
	list_init(&e->session);
	return e;
}

static bool pid_unused(const struct pid *e)
{
	return !e->proc && !e->thread && list_empty(&e->pgrp) && list_empty(&e->session);
}

void pid_entry_free(struct pid *e)
{
	if (!e)
		return;
	assert(pid_unused(e));
	kmem_cache_free(pid_cache, e);
}

void pid_free_dead(struct list *dead)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, dead) {
		list_remove(pos);
		pid_entry_free(list_entry(pos, struct pid, hash_node));
	}
}

static struct list *pid_chain(int nr)
{
	return &pid_hash[(unsigned)nr & (PID_HASH_SIZE - 1)];
}

struct pid *pid_lookup(int nr)
{
	struct list *pos;

	spin_assert_held(&proc_tree_lock);
	list_for_each(pos, pid_chain(nr)) {
		struct pid *e = list_entry(pos, struct pid, hash_node);
		if (e->nr == nr)
			return e;
	}
	return NULL;
}

/* The entry of nr, hashing *spare (then NULL) if there is none; NULL if
 * there is none and no spare.  [proc_tree_lock] held. */
static struct pid *pid_lookup_or_add(int nr, struct pid **spare)
{
	struct pid *e = pid_lookup(nr);

	if (e || !*spare)
		return e;
	e = *spare;
	*spare = NULL;
	e->nr = nr;
	list_add_tail(pid_chain(nr), &e->hash_node);
	return e;
}

/* e lost a use: if that was its last, unhash it onto dead.
 * [proc_tree_lock] held. */
static void pid_release(struct pid *e, struct list *dead)
{
	spin_assert_held(&proc_tree_lock);
	if (!e || !pid_unused(e))
		return;
	list_remove(&e->hash_node);
	list_add_tail(dead, &e->hash_node);
}

bool pid_pgrp_in_use(int pgid)
{
	struct pid *e;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup(pgid);
	return e && !list_empty(&e->pgrp);
}

bool pid_pgrp_orphaned(int pgid)
{
	struct pid *grp;
	struct list *pos;

	spin_assert_held(&proc_tree_lock);
	grp = pid_lookup(pgid);
	if (!grp)
		return true;
	list_for_each(pos, &grp->pgrp) {
		struct proc *p = list_entry(pos, struct proc, pgrp_node);
		struct proc *parent = p->parent;

		if (p->state != PROC_ALIVE || !parent)
			continue;
		if (parent->pgid != pgid && parent->sid == p->sid)
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- processes */

static void pid_all_insert(struct proc *p)
{
	struct list *pos = proc_all.prev;

	while (pos != &proc_all && list_entry(pos, struct proc, all_node)->pid > p->pid)
		pos = pos->prev;
	list_insert_between(&p->all_node, pos, pos->next);
}

void pid_attach_proc(struct proc *p, struct pid **spare)
{
	struct pid *e, *grp, *ses;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup_or_add(p->pid, spare);
	assert(e && !e->proc);
	e->proc = p;
	grp = pid_lookup(p->pgid);
	ses = pid_lookup(p->sid);
	assert(grp && ses);
	list_add_tail(&grp->pgrp, &p->pgrp_node);
	list_add_tail(&ses->session, &p->session_node);
	pid_all_insert(p);
}

void pid_detach_proc(struct proc *p, struct list *dead)
{
	struct pid *e;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup(p->pid);
	assert(e && e->proc == p);
	e->proc = NULL;
	list_remove(&p->pgrp_node);
	list_remove(&p->session_node);
	list_remove(&p->all_node);
	/* Released one by one: once unhashed, an entry is not found again. */
	pid_release(e, dead);
	pid_release(pid_lookup(p->pgid), dead);
	pid_release(pid_lookup(p->sid), dead);
}

bool pid_set_pgrp(struct proc *p, int pgid, struct pid **spare, struct list *dead)
{
	struct pid *old, *grp;

	spin_assert_held(&proc_tree_lock);
	if (pgid == p->pgid)
		return true;
	grp = pid_lookup_or_add(pgid, spare);
	if (!grp)
		return false;
	old = pid_lookup(p->pgid);
	list_remove(&p->pgrp_node);
	list_add_tail(&grp->pgrp, &p->pgrp_node);
	p->pgid = pgid;
	pid_release(old, dead);
	return true;
}

void pid_set_session(struct proc *p, struct list *dead)
{
	struct pid *e, *old_grp, *old_ses;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup(p->pid);
	assert(e && e->proc == p);
	old_grp = pid_lookup(p->pgid);
	old_ses = pid_lookup(p->sid);
	list_remove(&p->pgrp_node);
	list_remove(&p->session_node);
	list_add_tail(&e->pgrp, &p->pgrp_node);
	list_add_tail(&e->session, &p->session_node);
	p->pgid = p->sid = p->pid;
	pid_release(old_grp, dead);
	pid_release(old_ses, dead);
}

/* ---------------------------------------------------------------- threads */

void pid_attach_thread(struct thread *t, struct pid **spare)
{
	struct pid *e;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup_or_add(t->tid, spare);
	assert(e && !e->thread);
	e->thread = t;
}

void pid_detach_thread(struct thread *t, struct list *dead)
{
	struct pid *e;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup(t->tid);
	assert(e && e->thread == t);
	e->thread = NULL;
	pid_release(e, dead);
}

/* ---------------------------------------------------------------- /proc */

int pid_next(int nr)
{
	struct list *pos;
	struct pid *e;
	int found = 0;

	if (nr < 1)
		nr = 1;
	spin_lock(&proc_tree_lock);
	e = pid_lookup(nr);
	if (e && e->proc) {
		found = nr;
		goto out_unlock;
	}
	/* Walking forward: go on after the previous pid while it exists. */
	e = nr > 1 ? pid_lookup(nr - 1) : NULL;
	pos = e && e->proc ? e->proc->all_node.next : proc_all.next;
	for (; pos != &proc_all; pos = pos->next) {
		struct proc *p = list_entry(pos, struct proc, all_node);
		if (p->pid >= nr) {
			found = p->pid;
			break;
		}
	}
out_unlock:
	spin_unlock(&proc_tree_lock);
	return found;
}

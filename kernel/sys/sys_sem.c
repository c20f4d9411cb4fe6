/*
 * sys_sem.c - System V semaphores (semget, semop, semtimedop, semctl; man 2
 * semop, man 7 sysvipc), Linux's semantics and structure layouts.
 *
 * A set is an array of semaphores (value, last pid).  semop applies all
 * of its operations or none: if one cannot go on (a decrement below 0, a
 * wait-for-zero on a nonzero value), the caller waits (unless that
 * operation says IPC_NOWAIT: EAGAIN) on the set's queue, which every
 * change wakes, and tries again; a signal ends the wait (EINTR, never
 * restarted, as Linux), semtimedop's timeout too (EAGAIN), removal of the
 * set with EIDRM.  SEM_UNDO operations are remembered per process and
 * undone when it exits (sem_exit), clamped to 0..SEMVMX as Linux does.
 *
 * Permissions as shm's (ipcperms).  Lock key: [sem_lock] the table, every
 * set, every process's undo list (a spinlock: the waits are
 * wait_event_locked on it).  A waiter counts itself in the set's ncnt or
 * zcnt for the semaphore it waits on (GETNCNT, GETZCNT).
 */
#include <keel/cred.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <keel/proc.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/sys_sem.h>
#include <keel/syscall.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_ipc.h"

#define IPC_PRIVATE  0
#define IPC_CREAT    01000
#define IPC_EXCL     02000
#define IPC_NOWAIT   04000
#define IPC_RMID     0
#define IPC_SET      1
#define IPC_STAT     2
#define IPC_INFO     3
#define GETPID       11
#define GETVAL       12
#define GETALL       13
#define GETNCNT      14
#define GETZCNT      15
#define SETVAL       16
#define SETALL       17
#define SEM_STAT     18
#define SEM_INFO     19
#define SEM_STAT_ANY 20
#define SEM_UNDO     010000
#define SEM_MODE     0777
#define SEM_SETS     128 /* semmni */
#define SEMMSL       250 /* semaphores per set */
#define SEMOPM       500 /* operations per semop */
#define SEMVMX       32767
#define SEM_SEQ_MULT SEM_SETS
#define SEM_SEQ_MAX  32768
#define SEM_POLL_NS  (1000 * 1000ull) /* a timed wait looks again this often */

struct k_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};

struct k_semid64_ds {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad0;
	uint32_t pad1;
	uint64_t unused[2];
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};
_Static_assert(sizeof(struct k_semid64_ds) == 104, "struct semid64_ds");

struct k_seminfo {
	int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

struct sem {
	int val, pid;
	unsigned ncnt, zcnt; /* waiting for an increase, for zero */
};

struct sem_set {
	int32_t key;
	uint16_t seq;
	bool removed; /* off the table: waiters get EIDRM */
	unsigned nsems;
	struct ipc_owner own; /* [lock] owner, creator, mode */
	int64_t otime, ctime;
	unsigned waiters; /* sleeping in semop (a removed set lives on for them) */
	struct waitq wq;
	struct sem sems[];
};

/* One SEM_UNDO adjustment: undone when the process exits. */
struct sem_undo {
	struct list node; /* [sem_lock] on sem_undos */
	const struct proc *owner;
	int id; /* the set's id (a later set on the slot differs) */
	unsigned num;
	int adj;
};

static struct spinlock sem_lock = SPINLOCK_INIT("sem");
static struct sem_set *sem_sets[SEM_SETS];           /* [sem_lock] */
static uint16_t sem_seq[SEM_SETS];                   /* [sem_lock] */
static struct list sem_undos = LIST_INIT(sem_undos); /* [sem_lock] */

static int64_t sem_now(void)
{
	return (int64_t)(time_real_ns() / NSEC_PER_SEC);
}

static bool sem_may(const struct sem_set *s, const struct cred *c, const struct cred_fs *g,
		    unsigned want)
{
	return ipc_may(&s->own, c, g, want);
}

static void sem_cred(struct cred *c, struct cred_fs *g)
{
	cred_get(proc_current(), c);
	cred_fs_current(g, false);
}

/* The set of id, or NULL.  [sem_lock] */
static struct sem_set *sem_find(int id)
{
	struct sem_set *s;

	spin_assert_held(&sem_lock);
	if (id < 0)
		return NULL;
	s = sem_sets[id % SEM_SEQ_MULT];
	return s && s->seq == id / SEM_SEQ_MULT ? s : NULL;
}

static int sem_id(const struct sem_set *s, int slot)
{
	return s->seq * SEM_SEQ_MULT + slot;
}

/* Take slot's set off the table; freed now or by its last waiter.  [sem_lock] */
static struct sem_set *sem_remove(int slot)
{
	struct sem_set *s = sem_sets[slot];

	spin_assert_held(&sem_lock);
	sem_sets[slot] = NULL;
	sem_seq[slot] = (uint16_t)((s->seq + 1) % SEM_SEQ_MAX);
	s->removed = true;
	wake_up(&s->wq);
	return s->waiters ? NULL : s; /* the caller frees it after the lock */
}

SYSCALL_DEFINE3(semget, int32_t, key, int, nsems, int, flags)
{
	struct sem_set *fresh = NULL;
	struct cred_fs g;
	struct cred c;
	long ret = -ENOENT;

	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	sem_cred(&c, &g);
	if ((key == IPC_PRIVATE || (flags & IPC_CREAT)) && nsems > 0) {
		fresh = kzalloc(sizeof(*fresh) + (size_t)nsems * sizeof(struct sem));
		if (fresh)
			waitq_init(&fresh->wq, "sem_wq");
	}
	spin_lock(&sem_lock);
	if (key != IPC_PRIVATE) {
		for (int slot = 0; slot < SEM_SETS; slot++) {
			struct sem_set *s = sem_sets[slot];
			if (!s || s->key != key)
				continue;
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				ret = -EEXIST;
			else if ((unsigned)nsems > s->nsems)
				ret = -EINVAL;
			else if (!sem_may(s, &c, &g, (unsigned)flags & SEM_MODE))
				ret = -EACCES;
			else
				ret = sem_id(s, slot);
			goto out;
		}
		if (!(flags & IPC_CREAT))
			goto out;
	}
	if (nsems == 0) {
		ret = -EINVAL;
		goto out;
	}
	if (!fresh) {
		ret = -ENOMEM;
		goto out;
	}
	int slot;
	for (slot = 0; slot < SEM_SETS && sem_sets[slot]; slot++)
		;
	if (slot == SEM_SETS) {
		ret = -ENOSPC;
		goto out;
	}
	fresh->key = key;
	fresh->nsems = (unsigned)nsems;
	fresh->own.uid = fresh->own.cuid = c.u.eff;
	fresh->own.gid = fresh->own.cgid = c.g.eff;
	fresh->own.mode = (unsigned)flags & SEM_MODE;
	fresh->ctime = sem_now();
	fresh->seq = sem_seq[slot];
	sem_sets[slot] = fresh;
	ret = sem_id(fresh, slot);
	fresh = NULL;
out:
	spin_unlock(&sem_lock);
	kfree(fresh);
	return ret;
}

/*
 * Can every operation go on now?  0 if so; else -EAGAIN (one that cannot
 * has IPC_NOWAIT), -ERANGE (a value would pass SEMVMX), or 1 and *blocker
 * the operation that must wait.  [sem_lock]
 */
static int sem_try(const struct sem_set *s, const struct k_sembuf *ops, unsigned n,
		   const struct k_sembuf **blocker)
{
	/* The operations act in order, each on the value the last left. */
	for (unsigned i = 0; i < n; i++) {
		int v = s->sems[ops[i].sem_num].val;
		for (unsigned k = 0; k < i; k++)
			if (ops[k].sem_num == ops[i].sem_num)
				v += ops[k].sem_op;
		if (ops[i].sem_op > 0 && v + ops[i].sem_op > SEMVMX)
			return -ERANGE;
		if ((ops[i].sem_op == 0 && v != 0) ||
		    (ops[i].sem_op < 0 && v + ops[i].sem_op < 0)) {
			if (ops[i].sem_flg & IPC_NOWAIT)
				return -EAGAIN;
			*blocker = &ops[i];
			return 1;
		}
	}
	return 0;
}

/* Remember a SEM_UNDO adjustment (spare: a record allocated in advance,
 * consumed if a new one is needed).  [sem_lock] */
static void sem_note_undo(const struct proc *p, int id, unsigned num, int op,
			  struct sem_undo **spare)
{
	struct list *pos;

	list_for_each(pos, &sem_undos) {
		struct sem_undo *u = list_entry(pos, struct sem_undo, node);
		if (u->owner == p && u->id == id && u->num == num) {
			u->adj -= op;
			return;
		}
	}
	struct sem_undo *u = *spare;
	*spare = NULL;
	if (!u)
		return; /* the caller made sure there was one */
	u->owner = p;
	u->id = id;
	u->num = num;
	u->adj = -op;
	list_add_tail(&sem_undos, &u->node);
}

static bool sem_changed(const struct sem_set *s, uint64_t gen_before, const uint64_t *gen)
{
	return s->removed || *gen != gen_before;
}

static uint64_t sem_generation; /* [sem_lock] bumped by every change */

static long do_semop(int id, const struct k_sembuf __user *usops, unsigned nsops,
		     const struct k_timespec __user *utimeout)
{
	struct k_sembuf *ops;
	struct sem_undo *spares = NULL;
	const struct proc *me = proc_current();
	struct cred_fs g;
	struct cred c;
	uint64_t deadline = 0;
	bool alter = false, undo = false;
	long ret;

	if (nsops == 0 || id < 0)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	if (utimeout) {
		struct k_timespec ts;
		if (copy_from_user(&ts, utimeout, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		deadline = time_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	}
	ops = kmalloc(nsops * sizeof(*ops), 0);
	if (!ops)
		return -ENOMEM;
	if (copy_from_user(ops, usops, nsops * sizeof(*ops))) {
		ret = -EFAULT;
		goto out_free;
	}
	for (unsigned i = 0; i < nsops; i++) {
		alter |= ops[i].sem_op != 0;
		undo |= (ops[i].sem_flg & SEM_UNDO) && ops[i].sem_op != 0;
	}
	/* One undo record per operation at most, allocated before the lock. */
	for (unsigned i = 0; undo && i < nsops; i++) {
		struct sem_undo *u = kzalloc(sizeof(*u));
		if (!u) {
			ret = -ENOMEM;
			goto out_free;
		}
		u->node.next = (struct list *)spares;
		spares = u;
	}
	sem_cred(&c, &g);
	spin_lock(&sem_lock);
	struct sem_set *s = sem_find(id);
	if (!s) {
		ret = -EINVAL;
		goto out_unlock;
	}
	for (unsigned i = 0; i < nsops; i++) {
		if (ops[i].sem_num >= s->nsems) {
			ret = -EFBIG;
			goto out_unlock;
		}
	}
	if (!sem_may(s, &c, &g, alter ? 0222 : 0444)) {
		ret = -EACCES;
		goto out_unlock;
	}
	for (;;) {
		const struct k_sembuf *b = NULL;

		ret = sem_try(s, ops, nsops, &b);
		if (ret <= 0)
			break;
		/* Wait for a change, counted where GETNCNT/GETZCNT see it. */
		unsigned *cnt = b->sem_op ? &s->sems[b->sem_num].ncnt : &s->sems[b->sem_num].zcnt;
		uint64_t gen = sem_generation;
		(*cnt)++;
		s->waiters++;
		if (deadline) {
			while (!sem_changed(s, gen, &sem_generation) && ret == 1) {
				spin_unlock(&sem_lock);
				uint64_t now = time_ns();
				int err = now >= deadline ?
						  -EAGAIN :
						  sched_sleep_until(
							  MIN(deadline, now + SEM_POLL_NS), true);
				spin_lock(&sem_lock);
				if (err)
					ret = err;
			}
		} else {
			int err = wait_event_locked(&s->wq, &sem_lock,
						    sem_changed(s, gen, &sem_generation));
			if (err)
				ret = err;
		}
		(*cnt)--;
		s->waiters--;
		if (s->removed) {
			ret = -EIDRM;
			if (!s->waiters) {
				spin_unlock(&sem_lock);
				kfree(s);
				goto out_free;
			}
			break;
		}
		if (ret != 1)
			break; /* -EINTR or -EAGAIN (the timeout) */
	}
	if (ret == 0) {
		for (unsigned i = 0; i < nsops; i++) {
			struct sem *sm = &s->sems[ops[i].sem_num];
			sm->val += ops[i].sem_op;
			sm->pid = me->pid;
			if ((ops[i].sem_flg & SEM_UNDO) && ops[i].sem_op) {
				struct sem_undo *u = spares;
				spares = u ? (struct sem_undo *)u->node.next : NULL;
				sem_note_undo(me, id, ops[i].sem_num, ops[i].sem_op, &u);
				if (u) { /* not needed: back on the spares */
					u->node.next = (struct list *)spares;
					spares = u;
				}
			}
		}
		s->otime = sem_now();
		sem_generation++;
		wake_up(&s->wq);
	}
out_unlock:
	spin_unlock(&sem_lock);
out_free:
	while (spares) {
		struct sem_undo *u = spares;
		spares = (struct sem_undo *)u->node.next;
		kfree(u);
	}
	kfree(ops);
	return ret;
}

SYSCALL_DEFINE3(semop, int, id, const struct k_sembuf __user *, sops, size_t, nsops)
{
	return do_semop(id, sops, (unsigned)MIN(nsops, (size_t)SEMOPM + 1), NULL);
}

SYSCALL_DEFINE4(semtimedop, int, id, const struct k_sembuf __user *, sops, size_t, nsops,
		const struct k_timespec __user *, timeout)
{
	return do_semop(id, sops, (unsigned)MIN(nsops, (size_t)SEMOPM + 1), timeout);
}

static void sem_fill_ds(const struct sem_set *s, struct k_semid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->key = s->key;
	ds->uid = s->own.uid;
	ds->gid = s->own.gid;
	ds->cuid = s->own.cuid;
	ds->cgid = s->own.cgid;
	ds->mode = s->own.mode;
	ds->seq = s->seq;
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->ctime;
	ds->sem_nsems = s->nsems;
}

static bool sem_owner(const struct sem_set *s, const struct cred *c)
{
	return ipc_owner_may(&s->own, c);
}

/* SETVAL and SETALL: Linux drops the undo adjustments of what they set. */
static void sem_forget_undo(int id, int num)
{
	struct list *pos, *tmp;

	spin_assert_held(&sem_lock);
	list_for_each_safe(pos, tmp, &sem_undos) {
		struct sem_undo *u = list_entry(pos, struct sem_undo, node);
		if (u->id == id && (num < 0 || u->num == (unsigned)num))
			u->adj = 0;
	}
}

SYSCALL_DEFINE4(semctl, int, id, int, num, int, cmd, unsigned long, arg)
{
	struct k_semid64_ds ds;
	struct sem_set *s, *drop = NULL;
	uint16_t *vals = NULL;
	struct cred_fs g;
	struct cred c;
	long ret = 0;

	if (cmd == IPC_INFO || cmd == SEM_INFO) {
		struct k_seminfo si = {
			0, SEM_SETS, SEM_SETS * SEMMSL, 0, SEMMSL, SEMOPM, SEMOPM, 0, SEMVMX, SEMVMX
		};
		int top = 0;
		spin_lock(&sem_lock);
		for (int slot = 0; slot < SEM_SETS; slot++)
			if (sem_sets[slot])
				top = slot;
		spin_unlock(&sem_lock);
		if (copy_to_user((void __user *)arg, &si, sizeof(si)))
			return -EFAULT;
		return top;
	}
	if (cmd == IPC_SET && copy_from_user(&ds, (const void __user *)arg, sizeof(ds)))
		return -EFAULT;
	if (cmd == SETALL || cmd == GETALL) {
		vals = kmalloc(SEMMSL * sizeof(*vals), 0);
		if (!vals)
			return -ENOMEM;
	}
	if (cmd == SETALL) {
		/* Exactly the set's nsems values (sets never change size). */
		unsigned n = 0;
		spin_lock(&sem_lock);
		s = sem_find(id);
		if (s)
			n = s->nsems;
		spin_unlock(&sem_lock);
		if (n && copy_from_user(vals, (const void __user *)arg, n * sizeof(*vals))) {
			kfree(vals);
			return -EFAULT;
		}
	}
	sem_cred(&c, &g);
	spin_lock(&sem_lock);
	if (cmd == SEM_STAT || cmd == SEM_STAT_ANY) {
		s = id >= 0 && id < SEM_SETS ? sem_sets[id] : NULL;
		ret = s ? sem_id(s, id) : 0;
	} else {
		s = sem_find(id);
	}
	if (!s) {
		ret = -EINVAL;
		goto out;
	}
	switch (cmd) {
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		if (cmd != SEM_STAT_ANY && !sem_may(s, &c, &g, 0444)) {
			ret = -EACCES;
			break;
		}
		sem_fill_ds(s, &ds);
		spin_unlock(&sem_lock);
		if (copy_to_user((void __user *)arg, &ds, sizeof(ds)))
			return -EFAULT;
		return ret;
	case IPC_SET:
		if (!sem_owner(s, &c)) {
			ret = -EPERM;
			break;
		}
		s->own.uid = ds.uid;
		s->own.gid = ds.gid;
		s->own.mode = ds.mode & SEM_MODE;
		s->ctime = sem_now();
		break;
	case IPC_RMID:
		if (!sem_owner(s, &c)) {
			ret = -EPERM;
			break;
		}
		drop = sem_remove(id % SEM_SEQ_MULT);
		break;
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETVAL:
		if (num < 0 || (unsigned)num >= s->nsems) {
			ret = -EINVAL;
			break;
		}
		if (!sem_may(s, &c, &g, cmd == SETVAL ? 0222 : 0444)) {
			ret = -EACCES;
			break;
		}
		if (cmd == GETVAL)
			ret = s->sems[num].val;
		else if (cmd == GETPID)
			ret = s->sems[num].pid;
		else if (cmd == GETNCNT)
			ret = s->sems[num].ncnt;
		else if (cmd == GETZCNT)
			ret = s->sems[num].zcnt;
		else if ((int)arg < 0 || (int)arg > SEMVMX)
			ret = -ERANGE;
		else {
			s->sems[num].val = (int)arg;
			s->sems[num].pid = proc_current()->pid;
			s->ctime = sem_now();
			sem_forget_undo(id, num);
			sem_generation++;
			wake_up(&s->wq);
		}
		break;
	case GETALL:
		if (!sem_may(s, &c, &g, 0444)) {
			ret = -EACCES;
			break;
		}
		for (unsigned i = 0; i < s->nsems; i++)
			vals[i] = (uint16_t)s->sems[i].val;
		unsigned n = s->nsems;
		spin_unlock(&sem_lock);
		ret = copy_to_user((void __user *)arg, vals, n * sizeof(*vals));
		kfree(vals);
		return ret;
	case SETALL:
		if (!sem_may(s, &c, &g, 0222)) {
			ret = -EACCES;
			break;
		}
		for (unsigned i = 0; i < s->nsems; i++) {
			if (vals[i] > SEMVMX) {
				ret = -ERANGE;
				break;
			}
		}
		if (ret)
			break;
		for (unsigned i = 0; i < s->nsems; i++) {
			s->sems[i].val = vals[i];
			s->sems[i].pid = proc_current()->pid;
		}
		s->ctime = sem_now();
		sem_forget_undo(id, -1);
		sem_generation++;
		wake_up(&s->wq);
		break;
	default:
		ret = -EINVAL;
	}
out:
	spin_unlock(&sem_lock);
	kfree(vals);
	kfree(drop);
	return ret;
}

void sem_exit(struct proc *p)
{
	struct list dead = LIST_INIT(dead);
	struct list *pos, *tmp;

	if (list_empty(&sem_undos))
		return; /* racy but safe: only p adds its own records */
	spin_lock(&sem_lock);
	list_for_each_safe(pos, tmp, &sem_undos) {
		struct sem_undo *u = list_entry(pos, struct sem_undo, node);
		if (u->owner != p)
			continue;
		struct sem_set *s = sem_find(u->id);
		if (s && u->adj) {
			int v = s->sems[u->num].val + u->adj;
			s->sems[u->num].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
			s->sems[u->num].pid = p->pid;
			sem_generation++;
			wake_up(&s->wq);
		}
		list_remove(&u->node);
		list_add_tail(&dead, &u->node);
	}
	spin_unlock(&sem_lock);
	list_for_each_safe(pos, tmp, &dead)
		kfree(list_entry(pos, struct sem_undo, node));
}

void sem_exit_all(void)
{
	for (int slot = 0; slot < SEM_SETS; slot++) {
		struct sem_set *drop = NULL;

		spin_lock(&sem_lock);
		if (sem_sets[slot])
			drop = sem_remove(slot);
		spin_unlock(&sem_lock);
		kfree(drop);
	}
}

/*
 * flock.c - advisory file locks, as Linux keeps them (man 2 fcntl,
 * "Advisory record locking" and "Open file description locks"; man 2
 * flock):
 *
 *  - POSIX record locks (F_SETLK, F_SETLKW, F_GETLK) belong to a process:
 *    a process's locks never conflict with each other (a new lock over
 *    its own replaces, splits and merges them), closing any descriptor of
 *    the file drops all of the process's locks on it, and so does its exit;
 *    fork does not hand them on.
 *  - OFD locks (F_OFD_*) are record locks of the open file description:
 *    they conflict with POSIX locks of any process and with other
 *    descriptions' OFD locks, and go with the description's last close.
 *  - flock() locks cover the whole file, belong to the description too,
 *    and live apart from record locks (neither kind sees the other).
 *
 * A lock is a struct flock_rec on one global list (sorted by start), keyed by what the file
 * is (its vnode, or a pipe's shared state: struct file's priv), with an
 * inclusive byte range.  Waiters (F_SETLKW, flock without LOCK_NB) sleep on
 * flock_wq and look again after any unlock.  A POSIX waiter records whom
 * it waits for, so that a wait that would close a cycle of processes
 * waiting on each other fails with EDEADLK instead (Linux does the same;
 * OFD and flock waits are not checked, as on Linux).
 *
 * Lock key: [flock_lock] the list, every record and the waiter table;
 * flock_count [A] (records in all, for the close path's fast test).
 * Order: flock_lock is a leaf but for the waitq lock it wakes.
 */
#include <keel/flock.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <keel/proc.h>
#include <keel/spinlock.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include <lib/string.h>

#define FLK_POSIX         1
#define FLK_OFD           2
#define FLK_FLOCK         3
#define FLOCK_END         UINT64_MAX /* "to the end of the file", and beyond */
#define FLOCK_OFF_MAX     ((uint64_t)INT64_MAX)
#define FLOCK_WAITERS_MAX 64    /* POSIX waiters the deadlock check sees */
#define FLOCK_RECORDS_MAX 16384 /* locks in all: the lists are scanned whole */

struct flock_rec {
	struct list node;    /* [flock_lock] on flock_all */
	const void *key;     /* the file: its vnode, or a pipe's state */
	int kind;            /* FLK_* */
	const void *owner;   /* struct proc (POSIX) or struct file */
	int pid;             /* what F_GETLK reports: the owner's pid, -1 for OFD */
	int type;            /* F_RDLCK or F_WRLCK */
	uint64_t start, end; /* inclusive */
};

/* A POSIX waiter: owner waits for a lock blocker holds. */
struct flock_waiter {
	const void *owner, *blocker;
};

static struct spinlock flock_lock = SPINLOCK_INIT("flock");
static struct list flock_all = LIST_INIT(flock_all);         /* [flock_lock] */
static struct flock_waiter flock_waiters[FLOCK_WAITERS_MAX]; /* [flock_lock] */
static unsigned long flock_count;                            /* [A] */
static struct waitq flock_wq = WAITQ_INIT(flock_wq, "flock_wq");

static const void *flock_key(struct file *f)
{
	return f->vnode ? (const void *)f->vnode : f->priv ? f->priv : (const void *)f;
}

static bool flock_is_record(int kind)
{
	return kind == FLK_POSIX || kind == FLK_OFD;
}

/* Would a lock (kind, owner, type, range) conflict with r? */
static bool flock_conflicts(const struct flock_rec *r, const void *key, int kind, const void *owner,
			    int type, uint64_t start, uint64_t end)
{
	if (r->key != key || flock_is_record(r->kind) != flock_is_record(kind))
		return false;
	if (r->owner == owner && r->kind == kind)
		return false;
	if (r->type != F_WRLCK && type != F_WRLCK)
		return false;
	return r->start <= end && start <= r->end;
}

/* The first lock in the way, or NULL.  [flock_lock] */
static struct flock_rec *flock_find_conflict(const void *key, int kind, const void *owner, int type,
					     uint64_t start, uint64_t end)
{
	struct list *pos;

	spin_assert_held(&flock_lock);
	list_for_each(pos, &flock_all) {
		struct flock_rec *r = list_entry(pos, struct flock_rec, node);
		if (flock_conflicts(r, key, kind, owner, type, start, end))
			return r;
	}
	return NULL;
}

/* Would owner waiting for blocker close a cycle of POSIX waiters?  [flock_lock] */
static bool flock_would_deadlock(const void *owner, const void *blocker)
{
	for (unsigned depth = 0; depth < FLOCK_WAITERS_MAX && blocker; depth++) {
		const void *next = NULL;

		if (blocker == owner)
			return true;
		for (unsigned i = 0; i < FLOCK_WAITERS_MAX; i++)
			if (flock_waiters[i].owner == blocker)
				next = flock_waiters[i].blocker;
		blocker = next;
	}
	return false;
}

/* Note (blocker non-NULL) or forget owner's wait.  [flock_lock] */
static void flock_note_wait(const void *owner, const void *blocker)
{
	for (unsigned i = 0; i < FLOCK_WAITERS_MAX; i++) {
		if (flock_waiters[i].owner == (blocker ? NULL : owner)) {
			flock_waiters[i].owner = blocker ? owner : NULL;
			flock_waiters[i].blocker = blocker;
			return;
		}
	}
}

static void flock_unlink(struct flock_rec *r, struct list *dead)
{
	list_remove(&r->node);
	list_add_tail(dead, &r->node);
	__atomic_fetch_sub(&flock_count, 1, __ATOMIC_RELAXED);
}

/* Keep flock_all sorted by start, so that F_GETLK reports the lowest lock
 * in the way, as Linux's per-owner sorted lists do. */
static void flock_link(struct flock_rec *r)
{
	struct list *pos;

	list_for_each(pos, &flock_all) {
		if (list_entry(pos, struct flock_rec, node)->start > r->start)
			break;
	}
	list_insert_between(&r->node, pos->prev, pos);
	__atomic_fetch_add(&flock_count, 1, __ATOMIC_RELAXED);
}

/* A spare record from *spares (the caller allocated enough). */
static struct flock_rec *flock_take(struct flock_rec **spares)
{
	struct flock_rec *r = spares[0] ? spares[0] : spares[1];

	assert(r);
	if (r == spares[0])
		spares[0] = NULL;
	else
		spares[1] = NULL;
	return r;
}

/*
 * Give owner's locks of this kind on key the range [start, end] with type
 * (F_UNLCK: none): cut what was there, split what straddles it, add the
 * new record and merge it with its neighbours of the same type.  Uses at
 * most the two spares.  [flock_lock]
 */
static void flock_apply(const void *key, int kind, const void *owner, int pid, int type,
			uint64_t start, uint64_t end, struct flock_rec **spares, struct list *dead)
{
	struct list *pos, *tmp;
	struct flock_rec *nr = NULL;

	spin_assert_held(&flock_lock);
	if (type != F_UNLCK) {
		nr = flock_take(spares);
		*nr = (struct flock_rec){ .key = key,
					  .kind = kind,
					  .owner = owner,
					  .pid = pid,
					  .type = type,
					  .start = start,
					  .end = end };
	}
	list_for_each_safe(pos, tmp, &flock_all) {
		struct flock_rec *r = list_entry(pos, struct flock_rec, node);
		if (r->key != key || r->kind != kind || r->owner != owner)
			continue;
		/* Same type and touching: absorb it into the new record. */
		if (nr && r->type == type && r->start <= (end == FLOCK_END ? end : end + 1) &&
		    (start == 0 ? 0 : start - 1) <= r->end) {
			nr->start = MIN(nr->start, r->start);
			nr->end = MAX(nr->end, r->end);
			flock_unlink(r, dead);
			continue;
		}
		if (r->end < start || r->start > end)
			continue;
		if (r->start < start && r->end > end) { /* split in two */
			struct flock_rec *right = flock_take(spares);
			*right = *r;
			right->start = end + 1;
			r->end = start - 1;
			flock_link(right);
		} else if (r->start < start) {
			r->end = start - 1;
		} else if (r->end > end) {
			r->start = end + 1;
		} else {
			flock_unlink(r, dead);
		}
	}
	if (nr)
		flock_link(nr);
}

static void flock_free_list(struct list *dead)
{
	while (!list_empty(dead)) {
		struct flock_rec *r = list_entry(dead->next, struct flock_rec, node);
		list_remove(&r->node);
		kfree(r);
	}
}

/*
 * Take (or drop: F_UNLCK) a lock, waiting if wait says so.  0, -EAGAIN
 * (in the way, no wait), -EDEADLK, -EINTR, -ENOMEM.
 */
static int flock_set(const void *key, int kind, const void *owner, int pid, int type,
		     uint64_t start, uint64_t end, bool wait)
{
	struct flock_rec *spares[2] = { kmalloc(sizeof(struct flock_rec), 0),
					kmalloc(sizeof(struct flock_rec), 0) };
	struct list dead = LIST_INIT(dead);
	int err = 0;

	if (!spares[0] || !spares[1]) {
		err = -ENOMEM;
		goto out;
	}
	spin_lock(&flock_lock);
	/* Bounded, as the scans under this lock must be (Linux: ENOLCK). */
	if (type != F_UNLCK &&
	    __atomic_load_n(&flock_count, __ATOMIC_RELAXED) + 2 > FLOCK_RECORDS_MAX) {
		spin_unlock(&flock_lock);
		err = -ENOLCK;
		goto out;
	}
	for (;;) {
		struct flock_rec *in_way =
			type == F_UNLCK ? NULL :
					  flock_find_conflict(key, kind, owner, type, start, end);
		if (!in_way)
			break;
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (kind == FLK_POSIX && in_way->kind == FLK_POSIX &&
		    flock_would_deadlock(owner, in_way->owner)) {
			err = -EDEADLK;
			break;
		}
		if (kind == FLK_POSIX)
			flock_note_wait(owner, in_way->owner);
		err = wait_event_locked(&flock_wq, &flock_lock,
					!flock_find_conflict(key, kind, owner, type, start, end));
		if (kind == FLK_POSIX)
			flock_note_wait(owner, NULL);
		if (err)
			break;
	}
	if (!err)
		flock_apply(key, kind, owner, pid, type, start, end, spares, &dead);
	spin_unlock(&flock_lock);
	if (!err)
		wake_up(&flock_wq); /* an unlock, a downgrade or a merge frees ranges */
out:
	kfree(spares[0]);
	kfree(spares[1]);
	flock_free_list(&dead);
	return err;
}

/* ---------------------------------------------------------------- fcntl */

/* struct flock of Linux x86-64 (32 bytes). */
struct k_flock {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad0;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad1;
};
_Static_assert(sizeof(struct k_flock) == 32, "struct flock");

/* The inclusive range l describes in f: 0, -EINVAL or -EOVERFLOW. */
static int flock_range(struct file *f, const struct k_flock *l, uint64_t *start, uint64_t *end)
{
	int64_t base, s;

	switch (l->l_whence) {
	case FLOCK_SEEK_SET:
		base = 0;
		break;
	case FLOCK_SEEK_CUR:
		base = (int64_t)READ_ONCE(f->off);
		break;
	case FLOCK_SEEK_END:
		base = f->vnode ? (int64_t)READ_ONCE(f->vnode->size) : 0;
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, l->l_start, &s))
		return -EOVERFLOW;
	if (l->l_len > 0) {
		int64_t e;
		if (__builtin_add_overflow(s, l->l_len - 1, &e))
			return -EOVERFLOW;
		*end = (uint64_t)e;
	} else if (l->l_len == 0) {
		*end = FLOCK_END;
	} else {
		if (s + l->l_len < 0 || s == 0)
			return -EINVAL;
		*end = (uint64_t)(s - 1);
		s += l->l_len;
	}
	if (s < 0)
		return -EINVAL;
	*start = (uint64_t)s;
	return 0;
}

long flock_fcntl(struct file *f, int cmd, void __user *uarg)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	struct proc *me = proc_current();
	const void *owner = ofd ? (const void *)f : (const void *)me;
	int kind = ofd ? FLK_OFD : FLK_POSIX;
	struct k_flock l;
	uint64_t start, end;
	int err;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	if (l.l_type != F_RDLCK && l.l_type != F_WRLCK && l.l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && l.l_pid != 0)
		return -EINVAL; /* Linux: OFD requests must have l_pid 0 */
	if ((err = flock_range(f, &l, &start, &end)))
		return err;
	if (get) {
		struct flock_rec *r;

		if (l.l_type == F_UNLCK)
			return -EINVAL;
		spin_lock(&flock_lock);
		r = flock_find_conflict(flock_key(f), kind, owner, l.l_type, start, end);
		if (r) {
			l.l_type = (int16_t)r->type;
			l.l_whence = FLOCK_SEEK_SET;
			l.l_start = (int64_t)r->start;
			l.l_len = r->end == FLOCK_END ? 0 : (int64_t)(r->end - r->start + 1);
			l.l_pid = r->pid;
		} else {
			l.l_type = F_UNLCK;
		}
		spin_unlock(&flock_lock);
		return copy_to_user(uarg, &l, sizeof(l));
	}
	if ((l.l_type == F_RDLCK && !file_readable(f)) ||
	    (l.l_type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return flock_set(flock_key(f), kind, owner, ofd ? -1 : me->pid, l.l_type, start, end,
			 cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* ---------------------------------------------------------------- flock(2) */

/* Does the description f hold a flock() lock of type on key? */
static bool flock_holds(const void *key, const void *f, int type)
{
	struct list *pos;
	bool held = false;

	spin_lock(&flock_lock);
	list_for_each(pos, &flock_all) {
		struct flock_rec *r = list_entry(pos, struct flock_rec, node);
		if (r->key == key && r->kind == FLK_FLOCK && r->owner == f && r->type == type)
			held = true;
	}
	spin_unlock(&flock_lock);
	return held;
}

long flock_flock(struct file *f, int op)
{
	bool nb = op & LOCK_NB;
	int type;

	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	/* A conversion drops the old lock first, as Linux's does; the same
	 * lock again changes nothing. */
	if (type != F_UNLCK) {
		if (flock_holds(flock_key(f), f, type))
			return 0;
		(void)flock_set(flock_key(f), FLK_FLOCK, f, -1, F_UNLCK, 0, FLOCK_END, false);
	}
	return flock_set(flock_key(f), FLK_FLOCK, f, -1, type, 0, FLOCK_END, !nb);
}

/* ---------------------------------------------------------------- release */

/* Drop every record matching (key or any, kind class, owner).  */
static void flock_drop(const void *key, bool posix, const void *owner)
{
	struct list dead = LIST_INIT(dead);
	struct list *pos, *tmp;

	if (!__atomic_load_n(&flock_count, __ATOMIC_RELAXED))
		return; /* the common case: no locks anywhere */
	spin_lock(&flock_lock);
	list_for_each_safe(pos, tmp, &flock_all) {
		struct flock_rec *r = list_entry(pos, struct flock_rec, node);
		if (r->owner == owner && (r->kind == FLK_POSIX) == posix && (!key || r->key == key))
			flock_unlink(r, &dead);
	}
	spin_unlock(&flock_lock);
	if (!list_empty(&dead)) {
		wake_up(&flock_wq);
		flock_free_list(&dead);
	}
}

void flock_close(struct file *f)
{
	struct proc *me = proc_current();

	if (me)
		flock_drop(flock_key(f), true, me);
}

void flock_file_release(struct file *f)
{
	flock_drop(NULL, false, f);
}

void flock_proc_exit(struct proc *p)
{
	flock_drop(NULL, true, p);
}

/*
 * sys_shm.c - System V shared memory (shmget, shmat, shmdt, shmctl; man 2
 * shmget, man 7 sysvipc), Linux's semantics and structure layouts.
 *
 * A segment is an anonymous memory object (keel/vmobj.h) tagged as shm's;
 * shmat maps it like MAP_SHARED memory, so fork hands attaches on and exit
 * and exec drop them with the address space.  Like Linux, shm_nattch counts
 * the VMAs that map the segment (a split attach counts twice): it is the
 * object's references less the segment's own.  IPC_RMID of an attached
 * segment drops the segment's reference and marks it SHM_DEST with a
 * private key: the id still works (Linux lets even shmat use it) until the
 * last attach goes, when the object's gone callback (shm_gone) takes the
 * id out of the table; an unattached segment goes at once.
 *
 * Permissions: as files', by the caller's effective ids against the
 * segment's owner (uid) or creator (cuid) and their groups; root bypasses
 * them.  Only the owner, the creator or root may IPC_SET or IPC_RMID.
 *
 * Lock key: [shm_lock] the table and every segment's fields (a spinlock:
 * shm_gone runs wherever the last VMA goes).  shmat holds a reference of
 * its own on the object while it maps it, without the lock.
 */
#include <keel/cred.h>
#include <keel/kmalloc.h>
#include <keel/spinlock.h>
#include <keel/pmm.h>
#include <keel/proc.h>
#include <keel/syscall.h>
#include <keel/sys_shm.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/vm.h>
#include <keel/vmobj.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_ipc.h"

#define IPC_PRIVATE  0
#define IPC_CREAT    01000
#define IPC_EXCL     02000
#define IPC_RMID     0
#define IPC_SET      1
#define IPC_STAT     2
#define IPC_INFO     3
#define SHM_LOCK     11
#define SHM_UNLOCK   12
#define SHM_STAT     13
#define SHM_INFO     14
#define SHM_STAT_ANY 15
#define SHM_RDONLY   010000
#define SHM_RND      020000
#define SHM_REMAP    040000
#define SHM_EXEC     0100000
#define SHM_DEST     01000 /* shm_perm.mode: removed, still attached */
#define SHM_MODE     0777
#define SHM_SEGS     256 /* shmmni: segments at once */
#define SHM_MIN      1
#define SHM_MAX      (USER_TOP / 2) /* shmmax: a segment's bytes */
#define SHM_SEQ_MULT SHM_SEGS       /* shmid = seq * SHM_SEQ_MULT + slot */
#define SHM_SEQ_MAX  32768

struct k_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq, pad0;
	uint32_t pad1;
	uint64_t unused[2];
};

struct k_shmid64_ds {
	struct k_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused[2];
};
_Static_assert(sizeof(struct k_shmid64_ds) == 112, "struct shmid64_ds");

struct k_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};

struct k_shm_info {
	int32_t used_ids;
	int32_t pad;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

struct shm_seg {
	int32_t key;
	uint16_t seq;
	struct vmobj *obj;    /* the segment's own reference */
	uint64_t size;        /* bytes asked for */
	struct ipc_owner own; /* [lock] owner, creator, mode */
	int64_t atime, dtime, ctime;
	int cpid, lpid;
	bool dest; /* IPC_RMID'd while attached: no own reference */
};

static char shm_tag; /* vmobj_set_tag's marker */
static struct spinlock shm_lock = SPINLOCK_INIT("shm");
static struct shm_seg *shm_segs[SHM_SEGS]; /* [shm_lock] */
static uint16_t shm_seq[SHM_SEGS];         /* [shm_lock] reuses of each slot */

static int64_t shm_now(void)
{
	return (int64_t)(time_real_ns() / NSEC_PER_SEC);
}

static bool shm_may(const struct shm_seg *s, const struct cred *c, const struct cred_fs *g,
		    unsigned want)
{
	return ipc_may(&s->own, c, g, want);
}

static bool shm_owner(const struct shm_seg *s, const struct cred *c)
{
	return ipc_owner_may(&s->own, c);
}

static void shm_cred(struct cred *c, struct cred_fs *g)
{
	cred_get(proc_current(), c);
	cred_fs_current(g, false);
}

/* The segment of shmid, or NULL.  [shm_lock] */
static struct shm_seg *shm_find(int id)
{
	int slot = id % SHM_SEQ_MULT;
	struct shm_seg *s;

	spin_assert_held(&shm_lock);
	if (id < 0)
		return NULL;
	s = shm_segs[slot];
	return s && s->seq == id / SHM_SEQ_MULT ? s : NULL;
}

static int shm_id(int slot)
{
	return shm_segs[slot]->seq * SHM_SEQ_MULT + slot;
}

static unsigned long shm_nattch(const struct shm_seg *s)
{
	return vmobj_users(s->obj) - (s->dest ? 0 : 1);
}

/* Free slot's segment record (its object reference is dealt with).  [shm_lock] */
static void shm_forget(int slot)
{
	struct shm_seg *s = shm_segs[slot];

	spin_assert_held(&shm_lock);
	shm_segs[slot] = NULL;
	shm_seq[slot] = (uint16_t)((s->seq + 1) % SHM_SEQ_MAX);
	kfree(s);
}

/* The last attach of a removed segment went: its id goes too. */
static void shm_gone(struct vmobj *o)
{
	spin_lock(&shm_lock);
	for (int slot = 0; slot < SHM_SEGS; slot++)
		if (shm_segs[slot] && shm_segs[slot]->obj == o)
			shm_forget(slot);
	spin_unlock(&shm_lock);
}

/* A new segment of size bytes (s, obj prepared by the caller, no lock)
 * in a free slot: its id, or -ENOSPC.  [shm_lock] */
static int shm_create(struct shm_seg *s, int32_t key, uint64_t size, unsigned mode,
		      const struct cred *c)
{
	int slot;

	spin_assert_held(&shm_lock);
	for (slot = 0; slot < SHM_SEGS && shm_segs[slot]; slot++)
		;
	if (slot == SHM_SEGS)
		return -ENOSPC;
	s->key = key;
	s->size = size;
	s->own.uid = s->own.cuid = c->u.eff;
	s->own.gid = s->own.cgid = c->g.eff;
	s->own.mode = mode & SHM_MODE;
	s->ctime = shm_now();
	s->cpid = proc_current()->pid;
	s->seq = shm_seq[slot];
	shm_segs[slot] = s;
	return shm_id(slot);
}

SYSCALL_DEFINE3(shmget, int32_t, key, size_t, size, int, flags)
{
	struct shm_seg *fresh = NULL;
	struct cred c;
	struct cred_fs g;
	long ret = -ENOENT;

	shm_cred(&c, &g);
	/* A new segment is made before the lock (allocations may sleep). */
	if ((key == IPC_PRIVATE || (flags & IPC_CREAT)) && size >= SHM_MIN && size <= SHM_MAX &&
	    ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE <= pmm_total_frames() &&
	    (fresh = kzalloc(sizeof(*fresh)))) {
		fresh->obj = vmobj_create(ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
		if (fresh->obj) {
			vmobj_set_tag(fresh->obj, &shm_tag, shm_gone);
		} else {
			kfree(fresh);
			fresh = NULL;
		}
	}
	spin_lock(&shm_lock);
	if (key != IPC_PRIVATE) {
		for (int slot = 0; slot < SHM_SEGS; slot++) {
			struct shm_seg *s = shm_segs[slot];
			if (!s || s->key != key || s->dest)
				continue;
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				ret = -EEXIST;
			else if (size > s->size)
				ret = -EINVAL;
			else if (!shm_may(s, &c, &g, (unsigned)flags & SHM_MODE))
				ret = -EACCES;
			else
				ret = shm_id(slot);
			goto out;
		}
	}
	if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
		goto out;
	if (size < SHM_MIN || size > SHM_MAX ||
	    ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE > pmm_total_frames()) {
		ret = size > SHM_MAX || size < SHM_MIN ? -EINVAL : -ENOMEM;
		goto out;
	}
	if (!fresh) {
		ret = -ENOMEM;
		goto out;
	}
	ret = shm_create(fresh, key, size, (unsigned)flags, &c);
	if (ret >= 0)
		fresh = NULL;
out:
	spin_unlock(&shm_lock);
	if (fresh) { /* not needed after all */
		vmobj_put(fresh->obj);
		kfree(fresh);
	}
	return ret;
}

SYSCALL_DEFINE3(shmat, int, id, uintptr_t, addr, int, flags)
{
	struct mm *mm = thread_current()->mm;
	unsigned prot = PROT_READ | ((flags & SHM_RDONLY) ? 0 : PROT_WRITE) |
			((flags & SHM_EXEC) ? PROT_EXEC : 0);
	struct vmobj *obj = NULL;
	struct shm_seg *s;
	struct cred c;
	struct cred_fs g;
	size_t len;
	long ret;

	if (addr && (flags & SHM_RND))
		addr = ALIGN_DOWN(addr, PAGE_SIZE); /* SHMLBA is a page on x86 */
	if (!IS_ALIGNED(addr, PAGE_SIZE) || (!addr && (flags & SHM_REMAP)))
		return -EINVAL;
	shm_cred(&c, &g);
	spin_lock(&shm_lock);
	s = shm_find(id);
	if (!s) {
		ret = -EINVAL;
		goto out;
	}
	if (!shm_may(s, &c, &g, (flags & SHM_RDONLY) ? 0444 : 0666)) {
		ret = -EACCES;
		goto out;
	}
	if (!vmobj_tryget(s->obj)) {
		ret = -EINVAL; /* its last attach is going right now */
		goto out;
	}
	obj = s->obj;
	spin_unlock(&shm_lock);
	/* Mapping sleeps: without the lock, holding our own reference. */
	len = vmobj_size(obj) * PAGE_SIZE;
	if (addr && !(flags & SHM_REMAP) && !vm_range_unused(mm, addr, len))
		ret = -EINVAL; /* Linux: no SHM_REMAP over an existing mapping */
	else
		ret = vm_map_obj(mm, addr, len, prot,
				 VMA_SHARED | ((flags & SHM_RDONLY) ? VMA_NOWRITE : 0), obj, 0,
				 addr != 0);
	spin_lock(&shm_lock);
	for (int slot = 0; ret >= 0 && slot < SHM_SEGS; slot++) {
		if (shm_segs[slot] && shm_segs[slot]->obj == obj) {
			shm_segs[slot]->atime = shm_now();
			shm_segs[slot]->lpid = proc_current()->pid;
		}
	}
out:
	spin_unlock(&shm_lock);
	vmobj_put(obj);
	return ret;
}

SYSCALL_DEFINE1(shmdt, uintptr_t, addr)
{
	const struct vmobj *obj;
	int err;

	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	err = vm_detach_obj(thread_current()->mm, addr, &shm_tag, &obj);
	if (err)
		return err;
	spin_lock(&shm_lock);
	for (int slot = 0; slot < SHM_SEGS; slot++) { /* compared, never dereferenced */
		struct shm_seg *s = shm_segs[slot];
		if (s && s->obj == obj) {
			s->dtime = shm_now();
			s->lpid = proc_current()->pid;
		}
	}
	spin_unlock(&shm_lock);
	return 0;
}

static void shm_fill_ds(const struct shm_seg *s, struct k_shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm.key = s->key;
	ds->shm_perm.uid = s->own.uid;
	ds->shm_perm.gid = s->own.gid;
	ds->shm_perm.cuid = s->own.cuid;
	ds->shm_perm.cgid = s->own.cgid;
	ds->shm_perm.mode = s->own.mode;
	ds->shm_perm.seq = s->seq;
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = shm_nattch(s);
}

/* IPC_INFO, SHM_INFO: the limits, or what is in use; the highest slot in use. */
static long shm_info(int cmd, void __user *ubuf)
{
	struct k_shminfo64 lim = {
		SHM_MAX, SHM_MIN, SHM_SEGS, SHM_SEGS, SHM_MAX / PAGE_SIZE, { 0 }
	};
	struct k_shm_info use = { 0 };
	int top = 0;

	spin_lock(&shm_lock);
	for (int slot = 0; slot < SHM_SEGS; slot++) {
		if (!shm_segs[slot])
			continue;
		top = slot;
		use.used_ids++;
		use.shm_tot += vmobj_size(shm_segs[slot]->obj);
	}
	spin_unlock(&shm_lock);
	if (cmd == IPC_INFO ? copy_to_user(ubuf, &lim, sizeof(lim)) :
			      copy_to_user(ubuf, &use, sizeof(use)))
		return -EFAULT;
	return top;
}

SYSCALL_DEFINE3(shmctl, int, id, int, cmd, struct k_shmid64_ds __user *, ubuf)
{
	struct k_shmid64_ds ds;
	struct shm_seg *s;
	struct vmobj *drop = NULL;
	struct cred c;
	struct cred_fs g;
	long ret = 0;

	if (cmd == IPC_INFO || cmd == SHM_INFO)
		return shm_info(cmd, ubuf);
	if (cmd == IPC_SET && copy_from_user(&ds, ubuf, sizeof(ds)))
		return -EFAULT;
	shm_cred(&c, &g);
	spin_lock(&shm_lock);
	if (cmd == SHM_STAT || cmd == SHM_STAT_ANY) {
		/* id is a slot; the answer is the segment's id. */
		s = id >= 0 && id < SHM_SEGS ? shm_segs[id] : NULL;
		ret = s ? shm_id(id) : -EINVAL;
	} else {
		s = shm_find(id);
	}
	if (!s) {
		ret = -EINVAL;
		goto out;
	}
	switch (cmd) {
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		if (cmd != SHM_STAT_ANY && !shm_may(s, &c, &g, 0444)) {
			ret = -EACCES;
			break;
		}
		shm_fill_ds(s, &ds);
		spin_unlock(&shm_lock);
		if (copy_to_user(ubuf, &ds, sizeof(ds)))
			return -EFAULT;
		return ret;
	case IPC_SET:
		if (!shm_owner(s, &c)) {
			ret = -EPERM;
			break;
		}
		s->own.uid = ds.shm_perm.uid;
		s->own.gid = ds.shm_perm.gid;
		s->own.mode = (s->own.mode & ~SHM_MODE) | (ds.shm_perm.mode & SHM_MODE);
		s->ctime = shm_now();
		break;
	case IPC_RMID:
		if (!shm_owner(s, &c)) {
			ret = -EPERM;
			break;
		}
		if (s->dest)
			break; /* removed already */
		drop = s->obj;
		if (shm_nattch(s) == 0) {
			shm_forget(id % SHM_SEQ_MULT);
		} else { /* the last detach takes the id (shm_gone) */
			s->dest = true;
			s->key = IPC_PRIVATE;
			s->own.mode |= SHM_DEST;
		}
		break;
	case SHM_LOCK:
	case SHM_UNLOCK:
		ret = shm_owner(s, &c) ? 0 : -EPERM;
		break; /* Keel never pages out: nothing more to do */
	default:
		ret = -EINVAL;
	}
out:
	spin_unlock(&shm_lock);
	vmobj_put(drop); /* the attaches keep the memory until they go */
	return ret;
}

void shm_exit_all(void)
{
	for (int slot = 0; slot < SHM_SEGS; slot++) {
		struct vmobj *drop = NULL;

		spin_lock(&shm_lock);
		struct shm_seg *s = shm_segs[slot];
		if (s && !s->dest) {
			drop = s->obj;
			if (shm_nattch(s) == 0) {
				shm_forget(slot);
			} else {
				s->dest = true;
				s->key = IPC_PRIVATE;
				s->own.mode |= SHM_DEST;
			}
		}
		spin_unlock(&shm_lock);
		vmobj_put(drop);
	}
}

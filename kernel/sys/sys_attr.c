/*
 * sys_attr.c - system calls on file metadata and file systems: chmod,
 * fchmod, fchmodat, fchmodat2, chown, fchown, lchown, fchownat,
 * utimensat, utime, utimes, futimesat, truncate, link, linkat, statfs,
 * fstatfs (Linux semantics; conventions in kernel/sys/sys_fs.c).
 *
 * Who may change what is kernel/fs/perm.c's: the owner or root changes
 * the mode, root the owner, the owner the group to one of its own, the
 * owner sets times (anyone with write permission sets them to now).  The
 * calls differ from Linux only where a file has no vnode (a pipe): its
 * attributes cannot be changed (-EOPNOTSUPP).  Changes go through
 * vfs_setattr, which also sets ctime and drops set-id bits on a change of
 * owner.
 */
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/syscall.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_fs.h"

#define UTIME_NOW      ((1l << 30) - 1)
#define UTIME_OMIT     ((1l << 30) - 2)
#define USEC_PER_SEC_L 1000000l
#define NSEC_PER_SEC_L 1000000000l
#define PIPEFS_MAGIC   0x50495045
#define UTIME_SEC_MAX  (INT64_MAX / NSEC_PER_SEC_L - 1) /* int64 ns hold this */

/*
 * The vnode a metadata call acts on: the file open at dirfd when path is
 * empty and flags has AT_EMPTY_PATH (or upath is NULL and null_is_fd),
 * else dirfd/path, following a final symlink unless flags has
 * AT_SYMLINK_NOFOLLOW.  0 with *out referenced, or -Exxx.
 */
static int attr_target(int dirfd, const char __user *upath, int flags, bool null_is_fd,
		       struct vnode **out)
{
	struct vnode *base;
	struct file *f;
	char *path = NULL;
	int err;

	if (!(upath == NULL && null_is_fd)) {
		if ((err = user_path(upath, &path)))
			return err;
		if (path[0] || !(flags & AT_EMPTY_PATH)) {
			err = at_base(dirfd, path, &base);
			if (!err) {
				err = vfs_lookup(base, path,
						 (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW,
						 out);
				vnode_put(base);
			}
			kfree(path);
			return err;
		}
		kfree(path);
		if (dirfd == AT_FDCWD) {
			*out = vfs_cwd();
			return 0;
		}
	}
	if (!(f = fd_get(dirfd)))
		return -EBADF;
	err = f->vnode ? 0 : -EOPNOTSUPP;
	if (f->vnode)
		*out = vnode_get(f->vnode);
	file_put(f);
	return err;
}

static long attr_apply(struct vnode *v, const struct vattr *a)
{
	int err = vfs_setattr(v, a);

	vnode_put(v);
	return err;
}

/* ---------------------------------------------------------------- chmod */

static long attr_chmod(struct vnode *v, struct vattr *a)
{
	int err = vfs_may_write(v); /* EROFS first, as Linux */

	if (!err)
		err = vfs_chmod_check(v, &a->mode);
	if (err) {
		vnode_put(v);
		return err;
	}
	return attr_apply(v, a);
}

static long do_fchmodat(int dirfd, const char __user *upath, unsigned mode, int flags)
{
	struct vattr a = { .valid = VA_MODE, .mode = mode & S_IMODE };
	struct vnode *v;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = attr_target(dirfd, upath, flags, false, &v)))
		return err;
	if (S_ISLNK(v->mode)) {
		vnode_put(v);
		return -EOPNOTSUPP; /* a symlink's mode cannot change */
	}
	return attr_chmod(v, &a);
}

SYSCALL_DEFINE2(chmod, const char __user *, path, unsigned, mode)
{
	return do_fchmodat(AT_FDCWD, path, mode, 0);
}

SYSCALL_DEFINE3(fchmodat, int, dirfd, const char __user *, path, unsigned, mode)
{
	return do_fchmodat(dirfd, path, mode, 0);
}

SYSCALL_DEFINE4(fchmodat2, int, dirfd, const char __user *, path, unsigned, mode, int, flags)
{
	return do_fchmodat(dirfd, path, mode, flags);
}

SYSCALL_DEFINE2(fchmod, int, fd, unsigned, mode)
{
	struct vattr a = { .valid = VA_MODE, .mode = mode & S_IMODE };
	struct vnode *v;
	int err = attr_target(fd, NULL, 0, true, &v);

	return err ? err : attr_chmod(v, &a);
}

/* ---------------------------------------------------------------- chown */

static void chown_attr(struct vattr *a, uint32_t uid, uint32_t gid)
{
	memset(a, 0, sizeof(*a));
	a->valid = VA_KILL_SUID; /* even when both ids stay */
	if (uid != VFS_ID_UNCHANGED) {
		a->valid |= VA_UID;
		a->uid = uid;
	}
	if (gid != VFS_ID_UNCHANGED) {
		a->valid |= VA_GID;
		a->gid = gid;
	}
}

/* Check and apply a chown of v (referenced; dropped here). */
static long attr_chown(struct vnode *v, uint32_t uid, uint32_t gid)
{
	struct vattr a;
	int err = vfs_may_write(v); /* EROFS first, as Linux */

	if (!err)
		err = vfs_chown_check(v, uid, gid);
	if (err) {
		vnode_put(v);
		return err;
	}
	chown_attr(&a, uid, gid);
	return attr_apply(v, &a);
}

static long do_fchownat(int dirfd, const char __user *upath, uint32_t uid, uint32_t gid, int flags)
{
	struct vnode *v;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = attr_target(dirfd, upath, flags, false, &v)))
		return err;
	return attr_chown(v, uid, gid);
}

SYSCALL_DEFINE3(chown, const char __user *, path, uint32_t, uid, uint32_t, gid)
{
	return do_fchownat(AT_FDCWD, path, uid, gid, 0);
}

SYSCALL_DEFINE3(lchown, const char __user *, path, uint32_t, uid, uint32_t, gid)
{
	return do_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE5(fchownat, int, dirfd, const char __user *, path, uint32_t, uid, uint32_t, gid, int,
		flags)
{
	return do_fchownat(dirfd, path, uid, gid, flags);
}

SYSCALL_DEFINE3(fchown, int, fd, uint32_t, uid, uint32_t, gid)
{
	struct vnode *v;
	int err = attr_target(fd, NULL, 0, true, &v);

	if (err)
		return err;
	return attr_chown(v, uid, gid);
}

/* ---------------------------------------------------------------- times */

/* One timespec of utimensat into a (bit VA_ATIME or VA_MTIME). */
static int utime_one(const struct k_timespec *ts, unsigned bit, int64_t now, struct vattr *a)
{
	int64_t *dst = bit == VA_ATIME ? &a->atime : &a->mtime;

	if (ts->tv_nsec == UTIME_OMIT)
		return 0;
	a->valid |= bit;
	if (ts->tv_nsec == UTIME_NOW) {
		*dst = now;
		return 0;
	}
	if (ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC_L)
		return -EINVAL;
	/* Seconds beyond what int64 nanoseconds hold are clamped (year 2262). */
	*dst = ts->tv_sec > UTIME_SEC_MAX  ? UTIME_SEC_MAX * NSEC_PER_SEC_L :
	       ts->tv_sec < -UTIME_SEC_MAX ? -UTIME_SEC_MAX * NSEC_PER_SEC_L :
					     ts->tv_sec * NSEC_PER_SEC_L + ts->tv_nsec;
	return 0;
}

/*
 * utimensat core with kernel timespecs (NULL: both now).  upath NULL acts
 * on the file open at dirfd (futimens), as Linux does.
 */
static long do_utimens(int dirfd, const char __user *upath, const struct k_timespec *ts, int flags)
{
	struct vattr a = { .valid = 0 };
	int64_t now = (int64_t)vfs_now();
	struct vnode *v;
	int err;

	if (!ts) {
		a.valid = VA_ATIME | VA_MTIME;
		a.atime = a.mtime = now;
	} else if ((err = utime_one(&ts[0], VA_ATIME, now, &a)) ||
		   (err = utime_one(&ts[1], VA_MTIME, now, &a))) {
		return err;
	}
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!upath && dirfd == AT_FDCWD)
		return -EFAULT;
	if (!upath && (flags & AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if ((err = attr_target(dirfd, upath, flags, true, &v)))
		return err;
	/* Explicit times need the owner; both "now" also write permission
	 * (UTIME_NOW with UTIME_OMIT counts as explicit, as on Linux). */
	err = vfs_may_write(v);
	if (!err)
		err = vfs_utimes_check(
			v, !ts || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW));
	if (err) {
		vnode_put(v);
		return err;
	}
	return attr_apply(v, &a);
}

SYSCALL_DEFINE4(utimensat, int, dirfd, const char __user *, path, const struct k_timespec __user *,
		utimes, int, flags)
{
	struct k_timespec ts[2];

	if (!utimes)
		return do_utimens(dirfd, path, NULL, flags);
	if (copy_from_user(ts, utimes, sizeof(ts)))
		return -EFAULT;
	/* Nothing to change: Linux does not even look at the path. */
	if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
		return 0;
	return do_utimens(dirfd, path, ts, flags);
}

/* utimes/futimesat: timevals (NULL: now) into timespecs. */
static long do_futimesat(int dirfd, const char __user *path, const struct k_timeval __user *utv)
{
	struct k_timeval tv[2];
	struct k_timespec ts[2];

	if (!utv)
		return do_utimens(dirfd, path, NULL, 0);
	if (copy_from_user(tv, utv, sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= USEC_PER_SEC_L)
			return -EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * (int64_t)NSEC_PER_USEC;
	}
	return do_utimens(dirfd, path, ts, 0);
}

SYSCALL_DEFINE3(futimesat, int, dirfd, const char __user *, path, const struct k_timeval __user *,
		utv)
{
	return do_futimesat(dirfd, path, utv);
}

SYSCALL_DEFINE2(utimes, const char __user *, path, const struct k_timeval __user *, utv)
{
	return do_futimesat(AT_FDCWD, path, utv);
}

struct k_utimbuf {
	int64_t actime, modtime;
};

SYSCALL_DEFINE2(utime, const char __user *, path, const struct k_utimbuf __user *, ubuf)
{
	struct k_utimbuf b;
	struct k_timespec ts[2];

	if (!ubuf)
		return do_utimens(AT_FDCWD, path, NULL, 0);
	if (copy_from_user(&b, ubuf, sizeof(b)))
		return -EFAULT;
	ts[0] = (struct k_timespec){ b.actime, 0 };
	ts[1] = (struct k_timespec){ b.modtime, 0 };
	return do_utimens(AT_FDCWD, path, ts, 0);
}

/* ---------------------------------------------------------------- truncate */

SYSCALL_DEFINE2(truncate, const char __user *, path, int64_t, length)
{
	struct vnode *v;
	int err;

	if (length < 0)
		return -EINVAL;
	if ((err = attr_target(AT_FDCWD, path, 0, false, &v)))
		return err;
	err = S_ISDIR(v->mode) ? -EISDIR : !S_ISREG(v->mode) ? -EINVAL : 0;
	if (!err)
		err = vfs_may_write(v);
	if (!err)
		err = vfs_permission(v, MAY_WRITE);
	if (!err)
		err = fsize_check_size((uint64_t)length);
	if (!err)
		err = vfs_truncate(v, (uint64_t)length);
	vnode_put(v);
	return err;
}

/* ---------------------------------------------------------------- link */

static long do_linkat(int odirfd, const char __user *uold, int ndirfd, const char __user *unew,
		      int flags)
{
	struct vnode *v, *nbase;
	char *npath;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = attr_target(odirfd, uold,
			  (flags & AT_EMPTY_PATH) |
				  ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW),
			  false, &v);
	if (err)
		return err == -EOPNOTSUPP ? -ENOENT : err;
	if ((err = user_path(unew, &npath)))
		goto out_v;
	if (!(err = at_base(ndirfd, npath, &nbase))) {
		err = vfs_link(v, nbase, npath);
		vnode_put(nbase);
	}
	kfree(npath);
out_v:
	vnode_put(v);
	return err;
}

SYSCALL_DEFINE5(linkat, int, odirfd, const char __user *, oldpath, int, ndirfd, const char __user *,
		newpath, int, flags)
{
	return do_linkat(odirfd, oldpath, ndirfd, newpath, flags);
}

SYSCALL_DEFINE2(link, const char __user *, oldpath, const char __user *, newpath)
{
	return do_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

/* ---------------------------------------------------------------- statfs */

SYSCALL_DEFINE2(statfs, const char __user *, path, struct linux_statfs __user *, ubuf)
{
	struct linux_statfs st;
	struct vnode *v;
	int err;

	if (!user_range_ok((uintptr_t)ubuf, sizeof(st)))
		return -EFAULT;
	if ((err = attr_target(AT_FDCWD, path, 0, false, &v)))
		return err;
	vfs_statfs(v, &st);
	vnode_put(v);
	return copy_to_user(ubuf, &st, sizeof(st));
}

SYSCALL_DEFINE2(fstatfs, int, fd, struct linux_statfs __user *, ubuf)
{
	struct linux_statfs st;
	struct file *f;

	if (!user_range_ok((uintptr_t)ubuf, sizeof(st)))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	if (f->vnode) {
		vfs_statfs(f->vnode, &st);
	} else {
		memset(&st, 0, sizeof(st));
		st.f_type = PIPEFS_MAGIC;
		st.f_bsize = st.f_frsize = PAGE_SIZE;
		st.f_namelen = VFS_NAME_MAX;
		st.f_flags = ST_VALID;
	}
	file_put(f);
	return copy_to_user(ubuf, &st, sizeof(st));
}

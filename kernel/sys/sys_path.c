/*
 * sys_path.c - system calls on names and directories: stat family,
 * access, getdents64, getcwd, chdir, mkdir, unlink, rmdir, rename,
 * symlink, readlink, umask (Linux semantics; see kernel/sys/sys_fs.c for the
 * conventions).
 */
#include <keel/cred.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/proc.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_fs.h"

static long do_fstatat(int dirfd, const char __user *upath,
		       struct linux_stat __user *ust, int flags)
{
	struct linux_stat st;
	struct vnode *base, *v;
	char *path;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* NO_AUTOMOUNT */))
		return -EINVAL;
	if (!user_range_ok((uintptr_t)ust, sizeof(st)))
		return -EFAULT;
	if ((err = user_path(upath, &path)))
		return err;
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		kfree(path);
		if (dirfd == AT_FDCWD) {
			v = vfs_cwd();
			vfs_stat(v, &st);
			vnode_put(v);
		} else {
			struct file *f = fd_get(dirfd);

			if (!f)
				return -EBADF;
			file_stat(f, &st);
			file_put(f);
		}
		return copy_to_user(ust, &st, sizeof(st));
	}
	if (!(err = at_base(dirfd, path, &base))) {
		err = vfs_lookup(base, path,
				 (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, &v);
		vnode_put(base);
	}
	kfree(path);
	if (err)
		return err;
	vfs_stat(v, &st);
	vnode_put(v);
	return copy_to_user(ust, &st, sizeof(st));
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char __user *, path,
		struct linux_stat __user *, st, int, flags)
{
	return do_fstatat(dirfd, path, st, flags);
}

SYSCALL_DEFINE2(stat, const char __user *, path, struct linux_stat __user *, st)
{
	return do_fstatat(AT_FDCWD, path, st, 0);
}

SYSCALL_DEFINE2(lstat, const char __user *, path, struct linux_stat __user *, st)
{
	return do_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE2(fstat, int, fd, struct linux_stat __user *, ust)
{
	struct linux_stat st;
	struct file *f;

	if (!user_range_ok((uintptr_t)ust, sizeof(st)))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	file_stat(f, &st);
	file_put(f);
	return copy_to_user(ust, &st, sizeof(st));
}

/*
 * access(): the path is walked and the file checked as the real ids (the
 * effective ones with AT_EACCESS); W_OK on a read-only file system is
 * -EROFS.
 */
static long do_faccessat(int dirfd, const char __user *upath, int mode, int flags)
{
	struct vnode *base, *v;
	struct cred_fs cred;
	char *path;
	int err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = user_path(upath, &path)))
		return err;
	cred_fs_current(&cred, !(flags & AT_EACCESS));
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(dirfd);

		if (dirfd != AT_FDCWD && (!f || !f->vnode)) {
			err = f ? -ENOENT : -EBADF;
			if (f)
				file_put(f);
			kfree(path);
			return err;
		}
		v = f ? vnode_get(f->vnode) : vfs_cwd();
		if (f)
			file_put(f);
	} else {
		err = at_base(dirfd, path, &base);
		if (!err) {
			err = vfs_lookup_as(base, path, (flags & AT_SYMLINK_NOFOLLOW) ?
					    0 : WALK_FOLLOW, &cred, &v);
			vnode_put(base);
		}
	}
	kfree(path);
	if (err)
		return err;
	if ((mode & W_OK) && !S_ISFIFO(v->mode) && !S_ISCHR(v->mode) && !S_ISSOCK(v->mode))
		err = vfs_may_write(v);
	if (!err && mode)
		err = vfs_permission_as(v, (mode & R_OK ? MAY_READ : 0) |
					   (mode & W_OK ? MAY_WRITE : 0) |
					   (mode & X_OK ? MAY_EXEC : 0), &cred);
	vnode_put(v);
	return err;
}

SYSCALL_DEFINE2(access, const char __user *, path, int, mode)
{
	return do_faccessat(AT_FDCWD, path, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char __user *, path, int, mode)
{
	return do_faccessat(dirfd, path, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char __user *, path, int, mode,
		int, flags)
{
	return do_faccessat(dirfd, path, mode, flags);
}

/* ---------------------------------------------------------------- directories */

struct getdents_ctx {
	char *buf;
	size_t size, used;
};

static bool getdents_fill(void *arg, const char *name, size_t len, uint64_t ino,
			  unsigned dtype, uint64_t next)
{
	struct getdents_ctx *c = arg;
	size_t n = vfs_dirent64_encode(c->buf + c->used, c->size - c->used, ino,
				       (int64_t)next, dtype, name, len);

	c->used += n;
	return n != 0;
}

SYSCALL_DEFINE3(getdents64, int, fd, void __user *, dirp, size_t, count)
{
	struct getdents_ctx c = { 0 };
	struct file *f;
	uint64_t pos;
	long ret;

	if (count && !user_range_ok((uintptr_t)dirp, count))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	if (!f->vnode || !S_ISDIR(f->vnode->mode) || !f->vnode->ops->readdir) {
		file_put(f);
		return -ENOTDIR;
	}
	c.size = MIN(count, (size_t)GETDENTS_BUF_MAX);
	c.buf = c.size ? kmalloc(c.size, 0) : NULL;
	if (c.size && !c.buf) {
		file_put(f);
		return -ENOMEM;
	}
	mutex_lock(&f->pos_lock);
	pos = f->off;
	ret = f->vnode->ops->readdir(f->vnode, &pos, getdents_fill, &c);
	if (ret == 0 && c.used == 0) {
		/* Nothing fit: end of directory, or the buffer is too small. */
		uint64_t probe = pos;
		struct getdents_ctx big = { 0 };
		char one[sizeof(struct linux_dirent64) + VFS_NAME_MAX + 8];

		big.buf = one;
		big.size = sizeof(one);
		f->vnode->ops->readdir(f->vnode, &probe, getdents_fill, &big);
		if (big.used)
			ret = -EINVAL;
	}
	if (ret == 0 && c.used && copy_to_user(dirp, c.buf, c.used))
		ret = -EFAULT;
	if (ret == 0) {
		f->off = pos;
		ret = (long)c.used;
	}
	mutex_unlock(&f->pos_lock);
	file_put(f);
	kfree(c.buf);
	return ret;
}

SYSCALL_DEFINE2(getcwd, char __user *, ubuf, size_t, size)
{
	char *buf;
	struct vnode *cwd;
	long len;

	/* Linux: a buffer too small (size 0 too) is ERANGE before any EFAULT. */
	if (!(buf = kmalloc(VFS_PATH_MAX, 0)))
		return -ENOMEM;
	cwd = vfs_cwd();
	len = vfs_path_of(cwd, buf, VFS_PATH_MAX);
	vnode_put(cwd);
	if (len >= 0 && (size_t)len + 1 > size)
		len = -ERANGE;
	if (len >= 0 && copy_to_user(ubuf, buf, (size_t)len + 1))
		len = -EFAULT;
	kfree(buf);
	return len < 0 ? len : len + 1;
}

SYSCALL_DEFINE1(chdir, const char __user *, upath)
{
	struct vnode *v;
	char *path;
	int err;

	if ((err = user_path(upath, &path)))
		return err;
	err = vfs_lookup(NULL, path, WALK_FOLLOW | WALK_DIRECTORY, &v);
	kfree(path);
	if (err)
		return err;
	err = vfs_permission(v, MAY_EXEC);
	if (!err)
		vfs_set_cwd(v);
	vnode_put(v);
	return err;
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (!f->vnode || !S_ISDIR(f->vnode->mode))
		err = -ENOTDIR;
	else if (!(err = vfs_permission(f->vnode, MAY_EXEC)))
		vfs_set_cwd(f->vnode);
	file_put(f);
	return err;
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char __user *, upath, unsigned, mode)
{
	struct vnode *base;
	char *path;
	int err;

	if ((err = user_path(upath, &path)))
		return err;
	if (!(err = at_base(dirfd, path, &base))) {
		err = vfs_mkdir(base, path, mode & ~cur_umask() & 01777);
		vnode_put(base);
	}
	kfree(path);
	return err;
}

SYSCALL_DEFINE2(mkdir, const char __user *, path, unsigned, mode)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)path, mode };

	return sys_mkdirat(args);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char __user *, upath, int, flags)
{
	struct vnode *base;
	char *path;
	int err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((err = user_path(upath, &path)))
		return err;
	if (!(err = at_base(dirfd, path, &base))) {
		err = vfs_unlink(base, path, flags & AT_REMOVEDIR);
		vnode_put(base);
	}
	kfree(path);
	return err;
}

SYSCALL_DEFINE1(unlink, const char __user *, path)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)path, 0 };

	return sys_unlinkat(args);
}

SYSCALL_DEFINE1(rmdir, const char __user *, path)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)path,
					AT_REMOVEDIR };

	return sys_unlinkat(args);
}

SYSCALL_DEFINE5(renameat2, int, odirfd, const char __user *, uold, int, ndirfd,
		const char __user *, unew, unsigned, flags)
{
	struct vnode *obase = NULL, *nbase = NULL;
	char *oldp = NULL, *newp = NULL;
	int err;

	if (flags)
		return -EINVAL;         /* RENAME_NOREPLACE etc. not yet */
	if ((err = user_path(uold, &oldp)) || (err = user_path(unew, &newp)))
		goto out;
	if ((err = at_base(odirfd, oldp, &obase)) ||
	    (err = at_base(ndirfd, newp, &nbase)))
		goto out;
	err = vfs_rename(obase, oldp, nbase, newp);
out:
	if (obase)
		vnode_put(obase);
	if (nbase)
		vnode_put(nbase);
	kfree(oldp);
	kfree(newp);
	return err;
}

SYSCALL_DEFINE4(renameat, int, odirfd, const char __user *, uold, int, ndirfd,
		const char __user *, unew)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)odirfd, (uintptr_t)uold,
					(uint64_t)ndirfd, (uintptr_t)unew, 0 };

	return sys_renameat2(args);
}

SYSCALL_DEFINE2(rename, const char __user *, uold, const char __user *, unew)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)uold,
					(uint64_t)AT_FDCWD, (uintptr_t)unew, 0 };

	return sys_renameat2(args);
}

SYSCALL_DEFINE3(symlinkat, const char __user *, utarget, int, dirfd,
		const char __user *, upath)
{
	struct vnode *base;
	char *target = NULL, *path = NULL;
	int err;

	if ((err = user_path(utarget, &target)) || (err = user_path(upath, &path)))
		goto out;
	if (!(err = at_base(dirfd, path, &base))) {
		err = vfs_symlink(base, target, path);
		vnode_put(base);
	}
out:
	kfree(target);
	kfree(path);
	return err;
}

SYSCALL_DEFINE2(symlink, const char __user *, target, const char __user *, path)
{
	uint64_t args[SYSCALL_ARGS] = { (uintptr_t)target, (uint64_t)AT_FDCWD,
					(uintptr_t)path };

	return sys_symlinkat(args);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char __user *, upath,
		char __user *, ubuf, int, size)
{
	struct vnode *base;
	char *path, *buf;
	ssize_t n;
	int err;

	if (size <= 0)
		return -EINVAL;
	if (!user_range_ok((uintptr_t)ubuf, (size_t)size))
		return -EFAULT;
	if ((err = user_path(upath, &path)))
		return err;
	buf = kmalloc(VFS_PATH_MAX, 0);
	if (!buf) {
		kfree(path);
		return -ENOMEM;
	}
	if ((n = at_base(dirfd, path, &base)) == 0) {
		n = vfs_readlink(base, path, buf, MIN((size_t)size, VFS_PATH_MAX));
		vnode_put(base);
	}
	if (n > 0 && copy_to_user(ubuf, buf, (size_t)n))
		n = -EFAULT;
	kfree(path);
	kfree(buf);
	return n;
}

SYSCALL_DEFINE3(readlink, const char __user *, path, char __user *, buf, int, size)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)path,
					(uintptr_t)buf, (uint64_t)size };

	return sys_readlinkat(args);
}

SYSCALL_DEFINE1(umask, unsigned, mask)
{
	struct proc *p = proc_current();
	unsigned old;

	if (!p)
		return UMASK_DEFAULT;
	spin_lock(&p->lock);
	old = p->umask;
	p->umask = mask & 0777;
	spin_unlock(&p->lock);
	return old;
}

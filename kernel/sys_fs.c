/*
 * sys_fs.c - the file system calls (Linux x86-64 numbers and semantics).
 *
 * Each handler copies and checks its arguments first (paths through
 * strncpy_from_user into a PATH_MAX kernel buffer, structures through
 * copy_from_user), then acts, then copies results out.  Descriptors are
 * looked up with fd_get(), which returns a referenced file, so a close()
 * by another thread cannot free a file under a running call.  The only
 * result copied out after a state change is pipe()'s pair of fds: if that
 * copy faults, both are closed again, as Linux does.
 */
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/proc.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <lib/errno.h>
#include <lib/string.h>

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define R_OK 4
#define W_OK 2
#define X_OK 1

#define UIO_MAXIOV       1024
#define GETDENTS_BUF_MAX (64 * KiB)
#define UMASK_DEFAULT    022

struct linux_iovec {
	uint64_t base;
	uint64_t len;
};

/* ---------------------------------------------------------------- helpers */

/* Copy a user path into a new PATH_MAX buffer (*out, kfree it). */
static int user_path(const char __user *upath, char **out)
{
	char *buf = kmalloc(VFS_PATH_MAX, 0);
	long n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	n = strncpy_from_user(buf, upath, VFS_PATH_MAX);
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	*out = buf;
	return 0;
}

/* The starting directory for a *at() call, with a reference. */
static int at_base(int dirfd, const char *path, struct vnode **base)
{
	struct file *f;

	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*base = vfs_cwd();
		return 0;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (!f->vnode || !S_ISDIR(f->vnode->mode)) {
		file_put(f);
		return -ENOTDIR;
	}
	*base = vnode_get(f->vnode);
	file_put(f);
	return 0;
}

static struct fdtable *cur_fdt(void)
{
	struct proc *p = proc_current();

	return p ? p->fdt : NULL;
}

static unsigned cur_umask(void)
{
	struct proc *p = proc_current();
	unsigned m;

	if (!p)
		return UMASK_DEFAULT;
	spin_lock(&p->lock);
	m = p->umask;
	spin_unlock(&p->lock);
	return m;
}

/* Put a new file in the current table: the fd, or -Exxx (f is dropped). */
static long install_file(struct file *f, bool cloexec)
{
	struct fdtable *t = cur_fdt();
	int fd = t ? fd_alloc(t, f, 0, cloexec) : -EMFILE;

	if (fd < 0)
		file_put(f);
	return fd;
}

static void file_stat(struct file *f, struct linux_stat *st)
{
	if (f->vnode) {
		vfs_stat(f->vnode, st);
		return;
	}
	memset(st, 0, sizeof(*st));
	st->st_dev = 0x20000;           /* an anonymous "pipefs" */
	st->st_ino = (uintptr_t)f->priv >> 4;
	st->st_nlink = 1;
	st->st_mode = f->ops->mode;
	st->st_blksize = 4096;
}

/* ---------------------------------------------------------------- read, write */

SYSCALL_DEFINE3(read, int, fd, void __user *, buf, size_t, count)
{
	struct file *f;
	ssize_t ret;

	if (count && !user_range_ok((uintptr_t)buf, count))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	ret = file_read(f, IOBUF_USER(buf), count);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(write, int, fd, const void __user *, buf, size_t, count)
{
	struct file *f;
	ssize_t ret;

	if (count && !user_range_ok((uintptr_t)buf, count))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	ret = file_write(f, IOBUF_USER(buf), count);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE4(pread64, int, fd, void __user *, buf, size_t, count, int64_t, off)
{
	struct file *f;
	ssize_t ret;

	if (off < 0)
		return -EINVAL;
	if (count && !user_range_ok((uintptr_t)buf, count))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	ret = file_pread(f, IOBUF_USER(buf), count, (uint64_t)off);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE4(pwrite64, int, fd, const void __user *, buf, size_t, count,
		int64_t, off)
{
	struct file *f;
	ssize_t ret;

	if (off < 0)
		return -EINVAL;
	if (count && !user_range_ok((uintptr_t)buf, count))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	ret = file_pwrite(f, IOBUF_USER(buf), count, (uint64_t)off);
	file_put(f);
	return ret;
}

/* readv/writev: copy and check the whole vector, then do each piece. */
static long sys_rw_vector(int fd, const void __user *uiov, int iovcnt, bool wr)
{
	struct linux_iovec *iov;
	struct file *f;
	uint64_t total = 0;
	long ret = 0;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	if (iovcnt == 0) {
		if (!(f = fd_get(fd)))
			return -EBADF;
		file_put(f);
		return 0;
	}
	iov = kmalloc((size_t)iovcnt * sizeof(*iov), 0);
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, (size_t)iovcnt * sizeof(*iov))) {
		ret = -EFAULT;
		goto out_free;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].len > (uint64_t)INT64_MAX - total) {
			ret = -EINVAL;
			goto out_free;
		}
		total += iov[i].len;
		if (iov[i].len && !user_range_ok(iov[i].base, iov[i].len)) {
			ret = -EFAULT;
			goto out_free;
		}
	}
	if (!(f = fd_get(fd))) {
		ret = -EBADF;
		goto out_free;
	}
	for (int i = 0; i < iovcnt; i++) {
		struct iobuf b = IOBUF_USER(iov[i].base);
		ssize_t n;

		if (iov[i].len == 0)
			continue;
		n = wr ? file_write(f, b, iov[i].len) : file_read(f, b, iov[i].len);
		if (n < 0) {
			if (ret == 0)
				ret = n;
			break;
		}
		ret += n;
		if ((uint64_t)n < iov[i].len)
			break;
	}
	file_put(f);
out_free:
	kfree(iov);
	return ret;
}

SYSCALL_DEFINE3(readv, int, fd, const void __user *, iov, int, iovcnt)
{
	return sys_rw_vector(fd, iov, iovcnt, false);
}

SYSCALL_DEFINE3(writev, int, fd, const void __user *, iov, int, iovcnt)
{
	return sys_rw_vector(fd, iov, iovcnt, true);
}

SYSCALL_DEFINE3(lseek, int, fd, int64_t, off, int, whence)
{
	struct file *f;
	int64_t base, pos;
	long ret;

	if (whence < SEEK_SET || whence > SEEK_END)
		return -EINVAL;
	if (!(f = fd_get(fd)))
		return -EBADF;
	if (!f->ops->seekable) {
		file_put(f);
		return -ESPIPE;
	}
	mutex_lock(&f->pos_lock);
	if (whence == SEEK_SET) {
		base = 0;
	} else if (whence == SEEK_CUR) {
		base = (int64_t)f->off;
	} else if (f->vnode) {
		mutex_lock(&f->vnode->lock);
		base = (int64_t)f->vnode->size;
		mutex_unlock(&f->vnode->lock);
	} else {
		base = 0;
	}
	if (__builtin_add_overflow(base, off, &pos) || pos < 0) {
		ret = -EINVAL;
	} else {
		f->off = (uint64_t)pos;
		ret = pos;
	}
	mutex_unlock(&f->pos_lock);
	file_put(f);
	return ret;
}

/* ---------------------------------------------------------------- open, close */

#define OPEN_FLAGS_KNOWN (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
			  O_APPEND | O_NONBLOCK | O_DSYNC | O_LARGEFILE |    \
			  O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | \
			  O_SYNC | 040000 /* O_DIRECT */ | 020000 /* FASYNC */)

SYSCALL_DEFINE4(openat, int, dirfd, const char __user *, upath, int, flags,
		unsigned, mode)
{
	struct vnode *base;
	struct file *f;
	char *path;
	int err;

	if ((flags & O_TMPFILE) == O_TMPFILE || (flags & O_PATH))
		return -EOPNOTSUPP;
	if ((unsigned)flags & ~(unsigned)OPEN_FLAGS_KNOWN)
		return -EINVAL;
	if ((err = user_path(upath, &path)))
		return err;
	if (!(err = at_base(dirfd, path, &base))) {
		err = vfs_open(base, path, flags, mode & ~cur_umask(), &f);
		vnode_put(base);
	}
	kfree(path);
	if (err)
		return err;
	return install_file(f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE3(open, const char __user *, upath, int, flags, unsigned, mode)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)upath,
					(uint64_t)flags, mode };

	return sys_openat(args);
}

SYSCALL_DEFINE1(close, int, fd)
{
	struct fdtable *t = cur_fdt();

	return t ? fd_close(t, fd) : -EBADF;
}

/* ---------------------------------------------------------------- dup, fcntl */

SYSCALL_DEFINE1(dup, int, oldfd)
{
	struct file *f = fd_get(oldfd);

	if (!f)
		return -EBADF;
	return install_file(f, false);
}

static long do_dup3(int oldfd, int newfd, int flags)
{
	struct file *f;
	int ret;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (newfd < 0 || newfd >= FDTABLE_MAX)
		return -EBADF;
	if (!(f = fd_get(oldfd)))
		return -EBADF;
	ret = fd_install_at(cur_fdt(), newfd, f, flags & O_CLOEXEC);
	if (ret < 0)
		file_put(f);
	return ret;
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	if (oldfd == newfd) {
		struct file *f = fd_get(oldfd);

		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(oldfd, newfd, 0);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3(oldfd, newfd, flags);
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, uint64_t, arg)
{
	struct fdtable *t = cur_fdt();
	struct file *f = fd_get(fd);
	unsigned old, new;
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= FDTABLE_MAX) {
			ret = -EINVAL;
			break;
		}
		ret = fd_alloc(t, file_get(f), (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (ret < 0)
			file_put(f);
		break;
	case F_GETFD:
		ret = fd_get_cloexec(t, fd);
		break;
	case F_SETFD:
		ret = fd_set_cloexec(t, fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) | O_LARGEFILE;
		break;
	case F_SETFL:
		old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
		do {
			new = (old & ~(unsigned)(O_APPEND | O_NONBLOCK)) |
			      ((unsigned)arg & (O_APPEND | O_NONBLOCK));
		} while (!__atomic_compare_exchange_n(&f->flags, &old, new, false,
						      __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED));
		ret = 0;
		break;
	default:
		ret = -EINVAL;
		break;
	}
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, cmd, uint64_t, arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->ioctl ? f->ops->ioctl(f, cmd, (uintptr_t)arg) : -ENOTTY;
	file_put(f);
	return ret;
}

/* ---------------------------------------------------------------- pipes */

SYSCALL_DEFINE2(pipe2, int __user *, ufds, int, flags)
{
	struct fdtable *t = cur_fdt();
	struct file *rd, *wr;
	int fds[2], err;
	bool cloexec = flags & O_CLOEXEC;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!user_range_ok((uintptr_t)ufds, sizeof(fds)))
		return -EFAULT;
	if (!t)
		return -EMFILE;
	if ((err = pipe_create((unsigned)flags & O_NONBLOCK, &rd, &wr)))
		return err;
	fds[0] = fd_alloc(t, rd, 0, cloexec);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_alloc(t, wr, 0, cloexec);
	if (fds[1] < 0) {
		file_put(wr);
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, int __user *, ufds)
{
	uint64_t args[SYSCALL_ARGS] = { (uintptr_t)ufds, 0 };

	return sys_pipe2(args);
}

/* ---------------------------------------------------------------- stat, access */

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

/* Everyone is root: only existence, and X_OK wants an x bit or a directory. */
static long do_faccessat(int dirfd, const char __user *upath, int mode, int flags)
{
	struct vnode *base, *v;
	char *path;
	int err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = user_path(upath, &path)))
		return err;
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
			err = vfs_lookup(base, path, (flags & AT_SYMLINK_NOFOLLOW) ?
					 0 : WALK_FOLLOW, &v);
			vnode_put(base);
		}
	}
	kfree(path);
	if (err)
		return err;
	if ((mode & X_OK) && !S_ISDIR(v->mode) && !(v->mode & 0111))
		err = -EACCES;
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

struct name_ctx {
	uint64_t ino;
	char *name;             /* VFS_NAME_MAX + 1 */
	bool found;
};

static bool name_fill(void *arg, const char *name, size_t len, uint64_t ino,
		      unsigned dtype, uint64_t next)
{
	struct name_ctx *c = arg;

	if (ino != c->ino || (len <= 2 && name[0] == '.' &&
			      (len == 1 || name[1] == '.')))
		return true;
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	c->found = true;
	return false;
}

/* Build the absolute path of dir into buf (size n): its length or -Exxx. */
static long vfs_path_of(struct vnode *dir, char *buf, size_t n)
{
	char *name = kmalloc(VFS_NAME_MAX + 1, 0);
	struct vnode *cur = vnode_get(dir), *parent;
	size_t at = n - 1;
	long err = 0;

	if (!name) {
		vnode_put(cur);
		return -ENOMEM;
	}
	buf[at] = '\0';
	for (;;) {
		struct name_ctx c = { 0, name, false };
		uint64_t pos = 0;
		size_t len;

		while (cur != vfs_root() && cur->covered) {
			parent = vnode_get(cur->covered);
			vnode_put(cur);
			cur = parent;
		}
		if (cur == vfs_root())
			break;
		if ((err = cur->ops->lookup(cur, "..", 2, &parent)))
			break;
		c.ino = cur->ino;
		err = parent->ops->readdir(parent, &pos, name_fill, &c);
		vnode_put(cur);
		cur = parent;
		if (!err && !c.found)
			err = -ENOENT;
		if (err)
			break;
		len = strlen(name);
		if (len + 1 > at) {
			err = -ENAMETOOLONG;
			break;
		}
		at -= len;
		memcpy(buf + at, name, len);
		buf[--at] = '/';
	}
	vnode_put(cur);
	kfree(name);
	if (err)
		return err;
	if (at == n - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, n - at);
	return (long)(n - 1 - at);
}

SYSCALL_DEFINE2(getcwd, char __user *, ubuf, size_t, size)
{
	char *buf;
	struct vnode *cwd;
	long len;

	if (size == 0)
		return -EINVAL;
	if (!user_range_ok((uintptr_t)ubuf, size))
		return -EFAULT;
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
	vfs_set_cwd(v);
	vnode_put(v);
	return 0;
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (!f->vnode || !S_ISDIR(f->vnode->mode))
		err = -ENOTDIR;
	else
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

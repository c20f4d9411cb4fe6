/*
 * sys_file.c - system calls on file descriptors: read, write, pread64,
 * pwrite64, readv, writev, lseek, open/openat, close, dup*, fcntl, ioctl,
 * pipe/pipe2 (Linux semantics; see kernel/sys/sys_fs.c for the conventions).
 */
#include <keel/cred.h>
#include <keel/fd.h>
#include <keel/flock.h>
#include <keel/signal.h>
#include <keel/resource.h>
#include <keel/pipe.h>
#include <keel/kmalloc.h>
#include <keel/proc.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_fs.h"

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

/* A user buffer to write from, limited by RLIMIT_FSIZE. */
static struct iobuf fsize_buf(const void __user *p)
{
	struct iobuf b = IOBUF_USER(p);
	uint64_t lim = rlimit_cur(RLIMIT_FSIZE);

	if (lim != RLIM_INFINITY) {
		b.limited = true;
		b.limit = lim;
	}
	return b;
}

/* A write or size change refused by RLIMIT_FSIZE raises SIGXFSZ (Linux). */
static ssize_t fsize_check(struct iobuf b, ssize_t ret)
{
	if (ret == -EFBIG && b.limited && b.limit < VFS_FILE_MAX)
		signal_raise_current(SIGXFSZ);
	return ret;
}

int fsize_check_size(uint64_t size)
{
	return fsize_check(fsize_buf(NULL), size > rlimit_cur(RLIMIT_FSIZE) ? -EFBIG : 0);
}

SYSCALL_DEFINE3(write, int, fd, const void __user *, buf, size_t, count)
{
	struct file *f;
	ssize_t ret;

	if (count && !user_range_ok((uintptr_t)buf, count))
		return -EFAULT;
	if (!(f = fd_get(fd)))
		return -EBADF;
	ret = fsize_check(fsize_buf(buf), file_write(f, fsize_buf(buf), count));
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
	ret = fsize_check(fsize_buf(buf),
			  file_pwrite(f, fsize_buf(buf), count, (uint64_t)off));
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
		struct iobuf b = wr ? fsize_buf((void *)(uintptr_t)iov[i].base) :
				 IOBUF_USER(iov[i].base);
		ssize_t n;

		size_t len = MIN(iov[i].len, FILE_RW_MAX - (uint64_t)ret);

		if (len == 0)
			continue;
		n = wr ? fsize_check(b, file_write(f, b, len)) : file_read(f, b, len);
		if (n < 0) {
			if (ret == 0)
				ret = n;
			break;
		}
		ret += n;
		if ((uint64_t)n < len || (uint64_t)ret >= FILE_RW_MAX)
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

/* ftruncate: a regular file open for writing gets the given size. */
SYSCALL_DEFINE2(ftruncate, int, fd, int64_t, length)
{
	struct file *f;
	long err;

	if (length < 0)
		return -EINVAL;
	if (!(f = fd_get(fd)))
		return -EBADF;
	if (f->vnode && S_ISREG(f->vnode->mode) && (err = fsize_check_size((uint64_t)length))) {
		file_put(f);
		return err;
	}
	if (!f->vnode || !S_ISREG(f->vnode->mode) || !file_writable(f) ||
	    !f->vnode->ops->truncate)
		err = -EINVAL;
	else
		err = vfs_truncate(f->vnode, (uint64_t)length);
	file_put(f);
	return err;
}

/*
 * fsync/fdatasync: Keel's file systems live in RAM, so there is nothing to
 * write back; like Linux's tmpfs, regular files and directories succeed
 * and files with no backing store (pipes, terminals, devices) are -EINVAL.
 */
static long file_sync(int fd)
{
	struct file *f = fd_get(fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (!f->vnode || !(S_ISREG(f->vnode->mode) || S_ISDIR(f->vnode->mode)))
		err = -EINVAL;
	file_put(f);
	return err;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	return file_sync(fd);
}

SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return file_sync(fd);
}

/* sync/syncfs: nothing to write back from RAM file systems. */
SYSCALL_DEFINE0(sync)
{
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
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
	if (newfd < 0 || (unsigned)newfd >= cur_nofile())
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
		if (arg >= cur_nofile()) {
			ret = -EINVAL;
			break;
		}
		ret = fd_alloc_below(t, file_get(f), (int)arg, cur_nofile(),
				     cmd == F_DUPFD_CLOEXEC);
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
	case F_GETPIPE_SZ:
		ret = pipe_get_size(f);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = flock_fcntl(f, cmd, (void __user *)arg);
		break;
	case F_SETPIPE_SZ:
		/* Linux's pipe_fcntl takes the size as an unsigned int. */
		ret = pipe_set_size(f, (uint32_t)arg, cred_privileged());
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

/* ioctls every descriptor answers, whatever its file (Linux values). */
#define FIONBIO  0x5421 /* *arg != 0: set O_NONBLOCK, else clear it */
#define FIONCLEX 0x5450 /* clear close-on-exec */
#define FIOCLEX  0x5451 /* set close-on-exec */

/* FIONBIO: set or clear f's O_NONBLOCK from the int at arg. */
static long ioctl_fionbio(struct file *f, uint64_t arg)
{
	unsigned old, new;
	int on;

	if (copy_from_user(&on, (const void __user *)arg, sizeof(on)))
		return -EFAULT;
	old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
	do {
		new = on ? old | O_NONBLOCK : old & ~(unsigned)O_NONBLOCK;
	} while (!__atomic_compare_exchange_n(&f->flags, &old, new, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned long, cmd, uint64_t, arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (cmd == FIOCLEX || cmd == FIONCLEX)
		ret = fd_set_cloexec(cur_fdt(), fd, cmd == FIOCLEX);
	else if (cmd == FIONBIO)
		ret = ioctl_fionbio(f, arg);
	else
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
	fds[0] = fd_alloc_below(t, rd, 0, cur_nofile(), cloexec);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_alloc_below(t, wr, 0, cur_nofile(), cloexec);
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

SYSCALL_DEFINE2(flock, int, fd, unsigned, op)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = flock_flock(f, (int)op);
	file_put(f);
	return ret;
}

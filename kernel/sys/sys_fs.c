/*
 * sys_fs.c - helpers shared by the file system calls: user paths, *at()
 * base directories, the current descriptor table (see kernel/sys/sys_fs.h).
 * The calls themselves are in sys_file.c (descriptors and I/O) and
 * sys_path.c (names and directories).
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
#include <keel/resource.h>
#include <keel/spinlock.h>
#include <keel/syscall.h>
#include <keel/uaccess.h>
#include <keel/vfs.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_fs.h"



/* Copy a user path into a new PATH_MAX buffer (*out, kfree it). */
int user_path(const char __user *upath, char **out)
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
int at_base(int dirfd, const char *path, struct vnode **base)
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

struct fdtable *cur_fdt(void)
{
	struct proc *p = proc_current();

	return p ? p->fdt : NULL;
}

unsigned cur_umask(void)
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

unsigned cur_nofile(void)
{
	uint64_t lim = rlimit_cur(RLIMIT_NOFILE);

	return (unsigned)MIN(lim, (uint64_t)FDTABLE_MAX);
}

/* Put a new file in the current table: the fd, or -Exxx (f is dropped). */
long install_file(struct file *f, bool cloexec)
{
	struct fdtable *t = cur_fdt();
	int fd = t ? fd_alloc_below(t, f, 0, cur_nofile(), cloexec) : -EMFILE;

	if (fd < 0)
		file_put(f);
	return fd;
}

void file_stat(struct file *f, struct linux_stat *st)
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

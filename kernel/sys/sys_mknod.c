/*
 * sys_mknod.c - mknod(2), mknodat(2): regular files, named pipes (FIFOs,
 * opened through kernel/fs/pipe.c) and socket nodes on the RAM file
 * system.  Device nodes are refused with -EPERM: Keel's devices live in
 * devfs, and a ramfs node could not reach a driver (Linux lets root make
 * them).  Checks in Linux's order: the type first (a directory -EPERM,
 * an unknown type -EINVAL), then the path.
 */
#include <keel/syscall.h>
#include <keel/vfs.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <lib/errno.h>
#include "sys_fs.h"

SYSCALL_DEFINE4(mknodat, int, dirfd, const char __user *, upath, unsigned, mode, unsigned, dev)
{
	uint32_t type = mode & S_IFMT;
	struct vnode *base;
	char *path;
	int err;

	switch (type) {
	case 0:
		type = S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		klog_once(LOG_INFO, "mknod: device nodes are not supported "
				    "outside devfs (-EPERM)\n");
		return -EPERM;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	if ((err = user_path(upath, &path)))
		return err;
	if (!(err = at_base(dirfd, path, &base))) {
		err = vfs_mknod(base, path, type | (mode & ~cur_umask() & 07777));
		vnode_put(base);
	}
	kfree(path);
	return err;
}

SYSCALL_DEFINE3(mknod, const char __user *, path, unsigned, mode, unsigned, dev)
{
	uint64_t args[SYSCALL_ARGS] = { (uint64_t)AT_FDCWD, (uintptr_t)path, mode, dev };

	return sys_mknodat(args);
}

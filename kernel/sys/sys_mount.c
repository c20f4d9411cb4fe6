/*
 * sys_mount.c - mount(2) and umount2(2) on top of the VFS's mount list
 * (kernel/fs/mount.c).
 *
 * mount: a new mount of a registered type ("tmpfs", "proc", "devtmpfs",
 * "ramfs", "devfs") with the per-mount flags (MS_RDONLY, MS_NOSUID,
 * MS_NODEV, MS_NOEXEC, the atime flags...), which are kept and shown in
 * /proc/mounts; MS_REMOUNT replaces them.  MS_RDONLY is enforced by the
 * VFS (-EROFS: open for writing or truncating, create, remove, rename),
 * MS_NOEXEC by exec (-EACCES), MS_NOSUID by exec too (set-id bits are
 * ignored); MS_NODEV changes nothing on Keel (device nodes live only in
 * devfs), nor do the atime
 * flags (access times are not kept up).  Propagation: every Keel mount
 * is private, so MS_PRIVATE (with MS_REC) succeeds and changes nothing;
 * MS_SHARED, MS_SLAVE, MS_UNBINDABLE, MS_BIND and MS_MOVE are not
 * implemented (-EINVAL, logged once).  Errors as Linux: -ENODEV for an
 * unknown type, -ENOTDIR/-ENOENT from the walk, -EBUSY, -EINVAL for bad
 * options (tmpfs checks its own).
 *
 * umount2: MNT_FORCE is a plain unmount (it matters to network file
 * systems only); MNT_DETACH unmounts a file system nobody uses, as a plain
 * unmount does, and refuses a busy one with -EBUSY (lazy detaching is not
 * implemented; logged once); MNT_EXPIRE is -EINVAL (logged once);
 * UMOUNT_NOFOLLOW refuses a symlink as the target.
 *
 * Only a privileged process mounts or unmounts (Linux's CAP_SYS_ADMIN):
 * -EPERM, after the target was found (a missing one is -ENOENT first, as
 * on Linux).  Nothing here keeps state.
 */
#include <keel/syscall.h>
#include <keel/cred.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/vfs.h>
#include <keel/uaccess.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>
#include "sys_fs.h"

#define MS_UNBINDABLE  0x20000
#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
#define MOUNT_DATA_MAX PAGE_SIZE /* Linux copies one page of options */

#define MNT_FORCE       0x1
#define MNT_DETACH      0x2
#define MNT_EXPIRE      0x4
#define UMOUNT_NOFOLLOW 0x8
#define UMOUNT_FLAGS    (MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)

/* Copy an optional user string (NULL stays NULL) of at most max bytes. */
static int mount_user_string(const char __user *u, size_t max, char **out)
{
	char *buf;
	long n;

	*out = NULL;
	if (!u)
		return 0;
	buf = kmalloc(max, 0);
	if (!buf)
		return -ENOMEM;
	n = strncpy_from_user(buf, u, max);
	if (n < 0) {
		kfree(buf);
		return n == -ENAMETOOLONG ? -EINVAL : (int)n;
	}
	*out = buf;
	return 0;
}

/* The target exists, then the caller must be privileged: 0 or -Exxx. */
static int mount_may(const char *target, bool follow)
{
	struct vnode *v;
	int err = vfs_lookup(NULL, target, follow ? WALK_FOLLOW : 0, &v);

	if (err)
		return err;
	vnode_put(v);
	return cred_privileged() ? 0 : -EPERM;
}

/* A propagation change: only "private" is what Keel's mounts already are. */
static int mount_propagation(const char *target, unsigned long flags)
{
	struct vnode *v;
	int err;

	if ((flags & MS_PROPAGATION) != MS_PRIVATE) {
		klog_once(LOG_INFO, "mount: shared, slave and unbindable mounts are not supported");
		return -EINVAL;
	}
	err = vfs_lookup(NULL, target, WALK_FOLLOW, &v);
	if (err)
		return err;
	if (!vfs_is_mount_root(v))
		err = -EINVAL; /* not a mount point */
	vnode_put(v);
	return err;
}

static int mount_do(const char *source, const char *target, const char *type, unsigned long flags,
		    const char *data)
{
	unsigned long per_mount = flags & VFS_MS_PER_MOUNT;
	int err = mount_may(target, true);

	if (err)
		return err;
	if (flags & MS_PROPAGATION)
		return mount_propagation(target, flags);
	if (flags & (MS_BIND | MS_MOVE)) {
		klog_once(LOG_INFO, "mount: bind and move mounts are not supported");
		return -EINVAL;
	}
	if (flags & MS_REMOUNT)
		return vfs_remount(target, per_mount);
	if (!type)
		return -EINVAL;
	return vfs_mount(source, target, type, per_mount, data);
}

SYSCALL_DEFINE5(mount, const char __user *, usource, const char __user *, utarget,
		const char __user *, utype, unsigned long, flags, const void __user *, udata)
{
	char *source = NULL, *target = NULL, *type = NULL, *data = NULL;
	int err;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	err = user_path(utarget, &target);
	if (!err)
		err = mount_user_string(usource, VFS_PATH_MAX, &source);
	if (!err)
		err = mount_user_string(utype, VFS_PATH_MAX, &type);
	if (!err && !(flags & (MS_PROPAGATION | MS_BIND | MS_MOVE)))
		err = mount_user_string(udata, MOUNT_DATA_MAX, &data);
	if (!err)
		err = mount_do(source, target, type, flags & ~MS_SILENT, data);
	kfree(source);
	kfree(target);
	kfree(type);
	kfree(data);
	return err;
}

SYSCALL_DEFINE2(umount2, const char __user *, utarget, int, flags)
{
	struct vnode *v;
	char *target;
	int err;

	if (flags & ~UMOUNT_FLAGS)
		return -EINVAL;
	if (flags & MNT_EXPIRE) {
		klog_once(LOG_INFO, "umount2: MNT_EXPIRE is not supported");
		return -EINVAL;
	}
	err = user_path(utarget, &target);
	if (err)
		return err;
	err = mount_may(target, !(flags & UMOUNT_NOFOLLOW));
	if (!err && (flags & UMOUNT_NOFOLLOW)) {
		err = vfs_lookup(NULL, target, 0, &v);
		if (!err) {
			if (S_ISLNK(v->mode))
				err = -EINVAL;
			vnode_put(v);
		}
	}
	if (!err)
		err = vfs_umount(target);
	if (err == -EBUSY && (flags & MNT_DETACH))
		klog_once(LOG_INFO, "umount2: lazy unmount (MNT_DETACH) of a busy file system "
				    "is not supported");
	kfree(target);
	return err;
}

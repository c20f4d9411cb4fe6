/*
 * perm.c - file permissions: who may read, write, search or execute a
 * vnode, create and delete names in a directory, change a file's mode,
 * owner and times (Linux semantics: man 7 path_resolution, man 2 chmod,
 * chown, unlink, rename, utimensat).
 *
 * A check is made as a struct cred_fs (keel/cred.h): the file-system ids
 * and supplementary groups of the current process, or its real ids for
 * access().  The owner's bits apply to the owner, the group's to members
 * of the file's group, the others' to everyone else, and only that one
 * class.  uid 0 stands for the capabilities Linux gives root: read and
 * write anything, search any directory, execute a file that has at least
 * one x bit, act as any file's owner, change any owner.
 *
 * Locking: a vnode's mode, uid and gid are [lock] fields (vnode->lock)
 * that are read here without it, as Linux's permission checks read them:
 * a check racing with a chmod or chown sees the old or the new value
 * (vfs_setattr stores each with WRITE_ONCE).  Read-only mounts (-EROFS)
 * are vfs_may_write's (mount.c); callers check them first, as Linux does.
 */
#include <keel/vfs.h>
#include <keel/cred.h>
#include <lib/errno.h>

int vfs_permission_as(struct vnode *v, int mask, const struct cred_fs *c)
{
	uint32_t mode = READ_ONCE(v->mode);
	uint32_t bits;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (c->priv) /* root: x needs a directory or some x bit */
		return !(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111) ? 0 : -EACCES;
	if (c->uid == READ_ONCE(v->uid))
		bits = mode >> 6;
	else if (cred_fs_in_group(c, READ_ONCE(v->gid)))
		bits = mode >> 3;
	else
		bits = mode;
	return (mask & ~bits & 07) ? -EACCES : 0;
}

int vfs_permission(struct vnode *v, int mask)
{
	struct cred_fs c;

	cred_fs_current(&c, false);
	return vfs_permission_as(v, mask, &c);
}

bool vfs_owner_as(struct vnode *v, const struct cred_fs *c)
{
	return c->priv || c->uid == READ_ONCE(v->uid);
}

bool vfs_owner(struct vnode *v)
{
	struct cred_fs c;

	cred_fs_current(&c, false);
	return vfs_owner_as(v, &c);
}

int vfs_may_create(struct vnode *dir)
{
	int err = vfs_may_write(dir);

	return err ? err : vfs_permission(dir, MAY_WRITE | MAY_EXEC);
}

int vfs_may_delete(struct vnode *dir, struct vnode *victim)
{
	struct cred_fs c;
	int err;

	cred_fs_current(&c, false);
	if ((err = vfs_permission_as(dir, MAY_WRITE | MAY_EXEC, &c)))
		return err;
	/* Sticky directory: only the file's or the directory's owner. */
	if ((READ_ONCE(dir->mode) & S_ISVTX) && !vfs_owner_as(victim, &c) &&
	    c.uid != READ_ONCE(dir->uid))
		return -EPERM;
	return 0;
}

void vfs_init_owner(struct vnode *v, struct vnode *dir)
{
	struct cred_fs c;

	cred_fs_current(&c, false);
	v->uid = c.uid;
	v->gid = c.gid;
	if (dir && (READ_ONCE(dir->mode) & S_ISGID)) {
		/* A set-group-ID directory hands on its group (and, to a
		 * directory, the bit itself). */
		v->gid = READ_ONCE(dir->gid);
		if (S_ISDIR(v->mode))
			v->mode |= S_ISGID;
	}
	/* Only a member of the group may create a set-group-ID file. */
	if ((v->mode & S_ISGID) && !S_ISDIR(v->mode) && !c.priv && !cred_fs_in_group(&c, v->gid))
		v->mode &= ~S_ISGID;
}

int vfs_chmod_check(struct vnode *v, uint32_t *mode)
{
	struct cred_fs c;

	cred_fs_current(&c, false);
	if (!vfs_owner_as(v, &c))
		return -EPERM;
	/* A non-member setting S_ISGID loses it silently (Linux, any type). */
	if (!c.priv && !cred_fs_in_group(&c, READ_ONCE(v->gid)))
		*mode &= ~(uint32_t)S_ISGID;
	return 0;
}

int vfs_chown_check(struct vnode *v, uint32_t uid, uint32_t gid)
{
	struct cred_fs c;

	cred_fs_current(&c, false);
	if (c.priv)
		return 0;
	/* The owner may change the group to one of its own; nobody else
	 * may change anything, and no one but root the owner. */
	if (uid != VFS_ID_UNCHANGED && uid != READ_ONCE(v->uid))
		return -EPERM;
	if (gid != VFS_ID_UNCHANGED && gid != READ_ONCE(v->gid) &&
	    (c.uid != READ_ONCE(v->uid) || !cred_fs_in_group(&c, gid)))
		return -EPERM;
	if (c.uid != READ_ONCE(v->uid) && (uid != VFS_ID_UNCHANGED || gid != VFS_ID_UNCHANGED))
		return -EPERM;
	/* Even chown(-1, -1) drops set-id bits: a mode change, the owner's. */
	uint32_t mode = READ_ONCE(v->mode);
	if (c.uid != READ_ONCE(v->uid) && !S_ISDIR(mode) &&
	    ((mode & S_ISUID) || (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)))
		return -EPERM;
	return 0;
}

int vfs_utimes_check(struct vnode *v, bool to_now)
{
	struct cred_fs c;

	cred_fs_current(&c, false);
	if (vfs_owner_as(v, &c))
		return 0;
	if (!to_now)
		return -EPERM;
	return vfs_permission_as(v, MAY_WRITE, &c);
}

void vfs_remove_privs(struct vnode *v)
{
	uint32_t mode = READ_ONCE(v->mode);
	struct vattr a = { .valid = VA_KILL_SUID };
	struct cred_fs c;

	if (S_ISDIR(mode) ||
	    !((mode & S_ISUID) || (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)))
		return; /* the common case: nothing to drop, no lock */
	cred_fs_current(&c, false);
	if (!c.priv)
		vfs_setattr(v, &a);
}

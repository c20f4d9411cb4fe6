/*
 * mount.c - file-system types and the mount list: how file systems are
 * registered by name, how an instance is put on a directory and taken off
 * again, and how the path walk crosses from one file system into another.
 *
 * A struct fs_type (keel/vfs.h) names a kind of file system and makes
 * instances of it.  vfs_mount() looks the type up, asks it for an
 * instance and records the result in a struct mount: the type, the
 * instance's root, the directory it covers, the mount that directory lies
 * in.  The first mount has no covered directory: it is the root of the
 * namespace.  Two vnode fields link the namespace to the mounts:
 * covered->mounted (the walk goes from a mount point into the mount,
 * vfs_mount_enter) and root->mnt_root (".." goes from a mounted root back
 * to the mount point, vfs_mount_leave).  A mount on a mounted root stacks
 * on top of it.
 *
 * Invariants: an instance is mounted at most once and its dev (st_dev) is
 * unique on the mount list, so the mount a vnode lies in is the one whose
 * root has the vnode's dev (mount_of_dev); a mount holds a reference to
 * its root, to its covered directory and a use of its type (type->users),
 * so neither the directory nor the type goes while it is mounted; a mount
 * leaves the list only when nothing is mounted inside it and nobody but
 * the mount holds its root, and its type agrees.
 *
 * Lock key (tags as in docs/locking.md):
 *   [vfs_fs_lock]     spinlock, leaf: the list of types and each type's
 *                     users count.
 *   [vfs_mount_lock]  spinlock, leaf: the mount list and every vnode's
 *                     mounted/mnt_root.  Walks take it for a moment at each
 *                     crossing.
 *   [vfs_mount_mutex] mutex: one vfs_mount/vfs_umount at a time, including
 *                     the type's mount/unmount ops and the walk to the
 *                     target; so a mount taken off the list for an unmount
 *                     the type then refuses can go back unchanged.
 * Order: vfs_mount_mutex -> the file systems' own locks -> vfs_mount_lock
 * or vfs_fs_lock.
 */
#include <keel/vfs.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <keel/mutex.h>
#include <keel/panic.h>
#include <keel/spinlock.h>
#include <lib/errno.h>
#include <lib/string.h>

static struct spinlock vfs_fs_lock = SPINLOCK_INIT("vfs_fs");
static struct list vfs_fs_types = LIST_INIT(vfs_fs_types);     /* [vfs_fs_lock] */

static struct spinlock vfs_mount_lock = SPINLOCK_INIT("vfs_mount");
static struct list vfs_mounts = LIST_INIT(vfs_mounts);         /* [vfs_mount_lock] */
/* [vfs_mount_mutex] set once, by the first mount; [I] after vfs_init */
static struct mount *vfs_root_mount;

static struct mutex vfs_mount_mutex = MUTEX_INIT(vfs_mount_mutex, "vfs_mount_mutex");

/* References to an unused mounted root during vfs_umount: the mount's own
 * and the one the umount's walk took. */
#define MOUNT_ROOT_IDLE_REFS 2

/* ---------------------------------------------------------------- types */

/* The registered type called name, or NULL. [vfs_fs_lock] held. */
static struct fs_type *fs_type_find(const char *name)
{
	struct list *pos;

	spin_assert_held(&vfs_fs_lock);
	list_for_each(pos, &vfs_fs_types) {
		struct fs_type *t = list_entry(pos, struct fs_type, link);

		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

int vfs_register_fs(struct fs_type *type)
{
	int err = 0;

	assert(type->name && type->mount);
	spin_lock(&vfs_fs_lock);
	if (fs_type_find(type->name)) {
		err = -EBUSY;
	} else {
		type->users = 0;
		list_add_tail(&vfs_fs_types, &type->link);
	}
	spin_unlock(&vfs_fs_lock);
	return err;
}

int vfs_unregister_fs(struct fs_type *type)
{
	int err = 0;

	spin_lock(&vfs_fs_lock);
	if (fs_type_find(type->name) != type)
		err = -ENOENT;
	else if (type->users)
		err = -EBUSY;
	else
		list_remove(&type->link);
	spin_unlock(&vfs_fs_lock);
	return err;
}

void vfs_fs_types_show(void (*fn)(void *ctx, const char *name), void *ctx)
{
	struct list *pos;

	spin_lock(&vfs_fs_lock);
	list_for_each(pos, &vfs_fs_types)
		fn(ctx, list_entry(pos, struct fs_type, link)->name);
	spin_unlock(&vfs_fs_lock);
}

/* The type called name with one more use, or NULL. */
static struct fs_type *fs_type_get(const char *name)
{
	struct fs_type *t;

	spin_lock(&vfs_fs_lock);
	t = fs_type_find(name);
	if (t)
		t->users++;
	spin_unlock(&vfs_fs_lock);
	return t;
}

static void fs_type_put(struct fs_type *t)
{
	spin_lock(&vfs_fs_lock);
	assert(t->users > 0);
	t->users--;
	spin_unlock(&vfs_fs_lock);
}

/* ---------------------------------------------------------------- crossing */

struct vnode *vfs_root(void)
{
	return vfs_root_mount ? vfs_root_mount->root : NULL;
}

/* v, or the root of what is mounted on it (consumes the reference to v). */
struct vnode *vfs_mount_enter(struct vnode *v)
{
	for (;;) {
		struct vnode *r;

		spin_lock(&vfs_mount_lock);
		r = v->mounted ? vnode_get(v->mounted->root) : NULL;
		spin_unlock(&vfs_mount_lock);
		if (!r)
			return v;
		vnode_put(v);
		v = r;
	}
}

struct vnode *vfs_mount_leave(struct vnode *v)
{
	for (;;) {
		struct vnode *c = NULL;

		spin_lock(&vfs_mount_lock);
		if (v->mnt_root && v->mnt_root->covered)
			c = vnode_get(v->mnt_root->covered);
		spin_unlock(&vfs_mount_lock);
		if (!c)
			return v;
		vnode_put(v);
		v = c;
	}
}

/* ---------------------------------------------------------------- mount, umount */

static char *mount_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n, 0);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* Keep copies of source and (for types that show it) data: 0 or -ENOMEM. */
static int mount_copy_strings(struct mount *m, struct fs_type *type,
			      const char *source, const void *data)
{
	if (source && !(m->source = mount_strdup(source)))
		return -ENOMEM;
	if (type->data_is_options && data && *(const char *)data &&
	    !(m->options = mount_strdup(data)))
		return -ENOMEM;
	return 0;
}

static void mount_free(struct mount *m)
{
	if (!m)
		return;
	kfree(m->source);
	kfree(m->options);
	kfree(m);
}

/* The mount whose instance has st_dev dev, or NULL. [vfs_mount_lock] held. */
static struct mount *mount_of_dev(uint32_t dev)
{
	struct list *pos;

	spin_assert_held(&vfs_mount_lock);
	list_for_each(pos, &vfs_mounts) {
		struct mount *m = list_entry(pos, struct mount, link);

		if (m->root->dev == dev)
			return m;
	}
	return NULL;
}

/* True if a mount lies inside m. [vfs_mount_lock] held. */
static bool mount_has_children(struct mount *m)
{
	struct list *pos;

	spin_assert_held(&vfs_mount_lock);
	list_for_each(pos, &vfs_mounts) {
		if (list_entry(pos, struct mount, link)->parent == m)
			return true;
	}
	return false;
}

/* Put m into the namespace. [vfs_mount_lock] held. */
static void mount_link(struct mount *m)
{
	spin_assert_held(&vfs_mount_lock);
	m->root->mnt_root = m;
	if (m->covered)
		m->covered->mounted = m;
	list_add_tail(&vfs_mounts, &m->link);
}

/* Take m out of the namespace. [vfs_mount_lock] held. */
static void mount_unlink(struct mount *m)
{
	spin_assert_held(&vfs_mount_lock);
	m->root->mnt_root = NULL;
	if (m->covered)
		m->covered->mounted = NULL;
	list_remove(&m->link);
}

/* Check and link a new mount (its parent found from covered). [vfs_mount_lock] held. */
static int mount_attach(struct mount *m)
{
	spin_assert_held(&vfs_mount_lock);
	if (m->root->mnt_root || mount_of_dev(m->root->dev))
		return -EBUSY;          /* the instance is mounted already */
	if (m->covered) {
		if (m->covered->mounted)
			return -EBUSY;
		m->parent = mount_of_dev(m->covered->dev);
		if (!m->parent)
			return -ENOENT; /* the directory is in no mounted fs */
	}
	mount_link(m);
	return 0;
}

/*
 * The directory a new mount covers, with a reference; NULL for the first
 * mount, which must be on "/". [vfs_mount_mutex] held.
 */
static int mount_target(const char *target, struct vnode **covered)
{
	int err;

	mutex_assert_held(&vfs_mount_mutex);
	*covered = NULL;
	if (!vfs_root_mount)
		return strcmp(target, "/") == 0 ? 0 : -ENOENT;
	err = vfs_lookup(NULL, target, WALK_FOLLOW | WALK_DIRECTORY, covered);
	if (err)
		return err;
	if (*covered == vfs_root_mount->root) {
		vnode_put(*covered);
		*covered = NULL;
		return -EBUSY;          /* the root is never covered */
	}
	return 0;
}

int vfs_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const void *data)
{
	struct fs_type *type;
	struct vnode *covered = NULL, *root = NULL;
	struct mount *m = NULL;
	int err;

	if (flags & ~VFS_MS_PER_MOUNT)
		return -EINVAL;
	type = fs_type_get(fstype);
	if (!type)
		return -ENODEV;
	mutex_lock(&vfs_mount_mutex);
	err = mount_target(target, &covered);
	if (err)
		goto out_unlock;
	m = kzalloc(sizeof(*m));
	if (!m || mount_copy_strings(m, type, source, data)) {
		err = -ENOMEM;
		goto out_unlock;
	}
	err = type->mount(type, source, flags, data, &root);
	if (err)
		goto out_unlock;
	assert(S_ISDIR(root->mode));
	m->type = type;
	m->root = root;
	m->covered = covered;
	m->flags = flags;
	spin_lock(&vfs_mount_lock);
	err = mount_attach(m);
	spin_unlock(&vfs_mount_lock);
	if (!err && !vfs_root_mount)
		vfs_root_mount = m;
out_unlock:
	mutex_unlock(&vfs_mount_mutex);
	if (!err)
		return 0;
	/* Not mounted: the instance goes with its root (no unmount op). */
	if (root)
		vnode_put(root);
	if (covered)
		vnode_put(covered);
	mount_free(m);
	fs_type_put(type);
	return err;
}

/*
 * Take m (whose root the caller holds once) off the namespace if nothing
 * uses it: 0 or -EBUSY.  [vfs_mount_mutex] held.
 */
static int mount_detach_unused(struct mount *m)
{
	int err = 0;

	mutex_assert_held(&vfs_mount_mutex);
	if (!m->type->unmount)
		return -EBUSY;
	spin_lock(&vfs_mount_lock);
	if (mount_has_children(m) ||
	    refcount_read(&m->root->refcount) != MOUNT_ROOT_IDLE_REFS)
		err = -EBUSY;
	else
		mount_unlink(m);
	spin_unlock(&vfs_mount_lock);
	if (err)
		return err;
	err = m->type->unmount(m->type, m->root);
	if (err) {
		spin_lock(&vfs_mount_lock);
		mount_link(m);
		spin_unlock(&vfs_mount_lock);
	}
	return err;
}

int vfs_umount(const char *target)
{
	struct mount *m;
	struct vnode *v;
	int err = vfs_lookup(NULL, target, WALK_FOLLOW, &v);

	if (err)
		return err;
	mutex_lock(&vfs_mount_mutex);
	spin_lock(&vfs_mount_lock);
	m = v->mnt_root;
	spin_unlock(&vfs_mount_lock);
	if (!m || m == vfs_root_mount)
		err = -EINVAL;
	else
		err = mount_detach_unused(m);
	mutex_unlock(&vfs_mount_mutex);
	vnode_put(v);
	if (err)
		return err;
	vnode_put(m->root);
	vnode_put(m->covered);
	fs_type_put(m->type);
	mount_free(m);
	return 0;
}

unsigned long vfs_mount_flags_of(struct vnode *v)
{
	unsigned long flags = 0;
	struct mount *m;

	spin_lock(&vfs_mount_lock);
	m = mount_of_dev(v->dev);
	if (m)
		flags = m->flags;
	spin_unlock(&vfs_mount_lock);
	return flags;
}

int vfs_may_write(struct vnode *v)
{
	return (vfs_mount_flags_of(v) & MS_RDONLY) ? -EROFS : 0;
}

bool vfs_is_mount_root(struct vnode *v)
{
	bool root;

	spin_lock(&vfs_mount_lock);
	root = v->mnt_root != NULL;
	spin_unlock(&vfs_mount_lock);
	return root;
}

int vfs_remount(const char *target, unsigned long flags)
{
	struct mount *m;
	struct vnode *v;
	int err;

	if (flags & ~VFS_MS_PER_MOUNT)
		return -EINVAL;
	err = vfs_lookup(NULL, target, WALK_FOLLOW, &v);
	if (err)
		return err;
	mutex_lock(&vfs_mount_mutex);
	spin_lock(&vfs_mount_lock);
	m = v->mnt_root;
	if (m)
		m->flags = flags;       /* both locks: readers hold either */
	else
		err = -EINVAL;
	spin_unlock(&vfs_mount_lock);
	mutex_unlock(&vfs_mount_mutex);
	vnode_put(v);
	return err;
}

int vfs_mounts_show(void (*fn)(void *ctx, const struct vfs_mount_info *mi), void *ctx)
{
	char *path = kmalloc(VFS_PATH_MAX, 0);
	struct list *pos;

	if (!path)
		return -ENOMEM;
	mutex_lock(&vfs_mount_mutex);
	/* The list changes only under vfs_mount_mutex, which we hold. */
	list_for_each(pos, &vfs_mounts) {
		struct mount *m = list_entry(pos, struct mount, link);
		struct vfs_mount_info mi = {
			m->source ? m->source : "none", path, m->type->name,
			m->options, m->flags
		};

		if (vfs_path_of(m->root, path, VFS_PATH_MAX) < 0)
			continue;
		fn(ctx, &mi);
	}
	mutex_unlock(&vfs_mount_mutex);
	kfree(path);
	return 0;
}

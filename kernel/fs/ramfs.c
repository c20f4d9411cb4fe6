/*
 * ramfs.c - the in-memory file system: the root file system, /tmp, and
 * everything unpacked from the initramfs.  Regular files, directories and
 * symlinks, and FIFO and socket nodes (mknod): nodes with no data, which
 * vfs_open() opens through kernel/fs/pipe.c (or refuses, for sockets).
 *
 * A directory keeps a list of entries in creation order; each entry holds
 * one reference to its child vnode, so a file lives as long as it has a
 * name or an open file.  Each entry gets a cookie (a counter per
 * directory) that readdir uses as its position, so a listing stays
 * consistent while entries are added or removed.  Positions 0 and 1 are
 * "." and "..".  A directory knows its parent (no reference: a directory
 * with children cannot be removed); a removed directory has no parent
 * and accepts no new entries.
 *
 * A regular file is an array of page-sized blocks (NULL = a hole, reads
 * as zeros); the bytes past the size in the last block are always zero.
 * Files are capped at VFS_FILE_MAX, and a write fails with -ENOSPC
 * rather than take the last RAMFS_RESERVE_FRAMES free frames or let all
 * files together hold more than 1/RAMFS_MAX_SHARE of memory (Linux's tmpfs
 * default): file pages are kernel memory that no out-of-memory kill frees.
 * A block the heap cannot give is -ENOMEM, as on tmpfs.
 * Long reads and writes stop early for a fatal signal (signal_checkpoint).
 *
 * Each mount of the type (ramfs_fs_type) is a new, empty instance with its
 * own st_dev; an instance can be unmounted only when its root is empty,
 * and its root's release frees it.
 *
 * Lock key (tags as in docs/locking.md): [fs->ns_lock] the instance's
 * namespace mutex (reached from a node as n->fs->ns_lock): every
 * directory's entries and parent, and the nlink of every node.  [v.lock]
 * the node's vnode->lock: a regular file's blocks and size, and every
 * node's times, mode and owner (struct vnode).  [I] immutable after creation.  [A] atomic.
 * Order: ns_lock -> vnode->lock.  Both may be held across user copies.
 */
#include <keel/vfs.h>
#include <keel/refcount.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <keel/panic.h>
#include <keel/pmm.h>
#include <keel/signal.h>
#include <keel/klog.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>

#define RAMFS_RESERVE_FRAMES 1024       /* never fill the last 4 MiB */
#define RAMFS_MAX_PAGES      (VFS_FILE_MAX / PAGE_SIZE)
#define RAMFS_MAX_SHARE      2          /* files hold at most half of memory */
#define RAMFS_CHECK_PAGES    16         /* pages copied between checkpoints */

static uint64_t ramfs_pages;            /* [A] file blocks held by every ramfs */

uint64_t ramfs_total_pages(void)
{
	return __atomic_load_n(&ramfs_pages, __ATOMIC_RELAXED);
}

struct ramfs {
	struct mutex ns_lock;
	uint32_t dev;                   /* [I] */
	uint64_t next_ino;              /* [A] */
	refcount_t nodes;               /* [A] one per live node, plus one held
					 * by the mount until it is unmounted:
					 * the last put frees the instance */
};

/* An unmountable instance: the mount's hold and the root, no other node. */
#define RAMFS_IDLE_NODES 2

struct ramfs_node {
	struct vnode v;
	struct ramfs *fs;               /* [I] */
	/* directories */
	struct ramfs_node *parent;      /* [fs->ns_lock] NULL once removed; root: itself */
	struct list entries;            /* [fs->ns_lock] struct ramfs_dirent.node */
	uint64_t next_cookie;           /* [fs->ns_lock] */
	/* regular files */
	char **blocks;                  /* [v.lock] PAGE_SIZE blocks, NULL = hole */
	size_t nblocks;                 /* [v.lock] slots in blocks */
	/* symlinks */
	char *target;                   /* [I] NUL-terminated */
};

struct ramfs_dirent {
	struct list node;               /* [fs->ns_lock] */
	struct ramfs_node *child;       /* [fs->ns_lock] holds a reference */
	uint64_t cookie;                /* [I] */
	size_t len;                     /* [I] */
	char name[];                    /* [I] NUL-terminated */
};

static const struct vnode_ops ramfs_vops;
static const struct file_ops ramfs_file_ops, ramfs_dir_ops, ramfs_link_ops;
static const char ramfs_zero_block[PAGE_SIZE];
static uint32_t ramfs_next_dev = 1;     /* [A] */

static struct ramfs_node *RN(struct vnode *v)
{
	return container_of(v, struct ramfs_node, v);
}

static struct ramfs_node *ramfs_node_alloc(struct ramfs *fs, uint32_t mode)
{
	struct ramfs_node *n = kzalloc(sizeof(*n));
	const struct file_ops *fops = S_ISDIR(mode) ? &ramfs_dir_ops :
				      S_ISLNK(mode) ? &ramfs_link_ops :
						      &ramfs_file_ops;

	if (!n)
		return NULL;
	vnode_init(&n->v, &ramfs_vops, fops, mode, fs->dev);
	n->v.ino = __atomic_fetch_add(&fs->next_ino, 1, __ATOMIC_RELAXED);
	n->fs = fs;
	refcount_get(&fs->nodes);
	list_init(&n->entries);
	n->next_cookie = 2;
	if (S_ISDIR(mode))
		n->v.nlink = 2;
	return n;
}

/* fs_type mount: a new, empty instance (source, flags and data unused). */
static int ramfs_mount(struct fs_type *type, const char *source,
		       unsigned long flags, const void *data, struct vnode **rootp)
{
	struct ramfs *fs = kzalloc(sizeof(*fs));
	struct ramfs_node *root;

	if (!fs)
		return -ENOMEM;
	mutex_init(&fs->ns_lock, "ramfs_ns");
	fs->dev = __atomic_fetch_add(&ramfs_next_dev, 1, __ATOMIC_RELAXED);
	fs->next_ino = 1;
	refcount_init(&fs->nodes, 1);   /* the mount's hold */
	root = ramfs_node_alloc(fs, S_IFDIR | 0755);
	if (!root) {
		kfree(fs);
		return -ENOMEM;
	}
	root->parent = root;
	*rootp = &root->v;
	return 0;
}

/*
 * fs_type unmount: only an instance whose one live node is the root goes
 * (no entries, and no removed file or directory still open or someone's
 * working directory); the mount's hold is dropped, and the root's release
 * then frees the instance.  Even if a node outlived this, it would keep
 * the instance alive (each node holds fs->nodes).
 */
static int ramfs_unmount(struct fs_type *type, struct vnode *vroot)
{
	struct ramfs *fs = RN(vroot)->fs;
	bool idle;

	mutex_lock(&fs->ns_lock);
	idle = refcount_read(&fs->nodes) == RAMFS_IDLE_NODES;
	if (idle)
		(void)refcount_put(&fs->nodes);   /* the root still holds one */
	mutex_unlock(&fs->ns_lock);
	return idle ? 0 : -EBUSY;
}

struct fs_type ramfs_fs_type = {
	.name = "ramfs",
	.mount = ramfs_mount,
	.unmount = ramfs_unmount,
};

/* ---------------------------------------------------------------- tmpfs */

/*
 * "tmpfs" is ramfs with tmpfs's mount options and unmount rule: its root
 * has the given mode (default 1777), and an unmount discards whatever the
 * instance holds, unless a node is in use (open, a working directory, a
 * walk: more references than directory entries), then -EBUSY, as Linux.
 * size=, nr_blocks=, nr_inodes=, uid=, gid=, huge=, mpol= are checked and
 * shown but not enforced; any other option is -EINVAL, as on Linux.
 */
#define TMPFS_ROOT_MODE 01777
#define TMPFS_OPT_MAX   64

static bool tmpfs_parse_num(const char *s, size_t len, unsigned base, uint64_t *out,
			    bool suffix)
{
	uint64_t v = 0;
	size_t i = 0;

	if (!len)
		return false;
	for (; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d >= base)
			break;
		v = v * base + d;
	}
	if (i == 0)
		return false;
	if (i < len && suffix && i + 1 == len && strchr("kKmMgG%", s[i]))
		i++;
	*out = v;
	return i == len;
}

/* Check one option key[=value] (len bytes); a mode= sets *mode. */
static int tmpfs_option(const char *opt, size_t len, uint32_t *mode)
{
	static const char *const numeric[] = { "size", "nr_blocks", "nr_inodes", "uid", "gid" };
	static const char *const words[] = { "huge", "mpol" };
	const char *eq = memchr(opt, '=', len);
	size_t klen = eq ? (size_t)(eq - opt) : len;
	const char *val = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;
	uint64_t v;

	if (klen == 4 && !memcmp(opt, "mode", 4) && val) {
		if (!tmpfs_parse_num(val, vlen, 8, &v, false) || v > S_IMODE)
			return -EINVAL;
		*mode = (uint32_t)v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(numeric); i++) {
		if (klen == strlen(numeric[i]) && !memcmp(opt, numeric[i], klen) && val)
			return tmpfs_parse_num(val, vlen, 10, &v, true) ? 0 : -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (klen == strlen(words[i]) && !memcmp(opt, words[i], klen) && vlen)
			return 0;
	}
	if ((len == 7 && !memcmp(opt, "inode32", 7)) || (len == 7 && !memcmp(opt, "inode64", 7)))
		return 0;
	return -EINVAL;
}

static int tmpfs_parse(const char *data, uint32_t *mode)
{
	const char *p = data;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int err = len ? tmpfs_option(p, len, mode) : 0;

		if (err) {
			klog_once(LOG_INFO, "tmpfs: unknown or bad mount option in \"%s\"", data);
			return err;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int tmpfs_mount(struct fs_type *type, const char *source, unsigned long flags,
		       const void *data, struct vnode **rootp)
{
	uint32_t mode = TMPFS_ROOT_MODE;
	int err = tmpfs_parse(data, &mode);

	if (err)
		return err;
	err = ramfs_mount(type, source, flags, data, rootp);
	if (!err)
		(*rootp)->mode = S_IFDIR | mode;        /* nobody else sees it yet */
	return err;
}

/* A file with n links counts 1/n at each of its entries (n <= 16 exact). */
#define TMPFS_LINK_UNIT 720720ul

/*
 * Is every node of the instance held only by its directory entries (no
 * open file, working directory or walk in it, and no removed node still
 * open)?  [ns_lock]
 */
static bool tmpfs_tree_idle(struct ramfs_node *root)
{
	struct ramfs_node *d = root;
	struct list *pos = root->entries.next;
	uint64_t nodes = 0;             /* in TMPFS_LINK_UNIT */

	mutex_assert_held(&root->fs->ns_lock);
	for (;;) {
		if (pos == &d->entries) {               /* d is done: back up */
			struct ramfs_node *up = d->parent;
			struct list *p2;

			if (d == root) {
				nodes = (nodes + TMPFS_LINK_UNIT / 2) / TMPFS_LINK_UNIT;
				return refcount_read(&root->fs->nodes) == RAMFS_IDLE_NODES + nodes;
			}
			list_for_each(p2, &up->entries) {
				if (list_entry(p2, struct ramfs_dirent, node)->child == d)
					break;
			}
			pos = p2->next;
			d = up;
			continue;
		}
		struct ramfs_node *c = list_entry(pos, struct ramfs_dirent, node)->child;
		unsigned holders = S_ISDIR(c->v.mode) ? 1 : c->v.nlink;

		if (refcount_read(&c->v.refcount) != holders)
			return false;
		nodes += TMPFS_LINK_UNIT / holders;
		if (S_ISDIR(c->v.mode)) {
			d = c;
			pos = c->entries.next;
		} else {
			pos = pos->next;
		}
	}
}

/* Remove every entry under root, deepest first.  [ns_lock] */
static void tmpfs_tree_clear(struct ramfs_node *root)
{
	struct ramfs_node *d = root;

	mutex_assert_held(&root->fs->ns_lock);
	for (;;) {
		struct ramfs_dirent *e = list_first(&d->entries, struct ramfs_dirent, node);
		struct ramfs_node *c;

		if (!e) {
			if (d == root)
				return;
			d = d->parent;  /* its first entry is the empty directory */
			continue;
		}
		c = e->child;
		if (S_ISDIR(c->v.mode) && !list_empty(&c->entries)) {
			d = c;
			continue;
		}
		list_remove(&e->node);
		if (S_ISDIR(c->v.mode)) {
			c->parent = NULL;
			c->v.nlink = 0;
			d->v.nlink--;
		} else {
			c->v.nlink--;
		}
		kfree(e);
		vnode_put(&c->v);       /* frees c; never takes ns_lock */
		(void)signal_checkpoint();      /* a scheduling point; finish anyway */
	}
}

static int tmpfs_unmount(struct fs_type *type, struct vnode *vroot)
{
	struct ramfs_node *root = RN(vroot);
	bool idle;

	mutex_lock(&root->fs->ns_lock);
	idle = tmpfs_tree_idle(root);
	if (idle)
		tmpfs_tree_clear(root);
	mutex_unlock(&root->fs->ns_lock);
	return idle ? ramfs_unmount(type, vroot) : -EBUSY;
}

struct fs_type tmpfs_fs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
	.unmount = tmpfs_unmount,
	.data_is_options = true,
};

static void ramfs_block_free(char *b);

/* The last reference is gone; the instance's last node frees it too. */
static void ramfs_release(struct vnode *v)
{
	struct ramfs_node *n = RN(v);
	struct ramfs *fs = n->fs;

	assert(list_empty(&n->entries));
	for (size_t i = 0; i < n->nblocks; i++)
		ramfs_block_free(n->blocks[i]);
	kfree(n->blocks);
	kfree(n->target);
	kfree(n);
	if (refcount_put(&fs->nodes))
		kfree(fs);
}

/* ---------------------------------------------------------------- directories */

static struct ramfs_dirent *ramfs_find(struct ramfs_node *dir, const char *name,
				       size_t len)
{
	struct list *pos;

	list_for_each(pos, &dir->entries) {
		struct ramfs_dirent *d = list_entry(pos, struct ramfs_dirent, node);

		if (d->len == len && memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

static struct ramfs_dirent *ramfs_dirent_alloc(const char *name, size_t len)
{
	struct ramfs_dirent *d = kmalloc(sizeof(*d) + len + 1, 0);

	if (!d)
		return NULL;
	list_init(&d->node);
	d->child = NULL;
	d->len = len;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	return d;
}

/* A directory's entries changed: its mtime and ctime are now. */
static void ramfs_dir_changed(struct ramfs_node *dir)
{
	uint64_t now = vfs_now();

	mutex_lock(&dir->v.lock);
	dir->v.mtime = dir->v.ctime = now;
	mutex_unlock(&dir->v.lock);
}

/* A node's own metadata (its links) changed: its ctime is now. */
static void ramfs_node_changed(struct ramfs_node *n)
{
	uint64_t now = vfs_now();

	mutex_lock(&n->v.lock);
	n->v.ctime = now;
	mutex_unlock(&n->v.lock);
}

/* Link d (naming child) into dir. [fs->ns_lock] held. */
static void ramfs_link(struct ramfs_node *dir, struct ramfs_dirent *d,
		       struct ramfs_node *child)
{
	mutex_assert_held(&dir->fs->ns_lock);
	d->child = child;
	d->cookie = dir->next_cookie++;
	list_add_tail(&dir->entries, &d->node);
	if (S_ISDIR(child->v.mode)) {
		child->parent = dir;
		dir->v.nlink++;
	}
	ramfs_dir_changed(dir);
}

static int ramfs_lookup(struct vnode *vdir, const char *name, size_t len,
			struct vnode **out)
{
	struct ramfs_node *dir = RN(vdir);
	struct ramfs_dirent *d;
	int err = 0;

	mutex_lock(&dir->fs->ns_lock);
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (dir->parent)
			*out = vnode_get(&dir->parent->v);
		else
			err = -ENOENT;
	} else if ((d = ramfs_find(dir, name, len))) {
		*out = vnode_get(&d->child->v);
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&dir->fs->ns_lock);
	return err;
}

static int ramfs_create(struct vnode *vdir, const char *name, size_t len,
			uint32_t mode, const char *target, struct vnode **out)
{
	struct ramfs_node *dir = RN(vdir), *n;
	struct ramfs_dirent *d, *old;
	int err = 0;

	*out = NULL;
	n = ramfs_node_alloc(dir->fs, mode);
	d = ramfs_dirent_alloc(name, len);
	if (!n || !d)
		goto out_nomem;
	vfs_init_owner(&n->v, vdir);    /* before the name is visible */
	if (S_ISLNK(mode)) {
		size_t tlen = strlen(target);

		n->target = kmalloc(tlen + 1, 0);
		if (!n->target)
			goto out_nomem;
		memcpy(n->target, target, tlen + 1);
		n->v.size = tlen;
	}

	mutex_lock(&dir->fs->ns_lock);
	if ((old = ramfs_find(dir, name, len))) {
		*out = vnode_get(&old->child->v);
		err = -EEXIST;
	} else if (!dir->parent) {
		err = -ENOENT;          /* the directory was removed */
	} else {
		ramfs_link(dir, d, n);  /* the entry takes n's first reference */
		*out = vnode_get(&n->v);
	}
	mutex_unlock(&dir->fs->ns_lock);
	if (!err)
		return 0;
	vnode_put(&n->v);
	kfree(d);
	return err;

out_nomem:
	if (n)
		vnode_put(&n->v);
	kfree(d);
	return -ENOMEM;
}

/* Give dir the entry name for the existing non-directory v. */
static int ramfs_link_op(struct vnode *vdir, const char *name, size_t len,
			 struct vnode *v)
{
	struct ramfs_node *dir = RN(vdir), *n = RN(v);
	struct ramfs_dirent *d = ramfs_dirent_alloc(name, len);
	int err = 0;

	if (!d)
		return -ENOMEM;
	mutex_lock(&dir->fs->ns_lock);
	if (ramfs_find(dir, name, len))
		err = -EEXIST;
	else if (!dir->parent || n->v.nlink == 0)
		err = -ENOENT;          /* the directory or the file was removed */
	if (!err) {
		vnode_get(v);           /* the entry's reference */
		ramfs_link(dir, d, n);
		n->v.nlink++;
		ramfs_node_changed(n);
	}
	mutex_unlock(&dir->fs->ns_lock);
	if (err)
		kfree(d);
	return err;
}

/*
 * statfs: the limits ramfs_block_alloc enforces, shared by every instance:
 * at most 1/RAMFS_MAX_SHARE of memory, never the last reserve.
 */
static void ramfs_statfs(struct vnode *v, struct linux_statfs *st)
{
	uint64_t limit = pmm_total_frames() / RAMFS_MAX_SHARE;
	uint64_t used = __atomic_load_n(&ramfs_pages, __ATOMIC_RELAXED);
	uint64_t free = pmm_free_frames();
	uint64_t avail = free > RAMFS_RESERVE_FRAMES ? free - RAMFS_RESERVE_FRAMES : 0;

	avail = MIN(avail, limit > used ? limit - used : 0);
	st->f_blocks = limit;
	st->f_bfree = st->f_bavail = avail;
	st->f_files = limit;
	st->f_ffree = avail;
}

static int ramfs_remove(struct vnode *vdir, const char *name, size_t len,
			bool rmdir, vfs_ns_check_t check, void *ctx)
{
	struct ramfs_node *dir = RN(vdir), *child = NULL;
	struct ramfs_dirent *d;
	int err = 0;

	mutex_lock(&dir->fs->ns_lock);
	d = ramfs_find(dir, name, len);
	if (!d) {
		err = -ENOENT;
		goto out;
	}
	child = d->child;
	if (check && (err = check(ctx, vdir, &child->v, NULL, NULL)))
		goto out;
	if (rmdir && !S_ISDIR(child->v.mode))
		err = -ENOTDIR;
	else if (!rmdir && S_ISDIR(child->v.mode))
		err = -EISDIR;
	else if (rmdir && !list_empty(&child->entries))
		err = -ENOTEMPTY;
	if (err)
		goto out;
	list_remove(&d->node);
	if (rmdir) {
		child->parent = NULL;
		child->v.nlink = 0;
		dir->v.nlink--;
	} else {
		child->v.nlink--;
	}
	ramfs_node_changed(child);
	ramfs_dir_changed(dir);
out:
	mutex_unlock(&dir->fs->ns_lock);
	if (!err) {
		kfree(d);
		vnode_put(&child->v);
	}
	return err;
}

/* True if a is d or one of d's ancestors. [fs->ns_lock] held. */
static bool ramfs_is_ancestor(struct ramfs_node *a, struct ramfs_node *d)
{
	mutex_assert_held(&d->fs->ns_lock);
	for (;;) {
		if (d == a)
			return true;
		if (!d->parent || d->parent == d)
			return false;
		d = d->parent;
	}
}

static int ramfs_rename(struct vnode *vodir, const char *oname, size_t olen,
			struct vnode *vndir, const char *nname, size_t nlen, vfs_ns_check_t check,
			void *ctx)
{
	struct ramfs_node *odir = RN(vodir), *ndir = RN(vndir), *src;
	struct ramfs_dirent *nd = ramfs_dirent_alloc(nname, nlen);
	struct ramfs_dirent *od, *victim = NULL;
	bool isdir;
	int err = 0;

	if (!nd)
		return -ENOMEM;
	mutex_lock(&odir->fs->ns_lock);
	od = ramfs_find(odir, oname, olen);
	if (!od) {
		err = -ENOENT;
		goto out;
	}
	src = od->child;
	isdir = S_ISDIR(src->v.mode);
	if (!ndir->parent) {
		err = -ENOENT;
		goto out;
	}
	if (isdir && ramfs_is_ancestor(src, ndir)) {
		err = -EINVAL;
		goto out;
	}
	victim = ramfs_find(ndir, nname, nlen);
	if (victim && victim->child == src) {
		victim = NULL;          /* same file: nothing to do (before any check) */
		goto out;
	}
	if (check && (err = check(ctx, vodir, &src->v, vndir, victim ? &victim->child->v : NULL))) {
		victim = NULL;
		goto out;
	}
	if (victim) {
		struct ramfs_node *vc = victim->child;

		if (isdir && !S_ISDIR(vc->v.mode))
			err = -ENOTDIR;
		else if (!isdir && S_ISDIR(vc->v.mode))
			err = -EISDIR;
		else if (S_ISDIR(vc->v.mode) && !list_empty(&vc->entries))
			err = -ENOTEMPTY;
		else if (READ_ONCE(vc->v.mounted))
			err = -EBUSY;
		if (err) {
			victim = NULL;
			goto out;
		}
		list_remove(&victim->node);
		if (S_ISDIR(vc->v.mode)) {
			vc->parent = NULL;
			vc->v.nlink = 0;
			ndir->v.nlink--;
		} else {
			vc->v.nlink--;
		}
	}
	list_remove(&od->node);
	if (isdir)
		odir->v.nlink--;
	ramfs_dir_changed(odir);
	ramfs_link(ndir, nd, src);      /* moves od's reference to nd */
	ramfs_node_changed(src);
	nd = od;                        /* free the old entry below */
out:
	mutex_unlock(&odir->fs->ns_lock);
	kfree(nd);
	if (victim) {
		struct ramfs_node *vc = victim->child;

		kfree(victim);
		vnode_put(&vc->v);
	}
	return err;
}

static int ramfs_readdir(struct vnode *vdir, uint64_t *pos, vfs_filldir_t fill,
			 void *ctx)
{
	struct ramfs_node *dir = RN(vdir);
	struct list *it;
	int err = 0;

	mutex_lock(&dir->fs->ns_lock);
	if (!dir->parent) {
		err = -ENOENT;
		goto out;
	}
	if (*pos == 0) {
		if (!fill(ctx, ".", 1, dir->v.ino, DT_DIR, 1))
			goto out;
		*pos = 1;
	}
	if (*pos == 1) {
		if (!fill(ctx, "..", 2, dir->parent->v.ino, DT_DIR, 2))
			goto out;
		*pos = 2;
	}
	list_for_each(it, &dir->entries) {
		struct ramfs_dirent *d = list_entry(it, struct ramfs_dirent, node);

		if (d->cookie < *pos)
			continue;
		if (!fill(ctx, d->name, d->len, d->child->v.ino,
			  vfs_dtype(d->child->v.mode), d->cookie + 1))
			goto out;
		*pos = d->cookie + 1;
	}
out:
	mutex_unlock(&dir->fs->ns_lock);
	return err;
}

static ssize_t ramfs_readlink(struct vnode *v, char *buf, size_t n)
{
	struct ramfs_node *l = RN(v);
	size_t len = MIN(n, (size_t)l->v.size);

	memcpy(buf, l->target, len);
	return (ssize_t)len;
}

/* ---------------------------------------------------------------- file data */

/* Make room for at least want block slots. [v.lock] held. */
static int ramfs_grow_slots(struct ramfs_node *n, size_t want)
{
	size_t cap = MAX(n->nblocks * 2, (size_t)8);
	char **nb;

	mutex_assert_held(&n->v.lock);
	if (want <= n->nblocks)
		return 0;
	if (want > RAMFS_MAX_PAGES)
		return -EFBIG;
	cap = MIN(MAX(cap, want), (size_t)RAMFS_MAX_PAGES);
	nb = kzalloc(cap * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	if (n->blocks)
		memcpy(nb, n->blocks, n->nblocks * sizeof(*nb));
	kfree(n->blocks);
	n->blocks = nb;
	n->nblocks = cap;
	return 0;
}

/* A zeroed block in *bp: 0, -ENOSPC (over the ramfs limits) or -ENOMEM. */
static int ramfs_block_alloc(char **bp)
{
	if (pmm_free_frames() < RAMFS_RESERVE_FRAMES ||
	    __atomic_load_n(&ramfs_pages, __ATOMIC_RELAXED) >=
	    pmm_total_frames() / RAMFS_MAX_SHARE)
		return -ENOSPC;
	*bp = kzalloc(PAGE_SIZE);
	if (!*bp)
		return -ENOMEM;
	__atomic_fetch_add(&ramfs_pages, 1, __ATOMIC_RELAXED);
	return 0;
}

static void ramfs_block_free(char *b)
{
	if (!b)
		return;
	kfree(b);
	__atomic_fetch_sub(&ramfs_pages, 1, __ATOMIC_RELAXED);
}

static ssize_t ramfs_read(struct file *f, struct iobuf b, size_t n,
			  uint64_t *off)
{
	struct ramfs_node *node = RN(f->vnode);
	size_t done = 0;
	ssize_t ret;

	/* Killable: a holder may be waiting for memory (a user copy's fault). */
	if (mutex_lock_killable(&node->v.lock))
		return -EINTR;
	if (*off >= node->v.size)
		n = 0;
	else
		n = MIN(n, (size_t)(node->v.size - *off));
	while (done < n) {
		uint64_t pos = *off + done;
		size_t bi = pos / PAGE_SIZE, bo = pos % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - bo);
		const char *src = bi < node->nblocks && node->blocks[bi] ?
				  node->blocks[bi] : ramfs_zero_block;

		if (done && bi % RAMFS_CHECK_PAGES == 0 && bo == 0 && signal_checkpoint())
			break;
		if (iobuf_copy_to(b, done, src + bo, chunk))
			break;
		done += chunk;
	}
	ret = done || n == 0 ? (ssize_t)done : -EFAULT;
	if (done) {
		node->v.atime = vfs_now();
		*off += done;
	}
	mutex_unlock(&node->v.lock);
	return ret;
}

static ssize_t ramfs_write(struct file *f, struct iobuf b, size_t n,
			   uint64_t *off)
{
	struct ramfs_node *node = RN(f->vnode);
	size_t done = 0;
	ssize_t err = 0;

	if (n)
		vfs_remove_privs(&node->v);
	if (mutex_lock_killable(&node->v.lock))
		return -EINTR;
	if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_APPEND)
		*off = node->v.size;
	if (n == 0)
		goto out;
	if (b.limited) {                /* RLIMIT_FSIZE */
		if (*off >= b.limit) {
			err = -EFBIG;
			goto out;
		}
		n = MIN(n, (size_t)MIN(b.limit - *off, (uint64_t)SIZE_MAX));
	}
	if (*off >= VFS_FILE_MAX) {
		err = -EFBIG;
		goto out;
	}
	n = MIN(n, (size_t)(VFS_FILE_MAX - *off));
	err = ramfs_grow_slots(node, DIV_ROUND_UP(*off + n, PAGE_SIZE));
	if (err)
		goto out;
	while (done < n) {
		uint64_t pos = *off + done;
		size_t bi = pos / PAGE_SIZE, bo = pos % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - bo);

		if (done && bi % RAMFS_CHECK_PAGES == 0 && bo == 0 && signal_checkpoint())
			break;
		if (!node->blocks[bi] && (err = ramfs_block_alloc(&node->blocks[bi])))
			break;
		if (iobuf_copy_from(node->blocks[bi] + bo, b, done, chunk)) {
			/* keep the bytes past the size zero */
			if (pos + chunk > node->v.size)
				memset(node->blocks[bi] + bo, 0, chunk);
			err = -EFAULT;
			break;
		}
		done += chunk;
	}
	if (done) {
		*off += done;
		if (*off > node->v.size)
			node->v.size = *off;
		node->v.mtime = node->v.ctime = vfs_now();
	}
out:
	mutex_unlock(&node->v.lock);
	return done ? (ssize_t)done : err;
}

static int ramfs_truncate(struct vnode *v, uint64_t size)
{
	struct ramfs_node *n = RN(v);
	int err = 0;

	if (size > VFS_FILE_MAX)
		return -EFBIG;
	mutex_lock(&v->lock);
	if (size < v->size) {
		size_t keep = DIV_ROUND_UP(size, PAGE_SIZE);

		for (size_t i = keep; i < n->nblocks; i++) {
			ramfs_block_free(n->blocks[i]);
			n->blocks[i] = NULL;
		}
		if (size % PAGE_SIZE && keep - 1 < n->nblocks && n->blocks[keep - 1])
			memset(n->blocks[keep - 1] + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
		if (size == 0) {
			kfree(n->blocks);
			n->blocks = NULL;
			n->nblocks = 0;
		}
	}
	v->size = size;
	v->mtime = v->ctime = vfs_now();
	mutex_unlock(&v->lock);
	return err;
}

static ssize_t ramfs_dir_rw(struct file *f, struct iobuf b, size_t n,
			    uint64_t *off)
{
	return -EISDIR;
}

static ssize_t ramfs_link_rw(struct file *f, struct iobuf b, size_t n,
			     uint64_t *off)
{
	return -EINVAL;
}

static const struct vnode_ops ramfs_vops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.remove = ramfs_remove,
	.rename = ramfs_rename,
	.readdir = ramfs_readdir,
	.readlink = ramfs_readlink,
	.truncate = ramfs_truncate,
	.link = ramfs_link_op,
	.statfs = ramfs_statfs,
	.release = ramfs_release,
};

static const struct file_ops ramfs_file_ops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.seekable = true,
	.poll = vfs_poll_always_ready,
};

static const struct file_ops ramfs_dir_ops = {
	.read = ramfs_dir_rw,
	.write = ramfs_dir_rw,
	.seekable = true,
	.poll = vfs_poll_always_ready,
};

static const struct file_ops ramfs_link_ops = {
	.read = ramfs_link_rw,
	.write = ramfs_link_rw,
	.poll = vfs_poll_always_ready,
};

/*
 * devfs.c - the device file system mounted on /dev: a fixed directory of
 * character devices.
 *
 *   console (5,1)  the system console: ttyS0 or tty1 (kernel/fs/tty.c)
 *   tty     (5,0)  the opener's controlling terminal
 *   tty1    (4,1)  the terminal on the VGA screen and PS/2 keyboard
 *   ttyS0   (4,64) the terminal on the serial line
 *   null    (1,3)  reads end of file, writes vanish
 *   zero    (1,5)  reads zeros, writes vanish
 *   kcov    (10,240) per-thread kernel coverage (kernel/debug/kcov.c); only in
 *                  kernels built with KCOV=1, absent (ENOENT) otherwise
 *
 * devfs is only the glue between names and devices: each entry pairs a
 * name and a device number with the file_ops of the driver behind it
 * (null and zero are small enough to live here).
 *
 * Locking: devfs's vnodes are static and never freed (each keeps its
 * creation reference), and the table is immutable, so devfs takes no
 * lock.  Devices lock themselves.
 */
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/kcov.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/signal.h>
#include <keel/tty.h>
#include <lib/errno.h>
#include <lib/string.h>

/* Device numbers (Linux's). */
#define DEV_MKDEV(ma, mi) (((uint32_t)(ma) << 8) | (mi))

/* ---------------------------------------------------------------- null, zero */

static ssize_t null_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	return 0;
}

static ssize_t null_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	return (ssize_t)n;
}

/* Bytes of zeros copied between two checks for a reschedule or SIGKILL. */
#define ZERO_CHECK_BYTES (64 * KiB)

static ssize_t zero_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	static const char zeros[256];
	size_t done = 0;

	while (done < n) {
		size_t k = MIN(n - done, sizeof(zeros));

		if (done && done % ZERO_CHECK_BYTES == 0 && signal_checkpoint())
			return (ssize_t)done;
		if (iobuf_copy_to(b, done, zeros, k))
			return done ? (ssize_t)done : -EFAULT;
		done += k;
	}
	return (ssize_t)n;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .poll = vfs_poll_always_ready,
	.seekable = true,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .poll = vfs_poll_always_ready,
	.seekable = true, .mmap_zero = true,
};

/* ---------------------------------------------------------------- the directory */

struct devfs_entry {
	const char *name;
	const struct file_ops *fops;
	uint32_t rdev;
	struct vnode v;
	bool (*present)(void);          /* [I] NULL: always there */
	void (*missing)(void);          /* [I] a lookup of an absent device */
	uint32_t perm;                  /* [I] permission bits; 0: 0666 */
};

/* Linux's debugfs kcov has a dynamic number; this is Keel's own.  kcov comes
 * last so that the other devices keep their inode numbers. */
#define DEV_KCOV DEV_MKDEV(10, 240)

/* Linux's modes: the terminals are root's (login hands one to a user),
 * /dev/tty, null and zero everyone's, kcov root's (debugfs). */
static struct devfs_entry devfs_entries[] = {
	{ "console", &tty_fops, DEV_MKDEV(5, 1), { 0 }, NULL, NULL, 0600 },
	{ "null", &null_fops, DEV_MKDEV(1, 3), { 0 }, NULL, NULL, 0 },
	{ "tty", &tty_fops, DEV_MKDEV(5, 0), { 0 }, NULL, NULL, 0 },
	{ "zero", &zero_fops, DEV_MKDEV(1, 5), { 0 }, NULL, NULL, 0 },
	{ "tty1", &tty_fops, DEV_MKDEV(4, 1), { 0 }, NULL, NULL, 0620 },
	{ "ttyS0", &tty_fops, DEV_MKDEV(4, 64), { 0 }, NULL, NULL, 0660 },
	{ "kcov", &kcov_fops, DEV_KCOV, { 0 }, kcov_built_in, kcov_note_missing, 0600 },
};

/*
 * Devices found at boot (interrupt lines, PCI functions) are added by
 * devfs_add from their drivers' initcalls and follow the static ones.  An
 * entry is never removed, and it is complete (its vnode initialized)
 * before the count that makes it visible is published with a release
 * store, so lookups and readdir still take no lock.
 */
#define DEVFS_DYNAMIC_MAX 64
#define DEVFS_NAME_MAX    32
static struct spinlock devfs_add_lock = SPINLOCK_INIT("devfs_add");
static struct devfs_entry devfs_dynamic[DEVFS_DYNAMIC_MAX];     /* [devfs_add_lock] until published */
static char devfs_dynamic_names[DEVFS_DYNAMIC_MAX][DEVFS_NAME_MAX]; /* same */
static size_t devfs_ndynamic;   /* [devfs_add_lock] writes, release; reads acquire */

static size_t devfs_nentries(void)
{
	return ARRAY_SIZE(devfs_entries) + __atomic_load_n(&devfs_ndynamic, __ATOMIC_ACQUIRE);
}

/* Entry i of the whole table (static entries first), i < devfs_nentries(). */
static struct devfs_entry *devfs_entry(size_t i)
{
	if (i < ARRAY_SIZE(devfs_entries))
		return &devfs_entries[i];
	return &devfs_dynamic[i - ARRAY_SIZE(devfs_entries)];
}

static void devfs_init_node(struct devfs_entry *e, uint64_t ino);
static void devfs_init_nodes(void);

int devfs_add(const char *name, const struct file_ops *fops, uint32_t rdev, uint32_t perm,
	      void *priv)
{
	struct devfs_entry *e;
	size_t len = strlen(name), n;

	devfs_init_nodes();
	spin_lock(&devfs_add_lock);
	n = devfs_ndynamic;
	if (n == DEVFS_DYNAMIC_MAX || len == 0 || len >= DEVFS_NAME_MAX) {
		spin_unlock(&devfs_add_lock);
		klog(LOG_WARN, "devfs: no room for %s", name);
		return -ENOSPC;
	}
	memcpy(devfs_dynamic_names[n], name, len + 1);
	e = &devfs_dynamic[n];
	e->name = devfs_dynamic_names[n];
	e->fops = fops;
	e->rdev = rdev;
	e->perm = perm;
	devfs_init_node(e, ARRAY_SIZE(devfs_entries) + n + 2);
	e->v.priv = priv;
	__atomic_store_n(&devfs_ndynamic, n + 1, __ATOMIC_RELEASE);
	spin_unlock(&devfs_add_lock);
	return 0;
}

static bool devfs_present(const struct devfs_entry *e)
{
	return !e->present || e->present();
}

static struct vnode devfs_root_vnode;   /* [I] after the first devfs_mount */

static int devfs_lookup(struct vnode *dir, const char *name, size_t len,
			struct vnode **out)
{
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = vnode_get(dir);
		return 0;
	}
	for (size_t i = 0; i < devfs_nentries(); i++) {
		struct devfs_entry *e = devfs_entry(i);

		if (strlen(e->name) == len && memcmp(e->name, name, len) == 0) {
			if (!devfs_present(e)) {
				if (e->missing)
					e->missing();
				return -ENOENT;
			}
			*out = vnode_get(&e->v);
			return 0;
		}
	}
	return -ENOENT;
}

static int devfs_create(struct vnode *dir, const char *name, size_t len,
			uint32_t mode, const char *target, struct vnode **out)
{
	int err = devfs_lookup(dir, name, len, out);

	if (err == 0)
		return -EEXIST;
	*out = NULL;
	return -EPERM;
}

static int devfs_remove(struct vnode *dir, const char *name, size_t len, bool rmdir,
			vfs_ns_check_t check, void *ctx)
{
	return -EPERM;
}

static int devfs_rename(struct vnode *odir, const char *oname, size_t olen,
			struct vnode *ndir, const char *nname, size_t nlen, vfs_ns_check_t check,
			void *ctx)
{
	return -EPERM;
}

static int devfs_readdir(struct vnode *dir, uint64_t *pos, vfs_filldir_t fill,
			 void *ctx)
{
	for (;;) {
		uint64_t i = *pos;

		if (i == 0) {
			if (!fill(ctx, ".", 1, dir->ino, DT_DIR, 1))
				return 0;
		} else if (i == 1) {
			if (!fill(ctx, "..", 2, dir->ino, DT_DIR, 2))
				return 0;
		} else if (i - 2 < devfs_nentries()) {
			struct devfs_entry *e = devfs_entry(i - 2);

			if (devfs_present(e) &&
			    !fill(ctx, e->name, strlen(e->name), e->v.ino, DT_CHR, i + 1))
				return 0;
		} else {
			return 0;
		}
		*pos = i + 1;
	}
}

static const struct vnode_ops devfs_vops = {
	.lookup = devfs_lookup,
	.create = devfs_create,
	.remove = devfs_remove,
	.rename = devfs_rename,
	.readdir = devfs_readdir,
};

static ssize_t devfs_dir_rw(struct file *f, struct iobuf b, size_t n,
			    uint64_t *off)
{
	return -EISDIR;
}

static const struct file_ops devfs_dir_fops = {
	.read = devfs_dir_rw, .write = devfs_dir_rw, .poll = vfs_poll_always_ready,
	.seekable = true,
};

#define DEVFS_DEV 0x10000       /* st_dev, apart from ramfs's small numbers */

/*
 * fs_type mount: devfs has one instance (a second mount of it is refused
 * by vfs_mount), built on first use; its root with a reference.  Runs
 * under vfs_mount_mutex, which serializes the first use.
 */
static void devfs_init_node(struct devfs_entry *e, uint64_t ino)
{
	vnode_init(&e->v, &devfs_vops, e->fops, S_IFCHR | (e->perm ? e->perm : 0666), DEVFS_DEV);
	e->v.ino = ino;
	e->v.rdev = e->rdev;
}

static void devfs_init_nodes(void)
{
	if (devfs_root_vnode.ops)
		return;
	vnode_init(&devfs_root_vnode, &devfs_vops, &devfs_dir_fops,
		   S_IFDIR | 0755, DEVFS_DEV);
	devfs_root_vnode.ino = 1;
	devfs_root_vnode.nlink = 2;
	for (size_t i = 0; i < ARRAY_SIZE(devfs_entries); i++)
		devfs_init_node(&devfs_entries[i], i + 2);
}

static int devfs_mount(struct fs_type *type, const char *source,
		       unsigned long flags, const void *data, struct vnode **rootp)
{
	devfs_init_nodes();
	*rootp = vnode_get(&devfs_root_vnode);
	return 0;
}

/* No unmount: the device nodes are static. */
struct fs_type devfs_fs_type = {
	.name = "devfs",
	.mount = devfs_mount,
};

/*
 * devtmpfs: what mount(2) of type "devtmpfs" makes - another view of the
 * same devices.  Each mount gets a root directory of its own (with its own
 * st_dev, so the mount rules hold) whose entries are devfs's device nodes;
 * the root is freed at its last put, and an instance may always be
 * unmounted (the device nodes are static).  Devices made on one appear in
 * every one, as on Linux.  Runs under vfs_mount_mutex.
 */
static uint32_t devtmpfs_next_dev = DEVFS_DEV + 1;     /* [A] */

static void devtmpfs_release(struct vnode *v)
{
	kfree(v);
}

static const struct vnode_ops devtmpfs_root_vops = {
	.lookup = devfs_lookup,
	.create = devfs_create,
	.remove = devfs_remove,
	.rename = devfs_rename,
	.readdir = devfs_readdir,
	.release = devtmpfs_release,
};

static int devtmpfs_mount(struct fs_type *type, const char *source,
			  unsigned long flags, const void *data, struct vnode **rootp)
{
	struct vnode *root;

	if (data && *(const char *)data) {
		klog_once(LOG_INFO, "devtmpfs: mount options (%s) are not supported",
			  (const char *)data);
		return -EINVAL;
	}
	root = kzalloc(sizeof(*root));
	if (!root)
		return -ENOMEM;
	devfs_init_nodes();
	vnode_init(root, &devtmpfs_root_vops, &devfs_dir_fops, S_IFDIR | 0755,
		   __atomic_fetch_add(&devtmpfs_next_dev, 1, __ATOMIC_RELAXED));
	root->ino = 1;
	root->nlink = 2;
	*rootp = root;
	return 0;
}

static int devtmpfs_unmount(struct fs_type *type, struct vnode *root)
{
	return 0;
}

struct fs_type devtmpfs_fs_type = {
	.name = "devtmpfs",
	.mount = devtmpfs_mount,
	.unmount = devtmpfs_unmount,
};

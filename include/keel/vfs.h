/*
 * keel/vfs.h - the virtual file system: vnodes, path walk, file-system
 * types and mounts.
 *
 * A vnode is one file-system object (regular file, directory, symlink,
 * character device).  A file system supplies vnode_ops (namespace and data
 * operations) and, per vnode, the file_ops an open file of it gets.
 *
 * File systems register a struct fs_type by name (vfs_register_fs); its
 * mount op makes an instance and returns the instance's root directory.
 * vfs_mount() puts an instance on a directory: a struct mount records the
 * type, the instance's root, the directory it covers and the mount that
 * directory belongs to; all mounts are on one list.  vfs_init registers
 * ramfs (kernel/fs/ramfs.c: the root, /tmp and everything unpacked from
 * the initramfs) and devfs (kernel/fs/devfs.c) and mounts them on / and
 * /dev.  Rules every type follows: all vnodes of one instance carry the
 * instance's st_dev (vnode->dev), and an instance is mounted at most once
 * (vfs_mount refuses a second mount of a root, or of a dev, with -EBUSY),
 * so the mount a vnode belongs to is the one whose root has its dev.
 *
 * Path walk (kernel/fs/vfs.c) starts at the root or at a directory vnode,
 * resolves "." and "..", crosses mount points through the mount
 * structures (vnode->mounted leads into a mount, vnode->mnt_root back out
 * of one), follows symlinks (at most
 * VFS_SYMLOOP_MAX per walk, -ELOOP beyond) and returns a vnode with a
 * reference.  It holds references, never locks, between components; each
 * lookup takes the file system's own lock.
 *
 * Reference counting: vnode_get()/vnode_put() on a refcount_t
 * (keel/refcount.h).  A vnode lives while it has references; in ramfs
 * every directory entry holds one, so an unlinked file lives on until its
 * last open file is closed.  The put that drops the last reference calls
 * the file system's release (a static vnode without one is never freed).
 *
 * Lock key (tags as in docs/locking.md): [I] immutable after creation,
 *            [A] atomic,
 *            [lock] in struct vnode: vnode->lock (a sleeping mutex: data,
 *                size, times, mode),
 *            [ns_lock] the file system's namespace mutex (ramfs:
 *                ramfs->ns_lock),
 *            [vfs_mount_lock] (a spinlock: the mount list and the vnode
 *                fields that point at mounts),
 *            [vfs_mount_mutex] (a sleeping mutex: one vfs_mount or
 *                vfs_umount at a time, fs_type ops included),
 *            [vfs_fs_lock] (a spinlock: the registered types).
 * Lock order: vfs_mount_mutex -> ns_lock -> vnode->lock -> (any spinlock);
 * vfs_mount_lock and vfs_fs_lock are leaves.
 * Everything here may sleep unless it says otherwise.
 */
#ifndef KEEL_VFS_H
#define KEEL_VFS_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/mutex.h>
#include <keel/refcount.h>

typedef long ssize_t;

#define VFS_PATH_MAX    4096            /* Linux PATH_MAX, NUL included */
#define VFS_NAME_MAX    255             /* Linux NAME_MAX */
#define VFS_SYMLOOP_MAX 40              /* symlinks followed in one walk */

/* st_mode: file type and permission bits (Linux values). */
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_IMODE  07777                  /* permission, setuid/gid, sticky */
#define S_ISUID  04000
#define S_ISGID  02000
#define S_ISVTX  01000                  /* sticky: only owners delete names */
#define S_IXGRP  00010
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)

/* open(2) flags (Linux x86-64 values). */
#define O_ACCMODE   03
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DSYNC     010000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_NOATIME   01000000
#define O_CLOEXEC   02000000
#define O_SYNC      04010000
#define O_PATH      010000000
#define O_TMPFILE   020200000

/* *at() conventions. */
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EACCESS          0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_EMPTY_PATH       0x1000

/* poll(2) events (Linux values). */
#define POLLIN     0x0001               /* readable */
#define POLLOUT    0x0004               /* writable */
#define POLLERR    0x0008               /* error (a pipe with no reader) */
#define POLLHUP    0x0010               /* hung up (a pipe with no writer) */
#define POLLRDNORM 0x0040               /* normal data readable */
#define POLLWRNORM 0x0100               /* normal data writable */
/* What a file that never blocks is ready for (and files with no poll op). */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* linux_dirent64.d_type */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

/* Largest regular file ramfs keeps (bigger writes get -EFBIG / -ENOSPC). */
#define VFS_FILE_MAX GiB

/*
 * A buffer in user memory (through keel/uaccess.h) or kernel memory.  A
 * write from it to a regular file may not make the file bigger than limit
 * when limited (RLIMIT_FSIZE): it is cut short there, and one that would
 * start at or past limit fails with -EFBIG.
 */
struct iobuf {
	char *p;
	bool user;
	bool limited;
	uint64_t limit;
};
#define IOBUF_USER(ptr)   ((struct iobuf){ .p = (char *)(ptr), .user = true })
#define IOBUF_KERNEL(ptr) ((struct iobuf){ .p = (char *)(ptr), .user = false })

/* Copy n bytes to b + at / from b + at; 0 or -EFAULT. */
int iobuf_copy_to(struct iobuf b, size_t at, const void *src, size_t n);
int iobuf_copy_from(void *dst, struct iobuf b, size_t at, size_t n);

struct vnode;
struct file;
struct linux_statfs;
struct file_ops;
struct mount;
struct waitq;

/*
 * Called by readdir for each entry; returns false when the caller's
 * buffer is full (the entry is then not consumed).  May be called with
 * the file system's namespace lock held: it must not block on the fs.
 */
typedef bool (*vfs_filldir_t)(void *ctx, const char *name, size_t len,
			      uint64_t ino, unsigned dtype, uint64_t next_pos);

/*
 * The VFS's checks of a remove or rename (permissions, the sticky bit, the
 * types), run by the file system with its namespace locked on what the
 * names hold at that moment: odir/victim the removed or moved name's
 * directory and vnode, ndir/replaced the target directory and what the
 * new name held (NULL for a remove, or when the name is free).  0 or
 * -Exxx; must not sleep on the file system's own locks.
 */
struct vnode;
typedef int (*vfs_ns_check_t)(void *ctx, struct vnode *odir, struct vnode *victim,
			      struct vnode *ndir, struct vnode *replaced);

struct vnode_ops {
	/* Directory entry name (not "." / ".."; ".." is): vnode with a ref. */
	int (*lookup)(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out);
	/*
	 * Create name in dir: mode's type is S_IFREG, S_IFDIR or S_IFLNK
	 * (then target is the link text), or S_IFIFO or S_IFSOCK (a node
	 * only: vfs_open opens a FIFO through kernel/fs/pipe.c).  -EEXIST if the name exists, and
	 * then *out is the existing vnode with a reference.
	 */
	int (*create)(struct vnode *dir, const char *name, size_t len,
		      uint32_t mode, const char *target, struct vnode **out);
	/*
	 * Remove a non-directory (rmdir false) or an empty directory.  With
	 * the name found and the namespace locked, first call check (may be
	 * NULL) on it and give up with its error: what the VFS checks is
	 * what goes (vfs_ns_check_t).
	 */
	int (*remove)(struct vnode *dir, const char *name, size_t len,
		      bool rmdir, vfs_ns_check_t check, void *ctx);
	/* Move odir/oname to ndir/nname (same file system); check as for
	 * remove, on the moved vnode and the one nname held (or NULL). */
	int (*rename)(struct vnode *odir, const char *oname, size_t olen,
		      struct vnode *ndir, const char *nname, size_t nlen,
		      vfs_ns_check_t check, void *ctx);
	/* Emit entries from *pos on; *pos is a cookie (0 = start). */
	int (*readdir)(struct vnode *dir, uint64_t *pos, vfs_filldir_t fill,
		       void *ctx);
	/* Copy up to n bytes of a symlink's text into buf; its length. */
	ssize_t (*readlink)(struct vnode *v, char *buf, size_t n);
	/* Set a regular file's size. */
	int (*truncate)(struct vnode *v, uint64_t size);
	/*
	 * Optional.  Give dir a new entry name for v (a non-directory of
	 * the same instance): -EEXIST if the name exists, -ENOENT if dir or
	 * v was removed meanwhile.  NULL: hard links are -EPERM.
	 */
	int (*link)(struct vnode *dir, const char *name, size_t len,
		    struct vnode *v);
	/* Optional.  Fill st (zeroed, defaults in): NULL keeps vfs_statfs's. */
	void (*statfs)(struct vnode *v, struct linux_statfs *st);
	/* The last reference is gone: free v. */
	void (*release)(struct vnode *v);
};

struct vnode {
	const struct vnode_ops *ops;    /* [I] */
	const struct file_ops *fops;    /* [I] what an open file of it gets */
	uint64_t ino;                   /* [I] */
	uint32_t dev;                   /* [I] file-system id (st_dev) */
	uint32_t rdev;                  /* [I] device number (st_rdev) */
	refcount_t refcount;            /* [A] vnode_get / vnode_put */
	struct mutex lock;              /* guards the [lock] fields */
	uint32_t mode;                  /* [lock]; type bits [I]; permission checks
					 * read it lock-free (kernel/fs/perm.c) */
	uint32_t uid, gid;              /* [lock] owner (st_uid, st_gid); as mode */
	uint32_t nlink;                 /* [ns_lock] */
	uint64_t size;                  /* [lock] */
	int64_t atime, mtime, ctime;    /* [lock] ns since the Unix epoch (vfs_now); may be
					 * negative (set by utimensat) */
	struct mount *mounted;          /* [vfs_mount_lock] the mount on this directory, or NULL */
	struct mount *mnt_root;         /* [vfs_mount_lock] the mount whose root this is, or NULL */
	void *priv;                     /* [I] file-system private */
};

/* Linux struct stat (x86-64), 144 bytes. */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime;
	uint64_t st_atime_nsec;
	int64_t st_mtime;
	uint64_t st_mtime_nsec;
	int64_t st_ctime;
	uint64_t st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "x86-64 struct stat");

/* Linux struct statfs (x86-64), 120 bytes. */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail;
	uint64_t f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "x86-64 struct statfs");

#define TMPFS_MAGIC      0x01021994     /* f_type of ramfs and devfs (as tmpfs) */
#define PROC_SUPER_MAGIC 0x9fa0
#define ST_VALID         0x0020         /* f_flags: the flags are valid */

/* Linux struct linux_dirent64 header (d_name follows, NUL-terminated). */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
} __packed;

/* ---------------------------------------------------------------- types, mounts */

/* mount(2) flags (Linux values).  A mount keeps VFS_MS_PER_MOUNT of them. */
#define MS_RDONLY      0x1
#define MS_NOSUID      0x2
#define MS_NODEV       0x4
#define MS_NOEXEC      0x8
#define MS_SYNCHRONOUS 0x10
#define MS_REMOUNT     0x20
#define MS_MANDLOCK    0x40
#define MS_DIRSYNC     0x80
#define MS_NOSYMFOLLOW 0x100
#define MS_NOATIME     0x400
#define MS_NODIRATIME  0x800
#define MS_BIND        0x1000
#define MS_MOVE        0x2000
#define MS_REC         0x4000
#define MS_SILENT      0x8000
#define MS_PRIVATE     0x40000
#define MS_SLAVE       0x80000
#define MS_SHARED      0x100000
#define MS_RELATIME    0x200000
#define MS_STRICTATIME 0x1000000
#define MS_LAZYTIME    0x2000000
#define MS_MGC_VAL     0xc0ed0000ul     /* old magic in the top half: ignored */
#define MS_MGC_MSK     0xffff0000ul
#define VFS_MS_PER_MOUNT (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | \
			  MS_SYNCHRONOUS | MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME | \
			  MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME | MS_NOSYMFOLLOW)

struct fs_type {
	const char *name;               /* [I] what vfs_mount's fstype names */
	/*
	 * Make an instance from source and data (either may be NULL; their
	 * meaning is the type's own) and return its root directory in
	 * *rootp with one reference, which the mount keeps.  flags are the
	 * mount's MS_* flags.  Runs under vfs_mount_mutex; may sleep.  0 or
	 * -Exxx.
	 */
	int (*mount)(struct fs_type *type, const char *source,
		     unsigned long flags, const void *data, struct vnode **rootp);
	/*
	 * Optional.  The instance rooted at root is being unmounted: it is
	 * already out of the namespace and nobody else holds its root.  0 lets
	 * it go (the VFS then drops the mount's reference to root, which must
	 * free whatever the instance still holds); -EBUSY keeps it mounted (a
	 * vnode other than the root is still in use).  Runs under
	 * vfs_mount_mutex; may sleep.  NULL: instances of the type are never
	 * unmounted (-EBUSY).
	 */
	int (*unmount)(struct fs_type *type, struct vnode *root);
	bool data_is_options;           /* [I] data is a string /proc/mounts shows */
	struct list link;               /* [vfs_fs_lock] on the list of registered types */
	unsigned users;                 /* [vfs_fs_lock] mounts of it, made or being made */
};

struct mount {
	struct fs_type *type;           /* [I] */
	struct vnode *root;             /* [I] the instance's root, referenced */
	struct vnode *covered;          /* [I] the mount point, referenced; NULL for / */
	struct mount *parent;           /* [I] the mount covered lies in; NULL for / */
	unsigned long flags;            /* [vfs_mount_mutex] and [vfs_mount_lock] to change,
					 * either to read: VFS_MS_PER_MOUNT flags */
	char *source;                   /* [I] what was mounted (kmalloc'd), or NULL */
	char *options;                  /* [I] the type's accepted data (kmalloc'd), or NULL */
	struct list link;               /* [vfs_mount_lock] on the mount list */
};

/* One line of /proc/mounts, as vfs_mounts_show hands it over. */
struct vfs_mount_info {
	const char *source;             /* "none" when there was none */
	const char *target;             /* absolute path of the mount point */
	const char *fstype;
	const char *options;            /* the type's data, or NULL */
	unsigned long flags;            /* VFS_MS_PER_MOUNT flags */
};

/* Register a file-system type: 0, or -EBUSY if its name is taken. */
int vfs_register_fs(struct fs_type *type);
/* Unregister it: 0, -EBUSY while mounted, -ENOENT if not registered. */
int vfs_unregister_fs(struct fs_type *type);
/*
 * Mount an instance of the type named fstype, made from source and data,
 * on the directory at target (the first mount must be on "/": it makes
 * the root).  flags: VFS_MS_PER_MOUNT flags, kept and shown (no others).
 * 0, or -ENODEV (no such type), -EINVAL (flags), -ENOTDIR, -EBUSY (target
 * is the root, or the instance is mounted already), a walk's or the
 * type's error.  May sleep.
 */
int vfs_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const void *data);
/*
 * Unmount what is mounted at target (the path of its root): 0, -EINVAL
 * (not a mount, or the root mount), -EBUSY (something is mounted inside
 * it, a process or walk holds its root, or its type refuses), a walk's
 * error.  May sleep.
 */
int vfs_umount(const char *target);
/* Replace the per-mount flags of the mount whose root target names: 0,
 * -EINVAL (not a mount, or flags outside VFS_MS_PER_MOUNT).  May sleep. */
int vfs_remount(const char *target, unsigned long flags);
/*
 * The per-mount flags of the file system v lies in (0 if none; a device
 * node counts as devfs's).  vfs_may_write: 0, or -EROFS when that mount is
 * read-only (MS_RDONLY).  Never sleep.
 */
unsigned long vfs_mount_flags_of(struct vnode *v);
int vfs_may_write(struct vnode *v);

/*
 * File permissions (kernel/fs/perm.c), as the current process's
 * file-system ids (or a given struct cred_fs).  0 or -EACCES / -EPERM.
 */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4
#define VFS_ID_UNCHANGED ((uint32_t)-1)  /* chown: leave this id alone */
struct cred_fs;
/* May c read / write / search-or-execute v (mask of MAY_*)? */
int vfs_permission_as(struct vnode *v, int mask, const struct cred_fs *c);
int vfs_permission(struct vnode *v, int mask);
/* Is c (the current process) v's owner, or root? */
bool vfs_owner_as(struct vnode *v, const struct cred_fs *c);
bool vfs_owner(struct vnode *v);
/* May a name be created in dir: -EROFS, then write and search permission. */
int vfs_may_create(struct vnode *dir);
/* May victim's name go from dir: write and search on dir, then the
 * sticky bit's rule (-EPERM unless owner of either, or root). */
int vfs_may_delete(struct vnode *dir, struct vnode *victim);
/* A new vnode in dir belongs to its creator (set-group-ID dirs hand on their
 * group); called by file systems before the new name is visible. */
void vfs_init_owner(struct vnode *v, struct vnode *dir);
/* chmod: only the owner or root; *mode loses S_ISGID if a non-member sets it. */
int vfs_chmod_check(struct vnode *v, uint32_t *mode);
/* chown: root any; the owner only the group, to one of its own groups. */
int vfs_chown_check(struct vnode *v, uint32_t uid, uint32_t gid);
/* utimensat: explicit times need the owner; "now" also write permission. */
int vfs_utimes_check(struct vnode *v, bool to_now);
/* A write or truncate by anyone but root drops S_ISUID, and S_ISGID with
 * S_IXGRP, as Linux's file_remove_privs.  Takes v->lock when it does. */
void vfs_remove_privs(struct vnode *v);
/* Is v the root of a mount (a mount point as path names see it)?  Never sleeps. */
bool vfs_is_mount_root(struct vnode *v);
/*
 * Call fn(ctx, info) for every mount, in mount order, with the mount
 * list held still (vfs_mount_mutex: fn may sleep but must not mount).
 * 0 or -ENOMEM.  May sleep.
 */
int vfs_mounts_show(void (*fn)(void *ctx, const struct vfs_mount_info *mi), void *ctx);
/*
 * The root of what is mounted on v, if anything (repeated for stacked
 * mounts), else v: consumes the reference to v and returns one to the
 * result.  What the walk does after each lookup.
 */
struct vnode *vfs_mount_enter(struct vnode *v);
/*
 * The directory v's file system is mounted on, if v is the root of a
 * mount (repeated for stacked mounts; the root of / stays): consumes the
 * reference to v and returns one to the result.  What ".." starts from.
 */
struct vnode *vfs_mount_leave(struct vnode *v);

/* Call fn(ctx, name) for each registered type.  Never sleeps (fn must not). */
void vfs_fs_types_show(void (*fn)(void *ctx, const char *name), void *ctx);
/* Pages of file data every ramfs instance holds together (/proc/meminfo). */
uint64_t ramfs_total_pages(void);

/* The types vfs_init registers. */
extern struct fs_type ramfs_fs_type;
extern struct fs_type devfs_fs_type;
/*
 * Add a device node /dev/name (at most 31 bytes) whose open files get fops
 * and whose vnode's priv is priv; perm: permission bits (0: 0666).  Boot
 * only (driver initcalls), before devfs is first mounted: -EBUSY after,
 * -ENOSPC when the table is full.
 */
int devfs_add(const char *name, const struct file_ops *fops, uint32_t rdev, uint32_t perm,
	      void *priv);
/* More types for mount(2): tmpfs (ramfs with tmpfs's options and unmount
 * rule, kernel/fs/ramfs.c) and devtmpfs (more views of devfs). */
extern struct fs_type tmpfs_fs_type;
extern struct fs_type devtmpfs_fs_type;

/* ---------------------------------------------------------------- poll */

/*
 * How poll(2)/select(2) wait on files.  A file's poll op calls
 * poll_wait(f, wq, pt) for each wait queue woken when its readiness can
 * change (a pipe's, the console input's), then reports its events.  With
 * pt NULL or pt->queue NULL it only reports.  A waiter supplies queue(),
 * which puts an entry on wq that wakes it (its own struct waiter, say);
 * since the op registers before it reads its state, a change after the
 * report finds the entry there, and no wakeup is lost.  queue() is called
 * with no lock of the file's held, must not sleep, and keeps its entries
 * until the waiter takes them off (wake_up() unlinks the entries it wakes).
 */
struct poll_table {
	void (*queue)(struct file *f, struct waitq *wq, struct poll_table *pt);
	void *priv;                     /* the waiter's own */
};

static inline void poll_wait(struct file *f, struct waitq *wq,
			     struct poll_table *pt)
{
	if (pt && pt->queue && wq)
		pt->queue(f, wq, pt);
}

/* The POLL* events f is ready for (registering through pt, may be NULL). */
unsigned vfs_poll(struct file *f, struct poll_table *pt);
/* A poll op for files that never block: DEFAULT_POLLMASK, no queue. */
unsigned vfs_poll_always_ready(struct file *f, struct poll_table *pt);

/* ---------------------------------------------------------------- API */

/* Register ramfs and devfs, mount them on / and /dev, create /tmp.  Once,
 * after kmalloc. */
void vfs_init(void);
/* The root directory (no new reference; it lives forever). */
struct vnode *vfs_root(void);

/* Take / drop a reference.  vnode_put may sleep (it may free). */
struct vnode *vnode_get(struct vnode *v);
void vnode_put(struct vnode *v);
/* Initialize the common fields of a new vnode (refcount 1). */
void vnode_init(struct vnode *v, const struct vnode_ops *ops,
		const struct file_ops *fops, uint32_t mode, uint32_t dev);
/* Nanoseconds for timestamps: wall-clock time (time_real_ns). */
uint64_t vfs_now(void);
/* Fill a struct stat from v. */
void vfs_stat(struct vnode *v, struct linux_stat *st);
/* Fill a struct statfs for the file system v is on. */
void vfs_statfs(struct vnode *v, struct linux_statfs *st);

/* What vfs_setattr changes: the VA_* bits in valid. */
#define VA_MODE  (1u << 0)              /* permission bits (S_IMODE) */
#define VA_UID   (1u << 1)
#define VA_GID   (1u << 2)
#define VA_ATIME (1u << 3)
#define VA_MTIME (1u << 4)
#define VA_KILL_SUID (1u << 5)          /* chown: drop set-id bits (see below) */

struct vattr {
	unsigned valid;                 /* VA_* */
	uint32_t mode, uid, gid;
	int64_t atime, mtime;           /* ns since the Unix epoch (negative: before) */
};

/*
 * Change v's attributes as a says and set its ctime to now.  VA_KILL_SUID
 * (every chown, even of nothing) clears a non-directory's S_ISUID, and
 * S_ISGID if S_IXGRP is set, as Linux does.  0.
 * Takes v->lock; may sleep.
 */
int vfs_setattr(struct vnode *v, const struct vattr *a);
/*
 * A new name npath (from nbase) for the non-directory v: 0, -EPERM (a
 * directory, or a file system without links), -EXDEV (another file
 * system), -EEXIST, -ENOENT (trailing slash, or v was removed), a walk's
 * error.  May sleep.
 */
int vfs_link(struct vnode *v, struct vnode *nbase, const char *npath);
/* Set a regular file's size (truncate(2)): 0, -EISDIR, -EINVAL, -EFBIG. */
int vfs_truncate(struct vnode *v, uint64_t size);

/* Walk flags. */
#define WALK_FOLLOW    (1u << 0)        /* follow a symlink as last component */
#define WALK_DIRECTORY (1u << 1)        /* the result must be a directory */

/*
 * Resolve a kernel path from base (NULL: the caller's cwd; ignored for an
 * absolute path).  0 with *out referenced, or -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG, -ENOMEM, -EACCES (a directory on the way the caller may
 * not search).  May sleep.
 */
int vfs_lookup(struct vnode *base, const char *path, unsigned flags,
	       struct vnode **out);
/* The same, each directory searched as as (access(): the real ids). */
int vfs_lookup_as(struct vnode *base, const char *path, unsigned flags,
		  const struct cred_fs *as, struct vnode **out);
/*
 * Resolve all but the last component: *dir referenced, the last name
 * copied to name[VFS_NAME_MAX + 1] ("" if the path names the directory
 * itself, e.g. "/"), *trailing_slash set if the path ended with '/'.
 */
int vfs_lookup_parent(struct vnode *base, const char *path,
		      struct vnode **dir, char *name, bool *trailing_slash);

/* The cwd of the current process (or the root), with a reference. */
struct vnode *vfs_cwd(void);
/* Replace the current process's cwd with dir (a reference is taken). */
void vfs_set_cwd(struct vnode *dir);

/* Namespace operations on paths (relative to base, NULL = cwd). */
int vfs_mkdir(struct vnode *base, const char *path, uint32_t mode);
int vfs_symlink(struct vnode *base, const char *target, const char *path);
/* mknod: mode's type is S_IFREG, S_IFIFO or S_IFSOCK (else -EINVAL). */
int vfs_mknod(struct vnode *base, const char *path, uint32_t mode);
int vfs_unlink(struct vnode *base, const char *path, bool rmdir);
int vfs_rename(struct vnode *obase, const char *opath, struct vnode *nbase,
	       const char *npath);
/* Read a symlink's text (not NUL-terminated) into buf: length or -Exxx. */
ssize_t vfs_readlink(struct vnode *base, const char *path, char *buf,
		     size_t n);
/*
 * Encode one linux_dirent64 into buf[0..size): its d_reclen, or 0 if it
 * does not fit.
 */
size_t vfs_dirent64_encode(void *buf, size_t size, uint64_t ino,
			   int64_t off, unsigned dtype, const char *name,
			   size_t len);
/*
 * The absolute path of directory dir (through mount points up to the
 * root) into buf of n bytes, NUL-terminated: its length or -ENOENT (dir
 * was removed), -ENAMETOOLONG, -ENOMEM.  getcwd and /proc use it.
 */
long vfs_path_of(struct vnode *dir, char *buf, size_t n);
/*
 * The canonical absolute path of what path names from base (NULL: the
 * cwd), symlinks followed (realpath(3)): its length, or a walk's error.
 * The last component must exist.  exec and /proc use it.
 */
ssize_t vfs_realpath(struct vnode *base, const char *path, char *buf, size_t n);
/* d_type for a st_mode. */
unsigned vfs_dtype(uint32_t mode);

#endif

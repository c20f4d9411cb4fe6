/*
 * keel/fd.h - open files and file-descriptor tables.
 *
 * A struct file is one open of a vnode, a pipe end or a device: it holds
 * the access mode, the status flags (O_APPEND, O_NONBLOCK) and the file
 * offset, so dup() and fork() share the offset, as POSIX requires.  Files
 * are reference counted (refcount_t, keel/refcount.h): each descriptor
 * slot and each fd_get() caller holds one; file_put() of the last runs
 * ops->release and drops the vnode.
 *
 * An fdtable maps descriptors to files, with a close-on-exec flag per slot.
 * It starts with FDTABLE_INIT slots and grows (doubling) up to FDTABLE_MAX.
 * Threads of one process share it (refcount); fork() clones it.
 *
 * Lock key (tags as in docs/locking.md): [pos_lock] file->pos_lock, a
 * sleeping mutex; [lock] in struct fdtable: fdtable->lock, a spinlock;
 * [epoll_mutex] kernel/fs/epoll.c's global mutex; [I] immutable; [A] atomic.
 * Lock order: file->pos_lock -> vnode locks.  fdtable->lock is a spinlock:
 * nothing sleeps under it, files are released only after it is dropped.
 */
#ifndef KEEL_FD_H
#define KEEL_FD_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/mutex.h>
#include <keel/refcount.h>
#include <keel/spinlock.h>
#include <keel/vfs.h>

#define FDTABLE_INIT 64
#define FDTABLE_MAX  1024               /* the table's hard maximum (RLIMIT_NOFILE may be lower) */
#define FD_CLOEXEC   1                  /* F_GETFD / F_SETFD */

/* fcntl commands */
#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ    1031
#define F_GETPIPE_SZ    1032

/* Linux caps one read/write (and a whole readv/writev) at INT_MAX rounded
 * down to a page. */
#define FILE_RW_MAX 0x7ffff000ul

struct file;
struct vmobj;

struct file_ops {
	/*
	 * Optional: a new open of a device node (flags: the open flags), before
	 * the file is installed; may set f->priv.  0, or -Exxx and the open
	 * fails.
	 */
	int (*open)(struct file *f, int flags);
	/* Read/write at *off (advanced by the call for seekable files). */
	ssize_t (*read)(struct file *f, struct iobuf b, size_t n, uint64_t *off);
	ssize_t (*write)(struct file *f, struct iobuf b, size_t n, uint64_t *off);
	/* Device control; NULL means -ENOTTY. */
	long (*ioctl)(struct file *f, unsigned long cmd, uintptr_t arg);
	/* The last reference is gone. */
	void (*release)(struct file *f);
	/*
	 * mmap of a device's own memory: an object whose first page backs
	 * byte offset off of the device and that covers len bytes (a page
	 * multiple), for a mapping with the MAP_* flags, with one reference
	 * for the caller; 0 or -Exxx.  NULL: regular files and mmap_zero
	 * devices only.
	 */
	int (*mmap)(struct file *f, uint64_t off, size_t len, unsigned flags,
		    struct vmobj **obj);
	/*
	 * mmap of a device's memory that is not RAM (a PCI BAR): check the
	 * request (byte offset off, len a page multiple, PROT_* prot, MAP_*
	 * flags) and give the physical address *pa that backs off, and a
	 * permanent name for /proc/PID/maps (*name, may be NULL).  The
	 * mapping is a VMA_IO one (keel/vm.h).  0 or -Exxx.  NULL: not such a
	 * device.
	 */
	int (*mmap_io)(struct file *f, uint64_t off, size_t len, unsigned prot, unsigned flags,
		       uint64_t *pa, const char **name);
	/*
	 * The POLL* events the file is ready for now, after poll_wait() on
	 * every wait queue woken when that can change (keel/vfs.h).  Never
	 * sleeps.  NULL: always DEFAULT_POLLMASK.  Callers use vfs_poll().
	 */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	uint32_t mode;          /* st_mode of files without a vnode (pipes) */
	bool seekable;          /* offsets meaningful: lseek, pread allowed */
	bool mmap_zero;         /* mmap gives anonymous zero memory (/dev/zero) */
};

struct file {
	refcount_t refcount;            /* [A] */
	const struct file_ops *ops;     /* [I] */
	struct vnode *vnode;            /* [I] referenced, NULL for pipes */
	void *priv;                     /* [I] owner-private (pipe); /dev/kcov sets it once [A] */
	unsigned flags;                 /* [A] O_ACCMODE|O_APPEND|O_NONBLOCK */
	struct mutex pos_lock;          /* serializes I/O at the offset */
	uint64_t off;                   /* [pos_lock] */
	/* How vfs_open found it, for /proc/PID/fd (file_path): the path
	 * (kmalloc'd) and, for a relative one, the directory it started
	 * from (referenced).  [I]; NULL for files not opened by path. */
	char *open_path;
	struct vnode *open_base;
	struct list ep_items;           /* [epoll_mutex] epoll registrations of
					 * this file (kernel/fs/epoll.c) */
};

struct fdtable {
	struct spinlock lock;
	refcount_t refcount;            /* [A] */
	unsigned size;                  /* [lock] slots in files/cloexec */
	struct file **files;            /* [lock] NULL = free slot */
	uint8_t *cloexec;               /* [lock] FD_CLOEXEC per slot */
};

/* A new file with one reference (takes over the reference to v), or NULL. */
struct file *file_alloc(const struct file_ops *ops, struct vnode *v,
			void *priv, unsigned flags);
/* Take another reference to f (the caller holds one); returns f. */
struct file *file_get(struct file *f);
/* Drop a reference; the last one releases the file.  May sleep. */
void file_put(struct file *f);
static inline bool file_readable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}
static inline bool file_writable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}
/* read/write at the file offset (pos_lock held inside); bytes or -Exxx. */
ssize_t file_read(struct file *f, struct iobuf b, size_t n);
ssize_t file_write(struct file *f, struct iobuf b, size_t n);
/* read/write at off (-ESPIPE on unseekable files). */
ssize_t file_pread(struct file *f, struct iobuf b, size_t n, uint64_t off);
ssize_t file_pwrite(struct file *f, struct iobuf b, size_t n, uint64_t off);

/*
 * The absolute path of an opened file now (symlinks resolved), or its
 * path at open followed by " (deleted)" if that no longer leads anywhere:
 * the length (cut to n bytes, no NUL) or -ENOENT (not opened by path),
 * -ENOMEM.  May sleep.
 */
ssize_t file_path(struct file *f, char *buf, size_t n);

/* Open a path as open(2) does, with the current process's permissions
 * (-EACCES); 0 or -Exxx. */
int vfs_open(struct vnode *base, const char *path, int flags, uint32_t mode,
	     struct file **out);
/* Open for exec and kernel use (flags: O_RDONLY etc.): the path walk still
 * needs search permission, the file itself none (exec checks execute
 * permission instead of read); 0 or -Exxx. */
int vfs_open_kernel(const char *path, int flags, struct file **out);
/* Open the regular file v itself (exec, after checking it), taking a
 * reference to v: 0, -EINVAL (not a regular file) or -Exxx. */
int vfs_open_vnode(struct vnode *v, int flags, struct file **out);
/* Read n bytes at off into a kernel buffer: bytes read or -Exxx. */
ssize_t vfs_read_kernel(struct file *f, void *buf, size_t n, uint64_t off);

/* A new empty table (refcount 1), or NULL. */
struct fdtable *fdtable_create(void);
/* A copy for fork(): same files (new references), same flags; or NULL. */
struct fdtable *fdtable_clone(struct fdtable *t);
/* Share t (a thread created with CLONE_FILES): another reference; returns t. */
struct fdtable *fdtable_get(struct fdtable *t);
/* Drop a reference; the last closes every file.  May sleep. */
void fdtable_put(struct fdtable *t);
/* Close every descriptor marked close-on-exec.  May sleep. */
void fdtable_close_on_exec(struct fdtable *t);
/* Open /dev/console as descriptors 0, 1, 2: 0 or -Exxx. */
int fd_install_console(struct fdtable *t);

/* Install f at the lowest free slot >= min: the fd, or -EMFILE/-EINVAL/
 * -ENOMEM.  On success the table owns the caller's reference. */
int fd_alloc(struct fdtable *t, struct file *f, int min, bool cloexec);
/* The same, below max (RLIMIT_NOFILE; capped at FDTABLE_MAX): -EMFILE
 * when every slot in [min, max) is taken. */
int fd_alloc_below(struct fdtable *t, struct file *f, int min, unsigned max,
		   bool cloexec);
/* Install f at fd, closing what was there: fd or -Exxx.  Takes the
 * caller's reference on success. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* Remove fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);
/* The file at fd in t, with a reference, or NULL. */
struct file *fdtable_lookup(struct fdtable *t, int fd);
/* The current process's file at fd, with a reference, or NULL. */
struct file *fd_get(int fd);
/* FD_CLOEXEC of fd: 0/1, or -EBADF; set it: 0 or -EBADF. */
int fd_get_cloexec(struct fdtable *t, int fd);
int fd_set_cloexec(struct fdtable *t, int fd, bool on);

#endif

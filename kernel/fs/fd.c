/*
 * fd.c - open files (struct file) and file-descriptor tables, and opening
 * a path (vfs_open), for system calls, exec and init.
 *
 * I/O at the file offset holds file->pos_lock (a mutex) for the whole
 * call, so concurrent read()s of one shared open file see distinct data,
 * as POSIX asks; unseekable files (pipes, the tty) take no pos_lock and may
 * block inside their own read.  O_APPEND is applied by the file system
 * under its data lock.
 *
 * An fdtable's slots are guarded by its spinlock.  A file leaving a slot
 * (close, dup2 over it, close-on-exec, the table's end) is released only
 * after the lock is dropped, because releasing may sleep.
 */
#include <keel/fd.h>
#include <keel/flock.h>
#include <keel/epoll.h>
#include <keel/pipe.h>
#include <keel/kmalloc.h>
#include <keel/panic.h>
#include <keel/proc.h>
#include <lib/errno.h>
#include <lib/string.h>


/* ---------------------------------------------------------------- files */

struct file *file_alloc(const struct file_ops *ops, struct vnode *v,
			void *priv, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	refcount_init(&f->refcount, 1);
	f->ops = ops;
	f->vnode = v;
	f->priv = priv;
	f->flags = flags;
	mutex_init(&f->pos_lock, "file_pos");
	list_init(&f->ep_items);
	return f;
}

struct file *file_get(struct file *f)
{
	refcount_get(&f->refcount);
	return f;
}

void file_put(struct file *f)
{
	if (!refcount_put(&f->refcount))
		return;
	epoll_file_release(f);  /* before release frees what it watches */
	flock_file_release(f);  /* its OFD and flock() locks */
	if (f->ops->release)
		f->ops->release(f);
	if (f->vnode)
		vnode_put(f->vnode);
	if (f->open_base)
		vnode_put(f->open_base);
	kfree(f->open_path);
	kfree(f);
}

#define FILE_DELETED " (deleted)"

ssize_t file_path(struct file *f, char *buf, size_t n)
{
	char *path;
	ssize_t len;

	if (!f->open_path)
		return -ENOENT;
	path = kmalloc(VFS_PATH_MAX + sizeof(FILE_DELETED), 0);
	if (!path)
		return -ENOMEM;
	len = vfs_realpath(f->open_base, f->open_path, path, VFS_PATH_MAX);
	if (len == -ENOMEM) {
		kfree(path);
		return len;
	}
	if (len < 0) {
		strlcpy(path, f->open_path, VFS_PATH_MAX);
		strlcat(path, FILE_DELETED, VFS_PATH_MAX + sizeof(FILE_DELETED));
	}
	len = (ssize_t)MIN(strlen(path), n);
	memcpy(buf, path, (size_t)len);
	kfree(path);
	return len;
}

/* Remember how f was found (best effort: without it file_path says ENOENT). */
static void file_note_path(struct file *f, struct vnode *base, const char *path)
{
	size_t len = strlen(path) + 1;

	f->open_path = kmalloc(len, 0);
	if (!f->open_path)
		return;
	memcpy(f->open_path, path, len);
	if (path[0] != '/')
		f->open_base = base ? vnode_get(base) : vfs_cwd();
}

typedef ssize_t (*file_io_fn)(struct file *, struct iobuf, size_t, uint64_t *);

static ssize_t file_io(struct file *f, file_io_fn fn, struct iobuf b, size_t n)
{
	uint64_t off = 0;
	ssize_t ret;

	if (!fn)
		return -EINVAL;
	n = MIN(n, FILE_RW_MAX);
	if (!f->ops->seekable)
		return fn(f, b, n, &off);
	/* Another process may hold the position across a long read: killable. */
	if (mutex_lock_killable(&f->pos_lock))
		return -EINTR;
	off = f->off;
	ret = fn(f, b, n, &off);
	f->off = off;
	mutex_unlock(&f->pos_lock);
	return ret;
}

ssize_t file_read(struct file *f, struct iobuf b, size_t n)
{
	if (!file_readable(f))
		return -EBADF;
	return file_io(f, f->ops->read, b, n);
}

ssize_t file_write(struct file *f, struct iobuf b, size_t n)
{
	if (!file_writable(f))
		return -EBADF;
	return file_io(f, f->ops->write, b, n);
}

ssize_t file_pread(struct file *f, struct iobuf b, size_t n, uint64_t off)
{
	if (!file_readable(f))
		return -EBADF;
	if (!f->ops->seekable)
		return -ESPIPE;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, b, MIN(n, FILE_RW_MAX), &off);
}

ssize_t file_pwrite(struct file *f, struct iobuf b, size_t n, uint64_t off)
{
	if (!file_writable(f))
		return -EBADF;
	if (!f->ops->seekable)
		return -ESPIPE;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, b, MIN(n, FILE_RW_MAX), &off);
}

/* ---------------------------------------------------------------- open */

/* Open with O_CREAT: find or create the last component (*created: made here). */
static int vfs_open_creat(struct vnode *base, const char *path, int flags,
			  uint32_t mode, struct vnode **out, bool *created)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *v = NULL;
	bool trailing;
	int err = vfs_lookup_parent(base, path, &dir, name, &trailing), deny;

	*created = false;
	if (err)
		return err;
	if (!name[0] || trailing || !strcmp(name, ".") || !strcmp(name, "..")) {
		err = -EISDIR;
		goto out;
	}
	if ((deny = vfs_may_create(dir))) {
		/* Read-only, or no write permission: only what exists opens
		 * (checked later). */
		err = dir->ops->lookup(dir, name, strlen(name), &v);
		if (err == 0 && (flags & O_EXCL))
			err = -EEXIST;
		else if (err == -ENOENT)
			err = deny;
		if (err == 0 && S_ISLNK(v->mode)) {
			vnode_put(v);
			v = NULL;
			err = (flags & O_NOFOLLOW) ? -ELOOP : vfs_lookup(dir, name, WALK_FOLLOW, &v);
		}
		goto out;
	}
	err = dir->ops->create(dir, name, strlen(name), S_IFREG | (mode & S_IMODE),
			       NULL, &v);
	*created = err == 0;
	if (err == -EEXIST) {
		if (flags & O_EXCL)
			goto out;
		err = 0;
		if (S_ISLNK(v->mode)) {
			vnode_put(v);
			v = NULL;
			if (flags & O_NOFOLLOW)
				err = -ELOOP;
			else
				err = vfs_lookup(dir, name, WALK_FOLLOW, &v);
		}
	}
out:
	if (err && v)
		vnode_put(v);
	if (!err)
		*out = v;
	vnode_put(dir);
	return err;
}

/* What open asks of an existing file: MAY_* for its access mode and O_TRUNC. */
static int vfs_open_mask(int flags)
{
	unsigned acc = flags & O_ACCMODE;
	int mask = acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;

	return (flags & O_TRUNC) ? mask | MAY_WRITE : mask;
}

/* check: the caller's permission on the file itself (not for exec's own open). */
static int vfs_open_common(struct vnode *base, const char *path, int flags, uint32_t mode,
			   struct file **out, bool check)
{
	unsigned acc = flags & O_ACCMODE;
	bool created = false;
	struct vnode *v;
	struct file *f;
	int err;

	if (acc == O_ACCMODE)
		return -EINVAL;
	if (flags & O_CREAT)
		err = vfs_open_creat(base, path, flags, mode, &v, &created);
	else
		err = vfs_lookup(base, path,
				 (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW, &v);
	if (err)
		return err;
	if (S_ISLNK(v->mode))
		err = -ELOOP;
	else if ((flags & O_DIRECTORY) && !S_ISDIR(v->mode))
		err = -ENOTDIR;
	else if (S_ISDIR(v->mode) && (acc != O_RDONLY || (flags & O_CREAT)))
		err = -EISDIR;
	else if (S_ISREG(v->mode) && (acc != O_RDONLY || (flags & O_TRUNC)))
		err = vfs_may_write(v);
	/* A file this open created opens whatever its mode says (Linux). */
	if (!err && check && !created)
		err = vfs_permission(v, vfs_open_mask(flags));
	if (!err && (flags & O_TRUNC) && S_ISREG(v->mode) && acc != O_RDONLY &&
	    v->ops->truncate)
		err = v->ops->truncate(v, 0);
	if (err)
		goto out_put;
	if (S_ISFIFO(v->mode) || S_ISSOCK(v->mode)) {
		/* A socket node cannot be opened (no sockets: as Linux's). */
		err = S_ISFIFO(v->mode) ? pipe_fifo_open(v, (unsigned)flags, out) :
					  -ENXIO;
		if (err)
			goto out_put;
		return 0;
	}
	f = file_alloc(v->fops, v, NULL,
		       (unsigned)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	if (!f) {
		err = -ENOMEM;
		goto out_put;
	}
	file_note_path(f, base, path);
	if (f->ops->open && (err = f->ops->open(f, flags))) {
		file_put(f); /* drops the vnode too */
		return err;
	}
	*out = f;
	return 0;
out_put:
	vnode_put(v);
	return err;
}

int vfs_open(struct vnode *base, const char *path, int flags, uint32_t mode,
	     struct file **out)
{
	return vfs_open_common(base, path, flags, mode, out, true);
}

int vfs_open_vnode(struct vnode *v, int flags, struct file **out)
{
	struct file *f;
	int err;

	if (!S_ISREG(v->mode))
		return -EINVAL;
	f = file_alloc(v->fops, vnode_get(v), NULL,
		       (unsigned)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	if (!f) {
		vnode_put(v);
		return -ENOMEM;
	}
	if (f->ops->open && (err = f->ops->open(f, flags))) {
		file_put(f); /* drops the vnode too */
		return err;
	}
	*out = f;
	return 0;
}

int vfs_open_kernel(const char *path, int flags, struct file **out)
{
	return vfs_open_common(NULL, path, flags, 0, out, false);
}

ssize_t vfs_read_kernel(struct file *f, void *buf, size_t n, uint64_t off)
{
	if (!file_readable(f))
		return -EBADF;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, IOBUF_KERNEL(buf), n, &off);
}

/* ---------------------------------------------------------------- fd tables */

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	spin_init(&t->lock, "fdtable");
	refcount_init(&t->refcount, 1);
	t->size = FDTABLE_INIT;
	t->files = kzalloc(t->size * sizeof(*t->files));
	t->cloexec = kzalloc(t->size);
	if (!t->files || !t->cloexec) {
		kfree(t->files);
		kfree(t->cloexec);
		kfree(t);
		return NULL;
	}
	return t;
}

/* Make slot fd exist. [T] held (allocation under it never sleeps). */
static int fdtable_grow(struct fdtable *t, unsigned fd)
{
	unsigned size = t->size;
	struct file **files;
	uint8_t *cloexec;

	spin_assert_held(&t->lock);
	if (fd < size)
		return 0;
	if (fd >= FDTABLE_MAX)
		return -EMFILE;
	while (size <= fd)
		size *= 2;
	size = MIN(size, (unsigned)FDTABLE_MAX);
	files = kzalloc(size * sizeof(*files));
	cloexec = kzalloc(size);
	if (!files || !cloexec) {
		kfree(files);
		kfree(cloexec);
		return -ENOMEM;
	}
	memcpy(files, t->files, t->size * sizeof(*files));
	memcpy(cloexec, t->cloexec, t->size);
	kfree(t->files);
	kfree(t->cloexec);
	t->files = files;
	t->cloexec = cloexec;
	t->size = size;
	return 0;
}

/* A table with room for size slots (size a power of two times INIT). */
static struct fdtable *fdtable_create_sized(unsigned size)
{
	struct fdtable *t = fdtable_create();
	int err;

	if (!t || size <= t->size)
		return t;
	spin_lock(&t->lock);
	err = fdtable_grow(t, size - 1);
	spin_unlock(&t->lock);
	if (err) {
		fdtable_put(t);
		return NULL;
	}
	return t;
}

struct fdtable *fdtable_clone(struct fdtable *src)
{
	for (;;) {
		unsigned size = READ_ONCE(src->size);
		struct fdtable *t = fdtable_create_sized(size);

		if (!t)
			return NULL;
		spin_lock(&src->lock);
		if (src->size == t->size) {
			for (unsigned i = 0; i < src->size; i++) {
				if (src->files[i])
					t->files[i] = file_get(src->files[i]);
				t->cloexec[i] = src->cloexec[i];
			}
			spin_unlock(&src->lock);
			return t;
		}
		spin_unlock(&src->lock);        /* it grew meanwhile: retry */
		fdtable_put(t);
	}
}

struct fdtable *fdtable_get(struct fdtable *t)
{
	refcount_get(&t->refcount);
	return t;
}

void fdtable_put(struct fdtable *t)
{
	if (!refcount_put(&t->refcount))
		return;
	for (unsigned i = 0; i < t->size; i++)
		if (t->files[i])
			file_put(t->files[i]);
	kfree(t->files);
	kfree(t->cloexec);
	kfree(t);
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (unsigned i = 0;; i++) {
		struct file *f = NULL;

		spin_lock(&t->lock);
		for (; i < t->size; i++) {
			if (t->files[i] && t->cloexec[i]) {
				f = t->files[i];
				t->files[i] = NULL;
				t->cloexec[i] = 0;
				break;
			}
		}
		spin_unlock(&t->lock);
		if (!f)
			return;
		flock_close(f);
		file_put(f);
	}
}

int fd_alloc(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	return fd_alloc_below(t, f, min, FDTABLE_MAX, cloexec);
}

int fd_alloc_below(struct fdtable *t, struct file *f, int min, unsigned max,
		   bool cloexec)
{
	unsigned fd;
	int err;

	max = MIN(max, (unsigned)FDTABLE_MAX);
	if (min < 0 || min >= FDTABLE_MAX)
		return -EINVAL;
	spin_lock(&t->lock);
	for (fd = (unsigned)min; fd < t->size && t->files[fd]; fd++)
		;
	err = fd >= max ? -EMFILE : fdtable_grow(t, fd);
	if (!err) {
		t->files[fd] = f;
		t->cloexec[fd] = cloexec;
	}
	spin_unlock(&t->lock);
	return err ? err : (int)fd;
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	struct file *old = NULL;
	int err;

	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	spin_lock(&t->lock);
	err = fdtable_grow(t, (unsigned)fd);
	if (!err) {
		old = t->files[fd];
		t->files[fd] = f;
		t->cloexec[fd] = cloexec;
	}
	spin_unlock(&t->lock);
	if (old) {
		flock_close(old);       /* a close, for POSIX locks (dup2 over it) */
		file_put(old);
	}
	return err ? err : fd;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f = NULL;

	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size) {
		f = t->files[fd];
		t->files[fd] = NULL;
		t->cloexec[fd] = 0;
	}
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	flock_close(f);         /* any close drops the process's POSIX locks */
	file_put(f);
	return 0;
}

struct file *fdtable_lookup(struct fdtable *t, int fd)
{
	struct file *f = NULL;

	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->files[fd])
		f = file_get(t->files[fd]);
	spin_unlock(&t->lock);
	return f;
}

struct file *fd_get(int fd)
{
	struct proc *p = proc_current();

	if (!p || !p->fdt)
		return NULL;
	return fdtable_lookup(p->fdt, fd);
}

int fd_get_cloexec(struct fdtable *t, int fd)
{
	int ret = -EBADF;

	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->files[fd])
		ret = t->cloexec[fd];
	spin_unlock(&t->lock);
	return ret;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	int ret = -EBADF;

	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->files[fd]) {
		t->cloexec[fd] = on;
		ret = 0;
	}
	spin_unlock(&t->lock);
	return ret;
}

int fd_install_console(struct fdtable *t)
{
	struct file *f;
	int err = vfs_open_kernel("/dev/console", O_RDWR, &f);

	if (err)
		return err;
	for (int fd = 0; fd < 3; fd++) {
		err = fd_install_at(t, fd, fd ? file_get(f) : f, false);
		if (err < 0) {
			file_put(f);
			return err;
		}
	}
	return 0;
}

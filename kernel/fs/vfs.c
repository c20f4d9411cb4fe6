/*
 * vfs.c - the virtual file system core: vnode references, the path walk,
 * the working directory and the namespace operations (mkdir, symlink,
 * unlink, rename, readlink) on top of vnode_ops.  File-system types and
 * mounts are in mount.c.
 *
 * The path walk copies the path into a work buffer and consumes it one
 * component at a time, holding a reference to the current directory and
 * no lock.  A symlink is expanded in place: the buffer becomes
 * "<target>/<rest of the path>" and the walk goes on from the root (absolute
 * target) or from the directory holding the link, so nested links need no
 * recursion and the total is capped at VFS_SYMLOOP_MAX.  ".." at the root
 * stays at the root; ".." at the root of a mounted file system first steps
 * back to the mount point (vfs_mount_leave); a name that is a mount point
 * leads into the mount (vfs_mount_enter).
 *
 * Locks: a process's `cwd` pointer follows the rule of keel/proc.h ("Open
 * files and working directory"): changed under proc->lock, read with a
 * reference taken under it (proc_get_cwd).  File systems lock themselves
 * inside vnode_ops; the mount locks are mount.c's.
 */
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/cred.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/proc.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>

/* ---------------------------------------------------------------- buffers */

int iobuf_copy_to(struct iobuf b, size_t at, const void *src, size_t n)
{
	if (b.user)
		return copy_to_user(b.p + at, src, n);
	memcpy(b.p + at, src, n);
	return 0;
}

int iobuf_copy_from(void *dst, struct iobuf b, size_t at, size_t n)
{
	if (b.user)
		return copy_from_user(dst, b.p + at, n);
	memcpy(dst, b.p + at, n);
	return 0;
}

/* ---------------------------------------------------------------- vnodes */

void vnode_init(struct vnode *v, const struct vnode_ops *ops,
		const struct file_ops *fops, uint32_t mode, uint32_t dev)
{
	uint64_t now = vfs_now();

	memset(v, 0, sizeof(*v));
	v->ops = ops;
	v->fops = fops;
	v->mode = mode;
	v->dev = dev;
	refcount_init(&v->refcount, 1);
	v->nlink = 1;
	v->atime = v->mtime = v->ctime = now;
	mutex_init(&v->lock, "vnode");
}

struct vnode *vnode_get(struct vnode *v)
{
	refcount_get(&v->refcount);
	return v;
}

void vnode_put(struct vnode *v)
{
	if (refcount_put(&v->refcount) && v->ops->release)
		v->ops->release(v);
}

uint64_t vfs_now(void)
{
	return time_real_ns();
}

unsigned vfs_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:  return DT_REG;
	case S_IFDIR:  return DT_DIR;
	case S_IFLNK:  return DT_LNK;
	case S_IFCHR:  return DT_CHR;
	case S_IFBLK:  return DT_BLK;
	case S_IFIFO:  return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	default:       return DT_UNKNOWN;
	}
}

/* ns since the epoch -> seconds (rounded down) and 0..999999999 ns. */
static void vfs_time_split(int64_t ns, int64_t *sec, uint64_t *nsec)
{
	int64_t s = ns / (int64_t)NSEC_PER_SEC, r = ns % (int64_t)NSEC_PER_SEC;

	if (r < 0) {
		s--;
		r += (int64_t)NSEC_PER_SEC;
	}
	*sec = s;
	*nsec = (uint64_t)r;
}

void vfs_stat(struct vnode *v, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	mutex_lock(&v->lock);
	st->st_dev = v->dev;
	st->st_ino = v->ino;
	st->st_nlink = READ_ONCE(v->nlink);
	st->st_mode = v->mode;
	st->st_uid = v->uid;
	st->st_gid = v->gid;
	st->st_rdev = v->rdev;
	st->st_size = (int64_t)v->size;
	st->st_blksize = 4096;
	st->st_blocks = (int64_t)DIV_ROUND_UP(v->size, 512);
	vfs_time_split(v->atime, &st->st_atime, &st->st_atime_nsec);
	vfs_time_split(v->mtime, &st->st_mtime, &st->st_mtime_nsec);
	vfs_time_split(v->ctime, &st->st_ctime, &st->st_ctime_nsec);
	mutex_unlock(&v->lock);
}

void vfs_statfs(struct vnode *v, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_namelen = VFS_NAME_MAX;
	st->f_fsid[0] = (int32_t)v->dev;
	st->f_flags = ST_VALID;
	if (v->ops->statfs)
		v->ops->statfs(v, st);
}

int vfs_setattr(struct vnode *v, const struct vattr *a)
{
	uint32_t mode;

	mutex_lock(&v->lock);
	mode = v->mode;

	/* WRITE_ONCE: permission checks read these without the lock (perm.c). */
	if (a->valid & VA_MODE)
		mode = (mode & S_IFMT) | (a->mode & S_IMODE);
	if (a->valid & VA_UID)
		WRITE_ONCE(v->uid, a->uid);
	if (a->valid & VA_GID)
		WRITE_ONCE(v->gid, a->gid);
	if ((a->valid & VA_KILL_SUID) && !S_ISDIR(mode)) {
		mode &= ~S_ISUID;
		if (mode & S_IXGRP)
			mode &= ~S_ISGID;
	}
	WRITE_ONCE(v->mode, mode);
	if (a->valid & VA_ATIME)
		v->atime = a->atime;
	if (a->valid & VA_MTIME)
		v->mtime = a->mtime;
	v->ctime = vfs_now();
	mutex_unlock(&v->lock);
	return 0;
}

int vfs_truncate(struct vnode *v, uint64_t size)
{
	if (S_ISDIR(v->mode))
		return -EISDIR;
	if (!S_ISREG(v->mode) || !v->ops->truncate)
		return -EINVAL;
	vfs_remove_privs(v);
	return v->ops->truncate(v, size);
}

size_t vfs_dirent64_encode(void *buf, size_t size, uint64_t ino, int64_t off,
			   unsigned dtype, const char *name, size_t len)
{
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);
	struct linux_dirent64 *d = buf;

	if (reclen > size)
		return 0;
	memset(buf, 0, reclen);
	d->d_ino = ino;
	d->d_off = off;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, len);
	return reclen;
}

/* ---------------------------------------------------------------- poll */

unsigned vfs_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops->poll)
		return DEFAULT_POLLMASK;
	return f->ops->poll(f, pt);
}

unsigned vfs_poll_always_ready(struct file *f, struct poll_table *pt)
{
	return DEFAULT_POLLMASK;
}

/* ---------------------------------------------------------------- cwd */

struct vnode *vfs_cwd(void)
{
	struct proc *p = proc_current();
	struct vnode *v;

	if (!p || !(v = proc_get_cwd(p)))
		return vnode_get(vfs_root());
	return v;
}

void vfs_set_cwd(struct vnode *dir)
{
	struct proc *p = proc_current();
	struct vnode *old;

	if (!p)
		return;
	vnode_get(dir);
	spin_lock(&p->lock);
	old = proc_set_cwd_locked(p, dir);
	spin_unlock(&p->lock);
	if (old)
		vnode_put(old);
}

/* ".." of cur, with a reference. */
static int vfs_dotdot(struct vnode *cur, struct vnode **out)
{
	struct vnode *v = vfs_mount_leave(vnode_get(cur));
	int err;

	if (v == vfs_root()) {
		*out = v;
		return 0;
	}
	err = v->ops->lookup(v, "..", 2, out);
	vnode_put(v);
	return err;
}

/* ---------------------------------------------------------------- path walk */

/*
 * The state of one walk.  buf holds the rest of the path; a symlink's
 * expansion is built in tmp and the two are swapped.
 */
struct walk {
	char *buf;              /* the rest of the path, being consumed */
	char *tmp;              /* scratch for symlink expansion */
	char *next;             /* where the next component starts in buf */
	int links;              /* symlinks followed so far */
	struct vnode *cur;      /* the directory reached so far, referenced */
	struct cred_fs cred;    /* who walks: each directory must let it search */
};

/* One component of the path, as walk_next_component found it. */
struct walk_comp {
	const char *name;       /* not NUL-terminated */
	size_t len;
	char *rest;             /* what follows the component and its slashes */
	bool slash;             /* at least one '/' followed it */
	bool last;              /* nothing but slashes followed it */
};

/* Copy path into a new walk starting at the root or base (NULL: cwd), as
 * the credentials as (NULL: the current process's file-system ids). */
static int walk_begin(struct walk *w, struct vnode *base, const char *path,
		      const struct cred_fs *as)
{
	size_t plen = strnlen(path, VFS_PATH_MAX);

	memset(w, 0, sizeof(*w));
	if (plen == 0)
		return -ENOENT;
	if (plen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (as)
		w->cred = *as;
	else
		cred_fs_current(&w->cred, false);
	w->buf = kmalloc(VFS_PATH_MAX, 0);
	w->tmp = kmalloc(VFS_PATH_MAX, 0);
	if (!w->buf || !w->tmp)
		return -ENOMEM;
	memcpy(w->buf, path, plen + 1);
	w->next = w->buf;
	if (path[0] == '/')
		w->cur = vnode_get(vfs_root());
	else
		w->cur = base ? vnode_get(base) : vfs_cwd();
	return 0;
}

/* Free a walk's buffers and drop its directory (if still held). */
static void walk_end(struct walk *w)
{
	if (w->cur)
		vnode_put(w->cur);
	kfree(w->buf);
	kfree(w->tmp);
}

/* Split off the next component; false once only slashes are left. */
static bool walk_next_component(struct walk *w, struct walk_comp *c)
{
	char *p = w->next;

	while (*p == '/')
		p++;
	if (*p == '\0')
		return false;
	c->name = p;
	while (*p && *p != '/')
		p++;
	c->len = (size_t)(p - c->name);
	c->rest = p;
	while (*c->rest == '/')
		c->rest++;
	c->slash = c->rest != p;
	c->last = *c->rest == '\0';
	return true;
}

static bool comp_is(const struct walk_comp *c, const char *name)
{
	return c->len == strlen(name) && memcmp(c->name, name, c->len) == 0;
}

/*
 * One step: the vnode c names in the current directory, with a reference
 * ("." is the directory itself, ".." may leave a mounted file system, a
 * name may lead onto a mount point and then into what is mounted there).
 */
static int walk_step(struct walk *w, const struct walk_comp *c,
		     struct vnode **next)
{
	int err;

	if (comp_is(c, ".")) {
		*next = vnode_get(w->cur);
		return 0;
	}
	if (comp_is(c, ".."))
		return vfs_dotdot(w->cur, next);
	err = w->cur->ops->lookup(w->cur, c->name, c->len, next);
	if (!err)
		*next = vfs_mount_enter(*next);
	return err;
}

/* Is v a symlink the walk must expand (not the last component, or asked)? */
static bool walk_must_follow(const struct vnode *v, const struct walk_comp *c,
			     unsigned flags)
{
	return S_ISLNK(v->mode) && (!c->last || c->slash || (flags & WALK_FOLLOW));
}

/*
 * Replace the walk's path by the link's target + the rest after c, and
 * restart from the root (absolute target) or the link's directory.
 */
static int walk_follow(struct walk *w, struct vnode *link,
		       const struct walk_comp *c)
{
	size_t restlen = strlen(c->rest);
	ssize_t n;
	char *t;

	if (++w->links > VFS_SYMLOOP_MAX)
		return -ELOOP;
	n = link->ops->readlink(link, w->tmp, VFS_PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	if ((size_t)n + 1 + restlen + 1 > VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (c->slash)
		w->tmp[n++] = '/';
	memcpy(w->tmp + n, c->rest, restlen + 1);
	t = w->buf;
	w->buf = w->tmp;
	w->tmp = t;
	w->next = w->buf;
	if (w->buf[0] == '/') {
		vnode_put(w->cur);
		w->cur = vnode_get(vfs_root());
	}
	return 0;
}

/*
 * The walk proper.  With last != NULL, stop at the final component and
 * return its directory in *out and its name in last.
 */
static int vfs_walk(struct vnode *base, const char *path, unsigned flags,
		    struct vnode **out, char *last, bool *trailing, const struct cred_fs *as)
{
	struct walk_comp c;
	struct walk w;
	int err = walk_begin(&w, base, path, as);

	if (err)
		goto out;
	if (trailing)
		*trailing = false;
	if (last)
		last[0] = '\0';
	while (walk_next_component(&w, &c)) {
		struct vnode *next;

		if (c.len > VFS_NAME_MAX) {
			err = -ENAMETOOLONG;
			goto out;
		}
		if (!S_ISDIR(w.cur->mode)) {
			err = -ENOTDIR;
			goto out;
		}
		/* Every directory a name is looked up in, the last one too. */
		err = vfs_permission_as(w.cur, MAY_EXEC, &w.cred);
		if (err)
			goto out;
		if (c.last && last) {
			memcpy(last, c.name, c.len);
			last[c.len] = '\0';
			*trailing = c.slash;
			break;
		}
		err = walk_step(&w, &c, &next);
		if (err)
			goto out;
		if (walk_must_follow(next, &c, flags)) {
			err = walk_follow(&w, next, &c);
			vnode_put(next);
			if (err)
				goto out;
			continue;
		}
		if (c.last && c.slash && !S_ISDIR(next->mode)) {
			vnode_put(next);
			err = -ENOTDIR;
			goto out;
		}
		vnode_put(w.cur);
		w.cur = next;
		w.next = c.rest;
	}
	if (!last && (flags & WALK_DIRECTORY) && !S_ISDIR(w.cur->mode)) {
		err = -ENOTDIR;
		goto out;
	}
	*out = w.cur;
	w.cur = NULL;
out:
	walk_end(&w);
	return err;
}

int vfs_lookup(struct vnode *base, const char *path, unsigned flags,
	       struct vnode **out)
{
	return vfs_walk(base, path, flags, out, NULL, NULL, NULL);
}

int vfs_lookup_as(struct vnode *base, const char *path, unsigned flags,
		  const struct cred_fs *as, struct vnode **out)
{
	return vfs_walk(base, path, flags, out, NULL, NULL, as);
}

int vfs_lookup_parent(struct vnode *base, const char *path,
		      struct vnode **dir, char *name, bool *trailing_slash)
{
	return vfs_walk(base, path, 0, dir, name, trailing_slash, NULL);
}

/* ---------------------------------------------------------------- namespace */

static bool name_is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Create a vnode of the given type at path; 0 or -Exxx (-EEXIST). */
static int vfs_create_at(struct vnode *base, const char *path, uint32_t mode,
			 const char *target)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *v = NULL;
	bool trailing;
	int err = vfs_lookup_parent(base, path, &dir, name, &trailing);

	if (err)
		return err;
	if (name[0] == '\0' || name_is_dot(name))
		err = -EEXIST;
	else if (trailing && !S_ISDIR(mode))
		err = -ENOENT;
	else if ((err = vfs_may_create(dir)))   /* -EEXIST first, as Linux */
		err = dir->ops->lookup(dir, name, strlen(name), &v) ? err : -EEXIST;
	else
		err = dir->ops->create(dir, name, strlen(name), mode, target, &v);
	if (v)
		vnode_put(v);
	vnode_put(dir);
	return err;
}

int vfs_mkdir(struct vnode *base, const char *path, uint32_t mode)
{
	return vfs_create_at(base, path, S_IFDIR | (mode & S_IMODE), NULL);
}

int vfs_symlink(struct vnode *base, const char *target, const char *path)
{
	size_t n = strnlen(target, VFS_PATH_MAX);

	if (n == 0)
		return -ENOENT;
	if (n >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	return vfs_create_at(base, path, S_IFLNK | 0777, target);
}

int vfs_mknod(struct vnode *base, const char *path, uint32_t mode)
{
	uint32_t type = mode & S_IFMT;

	if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	return vfs_create_at(base, path, type | (mode & S_IMODE), NULL);
}

/* What vfs_unlink's check needs to know. */
struct unlink_ctx {
	bool rmdir, trailing;
};

/* May victim's name go from dir: permission first (Linux's may_delete),
 * then the types.  Run by the file system with its namespace locked. */
static int vfs_unlink_ns_check(void *arg, struct vnode *dir, struct vnode *victim,
			       struct vnode *ndir, struct vnode *replaced)
{
	const struct unlink_ctx *u = arg;
	int err = vfs_may_delete(dir, victim);

	if (err)
		return err;
	if (!u->rmdir && (u->trailing || S_ISDIR(victim->mode)))
		return S_ISDIR(victim->mode) ? -EISDIR : -ENOTDIR;
	if (u->rmdir && !S_ISDIR(victim->mode))
		return -ENOTDIR;
	if (READ_ONCE(victim->mounted))
		return -EBUSY;  /* after the type checks, as Linux */
	return 0;
}

int vfs_unlink(struct vnode *base, const char *path, bool rmdir)
{
	char name[VFS_NAME_MAX + 1];
	struct unlink_ctx uc = { rmdir, false };
	struct vnode *dir, *v;
	int err = vfs_lookup_parent(base, path, &dir, name, &uc.trailing);

	if (err)
		return err;
	if (name[0] == '\0')
		err = rmdir ? -EBUSY : -EISDIR;
	else if (strcmp(name, ".") == 0)
		err = rmdir ? -EINVAL : -EISDIR;
	else if (strcmp(name, "..") == 0)
		err = rmdir ? -ENOTEMPTY : -EISDIR;
	if (err || (err = vfs_may_write(dir)))  /* EROFS before ENOENT, as Linux */
		goto out;
	/* A missing name is ENOENT whatever the file system; the checks run
	 * inside its remove, on what the name holds then.  Mount points
	 * cannot go; "file/" is not a directory. */
	err = dir->ops->lookup(dir, name, strlen(name), &v);
	if (err)
		goto out;
	vnode_put(v);
	err = dir->ops->remove(dir, name, strlen(name), rmdir, vfs_unlink_ns_check, &uc);
out:
	vnode_put(dir);
	return err;
}

/* What vfs_rename's check needs to know. */
struct rename_ctx {
	bool trailing;          /* either name ended in '/' */
};

/*
 * Permission to move v from odir to ndir, replacing what the new name
 * holds (replaced, or NULL): delete rights in odir, create rights in ndir
 * (and delete rights over replaced), and a directory that changes parent
 * must be writable itself (its "..").  Then the trailing-slash and
 * mount-point rules.  Run by the file system with its namespace locked.
 */
static int vfs_rename_ns_check(void *arg, struct vnode *odir, struct vnode *v,
			       struct vnode *ndir, struct vnode *replaced)
{
	const struct rename_ctx *r = arg;
	int err = vfs_may_delete(odir, v);

	if (!err && ndir != odir)
		err = vfs_permission(ndir, MAY_WRITE | MAY_EXEC);
	if (!err && replaced)
		err = vfs_may_delete(ndir, replaced);
	if (!err && ndir != odir && S_ISDIR(v->mode))
		err = vfs_permission(v, MAY_WRITE);
	if (!err && r->trailing && !S_ISDIR(v->mode))
		err = -ENOTDIR;
	if (!err && READ_ONCE(v->mounted))
		err = -EBUSY;
	return err;
}

int vfs_rename(struct vnode *obase, const char *opath, struct vnode *nbase,
	       const char *npath)
{
	char *oname = kmalloc(2 * (VFS_NAME_MAX + 1), 0);
	char *nname;
	struct rename_ctx rc;
	struct vnode *odir = NULL, *ndir = NULL, *v;
	bool otrail, ntrail;
	int err;

	if (!oname)
		return -ENOMEM;
	nname = oname + VFS_NAME_MAX + 1;
	err = vfs_lookup_parent(obase, opath, &odir, oname, &otrail);
	if (err)
		goto out;
	err = vfs_lookup_parent(nbase, npath, &ndir, nname, &ntrail);
	if (err)
		goto out;
	if (!oname[0] || !nname[0] || name_is_dot(oname) || name_is_dot(nname)) {
		err = -EBUSY;
		goto out;
	}
	if (odir->dev != ndir->dev || odir->ops != ndir->ops) {
		err = -EXDEV;
		goto out;
	}
	if ((err = vfs_may_write(odir)))        /* EROFS before ENOENT, as Linux */
		goto out;
	err = odir->ops->lookup(odir, oname, strlen(oname), &v);
	if (err)
		goto out;
	vnode_put(v);
	rc.trailing = otrail || ntrail;
	err = odir->ops->rename(odir, oname, strlen(oname), ndir, nname, strlen(nname),
				vfs_rename_ns_check, &rc);
out:
	if (odir)
		vnode_put(odir);
	if (ndir)
		vnode_put(ndir);
	kfree(oname);
	return err;
}

int vfs_link(struct vnode *v, struct vnode *nbase, const char *npath)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *dir, *old;
	bool trailing;
	int err;

	err = vfs_lookup_parent(nbase, npath, &dir, name, &trailing);
	if (err)
		return err;
	if (name[0] == '\0' || name_is_dot(name)) {
		err = -EEXIST;
	} else if (!dir->ops->lookup(dir, name, strlen(name), &old)) {
		vnode_put(old);
		err = -EEXIST;
	} else if (trailing) {
		err = -ENOENT;
	} else if (dir->dev != v->dev || dir->ops != v->ops) {
		err = -EXDEV;
	} else if (S_ISDIR(v->mode) || !dir->ops->link) {
		err = -EPERM;
	} else if (!(err = vfs_may_create(dir))) {
		err = dir->ops->link(dir, name, strlen(name), v);
	}
	vnode_put(dir);
	return err;
}

ssize_t vfs_readlink(struct vnode *base, const char *path, char *buf, size_t n)
{
	struct vnode *v;
	ssize_t ret;
	int err = vfs_lookup(base, path, 0, &v);

	if (err)
		return err;
	ret = S_ISLNK(v->mode) ? v->ops->readlink(v, buf, n) : -EINVAL;
	vnode_put(v);
	return ret;
}

/* ---------------------------------------------------------------- paths of vnodes */

struct name_ctx {
	uint64_t ino;
	char *name;             /* VFS_NAME_MAX + 1 */
	bool found;
};

static bool name_fill(void *arg, const char *name, size_t len, uint64_t ino,
		      unsigned dtype, uint64_t next)
{
	struct name_ctx *c = arg;

	if (ino != c->ino || (len <= 2 && name[0] == '.' &&
			      (len == 1 || name[1] == '.')))
		return true;
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	c->found = true;
	return false;
}

long vfs_path_of(struct vnode *dir, char *buf, size_t n)
{
	char *name = kmalloc(VFS_NAME_MAX + 1, 0);
	struct vnode *cur = vnode_get(dir), *parent;
	size_t at = n - 1;
	long err = 0;

	if (!name) {
		vnode_put(cur);
		return -ENOMEM;
	}
	buf[at] = '\0';
	for (;;) {
		struct name_ctx c = { 0, name, false };
		uint64_t pos = 0;
		size_t len;

		cur = vfs_mount_leave(cur);
		if (cur == vfs_root())
			break;
		if ((err = cur->ops->lookup(cur, "..", 2, &parent)))
			break;
		c.ino = cur->ino;
		err = parent->ops->readdir(parent, &pos, name_fill, &c);
		vnode_put(cur);
		cur = parent;
		if (!err && !c.found)
			err = -ENOENT;
		if (err)
			break;
		len = strlen(name);
		if (len + 1 > at) {
			err = -ENAMETOOLONG;
			break;
		}
		at -= len;
		memcpy(buf + at, name, len);
		buf[--at] = '/';
	}
	vnode_put(cur);
	kfree(name);
	if (err)
		return err;
	if (at == n - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, n - at);
	return (long)(n - 1 - at);
}

/* Append "/" and name to the absolute directory path in buf (length len). */
static long vfs_path_append(char *buf, size_t len, size_t n, const char *name)
{
	size_t nl = strlen(name);
	bool root = len == 1;

	if (len + !root + nl + 1 > n)
		return -ENAMETOOLONG;
	if (!root)
		buf[len++] = '/';
	memcpy(buf + len, name, nl + 1);
	return (long)(len + nl);
}

/*
 * One step of vfs_realpath: resolve path from *dir (NULL: the cwd).  0 with
 * the result in buf, or 1 when the last component was a symlink: its text
 * is now in path and *dir the directory it lies in.
 */
static long vfs_realpath_step(struct vnode **dir, char *path, char *name,
			      char *buf, size_t n)
{
	struct vnode *d, *v;
	bool trailing;
	long ret;

	ret = vfs_lookup_parent(*dir, path, &d, name, &trailing);
	if (ret)
		return ret;
	if (!name[0] || trailing || !strcmp(name, ".") || !strcmp(name, "..")) {
		ret = vfs_lookup(d, name[0] ? name : ".", WALK_FOLLOW | WALK_DIRECTORY, &v);
		vnode_put(d);
		if (ret)
			return ret;
		ret = vfs_path_of(v, buf, n);
		vnode_put(v);
		return ret < 0 ? ret : 0;
	}
	ret = vfs_lookup(d, name, 0, &v);
	if (ret)
		goto out_dir;
	if (S_ISLNK(v->mode)) {
		ssize_t len = v->ops->readlink(v, path, VFS_PATH_MAX - 1);

		vnode_put(v);
		if (len < 0) {
			ret = len;
			goto out_dir;
		}
		path[len] = '\0';
		if (*dir)
			vnode_put(*dir);
		*dir = d;
		return 1;
	}
	if (S_ISDIR(v->mode)) {
		ret = vfs_path_of(v, buf, n);
	} else {
		ret = vfs_path_of(d, buf, n);
		if (ret >= 0)
			ret = vfs_path_append(buf, (size_t)ret, n, name);
	}
	vnode_put(v);
	ret = ret < 0 ? ret : 0;
out_dir:
	vnode_put(d);
	return ret;
}

ssize_t vfs_realpath(struct vnode *base, const char *path, char *buf, size_t n)
{
	char *cur = kmalloc(VFS_PATH_MAX, 0), *name = kmalloc(VFS_NAME_MAX + 1, 0);
	struct vnode *dir = base ? vnode_get(base) : NULL;
	long ret = -ENOMEM;

	if (!cur || !name)
		goto out;
	ret = -ENAMETOOLONG;
	if (strlcpy(cur, path, VFS_PATH_MAX) >= VFS_PATH_MAX)
		goto out;
	for (unsigned links = 0;; links++) {
		ret = links > VFS_SYMLOOP_MAX ? -ELOOP
					      : vfs_realpath_step(&dir, cur, name, buf, n);
		if (ret != 1)
			break;
	}
	if (ret == 0)
		ret = (long)strlen(buf);
out:
	if (dir)
		vnode_put(dir);
	kfree(cur);
	kfree(name);
	return ret;
}

/* ---------------------------------------------------------------- init */

void vfs_init(void)
{
	int err;

	if (vfs_register_fs(&ramfs_fs_type) || vfs_register_fs(&devfs_fs_type) ||
	    vfs_register_fs(&tmpfs_fs_type) || vfs_register_fs(&devtmpfs_fs_type))
		panic("vfs: cannot register ramfs, devfs, tmpfs and devtmpfs");
	err = vfs_mount("ramfs", "/", ramfs_fs_type.name, 0, NULL); /* not "rootfs": busybox df skips that */
	if (err)
		panic("vfs: cannot mount the root file system (%d)", err);
	err = vfs_mkdir(NULL, "/dev", 0755);
	if (!err)
		err = vfs_mkdir(NULL, "/tmp", 01777);
	if (!err)
		err = vfs_mount("devfs", "/dev", devfs_fs_type.name, 0, NULL);
	if (err)
		panic("vfs: cannot set up /dev and /tmp (%d)", err);
	klog(LOG_INFO, "vfs: ramfs on /, devfs on /dev");
}

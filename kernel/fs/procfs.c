/*
 * procfs.c - the process file system (type "proc", on /proc): the
 * directories and nodes, open files and their snapshots, and mounting;
 * the per-process files are written by procfs_pid.c, the system-wide ones
 * by procfs_sys.c (see keel/procfs.h for the design).
 *
 *   /proc/{self,thread-self}          symlinks to the caller's pid (and tid)
 *   /proc/{meminfo,cpuinfo,uptime,loadavg,stat,version,mounts,
 *          filesystems,interrupts,cmdline}
 *   /proc/sys/kernel/{hostname,osrelease,ostype,pid_max} (hostname writable)
 *   /proc/PID/{stat,status,statm,comm,cmdline,environ,maps,mounts,exe,cwd,
 *              root,fd/N,task/TID/{stat,status,statm,comm,cmdline,...}}
 *
 * Every entry is a row of one table (procfs_ents): the directory it lies
 * in, its name and mode, and what makes its contents (a generator, a link
 * text, a store for writes).  Directories of processes, threads and file
 * descriptors are listed from the pid table, the thread list and the
 * descriptor table.  A node is made by each lookup and freed by its last
 * put; it keeps only numbers (keel/procfs.h).  Inode numbers are a
 * function of the numbers and the row, so a lookup and readdir agree.
 *
 * An open file's text is made by its first read or any read at offset 0
 * and kept in a snapshot that reads at other offsets cut pieces from: a
 * struct procfs_snap the file's priv points to (set once, atomically, by
 * the first reader; freed at release).
 *
 * Instances: each mount makes an instance with its own st_dev; it counts
 * its live nodes and can be unmounted when only its root is left; the
 * root's release frees it.
 *
 * Lock key: [I] the table, a node's fields and an instance's dev;
 * [A] an instance's node count and a file's priv; [snap->lock] a mutex
 * per open file guarding its snapshot.  Order: snap->lock -> whatever the
 * generators take (proc_tree_lock, proc->lock, mm->lock, vfs_mount_mutex).
 */
#include <keel/procfs.h>
#include <keel/fd.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/mutex.h>
#include <keel/panic.h>
#include <keel/pid.h>
#include <keel/refcount.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#define PROCFS_DEV_BASE      0x20000 /* st_dev of the first instance */
#define PROCFS_ROOT_INO      1
#define PROCFS_BUF_MIN       256
#define PROCFS_INO_SUB_SHIFT 10 /* ino: pid << 32 | sub << 10 | row */
#define PROCFS_INO_PID_SHIFT 32

/* ---------------------------------------------------------------- buffers */

static bool procfs_grow(struct procfs_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : PROCFS_BUF_MIN;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more <= b->cap)
		return true;
	while (cap < b->len + more)
		cap *= 2;
	p = kmalloc(cap, 0);
	if (!p) {
		b->oom = true;
		return false;
	}
	if (b->len)
		memcpy(p, b->p, b->len);
	kfree(b->p);
	b->p = p;
	b->cap = cap;
	return true;
}

void procfs_write(struct procfs_buf *b, const void *s, size_t n)
{
	if (n && procfs_grow(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static void procfs_put(void *ctx, const char *s, size_t n)
{
	procfs_write(ctx, s, n);
}

void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcbprintf(procfs_put, b, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- the table */

enum procfs_dir {
	PD_NONE, /* not a directory */
	PD_ROOT,
	PD_SYS,
	PD_SYSK, /* /proc/sys/kernel */
	PD_PID,
	PD_TASK,
	PD_TID,
	PD_FD,
};

struct procfs_ent {
	uint8_t parent;   /* the directory it lies in */
	uint8_t dir;      /* the directory it is, or PD_NONE */
	const char *name; /* NULL: a numbered entry */
	uint32_t mode;
	int (*gen)(const struct procfs_target *t, struct procfs_buf *b);
	ssize_t (*link)(const struct procfs_target *t, char *buf, size_t n);
	int (*store)(const char *s, size_t n);
};

#define PF_FILE (S_IFREG | 0444)
#define PF_PRIV (S_IFREG | 0400)
#define PF_RW   (S_IFREG | 0644)
#define PF_DIR  (S_IFDIR | 0555)
#define PF_LINK (S_IFLNK | 0777)

static const struct procfs_ent procfs_ents[] = {
	{ PD_ROOT, PD_NONE, "self", PF_LINK, NULL, procfs_sys_self, NULL },
	{ PD_ROOT, PD_NONE, "thread-self", PF_LINK, NULL, procfs_sys_thread_self, NULL },
	{ PD_ROOT, PD_NONE, "meminfo", PF_FILE, procfs_sys_meminfo, NULL, NULL },
	{ PD_ROOT, PD_NONE, "cpuinfo", PF_FILE, procfs_sys_cpuinfo, NULL, NULL },
	{ PD_ROOT, PD_NONE, "uptime", PF_FILE, procfs_sys_uptime, NULL, NULL },
	{ PD_ROOT, PD_NONE, "loadavg", PF_FILE, procfs_sys_loadavg, NULL, NULL },
	{ PD_ROOT, PD_NONE, "stat", PF_FILE, procfs_sys_stat, NULL, NULL },
	{ PD_ROOT, PD_NONE, "version", PF_FILE, procfs_sys_version, NULL, NULL },
	{ PD_ROOT, PD_NONE, "mounts", PF_FILE, procfs_sys_mounts, NULL, NULL },
	{ PD_ROOT, PD_NONE, "filesystems", PF_FILE, procfs_sys_filesystems, NULL, NULL },
	{ PD_ROOT, PD_NONE, "interrupts", PF_FILE, procfs_sys_interrupts, NULL, NULL },
	{ PD_ROOT, PD_NONE, "cmdline", PF_FILE, procfs_sys_cmdline, NULL, NULL },
	{ PD_ROOT, PD_SYS, "sys", PF_DIR, NULL, NULL, NULL },
	{ PD_SYS, PD_SYSK, "kernel", PF_DIR, NULL, NULL, NULL },
	{ PD_SYSK, PD_NONE, "hostname", PF_RW, procfs_sys_hostname, NULL,
	  procfs_sys_store_hostname },
	{ PD_SYSK, PD_NONE, "osrelease", PF_FILE, procfs_sys_osrelease, NULL, NULL },
	{ PD_SYSK, PD_NONE, "ostype", PF_FILE, procfs_sys_ostype, NULL, NULL },
	{ PD_SYSK, PD_NONE, "pid_max", PF_RW, procfs_sys_pid_max, NULL, NULL },
	{ PD_PID, PD_NONE, "stat", PF_FILE, procfs_pid_stat, NULL, NULL },
	{ PD_PID, PD_NONE, "status", PF_FILE, procfs_pid_status, NULL, NULL },
	{ PD_PID, PD_NONE, "statm", PF_FILE, procfs_pid_statm, NULL, NULL },
	{ PD_PID, PD_NONE, "comm", PF_RW, procfs_pid_comm, NULL, NULL },
	{ PD_PID, PD_NONE, "cmdline", PF_FILE, procfs_pid_cmdline, NULL, NULL },
	{ PD_PID, PD_NONE, "environ", PF_PRIV, procfs_pid_environ, NULL, NULL },
	{ PD_PID, PD_NONE, "maps", PF_FILE, procfs_pid_maps, NULL, NULL },
	{ PD_PID, PD_NONE, "mounts", PF_FILE, procfs_sys_mounts, NULL, NULL },
	{ PD_PID, PD_NONE, "exe", PF_LINK, NULL, procfs_pid_exe, NULL },
	{ PD_PID, PD_NONE, "cwd", PF_LINK, NULL, procfs_pid_cwd, NULL },
	{ PD_PID, PD_NONE, "root", PF_LINK, NULL, procfs_pid_root, NULL },
	{ PD_PID, PD_FD, "fd", S_IFDIR | 0500, NULL, NULL, NULL },
	{ PD_PID, PD_TASK, "task", PF_DIR, NULL, NULL, NULL },
	{ PD_TID, PD_NONE, "stat", PF_FILE, procfs_pid_stat, NULL, NULL },
	{ PD_TID, PD_NONE, "status", PF_FILE, procfs_pid_status, NULL, NULL },
	{ PD_TID, PD_NONE, "statm", PF_FILE, procfs_pid_statm, NULL, NULL },
	{ PD_TID, PD_NONE, "comm", PF_RW, procfs_pid_comm, NULL, NULL },
	{ PD_TID, PD_NONE, "cmdline", PF_FILE, procfs_pid_cmdline, NULL, NULL },
	{ PD_TID, PD_NONE, "environ", PF_PRIV, procfs_pid_environ, NULL, NULL },
	{ PD_TID, PD_NONE, "maps", PF_FILE, procfs_pid_maps, NULL, NULL },
	{ PD_TID, PD_NONE, "exe", PF_LINK, NULL, procfs_pid_exe, NULL },
	{ PD_TID, PD_NONE, "cwd", PF_LINK, NULL, procfs_pid_cwd, NULL },
	{ PD_TID, PD_NONE, "root", PF_LINK, NULL, procfs_pid_root, NULL },
	{ PD_TID, PD_FD, "fd", S_IFDIR | 0500, NULL, NULL, NULL },
	/* Numbered entries (name NULL): found by number, not by name. */
	{ PD_ROOT, PD_PID, NULL, PF_DIR, NULL, NULL, NULL },
	{ PD_TASK, PD_TID, NULL, PF_DIR, NULL, NULL, NULL },
	{ PD_FD, PD_NONE, NULL, S_IFLNK | 0700, NULL, procfs_pid_fd_link, NULL },
	/* The root itself. */
	{ PD_NONE, PD_ROOT, "", PF_DIR, NULL, NULL, NULL },
};

#define PROCFS_NENTS    ARRAY_SIZE(procfs_ents)
#define PROCFS_ROOT_ENT (&procfs_ents[PROCFS_NENTS - 1])

static unsigned procfs_row(const struct procfs_ent *e)
{
	return (unsigned)(e - procfs_ents);
}

/* The numbered entry of directory kind dir, or NULL. */
static const struct procfs_ent *procfs_numbered(unsigned dir)
{
	for (size_t i = 0; i < PROCFS_NENTS; i++) {
		if (procfs_ents[i].parent == dir && !procfs_ents[i].name)
			return &procfs_ents[i];
	}
	return NULL;
}

/* The (first) named entry that is directory kind dir inside parent. */
static const struct procfs_ent *procfs_dir_ent(unsigned parent, unsigned dir)
{
	for (size_t i = 0; i < PROCFS_NENTS; i++) {
		if (procfs_ents[i].dir == dir && procfs_ents[i].parent == parent)
			return &procfs_ents[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------- nodes */

struct procfs {
	uint32_t dev;       /* [I] */
	refcount_t nodes;   /* [A] live nodes, the root included */
	struct vnode *root; /* [I] no reference: it outlives every node */
};

struct procfs_node {
	struct vnode v;
	struct procfs *fs;      /* [I] */
	struct procfs_target t; /* [I] */
};

static uint32_t procfs_next_dev = PROCFS_DEV_BASE; /* [A] */

static const struct vnode_ops procfs_vops;
static const struct file_ops procfs_file_fops, procfs_dir_fops;

static struct procfs_node *procfs_node_of(struct vnode *v)
{
	return container_of(v, struct procfs_node, v);
}

static uint64_t procfs_ino(const struct procfs_target *t)
{
	uint64_t sub = t->ent == procfs_numbered(PD_FD) ? (uint64_t)t->fd + 1 : (uint64_t)t->tid;

	if (t->ent == PROCFS_ROOT_ENT)
		return PROCFS_ROOT_INO;
	if (!t->pid)
		return PROCFS_ROOT_INO + 1 + procfs_row(t->ent);
	return ((uint64_t)t->pid << PROCFS_INO_PID_SHIFT) | (sub << PROCFS_INO_SUB_SHIFT) |
	       (procfs_row(t->ent) + 1);
}

/* A new node of fs for t, with one reference; NULL when out of memory. */
static struct vnode *procfs_node_new(struct procfs *fs, const struct procfs_target *t)
{
	struct procfs_node *n = kzalloc(sizeof(*n));
	const struct file_ops *fops;

	if (!n)
		return NULL;
	fops = S_ISDIR(t->ent->mode) ? &procfs_dir_fops : &procfs_file_fops;
	vnode_init(&n->v, &procfs_vops, fops, t->ent->mode, fs->dev);
	n->v.ino = procfs_ino(t);
	n->v.nlink = S_ISDIR(t->ent->mode) ? 2 : 1;
	n->fs = fs;
	n->t = *t;
	if (t->ent != PROCFS_ROOT_ENT)
		refcount_get(&fs->nodes);
	return &n->v;
}

static void procfs_release(struct vnode *v)
{
	struct procfs_node *n = procfs_node_of(v);
	struct procfs *fs = n->fs;

	if (n->t.ent == PROCFS_ROOT_ENT)
		kfree(fs);
	else
		refcount_put(&fs->nodes);
	kfree(n);
}

/* ---------------------------------------------------------------- lookup */

/* Parse a decimal number of len bytes (no sign, no leading zero): >= 0 or -1. */
static int procfs_parse_num(const char *s, size_t len)
{
	long v = 0;

	if (!len || len >= PROCFS_NUM_MAX || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > __INT_MAX__ ? -1 : (int)v;
}

/* Does the process (and thread) a directory node speaks for still exist? */
static bool procfs_target_alive(const struct procfs_target *t)
{
	if (t->tid)
		return procfs_tid_exists(t->pid, t->tid);
	return !t->pid || procfs_pid_exists(t->pid);
}

/* The node ".." of dir names: 0 with *p set, or 1 for the instance's root. */
static int procfs_parent(struct procfs_node *d, struct procfs_target *p)
{
	*p = d->t;
	switch (d->t.ent->dir) {
	case PD_SYSK:
		p->ent = procfs_dir_ent(PD_ROOT, PD_SYS);
		return 0;
	case PD_TASK:
	case PD_FD:
		p->ent = d->t.tid ? procfs_numbered(PD_TASK) : procfs_numbered(PD_ROOT);
		return 0;
	case PD_TID:
		p->ent = procfs_dir_ent(PD_PID, PD_TASK);
		p->tid = 0;
		return 0;
	default:
		return 1; /* the root */
	}
}

/* The numbered entry name of directory d, if it exists: 0 with *t set. */
static int procfs_lookup_numbered(struct procfs_node *d, const char *name, size_t len,
				  struct procfs_target *t)
{
	unsigned kind = d->t.ent->dir;
	int num = procfs_parse_num(name, len);

	*t = d->t;
	t->ent = procfs_numbered(kind);
	if (num <= 0 && !(kind == PD_FD && num == 0))
		return -ENOENT;
	if (kind == PD_ROOT && procfs_pid_exists(num)) {
		t->pid = num;
		return 0;
	}
	if (kind == PD_TASK && procfs_tid_exists(d->t.pid, num)) {
		t->tid = num;
		return 0;
	}
	if (kind == PD_FD && procfs_next_fd(d->t.pid, num) == num) {
		t->fd = num;
		return 0;
	}
	return -ENOENT;
}

static int procfs_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct procfs_node *d = procfs_node_of(dir);
	struct procfs_target t;
	int err = -ENOENT;

	if (!procfs_target_alive(&d->t))
		return -ENOENT;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (procfs_parent(d, &t)) {
			*out = vnode_get(d->fs->root);
			return 0;
		}
		err = 0;
	}
	for (size_t i = 0; err && i < PROCFS_NENTS; i++) {
		const struct procfs_ent *e = &procfs_ents[i];

		if (e->parent == d->t.ent->dir && e->name && strlen(e->name) == len &&
		    memcmp(e->name, name, len) == 0) {
			t = d->t;
			t.ent = e;
			err = 0;
		}
	}
	if (err)
		err = procfs_lookup_numbered(d, name, len, &t);
	if (err)
		return err;
	*out = procfs_node_new(d->fs, &t);
	return *out ? 0 : -ENOMEM;
}

/* ---------------------------------------------------------------- readdir */

#define PROCFS_POS_DYN (PROCFS_NENTS + 2) /* first position of numbered entries */

/* The next number >= from in directory d: a pid, tid or fd; -1 at the end. */
static int procfs_next_num(struct procfs_node *d, int from)
{
	int n;

	switch (d->t.ent->dir) {
	case PD_ROOT:
		n = pid_next(from > 0 ? from : 1);
		return n > 0 ? n : -1;
	case PD_TASK:
		n = procfs_next_tid(d->t.pid, from > 0 ? from : 1);
		return n > 0 ? n : -1;
	case PD_FD:
		return procfs_next_fd(d->t.pid, from);
	default:
		return -1;
	}
}

static bool procfs_fill_numbered(struct procfs_node *d, uint64_t *pos, vfs_filldir_t fill,
				 void *ctx)
{
	for (;;) {
		int num = procfs_next_num(d, (int)(*pos - PROCFS_POS_DYN));
		char name[PROCFS_NUM_MAX];
		struct procfs_target t = d->t;
		int len;

		if (num < 0)
			return true;
		t.ent = procfs_numbered(d->t.ent->dir);
		if (d->t.ent->dir == PD_ROOT)
			t.pid = num;
		else if (d->t.ent->dir == PD_TASK)
			t.tid = num;
		else
			t.fd = num;
		len = snprintf(name, sizeof(name), "%d", num);
		if (!fill(ctx, name, (size_t)len, procfs_ino(&t), vfs_dtype(t.ent->mode),
			  PROCFS_POS_DYN + (uint64_t)num + 1))
			return false;
		*pos = PROCFS_POS_DYN + (uint64_t)num + 1;
	}
}

static int procfs_readdir(struct vnode *dir, uint64_t *pos, vfs_filldir_t fill, void *ctx)
{
	struct procfs_node *d = procfs_node_of(dir);

	if (!procfs_target_alive(&d->t))
		return -ENOENT;
	if (*pos == 0) {
		if (!fill(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		if (!fill(ctx, "..", 2, dir->ino, DT_DIR, 2))
			return 0;
		*pos = 2;
	}
	for (; *pos < PROCFS_POS_DYN; (*pos)++) {
		const struct procfs_ent *e = &procfs_ents[*pos - 2];
		struct procfs_target t = d->t;

		if (e->parent != d->t.ent->dir || !e->name)
			continue;
		t.ent = e;
		if (!fill(ctx, e->name, strlen(e->name), procfs_ino(&t), vfs_dtype(e->mode),
			  *pos + 1))
			return 0;
	}
	procfs_fill_numbered(d, pos, fill, ctx);
	return 0;
}

/* ---------------------------------------------------------------- other vnode ops */

static ssize_t procfs_readlink(struct vnode *v, char *buf, size_t n)
{
	struct procfs_node *pn = procfs_node_of(v);

	if (!pn->t.ent->link)
		return -EINVAL;
	return pn->t.ent->link(&pn->t, buf, n);
}

static int procfs_create(struct vnode *dir, const char *name, size_t len, uint32_t mode,
			 const char *target, struct vnode **out)
{
	int err = procfs_lookup(dir, name, len, out);

	if (err == 0)
		return -EEXIST;
	*out = NULL;
	return -ENOENT; /* Linux: nothing can be created in /proc */
}

static int procfs_remove(struct vnode *dir, const char *name, size_t len, bool rmdir)
{
	return -EACCES;
}

static int procfs_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
			 const char *nname, size_t nlen)
{
	return -EACCES;
}

static const struct vnode_ops procfs_vops = {
	.lookup = procfs_lookup,
	.create = procfs_create,
	.remove = procfs_remove,
	.rename = procfs_rename,
	.readdir = procfs_readdir,
	.readlink = procfs_readlink,
	.release = procfs_release,
};

/* ---------------------------------------------------------------- open files */

struct procfs_snap {
	struct mutex lock;
	struct procfs_buf text; /* [lock] */
	bool valid;             /* [lock] text was made */
};

/* f's snapshot, made by the first caller; NULL when out of memory. */
static struct procfs_snap *procfs_snap_of(struct file *f)
{
	struct procfs_snap *s = __atomic_load_n((struct procfs_snap **)&f->priv, __ATOMIC_ACQUIRE);
	void *expected = NULL;

	if (s)
		return s;
	s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	mutex_init(&s->lock, "procfs_snap");
	if (!__atomic_compare_exchange_n(&f->priv, &expected, s, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		kfree(s);
		s = expected;
	}
	return s;
}

/* Make the text of f anew.  [snap->lock] held. */
static int procfs_snap_fill(struct procfs_snap *s, struct file *f)
{
	struct procfs_node *n = procfs_node_of(f->vnode);
	struct procfs_buf b = { NULL, 0, 0, false };
	int err;

	mutex_assert_held(&s->lock);
	err = n->t.ent->gen(&n->t, &b);
	if (!err && b.oom)
		err = -ENOMEM;
	if (err) {
		kfree(b.p);
		return err;
	}
	kfree(s->text.p);
	s->text = b;
	s->valid = true;
	return 0;
}

static ssize_t procfs_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct procfs_node *pn = procfs_node_of(f->vnode);
	struct procfs_snap *s;
	ssize_t ret = 0;

	if (!pn->t.ent->gen)
		return -EINVAL;
	s = procfs_snap_of(f);
	if (!s)
		return -ENOMEM;
	if (mutex_lock_killable(&s->lock))
		return -EINTR;
	if (*off == 0 || !s->valid)
		ret = procfs_snap_fill(s, f);
	if (ret == 0 && *off < s->text.len) {
		size_t k = MIN(n, s->text.len - (size_t)*off);

		if (iobuf_copy_to(b, 0, s->text.p + *off, k)) {
			ret = -EFAULT;
		} else {
			*off += k;
			ret = (ssize_t)k;
		}
	}
	mutex_unlock(&s->lock);
	return ret;
}

#define PROCFS_WRITE_MAX 256

static ssize_t procfs_store(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct procfs_node *pn = procfs_node_of(f->vnode);
	char buf[PROCFS_WRITE_MAX];
	size_t k = MIN(n, sizeof(buf));
	int err;

	if (!pn->t.ent->store) {
		klog_once(LOG_INFO, "procfs: writing %s is not supported", pn->t.ent->name);
		return -EACCES;
	}
	if (iobuf_copy_from(buf, b, 0, k))
		return -EFAULT;
	err = pn->t.ent->store(buf, k);
	if (err)
		return err;
	*off += n;
	return (ssize_t)n;
}

static void procfs_file_release(struct file *f)
{
	struct procfs_snap *s = f->priv;

	if (s) {
		kfree(s->text.p);
		kfree(s);
	}
}

static ssize_t procfs_dir_rw(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	return -EISDIR;
}

static const struct file_ops procfs_file_fops = {
	.read = procfs_read,
	.write = procfs_store,
	.release = procfs_file_release,
	.poll = vfs_poll_always_ready,
	.seekable = true,
};
static const struct file_ops procfs_dir_fops = {
	.read = procfs_dir_rw,
	.write = procfs_dir_rw,
	.poll = vfs_poll_always_ready,
	.seekable = true,
};

/* ---------------------------------------------------------------- mounting */

static int procfs_mount(struct fs_type *type, const char *source, unsigned long flags,
			const void *data, struct vnode **rootp)
{
	struct procfs_target t = { PROCFS_ROOT_ENT, 0, 0, 0 };
	struct procfs *fs;

	if (data && *(const char *)data) {
		klog_once(LOG_INFO, "procfs: mount options (%s) are not supported",
			  (const char *)data);
		return -EINVAL;
	}
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->dev = __atomic_fetch_add(&procfs_next_dev, 1, __ATOMIC_RELAXED);
	refcount_init(&fs->nodes, 1);
	*rootp = procfs_node_new(fs, &t);
	if (!*rootp) {
		kfree(fs);
		return -ENOMEM;
	}
	fs->root = *rootp;
	return 0;
}

/* Only the root is left (it holds the count's first reference). */
static int procfs_unmount(struct fs_type *type, struct vnode *root)
{
	struct procfs *fs = procfs_node_of(root)->fs;

	return refcount_read(&fs->nodes) == 1 ? 0 : -EBUSY;
}

struct fs_type procfs_fs_type = {
	.name = "proc",
	.mount = procfs_mount,
	.unmount = procfs_unmount,
};

void procfs_init(const char *cmdline)
{
	int err = vfs_register_fs(&procfs_fs_type);

	procfs_sys_init(cmdline);
	if (!err) {
		err = vfs_mkdir(NULL, "/proc", 0555);
		if (err == -EEXIST)
			err = 0;
	}
	if (!err)
		err = vfs_mount("proc", "/proc", procfs_fs_type.name,
				MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL);
	if (err)
		panic("procfs: cannot mount /proc (%d)", err);
}

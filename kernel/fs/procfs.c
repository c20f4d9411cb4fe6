/*
 * procfs.c - the process file system (type "proc", on /proc): the
 * directories and nodes, open files and their snapshots, and the
 * system-wide files; the per-process files are in procfs_pid.c (see
 * keel/procfs.h for the design).
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
#include <keel/cputime.h>
#include <keel/cpu.h>
#include <keel/fd.h>
#include <keel/irq.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/mutex.h>
#include <keel/panic.h>
#include <keel/pid.h>
#include <keel/pmm.h>
#include <keel/proc.h>
#include <keel/refcount.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/utsname.h>
#include <arch/irq.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#define PROCFS_DEV_BASE      0x20000 /* st_dev of the first instance */
#define PROCFS_ROOT_INO      1
#define PROCFS_PID_MAX       4194304 /* what /proc/sys/kernel/pid_max says */
#define PROCFS_BUF_MIN       256
#define PROCFS_CMDLINE_MAX   1024
#define PROCFS_INO_SUB_SHIFT 10 /* ino: pid << 32 | sub << 10 | row */
#define PROCFS_INO_PID_SHIFT 32
#define PROCFS_BTIME         0ul /* boot time: no wall clock yet */

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

static int gen_meminfo(const struct procfs_target *t, struct procfs_buf *b);
static int gen_cpuinfo(const struct procfs_target *t, struct procfs_buf *b);
static int gen_uptime(const struct procfs_target *t, struct procfs_buf *b);
static int gen_loadavg(const struct procfs_target *t, struct procfs_buf *b);
static int gen_stat(const struct procfs_target *t, struct procfs_buf *b);
static int gen_version(const struct procfs_target *t, struct procfs_buf *b);
static int gen_mounts(const struct procfs_target *t, struct procfs_buf *b);
static int gen_filesystems(const struct procfs_target *t, struct procfs_buf *b);
#define IRQ_NUM_WIDTH 3 /* Linux's width of the line numbers */

static int gen_interrupts(const struct procfs_target *t, struct procfs_buf *b);
static int gen_cmdline(const struct procfs_target *t, struct procfs_buf *b);
static int gen_hostname(const struct procfs_target *t, struct procfs_buf *b);
static int gen_osrelease(const struct procfs_target *t, struct procfs_buf *b);
static int gen_ostype(const struct procfs_target *t, struct procfs_buf *b);
static int gen_pid_max(const struct procfs_target *t, struct procfs_buf *b);
static int store_hostname(const char *s, size_t n);
static ssize_t link_self(const struct procfs_target *t, char *buf, size_t n);
static ssize_t link_thread_self(const struct procfs_target *t, char *buf, size_t n);

static const struct procfs_ent procfs_ents[] = {
	{ PD_ROOT, PD_NONE, "self", PF_LINK, NULL, link_self, NULL },
	{ PD_ROOT, PD_NONE, "thread-self", PF_LINK, NULL, link_thread_self, NULL },
	{ PD_ROOT, PD_NONE, "meminfo", PF_FILE, gen_meminfo, NULL, NULL },
	{ PD_ROOT, PD_NONE, "cpuinfo", PF_FILE, gen_cpuinfo, NULL, NULL },
	{ PD_ROOT, PD_NONE, "uptime", PF_FILE, gen_uptime, NULL, NULL },
	{ PD_ROOT, PD_NONE, "loadavg", PF_FILE, gen_loadavg, NULL, NULL },
	{ PD_ROOT, PD_NONE, "stat", PF_FILE, gen_stat, NULL, NULL },
	{ PD_ROOT, PD_NONE, "version", PF_FILE, gen_version, NULL, NULL },
	{ PD_ROOT, PD_NONE, "mounts", PF_FILE, gen_mounts, NULL, NULL },
	{ PD_ROOT, PD_NONE, "filesystems", PF_FILE, gen_filesystems, NULL, NULL },
	{ PD_ROOT, PD_NONE, "interrupts", PF_FILE, gen_interrupts, NULL, NULL },
	{ PD_ROOT, PD_NONE, "cmdline", PF_FILE, gen_cmdline, NULL, NULL },
	{ PD_ROOT, PD_SYS, "sys", PF_DIR, NULL, NULL, NULL },
	{ PD_SYS, PD_SYSK, "kernel", PF_DIR, NULL, NULL, NULL },
	{ PD_SYSK, PD_NONE, "hostname", PF_RW, gen_hostname, NULL, store_hostname },
	{ PD_SYSK, PD_NONE, "osrelease", PF_FILE, gen_osrelease, NULL, NULL },
	{ PD_SYSK, PD_NONE, "ostype", PF_FILE, gen_ostype, NULL, NULL },
	{ PD_SYSK, PD_NONE, "pid_max", PF_RW, gen_pid_max, NULL, NULL },
	{ PD_PID, PD_NONE, "stat", PF_FILE, procfs_pid_stat, NULL, NULL },
	{ PD_PID, PD_NONE, "status", PF_FILE, procfs_pid_status, NULL, NULL },
	{ PD_PID, PD_NONE, "statm", PF_FILE, procfs_pid_statm, NULL, NULL },
	{ PD_PID, PD_NONE, "comm", PF_RW, procfs_pid_comm, NULL, NULL },
	{ PD_PID, PD_NONE, "cmdline", PF_FILE, procfs_pid_cmdline, NULL, NULL },
	{ PD_PID, PD_NONE, "environ", PF_PRIV, procfs_pid_environ, NULL, NULL },
	{ PD_PID, PD_NONE, "maps", PF_FILE, procfs_pid_maps, NULL, NULL },
	{ PD_PID, PD_NONE, "mounts", PF_FILE, gen_mounts, NULL, NULL },
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

static char *procfs_kernel_cmdline; /* [I] after procfs_init */

void procfs_init(const char *cmdline)
{
	int err = vfs_register_fs(&procfs_fs_type);
	size_t len = strlen(cmdline) + 1;

	procfs_kernel_cmdline = kmalloc(len, 0);
	if (procfs_kernel_cmdline)
		memcpy(procfs_kernel_cmdline, cmdline, len);
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

/* ---------------------------------------------------------------- system files */

static ssize_t procfs_link_text(char *buf, size_t n, const char *text)
{
	size_t len = strlen(text);

	len = MIN(len, n);
	memcpy(buf, text, len);
	return (ssize_t)len;
}

static ssize_t link_self(const struct procfs_target *t, char *buf, size_t n)
{
	struct proc *p = proc_current();
	char num[PROCFS_NUM_MAX];

	if (!p)
		return -ENOENT;
	snprintf(num, sizeof(num), "%d", p->pid);
	return procfs_link_text(buf, n, num);
}

static ssize_t link_thread_self(const struct procfs_target *t, char *buf, size_t n)
{
	struct thread *th = thread_current();
	char text[2 * PROCFS_NUM_MAX + sizeof("/task/")];

	if (!th || !th->proc)
		return -ENOENT;
	snprintf(text, sizeof(text), "%d/task/%d", th->proc->pid, th->tid);
	return procfs_link_text(buf, n, text);
}

#define KB_PER_PAGE (PAGE_SIZE / KiB)

static void meminfo_line(struct procfs_buf *b, const char *name, uint64_t pages)
{
	procfs_printf(b, "%-16s%8lu kB\n", name, (unsigned long)(pages * KB_PER_PAGE));
}

static int gen_meminfo(const struct procfs_target *t, struct procfs_buf *b)
{
	uint64_t total = pmm_total_frames(), free = pmm_free_frames();
	uint64_t files = ramfs_total_pages();

	meminfo_line(b, "MemTotal:", total);
	meminfo_line(b, "MemFree:", free);
	meminfo_line(b, "MemAvailable:", free);
	meminfo_line(b, "Buffers:", 0);
	meminfo_line(b, "Cached:", files);
	meminfo_line(b, "SwapCached:", 0);
	meminfo_line(b, "SwapTotal:", 0);
	meminfo_line(b, "SwapFree:", 0);
	meminfo_line(b, "Shmem:", files);
	return 0;
}

static int gen_cpuinfo(const struct procfs_target *t, struct procfs_buf *b)
{
	unsigned n = cpu_online_count();

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!cpus[i].online)
			continue;
		procfs_printf(b,
			      "processor\t: %u\nvendor_id\t: %s\nmodel name\t: %s\n"
			      "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
			      "cpu cores\t: %u\napicid\t\t: %u\nfpu\t\t: yes\n\n",
			      i, "KeelVirtual", "QEMU TCG x86-64 CPU", n, i, n, i);
	}
	return 0;
}

/* x in hundredths, printed as "%lu.%02lu". */
static void procfs_centi(struct procfs_buf *b, uint64_t centi, const char *sep)
{
	procfs_printf(b, "%lu.%02lu%s", (unsigned long)(centi / 100), (unsigned long)(centi % 100),
		      sep);
}

static int gen_uptime(const struct procfs_target *t, struct procfs_buf *b)
{
	uint64_t idle = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct cputime_cpu c;

		if (!cpus[i].online)
			continue;
		cputime_cpu_get(i, &c);
		idle += c.idle;
	}
	procfs_centi(b, time_ns() / (NSEC_PER_SEC / 100), " ");
	procfs_centi(b, idle * 100 / TICK_HZ, "\n");
	return 0;
}

static int gen_loadavg(const struct procfs_target *t, struct procfs_buf *b)
{
	unsigned long avg[3];

	cputime_loadavg(avg);
	for (unsigned i = 0; i < 3; i++) {
		unsigned long x = avg[i] + CPUTIME_FIXED_1 / 200; /* round as Linux */

		procfs_printf(b, "%lu.%02lu ", x >> CPUTIME_FSHIFT,
			      ((x & (CPUTIME_FIXED_1 - 1)) * 100) >> CPUTIME_FSHIFT);
	}
	procfs_printf(b, "%u/%u %d\n", sched_nr_running(), thread_count(), pid_last());
	return 0;
}

static void stat_cpu_line(struct procfs_buf *b, const char *name, const struct cputime_cpu *c)
{
	procfs_printf(b, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, (unsigned long)c->user,
		      (unsigned long)c->system, (unsigned long)c->idle);
}

static int gen_stat(const struct procfs_target *t, struct procfs_buf *b)
{
	struct cputime_cpu sum = { 0, 0, 0 }, c;
	uint64_t intr = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!cpus[i].online)
			continue;
		cputime_cpu_get(i, &c);
		sum.user += c.user;
		sum.system += c.system;
		sum.idle += c.idle;
	}
	stat_cpu_line(b, "cpu ", &sum);
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		char name[PROCFS_NUM_MAX + 3];

		if (!cpus[i].online)
			continue;
		cputime_cpu_get(i, &c);
		snprintf(name, sizeof(name), "cpu%u", i);
		stat_cpu_line(b, name, &c);
	}
	for (unsigned i = 0; i < ARCH_IRQ_COUNT; i++)
		intr += irq_count(i);
	procfs_printf(b, "intr %lu", (unsigned long)intr);
	for (unsigned i = 0; i < ARCH_IRQ_COUNT; i++)
		procfs_printf(b, " %lu", (unsigned long)irq_count(i));
	procfs_printf(b,
		      "\nctxt %lu\nbtime %lu\nprocesses %d\nprocs_running %u\n"
		      "procs_blocked 0\n",
		      (unsigned long)sched_nr_switches(), PROCFS_BTIME, pid_last(),
		      sched_nr_running());
	return 0;
}

static int gen_version(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%s version %s (keel@keel) (%s) %s\n", UTS_SYSNAME, UTS_RELEASE,
		      __VERSION__, UTS_VERSION);
	return 0;
}

/* Write s with the characters Linux escapes in /proc/mounts as \ooo. */
static void procfs_mangle(struct procfs_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			procfs_printf(b, "\\%03o", (unsigned)(unsigned char)*s);
		else
			procfs_write(b, s, 1);
	}
}

static const struct {
	unsigned long flag;
	const char *name;
} procfs_mount_flags[] = {
	{ MS_NOSUID, ",nosuid" },     { MS_NODEV, ",nodev" },
	{ MS_NOEXEC, ",noexec" },     { MS_SYNCHRONOUS, ",sync" },
	{ MS_DIRSYNC, ",dirsync" },   { MS_NOSYMFOLLOW, ",nosymfollow" },
	{ MS_NOATIME, ",noatime" },   { MS_NODIRATIME, ",nodiratime" },
	{ MS_RELATIME, ",relatime" },
};

static void procfs_mount_line(void *ctx, const struct vfs_mount_info *mi)
{
	struct procfs_buf *b = ctx;

	procfs_mangle(b, mi->source);
	procfs_write(b, " ", 1);
	procfs_mangle(b, mi->target);
	procfs_printf(b, " %s %s", mi->fstype, (mi->flags & MS_RDONLY) ? "ro" : "rw");
	for (size_t i = 0; i < ARRAY_SIZE(procfs_mount_flags); i++) {
		if (mi->flags & procfs_mount_flags[i].flag)
			procfs_printf(b, "%s", procfs_mount_flags[i].name);
	}
	if (mi->options) {
		procfs_write(b, ",", 1);
		procfs_mangle(b, mi->options);
	}
	procfs_printf(b, " 0 0\n");
}

static int gen_mounts(const struct procfs_target *t, struct procfs_buf *b)
{
	if (t->pid && !procfs_target_alive(t))
		return -ESRCH;
	return vfs_mounts_show(procfs_mount_line, b);
}

#define PROCFS_FS_TYPES_MAX 32

struct procfs_fs_names {
	const char *name[PROCFS_FS_TYPES_MAX];
	unsigned n;
};

/* Called under the type list's spinlock: only note the (static) name. */
static void procfs_fs_name(void *ctx, const char *name)
{
	struct procfs_fs_names *fn = ctx;

	if (fn->n < PROCFS_FS_TYPES_MAX)
		fn->name[fn->n++] = name;
}

static int gen_filesystems(const struct procfs_target *t, struct procfs_buf *b)
{
	struct procfs_fs_names fn = { .n = 0 };

	vfs_fs_types_show(procfs_fs_name, &fn);
	for (unsigned i = 0; i < fn.n; i++)
		procfs_printf(b, "nodev\t%s\n", fn.name[i]);
	return 0;
}

#define IRQ_NUM_WIDTH 3 /* Linux's width of the line numbers */

static int gen_interrupts(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%*s", IRQ_NUM_WIDTH + 8, "");
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (cpus[i].online)
			procfs_printf(b, "CPU%-8u", i);
	}
	procfs_printf(b, "\n");
	/* Device lines are routed to the boot CPU: their count is CPU0's. */
	for (unsigned irq = 0; irq < ARCH_IRQ_COUNT; irq++) {
		const char *name = irq_name(irq);
		bool first = true;

		if (!name)
			continue;
		procfs_printf(b, "%*u: ", IRQ_NUM_WIDTH, irq);
		for (unsigned i = 0; i < MAX_CPUS; i++) {
			if (cpus[i].online)
				procfs_printf(b, "%10lu ",
					      first ? (unsigned long)irq_count(irq) : 0ul);
			first = false;
		}
		procfs_printf(b, " %s\n", name);
	}
	procfs_printf(b, "%*s: ", IRQ_NUM_WIDTH, "LOC");
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (cpus[i].online)
			procfs_printf(b, "%10lu ", (unsigned long)READ_ONCE(cpus[i].ticks));
	}
	procfs_printf(b, "  Local timer interrupts\n");
	return 0;
}

static int gen_cmdline(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%s\n", procfs_kernel_cmdline ? procfs_kernel_cmdline : "");
	return 0;
}

static int gen_hostname(const struct procfs_target *t, struct procfs_buf *b)
{
	char name[UTS_NAME_LEN + 1];

	uts_hostname_copy(name, sizeof(name));
	procfs_printf(b, "%s\n", name);
	return 0;
}

/* As Linux's sysctl strings: the text up to a newline, cut to the maximum. */
static int store_hostname(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);

	if (nl)
		n = (size_t)(nl - s);
	return uts_set_hostname(s, MIN(n, (size_t)UTS_NAME_LEN));
}

static int gen_osrelease(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%s\n", UTS_RELEASE);
	return 0;
}

static int gen_ostype(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%s\n", UTS_SYSNAME);
	return 0;
}

static int gen_pid_max(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%d\n", PROCFS_PID_MAX);
	return 0;
}

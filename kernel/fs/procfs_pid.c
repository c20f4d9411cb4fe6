/*
 * procfs_pid.c - the per-process files of /proc (keel/procfs.h):
 * /proc/PID/{stat,status,statm,comm,cmdline,environ,maps,exe,cwd,root,
 * fd/N} and the same under task/TID, in Linux's formats (man 5 proc;
 * the field order of stat is Linux's fs/proc/array.c).
 *
 * A file first takes a snapshot of what it needs under proc_tree_lock
 * and proc->lock (struct pid_snap: numbers, names, signal masks, and a
 * reference to the address space), then formats it without those locks:
 * the address space is read under its own mutex through vm_read_remote
 * and vm_walk_vmas, never through the current page tables, so another
 * process's memory is safe to read even while it exits (an emptied mm
 * reads as nothing).  A process that is gone gives -ESRCH.
 *
 * Lock key: nothing of its own; proc_tree_lock -> proc->lock as
 * keel/proc.h orders them, both only for the snapshot; mm->lock inside
 * the vm_* calls; proc_get_fdt/proc_get_cwd take proc->lock themselves.
 */
#include <keel/procfs.h>
#include <keel/cred.h>
#include <keel/tty.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/proc.h>
#include <keel/resource.h>
#include <keel/signal.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <keel/vmobj.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#define TASK_COMM_LEN     16 /* Linux: 15 characters and a NUL */
#define PROC_PRIO_DEFAULT 20 /* stat priority of nice 0 */
#define RLIM_INFINITY_VAL 18446744073709551615ul
#define NS_PER_TICK       (NSEC_PER_SEC / TICK_HZ)
#define PROCFS_ARGS_MAX   (128ul << 10) /* exec's limit on argument strings */
#define SIG_IGN_HANDLER   1
#define SIGQ_LIMIT        0  /* no queued-signal limit (SigQ: n/limit) */
#define MAPS_NAME_COLUMN  73 /* Linux starts a maps line's name here (0-based) */
#define NS_PER_CENTI      (NSEC_PER_SEC / 100)

/* What the files show of one process (or thread), taken under its locks. */
struct pid_snap {
	int pid, tid, ppid, pgid, sid, exit_signal, exit_code, nthreads;
	int tty_nr, tpgid; /* the controlling terminal's device and foreground group */
	char state;
	char comm[TASK_COMM_LEN];
	unsigned umask, cpu;
	uint64_t utime, stime, cutime, cstime, start_ns, nvcsw, nivcsw; /* times in ticks */
	uint64_t sigpnd, shdpnd, sigblk, sigign, sigcgt;
	struct cred cred;
	unsigned ngroups;
	uint32_t groups[PROC_NGROUPS_MAX];
	struct mm *mm; /* referenced, or NULL */
};

static char pid_thread_state(const struct thread *t)
{
	switch (READ_ONCE(t->state)) {
	case THREAD_RUNNING:
		return 'R';
	case THREAD_SLEEPING:
		return 'S';
	default:
		return 'X';
	}
}

/* The thread the snapshot speaks for: tid's, or the leader (or any). [p->lock] */
static struct thread *pid_snap_thread(struct proc *p, int tid)
{
	struct thread *first = NULL;
	struct list *pos;

	spin_assert_held(&p->lock);
	list_for_each(pos, &p->threads) {
		struct thread *t = list_entry(pos, struct thread, proc_node);

		if (t->tid == (tid ? tid : p->pid))
			return t;
		if (!first)
			first = t;
	}
	return tid ? NULL : first;
}

/* Fill the parts under p->lock. */
static int pid_snap_locked(struct proc *p, int tid, struct pid_snap *s)
{
	struct thread *t;

	spin_assert_held(&p->lock);
	t = pid_snap_thread(p, tid);
	if (tid && !t)
		return -ESRCH;
	s->nthreads = (int)p->nthreads;
	s->umask = p->umask;
	s->cred = p->cred;
	s->ngroups = p->ngroups;
	memcpy(s->groups, p->groups, sizeof(s->groups));
	s->shdpnd = p->sig_pending;
	for (int i = 0; i < NSIG; i++) {
		if (p->sigactions[i].handler == SIG_IGN_HANDLER)
			s->sigign |= 1ull << i;
		else if (p->sigactions[i].handler > SIG_IGN_HANDLER)
			s->sigcgt |= 1ull << i;
	}
	strlcpy(s->comm, p->name, sizeof(s->comm));
	if (t) {
		if (tid) {
			thread_cputime(t, &s->utime, &s->stime);
			s->utime /= NS_PER_TICK;
			s->stime /= NS_PER_TICK;
		}
		if (tid || t->tid == p->pid)
			strlcpy(s->comm, t->name, sizeof(s->comm));
		s->state = pid_thread_state(t);
		if (s->state == 'S' && p->stop_sig && p->nstopped)
			s->state = 'T'; /* parked in a group stop (job control) */
		s->cpu = READ_ONCE(t->cpu);
		s->sigpnd = t->sig_pending;
		s->sigblk = READ_ONCE(t->sig_mask);
		s->nvcsw = __atomic_load_n(&t->nvcsw, __ATOMIC_RELAXED);
		s->nivcsw = __atomic_load_n(&t->nivcsw, __ATOMIC_RELAXED);
	}
	if (p->mm) {
		vm_get(p->mm);
		s->mm = p->mm;
	}
	return 0;
}

/* The process's CPU times (and its reaped children's) in ticks, unless a
 * thread's were taken.  [proc_tree_lock] held (keeps p), not p->lock. */
static void pid_snap_times(struct proc *p, int tid, struct pid_snap *s)
{
	spin_assert_held(&proc_tree_lock);
	if (!tid)
		proc_cputime(p, &s->utime, &s->stime);
	proc_children_cputime(p, &s->cutime, &s->cstime);
	if (!tid) {
		s->utime /= NS_PER_TICK;
		s->stime /= NS_PER_TICK;
	}
	s->cutime /= NS_PER_TICK;
	s->cstime /= NS_PER_TICK;
}

/* Take the snapshot of target t: 0 or -ESRCH.  Put it with pid_snap_put. */
static int pid_snap_get(const struct procfs_target *t, struct pid_snap *s)
{
	struct proc *p;
	int err = -ESRCH;

	memset(s, 0, sizeof(*s));
	s->pid = t->pid;
	s->tid = t->tid ? t->tid : t->pid;
	spin_lock(&proc_tree_lock);
	p = proc_find(t->pid);
	if (p) {
		s->ppid = p->parent ? p->parent->pid : 0;
		s->pgid = p->pgid;
		s->sid = p->sid;
		s->exit_signal = p->exit_signal;
		s->start_ns = p->start_ns;
		s->tty_nr = tty_proc_ctty(p, &s->tpgid);
		spin_lock(&p->lock);
		err = pid_snap_locked(p, t->tid, s);
		spin_unlock(&p->lock);
		if (!err)
			pid_snap_times(p, t->tid, s);
		if (!err && p->state == PROC_ZOMBIE) {
			s->state = 'Z';
			s->exit_code = p->exit_status;
		}
	}
	spin_unlock(&proc_tree_lock);
	if (!err && !s->state)
		s->state = 'Z'; /* no thread left: exiting */
	return err;
}

static void pid_snap_put(struct pid_snap *s)
{
	if (s->mm)
		vm_put(s->mm);
}

/*
 * May the caller see pid's private details (environ, maps, exe, cwd,
 * root, fd links)?  Linux's ptrace_may_access with the file-system ids:
 * root, or the same user while the process is dumpable.  0, -EACCES, or
 * -ENOENT if it is gone.
 */
int procfs_pid_may_access(int pid)
{
	struct proc *me = proc_current(), *p;
	struct cred c;
	int err = -ENOENT;

	if (!me)
		return 0; /* the kernel itself (its shell) */
	cred_get(me, &c);
	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p) {
		spin_lock(&p->lock);
		/* A process always sees its own (Linux: same thread group). */
		err = p == me || cred_may_access_locked(&c, p, true) ? 0 : -EACCES;
		spin_unlock(&p->lock);
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

int procfs_pid_stat(const struct procfs_target *t, struct procfs_buf *b)
{
	struct vm_usage u = { 0, 0, 0, 0, 0, 0 };
	struct pid_snap s;
	struct mm *mm;
	int err = pid_snap_get(t, &s);

	if (err)
		return err;
	mm = s.mm;
	if (mm)
		vm_usage_get(mm, &u);
	procfs_printf(
		b,
		"%d (%s) %c %d %d %d %d %d 0 %lu 0 0 0 %lu %lu %lu %lu %d 0 %d 0 %lu %lu %lu %lu ",
		s.tid, s.comm, s.state, s.ppid, s.pgid, s.sid, s.tty_nr, s.tpgid,
		mm ? (unsigned long)READ_ONCE(mm->faults) : 0ul, (unsigned long)s.utime,
		(unsigned long)s.stime, (unsigned long)s.cutime, (unsigned long)s.cstime,
		PROC_PRIO_DEFAULT, s.nthreads, (unsigned long)(s.start_ns / NS_PER_TICK),
		(unsigned long)u.total, (unsigned long)(u.resident / PAGE_SIZE), RLIM_INFINITY_VAL);
	procfs_printf(b, "%lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 %d %u 0 0 0 0 0 ",
		      mm ? (unsigned long)mm->start_code : 0ul,
		      mm ? (unsigned long)mm->end_code : 0ul,
		      mm ? (unsigned long)mm->start_stack : 0ul,
		      (unsigned long)(s.sigpnd | s.shdpnd), (unsigned long)s.sigblk,
		      (unsigned long)s.sigign, (unsigned long)s.sigcgt, s.exit_signal, s.cpu);
	procfs_printf(
		b, "%lu %lu %lu %lu %lu %lu %lu %d\n", mm ? (unsigned long)mm->start_data : 0ul,
		mm ? (unsigned long)mm->end_data : 0ul, mm ? (unsigned long)mm->brk_start : 0ul,
		mm ? (unsigned long)mm->arg_start : 0ul, mm ? (unsigned long)mm->arg_end : 0ul,
		mm ? (unsigned long)mm->env_start : 0ul, mm ? (unsigned long)mm->env_end : 0ul,
		s.state == 'Z' ? s.exit_code : 0);
	pid_snap_put(&s);
	return 0;
}

static const char *pid_state_name(char state)
{
	switch (state) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "X (dead)";
	}
}

static void status_kb(struct procfs_buf *b, const char *name, size_t bytes)
{
	procfs_printf(b, "%s\t%8lu kB\n", name, (unsigned long)(bytes / KiB));
}

/* FDSize: slots in the process's descriptor table. */
static unsigned pid_fd_size(int pid)
{
	struct fdtable *fdt = NULL;
	struct proc *p;
	unsigned n = 0;

	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p)
		fdt = proc_get_fdt(p);
	spin_unlock(&proc_tree_lock);
	if (fdt) {
		n = READ_ONCE(fdt->size);
		fdtable_put(fdt);
	}
	return n;
}

static int pid_count_bits(uint64_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

int procfs_pid_status(const struct procfs_target *t, struct procfs_buf *b)
{
	struct vm_usage u = { 0, 0, 0, 0, 0, 0 };
	unsigned fdsize = pid_fd_size(t->pid);
	struct pid_snap s;
	int err = pid_snap_get(t, &s);

	if (err)
		return err;
	procfs_printf(b,
		      "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		      "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		      "FDSize:\t%u\nGroups:\t",
		      s.comm, s.umask, pid_state_name(s.state), s.pid, s.tid, s.ppid, s.cred.u.real,
		      s.cred.u.eff, s.cred.u.saved, s.cred.u.fs, s.cred.g.real, s.cred.g.eff,
		      s.cred.g.saved, s.cred.g.fs, fdsize);
	for (unsigned i = 0; i < s.ngroups; i++)
		procfs_printf(b, "%u ", s.groups[i]); /* Linux ends each with a space */
	procfs_printf(b, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", s.pid, s.tid,
		      s.pgid, s.sid);
	if (s.mm) {
		vm_usage_get(s.mm, &u);
		status_kb(b, "VmPeak:", u.total);
		status_kb(b, "VmSize:", u.total);
		status_kb(b, "VmLck:", u.locked);
		status_kb(b, "VmPin:", 0);
		status_kb(b, "VmHWM:", u.resident);
		status_kb(b, "VmRSS:", u.resident);
		status_kb(b, "RssAnon:", u.resident);
		status_kb(b, "RssFile:", 0);
		status_kb(b, "RssShmem:", 0);
		status_kb(b, "VmData:", u.data);
		status_kb(b, "VmStk:", u.stack);
		status_kb(b, "VmExe:", u.exec);
		status_kb(b, "VmLib:", 0);
		status_kb(b, "VmPTE:", 0);
		status_kb(b, "VmSwap:", 0);
	}
	procfs_printf(b,
		      "Threads:\t%d\nSigQ:\t%d/%d\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
		      "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		      s.nthreads, pid_count_bits(s.sigpnd | s.shdpnd), SIGQ_LIMIT,
		      (unsigned long)s.sigpnd, (unsigned long)s.shdpnd, (unsigned long)s.sigblk,
		      (unsigned long)s.sigign, (unsigned long)s.sigcgt);
	procfs_printf(b, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
		      (unsigned long)s.nvcsw, (unsigned long)s.nivcsw);
	pid_snap_put(&s);
	return 0;
}

int procfs_pid_statm(const struct procfs_target *t, struct procfs_buf *b)
{
	struct vm_usage u = { 0, 0, 0, 0, 0, 0 };
	struct pid_snap s;
	int err = pid_snap_get(t, &s);

	if (err)
		return err;
	if (s.mm)
		vm_usage_get(s.mm, &u);
	/* size resident shared text lib data dt, in pages */
	procfs_printf(b, "%lu %lu 0 %lu 0 %lu 0\n", (unsigned long)(u.total / PAGE_SIZE),
		      (unsigned long)(u.resident / PAGE_SIZE), (unsigned long)(u.exec / PAGE_SIZE),
		      (unsigned long)((u.data + u.stack) / PAGE_SIZE));
	pid_snap_put(&s);
	return 0;
}

int procfs_pid_comm(const struct procfs_target *t, struct procfs_buf *b)
{
	struct pid_snap s;
	int err = pid_snap_get(t, &s);

	if (err)
		return err;
	procfs_printf(b, "%s\n", s.comm);
	pid_snap_put(&s);
	return 0;
}

/* Copy [start, end) of mm into b (at most PROCFS_ARGS_MAX bytes). */
static void pid_copy_area(struct mm *mm, uintptr_t start, uintptr_t end, struct procfs_buf *b)
{
	size_t n = end > start ? MIN(end - start, PROCFS_ARGS_MAX) : 0;
	char *tmp;

	if (!n || !(tmp = kmalloc(n, 0)))
		return;
	n = vm_read_remote(mm, start, tmp, n);
	procfs_write(b, tmp, n);
	kfree(tmp);
}

int procfs_pid_cmdline(const struct procfs_target *t, struct procfs_buf *b)
{
	struct pid_snap s;
	int err = pid_snap_get(t, &s);

	if (err)
		return err;
	if (s.mm)
		pid_copy_area(s.mm, s.mm->arg_start, s.mm->arg_end, b);
	pid_snap_put(&s);
	return 0;
}

int procfs_pid_environ(const struct procfs_target *t, struct procfs_buf *b)
{
	struct pid_snap s;
	int err;

	if ((err = procfs_pid_may_access(t->pid)))
		return err;
	if ((err = pid_snap_get(t, &s)))
		return err;
	if (s.mm)
		pid_copy_area(s.mm, s.mm->env_start, s.mm->env_end, b);
	pid_snap_put(&s);
	return 0;
}

/* ---------------------------------------------------------------- maps */

struct maps_ctx {
	struct mm *mm;
	struct procfs_buf *b;
};

/* The image segment v lies in, or NULL. */
static const struct vm_image_seg *maps_image_seg(const struct mm *mm, const struct vma *v)
{
	for (unsigned i = 0; i < mm->nimage; i++) {
		if (v->start >= mm->image[i].start && v->start < mm->image[i].end)
			return &mm->image[i];
	}
	return NULL;
}

/* One line; runs under mm->lock (vm_walk_vmas): formats into memory only. */
static void maps_line(void *arg, const struct vma *v)
{
	struct maps_ctx *c = arg;
	const struct vm_image_seg *seg = c->mm->exe_path ? maps_image_seg(c->mm, v) : NULL;
	uint32_t dev = seg ? c->mm->exe_dev : 0;
	size_t start = c->b->len;
	const char *name = NULL;

	procfs_printf(c->b, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", (unsigned long)v->start,
		      (unsigned long)v->end, (v->prot & PROT_READ) ? 'r' : '-',
		      (v->prot & PROT_WRITE) ? 'w' : '-', (v->prot & PROT_EXEC) ? 'x' : '-',
		      (v->flags & VMA_SHARED) ? 's' : 'p',
		      seg ? (unsigned long)(seg->off + (v->start - seg->start)) : 0ul,
		      (dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00),
		      seg ? (unsigned long)c->mm->exe_ino : 0ul);
	if (seg)
		name = c->mm->exe_path;
	else if (v->name)
		name = v->name; /* a device's mapping: its path */
	else if (v->flags & VMA_HEAP)
		name = "[heap]";
	else if (v->flags & VMA_GROWSDOWN)
		name = "[stack]";
	else if (v->obj && vmobj_name(v->obj))
		name = vmobj_name(v->obj);
	if (name) {
		size_t used = c->b->len - start;

		if (used < MAPS_NAME_COLUMN)
			procfs_printf(c->b, "%*s", (int)(MAPS_NAME_COLUMN - used), "");
		procfs_printf(c->b, "%s", name);
	}
	procfs_printf(c->b, "\n");
}

int procfs_pid_maps(const struct procfs_target *t, struct procfs_buf *b)
{
	struct pid_snap s;
	int err;

	if ((err = procfs_pid_may_access(t->pid)))
		return err;
	if ((err = pid_snap_get(t, &s)))
		return err;
	if (s.mm) {
		struct maps_ctx c = { s.mm, b };

		vm_walk_vmas(s.mm, maps_line, &c);
	}
	pid_snap_put(&s);
	return 0;
}

/* ---------------------------------------------------------------- links */

static ssize_t pid_link_copy(char *buf, size_t n, const char *text)
{
	size_t len = MIN(strlen(text), n);

	memcpy(buf, text, len);
	return (ssize_t)len;
}

ssize_t procfs_pid_exe(const struct procfs_target *t, char *buf, size_t n)
{
	struct pid_snap s;
	ssize_t ret = -ENOENT;
	int err;

	if ((err = procfs_pid_may_access(t->pid)))
		return err;
	if (pid_snap_get(t, &s))
		return -ENOENT;
	if (s.mm && s.mm->exe_path)
		ret = pid_link_copy(buf, n, s.mm->exe_path);
	pid_snap_put(&s);
	return ret;
}

/* The path of a directory into buf, cut to n bytes: length or -Exxx. */
static ssize_t pid_link_dir(struct vnode *dir, char *buf, size_t n)
{
	char *path = kmalloc(VFS_PATH_MAX, 0);
	ssize_t ret = -ENOMEM;

	if (path) {
		ret = vfs_path_of(dir, path, VFS_PATH_MAX);
		if (ret >= 0)
			ret = pid_link_copy(buf, n, path);
		kfree(path);
	}
	return ret;
}

ssize_t procfs_pid_cwd(const struct procfs_target *t, char *buf, size_t n)
{
	struct vnode *cwd = NULL;
	struct proc *p;
	ssize_t ret;
	int err;

	if ((err = procfs_pid_may_access(t->pid)))
		return err;
	spin_lock(&proc_tree_lock);
	p = proc_find(t->pid);
	if (p)
		cwd = proc_get_cwd(p);
	spin_unlock(&proc_tree_lock);
	if (!cwd)
		return -ENOENT;
	ret = pid_link_dir(cwd, buf, n);
	vnode_put(cwd);
	return ret;
}

ssize_t procfs_pid_root(const struct procfs_target *t, char *buf, size_t n)
{
	int err;

	if ((err = procfs_pid_may_access(t->pid)))
		return err;
	if (!procfs_pid_exists(t->pid))
		return -ENOENT;
	return pid_link_copy(buf, n, "/");
}

/* The file at fd of process pid, with a reference, or NULL. */
static struct file *pid_fd_file(int pid, int fd)
{
	struct fdtable *fdt = NULL;
	struct file *f = NULL;
	struct proc *p;

	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p)
		fdt = proc_get_fdt(p);
	spin_unlock(&proc_tree_lock);
	if (fdt) {
		f = fdtable_lookup(fdt, fd);
		fdtable_put(fdt);
	}
	return f;
}

#define PIPE_INO_SHIFT 6 /* a pipe's number: its address, shifted */

ssize_t procfs_pid_fd_link(const struct procfs_target *t, char *buf, size_t n)
{
	char text[sizeof("anon_inode:[]") + 2 * PROCFS_NUM_MAX];
	struct file *f;
	ssize_t ret;
	int err;

	if ((err = procfs_pid_may_access(t->pid)))
		return err;
	f = pid_fd_file(t->pid, t->fd);
	if (!f)
		return -ENOENT;
	if (f->vnode && S_ISDIR(f->vnode->mode)) {
		ret = pid_link_dir(f->vnode, buf, n);
	} else if (f->vnode) {
		ret = file_path(f, buf, n);
	} else if (S_ISFIFO(f->ops->mode)) {
		snprintf(text, sizeof(text), "pipe:[%lu]",
			 (unsigned long)(((uintptr_t)f->priv >> PIPE_INO_SHIFT) & 0xffffffffu));
		ret = pid_link_copy(buf, n, text);
	} else {
		ret = pid_link_copy(buf, n, "anon_inode:[unknown]");
	}
	file_put(f);
	return ret;
}

/* ---------------------------------------------------------------- listing */

bool procfs_pid_exists(int pid)
{
	bool found;

	spin_lock(&proc_tree_lock);
	found = proc_find(pid) != NULL;
	spin_unlock(&proc_tree_lock);
	return found;
}

bool procfs_pid_owner(int pid, uint32_t *uid, uint32_t *gid)
{
	struct proc *p;
	bool found;

	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	found = p != NULL;
	if (p) {
		spin_lock(&p->lock);
		*uid = p->cred.u.eff;
		*gid = p->cred.g.eff;
		spin_unlock(&p->lock);
	}
	spin_unlock(&proc_tree_lock);
	return found;
}

bool procfs_tid_exists(int pid, int tid)
{
	return procfs_next_tid(pid, tid) == tid;
}

int procfs_next_tid(int pid, int from)
{
	struct proc *p;
	int best = 0;

	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p) {
		struct list *pos;

		spin_lock(&p->lock);
		list_for_each(pos, &p->threads) {
			int tid = list_entry(pos, struct thread, proc_node)->tid;

			if (tid >= from && (!best || tid < best))
				best = tid;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&proc_tree_lock);
	return best;
}

int procfs_next_fd(int pid, int from)
{
	struct fdtable *fdt = NULL;
	struct proc *p;
	int found = -1;

	if (from < 0)
		return -1;
	spin_lock(&proc_tree_lock);
	p = proc_find(pid);
	if (p)
		fdt = proc_get_fdt(p);
	spin_unlock(&proc_tree_lock);
	if (!fdt)
		return -1;
	spin_lock(&fdt->lock);
	for (unsigned fd = (unsigned)from; fd < fdt->size; fd++) {
		if (fdt->files[fd]) {
			found = (int)fd;
			break;
		}
	}
	spin_unlock(&fdt->lock);
	fdtable_put(fdt);
	return found;
}

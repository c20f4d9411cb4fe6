/*
 * proc.c - processes: creation (init, fork/clone), lookups by number,
 * vfork's wait, CPU time, and other processes' files and working directory
 * (see keel/proc.h for the lock key).  How processes and threads end -
 * exit, the last thread's teardown, the reaper, wait - is in exit.c.
 *
 * Memory reserve: clone refuses (-ENOMEM) while fewer than
 * PROC_CLONE_RESERVE_FRAMES frames are free beyond the kernel's reserve
 * (which user page faults cannot take, see PMM_USER).  Fork shares every page
 * copy-on-write, so it costs little itself, but parent and child each
 * copy their stack and data pages right after it; without the reserve a
 * fork bomb's last child got the last frames and then died of its first
 * copy-on-write fault.  (Linux keeps a similar admin reserve.)
 *
 * Process and thread ids share one number space starting at 1 (init);
 * kernel threads have no user-visible id.  The pid table (kernel/proc/pid.c)
 * finds processes, threads and process groups by number; a process enters
 * it with its first thread (proc_attach) and leaves it when it is reaped
 * (pid_detach_proc), a thread when it exits.
 *
 * clone is built in steps: check the flags (proc_clone_check), make the
 * process unless CLONE_THREAD (proc_clone_proc: address space, files,
 * working directory, signal state), set up the new thread's registers
 * (proc_clone_regs), report its id (proc_clone_report_tid), publish it
 * (proc_attach) and run it (proc_clone_run, which also does vfork's wait).
 */
#include <keel/proc.h>
#include "proc_internal.h"
#include <keel/exec.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/vm.h>
#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/pmm.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <keel/cpu.h>
#include <keel/time.h>
#include <arch/arch.h>
#include <arch/user.h>

#define PROC_CLONE_RESERVE_FRAMES 256      /* 1 MiB */

/* What clone(2) asked for (its arguments, unchanged). */
struct clone_req {
	unsigned long flags;
	uintptr_t stack;                  /* the new thread's stack pointer, or 0 */
	int __user *ptid, *ctid;
	uint64_t tls;
	bool exo;                         /* exo_fork: no pages, held until runnable */
};

struct spinlock proc_tree_lock = SPINLOCK_INIT("proc_tree");
struct proc *init_proc;                              /* [I] pid 1 */
static struct kmem_cache *proc_cache;                 /* [I] */
static unsigned proc_live;                            /* [A] */

static void proc_vfork_wait(struct thread *me);
static void proc_vfork_link(struct thread *parent, struct thread *child);

struct proc *proc_find(int pid)
{
	struct pid *e;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup(pid);
	return e ? e->proc : NULL;
}

struct proc *proc_init(void)
{
	return init_proc;
}

unsigned proc_count(void)
{
	return __atomic_load_n(&proc_live, __ATOMIC_RELAXED);
}

void proc_init_caches(void)
{
	proc_cache = kmem_cache_create("proc", sizeof(struct proc), 0);
	if (!proc_cache)
		panic("proc: cannot create the proc cache");
	pid_init();
}

static void proc_itimer_fire(struct timer *tm)
{
	signal_send(container_of(tm, struct proc, itimer), SIGALRM);
}

static struct proc *proc_alloc(const char *name)
{
	struct proc *p;

	p = kmem_cache_alloc(proc_cache, KM_ZERO);
	if (!p)
		return NULL;
	strlcpy(p->name, name, sizeof(p->name));
	spin_init(&p->lock, "proc");
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->all_node);
	list_init(&p->pgrp_node);
	list_init(&p->session_node);
	list_init(&p->sig_queue);
	list_init(&p->sig_free);
	waitq_init(&p->child_wq, "proc_child_wq");
	p->exit_signal = SIGCHLD;
	p->umask = 022;
	p->dumpable = true;
	proc_rlimit_init(p);
	p->start_ns = time_ns();
	timer_init(&p->itimer, proc_itimer_fire);
	spin_init(&p->itimer_lock, "proc_itimer");
	exo_proc_init(&p->exo);
	__atomic_fetch_add(&proc_live, 1, __ATOMIC_RELAXED);
	return p;
}

void proc_free(struct proc *p)
{
	signal_queue_flush(p, NULL);
	kmem_cache_free(proc_cache, p);
	__atomic_fetch_sub(&proc_live, 1, __ATOMIC_RELAXED);
}

/* Undo a process that was being built and never ran (error paths). */
static void proc_free_unstarted(struct proc *p)
{
	ioport_exit(p);
	if (p->cwd)
		vnode_put(p->cwd);
	if (p->fdt)
		fdtable_put(p->fdt);
	if (p->mm)
		vm_put(p->mm);
	proc_free(p);
}

/* Link the new process p into the tree under parent (NULL for init), in
 * parent's process group and session, and into the pid table.
 * [proc_tree_lock] held. */
static void proc_link_locked(struct proc *p, struct proc *parent, bool clone_parent,
			     struct pid **spare)
{
	struct proc *from = parent;

	spin_assert_held(&proc_tree_lock);
	/* CLONE_PARENT: a sibling of the caller, with the caller's exit
	 * signal; group, session and terminal are still the caller's. */
	if (clone_parent) {
		p->exit_signal = parent->exit_signal;
		parent = parent->parent;
	}
	p->parent = parent;
	if (parent) {
		list_add_tail(&parent->children, &p->sibling);
		p->pgid = from->pgid;
		p->sid = from->sid;
		p->ctty = from->ctty;
	} else {
		p->pgid = p->sid = p->pid;
	}
	pid_attach_proc(p, spare);
}

/*
 * Make t, with id tid, a thread of p, running in p's address space; when
 * p is new (link), link it under parent (NULL for init) first.  Process
 * and thread become findable by number together.  Uses *spare for the
 * pid table (keel/pid.h).
 */
static void proc_attach(struct proc *p, bool link, struct proc *parent, bool clone_parent,
			struct thread *t, int tid, struct pid **spare)
{
	t->tid = tid;
	t->proc = p;
	t->mm = p->mm;
	vm_get(p->mm);
	vm_user_enter(p->mm);
	spin_lock(&proc_tree_lock);
	if (link)
		proc_link_locked(p, parent, clone_parent, spare);
	spin_lock(&p->lock);
	list_add_tail(&p->threads, &t->proc_node);
	p->nthreads++;
	spin_unlock(&p->lock);
	pid_attach_thread(t, spare);
	spin_unlock(&proc_tree_lock);
}

/* A kernel-thread body that drops into user mode with t->utf. */
static void proc_user_start(void *arg)
{
	struct thread *t = thread_current();

	arch_irq_disable();
	arch_thread_enter_user(t);
}

/* Start user thread t (utf filled in) of p. */
static void proc_start_thread(struct thread *t)
{
	t->kfn = proc_user_start;
	t->cpu = this_cpu()->id;
	arch_thread_init(t, (uintptr_t)t->utf);
	sched_start_thread(t);
}

int proc_start_init(const char *path, char *const argv[], char *const envp[])
{
	struct proc *p = proc_alloc("init");
	struct thread *t = NULL;
	struct pid *spare = NULL;
	struct exec_image img;
	int err = -ENOMEM;

	if (!p)
		return -ENOMEM;
	p->pid = pid_alloc();
	p->mm = vm_create();
	p->fdt = fdtable_create();
	t = thread_alloc("init");
	spare = pid_entry_alloc();
	if (!p->mm || !p->fdt || !t || !spare)
		goto out_fail;
	p->cwd = vnode_get(vfs_root());
	err = fd_install_console(p->fdt);
	if (err)
		goto out_fail;
	err = exec_load(p->mm, path, argv, envp, &img);
	if (err)
		goto out_fail;
	strlcpy(p->name, img.name, sizeof(p->name));
	strlcpy(t->name, img.name, sizeof(t->name));
	t->utf = arch_user_frame(t);
	arch_user_frame_init(t->utf, img.entry, img.sp);
	arch_thread_fpu_reset(t);
	init_proc = p;
	p->unkillable = true;
	proc_attach(p, true, NULL, false, t, p->pid, &spare);
	pid_entry_free(spare);      /* NULL: the table took it */
	vm_put(p->mm);              /* the thread holds it now */
	proc_start_thread(t);
	return 0;

out_fail:
	pid_entry_free(spare);
	if (t)
		thread_free(t);
	proc_free_unstarted(p);
	return err;
}

/* clone's flags make sense, and memory is not too short to start another
 * process: 0 or -Exxx, before anything is built. */
static int proc_clone_check(const struct clone_req *req)
{
	unsigned long flags = req->flags;
	bool thread = flags & CLONE_THREAD;

	if ((flags & CLONE_SETTLS) && req->tls >= USER_TOP)
		return -EPERM;
	/* init has no parent to share (Linux: SIGNAL_UNKILLABLE). */
	if ((flags & CLONE_PARENT) && thread_current()->proc == init_proc)
		return -EINVAL;
	if ((flags & CLONE_UNSUPPORTED) ||
	    (thread && (flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
		return -EINVAL;
	if (pmm_free_frames() < pmm_user_reserve_frames() + PROC_CLONE_RESERVE_FRAMES)
		return -ENOMEM;
	return 0;
}

/* The child's address space: mm itself (CLONE_VM, one more reference) or a
 * copy-on-write copy; NULL when out of memory.  May sleep (fork yields). */
static struct mm *proc_clone_mm(struct mm *mm, unsigned long flags)
{
	if (flags & CLONE_VM) {
		vm_get(mm);
		return mm;
	}
	return vm_fork(mm);
}

/* The child's descriptor table: fdt itself (CLONE_FILES) or a copy; NULL
 * when out of memory. */
static struct fdtable *proc_clone_files(struct fdtable *fdt, unsigned long flags)
{
	return (flags & CLONE_FILES) ? fdtable_get(fdt) : fdtable_clone(fdt);
}

/* The child's signal dispositions, umask and credentials: the parent's,
 * read under its lock; its exit signal: the one flags name. */
static void proc_clone_signals(struct proc *p, struct proc *parent, unsigned long flags)
{
	spin_lock(&parent->lock);
	memcpy(p->sigactions, parent->sigactions, sizeof(p->sigactions));
	p->umask = parent->umask;
	cred_copy_locked(p, parent);
	p->ngroups = parent->ngroups;
	memcpy(p->groups, parent->groups, sizeof(p->groups));
	proc_rlimit_copy(p, parent);
	exo_proc_inherit_locked(p, parent);
	p->no_new_privs = parent->no_new_privs;
	p->personality = parent->personality;
	p->dumpable = parent->dumpable;
	spin_unlock(&parent->lock);
	p->exit_signal = (int)(flags & CLONE_SIGNAL_MASK);
}

/* A new process with pid, a child of parent (not yet linked): address
 * space, files, working directory, I/O port permissions and signal state
 * from parent, shared or copied as flags say.  NULL when out of memory.  May sleep. */
static struct proc *proc_clone_proc(struct proc *parent, int pid, unsigned long flags,
				    bool exo)
{
	struct proc *p = proc_alloc(parent->name);

	if (!p)
		return NULL;
	p->pid = pid;
	p->mm = exo ? vm_fork_layout(parent->mm) : proc_clone_mm(parent->mm, flags);
	p->fdt = proc_clone_files(parent->fdt, flags);
	if (!p->mm || !p->fdt || ioport_fork(p, parent)) {
		proc_free_unstarted(p);
		return NULL;
	}
	p->cwd = vfs_cwd();        /* parent's, referenced under its lock (chdir races) */
	proc_clone_signals(p, parent, flags);
	if (exo) {
		/* Not yet visible to anyone: no lock needed. */
		p->exo.held = true;
		p->exo.embryo = true;
	}
	return p;
}

/* The new thread t's user state: me's registers returning 0 (on the new
 * stack, if any), FPU state, TLS, signal mask, the address to clear at
 * exit. */
static void proc_clone_regs(struct thread *t, struct thread *me, const struct clone_req *req)
{
	t->utf = arch_user_frame(t);
	arch_user_frame_copy(t->utf, me->utf);
	arch_user_frame_set_return(t->utf, 0);
	if (req->stack)
		arch_user_frame_set_sp(t->utf, req->stack);
	arch_thread_fpu_save(me);        /* the live registers, not the last switch's copy */
	memcpy(&t->arch, &me->arch, sizeof(t->arch));
	t->fs_base = (req->flags & CLONE_SETTLS) ? req->tls : me->fs_base;
	t->sig_mask = me->sig_mask;
	/* The alternate signal stack, unless the child shares the memory as a
	 * thread (Linux). */
	if ((req->flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
		t->sas_sp = me->sas_sp;
		t->sas_size = me->sas_size;
		t->sas_flags = me->sas_flags;
	}
	if (req->flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uintptr_t)req->ctid;
}

/* CLONE_PARENT_SETTID / CLONE_CHILD_SETTID: store tid in the caller's and
 * in the child's address space (child_mm).  As on Linux, a tid that cannot
 * be stored is not an error for clone. */
static void proc_clone_report_tid(const struct clone_req *req, struct mm *child_mm, int tid)
{
	if (req->flags & CLONE_PARENT_SETTID)
		(void)copy_to_user(req->ptid, &tid, sizeof(tid));
	if (req->flags & CLONE_CHILD_SETTID)
		(void)vm_write_remote(child_mm, (uintptr_t)req->ctid, &tid, sizeof(tid), false);
}

/* Run the published thread t; a vfork caller (me) then sleeps until t
 * execs or exits. */
static void proc_clone_run(struct thread *me, struct thread *t, unsigned long flags)
{
	if (flags & CLONE_VFORK)
		proc_vfork_link(me, t);
	proc_start_thread(t);
	if (flags & CLONE_VFORK)
		proc_vfork_wait(me);
}

static long proc_clone_req(const struct clone_req *r);

long proc_clone(unsigned long flags, uintptr_t stack, int __user *ptid, int __user *ctid,
		uint64_t tls)
{
	const struct clone_req req = { flags, stack, ptid, ctid, tls, false };

	return proc_clone_req(&req);
}

long exo_fork(void)
{
	const struct clone_req req = { SIGCHLD, 0, NULL, NULL, 0, true };

	return proc_clone_req(&req);
}

static long proc_clone_req(const struct clone_req *r)
{
	const struct clone_req req = *r;
	unsigned long flags = req.flags;
	struct thread *me = thread_current();
	struct proc *parent = me->proc, *p = parent;
	bool new_proc = !(flags & CLONE_THREAD);
	struct pid *spare = NULL;
	struct thread *t;
	int tid, err;

	err = proc_clone_check(&req);
	if (err)
		return err;
	t = thread_alloc(me->name);
	if (!t)
		return -ENOMEM;
	spare = pid_entry_alloc();
	if (!spare) {
		err = -ENOMEM;
		goto out_thread;
	}
	tid = pid_alloc();
	if (new_proc) {
		p = proc_clone_proc(parent, tid, flags, req.exo);
		if (!p) {
			err = -ENOMEM;
			goto out_thread;
		}
	}
	proc_clone_regs(t, me, &req);
	proc_clone_report_tid(&req, p->mm, tid);
	proc_attach(p, new_proc, parent, flags & CLONE_PARENT, t, tid, &spare);
	pid_entry_free(spare);           /* NULL unless tid already had an entry */
	if (new_proc)
		vm_put(p->mm);           /* the thread holds it now */
	proc_clone_run(me, t, flags);
	return tid;

out_thread:
	pid_entry_free(spare);
	thread_free(t);
	return err;
}

static struct spinlock vfork_lock = SPINLOCK_INIT("vfork");
static struct waitq vfork_wq = WAITQ_INIT(vfork_wq, "vfork_wq");

/*
 * vfork: the parent sleeps until its child execs or exits.  Killable, as on
 * Linux: a SIGKILL, an exit_group or another thread's execve (the child
 * itself may be that thread, CLONE_VFORK|CLONE_THREAD) ends the wait, and
 * the caller dies on its way back to user mode.  Parent and child point at
 * each other under vfork_lock until one of them lets go, so neither ever
 * touches the other after it has gone.
 */
static void proc_vfork_link(struct thread *parent, struct thread *child)
{
	spin_lock(&vfork_lock);
	parent->vfork_done = false;
	parent->vfork_child = child;
	child->vfork_parent = parent;
	spin_unlock(&vfork_lock);
}

static void proc_vfork_wait(struct thread *me)
{
	spin_lock(&vfork_lock);
	if (wait_event_locked_killable(&vfork_wq, &vfork_lock, me->vfork_done) &&
	    me->vfork_child) {
		/* Killed first: the child must not wake a freed thread. */
		me->vfork_child->vfork_parent = NULL;
		me->vfork_child = NULL;
	}
	spin_unlock(&vfork_lock);
}

void proc_vfork_release(struct thread *t)
{
	struct thread *parent;

	if (!READ_ONCE(t->vfork_parent))
		return;          /* only ever set before t first runs */
	spin_lock(&vfork_lock);
	parent = t->vfork_parent;
	t->vfork_parent = NULL;
	if (parent) {
		parent->vfork_done = true;
		parent->vfork_child = NULL;
	}
	spin_unlock(&vfork_lock);
	if (parent)
		wake_up(&vfork_wq);
}

/*
 * The live thread with id tid; on success returns it with its process's
 * lock held (so it cannot exit and be freed meanwhile): the caller
 * releases t->proc->lock.  A thread is in the pid table exactly while it
 * is on its process's thread list (both change under proc_tree_lock), so
 * its process is alive.
 */
struct thread *thread_find_locked(int tid)
{
	struct pid *e;
	struct thread *t;

	spin_assert_held(&proc_tree_lock);
	e = pid_lookup(tid);
	t = e ? e->thread : NULL;
	if (!t)
		return NULL;
	spin_lock(&t->proc->lock);
	return t;
}

uint64_t proc_cpu_ns(struct proc *p)
{
	uint64_t ns;
	struct list *pos;

	spin_lock(&p->lock);
	ns = p->exited_run_ns;
	list_for_each(pos, &p->threads)
		ns += sched_thread_run_ns(list_entry(pos, struct thread, proc_node));
	spin_unlock(&p->lock);
	return ns;
}

/* ---------------------------------------------------------------- files and cwd of any process */

struct fdtable *proc_get_fdt(struct proc *p)
{
	struct fdtable *t;

	spin_lock(&p->lock);
	t = p->fdt ? fdtable_get(p->fdt) : NULL;
	spin_unlock(&p->lock);
	return t;
}

struct vnode *proc_get_cwd(struct proc *p)
{
	struct vnode *v;

	spin_lock(&p->lock);
	v = p->cwd ? vnode_get(p->cwd) : NULL;
	spin_unlock(&p->lock);
	return v;
}

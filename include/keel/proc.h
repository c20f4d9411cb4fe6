/*
 * keel/proc.h - processes: an address space, open files, a working
 * directory, credentials, signal state and one or more threads.
 *
 * Processes are found by number through the pid table (keel/pid.h), which
 * also keeps the process-group and session membership lists.
 *
 * Lock key (tags as in docs/locking.md): [proc_tree_lock] the parent/child
 * tree, pids, exit state, the pid table; [lock] the process's own
 * spinlock (proc->lock); [itimer_lock] its interval-timer lock; [I]
 * immutable after creation.
 * Lock order: proc_tree_lock -> proc->lock.
 *
 * Open files and working directory (fdt, cwd).  Each pointer holds a
 * reference that belongs to the process.  The rule:
 *  - The pointers change only with proc->lock held, through
 *    proc_set_fdt_locked() / proc_set_cwd_locked(), which assert it: chdir
 *    and fchdir (vfs_set_cwd), and the exit of the last thread, which sets
 *    both to NULL (then puts the old references after dropping the lock).
 *    The only exception is a process being built (clone, the first
 *    process), which nothing else can see yet.  exec does not replace
 *    them (it closes close-on-exec files inside the table); an unshare or
 *    an exec-time unsharing must use the same helpers.
 *  - A reader in another process (the future /proc/PID/fd, cwd) takes a
 *    reference under the lock: proc_get_fdt(p) / proc_get_cwd(p), NULL
 *    once p has exited.  The reference keeps the table (vnode) alive after
 *    p replaced or dropped it; put it with fdtable_put (vnode_put).
 *  - The process's own threads read fdt without the lock (cur_fdt,
 *    fd_get): only the exit of the last thread replaces it, when no other
 *    thread of the process is left to read it.  (Whatever replaces fdt
 *    while the process has other threads must first move those readers
 *    to proc_get_fdt.)  cwd has no such exception, since any thread may
 *    chdir: every reader, the own threads included, goes through
 *    proc_get_cwd (vfs_cwd does, for the current process).
 */
#ifndef KEEL_PROC_H
#define KEEL_PROC_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/pid.h>
#include <keel/spinlock.h>
#include <keel/wait.h>
#include <keel/timer.h>
#include <keel/resource.h>
#include <keel/exo.h>
#include <keel/cred.h>
#include <keel/ioport.h>
#include <keel/thread.h>

struct mm;
struct fdtable;
struct vnode;
struct thread;
struct tty;

#define PROC_NAME_MAX 32
#define PROC_NGROUPS_MAX 32     /* supplementary groups kept (setgroups) */

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE,            /* exited, waiting for its parent's wait() */
};

struct sigaction_k {
	uint64_t handler;       /* SIG_DFL (0), SIG_IGN (1) or a user address */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct proc {
	int pid;                          /* [I] */
	char name[PROC_NAME_MAX];         /* [lock] basename of the last exec */
	struct spinlock lock;
	enum proc_state state;            /* [proc_tree_lock] */
	int exit_status;                  /* [proc_tree_lock] wait status (Linux encoding) */
	struct proc *parent;              /* [proc_tree_lock] */
	struct list children;             /* [proc_tree_lock] struct proc.sibling */
	struct list sibling;              /* [proc_tree_lock] */
	struct list all_node;             /* [proc_tree_lock] proc_all, by pid (keel/pid.h) */
	struct list pgrp_node;            /* [proc_tree_lock] members of group pgid (struct pid.pgrp) */
	struct list session_node;         /* [proc_tree_lock] members of session sid (struct pid.session) */
	struct waitq child_wq;            /* wait() sleeps here for children */
	struct list threads;              /* [lock] struct thread.proc_node */
	unsigned nthreads;                /* [lock] live threads */
	uint64_t exited_run_ns;           /* [lock] CPU time of threads that exited */
	uint64_t start_ns;                /* [I] time_ns() at creation (/proc starttime) */
	struct mm *mm;                    /* [lock] address space; replaced by exec */
	struct fdtable *fdt;              /* [lock] to change; see "Open files" above */
	struct vnode *cwd;                /* [lock] working directory; see "Open files" */
	unsigned umask;                   /* [lock] */
	int pgid, sid;                    /* [proc_tree_lock] changed with pid_set_pgrp/_session */
	struct cred cred;                 /* [lock] uids and gids (keel/cred.h) */
	uint64_t sig_pending;             /* [lock] process-wide pending signals (bit sig-1) */
	struct sigaction_k sigactions[64];/* [lock] */
	int exit_signal;                  /* [proc_tree_lock] signal to the parent at exit; SIGCHLD once reparented */
	bool unkillable;                  /* [lock] init: signals at their default action are
					   * dropped (Linux's SIGNAL_UNKILLABLE); a fault
					   * signal it does not handle clears it */
	bool group_exiting;               /* [lock] exit_group (or execve's kill) in progress */
	struct thread *exec_survivor;     /* [lock] the thread execve keeps, or NULL */
	bool exit_requested;              /* [lock] exit_group was called (wins over execve) */
	struct timer itimer;              /* [itimer_lock] ITIMER_REAL / alarm: SIGALRM */
	struct tty *ctty;                 /* [proc_tree_lock] controlling terminal or NULL
					   * (kernel/fs/tty.c); fork copies it, setsid clears it */
	struct spinlock itimer_lock;      /* serializes setitimer/alarm (before timer_base) */
	/* Resource usage and limits (kernel/proc/resource.c). */
	uint64_t exited_uticks, exited_sticks; /* [lock] ticks of threads that exited */
	uint64_t exited_nvcsw, exited_nivcsw;  /* [lock] their context switches */
	uint64_t cnvcsw, cnivcsw;         /* [lock] context switches of reaped children (theirs included) */
	uint64_t cutime_ns, cstime_ns;    /* [lock] CPU time of reaped children (theirs included) */
	uint64_t maxrss_kb, cmaxrss_kb;   /* [lock] peak resident KiB: own, reaped children's */
	struct k_rlimit rlim[RLIM_NLIMITS]; /* [lock] inherited by fork, kept by exec */
	unsigned ngroups;                 /* [lock] supplementary groups (setgroups) */
	uint32_t groups[PROC_NGROUPS_MAX];/* [lock] */
	/* Queued siginfo and job control (kernel/proc/signal.c). */
	struct list sig_queue;            /* [lock] struct sigqueue: siginfo of pending signals */
	struct list sig_free;             /* [lock] spare struct sigqueue, reused by senders */
	unsigned sig_queued;              /* [lock] entries on sig_queue */
	int stop_sig;                     /* [lock] group stop in force (its signal), or 0 */
	unsigned nstopped;                /* [lock] threads parked in the group stop */
	bool stop_reported;               /* [lock] the parent was told of this stop */
	bool cont_notify;                 /* [lock] SIGCONT ended a reported stop: tell the parent */
	unsigned cont_seq;                /* [lock] SIGCONTs received (a stop dequeued before one is void) */
	int wait_report;                  /* [proc_tree_lock] PROC_REPORT_* for wait, or 0 */
	int wait_report_sig;              /* [proc_tree_lock] the stop signal of PROC_REPORT_STOPPED */
	bool did_exec;                    /* [proc_tree_lock] execve'd since fork (setpgid: EACCES) */
	/* prctl state (kernel/sys/sys_misc.c). */
	int pdeath_sig;                   /* [proc_tree_lock] sent when the parent exits; fork
					   * clears it, a set-id exec too */
	bool child_subreaper;             /* [proc_tree_lock] adopts orphaned descendants */
	bool no_new_privs;                /* [lock] exec ignores set-id bits; inherited, never cleared */
	bool dumpable;                    /* [lock] PR_GET_DUMPABLE; a set-id exec clears it */
	unsigned personality;             /* [lock] personality(2): kept and reported
					   * (Keel's one ABI is PER_LINUX); inherited */
	struct exo_proc exo;              /* exokernel state (keel/exo.h: [lock]) */
	struct ioport_proc io;            /* I/O port permissions (keel/ioport.h: [lock]) */
};

/* wait_report: a stop or continue the parent's wait has not seen yet. */
#define PROC_REPORT_STOPPED   1
#define PROC_REPORT_CONTINUED 2

/* clone() flags (Linux values). */
#define CLONE_SIGNAL_MASK    0x000000ff
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_PIDFD          0x00001000
#define CLONE_PTRACE         0x00002000
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT         0x00008000
#define CLONE_THREAD         0x00010000
#define CLONE_NEWNS          0x00020000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED       0x00400000
#define CLONE_UNTRACED       0x00800000
#define CLONE_CHILD_SETTID   0x01000000
/* Namespaces, ptrace, pidfd: not supported (-EINVAL). */
#define CLONE_UNSUPPORTED    (CLONE_PIDFD | CLONE_PTRACE | CLONE_NEWNS | \
			      0x7e000000ul | CLONE_UNTRACED)
/* A new thread must share these with its creator. */
#define CLONE_THREAD_NEEDS   (CLONE_VM | CLONE_SIGHAND)

/* wait4/waitid options (Linux values). */
#define WNOHANG    0x00000001
#define WUNTRACED  0x00000002
#define WEXITED    0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT    0x01000000
#define __WALL     0x40000000
#define __WCLONE   0x80000000
/* Wait statuses (Linux encoding): exited (code << 8), killed (signal,
 * WAIT_CORE_FLAG if dumped), stopped, continued. */
#define WAIT_SIG_MASK         0x7f
#define WAIT_CORE_FLAG        0x80
#define WAIT_STOPPED_CODE     0x7f
#define WAIT_CONTINUED_STATUS 0xffff

/* Boot: create the process cache. */
void proc_init_caches(void);
/* Start the first user process; 0 or -Exxx. */
int proc_start_init(const char *path, char *const argv[], char *const envp[]);
/* clone/fork/vfork; returns the child's id or -Exxx. */
long proc_clone(unsigned long flags, uintptr_t stack, int *ptid, int *ctid, uint64_t tls);
/* exit(code) of the current thread; the process ends with its last thread. */
void proc_exit_thread(int code) __noreturn;
/* exit_group: end every thread; status is a code or (signaled) a signal. */
void proc_exit_group(int code, bool signaled) __noreturn;
/* A thread notices its group is exiting and leaves. */
void proc_exit_thread_in_group(void) __noreturn;
/* Called by thread_exit (kernel/sched/thread.c): user thread t is exiting. */
void proc_thread_exiting(struct thread *t);
/* Called by the reaper: user thread t is being freed (after switching away). */
void proc_thread_reap(struct thread *t);
/* wait4/waitid core: 0 (WNOHANG, nothing yet), a pid, or -Exxx; *status
 * set (Linux encoding: exited, killed, stopped 0x7f|sig<<8, continued
 * 0xffff).  options: WEXITED, WUNTRACED (WSTOPPED), WCONTINUED, WNOHANG,
 * WNOWAIT. */
long proc_wait(int pid, int *status, int options);
/* vfork child t execs or exits: let its parent run again. */
void proc_vfork_release(struct thread *t);
/* execve: make the caller the only thread; 0 or -EINTR. */
int proc_kill_other_threads(void);
/* The live thread with id tid (proc_tree_lock held), or NULL; returns with
 * t->proc->lock held, which the caller releases. */
struct thread *thread_find_locked(int tid);
/* pid 1, or NULL before it started. */
struct proc *proc_init(void);
/* Processes in existence, zombies included (tests). */
unsigned proc_count(void);
/* Free the exited init (nobody else waits for it). */
void proc_reap_init(void);

/* CPU time used by every thread p has had (CLOCK_PROCESS_CPUTIME_ID). */
uint64_t proc_cpu_ns(struct proc *p);
/*
 * The process of the running thread (NULL in kernel threads and idle).
 * Inline (every system call asks); the host unit tests supply their own.
 */
#ifdef KEEL_HOST_TEST
struct proc *proc_current(void);
#else
static inline struct proc *proc_current(void)
{
	struct thread *t = thread_current();

	return t ? t->proc : NULL;
}

/*
 * Anything for signal_dequeue (keel/signal.h) to do: a signal, an exit,
 * job control, a hold?  The fast path of every return to user mode.
 * Lock-free: a sender racing with it has already sent, or will interrupt
 * this CPU (or find the thread asleep) after setting the bit, so it is
 * seen at the next kernel exit, as with the lock.
 */
static inline bool signal_work_pending(void)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;

	return READ_ONCE(t->sig_pending) || READ_ONCE(p->sig_pending) ||
	       READ_ONCE(p->group_exiting) || READ_ONCE(p->stop_sig) ||
	       READ_ONCE(p->cont_notify) || READ_ONCE(p->exo.held);
}
#endif
/* Find a live or zombie process by pid; NULL if none.  Takes no reference:
 * the caller must hold proc_tree_lock. */
struct proc *proc_find(int pid);
extern struct spinlock proc_tree_lock;
/* Woken by every process exit once it is a zombie (pidfd pollers). */
extern struct waitq proc_exit_wq;

/*
 * Open files and working directory of any process p (see "Open files" at
 * the top): a new reference to p's descriptor table / working directory,
 * or NULL once p has exited.  Take p->lock (so not with it held, nor with
 * a lock ordered after it); never sleep.  The caller puts the reference
 * (fdtable_put / vnode_put).  p must stay allocated meanwhile (held by
 * proc_tree_lock, or the caller's own process).
 */
struct fdtable *proc_get_fdt(struct proc *p);
struct vnode *proc_get_cwd(struct proc *p);

/*
 * Replace p's table / working directory with new (whose reference p now
 * owns; NULL at exit) and return the old one, whose reference the caller
 * puts after dropping p->lock.  p->lock held (asserted).
 */
static inline struct fdtable *proc_set_fdt_locked(struct proc *p,
						  struct fdtable *new)
{
	struct fdtable *old = p->fdt;

	spin_assert_held(&p->lock);
	p->fdt = new;
	return old;
}

static inline struct vnode *proc_set_cwd_locked(struct proc *p,
						struct vnode *new)
{
	struct vnode *old = p->cwd;

	spin_assert_held(&p->lock);
	p->cwd = new;
	return old;
}

#endif

/*
 * keel/proc.h - processes: an address space, open files, a working
 * directory, credentials, signal state and one or more threads.
 *
 * Lock key:  [T] proc_tree_lock (the parent/child tree, pids, exit state),
 *            [P] proc->lock, [I] immutable after creation,
 *            [F] owned by the file layer (kernel/fs/fd.c, kernel/fs/vfs.c).
 * Lock order: proc_tree_lock -> proc->lock.
 */
#ifndef KEEL_PROC_H
#define KEEL_PROC_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/spinlock.h>
#include <keel/wait.h>
#include <keel/timer.h>

struct mm;
struct fdtable;
struct vnode;
struct thread;

#define PROC_NAME_MAX 32

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
	char name[PROC_NAME_MAX];         /* [P] basename of the last exec */
	struct spinlock lock;
	enum proc_state state;            /* [T] */
	int exit_status;                  /* [T] wait status (Linux encoding) */
	struct proc *parent;              /* [T] */
	struct list children;             /* [T] struct proc.sibling */
	struct list sibling;              /* [T] */
	struct list all_node;             /* [T] every process (proc_find) */
	struct waitq child_wq;            /* wait() sleeps here for children */
	struct list threads;              /* [P] struct thread.proc_node */
	unsigned nthreads;                /* [P] live threads */
	uint64_t exited_run_ns;           /* [P] CPU time of threads that exited */
	struct mm *mm;                    /* [P] address space; replaced by exec */
	struct fdtable *fdt;              /* [F] open files */
	struct vnode *cwd;                /* [F] working directory */
	unsigned umask;                   /* [P] */
	int pgid, sid;                    /* [T] */
	uint32_t uid, gid;                /* [P] (always 0 for now) */
	uint64_t sig_pending;             /* [P] process-wide pending signals (bit sig-1) */
	struct sigaction_k sigactions[64];/* [P] */
	int exit_signal;                  /* [T] signal to the parent at exit; SIGCHLD once reparented */
	bool unkillable;                  /* [P] init: signals at their default action are
					   * dropped (Linux's SIGNAL_UNKILLABLE); a fault
					   * signal it does not handle clears it */
	bool group_exiting;               /* [P] exit_group (or execve's kill) in progress */
	struct thread *exec_survivor;     /* [P] the thread execve keeps, or NULL */
	bool exit_requested;              /* [P] exit_group was called (wins over execve) */
	struct timer itimer;              /* [itimer_lock] ITIMER_REAL / alarm: SIGALRM */
	struct spinlock itimer_lock;      /* serializes setitimer/alarm (before timer_base) */
};

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
/* Namespaces, ptrace, pidfd, CLONE_PARENT: not supported (-EINVAL). */
#define CLONE_UNSUPPORTED    (CLONE_PIDFD | CLONE_PTRACE | CLONE_PARENT | CLONE_NEWNS | \
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
/* wait4 core: 0 (WNOHANG, nothing yet), a pid, or -Exxx; *status set. */
long proc_wait(int pid, int *status, int options);
/* vfork child t execs or exits: let its parent run again. */
void proc_vfork_release(struct thread *t);
/* execve: make the caller the only thread; 0 or -EINTR. */
int proc_kill_other_threads(void);
/* The live thread with id tid (proc_tree_lock held), or NULL; returns with
 * t->proc->lock held, which the caller releases. */
struct thread *thread_find_locked(int tid);
/* A new process/thread id. */
int pid_alloc(void);
/* pid 1, or NULL before it started. */
struct proc *proc_init(void);
/* Processes in existence, zombies included (tests). */
unsigned proc_count(void);
/* Free the exited init (nobody else waits for it). */
void proc_reap_init(void);

/* CPU time used by every thread p has had (CLOCK_PROCESS_CPUTIME_ID). */
uint64_t proc_cpu_ns(struct proc *p);
/* The process of the running thread (NULL in kernel threads and idle). */
struct proc *proc_current(void);
/* Find a live or zombie process by pid; NULL if none.  Takes no reference:
 * the caller must hold proc_tree_lock. */
struct proc *proc_find(int pid);
extern struct spinlock proc_tree_lock;
/* Every process, zombies included ([T], struct proc.all_node). */
extern struct list proc_all;

#endif

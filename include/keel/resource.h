/*
 * keel/resource.h - what a process uses and may use: CPU time accounting
 * (getrusage, times, wait4's rusage, /proc/PID/stat) and resource limits
 * (getrlimit, setrlimit, prlimit64).  Implemented in
 * kernel/proc/resource.c.
 *
 * CPU time: every thread's run_ns (kernel/sched) is exact; the periodic
 * tick charges the running thread's uticks or sticks by the mode it
 * interrupted, and a thread's (or process's) run time is split between
 * user and system time in that ratio, as Linux does (with no tick yet,
 * all of it is user time).  At a thread's exit its ticks move to its
 * process; at a child's reap its totals (its own plus its reaped
 * children's) are added to the parent's children figures.
 *
 * Limits: RLIM_NLIMITS per process, inherited by fork and kept by exec.
 * Enforced: RLIMIT_NOFILE (new descriptors at or over it), RLIMIT_AS
 * (mmap, brk), RLIMIT_STACK (stack growth: vm_set_stack_max at exec and
 * at once on a change), RLIMIT_FSIZE (writes are cut short at it, one
 * at or past it is -EFBIG with SIGXFSZ; regular files only).
 * RLIMIT_NPROC is stored only: every process is root, and Linux exempts
 * root.  The others are stored only.
 *
 * Lock key: the proc fields these use are [proc->lock] (keel/proc.h).
 */
#ifndef KEEL_RESOURCE_H
#define KEEL_RESOURCE_H

#include <keel/compiler.h>
#include <keel/time.h>

#define RLIMIT_CPU        0
#define RLIMIT_FSIZE      1
#define RLIMIT_DATA       2
#define RLIMIT_STACK      3
#define RLIMIT_CORE       4
#define RLIMIT_RSS        5
#define RLIMIT_NPROC      6
#define RLIMIT_NOFILE     7
#define RLIMIT_MEMLOCK    8
#define RLIMIT_AS         9
#define RLIMIT_LOCKS      10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE   12
#define RLIMIT_NICE       13
#define RLIMIT_RTPRIO     14
#define RLIMIT_RTTIME     15
#define RLIM_NLIMITS      16
#define RLIM_INFINITY     (~0ull)

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

struct proc;
struct thread;

/* Linux struct rlimit64. */
struct k_rlimit {
	uint64_t cur, max;
};

/* Linux struct rusage (x86-64), 144 bytes. */
struct k_rusage {
	struct k_timeval ru_utime, ru_stime;
	int64_t ru_maxrss; /* KiB */
	int64_t ru_ixrss, ru_idrss, ru_isrss;
	int64_t ru_minflt, ru_majflt, ru_nswap;
	int64_t ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals;
	int64_t ru_nvcsw, ru_nivcsw;
};
_Static_assert(sizeof(struct k_rusage) == 144, "x86-64 struct rusage");

/* ---------------------------------------------------------------- CPU time */

/* User and system time of every thread p has had (live ones included).
 * Takes p->lock; never sleeps. */
void proc_cputime(struct proc *p, uint64_t *utime_ns, uint64_t *stime_ns);
/* User and system time of p's reaped children.  Takes p->lock. */
void proc_children_cputime(struct proc *p, uint64_t *utime_ns, uint64_t *stime_ns);
/* User and system time of thread t. */
void thread_cputime(struct thread *t, uint64_t *utime_ns, uint64_t *stime_ns);
/*
 * getrusage of the current process: who is RUSAGE_SELF, RUSAGE_CHILDREN
 * or RUSAGE_THREAD.  0 or -EINVAL.  May sleep.
 */
int proc_getrusage(int who, struct k_rusage *ru);
/* The current thread (a user thread) leaves its process: move its ticks
 * and peak memory to the process.  May sleep; before its mm is left. */
void proc_usage_thread_leave(struct thread *t);
/*
 * Child c of parent is reaped (proc_tree_lock held): add its totals to the
 * parent's children figures, and give them to the reaping thread's
 * wait4 (proc_wait_usage) if it asked.
 */
void proc_usage_reap(struct proc *parent, struct proc *c);
/* Have the next child the current thread reaps report its usage to ru
 * (NULL: stop). */
void proc_wait_usage(struct k_rusage *ru);

/* ---------------------------------------------------------------- limits */

/* Defaults of the first process. */
void proc_rlimit_init(struct proc *p);
/* A forked child's limits: the parent's (p->lock of parent held). */
void proc_rlimit_copy(struct proc *child, struct proc *parent);
/* A limit of p (takes p->lock). */
struct k_rlimit proc_rlimit(struct proc *p, int res);
/* The soft limit res of the current process (RLIM_INFINITY for a kernel
 * thread). */
uint64_t rlimit_cur(int res);
/*
 * prlimit64 core on process p: old (if not NULL) gets the limit before,
 * new (if not NULL) replaces it.  0, -EINVAL (res, soft over hard), -EPERM
 * (NOFILE hard limit over the table's maximum).
 */
int proc_prlimit(struct proc *p, int res, const struct k_rlimit *new, struct k_rlimit *old);

#endif

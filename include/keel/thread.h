/*
 * keel/thread.h - threads: the unit the scheduler runs.
 *
 * A thread has a kernel stack (with a guard page), saved kernel context,
 * and either a process (user threads) or none (kernel threads).  Thread
 * states and the locks that guard them:
 *
 *   state   RUNNING (wants the CPU), SLEEPING (waiting for a wakeup), DEAD.
 *           Set to SLEEPING/DEAD only by the thread itself; set back to
 *           RUNNING by sched_wake() under pi_lock.
 *   on_rq   [rq->lock] runnable: in a run queue or running.
 *   on_cpu  [A] a CPU is still executing on this thread's stack; set when
 *           switched in, cleared by the next thread after the switch.
 *
 * A dead thread never frees its own stack: after the CPU has switched to
 * another context (and to that context's address space) the thread is
 * handed to the CPU's reaper kernel thread, which frees it.
 *
 * Lock key (tags as in docs/locking.md; [C] means the thread itself):
 * [pi_lock] the thread's own pi_lock; [rq->lock] the lock of the run
 * queue of t->cpu (kernel/sched/sched.c); [proc->lock] its process's lock;
 * [reaper.lock] the lock of the reaper the dead thread was handed to;
 * [vfork_lock] (kernel/proc/proc.c).
 */
#ifndef KEEL_THREAD_H
#define KEEL_THREAD_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/spinlock.h>
#include <keel/lockdep.h>
#include <keel/smp.h>
#include <keel/cpu.h>
#include <keel/timer.h>
#include <arch/thread.h>

#define THREAD_NAME_MAX 16
/* thread.syscall_nr when no system call may be restarted (rt_sigreturn). */
#define SYSCALL_NR_NONE UINT64_MAX

enum thread_state {
	THREAD_RUNNING,
	THREAD_SLEEPING,
	THREAD_DEAD,
};

struct proc;
struct mm;
struct kcov;
struct k_rusage;

struct thread {
	uintptr_t ksp;                  /* [C] saved kernel stack pointer while switched out */
	uintptr_t kstack_top;           /* [I] */
	int tid;                        /* [I] */
	char name[THREAD_NAME_MAX];     /* [C] */
	struct spinlock pi_lock;        /* serializes wakeups */
	int state;                      /* [pi_lock]/[C], see above */
	bool on_rq;                     /* [rq->lock] */
	int on_cpu;                     /* [A] */
	unsigned cpu;                   /* [rq->lock] run queue the thread belongs to */
	bool migrate;                   /* [rq->lock] move to another CPU after switching out */
	int prio;                       /* [rq->lock] 0 = highest */
	int slice;                      /* [rq->lock] ticks left in its time slice */
	struct list rq_node;            /* [rq->lock] */
	cpumask_t affinity;             /* [pi_lock] CPUs it may run on */
	struct proc *proc;              /* [I] NULL for kernel threads */
	struct mm *mm;                  /* [C] address space to load (NULL: bootstrap) */
	struct list proc_node;          /* [proc->lock] */
	void (*kfn)(void *arg);         /* [I] kernel thread body */
	void *karg;                     /* [I] */
	struct timer timer;             /* [C] sleep timeouts */
	uint64_t sig_pending;           /* [proc->lock] thread-directed pending signals */
	uint64_t sig_mask;              /* [C] blocked signals */
	uint64_t saved_sig_mask;        /* [C] sig_mask before a temporary one */
	bool restore_sig_mask;          /* [C] saved_sig_mask is to be restored
					 * on the way back to user mode (or
					 * saved in the next signal frame) */
	uintptr_t clear_child_tid;      /* [C] user address to clear + futex-wake at exit */
	uint64_t fs_base;               /* [C] user TLS base */
	struct trapframe *utf;          /* [C] user register frame (top of kstack) */
	struct list dead_node;          /* [reaper.lock] */
	uint64_t run_ns;                /* [C] CPU time used */
	uint64_t uticks, sticks;        /* [A] ticks that found it in user / kernel mode */
	uint64_t nvcsw, nivcsw;         /* [A] switches away: asleep / still runnable */
	struct k_rusage *wait_ru;       /* [C] wait4's usage of the child it reaps, or NULL */
	uint64_t queued_ns;             /* [rq->lock] when it was last queued */
	uint64_t syscall_nr;            /* [C] system call in progress (restart);
					 * SYSCALL_NR_NONE after rt_sigreturn */
	uintptr_t sas_sp;               /* [C] sigaltstack base (0: none) */
	size_t sas_size;                /* [C] sigaltstack size */
	int sas_flags;                  /* [C] SS_AUTODISARM */
	/* [C] restart block: what restart_syscall resumes (nanosleep) */
	uint64_t restart_deadline;      /* absolute time_ns() the sleep ends */
	uintptr_t restart_rem;          /* user address of the remaining time, or 0 */
	long (*restart_fn)(struct thread *t); /* NULL: nothing to restart */
	struct thread *vfork_parent;    /* [vfork_lock] parent waiting for our exec/exit */
	struct thread *vfork_child;     /* [vfork_lock] the vfork child we wait for */
	bool vfork_done;                /* [vfork_lock] our vfork child let us go */
	uintptr_t fault_rip, fault_addr;/* [C] last page fault (fault-loop detector) */
	unsigned fault_repeat;          /* [C] */
	struct kcov *kcov;              /* [C] coverage being recorded (kernel/debug/kcov.c), or NULL */
	struct lockdep_thread lockdep;  /* [C] mutexes held (debug builds; empty otherwise) */
	struct arch_thread arch;        /* arch-private (FPU state) */
};

/*
 * The running thread, or NULL when the CPU runs no thread (idle, early
 * boot).  Inline: every system call asks several times.  The host unit
 * tests supply their own (tests/host/fake_sched.c).
 */
#ifdef KEEL_HOST_TEST
struct thread *thread_current(void);
#else
static inline struct thread *thread_current(void)
{
	return cpu_thread();
}
#endif
/* Create a runnable kernel thread; NULL when out of memory.  cpu < 0: any CPU. */
struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg, int cpu);
/* Allocate a thread (not yet runnable) with a kernel stack; NULL on ENOMEM. */
struct thread *thread_alloc(const char *name);
/* Free a thread that never ran. */
void thread_free(struct thread *t);
/* The current thread ends; its resources are freed later by the reaper. */
void thread_exit(void) __noreturn;
/* Number of threads in existence (tests). */
unsigned thread_count(void);
/* Threads that died and wait for their reaper (tests, accounting). */
unsigned thread_dying_count(void);
/* Count a context that died without thread_exit (AP boot contexts). */
void thread_note_dying(void);
/* A thread struct with no stack (boot contexts); NULL on ENOMEM. */
struct thread *thread_struct_alloc(const char *name);

/* Internal to the scheduler and thread code. */
void reaper_init(void);
void reaper_start_cpu(unsigned cpu);
void reaper_enqueue(struct thread *t);

#endif

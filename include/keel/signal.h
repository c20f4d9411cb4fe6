/*
 * keel/signal.h - Linux signal numbers and the kernel's signal interface.
 * Numbers and structure layouts are Linux x86-64's (our ABI).
 */
#ifndef KEEL_SIGNAL_H
#define KEEL_SIGNAL_H

#include <keel/compiler.h>

#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1    10
#define SIGSEGV    11
#define SIGUSR2    12
#define SIGPIPE    13
#define SIGALRM    14
#define SIGTERM    15
#define SIGSTKFLT  16
#define SIGCHLD    17
#define SIGCONT    18
#define SIGSTOP    19
#define SIGTSTP    20
#define SIGTTIN    21
#define SIGTTOU    22
#define SIGURG     23
#define SIGXCPU    24
#define SIGXFSZ    25
#define SIGVTALRM  26
#define SIGPROF    27
#define SIGWINCH   28
#define SIGIO      29
#define SIGPWR     30
#define SIGSYS     31
#define NSIG       64          /* signals 1..64 */
#define SIGRTMIN   32          /* real-time signals SIGRTMIN..NSIG are queued */

/* sigaction flags (Linux values). */
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_RESTORER  0x04000000
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000u

/* si_code values (Linux). */
#define SI_USER       0
#define SI_KERNEL     0x80
#define SI_QUEUE      (-1)
#define SI_TIMER      (-2)
#define SI_TKILL      (-6)
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_STOPPED   5
#define CLD_CONTINUED 6
#define SEGV_MAPERR   1
#define SEGV_ACCERR   2

/*
 * Kernel-internal results of an interrupted system call (never seen by
 * user space; Linux's values and rules).  On the way back to user mode,
 * with no handler to run, all of them restart the call; when a handler
 * runs: ERESTARTSYS restarts only under SA_RESTART, ERESTARTNOINTR always,
 * ERESTARTNOHAND and ERESTART_RESTARTBLOCK become -EINTR.
 * ERESTART_RESTARTBLOCK restarts through restart_syscall (the thread's
 * restart block, see keel/thread.h).
 */
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516

/* True if a system call's result ret is one of the restart codes above. */
static inline bool signal_is_restart(long ret)
{
	return ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK;
}

/* siginfo_t as Linux x86-64 lays it out (128 bytes). */
#define SIGINFO_SIZE 128
struct ksiginfo {
	int32_t si_signo, si_errno, si_code, pad;
	union {
		struct {                /* kill, tkill, sigqueue (SI_USER, SI_TKILL, SI_QUEUE) */
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* si_value (sigqueue) */
		} kill;
		struct {                /* SIGCHLD */
			int32_t pid;
			uint32_t uid;
			int32_t status, pad;
			int64_t utime, stime;
		} chld;
		struct {                /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
			uint64_t addr;
		} fault;
		uint8_t raw[SIGINFO_SIZE - 16];
	};
};
_Static_assert(sizeof(struct ksiginfo) == SIGINFO_SIZE, "Linux siginfo_t size");

struct proc;
struct thread;
struct sigqueue;

/* Send sig to process p (0: just check existence), as the kernel
 * (SI_KERNEL); 0 or -Exxx.  Any context; may hold proc_tree_lock. */
int signal_send(struct proc *p, int sig);
/*
 * Send info->si_signo with its siginfo to process p.  Standard signals
 * already pending are not queued again; real-time ones queue (up to a
 * limit: then -EAGAIN unless info is SI_USER/SI_KERNEL).  0 or -Exxx.
 * Any context, with no proc->lock held (proc_tree_lock may be).
 */
int signal_send_info(struct proc *p, const struct ksiginfo *info);
/* A queue entry for signal_send_thread_locked, allocated before the
 * process lock is taken (NULL: out of memory); free an unused one. */
struct sigqueue *signal_entry_alloc(void);
void signal_entry_free(struct sigqueue *q);
/* Send info to one thread (tgkill, rt_tgsigqueueinfo), its process's lock
 * held; uses *spare (then NULL) when it queues.  0 or -Exxx. */
int signal_send_thread_locked(struct thread *t, const struct ksiginfo *info,
			      struct sigqueue **spare);
/* kill(2)'s siginfo: SI_USER from the current process. */
void signal_info_user(struct ksiginfo *info, int sig, int code);
/*
 * Send sig to every live member of process group pgid; returns how many
 * members the group has (zombies count), 0 if it has none.  Any context,
 * interrupt handlers included (the terminal's ^C).  _locked: the caller
 * holds proc_tree_lock.
 */
int signal_send_pgrp(int pgid, int sig);
int signal_send_pgrp_locked(int pgid, int sig);
/* The same with a given siginfo (kill(-pgid): SI_USER). */
int signal_send_pgrp_info_locked(int pgid, const struct ksiginfo *info);
/* kill(-pgid) from me, whose credentials are c: info to every member me
 * may signal (cred_may_signal); 0 if one was, -EPERM if none of the
 * members was, -ESRCH if the group is empty.  [proc_tree_lock] held. */
struct cred;
int signal_kill_pgrp_locked(int pgid, const struct ksiginfo *info, struct proc *me,
			    const struct cred *c);
/* Is sig blocked by the current thread or ignored by its process? */
bool signal_current_ignores_or_blocks(int sig);
/* Raise sig against the current thread (SIGPIPE), as SI_USER from itself. */
void signal_raise_current(int sig);
/* A synchronous fault signal for the current thread (cannot be ignored). */
void signal_force(int sig);
/* The same with si_code and si_addr (a user fault). */
void signal_force_fault(int sig, int code, uint64_t addr);
/* True if the current thread has an unblocked signal pending. */
bool signal_pending(void);
/*
 * True if the current thread is about to die: SIGKILL is pending or its
 * process is exiting (exit_group, or another thread's execve).  Killable
 * sleeps and long kernel loops stop on it.  Lock-free; any thread context.
 */
bool signal_fatal_pending(void);
/*
 * The check every kernel loop whose length user space controls makes
 * between steps: gives the CPU away if a reschedule is due, then returns
 * signal_fatal_pending().  The loop stops on true, returning what it has
 * done so far or -EINTR.  Holding no spinlock (mutexes are fine).
 */
bool signal_checkpoint(void);
struct sigaction_k;
/*
 * Take the current thread's next deliverable signal: its number (with its
 * action in *act and its siginfo in *info), 0 if none; a fatal one ends
 * the process (no return), a stop signal stops it here until SIGCONT or
 * SIGKILL (group stop; the parent is told).
 */
int signal_dequeue(struct sigaction_k *act, struct ksiginfo *info);
/* Whether there is anything for signal_dequeue to do: signal_work_pending()
 * in keel/proc.h (inline: it reads struct proc). */
/*
 * rt_sigtimedwait's core: take a pending signal of set (thread-directed
 * first) with its siginfo; its number, or 0 if none.  Current thread.
 */
int signal_take_pending(uint64_t set, struct ksiginfo *info);
/* Signals pending for the current thread (its own and its process's). */
uint64_t signal_pending_set(void);
/* Discard pending instances of the signals in mask from p and all its
 * threads (a disposition set to ignore).  [p->lock] held. */
void signal_discard_locked(struct proc *p, uint64_t mask);
/* Free the queued siginfo of thread t (leaving) or, t NULL, of all of p
 * (being freed). */
void signal_queue_flush(struct proc *p, struct thread *t);
/*
 * Alternate signal stacks (sigaltstack), of the current thread.  cur_sp is
 * its user stack pointer.  _get: the settings and flags (SS_ONSTACK while
 * cur_sp is on it, SS_DISABLE without one, plus SS_AUTODISARM).  _set: 0,
 * -EPERM while on it, -EINVAL for bad flags, -ENOMEM below MINSIGSTKSZ.
 * _handler_sp: the stack top a handler with SA_ONSTACK runs on (0: stay
 * on cur_sp); an SS_AUTODISARM stack is disarmed then.
 */
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048
void signal_altstack_get(uintptr_t cur_sp, uintptr_t *sp, int *flags, size_t *size);
int signal_altstack_set(uintptr_t cur_sp, uintptr_t sp, int flags, size_t size);
uintptr_t signal_altstack_handler_sp(uintptr_t cur_sp);
/* A thread of p left (p has others): if the rest are all parked in a
 * group stop, the stop is complete; tell the parent.  No lock held. */
void signal_thread_left(struct proc *p);
/* Hold p's threads at their next way out to user mode, or let them go
 * (exo_set_status).  SIGKILL ends a hold.  [p->lock] held. */
void signal_hold_locked(struct proc *p, bool held);
/* Would sig be ignored by p at its current disposition?  [p->lock] held. */
bool signal_ignored_locked(struct proc *p, int sig);
/*
 * Is a live member of process group pgid stopped (a group stop in force)?
 * The exit path's orphaned-group rule.  [proc_tree_lock] held.
 */
bool signal_pgrp_has_stopped(int pgid);
/*
 * Block mask instead of the current mask until this system call returns
 * to user mode (ppoll, pselect6, rt_sigsuspend): the old mask comes back
 * then, or, if a signal is delivered on the way, is saved in its frame so
 * that sigreturn restores it while the handler runs with the temporary
 * one (Linux's saved_sigmask).  SIGKILL and SIGSTOP stay unblocked.
 */
void signal_mask_temporarily(uint64_t mask);
/* The mask a new signal frame saves (the one sigreturn will restore); the
 * temporary mask, if any, is then the frame's business. */
uint64_t signal_frame_mask(void);
/* Back to user mode with no signal frame: restore a temporary mask. */
void signal_restore_mask(void);
/*
 * The user-space form (ppoll, pselect6, epoll_pwait): block *umask (a
 * sigset of size bytes) for the call; a NULL umask changes nothing.
 * 0, -EINVAL (size is not 8) or -EFAULT.
 */
int signal_mask_temporarily_user(const uint64_t *umask, size_t size); /* umask: user pointer */

#endif

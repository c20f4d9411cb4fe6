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

struct proc;

/* Send sig to process p (0: just check existence); 0 or -Exxx. */
int signal_send(struct proc *p, int sig);
struct thread;
/* Send sig to one thread (tgkill), its process's lock held; 0 or -Exxx. */
int signal_send_thread_locked(struct thread *t, int sig);
/*
 * Send sig to every live member of process group pgid; returns how many
 * members the group has (zombies count), 0 if it has none.  Any context,
 * interrupt handlers included (the terminal's ^C).  _locked: the caller
 * holds proc_tree_lock.
 */
int signal_send_pgrp(int pgid, int sig);
int signal_send_pgrp_locked(int pgid, int sig);
/* Is sig blocked by the current thread or ignored by its process? */
bool signal_current_ignores_or_blocks(int sig);
/* Raise sig against the current thread's process (kernel-detected faults, SIGPIPE). */
void signal_raise_current(int sig);
/* A synchronous fault signal for the current thread (cannot be ignored). */
void signal_force(int sig);
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
 * action in *act), 0 if none; a fatal one ends the process (no return).
 */
int signal_dequeue(struct sigaction_k *act);
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

#endif

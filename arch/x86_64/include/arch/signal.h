/*
 * arch/signal.h - x86-64 signal frames (entry/signal.c), laid out as
 * Linux's: generic signal delivery (arch_return_to_user) builds them and
 * rt_sigreturn takes them apart.  A frame that cannot be written or read
 * back kills the process with SIGSEGV.
 */
#ifndef ARCH_SIGNAL_H
#define ARCH_SIGNAL_H

struct trapframe;
struct sigaction_k;
struct ksiginfo;

/* Build a signal frame (with info) on the user stack, or on the alternate
 * stack for SA_ONSTACK, and redirect tf to the handler. */
void signal_setup_frame(struct trapframe *tf, int sig, const struct sigaction_k *act,
			const struct ksiginfo *info);
/*
 * A system call that returned one of the ERESTART* codes (keel/signal.h)
 * on its way out: restart it or make it -EINTR, by Linux's rules, for a
 * handler with action act (NULL: no handler runs).  Does nothing for any
 * other frame.
 */
void signal_restart_syscall(struct trapframe *tf, const struct sigaction_k *act);
/* rt_sigreturn: restore tf from the frame on the user stack; returns rax. */
long signal_restore_frame(struct trapframe *tf);

#endif

/*
 * arch/user.h - x86-64 user-mode entry and exit, used by generic process
 * and signal code: register frames, entering user mode, signal frames.
 */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <stdint.h>
#include <stdbool.h>

struct thread;
struct trapframe;
struct sigaction_k;

void syscall_cpu_init(void);
/* Where t's user registers live while it is in the kernel (top of its stack). */
struct trapframe *arch_user_frame(struct thread *t);
/* A fresh user frame starting at entry with stack pointer sp. */
void arch_user_frame_init(struct trapframe *tf, uintptr_t entry, uintptr_t sp);
void arch_user_frame_copy(struct trapframe *dst, const struct trapframe *src);
void arch_user_frame_set_return(struct trapframe *tf, long v);
void arch_user_frame_set_sp(struct trapframe *tf, uintptr_t sp);
/* Load fs_base into the FS base register now (current thread). */
void arch_thread_set_fs_base(uint64_t base);
/* Load t's saved FPU state into the registers now (t is current). */
void arch_thread_fpu_load(struct thread *t);
/* AT_HWCAP for exec. */
uint64_t arch_hwcap(void);
/* Leave the kernel for t's user frame (first run of a user thread). */
void arch_thread_enter_user(struct thread *t) __attribute__((noreturn));
/* Reschedule / deliver signals before returning to user mode (irqs off). */
void arch_return_to_user(struct trapframe *tf);
/* Build a signal frame on the user stack and redirect tf to the handler. */
void signal_setup_frame(struct trapframe *tf, int sig, const struct sigaction_k *act);
/* rt_sigreturn: restore tf from the frame on the user stack; returns rax. */
long signal_restore_frame(struct trapframe *tf);

#endif

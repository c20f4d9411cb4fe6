/*
 * arch/user.h - x86-64 user-mode entry and exit, used by generic process
 * and signal code: register frames, entering user mode and coming back
 * (signal frames: arch/signal.h).
 */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct thread;
struct trapframe;

void syscall_cpu_init(void);
/* Called by syscall.S: the 64-bit syscall entry (MSR_LSTAR). */
void syscall_handler(struct trapframe *tf);
/* Called by syscall.S: syscall from compatibility mode (MSR_CSTAR). */
void syscall_compat_handler(struct trapframe *tf);
/* Where t's user registers live while it is in the kernel (top of its stack). */
struct trapframe *arch_user_frame(struct thread *t);
/* A fresh user frame starting at entry with stack pointer sp. */
void arch_user_frame_init(struct trapframe *tf, uintptr_t entry, uintptr_t sp);
void arch_user_frame_copy(struct trapframe *dst, const struct trapframe *src);
void arch_user_frame_set_return(struct trapframe *tf, long v);
void arch_user_frame_set_sp(struct trapframe *tf, uintptr_t sp);
/* The user stack pointer in tf (sigaltstack). */
uintptr_t arch_user_frame_sp(const struct trapframe *tf);
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
/*
 * Push a page-fault frame (struct exo_utrapframe) for fault_va / error
 * code err on the exception stack [xstack_top - xstack_size, xstack_top)
 * and point tf at entry (arch/x86_64/entry/upcall.c).  0, -EFAULT (the
 * stack cannot be written), -ENOSPC (it would overflow), -EINVAL (tf is
 * not a 64-bit user frame).  May fault in user pages: interrupts on.
 */
int arch_upcall_push(struct trapframe *tf, uintptr_t fault_va, uint64_t err, uintptr_t entry,
		     uintptr_t xstack_top, size_t xstack_size);

#endif

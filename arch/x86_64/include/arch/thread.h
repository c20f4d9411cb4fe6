/*
 * arch/thread.h - the x86-64 part of a thread: its FPU/SSE register area
 * (fxsave format).  The kernel never touches FPU/SSE registers (it is
 * built with -mgeneral-regs-only), so user state stays in the registers
 * while the thread runs and is saved/restored eagerly on context switch.
 */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <stdint.h>
#include <stdbool.h>

#define FXSAVE_SIZE      512
#define MXCSR_DEFAULT    0x1f80
#define FPU_CW_DEFAULT   0x037f
#define FXSAVE_MXCSR_OFF 24

struct arch_thread {
	uint8_t fpu[FXSAVE_SIZE] __attribute__((aligned(16)));  /* [C] */
	bool fpu_valid;          /* [C] fpu holds user state to restore */
};

struct thread;
struct trapframe;

/* Prepare t's kernel stack so its first switch-in runs sched_thread_entry(). */
void arch_thread_init(struct thread *t, uintptr_t frame_top);
/* Give t a clean user FPU state. */
void arch_thread_fpu_reset(struct thread *t);
/* Save the current thread's live FPU/SSE registers into t->arch (t is current). */
void arch_thread_fpu_save(struct thread *t);
/* Save prev's context and registers, resume next. */
void arch_context_switch(struct thread *prev, struct thread *next);
/* Jump to user mode with the registers in tf (on the current kernel stack). */
void arch_enter_user(struct trapframe *tf) __attribute__((noreturn));
/* Enable FXSR/SSE on this CPU (every CPU at boot). */
void fpu_cpu_init(void);

#endif

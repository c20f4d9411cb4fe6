/*
 * arch/entry.h - assembler macros shared by every kernel entry path
 * (trap_entry.S, syscall.S): saving and restoring the general registers
 * in struct trapframe order (arch/trap.h), and the fake frame that lets
 * backtraces walk from a trap into the interrupted code.  Assembly only.
 */
#ifndef ARCH_ENTRY_H
#define ARCH_ENTRY_H

#ifdef __ASSEMBLY__

/* Push rax..r15 so that %rsp points at a struct trapframe. */
.macro SAVE_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

/* Pop what SAVE_GPRS pushed. */
.macro RESTORE_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

/* %rdi = trapframe; push (saved rbp, interrupted rip) as a frame. */
.macro PUSH_FAKE_FRAME
	movq %rsp, %rdi
	pushq TF_RIP(%rdi)
	pushq TF_RBP(%rdi)
	movq %rsp, %rbp
.endm

#endif
#endif

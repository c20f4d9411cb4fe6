/*
 * switch.S - the kernel context switch and the first instructions of a new
 * thread.  Only callee-saved registers need saving: arch_switch_stacks is
 * an ordinary function call as far as the compiler is concerned.
 */
	.section .text

/* void arch_switch_stacks(uintptr_t *prev_ksp, uintptr_t next_ksp) */
	.globl arch_switch_stacks
arch_switch_stacks:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* A new thread's first "return" lands here (see arch_thread_init). */
	.globl thread_trampoline
thread_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	xorl %ebp, %ebp
	call sched_thread_entry
	ud2
	.cfi_endproc

/* void arch_enter_user(struct trapframe *tf): leave through trap_return. */
	.globl arch_enter_user
arch_enter_user:
	movq %rdi, %rsp
	jmp trap_return

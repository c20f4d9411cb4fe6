/*
 * exo_fork.S - libkeel's exo_fork() (x86-64), in assembly because of where
 * the child resumes.
 *
 * The child of exo_fork continues from the syscall instruction with the
 * caller's registers but no page of its own: the parent fills its stack
 * afterwards (exo_page_alloc/exo_page_map, or exo_cowfork's scan), by
 * which time the parent's next call has overwritten the word where a C
 * wrapper's `ret` would find its return address.  So the return address
 * is popped into %rdx (caller-saved, preserved by the syscall) before the
 * system call and the wrapper returns with an indirect jump: neither
 * parent nor child reads the stack after the syscall.
 */

#define NR_EXO_FORK 1000

	.text
	.globl exo_fork
	.type exo_fork, @function
exo_fork:
	popq %rdx
	movl $NR_EXO_FORK, %eax
	syscall
	jmpq *%rdx
	.size exo_fork, . - exo_fork

	.section .note.GNU-stack, "", @progbits

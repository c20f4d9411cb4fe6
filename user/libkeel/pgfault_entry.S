/*
 * pgfault_entry.S - libkeel's page-fault upcall entry (x86-64).
 *
 * The kernel enters here with %rsp pointing at a struct exo_utrapframe on
 * the exception stack (<keel/exo.h>) and every other register as it was
 * at the fault.  We save the FPU/SSE state below the frame, call the C
 * dispatcher with the frame, restore the FPU state, and return to the
 * faulting instruction without a system call:
 *
 *   1. store the trap-time %rip in the word just below the trap-time
 *      stack's 128-byte red zone (the kernel leaves that word free when it
 *      nests a frame on the exception stack; on any other stack it is
 *      free by the ABI); this store may itself fault (a copy-on-write
 *      stack page) and then nests safely, since nothing live is below us;
 *   2. pop the general registers and the flags from the frame (only moves
 *      and lea from here on: the flags stay as restored);
 *   3. switch to the trap-time stack minus 136 and `ret $128`: %rip comes
 *      from the stored word and %rsp ends exactly at its trap-time value.
 */

#include "utf_offsets.h"

#define REDZONE    128
#define SLOT       (REDZONE + 8)
#define FXSAVE_SZ  512

	.text
	.globl _exo_pgfault_upcall
	.type _exo_pgfault_upcall, @function
_exo_pgfault_upcall:
	movq %rsp, %rbx                 /* the frame; restored from it below */
	andq $-16, %rsp
	subq $FXSAVE_SZ, %rsp
	fxsave64 (%rsp)
	movq %rbx, %rdi
	call _exo_pgfault_dispatch
	fxrstor64 (%rsp)
	movq %rbx, %rsp

	movq UTF_RSP(%rsp), %rax
	subq $SLOT, %rax
	movq UTF_RIP(%rsp), %rcx
	movq %rcx, (%rax)
	movq %rax, UTF_RSP(%rsp)

	leaq UTF_REGS(%rsp), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	leaq 8(%rsp), %rsp              /* past utf_rip */
	popfq
	movq (%rsp), %rsp
	ret $REDZONE
	.size _exo_pgfault_upcall, . - _exo_pgfault_upcall

	.section .note.GNU-stack, "", @progbits

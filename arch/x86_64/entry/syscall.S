/*
 * syscall.S - entries of the syscall instruction.
 *
 * syscall_entry (MSR_LSTAR): a 64-bit system call.  The CPU arrives with
 * user RSP, RCX = user RIP, R11 = user RFLAGS, interrupts masked by
 * MSR_FMASK.  We swap to the kernel GS, switch to the thread's kernel
 * stack, and build the same struct trapframe as an interrupt (vector
 * VEC_SYSCALL), so the C code, fork and signals see one frame format.  The
 * return goes through trap_return (iretq), which is always safe (no sysret
 * with a non-canonical RIP).
 *
 * syscall_compat_entry (MSR_CSTAR): a syscall instruction executed in
 * 32-bit compatibility mode (legal on AMD CPUs).  Keel has no 32-bit ABI:
 * the same frame, with the 32-bit user CS, goes to syscall_compat_handler,
 * which fails the call with -ENOSYS, and back through trap_return.
 */
#include <arch/trap.h>
#include <arch/entry.h>
#include <arch/segment.h>

	.section .text
	.globl syscall_entry
syscall_entry:
	.cfi_startproc simple
	.cfi_undefined rip
	SYSCALL_ENTRY_FRAME SEG_UCODE64
	sti
	call syscall_handler
	cli
	addq $16, %rsp
	jmp trap_return
	.cfi_endproc

	.globl syscall_compat_entry
syscall_compat_entry:
	.cfi_startproc simple
	.cfi_undefined rip
	SYSCALL_ENTRY_FRAME SEG_UCODE32
	sti
	call syscall_compat_handler
	cli
	addq $16, %rsp
	jmp trap_return
	.cfi_endproc

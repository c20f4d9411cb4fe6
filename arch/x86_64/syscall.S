/*
 * syscall.S - entry of the syscall instruction (MSR_LSTAR).
 *
 * The CPU arrives with user RSP, RCX = user RIP, R11 = user RFLAGS,
 * interrupts masked by MSR_FMASK.  We swap to the kernel GS, switch to the
 * thread's kernel stack, and build the same struct trapframe as an
 * interrupt (vector VEC_SYSCALL), so the C code, fork and signals see one
 * frame format.  The return goes through trap_return (iretq), which is
 * always safe (no sysret with a non-canonical RIP).
 */
#include <arch/trap.h>
#include <arch/entry.h>
#include <arch/segment.h>

	.section .text
	.globl syscall_entry
syscall_entry:
	.cfi_startproc simple
	.cfi_undefined rip
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $(SEG_UDATA | SEG_RPL_USER)      /* ss */
	pushq %gs:CPU_USER_RSP                 /* rsp */
	pushq %r11                             /* rflags */
	pushq $(SEG_UCODE64 | SEG_RPL_USER)    /* cs */
	pushq %rcx                             /* rip */
	pushq $0                               /* error */
	pushq $VEC_SYSCALL                     /* vector */
	SAVE_GPRS
	cld
	PUSH_FAKE_FRAME                        /* for backtraces */
	sti
	call syscall_handler
	cli
	addq $16, %rsp
	jmp trap_return
	.cfi_endproc

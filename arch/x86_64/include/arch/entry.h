/*
 * arch/entry.h - assembler macros shared by every kernel entry path
 * (trap_entry.S, syscall.S): saving and restoring the general registers
 * in struct trapframe order (arch/trap.h), the fake frame that lets
 * backtraces walk from a trap into the interrupted code, the frame built by
 * both syscall entries (64-bit MSR_LSTAR and compatibility-mode MSR_CSTAR),
 * and the GS handling of the "paranoid" entries (double fault, NMI, machine
 * check).  The C functions the entry code calls are declared with their
 * files: trap_dispatch/trap_paranoid in arch/trap.h, syscall_handler and
 * syscall_compat_handler in arch/user.h.
 *
 * Which GS base is live.  Ordinary entries swap GS when the interrupted CS
 * is a user one: the kernel never runs with the user GS base except in the
 * windows between an entry instruction and its swapgs and between
 * trap_return's swapgs and iretq, where interrupts are off.  The IST
 * vectors can arrive in exactly those windows (and on a broken kernel
 * anywhere), so they decide from MSR_GS_BASE itself: the kernel's GS base
 * (struct cpu) is a kernel-half address, a user GS base never is, because
 * user space has no way to make it one - CR4.FSGSBASE stays off (so
 * wrgsbase raises #UD), arch_prctl(ARCH_SET_GS) refuses addresses outside
 * the user half with EPERM, and a segment load sets at most a 32-bit base.
 * Whoever enables CR4.FSGSBASE must make the paranoid entry save and load
 * the GS base unconditionally instead (wrgsbase could then set any value).
 */
#ifndef ARCH_ENTRY_H
#define ARCH_ENTRY_H

#include <arch/segment.h>
#include <arch/trap.h>
#include <arch/msr.h>

/* Vectors that run on IST stacks and enter through paranoid_common. */
#define TRAP_PARANOID_MASK ((1 << TRAP_NMI) | (1 << TRAP_DF) | (1 << TRAP_MC))

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

/* An interrupt can arrive inside a user copy (AC set): SMAP back on. */
.macro ENTRY_CLAC
	testb $1, cpu_smap_enabled(%rip)
	jz .Lentry_clac_done\@
	clac
.Lentry_clac_done\@:
.endm

/*
 * First instructions of a syscall entry (MSR_LSTAR or MSR_CSTAR): the CPU
 * left RCX = user RIP, R11 = user RFLAGS, the user RSP and GS, interrupts
 * masked by MSR_FMASK.  Swap to the kernel GS, switch to the thread's kernel
 * stack and build a struct trapframe (vector VEC_SYSCALL) whose iretq frame
 * returns to user_cs; then %rdi = the trapframe under a fake frame.
 */
.macro SYSCALL_ENTRY_FRAME user_cs
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $(SEG_UDATA | SEG_RPL_USER)      /* ss */
	pushq %gs:CPU_USER_RSP                 /* rsp */
	pushq %r11                             /* rflags */
	pushq $(\user_cs | SEG_RPL_USER)        /* cs */
	pushq %rcx                             /* rip */
	pushq $0                               /* error */
	pushq $VEC_SYSCALL                     /* vector */
	SAVE_GPRS
	cld
	PUSH_FAKE_FRAME                        /* for backtraces */
.endm

/*
 * Paranoid entry (registers saved): make the kernel GS live, deciding from
 * MSR_GS_BASE (see the top of this file), never from the interrupted CS.
 * Leaves %ebx = 1 if it swapped, else 0 (callee-saved: survives the C call).
 */
.macro PARANOID_GS_ENTER
	movl $MSR_GS_BASE, %ecx
	rdmsr
	xorl %ebx, %ebx
	testl %edx, %edx                       /* bit 63: kernel half */
	js .Lparanoid_kernel_gs\@
	swapgs
	movl $1, %ebx
.Lparanoid_kernel_gs\@:
.endm

/* Paranoid exit: swap back only if PARANOID_GS_ENTER swapped. */
.macro PARANOID_GS_EXIT
	testl %ebx, %ebx
	jz .Lparanoid_no_swap\@
	swapgs
.Lparanoid_no_swap\@:
.endm

#endif /* __ASSEMBLY__ */
#endif

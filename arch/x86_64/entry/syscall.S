/*
 * syscall.S - entries of the syscall instruction.
 *
 * syscall_entry (MSR_LSTAR): a 64-bit system call.  The CPU arrives with
 * user RSP, RCX = user RIP, R11 = user RFLAGS, interrupts masked by
 * MSR_FMASK.  We swap to the kernel GS, switch to the thread's kernel
 * stack, and build the same struct trapframe as an interrupt (vector
 * VEC_SYSCALL), so the C code, fork and signals see one frame format.
 *
 * The return takes sysretq when the frame is still exactly what the syscall
 * instruction left (RIP = RCX, RFLAGS = R11 with IF set and no TF/RF/NT/VM,
 * the 64-bit user CS and SS) and RIP is a user address below USER_TOP, so
 * sysretq can never fault in ring 0 (the non-canonical RIP case).  Anything
 * else - a signal frame, sigreturn, execve, a restarted call, ptrace-like
 * changes - fails a check and returns through trap_return (iretq), which is
 * always safe.  sysretq costs a fraction of iretq (under QEMU's TCG too).
 *
 * syscall_compat_entry (MSR_CSTAR): a syscall instruction executed in
 * 32-bit compatibility mode (legal on AMD CPUs).  Keel has no 32-bit ABI:
 * the same frame, with the 32-bit user CS, goes to syscall_compat_handler,
 * which fails the call with -ENOSYS, and back through trap_return.
 */
#include <arch/trap.h>
#include <arch/entry.h>
#include <arch/segment.h>
#include <arch/layout.h>

	.section .text
	.globl syscall_entry
syscall_entry:
	.cfi_startproc simple
	.cfi_undefined rip
	SYSCALL_ENTRY_FRAME SEG_UCODE64
	sti
	call syscall_handler
	cli
	addq $16, %rsp                         /* the fake frame */
	movq TF_RCX(%rsp), %rcx
	cmpq %rcx, TF_RIP(%rsp)
	jne trap_return
	movabsq $USER_TOP, %r11
	cmpq %r11, %rcx
	jae trap_return
	movq TF_R11(%rsp), %r11
	cmpq %r11, TF_RFLAGS(%rsp)
	jne trap_return
	testq $SYSRET_RFLAGS_BAD, %r11
	jnz trap_return
	testq $SYSRET_RFLAGS_IF, %r11
	jz trap_return
	cmpq $(SEG_UCODE64 | SEG_RPL_USER), TF_CS(%rsp)
	jne trap_return
	cmpq $(SEG_UDATA | SEG_RPL_USER), TF_SS(%rsp)
	jne trap_return
	swapgs
	RESTORE_GPRS                           /* rcx = rip, r11 = rflags */
	movq 8 + 8 + (TF_RSP - TF_RIP)(%rsp), %rsp /* vector, error; user rsp */
	sysretq
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

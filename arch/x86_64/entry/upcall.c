/*
 * upcall.c - the x86-64 half of the page-fault upcall (generic half:
 * kernel/proc/exo.c): push a struct exo_utrapframe (<uapi/keel/exo.h>) on
 * the process's exception stack and redirect the interrupted user frame to
 * the upcall entry.  libkeel's entry (user/libkeel/pgfault_entry.S) returns
 * to the faulting instruction by itself, with no system call.
 *
 * Placement: if the user stack pointer is already on the exception stack
 * (a fault inside the handler), the new frame goes below it, past the
 * 128-byte red zone and one empty word (the entry's return slot); else at
 * the top.  The frame is 16-byte aligned.  The entry runs in 64-bit mode
 * with the direction, trap and alignment-check flags clear; every other
 * register is as at the fault (the frame has them too).
 */
#include <arch/user.h>
#include <arch/trap.h>
#include <arch/segment.h>
#include <arch/cpu.h>
#include <keel/uaccess.h>
#include <uapi/keel/exo.h>
#include <lib/errno.h>
#include <lib/string.h>

#define UPCALL_REDZONE   128
#define UPCALL_SLOT      8 /* the entry's return-address word */
#define UPCALL_ALIGN     16
#define UPCALL_RFLAGS_TF (1ul << 8)
#define UPCALL_RFLAGS_DF (1ul << 10)
#define UPCALL_USER_CS64 (SEG_UCODE64 | SEG_RPL_USER)

int arch_upcall_push(struct trapframe *tf, uintptr_t fault_va, uint64_t err, uintptr_t entry,
		     uintptr_t xstack_top, size_t xstack_size)
{
	uintptr_t bottom = xstack_top - xstack_size, sp = tf->rsp;
	struct exo_utrapframe u;

	if (tf->cs != UPCALL_USER_CS64)
		return -EINVAL; /* compatibility mode: no 64-bit frame to return to */
	if (sp > bottom && sp <= xstack_top)
		sp -= UPCALL_REDZONE + UPCALL_SLOT;
	else
		sp = xstack_top;
	if (sp < bottom + sizeof(u))
		return -ENOSPC;
	sp = (sp - sizeof(u)) & ~(uintptr_t)(UPCALL_ALIGN - 1);
	if (sp < bottom)
		return -ENOSPC;
	memset(&u, 0, sizeof(u));
	u.utf_fault_va = fault_va;
	u.utf_err = err;
	u.utf_regs.r15 = tf->r15;
	u.utf_regs.r14 = tf->r14;
	u.utf_regs.r13 = tf->r13;
	u.utf_regs.r12 = tf->r12;
	u.utf_regs.r11 = tf->r11;
	u.utf_regs.r10 = tf->r10;
	u.utf_regs.r9 = tf->r9;
	u.utf_regs.r8 = tf->r8;
	u.utf_regs.rdi = tf->rdi;
	u.utf_regs.rsi = tf->rsi;
	u.utf_regs.rbp = tf->rbp;
	u.utf_regs.rbx = tf->rbx;
	u.utf_regs.rdx = tf->rdx;
	u.utf_regs.rcx = tf->rcx;
	u.utf_regs.rax = tf->rax;
	u.utf_rip = tf->rip;
	u.utf_rflags = tf->rflags;
	u.utf_rsp = tf->rsp;
	if (copy_to_user((void __user *)sp, &u, sizeof(u)))
		return -EFAULT;
	tf->rsp = sp;
	tf->rip = entry;
	tf->rflags &= ~(UPCALL_RFLAGS_TF | UPCALL_RFLAGS_DF | X86_RFLAGS_AC);
	return 0;
}

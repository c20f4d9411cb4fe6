/*
 * signal.c - x86-64 signal frames, laid out exactly as Linux does, so libc
 * signal handlers and sa_restorer trampolines work unmodified:
 *
 *   rsp -> pretcode (sa_restorer)   struct rt_sigframe
 *          struct ucontext uc        (registers, saved mask, fpstate ptr)
 *          struct siginfo info       (128 bytes)
 *          ...                       fxsave area (16-byte aligned)
 *
 * A frame that cannot be written (bad stack) kills the process with
 * SIGSEGV, as Linux does.
 *
 * The handler always runs in 64-bit mode: the frame records the interrupted
 * CS (which may be the 32-bit SEG_UCODE32 when user code switched to
 * compatibility mode), and CS/SS are reset to the 64-bit user selectors, as
 * Linux does for a 64-bit frame.  rt_sigreturn restores that CS only if it
 * is one of the two user code selectors (a 32-bit one with a 32-bit RIP),
 * and always loads the user data SS; anything else kills with SIGSEGV.
 */
#include <arch/signal.h>
#include <arch/user.h>
#include <arch/trap.h>
#include <arch/thread.h>
#include <arch/segment.h>
#include <arch/cpu.h>
#include <arch/layout.h>
#include <keel/thread.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include <lib/string.h>

#define REDZONE       128
#define FIX_RFLAGS    0x00000dd5ul    /* CF PF AF ZF SF TF DF OF: what user may set */
#define RFLAGS_TF     (1ul << 8)
#define RFLAGS_DF     (1ul << 10)
#define USER_CS64     (SEG_UCODE64 | SEG_RPL_USER)
#define USER_CS32     (SEG_UCODE32 | SEG_RPL_USER)
#define USER_SS       (SEG_UDATA | SEG_RPL_USER)
#define COMPAT_RIP_MAX 0xfffffffful   /* compatibility mode has a 32-bit EIP */
#define SIGNAL_UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))
#define MXCSR_MASK_SAFE 0x0000ffffu
#define SYSCALL_INSN_LEN 2
#define NR_RESTART_SYSCALL 219          /* x86-64 restart_syscall */

struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct k_sigcontext) == 256, "Linux struct sigcontext");

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t ss_pad;
	uint64_t ss_size;
	struct k_sigcontext mc;
	uint64_t sigmask;
};
_Static_assert(sizeof(struct k_ucontext) == 304, "Linux struct ucontext");

struct rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	struct ksiginfo info;
};

void signal_restart_syscall(struct trapframe *tf, const struct sigaction_k *act)
{
	struct thread *t = thread_current();

	if (tf->vector != VEC_SYSCALL || t->syscall_nr == SYSCALL_NR_NONE)
		return;
	switch ((long)tf->rax) {
	case -ERESTART_RESTARTBLOCK:
		if (act)
			goto out_eintr;
		tf->rax = NR_RESTART_SYSCALL;
		tf->rip -= SYSCALL_INSN_LEN;
		break;
	case -ERESTARTNOHAND:
		if (act)
			goto out_eintr;
		goto out_restart;
	case -ERESTARTSYS:
		if (act && !(act->flags & SA_RESTART))
			goto out_eintr;
		goto out_restart;
	case -ERESTARTNOINTR:
		goto out_restart;
	default:
		return;
	}
	t->syscall_nr = SYSCALL_NR_NONE;
	return;
out_restart:
	tf->rax = t->syscall_nr;
	tf->rip -= SYSCALL_INSN_LEN;
	t->syscall_nr = SYSCALL_NR_NONE;
	return;
out_eintr:
	tf->rax = (uint64_t)-EINTR;
	t->syscall_nr = SYSCALL_NR_NONE;
}

void signal_setup_frame(struct trapframe *tf, int sig, const struct sigaction_k *act,
			const struct ksiginfo *info)
{
	struct thread *t = thread_current();
	uint64_t saved_mask = signal_frame_mask();    /* what sigreturn restores */
	struct rt_sigframe f;
	uintptr_t sp, fp_at, frame_at, ss_sp, alt_top = 0;
	size_t ss_size;
	int ss_flags;

	/* A system call interrupted by this signal: restart it or report EINTR. */
	signal_restart_syscall(tf, act);
	if (!(act->flags & SA_RESTORER) || act->handler >= USER_TOP ||
	    act->restorer >= USER_TOP)
		goto out_kill;
	/* The frame records the alternate stack as it was (sigreturn restores it). */
	signal_altstack_get(tf->rsp, &ss_sp, &ss_flags, &ss_size);
	sp = tf->rsp - REDZONE;
	if (act->flags & SA_ONSTACK)
		alt_top = signal_altstack_handler_sp(sp);
	if (alt_top)
		sp = alt_top;
	fp_at = ALIGN_DOWN(sp - FXSAVE_SIZE, 64);
	frame_at = ALIGN_DOWN(fp_at - sizeof(f), 16) - sizeof(uint64_t);
	if (alt_top && frame_at < ss_sp)
		goto out_kill;          /* the alternate stack is too small (Linux) */

	__asm__ volatile("fxsave64 %0" : "=m"(t->arch.fpu));
	if (copy_to_user((void *)fp_at, t->arch.fpu, FXSAVE_SIZE))
		goto out_kill;

	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_flags = 0;
	f.uc.ss_sp = ss_sp;
	f.uc.ss_flags = ss_flags;
	f.uc.ss_size = ss_size;
	f.uc.mc = (struct k_sigcontext){
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11,
		.r12 = tf->r12, .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15,
		.rdi = tf->rdi, .rsi = tf->rsi, .rbp = tf->rbp, .rbx = tf->rbx,
		.rdx = tf->rdx, .rax = tf->rax, .rcx = tf->rcx, .rsp = tf->rsp,
		.rip = tf->rip, .eflags = tf->rflags,
		.cs = (uint16_t)tf->cs, .ss = (uint16_t)tf->ss,
		.err = tf->error, .trapno = tf->vector == VEC_SYSCALL ? 0 : tf->vector,
		.oldmask = saved_mask, .cr2 = 0, .fpstate = fp_at,
	};
	f.uc.sigmask = saved_mask;
	f.info = *info;
	f.info.si_signo = sig;
	if (copy_to_user((void *)frame_at, &f, sizeof(f)))
		goto out_kill;

	t->sig_mask |= act->mask | ((act->flags & SA_NODEFER) ? 0 : 1ull << (sig - 1));
	t->sig_mask &= ~SIGNAL_UNBLOCKABLE;
	if (act->flags & SA_RESETHAND) {
		spin_lock(&t->proc->lock);
		t->proc->sigactions[sig - 1].handler = 0;
		spin_unlock(&t->proc->lock);
	}
	tf->rsp = frame_at;
	tf->rip = act->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame_at + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = frame_at + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	/* DF clear at handler entry (ABI); TF clear as Linux does. */
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF);
	/* A 64-bit handler, even if the signal interrupted compatibility mode. */
	tf->cs = USER_CS64;
	tf->ss = USER_SS;
	return;

out_kill:
	proc_exit_group(SIGSEGV, true);
}

long signal_restore_frame(struct trapframe *tf)
{
	struct thread *t = thread_current();
	uintptr_t frame_at = tf->rsp - sizeof(uint64_t);   /* pretcode was popped */
	struct rt_sigframe f;
	uint32_t mxcsr;

	if (copy_from_user(&f, (void *)frame_at, sizeof(f)))
		goto out_kill;
	if (f.uc.mc.fpstate) {
		if (copy_from_user(t->arch.fpu, (void *)f.uc.mc.fpstate, FXSAVE_SIZE))
			goto out_kill;
		memcpy(&mxcsr, t->arch.fpu + FXSAVE_MXCSR_OFF, sizeof(mxcsr));
		mxcsr &= MXCSR_MASK_SAFE;
		memcpy(t->arch.fpu + FXSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
		__asm__ volatile("fxrstor64 %0" : : "m"(t->arch.fpu));
	}
	const struct k_sigcontext *m = &f.uc.mc;
	uint64_t cs = m->cs | SEG_RPL_USER;
	if (m->rip >= USER_TOP || m->rsp >= USER_TOP)
		goto out_kill;          /* iretq would fault in the kernel */
	if (cs != USER_CS64 && !(cs == USER_CS32 && m->rip <= COMPAT_RIP_MAX))
		goto out_kill;          /* no user code segment (Linux: iret fails) */
	tf->r8 = m->r8; tf->r9 = m->r9; tf->r10 = m->r10; tf->r11 = m->r11;
	tf->r12 = m->r12; tf->r13 = m->r13; tf->r14 = m->r14; tf->r15 = m->r15;
	tf->rdi = m->rdi; tf->rsi = m->rsi; tf->rbp = m->rbp; tf->rbx = m->rbx;
	tf->rdx = m->rdx; tf->rcx = m->rcx; tf->rsp = m->rsp; tf->rip = m->rip;
	tf->rflags = (tf->rflags & ~FIX_RFLAGS) | (m->eflags & FIX_RFLAGS) | X86_RFLAGS_IF;
	tf->cs = cs;            /* back to compatibility mode, if it was there */
	tf->ss = USER_SS;
	t->sig_mask = f.uc.sigmask & ~SIGNAL_UNBLOCKABLE;
	/* The alternate stack as the frame recorded it (errors ignored, as Linux). */
	(void)signal_altstack_set(tf->rsp, f.uc.ss_sp, f.uc.ss_flags & ~SS_ONSTACK, f.uc.ss_size);
	return (long)m->rax;

out_kill:
	proc_exit_group(SIGSEGV, true);
}

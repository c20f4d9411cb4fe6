/*
 * user.c - x86-64 user mode: the syscall and sysenter MSRs, user register
 * frames, the way into user mode, the system-call handlers, and the work
 * done on every return to user mode (rescheduling, signal delivery).
 *
 * Keel has only the 64-bit ABI, but user code can still reach the 32-bit
 * entries (a far jump to SEG_UCODE32 enters compatibility mode): a syscall
 * there enters through MSR_CSTAR and fails with -ENOSYS (as on Linux built
 * without IA32 emulation); SYSENTER_CS = 0 makes sysenter raise #GP
 * (Intel; AMD raises #UD in long mode anyway), i.e. SIGSEGV or SIGILL.
 */
#include <arch/trap.h>
#include <arch/thread.h>
#include <arch/msr.h>
#include <arch/cpu.h>
#include <arch/segment.h>
#include <arch/user.h>
#include <arch/signal.h>
#include <keel/thread.h>
#include <keel/cpu.h>
#include <keel/sched.h>
#include <keel/proc.h>
#include <keel/syscall.h>
#include <keel/signal.h>
#include <keel/klog.h>
#include <arch/entry.h>
#include <lib/errno.h>
#include <lib/string.h>

#define STAR_KERNEL_SHIFT 32
#define STAR_USER_SHIFT   48
/* Flags cleared on syscall entry: IF, TF, DF, AC, and NT (an iretq with NT
 * set faults in long mode), IOPL and RF, as Linux does. */
#define FMASK_BITS        (X86_RFLAGS_IF | X86_RFLAGS_AC | (1ul << 8) /* TF */ | \
			   (1ul << 10) /* DF */ | (1ul << 14) /* NT */ | \
			   (3ul << 12) /* IOPL */ | (1ul << 16) /* RF */)
#define USER_RFLAGS       (X86_RFLAGS_IF | (1ul << 1) /* reserved, always 1 */)
#define CPUID_FEATURES_LEAF 1
#define CPUID_EDX_SEP       (1u << 11)    /* SYSENTER/SYSEXIT and their MSRs */
/* SYSENTER_CS = 0: sysenter raises #GP(0) (Intel SDM); ESP/EIP unused. */
#define SYSENTER_CS_NONE    0

_Static_assert(__builtin_offsetof(struct cpu, entry_scratch) == CPU_USER_RSP,
	       "syscall_entry expects entry_scratch at offset 8");

extern char syscall_entry[], syscall_compat_entry[];

/*
 * Program the syscall/sysret MSRs on this CPU, and the ones of the entries
 * Keel does not offer: every way into ring 0 must lead somewhere safe.
 */
void syscall_cpu_init(void)
{
	uint32_t a, b, c, d;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | MSR_EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)SEG_UCODE32 << STAR_USER_SHIFT) |
			((uint64_t)SEG_KCODE << STAR_KERNEL_SHIFT));
	wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
	wrmsr(MSR_CSTAR, (uintptr_t)syscall_compat_entry);
	wrmsr(MSR_FMASK, FMASK_BITS);
	cpuid_count(CPUID_FEATURES_LEAF, 0, &a, &b, &c, &d);
	if (d & CPUID_EDX_SEP) {
		wrmsr(MSR_SYSENTER_CS, SYSENTER_CS_NONE);
		wrmsr(MSR_SYSENTER_ESP, 0);
		wrmsr(MSR_SYSENTER_EIP, 0);
	}
}

struct trapframe *arch_user_frame(struct thread *t)
{
	return (struct trapframe *)(t->kstack_top - sizeof(struct trapframe));
}

void arch_user_frame_init(struct trapframe *tf, uintptr_t entry, uintptr_t sp)
{
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->rsp = sp;
	tf->cs = SEG_UCODE64 | SEG_RPL_USER;
	tf->ss = SEG_UDATA | SEG_RPL_USER;
	tf->rflags = USER_RFLAGS;
}

void arch_user_frame_copy(struct trapframe *dst, const struct trapframe *src)
{
	*dst = *src;
}

void arch_user_frame_set_return(struct trapframe *tf, long v)
{
	tf->rax = (uint64_t)v;
}

void arch_user_frame_set_sp(struct trapframe *tf, uintptr_t sp)
{
	tf->rsp = sp;
}

uintptr_t arch_user_frame_sp(const struct trapframe *tf)
{
	return tf->rsp;
}

void arch_thread_set_fs_base(uint64_t base)
{
	wrmsr(MSR_FS_BASE, base);
}

void arch_thread_fpu_load(struct thread *t)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(t->arch.fpu));
}

uint64_t arch_hwcap(void)
{
	uint32_t a, b, c, d;

	cpuid_count(CPUID_FEATURES_LEAF, 0, &a, &b, &c, &d);
	return d;
}

void arch_thread_enter_user(struct thread *t)
{
	wrmsr(MSR_FS_BASE, t->fs_base);
	arch_return_to_user(t->utf);
	arch_enter_user(t->utf);
}

/* Work before every return to user mode, interrupts off. */
void arch_return_to_user(struct trapframe *tf)
{
	struct sigaction_k act;
	struct ksiginfo info;

	for (;;) {
		if (this_cpu()->need_resched) {
			sched_return_to_user();
			continue;
		}
		if (!signal_work_pending()) {
			/* The common case, without opening interrupts or calls. */
			if (unlikely(signal_is_restart((long)tf->rax)))
				signal_restart_syscall(tf, NULL);
			if (unlikely(thread_current()->restore_sig_mask))
				signal_restore_mask();
			return;
		}
		arch_irq_enable();
		int sig = signal_dequeue(&act, &info);
		if (sig)
			signal_setup_frame(tf, sig, &act, &info);
		else
			signal_restart_syscall(tf, NULL);  /* no handler: restart */
		arch_irq_disable();
		if (!sig && !this_cpu()->need_resched) {
			signal_restore_mask();  /* a temporary mask no frame took */
			return;
		}
	}
}

/*
 * A syscall instruction executed in 32-bit compatibility mode (through
 * MSR_CSTAR; tf->cs is the 32-bit user CS): there is no 32-bit ABI, so it
 * fails with -ENOSYS and returns to the instruction after it, still in
 * compatibility mode.
 */
void syscall_compat_handler(struct trapframe *tf)
{
	struct thread *t = thread_current();

	klog_once(LOG_WARN, "%s[%d]: syscall %lu from 32-bit compatibility mode: "
		  "-ENOSYS (no 32-bit ABI; logged once)", t->name, t->tid,
		  (unsigned long)(uint32_t)tf->rax);
	tf->rax = (uint64_t)-ENOSYS;
	arch_irq_disable();
	arch_return_to_user(tf);
}

/*
 * True if arch_return_to_user would have nothing to do (the common case
 * after a system call); checked inline, since under TCG a call and return
 * cost as much as the rest of the check.  Interrupts off.
 */
static inline bool return_to_user_quiet(const struct trapframe *tf)
{
	return !this_cpu()->need_resched && !signal_work_pending() &&
	       !signal_is_restart((long)tf->rax) && !thread_current()->restore_sig_mask;
}

void syscall_handler(struct trapframe *tf)
{
	uint64_t args[SYSCALL_ARGS] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	long nr = (long)tf->rax;

	struct thread *t = thread_current();

	t->syscall_nr = (uint64_t)nr;
	t->fault_repeat = 0;       /* a system call is progress */
	tf->rax = (uint64_t)syscall_dispatch((unsigned long)nr, args);
	arch_irq_disable();
	if (!return_to_user_quiet(tf))
		arch_return_to_user(tf);
}

/*
 * ut_compat.c - usertests of the ways a 64-bit program can reach Keel's
 * 32-bit entry points (found by a fuzzer: once, a syscall from
 * compatibility mode froze the machine).
 *
 *   compat_syscall_enosys     far jump to the 32-bit user code segment, then
 *                             syscall: it returns -ENOSYS in compatibility
 *                             mode with ebx, esi, esp and DF intact; back in
 *                             64-bit mode the machine still works
 *   compat_sysenter_sigsegv   sysenter, from 64-bit and from compatibility
 *                             mode, kills the process with SIGSEGV (#GP:
 *                             SYSENTER_CS = 0) or SIGILL (#UD: what AMD CPUs
 *                             do in long mode) and does nothing else
 *   compat_signal_runs_64bit  signals that interrupt compatibility-mode code
 *                             run their handler in 64-bit mode (its %cs is
 *                             the 64-bit one; the frame records the 32-bit
 *                             CS), and rt_sigreturn resumes the 32-bit code
 *   compat_sigreturn_bad_cs_sigsegv
 *                             rt_sigreturn of a frame whose CS is the kernel's,
 *                             null or a data segment kills with SIGSEGV; a
 *                             bogus SS is replaced by the user data segment
 *   compat_gs_base_kernel_eperm
 *                             arch_prctl(ARCH_SET_GS) of a kernel-half or
 *                             non-canonical base fails with EPERM; wrgsbase
 *                             of a kernel address is #UD (SIGILL) on Keel,
 *                             or else harmless
 *
 * Selectors: Keel's 32-bit user CS is 0x1b, Linux's 0x23; the tests find it
 * with lar (a DPL-3 code segment with L = 0 and D = 1), so they run on both.
 * Far transfers use ljmp through far pointers in memory: lret/iretq in user
 * mode page-fault under QEMU TCG with SMAP (a QEMU bug, see the platform
 * notes).  Compatibility mode needs code and stack below 4 GiB: usertests is
 * a non-PIE static binary at 0x400000, and the 32-bit stack is in .bss.
 * The entry stubs save the callee-saved registers and the 64-bit %rsp, load
 * DS and ES with the user data selector (a 64-bit process may run with null
 * ones, which compatibility mode cannot use) and come back through one
 * shared stub (ut_c64_back).
 */
#include "usertests.h"
#include <cpuid.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#define UT_ARCH_SET_GS 0x1001
#define UT_GS_SPIN_NS (50 * UTEST_MS)
#define UT_LAR_OK_CODE32 0x00409800u		/* P, S, code, D=1, L=0 */
#define UT_LAR_MASK 0x00609800u			/* P, S, code, L, D */
#define UT_LAR_DPL3 0x00006000u
#define UT_GDT_SCAN 32				/* GDT entries probed with lar */
#define UT_RPL3 3
#define UT_STACK32_SIZE (64u << 10)
#define UT_LOW_LIMIT 0x100000000ull		/* compatibility mode: below 4 GiB */
#define UT_MAGIC_EBX 0x5eb5eb5eu
#define UT_MAGIC_ESI 0x51515151u
#define UT_EFLAGS_DF 0x400u
#define UT_ENOSYS32 ((uint32_t)-ENOSYS)
#define UT_COMPAT_ROUNDS 50
#define UT_SIG_WANT 3				/* signals to catch in compat mode */
#define UT_SPIN_LIMIT 0x80000000u		/* compat-mode loop bound */
#define UT_KICKS 20000				/* SIGUSR1s the sibling sends at most */
#define UT_KICK_NS 1000000l
#define UT_MC_SS_SHIFT 48
#define UT_FRAME_WORDS 128
#define UT_EXIT_SS_OK 42			/* ut_exit42's exit status */
#define UT_BAD_NR32 0x7fffu			/* no system call in any table */
#define UT_SEL_KCODE 0x08			/* a DPL-0 code segment on Keel and Linux */

struct ut_farptr {
	uint32_t off;
	uint16_t sel;
} __attribute__((packed));

/* Shared with the assembly below (all below 4 GiB, see the top). */
struct ut_farptr ut_far32_syscall, ut_far32_spin, ut_far32_sysenter, ut_far64_back;
uint64_t ut_rsp64;
uint32_t ut_esp32;
uint32_t ut_res_eax, ut_res_ebx, ut_res_esi, ut_res_flags, ut_res_esp;
volatile uint32_t ut_sig_compat;		/* handler: signals from compat mode */
static uint8_t ut_stack32[UT_STACK32_SIZE] __attribute__((aligned(16)));

/* Defined in the assembly below. */
uint32_t ut_c32_syscall(uint32_t nr);
void ut_c32_spin(uint32_t limit, uint32_t want);
void ut_c32_sysenter(void);
void ut_exit42(void);
extern char ut_c32_syscall_body[], ut_c32_spin_body[], ut_c32_sysenter_body[],
	ut_c64_back[];

/*
 * UT_C32_ENTER: save the callee-saved registers and %rsp, load DS/ES from SS,
 * switch to the 32-bit stack (keeps %eax, %ecx, %edx, %esi, %edi).
 * Then each routine far-jumps to its .code32 body, which ends with
 * "ljmpl *ut_far64_back" to ut_c64_back (restores and returns).
 */
__asm__(
	".macro UT_C32_ENTER\n"
	"	pushq %rbx\n"
	"	pushq %rbp\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, ut_rsp64(%rip)\n"
	"	movl %ss, %ebx\n"
	"	movl %ebx, %ds\n"
	"	movl %ebx, %es\n"
	"	movl ut_esp32(%rip), %esp\n"
	".endm\n"
	".text\n"
	".code64\n"
	".globl ut_c64_back\n"
	"ut_c64_back:\n"
	"	movq ut_rsp64(%rip), %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbp\n"
	"	popq %rbx\n"
	"	movl ut_res_eax(%rip), %eax\n"
	"	ret\n"

	/* uint32_t ut_c32_syscall(uint32_t nr): syscall in compat mode. */
	".globl ut_c32_syscall\n"
	"ut_c32_syscall:\n"
	"	UT_C32_ENTER\n"
	"	movl %edi, %eax\n"
	"	ljmpl *ut_far32_syscall(%rip)\n"
	".code32\n"
	".globl ut_c32_syscall_body\n"
	"ut_c32_syscall_body:\n"
	"	movl $0x5eb5eb5e, %ebx\n"	/* UT_MAGIC_EBX */
	"	movl $0x51515151, %esi\n"	/* UT_MAGIC_ESI */
	"	std\n"
	"	syscall\n"
	"	pushfl\n"
	"	popl %edx\n"
	"	cld\n"
	"	movl %eax, ut_res_eax\n"
	"	movl %ebx, ut_res_ebx\n"
	"	movl %esi, ut_res_esi\n"
	"	movl %edx, ut_res_flags\n"
	"	movl %esp, ut_res_esp\n"
	"	ljmpl *ut_far64_back\n"
	".code64\n"

	/* void ut_c32_spin(uint32_t limit, uint32_t want): spin in compat
	 * mode until the handler counted want signals from there. */
	".globl ut_c32_spin\n"
	"ut_c32_spin:\n"
	"	UT_C32_ENTER\n"
	"	movl %edi, %ecx\n"
	"	ljmpl *ut_far32_spin(%rip)\n"
	".code32\n"
	".globl ut_c32_spin_body\n"
	"ut_c32_spin_body:\n"
	"1:	cmpl %esi, ut_sig_compat\n"
	"	jae 2f\n"
	"	decl %ecx\n"
	"	jnz 1b\n"
	"2:	movl %ecx, ut_res_eax\n"
	"	movl %esp, ut_res_esp\n"
	"	ljmpl *ut_far64_back\n"
	".code64\n"

	/* void ut_c32_sysenter(void): sysenter in compat mode. */
	".globl ut_c32_sysenter\n"
	"ut_c32_sysenter:\n"
	"	UT_C32_ENTER\n"
	"	ljmpl *ut_far32_sysenter(%rip)\n"
	".code32\n"
	".globl ut_c32_sysenter_body\n"
	"ut_c32_sysenter_body:\n"
	"	movl $0x7fff, %eax\n"		/* UT_BAD_NR32 */
	"	sysenter\n"
	"	movl %eax, ut_res_eax\n"
	"	ljmpl *ut_far64_back\n"
	".code64\n"

	/* void ut_exit42(void): exit(42), for forged sigreturn frames. */
	".globl ut_exit42\n"
	"ut_exit42:\n"
	"	movl $60, %eax\n"		/* SYS_exit */
	"	movl $42, %edi\n"		/* UT_EXIT_SS_OK */
	"	syscall\n"
	"	hlt\n");

_Static_assert(UT_MAGIC_EBX == 0x5eb5eb5eu && UT_MAGIC_ESI == 0x51515151u &&
	       UT_BAD_NR32 == 0x7fff && UT_EXIT_SS_OK == 42 && SYS_exit == 60,
	       "constants spelled out in the assembly");

static uint16_t ut_cs64(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs;
}

/*
 * The 32-bit user code selector of this kernel's GDT (lar scan), or 0: Linux
 * without IA32 emulation (or booted with ia32_emulation=0) offers none, and
 * then compatibility mode cannot be entered at all - nothing to test.
 */
static uint16_t ut_cs32(void)
{
	for (uint32_t i = 1; i < UT_GDT_SCAN; i++) {
		uint32_t sel = i * 8 | UT_RPL3, ar;
		uint8_t ok;

		__asm__ volatile("lar %2, %0; setz %1" : "=r"(ar), "=qm"(ok) : "r"(sel) : "cc");
		if (ok && (ar & (UT_LAR_MASK | UT_LAR_DPL3)) == (UT_LAR_OK_CODE32 | UT_LAR_DPL3))
			return (uint16_t)sel;
	}
	return 0;
}

static void ut_far(struct ut_farptr *p, const void *target, uint16_t sel)
{
	if ((uintptr_t)target >= UT_LOW_LIMIT)
		utest_fail("%p is above 4 GiB: usertests must be a non-PIE binary", target);
	p->off = (uint32_t)(uintptr_t)target;
	p->sel = sel;
}

/* Far pointers and the 32-bit stack, for the current process. */
static void ut_compat_setup(void)
{
	uint16_t cs32 = ut_cs32();
	uintptr_t top = (uintptr_t)ut_stack32 + sizeof(ut_stack32);

	ut_far(&ut_far32_syscall, ut_c32_syscall_body, cs32);
	ut_far(&ut_far32_spin, ut_c32_spin_body, cs32);
	ut_far(&ut_far32_sysenter, ut_c32_sysenter_body, cs32);
	ut_far(&ut_far64_back, ut_c64_back, ut_cs64());
	if (top >= UT_LOW_LIMIT)
		utest_fail("32-bit stack at %p is above 4 GiB", (void *)ut_stack32);
	ut_esp32 = (uint32_t)top;
	if (!cs32)
		utest_fail("no 32-bit user code segment");
}

static bool ut_cpu_is_intel(void)
{
	unsigned a, b, c, d;

	__cpuid(0, a, b, c, d);
	(void)a;
	return b == signature_INTEL_ebx && c == signature_INTEL_ecx &&
	       d == signature_INTEL_edx;
}

/* ---------------------------------------------------------------- syscall */

static const uint32_t ut_bad_nrs[] = { UT_BAD_NR32, 0xffffffffu, 100000u };

static void ut_compat_syscall_child(void *arg)
{
	(void)arg;
	ut_compat_setup();
	for (int round = 0; round < UT_COMPAT_ROUNDS; round++) {
		uint32_t nr = ut_bad_nrs[round % (sizeof(ut_bad_nrs) / sizeof(ut_bad_nrs[0]))];
		uint32_t r = ut_c32_syscall(nr);

		if (r != UT_ENOSYS32)
			utest_fail("round %d: compat syscall %#x returned %#x, want -ENOSYS",
				   round, nr, r);
		if (ut_res_ebx != UT_MAGIC_EBX || ut_res_esi != UT_MAGIC_ESI)
			utest_fail("round %d: ebx %#x esi %#x changed", round, ut_res_ebx,
				   ut_res_esi);
		if (ut_res_esp != ut_esp32)
			utest_fail("round %d: esp %#x, want %#x", round, ut_res_esp, ut_esp32);
		if (!(ut_res_flags & UT_EFLAGS_DF))
			utest_fail("round %d: DF lost over the compat syscall", round);
		if (syscall(SYS_getpid) != getpid())
			utest_fail("round %d: 64-bit getpid broken afterwards", round);
	}
}

/*
 * Keel promises -ENOSYS for a syscall in compatibility mode (it has no
 * 32-bit ABI), and so does Linux without IA32 emulation.  Linux with IA32
 * emulation runs it as a 32-bit system call: the numbers used here exist
 * in no table, so it answers -ENOSYS too.  On Intel CPUs the instruction
 * itself is #UD in compatibility mode: SIGILL is accepted there only.
 */
void ut_compat_syscall_enosys(void)
{
	if (!ut_cs32())
		return;		/* no compatibility mode on this kernel */
	int status = ut_in_child(ut_compat_syscall_child, NULL);

	if (ut_cpu_is_intel() && WIFSIGNALED(status) && WTERMSIG(status) == SIGILL)
		return;
	UT_CHECK_EXIT(status, 0);
	/* The machine still works: a fork, an exec. */
	UT_CHECK_EXIT(ut_in_child(ut_compat_syscall_child, NULL), 0);
	pid_t pid = utest_fork();
	if (pid == 0) {
		char path[256];
		char *argv[] = { "hello", NULL }, *envp[] = { NULL };
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(2);
		ut_binpath(path, sizeof(path), "hello");
		execve(path, argv, envp);
		_exit(3);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
}

/* ---------------------------------------------------------------- sysenter */

static void ut_sysenter64_child(void *arg)
{
	(void)arg;
	__asm__ volatile("sysenter" : : "a"(UT_BAD_NR32) : "rcx", "rdx", "r11", "memory");
	_exit(1);
}

static void ut_sysenter32_child(void *arg)
{
	(void)arg;
	ut_compat_setup();
	ut_c32_sysenter();
	_exit(1);
}

/* Killed by SIGSEGV (#GP) or SIGILL (#UD), depending on the CPU. */
static void ut_check_sysenter_death(int status, const char *mode)
{
	if (!WIFSIGNALED(status) ||
	    (WTERMSIG(status) != SIGSEGV && WTERMSIG(status) != SIGILL))
		utest_fail("sysenter in %s mode: child status %#x, want SIGSEGV or SIGILL",
			   mode, status);
}

/*
 * Keel sets SYSENTER_CS = 0: sysenter is #GP (Intel SDM), SIGSEGV.  AMD
 * CPUs raise #UD for it in long mode (QEMU's AMD-flavoured TCG does so in
 * 64-bit mode only), SIGILL.  Linux on AMD gives SIGILL; Linux with IA32
 * emulation on Intel enters its 32-bit sysenter path, and returns to a
 * vDSO landing pad that a 64-bit process does not have (SIGSEGV).
 */
void ut_compat_sysenter_sigsegv(void)
{
	for (int i = 0; i < 3; i++) {
		ut_check_sysenter_death(ut_in_child(ut_sysenter64_child, NULL), "64-bit");
		if (ut_cs32())
			ut_check_sysenter_death(ut_in_child(ut_sysenter32_child, NULL),
						"compatibility");
	}
	if (syscall(SYS_getpid) != getpid())
		utest_fail("getpid broken after sysenter");
}

/* ---------------------------------------------------------------- signals */

static volatile uint16_t ut_sig_bad_cs;		/* a handler's %cs if not 64-bit */
static volatile uint32_t ut_sig_other;
static uint16_t ut_sig_cs32, ut_sig_cs64;

static void ut_usr1(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint16_t saved = (uint16_t)uc->uc_mcontext.gregs[REG_CSGSFS];

	(void)sig;
	(void)si;
	if (ut_cs64() != ut_sig_cs64)
		ut_sig_bad_cs = ut_cs64();
	if (saved == ut_sig_cs32)
		ut_sig_compat = ut_sig_compat + 1;
	else
		ut_sig_other = ut_sig_other + 1;
}

/* The sibling: SIGUSR1 to parent every millisecond until it is killed. */
static __attribute__((noreturn)) void ut_kicker(pid_t parent)
{
	struct timespec ts = { 0, UT_KICK_NS };

	for (int i = 0; i < UT_KICKS; i++) {
		if (kill(parent, SIGUSR1) != 0)
			_exit(1);
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

static void ut_compat_signal_child(void *arg)
{
	struct sigaction sa;
	pid_t parent = getpid(), kid;

	(void)arg;
	ut_compat_setup();
	ut_sig_cs32 = ut_cs32();
	ut_sig_cs64 = ut_cs64();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ut_usr1;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	UT_OK(sigaction(SIGUSR1, &sa, NULL));
	kid = utest_fork();
	if (kid == 0)
		ut_kicker(parent);
	ut_c32_spin(UT_SPIN_LIMIT, UT_SIG_WANT);
	kill(kid, SIGKILL);
	utest_wait(kid);
	if (ut_sig_bad_cs)
		utest_fail("a signal handler ran with CS %#x, want the 64-bit %#x",
			   ut_sig_bad_cs, ut_sig_cs64);
	if (ut_sig_compat < UT_SIG_WANT)
		utest_fail("%u signals caught in compatibility mode (%u elsewhere), want %d",
			   ut_sig_compat, ut_sig_other, UT_SIG_WANT);
	if (ut_res_eax == 0 || ut_res_esp != ut_esp32)
		utest_fail("the 32-bit loop resumed wrongly: ecx %#x, esp %#x (want %#x)",
			   ut_res_eax, ut_res_esp, ut_esp32);
}

/*
 * Linux builds a 64-bit frame with CS and SS reset to its 64-bit user
 * selectors and records the interrupted CS in the frame; rt_sigreturn
 * restores it, back to compatibility mode.
 */
void ut_compat_signal_runs_64bit(void)
{
	if (!ut_cs32())
		return;		/* no compatibility mode on this kernel */
	UT_CHECK_EXIT(ut_in_child(ut_compat_signal_child, NULL), 0);
}

/* ---------------------------------------------------------------- sigreturn */

/* rt_sigreturn of a forged frame: rip, CS and SS as given. */
static __attribute__((noreturn)) void ut_sigreturn_to(void *rip, uint16_t cs, uint16_t ss)
{
	static unsigned long frame[UT_FRAME_WORDS];
	static unsigned long stack[UT_FRAME_WORDS] __attribute__((aligned(16)));
	unsigned long *mc = &frame[UT_UC_MCONTEXT];

	mc[UT_MC_RSP] = (unsigned long)&stack[UT_FRAME_WORDS - 2];
	mc[UT_MC_RIP] = (unsigned long)rip;
	mc[UT_MC_EFLAGS] = UT_EFLAGS_IF;
	mc[UT_MC_CSGSFS] = cs | ((unsigned long)ss << UT_MC_SS_SHIFT);
	__asm__ volatile("mov %0, %%rsp; syscall" : : "r"(frame), "a"(SYS_rt_sigreturn)
			 : "memory");
	__builtin_unreachable();
}

enum ut_bad_seg { UT_CS_KERNEL, UT_CS_NULL, UT_CS_DATA, UT_SS_NULL };

static void ut_sigreturn_seg_child(void *arg)
{
	uint16_t cs = ut_cs64(), ss;

	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	switch ((enum ut_bad_seg)(uintptr_t)arg) {
	case UT_CS_KERNEL:
		ut_sigreturn_to((void *)ut_exit42, UT_SEL_KCODE, ss);
	case UT_CS_NULL:
		ut_sigreturn_to((void *)ut_exit42, 0, ss);
	case UT_CS_DATA:
		ut_sigreturn_to((void *)ut_exit42, ss, ss);
	case UT_SS_NULL:
		ut_sigreturn_to((void *)ut_exit42, cs, 0);
	}
	_exit(1);
}

/*
 * Linux loads sc.cs | 3 and lets iret fail (SIGSEGV); Keel accepts only
 * its user code selectors and kills with SIGSEGV.  A bad SS: Linux (no
 * UC_STRICT_RESTORE_SS) and Keel both load the user data selector instead,
 * and the program goes on (ut_exit42 exits 42).
 */
void ut_compat_sigreturn_bad_cs_sigsegv(void)
{
	UT_CHECK_KILLED(ut_in_child(ut_sigreturn_seg_child, (void *)UT_CS_KERNEL), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_sigreturn_seg_child, (void *)UT_CS_NULL), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_sigreturn_seg_child, (void *)UT_CS_DATA), SIGSEGV);
	UT_CHECK_EXIT(ut_in_child(ut_sigreturn_seg_child, (void *)UT_SS_NULL), UT_EXIT_SS_OK);
}

/* ---------------------------------------------------------------- GS base */

/* wrgsbase of a kernel address, then system calls and interrupts. */
static void ut_wrgsbase_child(void *arg)
{
	int64_t t0;

	__asm__ volatile("wrgsbase %0" : : "r"((uint64_t)(uintptr_t)arg) : "memory");
	t0 = utest_now_ns();
	while (utest_now_ns() - t0 < UT_GS_SPIN_NS)
		if (syscall(SYS_getpid) != getpid())
			_exit(2);
	_exit(0);
}

/*
 * The kernel's paranoid entries (NMI, double fault, machine check) take a
 * kernel-half GS base for the kernel's own: user space must not be able to
 * set one.  arch_prctl(ARCH_SET_GS) answers EPERM for such bases, as on
 * Linux.  wrgsbase is #UD (SIGILL) on Keel, which keeps CR4.FSGSBASE off
 * (an in-kernel test checks that); a kernel that allows it (Linux with
 * FSGSBASE, or under a PVM hypervisor that cannot hide it) must survive
 * it, with system calls and timer interrupts taken on that GS base.
 */
void ut_compat_gs_base_kernel_eperm(void)
{
	int status;

	UT_CHECK_ERR(syscall(SYS_arch_prctl, UT_ARCH_SET_GS, UT_BAD_KERNEL), EPERM);
	UT_CHECK_ERR(syscall(SYS_arch_prctl, UT_ARCH_SET_GS, UT_BAD_NONCANON), EPERM);
	UT_CHECK_ERR(syscall(SYS_arch_prctl, UT_ARCH_SET_GS, (void *)-1l), EPERM);
	status = ut_in_child(ut_wrgsbase_child, UT_BAD_KERNEL);
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGILL))
		UT_CHECK_EXIT(status, 0);
	if (syscall(SYS_getpid) != getpid())
		utest_fail("getpid broken after wrgsbase");
}

/*
 * sys_arch.c - x86-64-specific system calls (arch_prctl; ioperm and iopl,
 * whose generic part is kernel/proc/ioport.c) and the arch entropy source
 * for the kernel's random generator.
 */
#include <keel/syscall.h>
#include <keel/thread.h>
#include <keel/ioport.h>
#include <lib/errno.h>
#include <keel/klog.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/msr.h>
#include <arch/user.h>

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define CPUID_FEATURES_LEAF 1
#define CPUID_ECX_RDRAND    (1u << 30)
#define RDRAND_RETRIES      10

SYSCALL_DEFINE3(ioperm, unsigned long, from, unsigned long, num, int, turn_on)
{
	return ioport_perm(from, num, turn_on);
}

SYSCALL_DEFINE1(iopl, unsigned, level)
{
	return ioport_iopl(level);
}

SYSCALL_DEFINE2(arch_prctl, int, code, uint64_t, addr)
{
	struct thread *t = thread_current();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fs_base = addr;
		arch_thread_set_fs_base(addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user((void *)addr, &t->fs_base, sizeof(t->fs_base));
	case ARCH_SET_GS:
		/* Never a kernel-half or non-canonical base, like Linux: the
		 * paranoid entries take a kernel-half GS base for the kernel's
		 * (arch/entry.h). */
		if (addr >= USER_TOP)
			return -EPERM;
		/* A user GS base is not kept per thread yet. */
		/* fall through */
	case ARCH_GET_GS:
		klog_once(LOG_WARN, "arch_prctl: user GS base is not supported");
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

uint64_t arch_entropy(void)
{
	uint32_t a, b, c, d;
	uint64_t v = rdtsc();

	cpuid_count(CPUID_FEATURES_LEAF, 0, &a, &b, &c, &d);
	if (c & CPUID_ECX_RDRAND) {
		for (int i = 0; i < RDRAND_RETRIES; i++) {
			uint64_t r;
			uint8_t ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
			if (ok)
				return r ^ v;
		}
	}
	/* No RDRAND: TSC jitter mixed (weak; documented in keel/random.h). */
	for (int i = 0; i < 64; i++)
		v = (v << 7 | v >> 57) ^ rdtsc();
	return v;
}

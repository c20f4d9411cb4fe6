/*
 * test_entry.c - in-kernel tests of the x86-64 entry paths: the MSRs that
 * leave no way into ring 0 unprogrammed (syscall from compatibility mode,
 * sysenter) on every CPU, and the paranoid entry of the IST vectors: an NMI
 * taken in kernel mode while the user GS base is live (as in the window
 * before an entry's swapgs) must swap to the kernel GS and back, and one
 * taken with the kernel GS live must not swap.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/cpu.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/compiler.h>
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/msr.h>
#include <arch/lapic.h>
#include <arch/entry.h>

#define ENTRY_WAIT_CYCLES (1ull << 33)   /* a few seconds of TSC: an upper bound */
#define ENTRY_USER_GS     0x00007ffffffff000ull   /* a user-half GS base */
#define ENTRY_FMASK_NEED  ((1ul << 8) | (1ul << 9) | (1ul << 10) | (1ul << 14) | \
			   (1ul << 18))   /* TF IF DF NT AC */

extern char syscall_compat_entry[];

static volatile unsigned entry_msr_bad;   /* CPUs whose MSRs are wrong */

static void entry_check_msrs(void *arg)
{
	(void)arg;
	if (rdmsr(MSR_CSTAR) != (uintptr_t)syscall_compat_entry ||
	    (rdmsr(MSR_SYSENTER_CS) & 0xffff) != 0 ||
	    (rdmsr(MSR_FMASK) & ENTRY_FMASK_NEED) != ENTRY_FMASK_NEED ||
	    (read_cr4() & X86_CR4_FSGSBASE))
		__atomic_fetch_add(&entry_msr_bad, 1, __ATOMIC_RELAXED);
}

/* CSTAR, SYSENTER_CS, FMASK programmed, CR4.FSGSBASE off (arch/entry.h). */
KTEST(x86_entry_msrs)
{
	entry_msr_bad = 0;
	smp_call_all(entry_check_msrs, NULL);
	KT_CHECK_EQ(t, entry_msr_bad, 0);
}

struct entry_nmi_test {
	unsigned sender, target;
	bool user_gs;              /* target runs with the user GS base live */
	volatile int ready;        /* target: waiting for the NMI */
	volatile unsigned got;     /* target: NMIs seen */
	volatile uint64_t gs_after;  /* target: MSR_GS_BASE after the NMI */
	volatile uint64_t self_after; /* target: %gs:0 after swapping back */
};

static inline void entry_swapgs(void)
{
	__asm__ volatile("swapgs" : : : "memory");
}

/* Target: wait (interrupts off) for the NMI; nothing here may use %gs
 * between the two swapgs. */
static void entry_nmi_target(struct entry_nmi_test *nt)
{
	uint64_t saved = rdmsr(MSR_KERNEL_GS_BASE), t0;
	unsigned before = trap_nmi_count();

	if (nt->user_gs) {
		wrmsr(MSR_KERNEL_GS_BASE, ENTRY_USER_GS);
		entry_swapgs();
	}
	nt->ready = 1;
	t0 = rdtsc();
	while (trap_nmi_count() == before && rdtsc() - t0 < ENTRY_WAIT_CYCLES)
		arch_cpu_relax();
	nt->gs_after = rdmsr(MSR_GS_BASE);
	if (nt->user_gs) {
		entry_swapgs();
		wrmsr(MSR_KERNEL_GS_BASE, saved);
	}
	nt->self_after = (uintptr_t)this_cpu();
	nt->got = trap_nmi_count() - before;
}

static void entry_nmi_pair(void *arg)
{
	struct entry_nmi_test *nt = arg;
	unsigned me = this_cpu()->id;

	irq_push_off();
	if (me == nt->target) {
		entry_nmi_target(nt);
	} else if (me == nt->sender) {
		uint64_t t0 = rdtsc();

		while (!nt->ready && rdtsc() - t0 < ENTRY_WAIT_CYCLES)
			arch_cpu_relax();
		if (nt->ready)
			lapic_send_ipi(cpus[nt->target].arch.apic_id, LAPIC_ICR_NMI);
	}
	irq_pop_off();
}

KTEST(x86_entry_nmi_paranoid_gs)
{
	unsigned n = cpu_online_count();
	struct entry_nmi_test nt;

	if (n < 2) {
		kprintf("ktest:   one CPU: nothing to check\n");
		return;
	}
	for (int user_gs = 0; user_gs <= 1; user_gs++) {
		nt = (struct entry_nmi_test){ .user_gs = user_gs };
		nt.sender = this_cpu()->id;
		nt.target = (nt.sender + 1) % n;
		smp_call_mask(CPUMASK_CPU(nt.sender) | CPUMASK_CPU(nt.target),
			      entry_nmi_pair, &nt);
		KT_CHECK_EQ(t, nt.got, 1);
		/* The paranoid entry undid its swap: the interrupted GS is back. */
		KT_CHECK_EQ(t, nt.gs_after,
			    user_gs ? ENTRY_USER_GS : (uint64_t)(uintptr_t)&cpus[nt.target]);
		KT_CHECK_EQ(t, nt.self_after, (uint64_t)(uintptr_t)&cpus[nt.target]);
	}
}

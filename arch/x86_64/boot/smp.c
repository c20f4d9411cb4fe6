/*
 * smp.c - bring up the application processors and send IPIs.
 *
 * The CPU list comes from the ACPI MADT (never from MP tables).  Each AP is
 * started in turn with INIT-SIPI-SIPI: the boot CPU writes the AP's stack,
 * struct cpu and entry point into the trampoline's parameter block, sends
 * the IPIs, and waits for the AP to mark itself online before starting the
 * next one (the parameter block is shared).  ap_entry() then gives the AP
 * the kernel page tables, its own GDT/TSS/IST stacks, the IDT, its local
 * APIC and timer, and parks it in the idle loop with interrupts on.
 * Logical CPU numbers follow MADT order with the boot CPU as 0.
 */
#include <arch/smp.h>
#include <arch/arch.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/msr.h>
#include <arch/thread.h>
#include <arch/trap.h>
#include <arch/irq.h>
#include <keel/acpi.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <keel/kstack.h>
#include <keel/panic.h>
#include <keel/smp.h>
#include <keel/time.h>
#include <keel/sched.h>
#include <arch/user.h>
#include <lib/string.h>

#define INIT_DELAY_NS       (10 * NSEC_PER_MSEC)
#define SIPI_DELAY_NS       (200 * NSEC_PER_USEC)
#define AP_ONLINE_WAIT_NS   (2000 * NSEC_PER_MSEC)

static unsigned smp_ncpus = 1;      /* [I] after smp_boot_aps */

static void ap_entry(struct cpu *c) __noreturn;

static void smp_setup_trampoline(void)
{
	uint64_t *pml4 = arch_phys_to_virt(SMP_TRAMP_PML4_PA);
	uint64_t *pdpt = arch_phys_to_virt(SMP_TRAMP_PDPT_PA);
	uint64_t *pd = arch_phys_to_virt(SMP_TRAMP_PD_PA);
	const uint64_t *kpml4 = arch_phys_to_virt(mmu_kernel_pml4());

	memcpy(arch_phys_to_virt(SMP_TRAMPOLINE_PA), smp_trampoline_start,
	       smp_trampoline_end - smp_trampoline_start);
	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, PAGE_SIZE);
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;           /* 0..2 MiB, 1:1 */
	pdpt[0] = SMP_TRAMP_PD_PA | PTE_P | PTE_W;
	pml4[0] = SMP_TRAMP_PDPT_PA | PTE_P | PTE_W;
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		pml4[i] = kpml4[i];
}

static struct smp_tramp_params *smp_params(void)
{
	return arch_phys_to_virt(SMP_TRAMPOLINE_PA +
				 (smp_trampoline_params - smp_trampoline_start));
}

static bool smp_wait_online(struct cpu *c, uint64_t ns)
{
	uint64_t end = time_ns() + ns;

	while (time_ns() < end) {
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
}

static bool smp_start_ap(struct cpu *c, uint32_t apic_id)
{
	struct smp_tramp_params *p = smp_params();
	uintptr_t stack = kstack_alloc();

	if (!stack)
		return false;
	for (unsigned i = 0; i < IST_COUNT; i++) {
		c->arch.ist_top[i] = kstack_alloc();
		if (!c->arch.ist_top[i])
			return false;
	}
	c->self = c;
	c->arch.apic_id = apic_id;
	p->cr3 = SMP_TRAMP_PML4_PA;
	p->efer_set = cpu_has_nx ? MSR_EFER_NXE : 0;
	p->stack = stack;
	p->cpu = (uintptr_t)c;
	p->entry = (uintptr_t)ap_entry;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_ipi(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT | LAPIC_ICR_LEVEL);
	time_delay_ns(INIT_DELAY_NS);
	for (int sipi = 0; sipi < 2; sipi++) {
		lapic_send_ipi(apic_id, LAPIC_ICR_STARTUP | SMP_SIPI_VECTOR);
		if (smp_wait_online(c, SIPI_DELAY_NS))
			return true;
	}
	return smp_wait_online(c, AP_ONLINE_WAIT_NS);
}

void smp_boot_aps(const struct acpi_info *acpi)
{
	uint32_t bsp_apic = this_cpu()->arch.apic_id;

	smp_setup_trampoline();
	for (unsigned i = 0; i < acpi->ncpus; i++) {
		const struct acpi_cpu *ac = &acpi->cpus[i];
		if (ac->apic_id == bsp_apic || !ac->enabled)
			continue;
		if (smp_ncpus == MAX_CPUS) {
			klog(LOG_WARN, "smp: more than %u CPUs; ignoring the rest", MAX_CPUS);
			break;
		}
		struct cpu *c = &cpus[smp_ncpus];
		c->id = smp_ncpus;
		if (!smp_start_ap(c, ac->apic_id)) {
			klog(LOG_ERR, "smp: CPU with APIC id %u did not start", ac->apic_id);
			continue;
		}
		smp_ncpus++;
	}
	klog(LOG_INFO, "smp: %u cpus online", smp_ncpus);
}

static void ap_entry(struct cpu *c)
{
	write_cr3(mmu_kernel_pml4());
	wrmsr(MSR_GS_BASE, (uintptr_t)c);
	gdt_init_cpu(c, c->arch.ist_top);
	idt_load();
	mmu_cpu_features();
	fpu_cpu_init();
	lapic_init();
	lapic_timer_start(TICK_HZ);
	syscall_cpu_init();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_start_cpu();
}

static void ipi_call_irq(struct trapframe *tf)
{
	this_cpu()->ipis_call++;
	lapic_eoi();
	smp_call_handle();
}

static void ipi_resched_irq(struct trapframe *tf)
{
	this_cpu()->ipis_resched++;
	lapic_eoi();
}

void smp_ipi_init(void)
{
	vector_register(VEC_IPI_CALL, ipi_call_irq, "ipi-call");
	vector_register(VEC_IPI_RESCHED, ipi_resched_irq, "ipi-resched");
}

void arch_send_ipi(unsigned cpu, enum arch_ipi kind)
{
	uint32_t vec = kind == ARCH_IPI_CALL ? VEC_IPI_CALL : VEC_IPI_RESCHED;

	lapic_send_ipi(cpus[cpu].arch.apic_id, LAPIC_ICR_FIXED | vec);
}

void arch_stop_other_cpus(void)
{
	lapic_send_ipi_all_but_self(LAPIC_ICR_NMI);
}

void arch_flush_tlb_range(uintptr_t va, size_t len)
{
	if (len > TLB_FLUSH_ALL_THRESHOLD) {
		write_cr3(read_cr3());
		return;
	}
	for (uintptr_t p = ALIGN_DOWN(va, PAGE_SIZE); p < va + len; p += PAGE_SIZE)
		invlpg(p);
}

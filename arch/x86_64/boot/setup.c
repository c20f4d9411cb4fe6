/*
 * setup.c - x86-64 boot: from boot.S's long-mode jump to the generic
 * kmain(), and the arch hooks kmain calls back (memory, devices).
 *
 * arch_boot_main runs on the boot CPU with the boot page tables: it makes
 * this_cpu() work, brings up the console (INITCALL_CONSOLE hooks: the serial
 * driver) so that everything after can be reported, loads a GDT/TSS/IDT so that faults are reported instead
 * of triple-faulting, and parses the loader's boot information (read
 * through the boot identity map, which covers the first 1 GiB).
 */
#include <arch/arch.h>
#include <arch/bootproto.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/msr.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/pic.h>
#include <arch/lapic.h>
#include <arch/setup.h>
#include <arch/thread.h>
#include <arch/smp.h>
#include <arch/irq.h>
#include <arch/ioapic.h>
#include <arch/user.h>
#include <keel/acpi.h>
#include <keel/cpu.h>
#include <keel/bootinfo.h>
#include <keel/kstack.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/main.h>
#include <keel/time.h>
#include <keel/initcall.h>

#define BOOT_IDENTITY_LIMIT (1ull << 30)
#define BOOT_IST_SIZE       PAGE_SIZE
#define ISA_DEBUG_EXIT_PORT 0xf4
#define I8042_CMD_PORT      0x64  /* the keyboard controller: CPU reset line */
#define I8042_CMD_RESET     0xfe

static struct bootinfo boot_info;
static struct acpi_info boot_acpi;      /* [I] after arch_devices_init */
static bool boot_have_acpi;             /* [I] */
/* IST stacks for the boot CPU until guarded ones can be allocated. */
static uint8_t boot_ist_stacks[IST_COUNT][BOOT_IST_SIZE] __aligned(16);

static const void *boot_identity_ptr(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa + len < pa || pa + len > BOOT_IDENTITY_LIMIT)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

void arch_boot_main(uint32_t protocol, uint32_t info_pa)
{
	struct cpu *bsp = &cpus[0];
	struct bootinfo_mem mem = { boot_identity_ptr, NULL };
	uintptr_t ist[IST_COUNT];
	int err;

	bsp->self = bsp;
	bsp->id = 0;
	wrmsr(MSR_GS_BASE, (uintptr_t)bsp);
	initcall_run(INITCALL_CONSOLE);
	for (int i = 0; i < IST_COUNT; i++)
		ist[i] = (uintptr_t)boot_ist_stacks[i] + BOOT_IST_SIZE;
	gdt_init_cpu(bsp, ist);
	idt_init();
	mmu_cpu_features();
	fpu_cpu_init();

	if (protocol == BOOT_PROTO_PVH)
		err = bootinfo_parse_pvh(&boot_info, info_pa, &mem);
	else
		err = bootinfo_parse_multiboot2(&boot_info, info_pa, &mem);
	if (err)
		panic("keel: cannot parse the boot information (protocol %u, error %d)",
		      protocol, err);
	kmain(&boot_info);
}

void arch_mm_init(const struct bootinfo *bi)
{
	mmu_init(bi);
}

/* After pmm_init: page tables from the pmm, guarded IST stacks. */
void arch_mm_late_init(void)
{
	struct cpu *c = this_cpu();

	mmu_late_init();
	kstack_init();
	for (unsigned i = 1; i <= IST_COUNT; i++) {
		uintptr_t top = kstack_alloc();
		if (!top)
			panic("keel: no memory for IST stacks");
		c->arch.ist_top[i - 1] = top;
		gdt_set_ist(c, i, top);
	}
}

static const void *boot_direct_ptr(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa + len < pa || !mmu_direct_mapped(pa, len))
		return NULL;
	return arch_phys_to_virt(pa);
}

void arch_devices_init(void)
{
	struct bootinfo_mem mem = { boot_direct_ptr, NULL };
	int err;

	initcall_run(INITCALL_EARLY_DEVICE);
	pic_init();                 /* remapped and fully masked */
	lapic_init();
	err = acpi_parse(&boot_acpi, &boot_info, &mem);
	if (err == 0) {
		acpi_print(&boot_acpi);
		boot_have_acpi = true;
		if (ioapic_init(&boot_acpi))
			irq_use_ioapic(&boot_acpi);
	} else {
		klog(LOG_WARN, "acpi: no usable tables (%d); one CPU, 8259 interrupts", err);
	}
	irq_arch_init();
	smp_ipi_init();
	syscall_cpu_init();
	lapic_timer_calibrate();
	lapic_timer_start(TICK_HZ);
	initcall_run(INITCALL_DEVICE);
}

void arch_smp_init(void)
{
	if (boot_have_acpi)
		smp_boot_aps(&boot_acpi);
}

unsigned arch_backtrace(uintptr_t fp, uintptr_t *pcs, unsigned max)
{
	unsigned n = 0;

	while (n < max && fp >= DIRECT_MAP_BASE && IS_ALIGNED(fp, sizeof(uintptr_t))) {
		uint64_t pa, cr3 = read_cr3() & PTE_ADDR_MASK;
		const uintptr_t *frame = (const uintptr_t *)fp;
		if (!mmu_lookup(cr3, fp, &pa) ||
		    !mmu_lookup(cr3, fp + sizeof(uintptr_t), &pa))
			break;
		if (frame[1] < KERNEL_VMA)
			break;
		pcs[n++] = frame[1];
		if (frame[0] <= fp)
			break;        /* frames must move up the stack */
		fp = frame[0];
	}
	return n;
}

void arch_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void arch_emulator_exit(unsigned value)
{
	outl(ISA_DEBUG_EXIT_PORT, value);
}

void arch_reboot(void)
{
	static const struct { uint16_t limit; uint64_t base; } __packed no_idt = { 0, 0 };

	cli();
	outb(I8042_CMD_PORT, I8042_CMD_RESET);
	/* Still here: triple fault. */
	lidt(&no_idt);
	__asm__ volatile("int3");
	arch_halt_forever();
}

int arch_map_kernel_page(uintptr_t va, uint64_t pa)
{
	return mmu_kmap_page(va, pa, PTE_W | (cpu_has_nx ? PTE_NX : 0));
}

void arch_unmap_kernel_pages(uintptr_t va, size_t n)
{
	mmu_kunmap_pages(va, n);
}

int arch_prepare_kernel_range(uintptr_t va, size_t len)
{
	return mmu_kprepare_range(va, len);
}

bool arch_kernel_lookup(uintptr_t va, uint64_t *pa)
{
	return mmu_kernel_lookup(va, pa);
}

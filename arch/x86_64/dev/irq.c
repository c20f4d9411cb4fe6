/*
 * irq.c - legacy (ISA) interrupt lines: routing, masking, acknowledgement.
 *
 * With ACPI and an IOAPIC (always on QEMU), ISA IRQ n is looked up in the
 * MADT interrupt source overrides, routed through the IOAPIC to the boot
 * CPU at vector IRQ_BASE + n, and acknowledged at the local APIC; the 8259
 * PIC stays fully masked.  Without an IOAPIC the PIC delivers the lines
 * through the boot CPU's LINT0 and gets the EOI.  Every legacy vector
 * enters irq_handle() (kernel/core/irq.c), which runs the handler a driver
 * attached with irq_request(); handlers run with interrupts off.
 */
#include <arch/irq.h>
#include <arch/pic.h>
#include <arch/lapic.h>
#include <arch/ioapic.h>
#include <keel/acpi.h>
#include <keel/cpu.h>
#include <keel/irq.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <lib/errno.h>

static const struct acpi_info *irq_acpi;              /* [I] NULL: PIC mode */

void irq_use_ioapic(const struct acpi_info *acpi)
{
	irq_acpi = acpi;
}

static void irq_eoi(unsigned irq)
{
	if (irq_acpi)
		lapic_eoi();
	else
		pic_eoi(irq);
}

void irq_unclaimed(unsigned irq)
{
	if (irq_acpi) {
		klog_once(LOG_WARN, "irq: unclaimed legacy IRQ %u", irq);
		lapic_eoi();
	} else {
		pic_spurious(irq);
	}
}

static void legacy_irq_entry(struct trapframe *tf)
{
	unsigned irq = tf->vector - IRQ_BASE;

	if (irq_handle(irq))
		irq_eoi(irq);
	else
		irq_unclaimed(irq);
}

void irq_arch_init(void)
{
	for (unsigned irq = 0; irq < IRQ_LEGACY_COUNT; irq++)
		vector_register(IRQ_BASE + irq, legacy_irq_entry, "legacy-irq");
}

/* The IOAPIC input (GSI) of legacy line irq, with its polarity and mode. */
static uint32_t irq_gsi(unsigned irq, bool *low, bool *level)
{
	return acpi_irq_to_gsi(irq_acpi, irq, low, level);
}

int arch_irq_route(unsigned irq, unsigned cpu)
{
	if (irq >= IRQ_LEGACY_COUNT || cpu >= MAX_CPUS)
		return -EINVAL;
	if (irq_acpi) {
		bool low, level;
		uint32_t gsi = irq_gsi(irq, &low, &level);
		if (ioapic_route(gsi, IRQ_BASE + irq, cpus[cpu].arch.apic_id, low, level) < 0) {
			klog(LOG_ERR, "irq: no IOAPIC input for IRQ %u (GSI %u)", irq, gsi);
			return -ENODEV;
		}
	} else {
		pic_unmask(irq);        /* the PIC delivers to the boot CPU only */
	}
	return 0;
}

bool arch_irq_is_level(unsigned irq)
{
	bool low, level = false;

	if (irq < IRQ_LEGACY_COUNT && irq_acpi)
		(void)irq_gsi(irq, &low, &level);
	return level;
}

void arch_irq_mask(unsigned irq)
{
	if (irq >= IRQ_LEGACY_COUNT)
		return;
	if (irq_acpi) {
		bool low, level;
		ioapic_mask(irq_gsi(irq, &low, &level));
	} else {
		pic_mask(irq);
	}
}

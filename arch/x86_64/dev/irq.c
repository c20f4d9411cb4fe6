/*
 * irq.c - legacy (ISA) interrupt lines: routing and acknowledgement.
 *
 * With ACPI and an IOAPIC (always on QEMU), ISA IRQ n is looked up in the
 * MADT interrupt source overrides, routed through the IOAPIC to the boot
 * CPU at vector IRQ_BASE + n, and acknowledged at the local APIC; the 8259
 * PIC stays fully masked.  Without an IOAPIC the PIC delivers the lines
 * through the boot CPU's LINT0 and gets the EOI.  Handlers are registered
 * at boot ([I] afterwards) and run with interrupts off.
 */
#include <arch/irq.h>
#include <arch/pic.h>
#include <arch/lapic.h>
#include <arch/ioapic.h>
#include <keel/acpi.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <keel/panic.h>

static irq_handler_t legacy_irq[IRQ_LEGACY_COUNT];    /* [I] */
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

static void legacy_irq_entry(struct trapframe *tf)
{
	unsigned irq = tf->vector - IRQ_BASE;

	legacy_irq[irq](irq);
	irq_eoi(irq);
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

/* Route legacy IRQ irq to fn (boot time) and unmask it. */
void irq_register(unsigned irq, irq_handler_t fn, const char *name)
{
	assert(irq < IRQ_LEGACY_COUNT && !legacy_irq[irq]);
	legacy_irq[irq] = fn;
	vector_register(IRQ_BASE + irq, legacy_irq_entry, name);
	if (irq_acpi) {
		bool low, level;
		uint32_t gsi = acpi_irq_to_gsi(irq_acpi, irq, &low, &level);
		if (ioapic_route(gsi, IRQ_BASE + irq, cpus[0].arch.apic_id, low, level) < 0)
			klog(LOG_ERR, "irq: no IOAPIC input for IRQ %u (GSI %u)", irq, gsi);
	} else {
		pic_unmask(irq);
	}
}

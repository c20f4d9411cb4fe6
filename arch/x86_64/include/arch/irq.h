/*
 * arch/irq.h - the x86-64 side of device interrupts.
 *
 * Generic code and drivers use keel/irq.h (irq_request/irq_free); this is
 * what the generic side asks of the arch.  Interrupt lines are the legacy
 * ISA IRQs 0..15, delivered at vector IRQ_BASE + irq to one CPU (the boot CPU unless
 * irq_set_cpu moved it).
 * Raw vectors (LAPIC timer, IPIs) are arch-internal: vector_register
 * (arch/trap.h).
 */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <arch/trap.h>

#define ARCH_IRQ_COUNT IRQ_LEGACY_COUNT

/* Take over the legacy vectors (boot, before any irq_request). */
void irq_arch_init(void);
/* Route legacy IRQs through the IOAPICs from now on (else the 8259 PIC). */
struct acpi_info;
void irq_use_ioapic(const struct acpi_info *acpi);
/* Route line irq to CPU cpu and unmask it: 0 or -ENODEV. */
int arch_irq_route(unsigned irq, unsigned cpu);
/* Is line irq level-triggered (after the firmware's overrides)? */
bool arch_irq_is_level(unsigned irq);
/* Mask line irq at its interrupt controller. */
void arch_irq_mask(unsigned irq);
/* An interrupt arrived on a legacy vector with no handler. */
void irq_unclaimed(unsigned irq);

#endif

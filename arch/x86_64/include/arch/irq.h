/*
 * arch/irq.h - interrupt handler registration for x86-64.
 * Legacy ISA IRQs (keyboard, COM1, ...) are numbered 0..15; handlers run
 * with interrupts off on the CPU that took the interrupt.
 */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <arch/trap.h>

typedef void (*irq_handler_t)(unsigned irq);
typedef void (*vector_handler_t)(struct trapframe *tf);

/* Route legacy IRQ irq to fn and unmask it. */
void irq_register(unsigned irq, irq_handler_t fn, const char *name);
/* Route legacy IRQs through the IOAPICs from now on (else the 8259 PIC). */
struct acpi_info;
void irq_use_ioapic(const struct acpi_info *acpi);
/* An interrupt arrived on a legacy vector with no handler. */
void irq_unclaimed(unsigned irq);
/* Install a handler for a raw vector (LAPIC timer, IPIs). */
void vector_register(unsigned vector, vector_handler_t fn, const char *name);

#endif

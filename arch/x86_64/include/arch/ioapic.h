/* arch/ioapic.h - I/O APIC registers and routing of global system interrupts. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdint.h>
#include <stdbool.h>

#define IOAPIC_REGSEL        0x00
#define IOAPIC_WINDOW        0x10
#define IOAPIC_MMIO_SIZE     0x20
#define IOAPIC_REG_ID        0x00
#define IOAPIC_REG_VER       0x01
#define IOAPIC_REG_REDTBL(n) (0x10 + 2 * (n))
#define IOAPIC_VER_MAXREDIR_SHIFT 16
#define IOAPIC_VER_MAXREDIR_MASK  0xff
#define IOAPIC_RED_MASKED    (1u << 16)
#define IOAPIC_RED_LEVEL     (1u << 15)
#define IOAPIC_RED_ACTIVE_LOW (1u << 13)
#define IOAPIC_RED_DEST_SHIFT 24     /* in the high dword */
#define IOAPIC_MAX           8

struct acpi_info;
/* Map every IOAPIC ACPI lists and mask all its inputs; false if none. */
bool ioapic_init(const struct acpi_info *acpi);
/* Deliver gsi as vector to the CPU with local APIC id apic_id. */
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool active_low, bool level);
void ioapic_mask(uint32_t gsi);

#endif

/*
 * keel/acpi.h - the few ACPI tables Keel needs to bring up SMP.
 *
 * Keel finds its CPUs, IOAPICs and ISA interrupt routing in the ACPI MADT
 * and never in the MP tables (SeaBIOS lists one CPU per socket there).
 * acpi_parse() locates the RSDP (loader copy, loader address or a BIOS-area
 * scan), follows the XSDT or RSDT to the MADT ("APIC") and the HPET table,
 * validates them, and condenses them into one struct acpi_info.  Nothing
 * after acpi_parse() looks at firmware memory again.
 *
 * Firmware tables are untrusted: every checksum and length is checked,
 * and the parser reads firmware memory only through a struct bootinfo_mem
 * accessor, never beyond the bytes one call of it returned.  Malformed
 * input yields an error, never a crash.
 *
 * Invariants of a struct acpi_info filled by a successful acpi_parse():
 *   - ncpus >= 1; cpus[0..ncpus) are the enabled or online-capable CPUs in
 *     MADT order, with distinct apic_id values;
 *   - nioapics <= ACPI_MAX_IOAPICS, noverrides <= ACPI_MAX_OVERRIDES,
 *     every override is for an ISA (bus 0) interrupt with its polarity and
 *     trigger resolved (no "conforms" left);
 *   - oem_id is NUL-terminated and printable.
 *
 * Locking: none.  Filled once on the boot CPU before the others start, and
 * read-only afterwards.
 */
#ifndef KEEL_ACPI_H
#define KEEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/bootinfo.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

/* Largest table acpi_parse() accepts; anything longer is garbage. */
#define ACPI_TABLE_MAX_LEN (1u << 20)

/* A processor from MADT type 0 (local APIC) or 9 (local x2APIC). */
struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;	     /* ACPI processor UID */
	bool enabled;	     /* usable now */
	bool online_capable; /* disabled, but may be brought online */
};

/* An I/O APIC from MADT type 1. */
struct acpi_ioapic {
	uint32_t id;
	uint64_t addr;	   /* physical MMIO base */
	uint32_t gsi_base; /* GSI of its redirection entry 0 */
};

/*
 * An ISA interrupt source override from MADT type 2, with "conforms"
 * polarity/trigger resolved to the ISA defaults (active high, edge).
 */
struct acpi_irq_override {
	uint8_t bus_irq;
	uint32_t gsi;
	bool active_low;
	bool level;
};

struct acpi_info {
	unsigned revision;   /* RSDP revision: 0 = ACPI 1.0, >= 2 = 2.0+ */
	bool used_xsdt;	     /* tables found through the XSDT, not the RSDT */
	char oem_id[7];	     /* RSDP OEM id, trailing blanks cut */
	uint64_t lapic_addr; /* MADT local APIC address, or type 5's */
	bool pcat_compat;    /* MADT flag: dual 8259s present */

	unsigned ncpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned ncpus_dropped; /* usable CPUs beyond ACPI_MAX_CPUS */

	unsigned nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];

	unsigned noverrides;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];

	bool has_hpet;
	uint64_t hpet_addr; /* HPET MMIO base (system memory space) */
};

/*
 * Fill *info from the firmware's ACPI tables.
 *
 * The RSDP comes from the loader's inline copy bi->rsdp if bi->rsdp_len is
 * nonzero, else from physical bi->rsdp_paddr if nonzero, else from a scan
 * of the first KiB of the EBDA (real-mode segment at physical 0x40e) and
 * then of 0xe0000..0xfffff, on 16-byte boundaries.  The scan skips
 * candidates with a bad checksum.  The XSDT is used when the RSDP revision
 * is >= 2, its 2.0 part is present and valid and the XSDT address is
 * nonzero; otherwise the RSDT.  Root-table entries the accessor cannot
 * reach, or whose signature is neither "APIC" nor "HPET", are skipped; the
 * first MADT and the first HPET table win.  An invalid HPET table is
 * ignored (has_hpet stays false): SMP does not depend on it.
 *
 * Returns 0, or
 *   -ENOENT  no RSDP anywhere, or no MADT in the root table;
 *   -EINVAL  a bad signature, checksum or length in the RSDP, the root
 *            table or the MADT, a root table or MADT the accessor cannot
 *            reach, or a MADT that lists no usable CPU.
 * On error *info holds partial data and must not be used.
 * Does not sleep, takes no lock; about 100 bytes of stack.
 */
int acpi_parse(struct acpi_info *info, const struct bootinfo *bi, const struct bootinfo_mem *m);

/*
 * The GSI an ISA IRQ is wired to, after the MADT overrides; an IRQ without
 * an override is identity-mapped, active high, edge-triggered.  Stores the
 * polarity and trigger mode in *active_low and *level unless they are NULL.
 */
uint32_t acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq, bool *active_low,
			 bool *level);

/*
 * The IOAPIC that probably serves gsi: the one with the greatest gsi_base
 * <= gsi (ACPI does not give an IOAPIC's entry count; the caller reads it
 * from the IOAPIC's version register and must check gsi against it).
 * NULL if every IOAPIC starts above gsi.
 */
const struct acpi_ioapic *acpi_ioapic_for_gsi(const struct acpi_info *info, uint32_t gsi);

/* Print a summary of *info through kprintf(), one line per topic. */
void acpi_print(const struct acpi_info *info);

#endif /* KEEL_ACPI_H */

/*
 * arch/smp.h - x86-64 multiprocessor bring-up: the real-mode trampoline
 * that application processors (APs) start in after INIT-SIPI-SIPI, and
 * the interface between it and arch/x86_64/boot/smp.c.  Usable from assembly.
 *
 * The trampoline is copied to SMP_TRAMPOLINE_PA (in the first 1 MiB, which
 * the pmm never hands out) together with a tiny page table that maps its
 * page 1:1 and shares the kernel half, so the AP can enable paging, enter
 * long mode and jump to ap_entry() in the kernel.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define SMP_TRAMPOLINE_PA   0x8000
#define SMP_TRAMP_PML4_PA   0x9000
#define SMP_TRAMP_PDPT_PA   0xa000
#define SMP_TRAMP_PD_PA     0xb000
#define SMP_SIPI_VECTOR     (SMP_TRAMPOLINE_PA >> 12)

/* Trampoline GDT selectors (its own GDT; the AP loads the kernel's later). */
#define TRAMP_SEG_CODE32    0x08
#define TRAMP_SEG_DATA      0x10
#define TRAMP_SEG_CODE64    0x18

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Parameters the boot CPU writes into the trampoline before each SIPI. */
struct smp_tramp_params {
	uint64_t cr3;        /* trampoline PML4 (below 4 GiB) */
	uint64_t efer_set;   /* EFER bits to set besides LME (NXE) */
	uint64_t stack;      /* initial stack pointer of the AP */
	uint64_t cpu;        /* struct cpu * of the AP, first argument */
	uint64_t entry;      /* ap_entry */
};

extern const char smp_trampoline_start[], smp_trampoline_end[];
extern const char smp_trampoline_params[];

struct acpi_info;
void smp_boot_aps(const struct acpi_info *acpi);
void smp_ipi_init(void);
#endif

#endif

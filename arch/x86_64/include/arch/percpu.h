/*
 * arch/percpu.h - the x86-64 part of struct cpu, and this_cpu() via GS.
 *
 * GS base (MSR_GS_BASE) of every CPU points at its struct cpu, whose first
 * field points at itself, so this_cpu() is one "mov %gs:0".  Set before
 * any lock is taken (arch_boot_main, AP entry).
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdint.h>
#include <arch/segment.h>

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_COUNT        3

#define TSS_IO_BITMAP_BYTES (65536 / 8) /* one bit per I/O port */

/*
 * The 64-bit TSS and, right behind it (inside its limit), the I/O
 * permission bitmap and the byte of ones the CPU needs after it.  A user
 * I/O instruction (IOPL stays 0) is allowed when iomap_base points at
 * io_bitmap and the port's bit is clear; with iomap_base past the limit
 * every port faults (#GP).  entry/gdt.c loads it (gdt_io_load).
 */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
	uint8_t io_bitmap[TSS_IO_BITMAP_BYTES];
	uint8_t io_bitmap_end;       /* 0xff: the CPU reads two bytes */
} __attribute__((packed));

struct arch_cpu {
	uint64_t gdt[GDT_ENTRIES];   /* [I] this CPU's GDT (TSS descriptor differs) */
	struct tss tss;              /* [I] except rsp[0], set by the scheduler, and
				      * iomap_base, io_bitmap: [C] (gdt_io_load) */
	uint64_t io_gen;             /* [C] generation (keel/ioport.h) copied into
				      * tss.io_bitmap, 0 for none */
	uint32_t apic_id;            /* [I] local APIC id */
	uintptr_t ist_top[IST_COUNT]; /* [I] tops of the IST stacks */
};

struct cpu;
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/*
 * The word at offset off of this CPU's struct cpu, in one %gs-relative
 * load: the value is that of the CPU the load ran on, even if the caller
 * moves to another CPU right after (this_cpu()->field takes two loads).
 */
static inline uintptr_t arch_this_cpu_word(uintptr_t off)
{
	uintptr_t v;
	__asm__ volatile("movq %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

#endif

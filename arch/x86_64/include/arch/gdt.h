/*
 * arch/gdt.h - per-CPU GDT and TSS (entry/gdt.c).  Selectors are in
 * arch/segment.h, the TSS and IST numbers in arch/percpu.h.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include <stdint.h>
#include <arch/percpu.h>

struct cpu;
/*
 * Build and load c's GDT and TSS; ist[i] is the top of IST stack i+1.
 * Runs on the CPU c itself, at boot or AP start.
 */
void gdt_init_cpu(struct cpu *c, const uintptr_t ist[IST_COUNT]);
/*
 * Give c's TSS the I/O port permissions io of the thread about to run
 * (NULL: none); copies the map only when c holds another generation.
 * Runs on c with interrupts off (the context switch).
 */
struct ioport_proc;
void gdt_io_load(struct cpu *c, const struct ioport_proc *io);
/* Point IST stack ist (1..IST_COUNT) of c's TSS at top. */
void gdt_set_ist(struct cpu *c, unsigned ist, uintptr_t top);

#endif

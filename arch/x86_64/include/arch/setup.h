/* arch/setup.h - x86-64 boot-time entry points shared between arch files. */
#ifndef ARCH_SETUP_H
#define ARCH_SETUP_H

#include <stdint.h>
#include <arch/percpu.h>

struct cpu;
void gdt_init_cpu(struct cpu *c, const uintptr_t ist[IST_COUNT]);
void gdt_set_ist(struct cpu *c, unsigned ist, uintptr_t top);
void mmu_late_init(void);
void arch_boot_main(uint32_t protocol, uint32_t info_pa);

#endif

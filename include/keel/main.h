/*
 * keel/main.h - the boot sequence shared by all architectures: the arch
 * entry code parses its loader's information and calls kmain(), which
 * calls back into the arch hooks below at the right moments.
 */
#ifndef KEEL_MAIN_H
#define KEEL_MAIN_H

#include <keel/compiler.h>

struct bootinfo;

/* Generic boot; never returns. */
void kmain(struct bootinfo *bi) __noreturn;

/* Arch hooks, in the order kmain calls them. */
void arch_mm_init(const struct bootinfo *bi);   /* kernel page tables, direct map */
void arch_mm_late_init(void);                   /* after pmm_init */
void arch_devices_init(void);                   /* console, interrupt controllers, timer, input */

/* Smallest usable memory Keel boots with. */
#define KEEL_MIN_MEMORY (24 * MiB)

#endif

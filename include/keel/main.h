/*
 * keel/main.h - the boot sequence shared by all architectures: the arch
 * entry code parses its loader's information and calls kmain(), which
 * calls back into the arch's boot hooks (arch_mm_init, ..., in
 * arch/arch.h) at the right moments.
 */
#ifndef KEEL_MAIN_H
#define KEEL_MAIN_H

#include <keel/compiler.h>

struct bootinfo;

/* Generic boot; never returns. */
void kmain(struct bootinfo *bi) __noreturn;

/* Pid 1 has exited with status (from its last thread; kernel/proc/proc.c). */
void init_exited(int status);

/* Smallest usable memory Keel boots with. */
#define KEEL_MIN_MEMORY (24 * MiB)

#endif

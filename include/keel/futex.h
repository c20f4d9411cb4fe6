/*
 * keel/futex.h - fast user-space mutexes (kernel/sched/futex.c).
 * A futex is a 32-bit word in user memory, identified by (address space,
 * address) for private futexes.
 */
#ifndef KEEL_FUTEX_H
#define KEEL_FUTEX_H

#include <keel/compiler.h>

struct mm;

/* Set up the futex hash (boot, before any thread can use futexes). */
void futex_init(void);
/* Wake up to n threads waiting on the futex at addr in mm; returns how many. */
int futex_wake_address(struct mm *mm, uintptr_t addr, int n);

#endif

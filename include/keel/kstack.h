/*
 * keel/kstack.h - kernel stacks with an unmapped guard page below each,
 * so a stack overflow faults instead of corrupting memory.
 */
#ifndef KEEL_KSTACK_H
#define KEEL_KSTACK_H

#include <keel/compiler.h>

#define KSTACK_PAGES 4                   /* 16 KiB of stack */

/* Boot, after the pmm: prepare the stack area's page tables. */
void kstack_init(void);
/* Allocate a kernel stack; returns its top (initial stack pointer) or 0. */
uintptr_t kstack_alloc(void);
/* Free a stack returned by kstack_alloc (by its top). */
void kstack_free(uintptr_t top);
/* True if addr lies in the guard page of some kernel stack. */
bool kstack_is_guard(uintptr_t addr);

#endif

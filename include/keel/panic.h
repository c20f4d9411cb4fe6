/*
 * keel/panic.h - panic() and assert() for broken kernel invariants only.
 * Nothing user space can cause may end here (see DEVELOPERS.md).
 */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include <keel/compiler.h>

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Set by the command line (panic=exit, or any test=): panic exits QEMU. */
void panic_set_exit(bool on);
/* Another CPU panicked and stopped this one (panic IPI): print, halt. */
void panic_stop_this_cpu(uintptr_t fp, uintptr_t pc) __noreturn;
/* True once some CPU has panicked. */
bool panic_in_progress(void);

#define assert(cond)                                                        \
	do {                                                                \
		if (unlikely(!(cond)))                                      \
			panic("assertion failed: %s at %s:%d", #cond,       \
			      __FILE__, __LINE__);                          \
	} while (0)

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)

#endif

/*
 * keel/initcall.h - start-up hooks for code the boot path does not name.
 *
 * Drivers declare `INITCALL(level, fn)`; the boot path runs each level at
 * its point with initcall_run(level), so the arch and generic boot code
 * never call into drivers/ directly (see docs/layout.md).  Within a level
 * hooks run in link order (the order of the source files in the build).
 * Hooks run once, on the boot CPU, before other CPUs start.
 */
#ifndef KEEL_INITCALL_H
#define KEEL_INITCALL_H

#include <keel/compiler.h>

enum initcall_level {
	INITCALL_CONSOLE,       /* first thing at boot: a console to report on */
	INITCALL_EARLY_DEVICE,  /* memory is up, before interrupt controllers */
	INITCALL_DEVICE,        /* interrupts routable (irq_request works) */
};

struct initcall {
	enum initcall_level level;
	void (*fn)(void);
	const char *name;
};

#define INITCALL(lvl, func)                                                 \
	static const struct initcall initcall_##func                         \
		__section(".initcall") __used __aligned(8) =                 \
		{ .level = (lvl), .fn = (func), .name = #func }

/* Run every hook of level, in link order. */
void initcall_run(enum initcall_level level);

#endif

/*
 * keel/kbench.h - in-kernel microbenchmarks, run by `make bench`.
 *
 *   KBENCH(lock_uncontended) { ... kbench_report("lock_uncontended", "ns/op", v); }
 *
 * Booting with bench=<comma list|all> runs the matching benchmarks after
 * "keel: ready", each printing lines "bench: <name> <value> <unit>", then
 * exits QEMU.  Benchmarks measure time with the TSC clock (time_ns()); under
 * TCG the numbers are emulator numbers, comparable only with each other and
 * with Linux measured in the same QEMU.
 */
#ifndef KEEL_KBENCH_H
#define KEEL_KBENCH_H

#include <keel/compiler.h>

struct kbench {
	const char *name;
	void (*fn)(void);
};

#define KBENCH(bname)                                                       \
	static void kbench_fn_##bname(void);                                \
	__used __section(".kbench") __aligned(8) static const struct kbench \
		kbench_case_##bname = { #bname, kbench_fn_##bname };        \
	static void kbench_fn_##bname(void)

/* Print "bench: <name> <value>.<frac> <unit>" (value in thousandths). */
void kbench_report(const char *name, uint64_t milli_value, const char *unit);
/* Run the benchmarks named in list ("all" = every one). */
void kbench_run(const char *list);

#endif

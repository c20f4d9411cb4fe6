/*
 * ktest.c - runs the in-kernel tests collected in the .ktest section
 * (see keel/ktest.h).  Runs on the boot CPU after boot, with interrupts on.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/pmm.h>
#include <keel/time.h>
#include <lib/cmdline.h>

extern const struct ktest _ktest_start[], _ktest_end[];

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *what)
{
	kprintf("ktest:   %s:%d: check failed: %s\n", file, line, what);
	t->failures++;
}

int ktest_run(const char *list)
{
	int passed = 0, failed = 0;

	for (const struct ktest *k = _ktest_start; k < _ktest_end; k++) {
		struct ktest_ctx ctx = { .name = k->name, .failures = 0 };

		if (!cmdline_list_contains(list, k->name))
			continue;
		kprintf("ktest: RUN %s\n", k->name);
		uint64_t t0 = time_ns();
		k->fn(&ctx);
		kprintf("ktest: %s %s (%lu ms)\n", ctx.failures ? "FAIL" : "PASS", k->name,
			(time_ns() - t0) / NSEC_PER_MSEC);
		if (ctx.failures)
			failed++;
		else
			passed++;
	}
	kprintf("ktest: %d passed, %d failed\n", passed, failed);
	return failed;
}

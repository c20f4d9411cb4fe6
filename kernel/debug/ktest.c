/*
 * ktest.c - runs the in-kernel tests collected in the .ktest section
 * (see keel/ktest.h).  Runs on the boot CPU after boot, with interrupts on.
 *
 * A test during which lockdep reports a violation fails, unless its name
 * says it provokes one on purpose (KTEST_LOCKDEP_EXPECT_PREFIX): a lock
 * order problem found by any test is a real bug.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/lockdep.h>
#include <keel/pmm.h>
#include <keel/time.h>
#include <lib/cmdline.h>
#include <lib/string.h>

#define KTEST_LOCKDEP_EXPECT_PREFIX "lockdep_expect_"

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
		unsigned v0 = lockdep_violations();
		k->fn(&ctx);
		if (lockdep_violations() != v0 &&
		    strncmp(k->name, KTEST_LOCKDEP_EXPECT_PREFIX,
			    sizeof(KTEST_LOCKDEP_EXPECT_PREFIX) - 1) != 0) {
			kprintf("ktest:   lockdep reported %u violation(s) during the test\n",
				lockdep_violations() - v0);
			ctx.failures++;
		}
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

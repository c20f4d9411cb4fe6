/*
 * test_failinject.c - in-kernel tests of allocation fault injection
 * (kernel/core/failinject.c): the failalloc= parser, probability 1 failing
 * every allocation of the chosen kind, probability 0 failing none, and
 * the NOFAIL flags bypassing it.  Injection is confined to the testing
 * thread (failinject_test_begin), so other CPUs are never disturbed.
 */
#include <keel/ktest.h>
#include <keel/failinject.h>
#include <keel/kmalloc.h>
#include <keel/kstack.h>
#include <keel/pmm.h>
#include <keel/klog.h>
#include <arch/arch.h>

#define FI_TEST_ROUNDS   64     /* allocations tried per kind and setting */
#define FI_TEST_SMALL    64     /* bytes: a size-class allocation */
#define FI_TEST_LARGE    (3 * PAGE_SIZE)   /* bytes: a whole-page allocation */

KTEST(failinject_parse)
{
	unsigned mask;
	uint64_t thr, seed;
	bool noinit;

	KT_CHECK_EQ(t, failinject_parse("frame:1000", &mask, &thr, &seed, &noinit), 0);
	KT_CHECK_EQ(t, mask, FAIL_MASK(FAIL_FRAME));
	KT_CHECK(t, thr == FAIL_SCALE);
	KT_CHECK_EQ(t, seed, 1);
	KT_CHECK_EQ(t, failinject_parse("heap,kstack:1/4:77", &mask, &thr, &seed, &noinit), 0);
	KT_CHECK_EQ(t, mask, FAIL_MASK(FAIL_HEAP) | FAIL_MASK(FAIL_KSTACK));
	KT_CHECK(t, thr == FAIL_SCALE / 4);
	KT_CHECK_EQ(t, seed, 77);
	KT_CHECK(t, !noinit);
	KT_CHECK_EQ(t, failinject_parse("frame:5:3:noinit", &mask, &thr, &seed, &noinit), 0);
	KT_CHECK(t, noinit && seed == 3 && thr == FAIL_SCALE / 200);
	KT_CHECK(t, failinject_parse("frame:5:noinit", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame:5:3:nope", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK_EQ(t, failinject_parse("all:0", &mask, &thr, &seed, &noinit), 0);
	KT_CHECK_EQ(t, mask, FAIL_MASK_ALL);
	KT_CHECK(t, thr == 0);
	KT_CHECK_EQ(t, failinject_parse("all:500", &mask, &thr, &seed, &noinit), 0);
	KT_CHECK(t, thr == FAIL_SCALE / 2);
	KT_CHECK(t, failinject_parse("disk:10", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame:1001", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame:2/3", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame:1/0", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame:10:", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse("frame:10:5x", &mask, &thr, &seed, &noinit) < 0);
	KT_CHECK(t, failinject_parse(":10", &mask, &thr, &seed, &noinit) < 0);
}

/* How many of FI_TEST_ROUNDS allocations of kind with flags succeed. */
static unsigned fi_successes(enum fail_kind kind, unsigned flags)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < FI_TEST_ROUNDS; i++) {
		if (kind == FAIL_FRAME) {
			void *p = pmm_alloc_page(flags);
			if (p) {
				ok++;
				pmm_free_page(p);
			}
		} else if (kind == FAIL_HEAP) {
			void *a = kmalloc(FI_TEST_SMALL, flags);
			void *b = kmalloc(FI_TEST_LARGE, flags);
			ok += a && b;
			kfree(a);
			kfree(b);
		} else {
			uintptr_t s = kstack_alloc();
			if (s) {
				ok++;
				kstack_free(s);
			}
		}
	}
	return ok;
}

KTEST(failinject_always_and_never)
{
	uint64_t before;

	kmalloc_shrink();       /* as at the end: empty slabs of earlier tests */
	before = pmm_free_frames();

	for (unsigned k = 0; k < FAIL_KINDS; k++) {
		uint64_t injected = failinject_count(k);

		failinject_test_begin(FAIL_MASK(k), FAIL_SCALE);
		KT_CHECK_EQ(t, fi_successes(k, 0), 0);
		failinject_test_end();
		KT_CHECK(t, failinject_count(k) >= injected + FI_TEST_ROUNDS);

		failinject_test_begin(FAIL_MASK(k), 0);
		KT_CHECK_EQ(t, fi_successes(k, 0), FI_TEST_ROUNDS);
		failinject_test_end();

		/* Only the chosen kind fails. */
		failinject_test_begin(FAIL_MASK_ALL & ~FAIL_MASK(k), FAIL_SCALE);
		if (k == FAIL_HEAP)     /* slab and large pages come from the pmm */
			KT_CHECK_EQ(t, fi_successes(k, KM_NOFAIL), FI_TEST_ROUNDS);
		else if (k == FAIL_FRAME)
			KT_CHECK_EQ(t, fi_successes(k, 0), FI_TEST_ROUNDS);
		failinject_test_end();
	}
	KT_CHECK_EQ(t, failinject_armed, 0);
	kmalloc_shrink();
	KT_CHECK_EQ(t, pmm_free_frames(), before);
}

KTEST(failinject_nofail_bypasses)
{
	failinject_test_begin(FAIL_MASK_ALL, FAIL_SCALE);
	KT_CHECK_EQ(t, fi_successes(FAIL_FRAME, PMM_NOFAIL), FI_TEST_ROUNDS);
	KT_CHECK_EQ(t, fi_successes(FAIL_FRAME, PMM_ZERO | PMM_NOFAIL), FI_TEST_ROUNDS);
	KT_CHECK_EQ(t, fi_successes(FAIL_HEAP, KM_NOFAIL), FI_TEST_ROUNDS);
	KT_CHECK_EQ(t, fi_successes(FAIL_HEAP, KM_ZERO | KM_NOFAIL), FI_TEST_ROUNDS);
	failinject_test_end();
}

/* Half the draws fail, roughly; and only the testing thread's. */
KTEST(failinject_half)
{
	unsigned ok;

	failinject_test_begin(FAIL_MASK(FAIL_FRAME), FAIL_SCALE / 2);
	ok = fi_successes(FAIL_FRAME, 0);
	failinject_test_end();
	KT_CHECK(t, ok > FI_TEST_ROUNDS / 8 && ok < FI_TEST_ROUNDS - FI_TEST_ROUNDS / 8);
}

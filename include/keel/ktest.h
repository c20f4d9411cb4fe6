/*
 * keel/ktest.h - in-kernel tests (a small KUnit).
 *
 *   KTEST(pmm_alloc_free) { KT_CHECK(t, pmm_alloc_page(0) != NULL); }
 *
 * Each KTEST places a struct ktest in the .ktest section under the symbol
 * ktest_case_<name> (tests/system lists them with nm).  Booting with
 * test=<comma list|all> runs the matching tests after "keel: ready",
 * prints "ktest: PASS name" / "ktest: FAIL name" and a closing
 * "ktest: N passed, N failed", then exits QEMU (success or failure).
 * A check failure marks the test failed and continues with the next line.
 */
#ifndef KEEL_KTEST_H
#define KEEL_KTEST_H

#include <keel/compiler.h>

struct ktest_ctx {
	const char *name;
	int failures;
};

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
};

#define KTEST(tname)                                                        \
	static void ktest_fn_##tname(struct ktest_ctx *t);                  \
	__used __section(".ktest") __aligned(8) static const struct ktest   \
		ktest_case_##tname = { #tname, ktest_fn_##tname };          \
	static void ktest_fn_##tname(struct ktest_ctx *t)

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *what);

#define KT_CHECK(t, cond)                                                   \
	do {                                                                \
		if (!(cond))                                                \
			ktest_fail((t), __FILE__, __LINE__, #cond);         \
	} while (0)

#define KT_CHECK_EQ(t, a, b)                                                \
	do {                                                                \
		long long kt_a_ = (long long)(a), kt_b_ = (long long)(b);   \
		if (kt_a_ != kt_b_) {                                       \
			kprintf("ktest:   %s = %lld, %s = %lld\n", #a, kt_a_,  \
				#b, kt_b_);                                 \
			ktest_fail((t), __FILE__, __LINE__, #a " == " #b);  \
		}                                                           \
	} while (0)

/* Run the tests named in list ("all" = every test); returns failures. */
int ktest_run(const char *list);

#endif

/*
 * htest.h - a tiny unit-test harness for host tests of lib/ and pure kernel code.
 *
 * Each test file defines tests with HTEST(name) { ... } and checks with
 * HCHECK(cond) / HCHECK_EQ(a, b).  The harness (htest_main.c) runs every
 * registered test, prints one line per test and a closing
 * "N passed, N failed" line, and exits non-zero on any failure.
 *
 * Host builds compile lib/ with -include tests/host/host_rename.h so that
 * lib's memcpy/snprintf/... become keel_memcpy/keel_snprintf/... and do not
 * clash with the host libc; tests call the keel_ names.
 */
#ifndef HTEST_H
#define HTEST_H

#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct htest {
	const char *name;
	void (*fn)(void);
	struct htest *next;
};

void htest_register(struct htest *t);
void htest_fail(const char *file, int line, const char *expr);

#define HTEST(name)                                                        \
	static void htest_fn_##name(void);                                 \
	static struct htest htest_##name = { #name, htest_fn_##name, NULL }; \
	__attribute__((constructor)) static void htest_reg_##name(void)    \
	{                                                                  \
		htest_register(&htest_##name);                             \
	}                                                                  \
	static void htest_fn_##name(void)

#define HCHECK(cond)                                          \
	do {                                                  \
		if (!(cond))                                  \
			htest_fail(__FILE__, __LINE__, #cond); \
	} while (0)

#define HCHECK_EQ(a, b)                                                      \
	do {                                                                 \
		long long htest_a_ = (long long)(a);                         \
		long long htest_b_ = (long long)(b);                         \
		if (htest_a_ != htest_b_) {                                  \
			fprintf(stderr, "  %s = %lld, %s = %lld\n", #a,      \
				htest_a_, #b, htest_b_);                     \
			htest_fail(__FILE__, __LINE__, #a " == " #b);        \
		}                                                            \
	} while (0)

#define HCHECK_STREQ(a, b)                                                   \
	do {                                                                 \
		const char *htest_a_ = (a), *htest_b_ = (b);                 \
		if (strcmp(htest_a_, htest_b_) != 0) {                       \
			fprintf(stderr, "  %s = \"%s\", %s = \"%s\"\n", #a,  \
				htest_a_, #b, htest_b_);                     \
			htest_fail(__FILE__, __LINE__, #a " == " #b);        \
		}                                                            \
	} while (0)

#endif

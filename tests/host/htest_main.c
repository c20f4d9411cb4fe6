/*
 * htest_main.c - runs every test registered through HTEST() in this binary.
 * Prints "PASS name" / "FAIL name" per test and "N passed, N failed" last.
 */
#include <stdlib.h>
#include <string.h>
#include "htest.h"

static struct htest *htest_head;
static struct htest **htest_tail = &htest_head;
static int htest_cur_failed;

void htest_register(struct htest *t)
{
	*htest_tail = t;
	htest_tail = &t->next;
}

void htest_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, expr);
	htest_cur_failed = 1;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	for (struct htest *t = htest_head; t; t = t->next) {
		if (only && strcmp(only, t->name) != 0)
			continue;
		htest_cur_failed = 0;
		t->fn();
		printf("%s %s\n", htest_cur_failed ? "FAIL" : "PASS", t->name);
		if (htest_cur_failed)
			failed++;
		else
			passed++;
	}
	printf("host: %d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

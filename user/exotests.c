/*
 * exotests.c - the test suite of Keel's exokernel interface: the table,
 * main() and the helpers shared by exo_jos.c and exo_calls.c.
 *
 *   exotests              run every test
 *   exotests name...      run the named tests only
 *   exotests --list       print the test names
 *
 * Each test runs in a child process of its own with an alarm (the runner
 * is utest_main() in utest.c); output is "exotests: PASS name" or
 * "exotests: FAIL name: reason" per test, "exotests: N passed, N failed"
 * last.  tests/system/test_exo.py boots Keel with it as init on -smp 1 and
 * -smp 4.  The exo calls exist only on Keel (on Linux they are -ENOSYS).
 *
 * The binary doubles as the helper of upcall_cleared_exec (argv[1]
 * EX_EXEC_HELPER, see exo_calls.c).
 */
#include <fcntl.h>
#include <stdlib.h>
#include "exotests.h"

/*
 * Each test's alarm.  primes (a chain of 1000 processes, ~500,000 IPC
 * messages) is the longest test: under TCG about 15 s on -smp 1 but about
 * 3 minutes on -smp 4 on a loaded 2-core host (its senders spin in
 * ipc_send's yield loop); every other test takes a few seconds at most.
 */
#ifndef EX_ALARM_SECONDS
#define EX_ALARM_SECONDS 300
#endif
#define EX_WATCHDOG_GRACE 10
#define EX_SCAN_BATCH     64
#define EX_LEAK_ROUNDS    20
/*
 * Allowed MemFree drop over EX_LEAK_ROUNDS rounds.  The kernel's caches may
 * keep memory after the warm-up round (slab pages of process, file and
 * page-table objects; per-CPU page lists; the pid table), and on -smp 4
 * another CPU's lists can hold frames at the moment MemFree is read.  A
 * lost page per round (80 KiB) is below this: test_exo.py checks the
 * exact frame count of the init-exit report as well.
 */
#define EX_LEAK_SLACK_KB  256
#define EX_MEMINFO_MAX    2048

#define EX_ENTRY(name) { #name, ex_##name },
static const struct utest ex_tests[] = { EX_TESTS(EX_ENTRY) };
#undef EX_ENTRY

static const struct utest_suite ex_suite = {
	.prog = "exotests",
	.tests = ex_tests,
	.ntests = sizeof(ex_tests) / sizeof(ex_tests[0]),
	.alarm_seconds = EX_ALARM_SECONDS,
	.alarm_reason = true,
	.watchdog_grace = EX_WATCHDOG_GRACE,
};

const char *ex_argv0 = "/bin/exotests";

/* Copy our page at va (perm as reported) into child at the same va. */
static void ex_copy_page(pid_t child, uintptr_t va, int perm)
{
	int want = perm & ~EXO_PERM_COW;

	EX_EQ(exo_page_alloc(child, (void *)va, EX_RW), 0);
	EX_EQ(exo_page_map(child, (void *)va, 0, EX_TMP, EX_RW), 0);
	memcpy(EX_TMP, (const void *)va, EXO_PAGE_SIZE);
	if (want != EX_RW)
		EX_EQ(exo_page_map(child, (void *)va, child, (void *)va, want), 0);
}

/* Copy every present page of ours into child, except [skip_lo, skip_hi). */
static __attribute__((noinline)) void ex_copy_space(pid_t child, uintptr_t skip_lo,
						    uintptr_t skip_hi)
{
	struct exo_page_info batch[EX_SCAN_BATCH];
	uintptr_t at = EXO_USER_MIN;
	long n;

	do {
		n = exo_page_scan((void *)at, (void *)EXO_USER_TOP, batch, EX_SCAN_BATCH);
		if (n < 0)
			utest_fail("exo_page_scan: %ld", n);
		for (long i = 0; i < n; i++) {
			uintptr_t va = batch[i].va;

			if ((va >= skip_lo && va < skip_hi) || va == (uintptr_t)EX_TMP)
				continue;
			ex_copy_page(child, va, (int)batch[i].perm);
		}
		if (n > 0)
			at = batch[n - 1].va + EXO_PAGE_SIZE;
	} while (n == EX_SCAN_BATCH);
	EX_EQ(exo_page_unmap(0, EX_TMP), 0);
}

pid_t ex_dfork(uintptr_t skip_lo, uintptr_t skip_hi, bool run)
{
	pid_t child = exo_fork();

	if (child < 0)
		utest_fail("exo_fork: %d", (int)child);
	if (child == 0)
		return 0;
	ex_copy_space(child, skip_lo, skip_hi);
	if (run)
		EX_EQ(exo_set_status(child, EXO_RUNNABLE), 0);
	return child;
}

int ex_in_child(void (*fn)(void))
{
	pid_t pid = utest_fork();

	if (pid == 0) {
		fn();
		_exit(EX_CHILD_OK);
	}
	return utest_wait(pid);
}

long ex_memfree_kb(void)
{
	char buf[EX_MEMINFO_MAX];
	ssize_t n;
	char *p;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		utest_fail("open /proc/meminfo: %s", strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		utest_fail("read /proc/meminfo: %s", n < 0 ? strerror(errno) : "empty");
	buf[n] = '\0';
	p = strstr(buf, "MemFree:");
	if (!p)
		utest_fail("no MemFree in /proc/meminfo");
	return strtol(p + strlen("MemFree:"), NULL, 10);
}

void ex_check_no_leak(void (*fn)(void))
{
	long before, after;

	fn();
	before = ex_memfree_kb();
	for (int i = 0; i < EX_LEAK_ROUNDS; i++)
		fn();
	after = ex_memfree_kb();
	if (after < before - EX_LEAK_SLACK_KB)
		utest_fail("MemFree %ld KiB before %d rounds, %ld KiB after (slack %d KiB)", before,
			   EX_LEAK_ROUNDS, after, EX_LEAK_SLACK_KB);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], EX_EXEC_HELPER) == 0)
		return ex_exec_helper(argc, argv);
	if (argc > 0 && argv[0][0] == '/')
		ex_argv0 = argv[0];
	return utest_main(&ex_suite, argc, argv);
}

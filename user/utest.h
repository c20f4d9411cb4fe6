/*
 * utest.h - the small library shared by Keel's user-space test programs.
 *
 * usertests, threadtests, spawnbg, benchsched and init are static programs
 * built from one user/NAME.c each (usertests also from user/ut_*.c); every
 * one of them is linked with user/utest.c, which holds what they used to
 * copy from each other:
 *
 *   output      utest_print() (a printf to stdout in one write(), never
 *               through stdio, whose buffers fork would duplicate) and
 *               utest_vline() ("prefix: message\n" in one write())
 *   helpers     utest_fail(), utest_fork(), utest_wait(), utest_now_ns(),
 *               utest_sleep_ns(), utest_write_all(), utest_read_all()
 *   the runner  utest_main(): a table of test functions, each run in a
 *               child process of its own under an alarm, printing
 *               "PROG: PASS name" or "PROG: FAIL name: reason" per test and
 *               "PROG: N passed, N failed" last (and the names for --list)
 *
 * Test rules (see usertests.h): no stdio, raw syscall() where a wrapper
 * could hide what is tested, children waited for by pid (the runner may be
 * PID 1 and then inherits orphans that are not a test's own).
 */
#ifndef UTEST_H
#define UTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#define UTEST_MS 1000000ll
#define UTEST_SEC 1000000000ll
#define UTEST_REASON_MAX 512	/* longest failure reason a test reports */

/* One test: a function that returns to pass and calls utest_fail() to fail. */
struct utest {
	const char *name;
	void (*fn)(void);
};

/* A test program: its tests and how the runner treats them. */
struct utest_suite {
	const char *prog;		/* "usertests": starts every output line */
	const struct utest *tests;
	size_t ntests;
	unsigned alarm_seconds;		/* each test's own alarm */
	bool alarm_reason;		/* that alarm fails the test as "timed out (hang?)"
					 * (else SIGALRM just kills it) */
	unsigned watchdog_grace;	/* 0, or: the test runs in a process group of its
					 * own, killed this many seconds after its alarm
					 * (for a hang with SIGALRM blocked) */
};

/*
 * Runs the suite for main(): with no arguments every test, else the named
 * ones ("PROG: FAIL name: no such test" for an unknown name); "--list" as
 * argv[1] prints the names only.  Returns the exit status: 1 if any test
 * failed, else 0.
 */
int utest_main(const struct utest_suite *s, int argc, char **argv);

/* printf to stdout in one write(); exits the process (2) if that fails. */
__attribute__((format(printf, 1, 2))) void utest_print(const char *fmt, ...);

/*
 * Writes prefix, the formatted message and "\n" to fd in one write()
 * (at most 511 bytes in all).  Returns 0, or -1 when the write fails.
 */
int utest_vline(int fd, const char *prefix, const char *fmt, va_list ap);

/*
 * Ends the current test (from any of its threads or forked helpers that
 * share its reason pipe) as failed with a printf-style reason.
 */
__attribute__((noreturn, format(printf, 1, 2))) void utest_fail(const char *fmt, ...);

/* fork(), failing the test when it fails. */
pid_t utest_fork(void);

/* Waits for pid (retrying EINTR); returns its wait status. */
int utest_wait(pid_t pid);

/* Nanoseconds of CLOCK_MONOTONIC, via the raw syscall. */
int64_t utest_now_ns(void);

/* Sleeps at least ns nanoseconds (through EINTR). */
void utest_sleep_ns(int64_t ns);

/* write()/read() exactly n bytes (or fail the test). */
void utest_write_all(int fd, const void *buf, size_t n);
void utest_read_all(int fd, void *buf, size_t n);

#define UT_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond))                                                   \
			utest_fail("line %d: %s (errno %d)", __LINE__, #cond, errno); \
	} while (0)

/* A call that must fail with errno err (libc convention: -1 and errno). */
#define UT_CHECK_ERR(call, err)                                                   \
	do {                                                                      \
		long ut_r_;                                                       \
		errno = 0;                                                        \
		ut_r_ = (long)(call);                                             \
		if (ut_r_ != -1 || errno != (err))                                \
			utest_fail("line %d: %s = %ld, errno %d (%s), want %s", __LINE__, \
				   #call, ut_r_, errno, strerror(errno), #err);   \
	} while (0)

/* A call that must not fail; evaluates to its result. */
#define UT_OK(call)                                                               \
	({                                                                        \
		long ut_r_ = (long)(call);                                        \
		if (ut_r_ == -1)                                                  \
			utest_fail("line %d: %s failed: %s", __LINE__, #call,     \
				   strerror(errno));                              \
		ut_r_;                                                            \
	})

/* A child's status must be "killed by sig". */
#define UT_CHECK_KILLED(status, sig)                                             \
	do {                                                                     \
		int ut_s_ = (status);                                            \
		if (!WIFSIGNALED(ut_s_) || WTERMSIG(ut_s_) != (sig))             \
			utest_fail("line %d: child status 0x%x, want killed by %s", \
				   __LINE__, ut_s_, #sig);                       \
	} while (0)

/* A child's status must be "exited with code". */
#define UT_CHECK_EXIT(status, code)                                              \
	do {                                                                     \
		int ut_s_ = (status);                                            \
		if (!WIFEXITED(ut_s_) || WEXITSTATUS(ut_s_) != (code))           \
			utest_fail("line %d: child status 0x%x, want exit %d",   \
				   __LINE__, ut_s_, (int)(code));                \
	} while (0)

#endif /* UTEST_H */

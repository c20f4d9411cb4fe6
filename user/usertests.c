/*
 * usertests.c - Keel's user-space test suite: the runner and shared helpers.
 *
 *   usertests              run every test
 *   usertests name...      run the named tests only
 *   usertests --list       print the test names
 *
 * Each test runs in a child process of its own (so a crash fails that test
 * only) with a 30 s alarm; its failure reason comes back through a pipe.
 * Output is one "usertests: PASS name" or "usertests: FAIL name: reason"
 * line per test and "usertests: N passed, N failed" last; the exit status is
 * 1 if any test failed.
 *
 * Helper programs are found in $USERTESTS_BIN, else next to argv[0], else in
 * /bin: on Keel that is /bin/usertests and /bin/hello; on Linux run
 * `USERTESTS_BIN=build/user build/user/usertests` (or just
 * build/user/usertests).  Scratch files go to /tmp/ut.<pid>.*.
 *
 * The binary doubles as a helper for the exec tests (argv[1] "--echo",
 * "--fdcheck"; see ut_proc.c) and, as "--orphan-init", as an init that
 * exits leaving a child and a grandchild behind (see ut_regress.c).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "usertests.h"

#define UT_ALARM_SECONDS 30
#define UT_REASON_MAX 512

struct ut_test {
	const char *name;
	void (*fn)(void);
};

#define UT_ENTRY(name) { #name, ut_##name },
static const struct ut_test ut_tests[] = { UT_TESTS(UT_ENTRY) };
#undef UT_ENTRY
#define UT_NTESTS (sizeof(ut_tests) / sizeof(ut_tests[0]))

static int ut_reason_fd = -1;	/* write end of the reason pipe, in a test child */
static char ut_bin[256] = "/bin";

static void ut_print(const char *fmt, ...)
{
	char buf[UT_REASON_MAX + 128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) < 0)
		_exit(2);
}

void ut_fail(const char *fmt, ...)
{
	char buf[UT_REASON_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (ut_reason_fd >= 0 && n > 0 && write(ut_reason_fd, buf, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

const char *ut_bindir(void)
{
	return ut_bin;
}

void ut_binpath(char *buf, size_t size, const char *prog)
{
	snprintf(buf, size, "%s/%s", ut_bin, prog);
}

void ut_tmppath(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "/tmp/ut.%d.%s", (int)getpid(), tag);
}

int ut_wait(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			ut_fail("waitpid(%d): %s", (int)pid, strerror(errno));
	}
	return status;
}

int ut_in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		ut_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return ut_wait(pid);
}

int64_t ut_now_ns(void)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
		ut_fail("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ut_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			ut_fail("write(%d, %zu): %s", fd, n, w < 0 ? strerror(errno) : "0");
		p += w;
		n -= (size_t)w;
	}
}

void ut_read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			ut_fail("read(%d, %zu): %s", fd, n, r < 0 ? strerror(errno) : "EOF");
		p += r;
		n -= (size_t)r;
	}
}

/* The child side of one test. */
static void ut_child(const struct ut_test *t, int reason_fd)
{
	struct rlimit no_core = { 0, 0 };

	ut_reason_fd = reason_fd;
	setrlimit(RLIMIT_CORE, &no_core);	/* tests crash children on purpose */
	alarm(UT_ALARM_SECONDS);
	t->fn();
	_exit(0);
}

/* As PID 1 (init exec'd us), orphans of the tests become ours: reap them. */
static void ut_reap_orphans(void)
{
	int status;

	if (getpid() != 1)
		return;
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

/* Runs one test in a child; prints its line; returns true when it passed. */
static bool ut_run(const struct ut_test *t)
{
	char reason[UT_REASON_MAX + 1];
	size_t len = 0;
	int p[2], status;
	ssize_t r;
	pid_t pid;

	if (pipe(p) < 0) {
		ut_print("usertests: FAIL %s: pipe: %s\n", t->name, strerror(errno));
		return false;
	}
	pid = fork();
	if (pid < 0) {
		ut_print("usertests: FAIL %s: fork: %s\n", t->name, strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		close(p[0]);
		ut_child(t, p[1]);
	}
	close(p[1]);
	while (len < UT_REASON_MAX && ((r = read(p[0], reason + len, UT_REASON_MAX - len)) > 0 ||
				       (r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	close(p[0]);
	reason[len] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ut_print("usertests: FAIL %s: waitpid: %s\n", t->name, strerror(errno));
			return false;
		}
	}
	ut_reap_orphans();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && len == 0) {
		ut_print("usertests: PASS %s\n", t->name);
		return true;
	}
	if (len == 0 && WIFSIGNALED(status))
		snprintf(reason, sizeof(reason), "killed by signal %d", WTERMSIG(status));
	else if (len == 0)
		snprintf(reason, sizeof(reason), "exit status %d", WEXITSTATUS(status));
	ut_print("usertests: FAIL %s: %s\n", t->name, reason);
	return false;
}

static void ut_set_bindir(const char *argv0)
{
	const char *env = getenv("USERTESTS_BIN");
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (env && *env)
		snprintf(ut_bin, sizeof(ut_bin), "%s", env);
	else if (slash && slash != argv0)
		snprintf(ut_bin, sizeof(ut_bin), "%.*s", (int)(slash - argv0), argv0);
	else if (slash)
		snprintf(ut_bin, sizeof(ut_bin), "/");
}

int main(int argc, char **argv, char **envp)
{
	int passed = 0, failed = 0;

	if (argc > 1 && strcmp(argv[1], "--echo") == 0)
		return ut_helper_echo(argc, argv, envp);
	if (argc > 1 && strcmp(argv[1], "--fdcheck") == 0)
		return ut_helper_fdcheck(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--orphan-init") == 0)
		return ut_helper_orphan_init();
	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < UT_NTESTS; i++)
			ut_print("%s\n", ut_tests[i].name);
		return 0;
	}
	ut_set_bindir(argc > 0 ? argv[0] : NULL);
	signal(SIGPIPE, SIG_DFL);

	if (argc <= 1) {
		for (size_t i = 0; i < UT_NTESTS; i++)
			ut_run(&ut_tests[i]) ? passed++ : failed++;
	}
	for (int a = 1; a < argc; a++) {
		size_t i = 0;

		while (i < UT_NTESTS && strcmp(ut_tests[i].name, argv[a]) != 0)
			i++;
		if (i == UT_NTESTS) {
			ut_print("usertests: FAIL %s: no such test\n", argv[a]);
			failed++;
			continue;
		}
		ut_run(&ut_tests[i]) ? passed++ : failed++;
	}
	ut_print("usertests: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/*
 * utest.c - the library shared by Keel's user-space test programs: output
 * in single write()s, test helpers, and the fork-per-test runner.
 * Interface and rules in utest.h.
 *
 * The runner forks one child per test with a pipe for the failure reason:
 * utest_fail() writes the reason there and exits, so a test passes exactly
 * when its child exits 0 having written nothing.  A child that dies without
 * a reason is reported by its wait status ("killed by signal N", "exit
 * status N").  With a watchdog, the runner arms its own alarm too and kills
 * the child's process group when that fires.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

#define UTEST_LINE_MAX 512

static int utest_reason_fd = -1;	/* write end of the reason pipe, in a test child */

void utest_print(const char *fmt, ...)
{
	char buf[UTEST_REASON_MAX + 128];
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

int utest_vline(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char buf[UTEST_LINE_MAX];
	size_t plen = strnlen(prefix, sizeof(buf) / 2);
	int n;

	memcpy(buf, prefix, plen);
	n = (int)plen + vsnprintf(buf + plen, sizeof(buf) - 1 - plen, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	return write(fd, buf, (size_t)n) < 0 ? -1 : 0;
}

void utest_fail(const char *fmt, ...)
{
	char buf[UTEST_REASON_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (utest_reason_fd >= 0 && n > 0 && write(utest_reason_fd, buf, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

pid_t utest_fork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		utest_fail("fork: %s", strerror(errno));
	return pid;
}

int utest_wait(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			utest_fail("waitpid(%d): %s", (int)pid, strerror(errno));
	}
	return status;
}

int64_t utest_now_ns(void)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
		utest_fail("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * UTEST_SEC + ts.tv_nsec;
}

void utest_sleep_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / UTEST_SEC), (long)(ns % UTEST_SEC) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void utest_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			utest_fail("write(%d, %zu): %s", fd, n, w < 0 ? strerror(errno) : "0");
		p += w;
		n -= (size_t)w;
	}
}

void utest_read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			utest_fail("read(%d, %zu): %s", fd, n, r < 0 ? strerror(errno) : "EOF");
		p += r;
		n -= (size_t)r;
	}
}

/* ----------------------------------------------------------------- runner */

/* SIGALRM in a test child, for suites with alarm_reason. */
static void utest_alarm(int sig)
{
	static const char msg[] = "timed out (hang?)";

	(void)sig;
	if (utest_reason_fd >= 0 && write(utest_reason_fd, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* The child side of one test. */
static void utest_child(const struct utest_suite *s, const struct utest *t, int reason_fd)
{
	struct rlimit no_core = { 0, 0 };

	utest_reason_fd = reason_fd;
	setrlimit(RLIMIT_CORE, &no_core);	/* tests crash children on purpose */
	if (s->alarm_reason)
		signal(SIGALRM, utest_alarm);
	alarm(s->alarm_seconds);
	t->fn();
	_exit(0);
}

/* As PID 1 (init exec'd us), orphans of the tests become ours: reap them. */
static void utest_reap_orphans(void)
{
	int status;

	if (getpid() != 1)
		return;
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

static volatile pid_t utest_running;	/* the test child, for utest_watchdog */
static volatile sig_atomic_t utest_killed;

/*
 * The runner's own alarm: a test that hangs with SIGALRM blocked (musl
 * blocks signals inside pthread_create, for one) is killed with its
 * process group, so that the suite goes on.
 */
static void utest_watchdog(int sig)
{
	(void)sig;
	utest_killed = 1;
	kill(-utest_running, SIGKILL);
	kill(utest_running, SIGKILL);
}

/* Arms the watchdog for the test child pid (when the suite has one). */
static void utest_watch(const struct utest_suite *s, pid_t pid)
{
	struct sigaction sa = { .sa_handler = utest_watchdog };	/* no SA_RESTART */

	utest_running = pid;
	utest_killed = 0;
	if (!s->watchdog_grace)
		return;
	sigaction(SIGALRM, &sa, NULL);
	alarm(s->alarm_seconds + s->watchdog_grace);
}

/* Runs one test in a child; prints its line; returns true when it passed. */
static bool utest_run(const struct utest_suite *s, const struct utest *t)
{
	char reason[UTEST_REASON_MAX + 1];
	size_t len = 0;
	int p[2], status;
	ssize_t r;
	pid_t pid;

	/* Close-on-exec: a program a test starts (a daemon that outlives it)
	 * must not hold the write end, or the reason is never read to EOF. */
	if (pipe2(p, O_CLOEXEC) < 0) {
		utest_print("%s: FAIL %s: pipe: %s\n", s->prog, t->name, strerror(errno));
		return false;
	}
	pid = fork();
	if (pid < 0) {
		utest_print("%s: FAIL %s: fork: %s\n", s->prog, t->name, strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		close(p[0]);
		if (s->watchdog_grace)
			setpgid(0, 0);	/* its own group, for utest_watchdog */
		utest_child(s, t, p[1]);
	}
	close(p[1]);
	utest_watch(s, pid);
	while (len < UTEST_REASON_MAX && !utest_killed &&
	       ((r = read(p[0], reason + len, UTEST_REASON_MAX - len)) > 0 ||
		(r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	close(p[0]);
	reason[len] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			alarm(0);
			utest_print("%s: FAIL %s: waitpid: %s\n", s->prog, t->name,
				    strerror(errno));
			return false;
		}
	}
	if (s->watchdog_grace)
		alarm(0);
	utest_reap_orphans();
	if (utest_killed) {
		utest_print("%s: FAIL %s: killed after %u s (hung with SIGALRM blocked?)\n",
			    s->prog, t->name, s->alarm_seconds + s->watchdog_grace);
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && len == 0) {
		utest_print("%s: PASS %s\n", s->prog, t->name);
		return true;
	}
	if (len == 0 && WIFSIGNALED(status))
		snprintf(reason, sizeof(reason), "killed by signal %d", WTERMSIG(status));
	else if (len == 0)
		snprintf(reason, sizeof(reason), "exit status %d", WEXITSTATUS(status));
	utest_print("%s: FAIL %s: %s\n", s->prog, t->name, reason);
	return false;
}

int utest_main(const struct utest_suite *s, int argc, char **argv)
{
	int passed = 0, failed = 0;

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < s->ntests; i++)
			utest_print("%s\n", s->tests[i].name);
		return 0;
	}
	signal(SIGPIPE, SIG_DFL);
	if (argc <= 1) {
		for (size_t i = 0; i < s->ntests; i++)
			utest_run(s, &s->tests[i]) ? passed++ : failed++;
	}
	for (int a = 1; a < argc; a++) {
		size_t i = 0;

		while (i < s->ntests && strcmp(s->tests[i].name, argv[a]) != 0)
			i++;
		if (i == s->ntests) {
			utest_print("%s: FAIL %s: no such test\n", s->prog, argv[a]);
			failed++;
			continue;
		}
		utest_run(s, &s->tests[i]) ? passed++ : failed++;
	}
	utest_print("%s: %d passed, %d failed\n", s->prog, passed, failed);
	return failed ? 1 : 0;
}

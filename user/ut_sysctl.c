/*
 * ut_sysctl.c - usertests: the /proc/sys files programs read, the limits
 * behind them, and pipe sizes (each case also passes on Linux as root).
 *
 *   sysctl_files          kernel/pid_max, kernel/ngroups_max,
 *                         vm/max_map_count, fs/pipe-max-size: one decimal
 *                         number and a newline
 *   sysctl_max_map_count  with the limit lowered (root writes the file), a
 *                         process maps only that many areas: mmap and a
 *                         splitting mprotect are ENOMEM; the limit comes
 *                         back
 *   pipe_size             F_GETPIPE_SZ is 64 KiB at first; F_SETPIPE_SZ
 *                         rounds up to a power of two of at least a page,
 *                         keeps the data, refuses to shrink below it
 *                         (EBUSY), needs privilege beyond pipe-max-size
 *                         (EPERM); other files are EBADF; a writer blocked
 *                         on a full pipe does not stop a resize, and gets
 *                         through after it
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "usertests.h"

#define SYSCTL_PIPE_MAX  "/proc/sys/fs/pipe-max-size"
#define SYSCTL_MAP_COUNT "/proc/sys/vm/max_map_count"
#define UT_PIPE_DEFAULT  65536
#define UT_PAGE          4096
#define UT_MAP_EXTRA     8            /* areas allowed beyond what is mapped */
#define UT_MAPS_MAX      64           /* more than UT_MAP_EXTRA + slack */
#define UT_BIG_WRITE     (200 * 1024) /* more than the default pipe holds */

/* The number in a /proc/sys file (one decimal and a newline), or -1. */
static long sysctl_read(const char *path)
{
	char buf[64], *end;
	ssize_t n;
	long v;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 1 || buf[n - 1] != '\n')
		return -1;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return end == buf + n - 1 && v > 0 ? v : -1;
}

static int sysctl_write(const char *path, long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", v);
	int fd = open(path, O_WRONLY);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, buf, (size_t)n);
	close(fd);
	return w == n ? 0 : -1;
}

void ut_sysctl_files(void)
{
	UT_CHECK(sysctl_read("/proc/sys/kernel/pid_max") > 0);
	UT_CHECK(sysctl_read("/proc/sys/kernel/ngroups_max") >= 32);
	UT_CHECK(sysctl_read(SYSCTL_MAP_COUNT) > 0);
	UT_CHECK(sysctl_read(SYSCTL_PIPE_MAX) >= UT_PIPE_DEFAULT);
}

/* Areas the process has: lines of /proc/self/maps. */
static int maps_count(void)
{
	char buf[4096];
	ssize_t n;
	int lines = 0, fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

static void map_count_child(void *arg)
{
	long limit = *(long *)arg;
	void *maps[UT_MAPS_MAX];
	int k = 0;

	/* A three-page area to split later, then pages of alternating
	 * protection (so that Linux cannot merge them) until refused. */
	char *three =
		mmap(NULL, 3 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK(three != MAP_FAILED);
	while (k < UT_MAPS_MAX) {
		void *p = mmap(NULL, UT_PAGE, k % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			UT_CHECK(errno == ENOMEM);
			break;
		}
		maps[k++] = p;
	}
	int total = maps_count();
	if (k >= UT_MAPS_MAX || total < limit - 2 || total > limit + 2)
		utest_fail("%d areas mapped, %d in all, limit %ld", k, total, limit);
	/* Splitting needs one more area: refused too. */
	UT_CHECK_ERR(mprotect(three + UT_PAGE, UT_PAGE, PROT_READ), ENOMEM);
	for (int i = 0; i < k; i++)
		munmap(maps[i], UT_PAGE);
}

void ut_sysctl_max_map_count(void)
{
	long old = sysctl_read(SYSCTL_MAP_COUNT), limit;
	int base = maps_count();

	UT_CHECK(old > 0 && base > 0);
	limit = base + UT_MAP_EXTRA;
	UT_OK(sysctl_write(SYSCTL_MAP_COUNT, limit));
	UT_CHECK(sysctl_read(SYSCTL_MAP_COUNT) == limit);
	int status = ut_in_child(map_count_child, &limit);
	UT_OK(sysctl_write(SYSCTL_MAP_COUNT, old));
	UT_CHECK(sysctl_read(SYSCTL_MAP_COUNT) == old);
	UT_CHECK_EXIT(status, 0);
}

static void pipe_size_user(void *arg)
{
	int *fds = arg;
	long max = sysctl_read(SYSCTL_PIPE_MAX);

	UT_OK(setuid(1000));
	UT_CHECK(fcntl(fds[1], F_SETPIPE_SZ, max) == max);
	UT_CHECK_ERR(fcntl(fds[1], F_SETPIPE_SZ, 2 * max), EPERM);
}

void ut_pipe_size(void)
{
	char path[256], buf[UT_PAGE * 2], back[UT_PAGE * 2];
	int fds[2], fd;
	pid_t pid;

	UT_OK(pipe(fds));
	UT_CHECK(fcntl(fds[0], F_GETPIPE_SZ) == UT_PIPE_DEFAULT);
	UT_CHECK(fcntl(fds[1], F_SETPIPE_SZ, 0) == UT_PAGE);
	UT_CHECK(fcntl(fds[1], F_SETPIPE_SZ, UT_PAGE + 1) == 2 * UT_PAGE);
	UT_CHECK(fcntl(fds[0], F_GETPIPE_SZ) == 2 * UT_PAGE);
	/* The data stays; it must still fit. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	UT_CHECK(write(fds[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	UT_CHECK_ERR(fcntl(fds[1], F_SETPIPE_SZ, UT_PAGE), EBUSY);
	UT_CHECK(fcntl(fds[1], F_SETPIPE_SZ, UT_PIPE_DEFAULT) == UT_PIPE_DEFAULT);
	UT_CHECK(read(fds[0], back, sizeof(back)) == (ssize_t)sizeof(back));
	UT_CHECK(memcmp(buf, back, sizeof(buf)) == 0);
	UT_CHECK_EXIT(ut_in_child(pipe_size_user, fds), 0);
	UT_CHECK_ERR(fcntl(fds[1], F_SETPIPE_SZ, 0x80000001ul), EINVAL); /* > 2 GiB */
	/* Not a pipe. */
	ut_tmppath(path, sizeof(path), "pipesz");
	fd = (int)UT_OK(open(path, O_CREAT | O_RDWR, 0600));
	UT_CHECK_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF);
	UT_CHECK_ERR(fcntl(fd, F_SETPIPE_SZ, UT_PAGE), EBADF);
	close(fd);
	unlink(path);
	/* A writer blocked on a full pipe, then a resize. */
	UT_CHECK(fcntl(fds[1], F_SETPIPE_SZ, UT_PIPE_DEFAULT) == UT_PIPE_DEFAULT);
	pid = utest_fork();
	if (pid == 0) {
		static char big[UT_BIG_WRITE];
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (char)(i % 251);
		_exit(write(fds[1], big, sizeof(big)) == (ssize_t)sizeof(big) ? 0 : 1);
	}
	utest_sleep_ns(50000000ll); /* let it fill the pipe and block */
	UT_CHECK(fcntl(fds[0], F_SETPIPE_SZ, 1 << 20) == 1 << 20);
	size_t got = 0;
	while (got < UT_BIG_WRITE) {
		ssize_t n = read(fds[0], back, sizeof(back));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (back[i] != (char)((got + (size_t)i) % 251))
				utest_fail("byte %zu is wrong", got + (size_t)i);
		got += (size_t)n;
	}
	UT_CHECK(got == UT_BIG_WRITE);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	close(fds[0]);
	close(fds[1]);
}

/*
 * ut_fd.c - usertests: pipes, file descriptors, bad arguments.
 *
 *   pipe_data         bytes arrive in order, within a process and across fork
 *   pipe_eof          read returns 0 once every write end is closed, and not
 *                     before (a forked child holds a copy)
 *   pipe_full_blocks  a writer of 256 KiB blocks when the pipe is full and
 *                     finishes once the reader drains it; no byte is lost
 *   pipe_sigpipe      writing to a pipe without readers kills with SIGPIPE,
 *                     or fails with EPIPE when SIGPIPE is ignored
 *   efault            every pointer-taking syscall used here returns EFAULT
 *                     for a low, a non-canonical and a kernel address
 *   ebadf             invalid, closed and wrong-direction fds give EBADF
 *   dup               dup takes the lowest free fd and shares the offset;
 *                     dup2/dup3/F_DUPFD/F_DUPFD_CLOEXEC/F_GETFD/F_SETFD
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include "usertests.h"

#define UT_BIG_PIPE (256u * 1024)
#define UT_BLOCK_WAIT_NS 100000000ll
#define UT_BAD_FD 1000

static void *const ut_bad_ptrs[] = { UT_BAD_LOW, UT_BAD_NONCANON, UT_BAD_KERNEL };
#define UT_NBAD (sizeof(ut_bad_ptrs) / sizeof(ut_bad_ptrs[0]))

static unsigned char ut_pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 8));
}

/* ---------------------------------------------------------------- pipes */

void ut_pipe_data(void)
{
	static unsigned char buf[3 * 4096 + 17];
	unsigned char in[sizeof(buf)];
	int p[2];
	pid_t pid;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = ut_pattern(i);
	UT_OK(pipe(p));
	UT_CHECK(write(p[1], "abc", 3) == 3 && write(p[1], "de", 2) == 2);
	UT_CHECK(read(p[0], in, sizeof(in)) == 5 && memcmp(in, "abcde", 5) == 0);
	UT_CHECK(write(p[1], "x", 0) == 0);

	pid = UT_OK(fork());
	if (pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < sizeof(buf); off += 1000)
			utest_write_all(p[1], buf + off, sizeof(buf) - off < 1000 ? sizeof(buf) - off : 1000);
		_exit(0);
	}
	close(p[1]);
	utest_read_all(p[0], in, sizeof(in));
	UT_CHECK(memcmp(in, buf, sizeof(buf)) == 0);
	UT_CHECK(read(p[0], in, 1) == 0);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	close(p[0]);
}

void ut_pipe_eof(void)
{
	int p[2], go[2];
	char buf[8];
	pid_t pid;

	UT_OK(pipe(p));
	UT_OK(pipe(go));
	pid = UT_OK(fork());
	if (pid == 0) {
		char c;

		close(p[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || write(p[1], "tail", 4) != 4)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	/* The child still holds a write end: no EOF yet, so data must come first. */
	utest_write_all(go[1], "g", 1);
	utest_read_all(p[0], buf, 4);
	UT_CHECK(memcmp(buf, "tail", 4) == 0);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK(read(p[0], buf, sizeof(buf)) == 0);	/* last writer gone */
	UT_CHECK(read(p[0], buf, sizeof(buf)) == 0);	/* and stays at EOF */
	close(p[0]);
	close(go[1]);
}

void ut_pipe_full_blocks(void)
{
	static unsigned char in[UT_BIG_PIPE];
	int p[2], status;
	pid_t pid;
	struct timespec ts = { 0, UT_BLOCK_WAIT_NS };

	UT_OK(pipe(p));
	pid = UT_OK(fork());
	if (pid == 0) {
		static unsigned char out[UT_BIG_PIPE];

		close(p[0]);
		for (size_t i = 0; i < sizeof(out); i++)
			out[i] = ut_pattern(i);
		utest_write_all(p[1], out, sizeof(out));
		_exit(0);
	}
	close(p[1]);
	nanosleep(&ts, NULL);
	UT_CHECK(waitpid(pid, &status, WNOHANG) == 0);	/* still blocked in write */
	utest_read_all(p[0], in, sizeof(in));
	UT_CHECK_EXIT(utest_wait(pid), 0);
	for (size_t i = 0; i < sizeof(in); i++)
		if (in[i] != ut_pattern(i))
			utest_fail("byte %zu is 0x%x, want 0x%x", i, in[i], ut_pattern(i));
	close(p[0]);
}

static void ut_write_to_pipe(void *arg)
{
	int fd = *(int *)arg;

	(void)write(fd, "x", 1);
	_exit(3);	/* must not get here */
}

void ut_pipe_sigpipe(void)
{
	int p[2];

	UT_OK(pipe(p));
	close(p[0]);
	UT_CHECK_KILLED(ut_in_child(ut_write_to_pipe, &p[1]), SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	UT_CHECK_ERR(write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

/* ---------------------------------------------------------------- EFAULT */

/* execve with bad pointers, in a child whose stdout is a dead pipe. */
static void ut_efault_execve(void *arg)
{
	void *bad = arg;
	char path[256], *badv[] = { bad, NULL }, *argv[] = { "hello", NULL }, *envp[] = { NULL };
	int p[2];

	if (pipe(p) < 0 || dup2(p[1], STDOUT_FILENO) < 0)
		_exit(10);
	close(p[0]);	/* a successful exec dies of SIGPIPE or prints nowhere */
	ut_binpath(path, sizeof(path), "hello");
	if (syscall(SYS_execve, bad, argv, envp) != -1 || errno != EFAULT)
		_exit(11);
	if (syscall(SYS_execve, path, bad, envp) != -1 || errno != EFAULT)
		_exit(12);
	if (syscall(SYS_execve, path, argv, bad) != -1 || errno != EFAULT)
		_exit(13);
	if (syscall(SYS_execve, path, badv, envp) != -1 || errno != EFAULT)
		_exit(14);
	if (syscall(SYS_execve, path, argv, badv) != -1 || errno != EFAULT)
		_exit(15);
	_exit(0);
}

static void ut_efault_one(void *bad)
{
	char name[256];
	int p[2], fd, dirfd, status;
	pid_t pid;

	UT_OK(pipe(p));
	utest_write_all(p[1], "data", 4);
	UT_CHECK_ERR(syscall(SYS_read, p[0], bad, 4), EFAULT);
	UT_CHECK_ERR(syscall(SYS_write, p[1], bad, 4), EFAULT);
	close(p[0]);
	close(p[1]);

	UT_CHECK_ERR(syscall(SYS_open, bad, O_RDONLY), EFAULT);
	UT_CHECK_ERR(syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY), EFAULT);
	UT_CHECK_ERR(syscall(SYS_stat, bad, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_stat, "/", bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, bad, bad, 0), EFAULT);
	UT_CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "/", bad, 0), EFAULT);
	UT_CHECK_ERR(syscall(SYS_fstat, 0, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_access, bad, F_OK), EFAULT);
	UT_CHECK_ERR(syscall(SYS_pipe, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_pipe2, bad, 0), EFAULT);
	UT_CHECK_ERR(syscall(SYS_getcwd, bad, 256), EFAULT);
	UT_CHECK_ERR(syscall(SYS_chdir, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_mkdir, bad, 0755), EFAULT);
	UT_CHECK_ERR(syscall(SYS_rmdir, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_unlink, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_nanosleep, bad, NULL), EFAULT);
	UT_CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, bad, NULL), EFAULT);
	UT_CHECK_ERR(syscall(SYS_uname, bad), EFAULT);
	UT_CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8), EFAULT);
	UT_CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8), EFAULT);

	ut_tmppath(name, sizeof(name), "efault");
	fd = UT_OK(open(name, O_RDWR | O_CREAT | O_TRUNC, 0644));
	utest_write_all(fd, "0123456789", 10);
	UT_CHECK_ERR(syscall(SYS_pread64, fd, bad, 4, 0), EFAULT);
	UT_CHECK_ERR(syscall(SYS_pwrite64, fd, bad, 4, 0), EFAULT);
	close(fd);
	unlink(name);
	dirfd = UT_OK(open("/", O_RDONLY | O_DIRECTORY));
	UT_CHECK_ERR(syscall(SYS_getdents64, dirfd, bad, 4096), EFAULT);
	close(dirfd);

	/* wait4 on a zombie with a bad status pointer (Linux reaps it anyway). */
	pid = UT_OK(fork());
	if (pid == 0)
		_exit(0);
	{
		struct timespec ts = { 0, 20000000 };

		nanosleep(&ts, NULL);	/* let it become a zombie */
	}
	UT_CHECK_ERR(syscall(SYS_wait4, pid, bad, 0, NULL), EFAULT);
	waitpid(pid, &status, 0);	/* if it was not reaped; ECHILD otherwise */

	UT_CHECK_EXIT(ut_in_child(ut_efault_execve, bad), 0);
}

void ut_efault(void)
{
	for (size_t i = 0; i < UT_NBAD; i++)
		ut_efault_one(ut_bad_ptrs[i]);
}

/* ---------------------------------------------------------------- EBADF */

void ut_ebadf(void)
{
	char name[256], c;
	struct stat st;
	int p[2], fd, closed;

	static const int bads[] = { -1, UT_BAD_FD, 0x7fffffff };
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int b = bads[i];

		UT_CHECK_ERR(read(b, &c, 1), EBADF);
		UT_CHECK_ERR(write(b, "x", 1), EBADF);
		UT_CHECK_ERR(close(b), EBADF);
		UT_CHECK_ERR(syscall(SYS_fstat, b, &st), EBADF);
		UT_CHECK_ERR(dup(b), EBADF);
		UT_CHECK_ERR(dup2(b, 50), EBADF);
		UT_CHECK_ERR(lseek(b, 0, SEEK_SET), EBADF);
		UT_CHECK_ERR(fcntl(b, F_GETFD), EBADF);
		UT_CHECK_ERR(syscall(SYS_getdents64, b, name, sizeof(name)), EBADF);
		UT_CHECK_ERR(pread(b, &c, 1, 0), EBADF);
		UT_CHECK_ERR(syscall(SYS_fchdir, b), EBADF);
	}
	UT_OK(pipe(p));
	UT_CHECK_ERR(write(p[0], "x", 1), EBADF);	/* read end */
	UT_CHECK_ERR(read(p[1], &c, 1), EBADF);		/* write end */
	UT_CHECK_ERR(dup2(p[0], -1), EBADF);
	closed = p[0];
	close(p[0]);
	close(p[1]);
	UT_CHECK_ERR(read(closed, &c, 1), EBADF);
	UT_CHECK_ERR(close(closed), EBADF);

	ut_tmppath(name, sizeof(name), "ebadf");
	fd = UT_OK(open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	UT_CHECK_ERR(read(fd, &c, 1), EBADF);
	close(fd);
	fd = UT_OK(open(name, O_RDONLY));
	UT_CHECK_ERR(write(fd, "x", 1), EBADF);
	close(fd);
	unlink(name);
}

/* ---------------------------------------------------------------- dup */

void ut_dup(void)
{
	char name[256], buf[8];
	int fd, a, b, c, d;

	ut_tmppath(name, sizeof(name), "dup");
	fd = UT_OK(open(name, O_RDWR | O_CREAT | O_TRUNC, 0644));
	a = UT_OK(dup(fd));
	b = UT_OK(dup(fd));
	c = UT_OK(dup(fd));
	UT_CHECK(a < b && b < c);
	close(a);
	close(b);
	UT_CHECK(dup(fd) == a);		/* lowest free */
	UT_CHECK(dup(fd) == b);

	/* Shared offset and status flags. */
	utest_write_all(fd, "12345", 5);
	UT_CHECK(lseek(a, 0, SEEK_CUR) == 5);
	UT_CHECK(lseek(b, 1, SEEK_SET) == 1);
	UT_CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "23", 2) == 0);

	/* dup clears FD_CLOEXEC; F_SETFD/F_GETFD. */
	UT_CHECK(fcntl(fd, F_GETFD) == 0);
	UT_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	UT_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	d = UT_OK(dup(fd));
	UT_CHECK(fcntl(d, F_GETFD) == 0);
	close(d);

	/* dup2: same fd is a no-op, an open target is closed first. */
	UT_CHECK(dup2(fd, fd) == fd);
	UT_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);	/* untouched by dup2(fd, fd) */
	UT_CHECK(dup2(fd, 50) == 50);
	UT_CHECK(dup2(a, 50) == 50);
	UT_CHECK(lseek(50, 0, SEEK_CUR) == 3);
	UT_CHECK(fcntl(50, F_GETFD) == 0);

	/* dup3, raw: musl's dup3() ignores flags other than O_CLOEXEC. */
	UT_CHECK_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_dup3, fd, 51, O_APPEND), EINVAL);
	UT_CHECK(syscall(SYS_dup3, fd, 51, O_CLOEXEC) == 51);
	UT_CHECK(fcntl(51, F_GETFD) == FD_CLOEXEC);
	UT_CHECK(syscall(SYS_dup3, fd, 51, 0) == 51);
	UT_CHECK(fcntl(51, F_GETFD) == 0);

	/* F_DUPFD / F_DUPFD_CLOEXEC: lowest free >= the argument. */
	d = UT_OK(fcntl(fd, F_DUPFD, 60));
	UT_CHECK(d == 60 && fcntl(d, F_GETFD) == 0);
	UT_CHECK(fcntl(fd, F_DUPFD, 60) == 61);
	d = UT_OK(fcntl(fd, F_DUPFD_CLOEXEC, 60));
	UT_CHECK(d == 62 && fcntl(d, F_GETFD) == FD_CLOEXEC);
	UT_CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);

	for (int i = 50; i <= 62; i++)
		close(i);
	close(a);
	close(b);
	close(c);
	close(fd);
	unlink(name);
}

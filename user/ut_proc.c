/*
 * ut_proc.c - usertests: processes and exec.
 *
 *   fork_exit_wait  exit codes 0/1/42/255 come back through waitpid; WNOHANG
 *                   on a live child returns 0; waiting with no child: ECHILD
 *   fork_chain      a chain of 10 processes, each waits for its child and
 *                   exits with the child's code + 1; getppid() is the parent
 *   fork_tree       depth 3, fanout 3 (39 processes): every node checks the
 *                   status of each of its children by pid
 *   reparent        an orphaned grandchild is re-parented: getppid() becomes
 *                   1 (init) or, where prctl(PR_SET_CHILD_SUBREAPER) works
 *                   (Linux), the test process, which then reaps it
 *   kill_pgrp       setpgid puts three children in one group; the group
 *                   outlives its leader; kill(-pgid) reaches every member
 *                   and not the caller; an emptied group is ESRCH
 *   exec_args_env   argv and envp arrive exactly (via "usertests --echo")
 *   exec_hello      /bin/hello runs and prints "hello, world"
 *   exec_fail       execve of a missing file: ENOENT, of a non-ELF file or an
 *                   ELF for another machine: ENOEXEC, of a directory: EACCES;
 *                   the caller goes on normally
 *   exec_cloexec    an FD_CLOEXEC fd is closed by exec, others stay open
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include "usertests.h"

#define UT_CHAIN_DEPTH 10
#define UT_TREE_DEPTH 3
#define UT_TREE_FANOUT 3
#define UT_TREE_BAD 100
#define UT_PGRP_MEMBERS 3
#define UT_PGRP_ALARM_S 30	/* a member left behind by a failed check ends */
#define UT_OUT_MAX 1024
#define EM_OTHER 183	/* e_machine of AArch64 */
#define E_MACHINE_OFF 18

/* ---------------------------------------------------------------- helpers */

static void ut_noop(void *arg)
{
	(void)arg;
}

/* "usertests --echo args...": prints each argv[i >= 2], "--", each envp. */
int ut_helper_echo(int argc, char **argv, char **envp)
{
	char buf[UT_OUT_MAX];
	size_t len = 0;

	for (int i = 2; i < argc; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", argv[i]);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "--\n");
	for (char **e = envp; *e && len < sizeof(buf); e++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", *e);
	if (len > sizeof(buf))
		len = sizeof(buf);
	return write(STDOUT_FILENO, buf, len) == (ssize_t)len ? 0 : 1;
}

/* "usertests --fdcheck OPEN CLOSED": exit 0 iff fd OPEN is open, CLOSED not. */
int ut_helper_fdcheck(int argc, char **argv)
{
	if (argc != 4)
		return 3;
	if (fcntl(atoi(argv[2]), F_GETFD) < 0)
		return 1;
	if (fcntl(atoi(argv[3]), F_GETFD) >= 0 || errno != EBADF)
		return 2;
	return 0;
}

/* Runs path with argv/envp, stdout into a pipe; returns the output and status. */
static int ut_exec_capture(const char *path, char *const argv[], char *const envp[], char *out,
			   size_t outsize)
{
	size_t len = 0;
	ssize_t r;
	int p[2];
	pid_t pid;

	UT_OK(pipe(p));
	pid = UT_OK(fork());
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(120);
		close(p[1]);
		execve(path, argv, envp);
		_exit(121);
	}
	close(p[1]);
	while (len + 1 < outsize && (r = read(p[0], out + len, outsize - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	return utest_wait(pid);
}

/* ---------------------------------------------------------------- fork/wait */

void ut_fork_exit_wait(void)
{
	static const int codes[] = { 0, 1, 42, 255 };
	int p[2], status;
	pid_t pid;
	char c;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid = UT_OK(fork());
		if (pid == 0)
			_exit(codes[i]);
		UT_CHECK_EXIT(utest_wait(pid), codes[i]);
	}
	/* WNOHANG on a child blocked in read(); then release it. */
	UT_OK(pipe(p));
	pid = UT_OK(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 'x' ? 7 : 8);
	}
	close(p[0]);
	UT_CHECK(waitpid(pid, &status, WNOHANG) == 0);
	utest_write_all(p[1], "x", 1);
	close(p[1]);
	UT_CHECK_EXIT(utest_wait(pid), 7);
	UT_CHECK_ERR(waitpid(pid, &status, 0), ECHILD); /* already reaped */
	UT_CHECK_ERR(wait4(-1, &status, 0, NULL), ECHILD); /* no children at all */
	UT_CHECK_ERR(syscall(SYS_wait4, pid, &status, 0x100, NULL), EINVAL); /* bad option bit */
}

static int ut_chain(int depth)
{
	pid_t me = getpid(), pid;
	int status;

	if (depth == 0)
		return 0;
	pid = fork();
	if (pid < 0)
		return 200;
	if (pid == 0)
		_exit(getppid() == me ? ut_chain(depth - 1) : 201);
	status = utest_wait(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) + 1 : 202;
}

void ut_fork_chain(void)
{
	int got = ut_chain(UT_CHAIN_DEPTH);

	if (got != UT_CHAIN_DEPTH)
		utest_fail("chain of %d returned %d", UT_CHAIN_DEPTH, got);
}

/* A tree node: forks its children, checks each, exits with index + 1. */
static int ut_tree(int depth, int index)
{
	pid_t kids[UT_TREE_FANOUT];
	int bad = 0;

	if (depth == 0)
		return index + 1;
	for (int i = 0; i < UT_TREE_FANOUT; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return UT_TREE_BAD;
		if (kids[i] == 0)
			_exit(ut_tree(depth - 1, i));
	}
	for (int i = UT_TREE_FANOUT - 1; i >= 0; i--) {	/* not in fork order */
		int status = utest_wait(kids[i]);

		if (!WIFEXITED(status) || WEXITSTATUS(status) != i + 1)
			bad = 1;
	}
	return bad ? UT_TREE_BAD : index + 1;
}

void ut_fork_tree(void)
{
	int got = ut_tree(UT_TREE_DEPTH, 0);

	if (got != 1)
		utest_fail("tree returned %d (%d = a node saw a wrong status)", got, UT_TREE_BAD);
}

/*
 * Orphan a grandchild: the middle process exits, the grandchild polls until
 * getppid() changes and reports the new parent through a pipe.  This
 * process first tries to become a child subreaper, so that the test means
 * the same under Linux service managers (which are subreapers themselves)
 * as on Keel: the new parent must be 1 (init) or, where the prctl worked,
 * this process, which must then be able to reap the grandchild.
 */
void ut_reparent(void)
{
	bool subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
	struct { pid_t self, ppid; } msg;
	pid_t middle;
	int p[2];

	UT_OK(pipe(p));
	middle = UT_OK(fork());
	if (middle == 0) {
		pid_t me = getpid(), g = fork();

		if (g < 0)
			_exit(1);
		if (g == 0) {
			struct timespec ms = { 0, 1000000 };
			int64_t deadline = utest_now_ns() + 5000000000ll;

			close(p[0]);
			while (getppid() == me && utest_now_ns() < deadline)
				nanosleep(&ms, NULL);
			msg.self = getpid();
			msg.ppid = getppid();
			_exit(write(p[1], &msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
		}
		_exit(0);
	}
	close(p[1]);
	UT_CHECK_EXIT(utest_wait(middle), 0);
	utest_read_all(p[0], &msg, sizeof(msg));
	close(p[0]);
	if (msg.ppid == getpid() && subreaper)
		UT_CHECK_EXIT(utest_wait(msg.self), 0);	/* we inherited it: reap it */
	else if (msg.ppid != 1)
		utest_fail("orphan's parent is %d, want 1%s", (int)msg.ppid,
			subreaper ? " or this subreaper" : "");
}

/* ---------------------------------------------------------------- groups */

void ut_kill_pgrp(void)
{
	pid_t kids[UT_PGRP_MEMBERS], pgid;

	for (int i = 0; i < UT_PGRP_MEMBERS; i++) {
		kids[i] = UT_OK(fork());
		if (kids[i] == 0) {
			alarm(UT_PGRP_ALARM_S);
			for (;;)
				pause();
		}
		/* By the parent, so the group is whole before the first kill. */
		UT_OK(setpgid(kids[i], kids[0]));
	}
	pgid = kids[0];
	for (int i = 0; i < UT_PGRP_MEMBERS; i++)
		UT_CHECK(getpgid(kids[i]) == pgid);
	UT_CHECK(getpgid(0) != pgid);

	/* The leader goes; its group lives on in the other members. */
	UT_OK(kill(kids[0], SIGKILL));
	UT_CHECK_KILLED(utest_wait(kids[0]), SIGKILL);
	UT_OK(kill(-pgid, 0));
	UT_CHECK(getpgid(kids[1]) == pgid);

	UT_OK(kill(-pgid, SIGKILL));	/* every member, not us */
	for (int i = 1; i < UT_PGRP_MEMBERS; i++)
		UT_CHECK_KILLED(utest_wait(kids[i]), SIGKILL);
	UT_CHECK_ERR(kill(-pgid, 0), ESRCH);
}

/* ---------------------------------------------------------------- exec */

void ut_exec_args_env(void)
{
	char path[256], out[UT_OUT_MAX];
	char *argv[] = { "usertests", "--echo", "one", "two words", "", "last", NULL };
	char *envp[] = { "KEEL=1", "EMPTY=", "LONG=" "0123456789abcdef0123456789abcdef", NULL };
	const char *want = "one\ntwo words\n\nlast\n--\nKEEL=1\nEMPTY=\n"
			   "LONG=0123456789abcdef0123456789abcdef\n";
	char *noenv[] = { NULL };

	ut_binpath(path, sizeof(path), "usertests");
	UT_CHECK_EXIT(ut_exec_capture(path, argv, envp, out, sizeof(out)), 0);
	if (strcmp(out, want) != 0)
		utest_fail("--echo printed \"%s\", want \"%s\"", out, want);
	argv[2] = NULL;	/* no arguments, empty environment */
	UT_CHECK_EXIT(ut_exec_capture(path, argv, noenv, out, sizeof(out)), 0);
	if (strcmp(out, "--\n") != 0)
		utest_fail("--echo with nothing printed \"%s\"", out);
}

void ut_exec_hello(void)
{
	char path[256], out[UT_OUT_MAX];
	char *argv[] = { "hello", "from-usertests", NULL };
	char *envp[] = { "HELLO=keel", NULL };

	ut_binpath(path, sizeof(path), "hello");
	UT_CHECK_EXIT(ut_exec_capture(path, argv, envp, out, sizeof(out)), 0);
	if (strncmp(out, "hello, world\n", 13) != 0 || !strstr(out, "from-usertests") ||
	    !strstr(out, "HELLO=keel"))
		utest_fail("hello printed \"%s\"", out);
}

/* Writes a file of n bytes with mode 0755. */
static void ut_make_file(const char *path, const void *data, size_t n)
{
	int fd = UT_OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755));

	utest_write_all(fd, data, n);
	UT_OK(close(fd));
}

/* Copies the hello binary to path with e_machine changed. */
static void ut_make_foreign_elf(const char *path)
{
	static char buf[1 << 20];
	char hello[256];
	size_t n = 0;
	ssize_t r;
	int fd;

	ut_binpath(hello, sizeof(hello), "hello");
	fd = UT_OK(open(hello, O_RDONLY));
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	close(fd);
	UT_CHECK(n > 64 && memcmp(buf, "\177ELF", 4) == 0);
	buf[E_MACHINE_OFF] = (char)EM_OTHER;
	buf[E_MACHINE_OFF + 1] = 0;
	ut_make_file(path, buf, n);
}

void ut_exec_fail(void)
{
	char junk[256], foreign[256];
	char *argv[] = { "x", NULL }, *envp[] = { NULL };
	int p[2];
	char c;

	ut_tmppath(junk, sizeof(junk), "junk");
	ut_tmppath(foreign, sizeof(foreign), "foreign");
	ut_make_file(junk, "this is not a program\n", 22);
	ut_make_foreign_elf(foreign);

	UT_CHECK_ERR(execve("/nonexistent/program", argv, envp), ENOENT);
	UT_CHECK_ERR(execve(junk, argv, envp), ENOEXEC);
	UT_CHECK_ERR(execve(foreign, argv, envp), ENOEXEC);
	UT_CHECK_ERR(execve("/tmp", argv, envp), EACCES);
	unlink(junk);
	unlink(foreign);

	/* Still a whole process: memory, fds and fork work. */
	UT_OK(pipe(p));
	utest_write_all(p[1], "k", 1);
	utest_read_all(p[0], &c, 1);
	UT_CHECK(c == 'k');
	UT_CHECK_EXIT(ut_in_child(ut_noop, NULL), 0);
}

void ut_exec_cloexec(void)
{
	char path[256], a[16], b[16], out[UT_OUT_MAX];
	char *argv[] = { "usertests", "--fdcheck", a, b, NULL }, *envp[] = { NULL };
	int keep, gone;

	keep = UT_OK(open("/", O_RDONLY | O_DIRECTORY));
	gone = UT_OK(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	snprintf(a, sizeof(a), "%d", keep);
	snprintf(b, sizeof(b), "%d", gone);
	ut_binpath(path, sizeof(path), "usertests");
	UT_CHECK_EXIT(ut_exec_capture(path, argv, envp, out, sizeof(out)), 0);
	/* The same through F_SETFD. */
	UT_OK(fcntl(keep, F_SETFD, FD_CLOEXEC));
	UT_OK(fcntl(gone, F_SETFD, 0));
	snprintf(a, sizeof(a), "%d", gone);
	snprintf(b, sizeof(b), "%d", keep);
	UT_CHECK_EXIT(ut_exec_capture(path, argv, envp, out, sizeof(out)), 0);
}

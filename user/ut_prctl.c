/*
 * ut_prctl.c - usertests: the prctl options programs ask for (they pass
 * on Linux too).
 *
 *   prctl_pdeathsig       PR_SET/GET_PDEATHSIG: a child whose parent exits
 *                         gets the signal, with the parent's pid in
 *                         si_pid; fork does not inherit it; a bad signal
 *                         is EINVAL
 *   prctl_subreaper       PR_SET/GET_CHILD_SUBREAPER: an orphaned
 *                         grandchild is adopted by the subreaper, not
 *                         init, and the subreaper reaps it; one that was a
 *                         zombie already comes with a SIGCHLD, or is reaped
 *                         at once if the subreaper ignores SIGCHLD
 *   prctl_dumpable        PR_GET/SET_DUMPABLE: 1 at first, 0 once set,
 *                         2 is EINVAL, execve makes it 1 again; a change
 *                         of effective uid makes it 0 and clears the
 *                         parent-death signal
 *   prctl_no_new_privs    PR_SET/GET_NO_NEW_PRIVS: only (1, 0, 0, 0) sets
 *                         it, fork and execve keep it, it cannot be unset
 *                         (the set-user-ID side: perm_setuid_exec)
 *   clone_parent          clone(CLONE_PARENT) makes a sibling: the caller's
 *                         parent is its parent and reaps it, the caller
 *                         cannot (ECHILD)
 *   pidfd_basics          pidfd_open: close-on-exec, EINVAL for bad flags
 *                         and pids, ESRCH for none; it polls readable
 *                         only once the process exited; pidfd_send_signal
 *                         delivers with si_pid, refuses flags and a
 *                         mismatched siginfo, and is ESRCH once the
 *                         process was reaped; other files are EBADF
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "usertests.h"

#define PRCTL_POLL_NS 10000000ll /* 10 ms between looks */
#define PRCTL_POLLS   500        /* 5 s in all */

static volatile sig_atomic_t pd_pid;

static void pd_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	pd_pid = si->si_pid;
}

void ut_prctl_pdeathsig(void)
{
	int ready[2], result[2];
	pid_t p;

	UT_CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL);
	UT_OK(pipe(ready));
	UT_OK(pipe(result));
	p = utest_fork();
	if (p == 0) {
		pid_t c = utest_fork();
		if (c == 0) {
			struct sigaction sa = { .sa_sigaction = pd_handler,
						.sa_flags = SA_SIGINFO };
			int got = 0, inherited = -1;
			pid_t me = getppid();

			sigaction(SIGUSR1, &sa, NULL);
			UT_OK(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
			UT_OK(prctl(PR_GET_PDEATHSIG, &got, 0, 0, 0));
			/* A child of ours does not inherit it. */
			pid_t gc = utest_fork();
			if (gc == 0) {
				prctl(PR_GET_PDEATHSIG, &inherited, 0, 0, 0);
				_exit(inherited == 0 ? 0 : 1);
			}
			UT_CHECK_EXIT(utest_wait(gc), 0);
			UT_CHECK(write(ready[1], "r", 1) == 1);
			for (int i = 0; i < PRCTL_POLLS && !pd_pid; i++)
				utest_sleep_ns(PRCTL_POLL_NS);
			int ok = got == SIGUSR1 && pd_pid == me;
			UT_CHECK(write(result[1], &ok, sizeof(ok)) == sizeof(ok));
			_exit(0);
		}
		char b;
		UT_CHECK(read(ready[0], &b, 1) == 1);
		_exit(0); /* the parent dies: c gets SIGUSR1 */
	}
	close(ready[1]);
	close(result[1]);
	UT_CHECK_EXIT(utest_wait(p), 0);
	int ok = 0;
	UT_CHECK(read(result[0], &ok, sizeof(ok)) == sizeof(ok));
	UT_CHECK(ok == 1);
	close(ready[0]);
	close(result[0]);
}

static void subreaper(void *arg)
{
	int got = -1, ready[2];
	pid_t me = getpid(), p, c = 0;

	(void)arg;
	UT_OK(prctl(PR_GET_CHILD_SUBREAPER, &got, 0, 0, 0));
	UT_CHECK(got == 0);
	UT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	UT_OK(prctl(PR_GET_CHILD_SUBREAPER, &got, 0, 0, 0));
	UT_CHECK(got == 1);
	UT_OK(pipe(ready));
	p = utest_fork();
	if (p == 0) {
		pid_t gc = utest_fork();
		if (gc == 0) {
			/* Wait for the adoption, then exit with what we saw. */
			for (int i = 0; i < PRCTL_POLLS && getppid() != me; i++)
				utest_sleep_ns(PRCTL_POLL_NS);
			_exit(getppid() == me ? 42 : 1);
		}
		UT_CHECK(write(ready[1], &gc, sizeof(gc)) == sizeof(gc));
		_exit(0);
	}
	UT_CHECK(read(ready[0], &c, sizeof(c)) == sizeof(c));
	UT_CHECK_EXIT(utest_wait(p), 0);
	UT_CHECK_EXIT(utest_wait(c), 42); /* ours to reap now */
}

#define UT_SEEN_MAX 8
static volatile pid_t ut_seen[UT_SEEN_MAX];
static volatile int ut_nseen;

static void ut_note_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (ut_nseen < UT_SEEN_MAX)
		ut_seen[ut_nseen++] = si->si_pid;
}

/* A zombie grandchild, orphaned: as if it died now, to the subreaper. */
static void subreaper_zombie(void *arg)
{
	struct sigaction sa = { .sa_sigaction = ut_note_chld, .sa_flags = SA_SIGINFO };
	bool ignore = arg != NULL;
	int pfd[2];
	pid_t p, g = 0;

	UT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	if (ignore)
		sa.sa_handler = SIG_IGN, sa.sa_flags = 0;
	UT_OK(sigaction(SIGCHLD, &sa, NULL));
	UT_OK(pipe(pfd));
	p = utest_fork();
	if (p == 0) {
		pid_t gc = utest_fork();
		if (gc == 0)
			_exit(5);
		UT_CHECK(write(pfd[1], &gc, sizeof(gc)) == sizeof(gc));
		utest_sleep_ns(100000000ll); /* gc is a zombie by now */
		_exit(0);
	}
	UT_CHECK(read(pfd[0], &g, sizeof(g)) == sizeof(g));
	if (ignore) {
		for (int i = 0; i < PRCTL_POLLS && kill(p, 0) == 0; i++)
			utest_sleep_ns(PRCTL_POLL_NS);
		utest_sleep_ns(PRCTL_POLL_NS);
		UT_CHECK_ERR(waitpid(g, NULL, WNOHANG), ECHILD); /* reaped for us */
		return;
	}
	for (int i = 0; i < PRCTL_POLLS; i++) {
		bool got = false;
		for (int k = 0; k < ut_nseen; k++)
			got |= ut_seen[k] == g;
		if (got)
			break;
		utest_sleep_ns(PRCTL_POLL_NS);
	}
	bool told = false;
	for (int k = 0; k < ut_nseen; k++)
		told |= ut_seen[k] == g;
	UT_CHECK(told); /* SIGCHLD with the grandchild's pid */
	UT_CHECK_EXIT(utest_wait(g), 5);
	UT_CHECK_EXIT(utest_wait(p), 0);
}

void ut_prctl_subreaper(void)
{
	UT_CHECK_EXIT(ut_in_child(subreaper, NULL), 0);
	UT_CHECK_EXIT(ut_in_child(subreaper_zombie, NULL), 0);
	UT_CHECK_EXIT(ut_in_child(subreaper_zombie, (void *)1), 0);
}

static void dumpable(void *arg)
{
	char path[256];
	char *args[] = { "usertests", "--dumpable", NULL };
	pid_t pid;

	(void)arg;
	UT_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
	UT_OK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
	UT_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
	UT_CHECK_ERR(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	ut_binpath(path, sizeof(path), "usertests");
	pid = utest_fork();
	if (pid == 0) {
		execv(path, args);
		_exit(127);
	}
	UT_CHECK_EXIT(utest_wait(pid), 1); /* exec made it dumpable again */
}

static void dumpable_setuid(void *arg)
{
	int sig = -1;

	(void)arg;
	UT_OK(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
	UT_OK(setuid(1000)); /* new ids: not dumpable, no parent-death signal */
	UT_CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
	UT_OK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
	UT_CHECK(sig == 0);
}

void ut_prctl_dumpable(void)
{
	UT_CHECK_EXIT(ut_in_child(dumpable, NULL), 0);
	UT_CHECK_EXIT(ut_in_child(dumpable_setuid, NULL), 0);
}

int ut_helper_dumpable(void)
{
	return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

static void no_new_privs(void *arg)
{
	char path[256];
	char *args[] = { "usertests", "--nnp", NULL };
	pid_t pid;

	(void)arg;
	UT_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	UT_CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
	UT_CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	UT_CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	UT_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	UT_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	ut_binpath(path, sizeof(path), "usertests");
	pid = utest_fork();
	if (pid == 0) {
		execv(path, args);
		_exit(127);
	}
	UT_CHECK_EXIT(utest_wait(pid), 1); /* fork and exec kept it */
}

void ut_prctl_no_new_privs(void)
{
	UT_CHECK_EXIT(ut_in_child(no_new_privs, NULL), 0);
}

int ut_helper_nnp(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

#define UT_CLONE_PARENT 0x8000 /* <sched.h> hides it without _GNU_SOURCE */
#define UT_SIBLING_EXIT 7

void ut_clone_parent(void)
{
	int pfd[2];
	pid_t me = getpid(), mid, sib = 0, ppid = 0;

	UT_OK(pipe(pfd));
	mid = utest_fork();
	if (mid == 0) {
		pid_t c = (pid_t)syscall(SYS_clone, UT_CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
		if (c == 0) {
			pid_t pp = getppid();
			UT_CHECK(write(pfd[1], &pp, sizeof(pp)) == sizeof(pp));
			_exit(UT_SIBLING_EXIT);
		}
		UT_CHECK(c > 0);
		UT_CHECK(write(pfd[1], &c, sizeof(c)) == sizeof(c));
		UT_CHECK_ERR(waitpid(c, NULL, 0), ECHILD);
		_exit(0);
	}
	/* The sibling's pid (from mid) and its parent (from it), either order. */
	UT_CHECK(read(pfd[0], &sib, sizeof(sib)) == sizeof(sib));
	UT_CHECK(read(pfd[0], &ppid, sizeof(ppid)) == sizeof(ppid));
	if (sib == me) {
		sib = ppid;
		ppid = me;
	}
	UT_CHECK(ppid == me);
	UT_CHECK_EXIT(utest_wait(mid), 0);
	UT_CHECK_EXIT(utest_wait(sib), UT_SIBLING_EXIT);
	close(pfd[0]);
	close(pfd[1]);
}

static int ut_pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int ut_pidfd_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static short ut_poll1(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

void ut_pidfd_basics(void)
{
	int hold[2], fd;
	pid_t c;
	char b = 0;
	siginfo_t si;

	UT_CHECK_ERR(ut_pidfd_open(getpid(), 1), EINVAL);
	UT_CHECK_ERR(ut_pidfd_open(0, 0), EINVAL);
	UT_CHECK_ERR(ut_pidfd_open(-1, 0), EINVAL);
	UT_CHECK_ERR(ut_pidfd_open(4194000, 0), ESRCH);
	UT_OK(pipe(hold));
	c = utest_fork();
	if (c == 0) {
		close(hold[1]);
		(void)read(hold[0], &b, 1); /* until the parent closes it */
		_exit(3);
	}
	close(hold[0]);
	fd = (int)UT_OK(ut_pidfd_open(c, 0));
	UT_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	UT_CHECK(ut_poll1(fd) == 0);                           /* running: not readable */
	UT_CHECK_ERR(ut_pidfd_signal(fd, 0, NULL, 8), EINVAL); /* no flag of Linux 6.1 or later */
	UT_OK(ut_pidfd_signal(fd, 0, NULL, 0));                /* it exists */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	UT_CHECK_ERR(ut_pidfd_signal(fd, SIGUSR2, &si, 0), EINVAL); /* signo differs */
	si.si_code = SI_USER;
	UT_CHECK_ERR(ut_pidfd_signal(fd, SIGUSR1, &si, 0), EPERM); /* posing as kill */
	UT_CHECK_ERR(ut_pidfd_signal(0, SIGUSR1, NULL, 0), EBADF); /* stdin: no pidfd */
	close(hold[1]);                                            /* it exits with 3 */
	for (int i = 0; i < 500 && !(ut_poll1(fd) & POLLIN); i++)
		utest_sleep_ns(10000000ll);
	UT_CHECK(ut_poll1(fd) & POLLIN);
	UT_OK(ut_pidfd_signal(fd, SIGTERM, NULL, 0)); /* a zombie: lost, no error */
	UT_CHECK_EXIT(utest_wait(c), 3);
	UT_CHECK_ERR(ut_pidfd_signal(fd, SIGTERM, NULL, 0), ESRCH);
	close(fd);
	/* A signal through a pidfd reaches a handler with our pid. */
	c = utest_fork();
	if (c == 0) {
		struct sigaction sa = { .sa_sigaction = pd_handler, .sa_flags = SA_SIGINFO };
		sigaction(SIGUSR1, &sa, NULL);
		for (int i = 0; i < PRCTL_POLLS && !pd_pid; i++)
			utest_sleep_ns(PRCTL_POLL_NS);
		_exit(pd_pid == getppid() ? 0 : 1);
	}
	fd = (int)UT_OK(ut_pidfd_open(c, 0));
	utest_sleep_ns(50000000ll); /* let it install the handler */
	UT_OK(ut_pidfd_signal(fd, SIGUSR1, NULL, 0));
	UT_CHECK_EXIT(utest_wait(c), 0);
	close(fd);
}

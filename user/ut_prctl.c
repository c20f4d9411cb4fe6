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
 *                         init, and the subreaper reaps it
 *   prctl_dumpable        PR_GET/SET_DUMPABLE: 1 at first, 0 once set,
 *                         2 is EINVAL, execve makes it 1 again
 *   prctl_no_new_privs    PR_SET/GET_NO_NEW_PRIVS: only (1, 0, 0, 0) sets
 *                         it, fork and execve keep it, it cannot be unset
 *                         (the set-user-ID side: perm_setuid_exec)
 */
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

void ut_prctl_subreaper(void)
{
	UT_CHECK_EXIT(ut_in_child(subreaper, NULL), 0);
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

void ut_prctl_dumpable(void)
{
	UT_CHECK_EXIT(ut_in_child(dumpable, NULL), 0);
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

/*
 * ut_jobctl.c - job control (Linux semantics, man 7 signal, man 2 wait4,
 * waitid): stopping and continuing a process and how its parent learns
 * of it, and the orphaned-process-group rules.
 *
 *   jobctl_stop_cont       SIGSTOP/SIGTSTP stop, SIGCONT continues; wait4
 *                          WUNTRACED/WCONTINUED report each change once
 *   jobctl_waitid          waitid WSTOPPED/WCONTINUED/WEXITED/WNOWAIT with
 *                          siginfo: CLD_STOPPED/CONTINUED/EXITED/KILLED
 *   jobctl_sigchld_info    SIGCHLD with SA_SIGINFO: si_code CLD_STOPPED,
 *                          CLD_CONTINUED, CLD_EXITED, si_pid, si_status
 *   jobctl_nocldstop       SA_NOCLDSTOP: no SIGCHLD for stops, one for exit
 *   jobctl_kill_stopped    SIGKILL ends a stopped process, multi-threaded too
 *   jobctl_pending_cont    SIGCONT discards pending stops, a stop discards
 *                          a pending SIGCONT; a caught SIGCONT's handler runs
 *   jobctl_stop_restarts   a read and a nanosleep stopped and continued with
 *                          no handler go on as if nothing happened
 *   jobctl_orphan_hup      a group orphaned by an exit, with a stopped
 *                          member, gets SIGHUP then SIGCONT
 *   jobctl_orphan_tstp     SIGTSTP to an orphaned group is discarded,
 *                          SIGSTOP still stops
 *   jobctl_init_ignores    init (when the runner is PID 1) survives SIGUSR2
 *                          and SIGTERM it has no handler for
 *   jobctl_setpgid_errors  setpgid: EACCES after the child's exec, EPERM
 *                          for a session leader, a child in another
 *                          session, a group not in the session; ESRCH
 */
#include "usertests.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#define UT_JC_WAIT_MS  5000 /* longest wait for an event that must come */
#define UT_JC_STEP_MS  2
#define UT_JC_SLEEP_MS 300
#define UT_JC_PAUSE_MS 50
#define UT_NS_PER_MS   1000000ll

static void ut_jc_sleep_ms(int ms)
{
	utest_sleep_ns((int64_t)ms * UT_NS_PER_MS);
}

/* A child in a group of its own (not orphaned: its parent is in another
 * group of the same session) that waits for signals. */
static pid_t ut_jc_child(void)
{
	pid_t pid = UT_OK(fork());

	if (pid == 0) {
		setpgid(0, 0);
		alarm(UT_JC_WAIT_MS / 1000 * 2);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	return pid;
}

static int ut_jc_wait(pid_t pid, int options)
{
	int status = 0;
	pid_t r;

	while ((r = waitpid(pid, &status, options)) < 0 && errno == EINTR)
		;
	UT_CHECK(r == pid);
	return status;
}

void ut_jobctl_stop_cont(void)
{
	pid_t pid = ut_jc_child();
	int status;

	UT_OK(kill(pid, SIGSTOP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	UT_CHECK((status & 0xffff) == (0x7f | SIGSTOP << 8));
	/* Reported once. */
	UT_CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0);
	/* Not reported without WUNTRACED. */
	UT_CHECK(waitpid(pid, &status, WNOHANG) == 0);
	UT_OK(kill(pid, SIGCONT));
	status = ut_jc_wait(pid, WCONTINUED);
	UT_CHECK(WIFCONTINUED(status) && status == 0xffff);
	UT_CHECK(waitpid(pid, &status, WCONTINUED | WNOHANG) == 0);
	UT_OK(kill(pid, SIGTSTP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
	UT_OK(kill(pid, SIGCONT));
	status = ut_jc_wait(pid, WCONTINUED);
	UT_CHECK(WIFCONTINUED(status));
	UT_OK(kill(pid, SIGTERM));
	status = ut_jc_wait(pid, WUNTRACED | WCONTINUED);
	UT_CHECK_KILLED(status, SIGTERM);
}

static void ut_jc_waitid(pid_t pid, int options, int code, int st)
{
	siginfo_t si;

	memset(&si, 0xff, sizeof(si));
	UT_OK(waitid(P_PID, (id_t)pid, &si, options));
	if (si.si_signo != SIGCHLD || si.si_code != code || si.si_status != st ||
	    si.si_pid != pid || si.si_uid != getuid())
		utest_fail("waitid 0x%x: signo %d code %d status %d pid %d, want code %d status %d",
			   options, si.si_signo, si.si_code, si.si_status, si.si_pid, code, st);
}

void ut_jobctl_waitid(void)
{
	pid_t pid = ut_jc_child();
	siginfo_t si;

	UT_CHECK_ERR(waitid(P_PID, (id_t)pid, &si, WNOHANG), EINVAL);
	UT_OK(kill(pid, SIGSTOP));
	ut_jc_waitid(pid, WSTOPPED | WNOWAIT, CLD_STOPPED, SIGSTOP);
	ut_jc_waitid(pid, WSTOPPED, CLD_STOPPED, SIGSTOP); /* still there */
	memset(&si, 0xff, sizeof(si));
	UT_OK(waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG)); /* consumed */
	UT_CHECK(si.si_pid == 0);
	UT_OK(kill(pid, SIGCONT));
	ut_jc_waitid(pid, WCONTINUED | WEXITED, CLD_CONTINUED, SIGCONT);
	UT_OK(kill(pid, SIGKILL));
	ut_jc_waitid(pid, WEXITED | WSTOPPED | WNOWAIT, CLD_KILLED, SIGKILL);
	ut_jc_waitid(pid, WEXITED, CLD_KILLED, SIGKILL);
	UT_CHECK_ERR(waitid(P_PID, (id_t)pid, &si, WEXITED), ECHILD);

	pid = UT_OK(fork());
	if (pid == 0)
		_exit(3);
	ut_jc_waitid(pid, WEXITED, CLD_EXITED, 3);
}

static volatile sig_atomic_t ut_chld_count, ut_chld_code, ut_chld_status, ut_chld_pid;

static void ut_chld_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	ut_chld_code = si->si_code;
	ut_chld_status = si->si_status;
	ut_chld_pid = si->si_pid;
	ut_chld_count++;
}

static void ut_chld_install(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ut_chld_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | flags;
	UT_OK(sigaction(SIGCHLD, &sa, NULL));
}

/* Wait until the SIGCHLD handler has run n times in all. */
static void ut_chld_expect(int n)
{
	for (int ms = 0; ut_chld_count < n && ms < UT_JC_WAIT_MS; ms += UT_JC_STEP_MS)
		ut_jc_sleep_ms(UT_JC_STEP_MS);
	if (ut_chld_count != n)
		utest_fail("SIGCHLD handler ran %d times, want %d", (int)ut_chld_count, n);
}

void ut_jobctl_sigchld_info(void)
{
	pid_t pid;
	int status;

	ut_chld_install(0);
	pid = ut_jc_child();
	UT_OK(kill(pid, SIGSTOP));
	ut_chld_expect(1);
	UT_CHECK(ut_chld_code == CLD_STOPPED && ut_chld_status == SIGSTOP && ut_chld_pid == pid);
	UT_OK(kill(pid, SIGCONT));
	ut_chld_expect(2);
	UT_CHECK(ut_chld_code == CLD_CONTINUED && ut_chld_status == SIGCONT);
	UT_OK(kill(pid, SIGKILL));
	ut_chld_expect(3);
	UT_CHECK(ut_chld_code == CLD_KILLED && ut_chld_status == SIGKILL && ut_chld_pid == pid);
	status = ut_jc_wait(pid, 0);
	UT_CHECK_KILLED(status, SIGKILL);

	pid = UT_OK(fork());
	if (pid == 0)
		_exit(7);
	ut_chld_expect(4);
	UT_CHECK(ut_chld_code == CLD_EXITED && ut_chld_status == 7 && ut_chld_pid == pid);
	status = ut_jc_wait(pid, 0);
	UT_CHECK_EXIT(status, 7);
}

void ut_jobctl_nocldstop(void)
{
	pid_t pid;
	int status;

	ut_chld_install(SA_NOCLDSTOP);
	pid = ut_jc_child();
	UT_OK(kill(pid, SIGSTOP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status));
	UT_OK(kill(pid, SIGCONT));
	status = ut_jc_wait(pid, WCONTINUED);
	UT_CHECK(WIFCONTINUED(status));
	ut_jc_sleep_ms(UT_JC_PAUSE_MS);
	UT_CHECK(ut_chld_count == 0);
	UT_OK(kill(pid, SIGKILL));
	ut_chld_expect(1);
	UT_CHECK(ut_chld_code == CLD_KILLED);
	ut_jc_wait(pid, 0);
}

static void *ut_jc_spin(void *arg)
{
	(void)arg;
	for (;;)
		;
	return NULL;
}

void ut_jobctl_kill_stopped(void)
{
	pid_t pid = ut_jc_child();
	int status;

	UT_OK(kill(pid, SIGSTOP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status));
	UT_OK(kill(pid, SIGKILL));
	status = ut_jc_wait(pid, 0);
	UT_CHECK_KILLED(status, SIGKILL);

	/* Two threads, one spinning in user mode: both stop, then die. */
	pid = UT_OK(fork());
	if (pid == 0) {
		pthread_t th;
		setpgid(0, 0);
		alarm(UT_JC_WAIT_MS / 1000 * 2);
		if (pthread_create(&th, NULL, ut_jc_spin, NULL))
			_exit(1);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	ut_jc_sleep_ms(UT_JC_PAUSE_MS);
	UT_OK(kill(pid, SIGTSTP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
	UT_OK(kill(pid, SIGCONT));
	status = ut_jc_wait(pid, WCONTINUED);
	UT_CHECK(WIFCONTINUED(status));
	UT_OK(kill(pid, SIGSTOP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status));
	UT_OK(kill(pid, SIGKILL));
	status = ut_jc_wait(pid, 0);
	UT_CHECK_KILLED(status, SIGKILL);
}

static volatile sig_atomic_t ut_cont_caught;

static void ut_cont_handler(int sig)
{
	(void)sig;
	ut_cont_caught++;
}

static bool ut_jc_pending(int sig)
{
	sigset_t set;

	UT_OK(sigpending(&set));
	return sigismember(&set, sig);
}

void ut_jobctl_pending_cont(void)
{
	sigset_t block, old;
	struct sigaction sa;

	sigemptyset(&block);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGCONT);
	UT_OK(sigprocmask(SIG_BLOCK, &block, &old));
	UT_OK(raise(SIGTSTP));
	UT_CHECK(ut_jc_pending(SIGTSTP));
	UT_OK(raise(SIGCONT)); /* discards the pending stop */
	UT_CHECK(ut_jc_pending(SIGCONT) && !ut_jc_pending(SIGTSTP));
	UT_OK(raise(SIGTSTP)); /* discards the pending SIGCONT */
	UT_CHECK(ut_jc_pending(SIGTSTP) && !ut_jc_pending(SIGCONT));
	signal(SIGTSTP, SIG_IGN); /* discards it: never stop ourselves */
	UT_CHECK(!ut_jc_pending(SIGTSTP));

	/* A caught SIGCONT runs its handler (and continues nothing). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ut_cont_handler;
	UT_OK(sigaction(SIGCONT, &sa, NULL));
	UT_OK(raise(SIGCONT));
	UT_CHECK(ut_cont_caught == 0);
	UT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
	UT_CHECK(ut_cont_caught == 1);
}

/* A child that reads one byte from fd (exit 0; 1 if the read failed). */
static void ut_jc_reader(int fd)
{
	char c;

	alarm(UT_JC_WAIT_MS / 1000 * 2);
	_exit(read(fd, &c, 1) == 1 ? 0 : 1);
}

void ut_jobctl_stop_restarts(void)
{
	int p[2], status;
	pid_t pid;

	UT_OK(pipe(p));
	pid = UT_OK(fork());
	if (pid == 0) {
		setpgid(0, 0);
		close(p[1]);
		ut_jc_reader(p[0]);
	}
	setpgid(pid, pid);
	close(p[0]);
	ut_jc_sleep_ms(UT_JC_PAUSE_MS);
	UT_OK(kill(pid, SIGSTOP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status));
	UT_OK(kill(pid, SIGCONT));
	ut_jc_sleep_ms(UT_JC_PAUSE_MS);
	utest_write_all(p[1], "x", 1);
	status = ut_jc_wait(pid, 0);
	UT_CHECK_EXIT(status, 0);
	close(p[1]);

	/* nanosleep sleeps its whole time across a stop. */
	pid = UT_OK(fork());
	if (pid == 0) {
		struct timespec ts = { 0, UT_JC_SLEEP_MS * UT_NS_PER_MS };
		int64_t t0 = utest_now_ns();
		setpgid(0, 0);
		if (nanosleep(&ts, NULL) != 0)
			_exit(1);
		_exit(utest_now_ns() - t0 >= UT_JC_SLEEP_MS * UT_NS_PER_MS ? 0 : 2);
	}
	setpgid(pid, pid);
	ut_jc_sleep_ms(UT_JC_PAUSE_MS);
	UT_OK(kill(pid, SIGTSTP));
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status));
	UT_OK(kill(pid, SIGCONT));
	status = ut_jc_wait(pid, 0);
	UT_CHECK_EXIT(status, 0);
}

static int ut_orphan_fd = -1;

static void ut_orphan_note(int sig)
{
	char c = sig == SIGHUP ? 'H' : 'C';

	if (write(ut_orphan_fd, &c, 1) != 1)
		_exit(3);
}

/* Read n bytes from fd within UT_JC_WAIT_MS; how many came. */
static size_t ut_jc_read_timed(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, UT_JC_WAIT_MS) <= 0)
			break;
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/*
 * A process that forks a child c (in a group of its own if c_own_group,
 * else in ours), waits until c has stopped, and exits: that exit orphans
 * c's group.  c notes SIGHUP and SIGCONT in the pipe wfd.
 */
static void ut_orphan_parent(int wfd, bool c_own_group)
{
	int status;
	pid_t c = fork();

	if (c < 0)
		_exit(12);
	if (c == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = ut_orphan_note;
		ut_orphan_fd = wfd;
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGCONT, &sa, NULL);
		if (c_own_group)
			setpgid(0, 0);
		alarm(UT_JC_WAIT_MS / 1000 * 2);
		raise(SIGSTOP);
		_exit(0); /* continued: the handlers have written */
	}
	if (c_own_group)
		setpgid(c, c);
	if (waitpid(c, &status, WUNTRACED) != c || !WIFSTOPPED(status))
		_exit(13);
	_exit(0);
}

/*
 * The middle process: leads a new session (so init, the orphan's new
 * parent, is outside it).  children_group: it is the exiting parent of a
 * child in another group of the session; else its child e, in a group of
 * its own, is the exiting parent whose own group is orphaned.
 */
static void ut_orphan_middle(int wfd, bool children_group)
{
	int status;
	pid_t e;

	if (setsid() < 0)
		_exit(10);
	if (children_group)
		ut_orphan_parent(wfd, true);
	e = fork();
	if (e < 0)
		_exit(11);
	if (e == 0) {
		setpgid(0, 0);
		ut_orphan_parent(wfd, false);
	}
	setpgid(e, e);
	if (waitpid(e, &status, 0) != e || !WIFEXITED(status) || WEXITSTATUS(status))
		_exit(14);
	_exit(0);
}

static void ut_orphan_case(bool children_group)
{
	int p[2], status;
	char buf[2] = { 0, 0 };
	pid_t mid;

	UT_OK(pipe(p));
	mid = UT_OK(fork());
	if (mid == 0) {
		close(p[0]);
		ut_orphan_middle(p[1], children_group);
	}
	close(p[1]);
	status = ut_jc_wait(mid, 0);
	UT_CHECK_EXIT(status, 0);
	UT_CHECK(ut_jc_read_timed(p[0], buf, 2) == 2);
	UT_CHECK((buf[0] == 'H' && buf[1] == 'C') || (buf[0] == 'C' && buf[1] == 'H'));
	close(p[0]);
}

void ut_jobctl_orphan_hup(void)
{
	ut_orphan_case(true);  /* the exiting process's child's group */
	ut_orphan_case(false); /* the exiting process's own group */
}

/*
 * In an orphaned group (a session leader alone in its session whose
 * parent is elsewhere), SIGTSTP is discarded; SIGSTOP stops.
 */
void ut_jobctl_orphan_tstp(void)
{
	pid_t pid = UT_OK(fork());
	int status;

	if (pid == 0) {
		if (setsid() < 0)
			_exit(10);
		alarm(UT_JC_WAIT_MS / 1000 * 2);
		raise(SIGTSTP);
		raise(SIGTTIN);
		raise(SIGTTOU);
		raise(SIGSTOP);
		_exit(0);
	}
	status = ut_jc_wait(pid, WUNTRACED);
	UT_CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	UT_OK(kill(pid, SIGCONT));
	status = ut_jc_wait(pid, 0);
	UT_CHECK_EXIT(status, 0);
}

/*
 * When the runner is init (PID 1 on Keel), signals init has no handler
 * for and whose default would kill it are ignored (Linux); busybox
 * poweroff sends SIGUSR2.  Elsewhere there is nothing to test.
 */
void ut_jobctl_init_ignores(void)
{
	if (getppid() != 1)
		return;
	UT_OK(kill(1, SIGUSR2));
	UT_OK(kill(1, SIGTERM));
	UT_OK(kill(1, SIGTSTP));
	ut_jc_sleep_ms(UT_JC_PAUSE_MS);
	UT_CHECK(getppid() == 1);
	UT_CHECK(kill(1, 0) == 0);
}

void ut_jobctl_setpgid_errors(void)
{
	char path[256];
	siginfo_t si;
	int p[2], status;
	char c;
	pid_t pid;

	/* A child that exec'd (and exited: a zombie still counts). */
	ut_binpath(path, sizeof(path), "hello");
	pid = UT_OK(fork());
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		execl(path, "hello", (char *)NULL);
		_exit(127);
	}
	UT_OK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	UT_CHECK(si.si_code == CLD_EXITED && si.si_status == 0);
	UT_CHECK_ERR(setpgid(pid, pid), EACCES);
	UT_CHECK_EXIT(utest_wait(pid), 0);

	/* A child that leads its own session. */
	UT_OK(pipe(p));
	pid = UT_OK(fork());
	if (pid == 0) {
		close(p[0]);
		if (setsid() < 0)
			_exit(1);
		/* A session leader cannot move, even itself. */
		if (setpgid(0, 0) == 0 || errno != EPERM)
			_exit(2);
		if (write(p[1], "s", 1) != 1)
			_exit(3);
		alarm(UT_JC_WAIT_MS / 1000 * 2);
		pause();
		_exit(0);
	}
	close(p[1]);
	UT_CHECK(read(p[0], &c, 1) == 1);
	close(p[0]);
	UT_CHECK_ERR(setpgid(pid, pid), EPERM);
	/* Its group is in another session: we cannot join it. */
	UT_CHECK_ERR(setpgid(0, pid), EPERM);
	UT_OK(kill(pid, SIGKILL));
	status = utest_wait(pid);
	UT_CHECK_KILLED(status, SIGKILL);

	/* A group nobody has; not our child; a bad pgid. */
	UT_CHECK_ERR(setpgid(0, pid), EPERM);
	UT_CHECK_ERR(setpgid(getppid(), getppid()), ESRCH);
	UT_CHECK_ERR(setpgid(0, -1), EINVAL);
	UT_OK(setpgid(0, 0));
	UT_CHECK(getpgrp() == getpid());
}

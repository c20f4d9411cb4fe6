/*
 * ut_tty.c - terminals (Linux semantics): ENOTTY (isatty false) on
 * everything that is not a terminal, termios and window-size round trips,
 * VMIN/VTIME reads with nothing typed, /dev/tty without a controlling
 * terminal, acquiring one (open without O_NOCTTY, TIOCSCTTY), TIOCGPGRP,
 * TIOCSPGRP, TIOCGSID, TIOCNOTTY, SIGWINCH, and the job-control checks of
 * background groups (SIGTTIN on read, SIGTTOU on write with TOSTOP).
 *
 * The terminal: a pseudo-terminal where there is one (Linux, so nothing
 * is typed into it), else /dev/ttyS0 (Keel, which has no ptys; the
 * serial line is quiet while usertests run).  Tests that take a
 * controlling terminal do it in a new session of their own, and give it
 * back before they end.
 */
#include "usertests.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

#define UT_TTY_SERIAL  "/dev/ttyS0"
#define UT_TTY_WAIT_DS 2 /* VTIME of the timed read, deciseconds */
#define UT_NS_PER_DS   100000000ll

/* A terminal opened with flags: a pty's slave (master in *master), or the
 * serial line (*master -1). */
static int ut_tty_open(int flags, int *master)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), fd;

	*master = -1;
	if (m >= 0) {
		UT_OK(grantpt(m));
		UT_OK(unlockpt(m));
		fd = open(ptsname(m), flags);
		UT_CHECK(fd >= 0);
		*master = m;
		return fd;
	}
	fd = open(UT_TTY_SERIAL, flags);
	UT_CHECK(fd >= 0);
	return fd;
}

static void ut_tty_close(int fd, int master)
{
	close(fd);
	if (master >= 0)
		close(master);
}

/* Every terminal ioctl fails with ENOTTY on fd. */
static void ut_check_not_tty(int fd)
{
	struct termios tio;
	struct winsize ws;
	int v;

	UT_CHECK_ERR(ioctl(fd, TCGETS, &tio), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TCSETS, &tio), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCGPGRP, &v), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCGSID, &v), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCSCTTY, 0), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCNOTTY, 0), ENOTTY);
	errno = 0;
	UT_CHECK(!isatty(fd) && errno == ENOTTY);
}

void ut_tty_enotty_elsewhere(void)
{
	char path[64];
	int p[2], fd;

	UT_OK(pipe(p));
	ut_check_not_tty(p[0]);
	ut_check_not_tty(p[1]);
	close(p[0]);
	close(p[1]);
	ut_tmppath(path, sizeof(path), "tty");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	UT_CHECK(fd >= 0);
	ut_check_not_tty(fd);
	close(fd);
	UT_OK(unlink(path));
	fd = open("/dev/null", O_RDWR);
	UT_CHECK(fd >= 0);
	ut_check_not_tty(fd);
	close(fd);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	UT_CHECK(fd >= 0);
	ut_check_not_tty(fd);
	close(fd);
}

void ut_tty_termios_winsize(void)
{
	struct termios old, tio, got;
	struct winsize ows, ws, gws;
	int m, fd = ut_tty_open(O_RDWR | O_NOCTTY, &m), n = -1;

	UT_CHECK(isatty(fd));
	UT_OK(ioctl(fd, TCGETS, &old));
	tio = old;
	tio.c_lflag ^= ECHOCTL;
	tio.c_cc[VERASE] = 0x08;
	UT_OK(ioctl(fd, TCSETSW, &tio));
	UT_OK(ioctl(fd, TCGETS, &got));
	UT_CHECK(got.c_lflag == tio.c_lflag && got.c_iflag == tio.c_iflag &&
		 got.c_oflag == tio.c_oflag && got.c_cc[VERASE] == 0x08);
	UT_OK(ioctl(fd, TCSETS, &old));
	UT_OK(ioctl(fd, TCGETS, &got));
	UT_CHECK(got.c_lflag == old.c_lflag && got.c_cc[VERASE] == old.c_cc[VERASE]);
	UT_CHECK_ERR(ioctl(fd, TCGETS, UT_BAD_LOW), EFAULT);

	UT_OK(ioctl(fd, TIOCGWINSZ, &ows));
	ws = (struct winsize){ .ws_row = 40, .ws_col = 100 };
	UT_OK(ioctl(fd, TIOCSWINSZ, &ws));
	UT_OK(ioctl(fd, TIOCGWINSZ, &gws));
	UT_CHECK(gws.ws_row == 40 && gws.ws_col == 100);
	UT_OK(ioctl(fd, TIOCSWINSZ, &ows));
	UT_OK(ioctl(fd, FIONREAD, &n));
	UT_CHECK(n == 0);
	UT_OK(ioctl(fd, TCFLSH, TCIFLUSH));
	UT_CHECK_ERR(ioctl(fd, TCFLSH, 7), EINVAL);
	/* Not a terminal request: ENOTTY on a terminal too. */
	UT_CHECK_ERR(ioctl(fd, 0x5401 + 0x1000, &n), ENOTTY);
	ut_tty_close(fd, m);
}

/* Non-canonical reads with nothing typed: VMIN 0 / VTIME 0 returns at
 * once, VTIME > 0 after about VTIME; O_NONBLOCK with VMIN 1: EAGAIN. */
void ut_tty_vmin_vtime_no_input(void)
{
	struct termios old, tio;
	int m, fd = ut_tty_open(O_RDWR | O_NOCTTY, &m);
	int64_t t0, dt;
	char c;

	UT_OK(ioctl(fd, TCGETS, &old));
	tio = old;
	tio.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	UT_OK(ioctl(fd, TCSETS, &tio));
	UT_CHECK(read(fd, &c, 1) == 0);
	tio.c_cc[VTIME] = UT_TTY_WAIT_DS;
	UT_OK(ioctl(fd, TCSETS, &tio));
	t0 = utest_now_ns();
	UT_CHECK(read(fd, &c, 1) == 0);
	dt = utest_now_ns() - t0;
	UT_CHECK(dt >= UT_TTY_WAIT_DS * UT_NS_PER_DS * 3 / 4);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	UT_OK(ioctl(fd, TCSETS, &tio));
	UT_OK(fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK));
	UT_CHECK_ERR(read(fd, &c, 1), EAGAIN);
	UT_OK(ioctl(fd, TCSETS, &old));
	ut_tty_close(fd, m);
}

static void ut_devtty_child(void *arg)
{
	(void)arg;
	UT_CHECK(setsid() == getpid());
	UT_CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
}

void ut_tty_devtty_without_ctty(void)
{
	UT_CHECK_EXIT(ut_in_child(ut_devtty_child, NULL), 0);
}

static volatile sig_atomic_t ut_tty_sigs;

static void ut_tty_handler(int sig)
{
	ut_tty_sigs |= 1 << sig;
}

static void ut_tty_catch(int sig)
{
	struct sigaction sa = { .sa_handler = ut_tty_handler };

	UT_OK(sigaction(sig, &sa, NULL));
}

static void ut_tty_ignore(int sig)
{
	UT_CHECK(signal(sig, SIG_IGN) != SIG_ERR);
}

/*
 * In a background group of the session whose terminal is fd: a read
 * sends SIGTTIN (handled: EINTR; ignored: EIO); with TOSTOP a write sends
 * SIGTTOU (handled: EINTR; ignored: written), so does TCSETS.
 */
static void ut_background_member(int fd)
{
	struct termios tio;
	char c = '\n';

	UT_OK(setpgid(0, 0));
	ut_tty_catch(SIGTTIN);
	ut_tty_sigs = 0;
	UT_CHECK_ERR(read(fd, &c, 1), EINTR);
	UT_CHECK(ut_tty_sigs == 1 << SIGTTIN);
	ut_tty_ignore(SIGTTIN);
	UT_CHECK_ERR(read(fd, &c, 1), EIO);
	UT_OK(ioctl(fd, TCGETS, &tio)); /* reading the settings is fine */
	ut_tty_catch(SIGTTOU);
	ut_tty_sigs = 0;
	UT_CHECK_ERR(ioctl(fd, TCSETS, &tio), EINTR);
	UT_CHECK(ut_tty_sigs == 1 << SIGTTOU);
	UT_CHECK(write(fd, &c, 0) == 0); /* TOSTOP is off: no check */
	UT_CHECK(ut_tty_sigs == 1 << SIGTTOU);
}

/* The session leader: its terminal fd is its controlling terminal. */
static void ut_ctty_leader(int fd)
{
	struct termios old, tio;
	pid_t me = getpid(), kid;
	int v, fd2, pipefd[2];
	char c = '\n';
	sigset_t ttou;

	UT_OK(ioctl(fd, TIOCGSID, &v));
	UT_CHECK(v == me);
	UT_OK(ioctl(fd, TIOCGPGRP, &v));
	UT_CHECK(v == me);
	fd2 = open("/dev/tty", O_RDWR);
	UT_CHECK(fd2 >= 0);
	UT_OK(ioctl(fd2, TIOCGSID, &v));
	UT_CHECK(v == me);
	close(fd2);
	UT_CHECK_ERR(ioctl(fd, TIOCSPGRP, &(int){ -1 }), EINVAL);
	UT_CHECK_ERR(ioctl(fd, TIOCSPGRP, &(int){ getppid() }), EPERM);

	/* A background member: SIGTTIN, SIGTTOU. */
	UT_OK(pipe(pipefd));
	kid = utest_fork();
	if (kid == 0) {
		ut_background_member(fd);
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(kid), 0);

	/* TOSTOP: a background write sends SIGTTOU, unless it is ignored. */
	UT_OK(ioctl(fd, TCGETS, &old));
	tio = old;
	tio.c_lflag |= TOSTOP;
	UT_OK(ioctl(fd, TCSETS, &tio));
	kid = utest_fork();
	if (kid == 0) {
		UT_OK(setpgid(0, 0));
		ut_tty_catch(SIGTTOU);
		UT_CHECK_ERR(write(fd, &c, 1), EINTR);
		UT_CHECK(ut_tty_sigs == 1 << SIGTTOU);
		ut_tty_ignore(SIGTTOU);
		UT_CHECK(write(fd, &c, 1) == 1);
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(kid), 0);
	UT_OK(ioctl(fd, TCSETS, &old));

	/* Another group of the session in the foreground, and back (the
	 * leader, now in the background, blocks SIGTTOU as shells do). */
	kid = utest_fork();
	if (kid == 0) {
		UT_OK(setpgid(0, 0));
		UT_CHECK(read(pipefd[0], &c, 1) == 1);
		_exit(0);
	}
	UT_OK(setpgid(kid, kid));
	UT_OK(ioctl(fd, TIOCSPGRP, &kid));
	UT_OK(ioctl(fd, TIOCGPGRP, &v));
	UT_CHECK(v == kid);
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	UT_OK(sigprocmask(SIG_BLOCK, &ttou, NULL));
	UT_OK(ioctl(fd, TIOCSPGRP, &me));
	UT_OK(sigprocmask(SIG_UNBLOCK, &ttou, NULL));
	UT_CHECK(write(pipefd[1], &c, 1) == 1);
	UT_CHECK_EXIT(utest_wait(kid), 0);
	close(pipefd[0]);
	close(pipefd[1]);

	/* SIGWINCH to the foreground group when the size changes. */
	struct winsize ows, ws;
	UT_OK(ioctl(fd, TIOCGWINSZ, &ows));
	ut_tty_catch(SIGWINCH);
	ut_tty_sigs = 0;
	UT_OK(ioctl(fd, TIOCSWINSZ, &ows));
	UT_CHECK(ut_tty_sigs == 0);
	ws = ows;
	ws.ws_row++;
	UT_OK(ioctl(fd, TIOCSWINSZ, &ws));
	UT_CHECK(ut_tty_sigs == 1 << SIGWINCH);
	UT_OK(ioctl(fd, TIOCSWINSZ, &ows));

	/* A member that is not the leader gives up only its own. */
	kid = utest_fork();
	if (kid == 0) {
		UT_CHECK_ERR(ioctl(fd, TIOCSCTTY, 0), EPERM);
		UT_OK(ioctl(fd, TIOCNOTTY, 0));
		UT_CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
		UT_CHECK_ERR(ioctl(fd, TIOCGPGRP, &v), ENOTTY);
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(kid), 0);
	UT_OK(ioctl(fd, TIOCGSID, &v));

	/* Another session cannot take it. */
	kid = utest_fork();
	if (kid == 0) {
		UT_CHECK(setsid() == getpid());
		UT_CHECK_ERR(ioctl(fd, TIOCSCTTY, 0), EPERM);
		UT_CHECK_ERR(ioctl(fd, TIOCGSID, &v), ENOTTY);
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(kid), 0);

	/* The leader gives it up: SIGHUP and SIGCONT to the foreground. */
	ut_tty_catch(SIGHUP);
	ut_tty_catch(SIGCONT);
	ut_tty_sigs = 0;
	UT_OK(ioctl(fd, TIOCSCTTY, 0)); /* already ours: fine */
	UT_OK(ioctl(fd, TIOCNOTTY, 0));
	UT_CHECK(ut_tty_sigs == ((1 << SIGHUP) | (1 << SIGCONT)));
	UT_CHECK_ERR(ioctl(fd, TIOCGSID, &v), ENOTTY);
	UT_CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
}

static void ut_ctty_open_child(void *arg)
{
	int m, fd;

	(void)arg;
	UT_CHECK(setsid() == getpid());
	fd = ut_tty_open(O_RDWR, &m); /* no O_NOCTTY: it becomes ours */
	ut_ctty_leader(fd);
	ut_tty_close(fd, m);
}

void ut_tty_ctty_open(void)
{
	UT_CHECK_EXIT(ut_in_child(ut_ctty_open_child, NULL), 0);
}

static void ut_ctty_sctty_child(void *arg)
{
	int m, fd, v;

	(void)arg;
	UT_CHECK(setsid() == getpid());
	fd = ut_tty_open(O_RDWR | O_NOCTTY, &m);
	UT_CHECK_ERR(ioctl(fd, TIOCGSID, &v), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCGPGRP, &v), ENOTTY);
	UT_CHECK_ERR(ioctl(fd, TIOCSPGRP, &(int){ getpid() }), ENOTTY);
	UT_CHECK_ERR(open("/dev/tty", O_RDWR), ENXIO);
	UT_OK(ioctl(fd, TIOCSCTTY, 0));
	ut_ctty_leader(fd);
	ut_tty_close(fd, m);
}

void ut_tty_ctty_sctty(void)
{
	UT_CHECK_EXIT(ut_in_child(ut_ctty_sctty_child, NULL), 0);
}

/*
 * The leader of a session exits: its terminal is hung up.  A member of
 * the foreground group gets SIGHUP, and nobody in the session has a
 * controlling terminal any more (/dev/tty: ENXIO).
 */
static void ut_hup_member(int ready, int report)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char c = 'R';
	int i, fd;

	ut_tty_sigs = 0;
	UT_CHECK(write(ready, &c, 1) == 1);
	for (i = 0; i < 500 && !(ut_tty_sigs & (1 << SIGHUP)); i++)
		nanosleep(&tick, NULL);
	nanosleep(&tick, NULL); /* Linux clears the session's tty after the signal */
	fd = open("/dev/tty", O_RDWR);
	c = !(ut_tty_sigs & (1 << SIGHUP)) ? 'n' : fd >= 0 ? 't' : errno == ENXIO ? 'H' : 'e';
	UT_CHECK(write(report, &c, 1) == 1);
	_exit(0);
}

void ut_tty_leader_exit_hangup(void)
{
	int ready[2], report[2], status, m, fd;
	struct pollfd p;
	pid_t leader;
	char c = 0;

	UT_OK(pipe(ready));
	UT_OK(pipe(report));
	leader = utest_fork();
	if (leader == 0) {
		UT_CHECK(setsid() == getpid());
		fd = ut_tty_open(O_RDWR, &m);
		ut_tty_catch(SIGHUP);
		if (utest_fork() == 0)
			ut_hup_member(ready[1], report[1]); /* in the foreground group */
		UT_CHECK(read(ready[0], &c, 1) == 1);
		(void)fd;
		_exit(0); /* with the terminal still open (a pty's master too) */
	}
	UT_CHECK(waitpid(leader, &status, 0) == leader);
	UT_CHECK_EXIT(status, 0);
	close(ready[1]);
	close(report[1]);
	p = (struct pollfd){ report[0], POLLIN, 0 };
	UT_CHECK(poll(&p, 1, 10000) == 1);
	UT_CHECK(read(report[0], &c, 1) == 1);
	UT_CHECK(c == 'H');
	close(ready[0]);
	close(report[0]);
}

/* The ioctls every descriptor answers (not only terminals): FIOCLEX,
 * FIONCLEX, FIONBIO. */
void ut_ioctl_generic_flags(void)
{
	int p[2], on = 1, off = 0;
	char c;

	UT_OK(pipe(p));
	UT_OK(ioctl(p[0], FIOCLEX));
	UT_CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	UT_OK(ioctl(p[0], FIONCLEX));
	UT_CHECK(fcntl(p[0], F_GETFD) == 0);
	UT_OK(ioctl(p[0], FIONBIO, &on));
	UT_CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	UT_CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	UT_OK(ioctl(p[0], FIONBIO, &off));
	UT_CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	UT_CHECK_ERR(ioctl(p[0], FIONBIO, UT_BAD_LOW), EFAULT);
	UT_CHECK_ERR(ioctl(-1, FIOCLEX), EBADF);
	close(p[0]);
	close(p[1]);
}

/*
 * TCXONC TCOOFF stops output: a writer waits until TCOON.  Nothing may
 * fail between the two (a test that stopped usertests' own terminal
 * would stop its reports): the checks come after the restart.
 */
void ut_tty_tcxonc_stops_writers(void)
{
	int m, fd = ut_tty_open(O_RDWR | O_NOCTTY, &m), status, go[2];
	bool sent, waiting;
	pid_t kid;
	char c = '\n';

	UT_OK(pipe(go));
	kid = utest_fork();
	if (kid == 0) {
		UT_CHECK(read(go[0], &c, 1) == 1);
		UT_CHECK(write(fd, &c, 1) == 1);
		_exit(0);
	}
	UT_OK(ioctl(fd, TCXONC, TCOOFF));
	sent = write(go[1], &c, 1) == 1;
	utest_sleep_ns(200 * 1000 * 1000ll);
	waiting = waitpid(kid, &status, WNOHANG) == 0;
	UT_OK(ioctl(fd, TCXONC, TCOON));
	UT_CHECK(sent);
	UT_CHECK(waiting); /* the writer was still waiting */
	UT_CHECK_EXIT(utest_wait(kid), 0);
	UT_CHECK_ERR(ioctl(fd, TCXONC, 9), EINVAL);
	close(go[0]);
	close(go[1]);
	ut_tty_close(fd, m);
}

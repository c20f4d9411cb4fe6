/*
 * ttytest.c - a terminal scenario for tests/system/test_tty.py, booted as
 * init (init=/bin/ttytest).  A child makes a new session, opens
 * /dev/ttyS0 as its controlling terminal and, step by step, prints
 * "READY-<step>" and waits for what the test types on the serial line:
 *
 *   SIGINT, SIGQUIT, SIGTSTP  ^C, ^\, ^Z reach the foreground group while
 *                             nothing reads (handlers print GOT-<sig>)
 *   FLOW    ^S stops output: what the program writes 2 s later appears
 *           only after ^Q
 *   ECHO    typed bytes are echoed (ESC as ^[) while the program only
 *           polls; the line, edited with DEL, is read after Enter
 *   CANON   ^W, ^U, ^D (end of file, and a line without newline)
 *   RAW3    VMIN=3 VTIME=0: the read returns only with the third byte
 *   TIME    VMIN=0 VTIME=5: nothing typed, the read returns 0 after 0.5 s
 *   INTER   VMIN=2 VTIME=5: one byte, returned after the inter-byte timer
 *
 * Read results are printed as LINE=[...] with control characters as ^X.
 * init exits with the child's status (0: every step ran).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TT_TTY         "/dev/ttyS0"
#define TT_SIG_WAIT_MS 20000
#define TT_TICK_NS     10000000L
#define TT_BUF         256

static volatile sig_atomic_t tt_got;

static void tt_say(const char *fmt, ...)
{
	char buf[TT_BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = n > (int)sizeof(buf) - 2 ? (int)sizeof(buf) - 2 : n;
	buf[n++] = '\n';
	if (write(1, buf, (size_t)n) != n)
		exit(2);
}

static void tt_handler(int sig)
{
	tt_got = sig;
}

/* Print a read result with control characters as ^X. */
static void tt_show(const char *tag, const char *s, ssize_t n)
{
	char out[3 * TT_BUF];
	size_t o = 0;

	for (ssize_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			out[o++] = '^';
			out[o++] = (char)(c ^ 0x40);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	tt_say("%s=[%s] n=%zd", tag, out, n);
}

static int64_t tt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait, without reading, until sig arrives. */
static int tt_wait_signal(int sig, const char *name)
{
	struct sigaction sa = { .sa_handler = tt_handler };
	struct timespec tick = { 0, TT_TICK_NS };
	int64_t end;

	sigaction(sig, &sa, NULL);
	tt_got = 0;
	tt_say("READY-%s", name);
	for (end = tt_now_ms() + TT_SIG_WAIT_MS; !tt_got && tt_now_ms() < end;)
		nanosleep(&tick, NULL);
	if (tt_got != sig) {
		tt_say("NO-%s", name);
		return 1;
	}
	tt_say("GOT-%s", name);
	return 0;
}

static void tt_read_show(const char *tag)
{
	char buf[TT_BUF];
	ssize_t n = read(0, buf, sizeof(buf));

	if (n == 0)
		tt_say("EOF");
	else
		tt_show(tag, buf, n);
}

static void tt_flow(void)
{
	struct timespec wait = { 2, 0 };

	tt_say("READY-FLOW");
	nanosleep(&wait, NULL);
	tt_say("FLOWED");
}

static int tt_echo_without_reader(void)
{
	struct pollfd p = { 0, POLLIN, 0 };

	tt_say("READY-ECHO");
	if (poll(&p, 1, TT_SIG_WAIT_MS) != 1)
		return 1;
	tt_say("READING");
	tt_read_show("LINE");
	return 0;
}

static void tt_canon(void)
{
	tt_say("READY-CANON");
	for (int i = 0; i < 4; i++)
		tt_read_show("LINE");
}

static int tt_raw(struct termios *saved)
{
	struct termios t = *saved;
	char buf[TT_BUF];
	int64_t t0;
	ssize_t n;

	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	if (ioctl(0, TCSETS, &t))
		return 1;
	tt_say("READY-RAW3");
	tt_show("RAW", buf, read(0, buf, sizeof(buf)));
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 5;
	ioctl(0, TCSETS, &t);
	tt_say("READY-TIME");
	t0 = tt_now_ms();
	n = read(0, buf, sizeof(buf));
	tt_say("TIME n=%zd slept=%s", n, tt_now_ms() - t0 >= 400 ? "yes" : "no");
	t.c_cc[VMIN] = 2;
	ioctl(0, TCSETS, &t);
	tt_say("READY-INTER");
	tt_show("INTER", buf, read(0, buf, sizeof(buf)));
	return ioctl(0, TCSETS, saved) != 0;
}

static int tt_child(void)
{
	struct termios saved;
	int fd, pgrp = -1, bad = 0;

	if (setsid() < 0)
		return 3;
	fd = open(TT_TTY, O_RDWR); /* a session leader's first tty: its ctty */
	if (fd < 0)
		return 4;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	ioctl(0, TIOCGPGRP, &pgrp);
	tt_say("TTYTEST start %s", pgrp == getpid() ? "ctty-ok" : "ctty-missing");
	if (ioctl(0, TCGETS, &saved))
		return 5;
	bad |= tt_wait_signal(SIGINT, "SIGINT");
	bad |= tt_wait_signal(SIGQUIT, "SIGQUIT");
	bad |= tt_wait_signal(SIGTSTP, "SIGTSTP");
	tt_flow();
	bad |= tt_echo_without_reader();
	tt_canon();
	bad |= tt_raw(&saved);
	tt_say("TTYTEST done");
	return bad;
}

int main(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(tt_child());
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

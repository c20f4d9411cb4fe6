/*
 * init.c - /init, Keel's first process.
 *
 * The kernel runs it as PID 1 with argv = [init_path, args...], the args
 * coming from the kernel command line (`init=/path args`).
 *
 * With arguments, it execs argv[1] with argv[1..] (that program then runs as
 * PID 1; this is how the test suites run), after making sure fds 0, 1 and 2
 * are open on /dev/console.
 *
 * Without arguments it brings up the default system:
 *   1. mounts proc on /proc, devtmpfs on /dev and tmpfs on /tmp where the
 *      kernel has not mounted them already;
 *   2. sets the hostname from /etc/hostname, and creates the missing home
 *      directories of the ordinary users in /etc/passwd (uid 1000 and up,
 *      home under /home/), owned by them, mode 0755;
 *   3. starts a login shell (/bin/bash -l, or /bin/sh -l without bash) on
 *      each terminal, /dev/ttyS0 (TERM=vt102) and /dev/tty1 (TERM=linux):
 *      in a session of its own, with that terminal as its controlling
 *      terminal and its fds 0-2; with neither terminal present (an older
 *      kernel), one shell on /dev/console;
 *   4. starts the user-space keyboard driver (/bin/kbdd: docs/drivers.md)
 *      and restarts it whenever it dies, at once the first time and at
 *      most once a second if it keeps dying (meanwhile the kernel's own
 *      keyboard driver has the keyboard); one that exits 0 (no keyboard
 *      controller) is not restarted;
 *   5. reaps every child (orphans are re-parented to it) and starts a new
 *      shell on a terminal whose shell exited (at most once a second);
 *   6. on SIGTERM (reboot), SIGUSR1 (halt) or SIGUSR2 (poweroff), as sent by
 *      busybox's reboot/halt/poweroff, and on SIGINT (Ctrl-Alt-Del), it
 *      sends SIGTERM then SIGKILL to every process, syncs, and calls
 *      reboot(2).
 * With no shell at all it prints "init: nothing to run" and exits 0 (the
 * kernel then offers its own shell).
 *
 * `/init --once` (init="/init --once" on the kernel command line) does the
 * same, but starts the shells once (no respawn): when the one on the first
 * terminal exits, init kills what is left, reaps it and exits with that
 * shell's status, so that the kernel's init-exit report (frames, page tables)
 * covers a whole interactive session.  Tests use it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

#define INIT_CONSOLE     "/dev/console"
#define INIT_BASH        "/bin/bash"
#define INIT_SH          "/bin/sh"
#define INIT_HOSTNAME    "/etc/hostname"
#define INIT_HOME        "/root"
#define INIT_PATH        "PATH=/bin:/sbin:/usr/bin:/usr/sbin"
#define INIT_HOST_MAX    64
#define INIT_PASSWD      "/etc/passwd"
#define INIT_PASSWD_LINE 512
#define INIT_PASSWD_FIELDS 7
#define INIT_FIRST_USER_UID 1000  /* Debian's first ordinary user */
#define INIT_HOMES       "/home/"
#define INIT_RESPAWN_GAP 1      /* seconds between two starts on one terminal */
#define INIT_KILL_GRACE  1      /* seconds between SIGTERM and SIGKILL at shutdown */
#define INIT_ENV_MAX     16

extern char **environ;

static char *init_default_env[] = { INIT_PATH, "HOME=/", "TERM=linux", NULL };

/* The terminals a shell is started on, and the shell running there. */
struct init_term {
	const char *dev;
	const char *term;       /* TERM for programs on it */
	pid_t shell;            /* 0: none running */
	time_t started;
};

static struct init_term init_terms[] = {
	{ "/dev/ttyS0", "TERM=vt102", 0, 0 },
	{ "/dev/tty1", "TERM=linux", 0, 0 },
};
#define INIT_NTERMS (sizeof(init_terms) / sizeof(init_terms[0]))

static struct init_term init_console_term = { INIT_CONSOLE, "TERM=linux", 0, 0 };

/* Drivers init keeps running. */
struct init_daemon {
	const char *path;
	pid_t pid;              /* 0: not running */
	bool done;              /* exited 0: nothing to drive, not restarted */
	struct timespec started;
};

static struct init_daemon init_daemons[] = {
	{ "/bin/kbdd", 0, false, { 0, 0 } },
};
#define INIT_NDAEMONS (sizeof(init_daemons) / sizeof(init_daemons[0]))
#define INIT_DAEMON_QUICK_NS 1000000000ll /* died sooner: wait before the restart */

/* Set from signal handlers, acted on by the main loop. */
static volatile sig_atomic_t init_shutdown_cmd;

/* Prints "init: message" on stdout in one write() (utest.c). */
__attribute__((format(printf, 1, 2))) static void init_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	utest_vline(STDOUT_FILENO, "init: ", fmt, ap); /* nowhere to report a failure */
	va_end(ap);
}

static void init_console(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open(INIT_CONSOLE, O_RDWR | O_NOCTTY);
		if (got < 0)
			return; /* nowhere to print to; carry on silently */
		if (got != fd) {
			dup2(got, fd);
			close(got);
		}
	}
}

/* Mount fstype on dir unless something is mounted there already. */
static void init_mount(const char *fstype, const char *dir, unsigned long flags, const char *opts)
{
	struct stat root, st;

	mkdir(dir, 0755);
	if (stat("/", &root) == 0 && stat(dir, &st) == 0 && st.st_dev != root.st_dev)
		return; /* the kernel mounted it already */
	if (mount(fstype, dir, fstype, flags, opts) < 0 && errno != EBUSY)
		init_say("cannot mount %s on %s: %s", fstype, dir, strerror(errno));
}

/*
 * Ordinary users' homes (the initramfs is packed as root:root, so no file
 * in it can belong to them): /etc/passwd lines name:x:uid:gid:gecos:home:shell.
 */
static void init_homes(void)
{
	FILE *f = fopen(INIT_PASSWD, "re");
	char line[INIT_PASSWD_LINE];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *field[INIT_PASSWD_FIELDS], *p = line;
		unsigned n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < INIT_PASSWD_FIELDS && (field[n] = strsep(&p, ":")))
			n++;
		if (n < INIT_PASSWD_FIELDS)
			continue;
		unsigned long uid = strtoul(field[2], NULL, 10);
		unsigned long gid = strtoul(field[3], NULL, 10);
		const char *home = field[5];
		if (uid < INIT_FIRST_USER_UID || strncmp(home, INIT_HOMES, strlen(INIT_HOMES)) != 0)
			continue;
		mkdir("/home", 0755);
		if (mkdir(home, 0755) == 0 && chown(home, (uid_t)uid, (gid_t)gid) < 0)
			init_say("cannot give %s to uid %lu: %s", home, uid, strerror(errno));
	}
	fclose(f);
}

static void init_hostname(void)
{
	char name[INIT_HOST_MAX + 1];
	ssize_t n;
	int fd = open(INIT_HOSTNAME, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, name, INIT_HOST_MAX);
	close(fd);
	if (n <= 0)
		return;
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
	if (name[0] && sethostname(name, strlen(name)) < 0)
		init_say("cannot set the hostname: %s", strerror(errno));
}

static const char *init_shell_path(void)
{
	if (access(INIT_BASH, X_OK) == 0)
		return INIT_BASH;
	if (access(INIT_SH, X_OK) == 0)
		return INIT_SH;
	return NULL;
}

/* In the child: make t's terminal the controlling terminal and fds 0-2. */
static int init_take_terminal(const struct init_term *t)
{
	int fd;

	if (setsid() < 0)
		return -1;
	fd = open(t->dev, O_RDWR);
	if (fd < 0)
		return -1;
	ioctl(fd, TIOCSCTTY, 0); /* opening it made it ours already on Linux */
	for (int i = 0; i <= 2; i++)
		if (dup2(fd, i) < 0)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

static void init_spawn(struct init_term *t, const char *shell)
{
	pid_t pid;
	time_t now = time(NULL);

	if (t->started && now - t->started < INIT_RESPAWN_GAP)
		sleep(INIT_RESPAWN_GAP);
	t->started = time(NULL);
	pid = fork();
	if (pid < 0) {
		init_say("cannot start a shell on %s: %s", t->dev, strerror(errno));
		return;
	}
	if (pid == 0) {
		char *env[INIT_ENV_MAX] = { INIT_PATH, "HOME=" INIT_HOME, "SHELL=/bin/bash",
					    "USER=root", "LOGNAME=root", (char *)t->term, NULL };
		char *argv[] = { "-sh", NULL };
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		if (init_take_terminal(t) < 0)
			_exit(127);
		if (chdir(INIT_HOME) < 0)
			chdir("/");
		argv[0] = strcmp(shell, INIT_BASH) == 0 ? "-bash" : "-sh";
		execve(shell, argv, env);
		_exit(127);
	}
	t->shell = pid;
}

static long long init_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Start every daemon that should run and does not. */
static void init_start_daemons(void)
{
	for (size_t i = 0; i < INIT_NDAEMONS; i++) {
		struct init_daemon *d = &init_daemons[i];
		long long since;
		pid_t pid;

		if (d->pid || d->done || access(d->path, X_OK) != 0)
			continue;
		since = init_now_ns() - (d->started.tv_sec * 1000000000ll + d->started.tv_nsec);
		if ((d->started.tv_sec || d->started.tv_nsec) && since < INIT_DAEMON_QUICK_NS)
			sleep(INIT_RESPAWN_GAP);
		clock_gettime(CLOCK_MONOTONIC, &d->started);
		pid = fork();
		if (pid < 0) {
			init_say("cannot start %s: %s", d->path, strerror(errno));
			continue;
		}
		if (pid == 0) {
			char *argv[] = { (char *)d->path, NULL };
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			for (int sig = 1; sig < NSIG; sig++)
				signal(sig, SIG_DFL);
			setsid();
			execve(d->path, argv, init_default_env);
			_exit(127);
		}
		d->pid = pid;
	}
}

/* pid (wait status st) was a daemon: restart it later unless it was done. */
static bool init_daemon_exited(pid_t pid, int st)
{
	for (size_t i = 0; i < INIT_NDAEMONS; i++) {
		if (init_daemons[i].pid != pid)
			continue;
		init_daemons[i].pid = 0;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			init_daemons[i].done = true;
		else
			init_say("%s died (status %#x): restarting it", init_daemons[i].path, st);
		return true;
	}
	return false;
}

/* Start a shell on every terminal that has none. */
static void init_spawn_all(bool use_console, const char *shell)
{
	if (use_console) {
		if (!init_console_term.shell)
			init_spawn(&init_console_term, shell);
		return;
	}
	for (size_t i = 0; i < INIT_NTERMS; i++)
		if (!init_terms[i].shell && access(init_terms[i].dev, R_OK | W_OK) == 0)
			init_spawn(&init_terms[i], shell);
}

static void init_forget(pid_t pid)
{
	if (init_console_term.shell == pid)
		init_console_term.shell = 0;
	for (size_t i = 0; i < INIT_NTERMS; i++)
		if (init_terms[i].shell == pid)
			init_terms[i].shell = 0;
}

static void init_on_signal(int sig)
{
	switch (sig) {
	case SIGUSR1:
		init_shutdown_cmd = RB_HALT_SYSTEM;
		break;
	case SIGUSR2:
		init_shutdown_cmd = RB_POWER_OFF;
		break;
	default: /* SIGTERM (reboot), SIGINT (Ctrl-Alt-Del) */
		init_shutdown_cmd = RB_AUTOBOOT;
		break;
	}
}

static void init_shutdown(int cmd)
{
	init_say("the system is going down");
	kill(-1, SIGTERM);
	sleep(INIT_KILL_GRACE);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	reboot(cmd);
	init_say("reboot(2) failed: %s", strerror(errno));
	exit(0); /* the kernel takes over (initexit=, or its own shell) */
}

/* --once: the first shell exited with wait status st; end the session. */
static int init_end_session(int st)
{
	kill(-1, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int init_default_system(bool once)
{
	const char *shell = init_shell_path();
	struct sigaction sa;
	bool use_console;

	if (!shell) {
		init_say("nothing to run");
		return 0;
	}
	init_mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	init_mount("devtmpfs", "/dev", MS_NOSUID, "mode=0755");
	init_mount("tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777");
	init_hostname();
	init_homes();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = init_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	reboot(RB_DISABLE_CAD); /* Ctrl-Alt-Del sends SIGINT to init instead */

	use_console = access(init_terms[0].dev, R_OK | W_OK) != 0 &&
		      access(init_terms[1].dev, R_OK | W_OK) != 0;
	init_start_daemons();
	if (once)
		init_spawn_all(use_console, shell);
	for (;;) {
		pid_t pid;
		int st;

		if (init_shutdown_cmd)
			init_shutdown(init_shutdown_cmd);
		init_start_daemons();
		if (!once)
			init_spawn_all(use_console, shell);
		pid = wait(&st);
		if (once && pid > 0 && (pid == init_terms[0].shell || pid == init_console_term.shell))
			return init_end_session(st);
		if (pid > 0 && !init_daemon_exited(pid, st))
			init_forget(pid);
		else if (errno == ECHILD)
			sleep(INIT_RESPAWN_GAP); /* no terminal could be opened */
	}
}

int main(int argc, char **argv)
{
	char **envp = environ && environ[0] ? environ : init_default_env;

	init_console();
	init_say("Keel init started");
	if (argc == 2 && strcmp(argv[1], "--once") == 0)
		return init_default_system(true);
	if (argc > 1) {
		execve(argv[1], &argv[1], envp);
		init_say("cannot exec %s: %s", argv[1], strerror(errno));
		return 127;
	}
	return init_default_system(false);
}

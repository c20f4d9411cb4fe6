/*
 * init.c - /init, Keel's first process.
 *
 * The kernel runs it as PID 1 with argv = [init_path, args...], the args
 * coming from the kernel command line (`init=/path args`).  It:
 *   1. makes sure fds 0, 1 and 2 are open, on /dev/console when they are not;
 *   2. prints "init: Keel init started";
 *   3. execs argv[1] with argv[1..] when given, else /bin/sh; the program
 *      then runs as PID 1 (a shell reaps orphans, as init must);
 *   4. with nothing to run, prints "init: nothing to run" and exits 0.
 * An environment is supplied (PATH, HOME, TERM) when the kernel passed none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "utest.h"

#define INIT_CONSOLE "/dev/console"
#define INIT_SHELL "/bin/sh"

extern char **environ;

static char *init_default_env[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/",
				    "TERM=linux", NULL };

static void init_console(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open(INIT_CONSOLE, O_RDWR | O_NOCTTY);
		if (got < 0)
			return;	/* nowhere to print to; carry on silently */
		if (got != fd) {
			dup2(got, fd);
			close(got);
		}
	}
}

/* Prints "init: message" on stdout in one write() (utest.c). */
__attribute__((format(printf, 1, 2))) static void init_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	utest_vline(STDOUT_FILENO, "init: ", fmt, ap);	/* nowhere to report a failure */
	va_end(ap);
}

int main(int argc, char **argv)
{
	char **envp = environ && environ[0] ? environ : init_default_env;
	char *shell_argv[] = { INIT_SHELL, NULL };

	init_console();
	init_say("Keel init started");
	if (argc > 1) {
		execve(argv[1], &argv[1], envp);
		init_say("cannot exec %s: %s", argv[1], strerror(errno));
		return 127;
	}
	execve(INIT_SHELL, shell_argv, envp);
	if (errno == ENOENT) {
		init_say("nothing to run");
		return 0;
	}
	init_say("cannot exec %s: %s", INIT_SHELL, strerror(errno));
	return 127;
}

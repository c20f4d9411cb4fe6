/*
 * spawnbg.c - the Twizzler freeze scenario as a program.
 *
 * Twizzler froze when a key was pressed right after `for i in {1..10}; do
 * ls & done`: the last thread on a CPU had exited, the scheduler had dropped
 * its current-thread pointer without switching page tables, and the keyboard
 * interrupt's page fault could never be fixed.  spawnbg recreates the load:
 *
 *   spawnbg              read lines from stdin (the console); for each line
 *                        fork SPAWN_CHILDREN children without waiting, each
 *                        exec'ing "spawnbg --ls DIR ROUND" (a tiny ls), reap
 *                        whatever finished with waitpid(-1, WNOHANG), and
 *                        print "spawnbg: got LINE (round N)".  After the line
 *                        "quit" (or end of input) wait for every child and
 *                        print "spawnbg: done: N rounds, N children, N failed";
 *                        exit 0 when every child exited 0.
 *   spawnbg --input TTY  the same, reading the lines from TTY (the PS/2
 *                        keyboard's terminal is /dev/tty1; the console,
 *                        where the output goes, is the serial line)
 *   spawnbg --ls DIR N   list DIR with getdents64 as one line
 *                        "spawnbg: ls round N: name name ..." in one write()
 *                        (lines from concurrent children do not interleave).
 *
 * tests/system/test_threads.py types the lines on the PS/2 keyboard while the
 * children are still running or have just exited.  No stdio: fork would
 * duplicate its buffers (lines go out through utest_print(), utest.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

#define SPAWN_CHILDREN 10
#define SPAWN_LINE_MAX 256
#define SPAWN_LS_DIR "/bin"
#define SPAWN_OUT_MAX 2048

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static const char *spawn_self = "/bin/spawnbg";
static long spawn_started, spawn_reaped, spawn_failed;

/* "spawnbg --ls DIR ROUND": one line listing DIR, sorted as getdents returns. */
static int spawn_ls(const char *dir, const char *round)
{
	char out[SPAWN_OUT_MAX], buf[1024];
	size_t len;
	long n;
	int fd;

	len = (size_t)snprintf(out, sizeof(out), "spawnbg: ls round %s:", round);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

			if (d->d_name[0] != '.' && len < sizeof(out) - 2)
				len += (size_t)snprintf(out + len, sizeof(out) - 1 - len, " %s",
							d->d_name);
			off += d->d_reclen;
		}
	}
	close(fd);
	if (n < 0)
		return 1;
	if (len > sizeof(out) - 2)
		len = sizeof(out) - 2;
	out[len++] = '\n';
	return write(STDOUT_FILENO, out, len) == (ssize_t)len ? 0 : 1;
}

static void spawn_account(int status)
{
	spawn_reaped++;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		spawn_failed++;
		utest_print("spawnbg: child failed: status 0x%x\n", status);
	}
}

/* Reaps finished children without blocking. */
static void spawn_reap_some(void)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		spawn_account(status);
}

/* Waits for every child (as PID 1 also for orphans, which are not counted). */
static void spawn_reap_all(void)
{
	int status;
	pid_t pid;

	while (spawn_reaped < spawn_started) {
		pid = waitpid(-1, &status, 0);
		if (pid > 0)
			spawn_account(status);
		else if (errno != EINTR)
			break;
	}
}

static void spawn_round(long round)
{
	char rounds[24];

	snprintf(rounds, sizeof(rounds), "%ld", round);
	for (int i = 0; i < SPAWN_CHILDREN; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			utest_print("spawnbg: fork: %s\n", strerror(errno));
			spawn_failed++;
			continue;
		}
		if (pid == 0) {
			execl(spawn_self, spawn_self, "--ls", SPAWN_LS_DIR, rounds, (char *)NULL);
			_exit(127);
		}
		spawn_started++;
	}
}

/* Handles one input line; returns false after "quit". */
static bool spawn_line(const char *line, long *round)
{
	if (strcmp(line, "quit") == 0)
		return false;
	++*round;
	spawn_round(*round);
	spawn_reap_some();
	utest_print("spawnbg: got %s (round %ld)\n", line, *round);
	return true;
}

int main(int argc, char **argv)
{
	char buf[SPAWN_LINE_MAX];
	size_t len = 0;
	long round = 0;
	bool more = true;

	if (argc == 4 && strcmp(argv[1], "--ls") == 0)
		return spawn_ls(argv[2], argv[3]);
	if (argc > 0 && strchr(argv[0], '/'))
		spawn_self = argv[0];
	if (argc == 3 && strcmp(argv[1], "--input") == 0) {
		int fd = open(argv[2], O_RDONLY | O_NOCTTY);

		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
			return 1;
		close(fd);
	}
	utest_print("spawnbg: ready, %d children per line; type \"quit\" to end\n",
		  SPAWN_CHILDREN);
	while (more) {
		ssize_t r = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		while (more && (nl = strpbrk(buf, "\r\n")) != NULL) {
			*nl = '\0';
			if (nl > buf)	/* "\r\n" gives an empty line: skip it */
				more = spawn_line(buf, &round);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* an overlong line: drop it */
	}
	spawn_reap_all();
	utest_print("spawnbg: done: %ld rounds, %ld children, %ld failed\n", round, spawn_reaped,
		  spawn_failed + (spawn_started - spawn_reaped));
	return spawn_failed == 0 && spawn_reaped == spawn_started ? 0 : 1;
}

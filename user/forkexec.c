/*
 * forkexec.c - /bin/forkexec: fork, exec, wait, as a shell would.
 *
 * The child execs hello (next to this program: /bin/hello on Keel) with the
 * argument "from-forkexec" and HELLO=keel in its environment; the parent
 * waits for it and prints "forkexec: child N exited with status S" (or
 * "killed by signal S").  Exits 0 when the child exited 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[256];
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	char *cargv[] = { "hello", "from-forkexec", NULL };
	char *cenvp[] = { "HELLO=keel", NULL };
	int status;
	pid_t pid;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/hello", (int)(slash - argv[0]), argv[0]);
	else
		snprintf(path, sizeof(path), "/bin/hello");
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("forkexec: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execve(path, cargv, cenvp);
		printf("forkexec: exec %s: %s\n", path, strerror(errno));
		fflush(stdout);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			printf("forkexec: waitpid: %s\n", strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(status))
		printf("forkexec: child %d exited with status %d\n", (int)pid, WEXITSTATUS(status));
	else
		printf("forkexec: child %d killed by signal %d\n", (int)pid, WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/*
 * stress.c - hostile workloads that must only ever hurt the process that
 * runs them, never the kernel (run as init by tests/system/test_stress.py):
 *
 *   stress oom        children touch memory until the kernel has none left
 *   stress forkbomb   processes fork until fork fails, then all exit
 *   stress badexec    exec malformed and random "ELF" files
 *
 * Each prints "stress: <what>: ok" and exits 0 when the system survived
 * and behaved like Linux (an error code, or only the child killed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define OOM_CHILDREN 3
#define OOM_MAP (1ul << 30)         /* more than the test VM has */
#define BOMB_MAX_DEPTH 100000
#define BADEXEC_ROUNDS 200
#define ELF_HDR 64

static int fail(const char *what)
{
	printf("stress: FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
	return 1;
}

/* A child that faults in anonymous memory until it is killed. */
static int stress_oom(void)
{
	for (int i = 0; i < OOM_CHILDREN; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork");
		if (pid == 0) {
			volatile uint8_t *p = mmap(NULL, OOM_MAP, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(2);      /* refused up front: also fine */
			for (size_t off = 0; off < OOM_MAP; off += PAGE)
				p[off] = 1;
			_exit(3);              /* got 1 GiB?  The VM is too big */
		}
		int st;
		if (waitpid(pid, &st, 0) != pid)
			return fail("waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
			printf("stress: FAIL oom: the child touched 1 GiB\n");
			return 1;
		}
		if (!(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 2))) {
			printf("stress: FAIL oom: child status %#x\n", st);
			return 1;
		}
	}
	/* The system still works: fork and exec. */
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/hello", "hello", NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return fail("fork+exec after oom");
	printf("stress: oom: ok\n");
	return 0;
}

/* Fork until fork fails; every process then exits and is reaped. */
static int bomb(int depth)
{
	pid_t pid = fork();

	if (pid < 0) {
		if (errno == EAGAIN || errno == ENOMEM)
			return 0;
		printf("stress: forkbomb: fork at depth %d: errno %d\n", depth, errno);
		return 1;
	}
	if (pid == 0)
		_exit(depth < BOMB_MAX_DEPTH ? bomb(depth + 1) : 0);
	int st;
	if (waitpid(pid, &st, 0) != pid) {
		printf("stress: forkbomb: waitpid at depth %d: errno %d\n", depth, errno);
		return 1;
	}
	if (!WIFEXITED(st))
		printf("stress: forkbomb: child at depth %d: status %#x\n", depth + 1, st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int stress_forkbomb(void)
{
	/* A deep chain: each process holds its child until fork fails. */
	if (bomb(0) != 0) {
		printf("stress: FAIL forkbomb: a process saw an unexpected error\n");
		return 1;
	}
	printf("stress: forkbomb: ok\n");
	return 0;
}

static int stress_badexec(void)
{
	static const uint8_t elf_magic[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	uint8_t buf[1024];
	char *argv[] = { "bad", NULL };
	unsigned seed = 12345;

	for (int round = 0; round < BADEXEC_ROUNDS; round++) {
		int fd = open("/tmp/stress-bad", O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0)
			return fail("open /tmp/stress-bad");
		size_t len = 1 + (seed = seed * 1103515245 + 12345) % sizeof(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)((seed = seed * 1103515245 + 12345) >> 16);
		if (round % 2 == 0 && len >= ELF_HDR)
			memcpy(buf, elf_magic, sizeof(elf_magic));    /* plausible header */
		if (write(fd, buf, len) != (ssize_t)len)
			return fail("write");
		close(fd);
		execve("/tmp/stress-bad", argv, NULL);
		if (errno != ENOEXEC && errno != EINVAL && errno != E2BIG && errno != ENOMEM) {
			printf("stress: FAIL badexec: round %d errno %d\n", round, errno);
			return 1;
		}
	}
	unlink("/tmp/stress-bad");
	printf("stress: badexec: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: stress oom|forkbomb|badexec\n");
		return 2;
	}
	if (strcmp(argv[1], "oom") == 0)
		return stress_oom();
	if (strcmp(argv[1], "forkbomb") == 0)
		return stress_forkbomb();
	if (strcmp(argv[1], "badexec") == 0)
		return stress_badexec();
	fprintf(stderr, "stress: unknown workload %s\n", argv[1]);
	return 2;
}

/*
 * stress.c - hostile workloads that must only ever hurt the process that
 * runs them, never the kernel (run as init by tests/system/test_stress.py):
 *
 *   stress oom        children touch memory until the kernel has none left
 *   stress oomkill    a hog takes every frame while init's pages are
 *                     copy-on-write; init then writes them all: the
 *                     out-of-memory killer must kill the hog, never init
 *   stress sparse     a child touches one byte every 2 MiB of a huge
 *                     MAP_NORESERVE mapping: page tables outgrow the data;
 *                     they count against it, and it is killed
 *   stress initsig    every way a process once killed init: a child with
 *                     exit signal SIGKILL, an orphan cloned with SIGTERM as
 *                     its exit signal, kill(1, ...), kill(0, ...) from
 *                     init's process group; init must survive them all and
 *                     still receive the signals it has a handler for
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
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define OOM_CHILDREN 3
#define OOM_CHUNK_SHARE 4           /* each mapping: a quarter of memory */
#define OOM_MAX_CHUNKS 64           /* 16 x memory: never reached */
#define OOMKILL_INIT_SHARE 8        /* init holds 1/8 of memory copy-on-write */
#define OOMKILL_ROUNDS 2
#define OOMKILL_LOW_SHARE 16        /* "full": free < 1/16 of memory */
#define OOMKILL_WAIT_MS 30000
#define POLL_MS 10
#define SPARSE_LEN (1ul << 40)      /* 1 TiB of address space */
#define SPARSE_STRIDE (2ul << 20)   /* one page table per touched page */
#define WALL 0x40000000             /* __WALL: any child, whatever its exit signal */
#define BOMB_MAX_DEPTH 100000
#define BADEXEC_ROUNDS 200
#define ELF_HDR 64

static int fail(const char *what)
{
	printf("stress: FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
	return 1;
}

static int fork_exec_works(const char *what);

static uint64_t total_ram(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit : 0;
}

static uint64_t free_ram(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? (uint64_t)si.freeram * si.mem_unit : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Take memory a quarter of it at a time, half touched by stores and half
 * by read() from /dev/zero (faults taken inside the kernel), until killed;
 * or, with full_fd >= 0, until less than 1/OOMKILL_LOW_SHARE of memory is
 * free: then write a byte to full_fd and sleep, holding it all.
 */
static void hog(int full_fd)
{
	size_t chunk = (size_t)(total_ram() / OOM_CHUNK_SHARE) & ~(size_t)(PAGE - 1);
	int zero = open("/dev/zero", O_RDONLY);

	for (int i = 0; i < OOM_MAX_CHUNKS; i++) {
		volatile uint8_t *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);      /* address space or commit refused: also fine */
		for (size_t off = 0; off < chunk; off += PAGE) {
			if (full_fd >= 0 && off % (PAGE * 64) == 0 &&
			    free_ram() < total_ram() / OOMKILL_LOW_SHARE) {
				(void)write(full_fd, "f", 1);
				for (;;)
					pause();
			}
			if (full_fd < 0 && i % 2 && zero >= 0) {
				(void)read(zero, (void *)p, chunk);
				break;
			}
			p[off] = 1;
		}
	}
	_exit(3);                      /* got 16 x memory?  Impossible */
}

/* Children touch memory until each is killed (or refused up front). */
static int stress_oom(void)
{
	for (int i = 0; i < OOM_CHILDREN; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork");
		if (pid == 0)
			hog(-1);
		int st;
		if (waitpid(pid, &st, 0) != pid)
			return fail("waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
			printf("stress: FAIL oom: the child touched 16 x memory\n");
			return 1;
		}
		if (!(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 2))) {
			printf("stress: FAIL oom: child status %#x\n", st);
			return 1;
		}
	}
	return fork_exec_works("oom");
}

static int fork_exec_works(const char *what)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/hello", "hello", NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return fail("fork+exec afterwards");
	printf("stress: %s: ok\n", what);
	return 0;
}

/* Run as init: a hog fills memory while init's own pages are copy-on-write. */
static int stress_oomkill(void)
{
	size_t mine_len = (size_t)(total_ram() / OOMKILL_INIT_SHARE) & ~(size_t)(PAGE - 1);
	volatile uint8_t *mine = mmap(NULL, mine_len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mine == MAP_FAILED)
		return fail("mmap");
	for (int round = 0; round < OOMKILL_ROUNDS; round++) {
		int ready[2], st;
		char c;

		for (size_t off = 0; off < mine_len; off += PAGE)
			mine[off] = (uint8_t)round;
		if (pipe(ready))
			return fail("pipe");
		pid_t pid = fork();          /* from here init's pages are COW */
		if (pid < 0)
			return fail("fork");
		if (pid == 0) {
			close(ready[0]);
			hog(ready[1]);
		}
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1) {
			printf("stress: FAIL oomkill: the hog died before memory was full\n");
			return 1;
		}
		close(ready[0]);
		/* Memory is full, and every page of ours needs a frame of its own. */
		for (size_t off = 0; off < mine_len; off += PAGE)
			mine[off] = (uint8_t)(round + 1);
		if (waitpid(pid, &st, 0) != pid && errno != ECHILD)
			return fail("waitpid");
		if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)) {
			printf("stress: FAIL oomkill: hog status %#x\n", st);
			return 1;
		}
		for (size_t off = 0; off < mine_len; off += PAGE) {
			if (mine[off] != (uint8_t)(round + 1)) {
				printf("stress: FAIL oomkill: init's page at %zu lost\n", off);
				return 1;
			}
		}
	}
	return fork_exec_works("oomkill");
}

static int stress_sparse(void)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		volatile uint8_t *p = mmap(NULL, SPARSE_LEN, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		for (size_t off = 0; off < SPARSE_LEN; off += SPARSE_STRIDE)
			p[off] = 1;
		_exit(3);              /* 512 Ki page tables?  Impossible here */
	}
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
		printf("stress: FAIL sparse: child status %#x\n", st);
		return 1;
	}
	return fork_exec_works("sparse");
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* A raw clone (fork-like) whose exit signal is sig; 0 in the child. */
static pid_t clone_with_exit_signal(int sig)
{
	return (pid_t)syscall(SYS_clone, (long)sig, 0L, 0L, 0L, 0L);
}

/* Run fn in a child that then exits 0; returns its wait status. */
static int in_child(void (*fn)(void))
{
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, WALL) != pid)
		return -1;
	return st;
}

static void send_fatal_signals_to_init(void)
{
	static const int sigs[] = { SIGKILL, SIGTERM, SIGSEGV, SIGUSR2, SIGINT, SIGSTOP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (kill(1, sigs[i]) != 0)
			_exit(10 + (int)i);  /* Linux says 0: the signal is just dropped */
}

static void kill_own_group_from_inits(void)
{
	if (setpgid(0, getpgid(1)) != 0)
		_exit(20);
	kill(0, SIGTERM);              /* init's group, and this process */
	_exit(21);                     /* SIGTERM should have ended us */
}

/* A child leaves a grandchild whose exit signal is SIGTERM to init. */
static void orphan_with_sigterm(void)
{
	pid_t g = clone_with_exit_signal(SIGTERM);

	if (g == 0) {
		sleep_ms(50);          /* outlive the parent: init adopts us */
		_exit(7);
	}
	_exit(g > 0 ? 0 : 30);
}

static int stress_initsig(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int st;

	if (getpid() != 1) {
		printf("stress: initsig: must run as init (pid 1)\n");
		return 2;
	}
	/* 1. A child whose exit signal is SIGKILL. */
	pid_t pid = clone_with_exit_signal(SIGKILL);
	if (pid == 0)
		_exit(5);
	if (pid < 0 || waitpid(pid, &st, WALL) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 5)
		return fail("child with exit signal SIGKILL");
	/* 2. An orphan with SIGTERM as its exit signal: reparenting makes it SIGCHLD. */
	st = in_child(orphan_with_sigterm);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("orphan's parent");
	pid_t g = -1;
	for (int ms = 0; ms < OOMKILL_WAIT_MS && g <= 0; ms += POLL_MS) {
		g = waitpid(-1, &st, WNOHANG);     /* no __WALL: it must be SIGCHLD now */
		if (g <= 0)
			sleep_ms(POLL_MS);
	}
	if (g <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 7) {
		printf("stress: FAIL initsig: orphan not reaped as a SIGCHLD child (%d, %#x)\n",
		       g, st);
		return 1;
	}
	/* 3. kill(1, sig) for signals whose default action is fatal. */
	st = in_child(send_fatal_signals_to_init);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("stress: FAIL initsig: kill(1, ...) status %#x\n", st);
		return 1;
	}
	/* 4. kill(0, SIGTERM) from a process in init's group. */
	st = in_child(kill_own_group_from_inits);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM) {
		printf("stress: FAIL initsig: kill(0) child status %#x\n", st);
		return 1;
	}
	/* 5. A signal init handles is still delivered. */
	if (sigaction(SIGUSR1, &sa, NULL))
		return fail("sigaction");
	pid = fork();
	if (pid == 0)
		_exit(kill(1, SIGUSR1) ? 1 : 0);
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;                       /* the handler ran meanwhile: no SA_RESTART */
	if (pid < 0 || r != pid)
		return fail("SIGUSR1 child");
	for (int ms = 0; ms < OOMKILL_WAIT_MS && !got_usr1; ms += POLL_MS)
		sleep_ms(POLL_MS);
	if (!got_usr1) {
		printf("stress: FAIL initsig: init's SIGUSR1 handler never ran\n");
		return 1;
	}
	return fork_exec_works("initsig");
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
	char path[64];

	/* One file per process: several of these may run at once (soak). */
	snprintf(path, sizeof(path), "/tmp/stress-bad.%d", (int)getpid());

	for (int round = 0; round < BADEXEC_ROUNDS; round++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0)
			return fail("open the bad executable");
		size_t len = 1 + (seed = seed * 1103515245 + 12345) % sizeof(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)((seed = seed * 1103515245 + 12345) >> 16);
		if (round % 2 == 0 && len >= ELF_HDR)
			memcpy(buf, elf_magic, sizeof(elf_magic));    /* plausible header */
		if (write(fd, buf, len) != (ssize_t)len)
			return fail("write");
		close(fd);
		execve(path, argv, NULL);
		if (errno != ENOEXEC && errno != EINVAL && errno != E2BIG && errno != ENOMEM) {
			printf("stress: FAIL badexec: round %d errno %d\n", round, errno);
			return 1;
		}
	}
	unlink(path);
	printf("stress: badexec: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: stress oom|oomkill|initsig|sparse|forkbomb|badexec\n");
		return 2;
	}
	if (strcmp(argv[1], "oom") == 0)
		return stress_oom();
	if (strcmp(argv[1], "oomkill") == 0)
		return stress_oomkill();
	if (strcmp(argv[1], "initsig") == 0)
		return stress_initsig();
	if (strcmp(argv[1], "sparse") == 0)
		return stress_sparse();
	if (strcmp(argv[1], "forkbomb") == 0)
		return stress_forkbomb();
	if (strcmp(argv[1], "badexec") == 0)
		return stress_badexec();
	fprintf(stderr, "stress: unknown workload %s\n", argv[1]);
	return 2;
}

/*
 * benchcmp.c - the benchmark Keel and Linux both run (lmbench-like), for the
 * side-by-side table of `make bench` (tools/bench-linux.py, docs/bench.md).
 *
 * A static musl program run as init (PID 1) on either kernel:
 *   Keel:   init="/bin/benchcmp MODE"
 *   Linux:  rdinit=/bin/benchcmp -- MODE
 * with MODE one of
 *   main    the table: system call, fork, exec, pipes, yield, page faults,
 *           threads, futex wake-ups, context switches, file calls, signals
 *   scale   how cost grows: fork with 1 MiB..1 GiB touched, yield with 2..1000
 *           runnable threads, 10,000 processes in a row, pipe write sizes,
 *           memory per idle process and per thread (needs -m 2G)
 *   NAME... the metrics named, of either list (for profiling)
 *
 * Every metric is warmed up once, then timed REPS times; the line is
 *   benchcmp: NAME MEDIAN MIN MAX UNIT
 * with UNIT "us" (time per operation, lower is better), "MB/s" (higher is
 * better) or "KiB" (memory, lower is better).  A metric the kernel cannot run
 * prints "benchcmp: NAME n/a REASON".  Last comes "benchcmp: done", then the
 * machine is powered off.  Only Linux system calls are used, except the exo
 * rows, which Linux answers with ENOSYS (n/a).
 *
 * Nothing here is tuned to either kernel: both run the same binary.
 */
#define _GNU_SOURCE
#include <keel/exo.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

#define REPS               5
#define PAGE               4096ul
#define KIB                1024ul
#define MIB                (1024ul * 1024ul)
#define EXIT_PROG          "/bin/benchnop"
#define BIG_PROG           "/bin/benchbig"
#define TMP_FILE           "/tmp/benchcmp.file"
#define IDLE_PROCS         1000 /* enough to outgrow Linux's per-CPU free lists */
#define IDLE_THREADS       1000
#define MANY_PROCS         10000
/* <linux/futex.h> (musl-gcc has no kernel headers). */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static int ncpus;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static double us_since(int64_t t0, long ops)
{
	return (double)(now_ns() - t0) / 1000.0 / (double)ops;
}

static void die(const char *what)
{
	utest_print("benchcmp: %s failed (errno %d)\n", what, errno);
	if (getpid() == 1)
		reboot(RB_POWER_OFF);
	_exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("sched_setaffinity");
}

static void unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int i = 0; i < ncpus; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

static void xwait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
}

static void xpipe(int fd[2])
{
	if (pipe(fd) != 0)
		die("pipe");
}

/* Move exactly n bytes; 0 on success, -1 on error or end of file. */
static int xfer(int fd, void *buf, size_t n, int writing)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void wr(int fd, const void *buf, size_t n)
{
	if (xfer(fd, (void *)buf, n, 1) != 0)
		die("write");
}

static void rd(int fd, void *buf, size_t n)
{
	if (xfer(fd, buf, n, 0) != 0)
		die("read");
}

static long futex(volatile int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* ------------------------------------------------------------ the table */

static double m_null(void)
{
	const long n = 20000;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return us_since(t0, n);
}

static double fork_loop(long n)
{
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = xfork();

		if (pid == 0)
			_exit(0);
		xwait(pid);
	}
	return us_since(t0, n);
}

static double m_fork(void)
{
	return fork_loop(100);
}

static double exec_loop(const char *path, long n)
{
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = xfork();

		if (pid == 0) {
			char *argv[] = { (char *)path, NULL };
			char *envp[] = { NULL };

			execve(path, argv, envp);
			_exit(127);
		}
		int st;

		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("exec child");
	}
	return us_since(t0, n);
}

static double m_exec(void)
{
	return exec_loop(EXIT_PROG, 50);
}

static double m_exec_big(void)
{
	return exec_loop(BIG_PROG, 50);
}

/* A child that echoes SIZE-byte messages from one pipe into another,
 * until the pipe in is closed (it closes the parent's ends, other). */
static pid_t echo_child(int in, int out, int other_a, int other_b, size_t size)
{
	pid_t pid = xfork();

	if (pid == 0) {
		static char buf[64 * KIB];

		close(other_a);
		close(other_b);

		for (;;) {
			if (xfer(in, buf, size, 0) != 0)
				_exit(0);
			wr(out, buf, size);
		}
	}
	return pid;
}

static double pipe_rtt(size_t size, long n)
{
	static char buf[64 * KIB];
	int a[2], b[2];

	xpipe(a);
	xpipe(b);
	pid_t pid = echo_child(a[0], b[1], a[1], b[0], size);

	close(a[0]);
	close(b[1]);
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		wr(a[1], buf, size);
		rd(b[0], buf, size);
	}
	double us = us_since(t0, n);

	close(a[1]);
	close(b[0]);
	xwait(pid);
	return us;
}

static double m_pipe_rtt(void)
{
	return pipe_rtt(1, 2000);
}

/* Two processes on CPU 0, each yielding N times: us per yield. */
static double m_yield(void)
{
	const long n = 5000;
	int go[2];

	xpipe(go);
	pin(0);
	pid_t pid = xfork();

	if (pid == 0) {
		char c;

		rd(go[0], &c, 1);
		for (long i = 0; i < n; i++)
			sched_yield();
		_exit(0);
	}
	int64_t t0 = now_ns();

	wr(go[1], "g", 1);
	for (long i = 0; i < n; i++)
		sched_yield();
	xwait(pid);
	double us = us_since(t0, 2 * n);

	close(go[0]);
	close(go[1]);
	unpin();
	return us;
}

static double m_page_fault(void)
{
	const long n = 2048;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		p[i * PAGE] = 1;
	double us = us_since(t0, n);

	munmap(p, n * PAGE);
	return us;
}

/* Pages touched before fork, written by the child: us per COW fault. */
static double m_cow_fault(void)
{
	const long n = 2048;
	int res[2];
	double us;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 1, n * PAGE);
	xpipe(res);
	pid_t pid = xfork();

	if (pid == 0) {
		int64_t t0 = now_ns();

		for (long i = 0; i < n; i++)
			p[i * PAGE] = 2;
		us = us_since(t0, n);
		wr(res[1], &us, sizeof(us));
		_exit(0);
	}
	rd(res[0], &us, sizeof(us));
	xwait(pid);
	close(res[0]);
	close(res[1]);
	munmap(p, n * PAGE);
	return us;
}

/* Bandwidth through a pipe to a child, in SIZE-byte writes: MB/s. */
static double pipe_bw(size_t size, size_t total)
{
	static char buf[MIB];
	int p[2];

	xpipe(p);
	pid_t pid = xfork();

	if (pid == 0) {
		close(p[1]);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	int64_t t0 = now_ns();

	for (size_t done = 0; done < total; done += size)
		wr(p[1], buf, size);
	close(p[1]);
	xwait(pid);
	return (double)total / (double)(now_ns() - t0) * 1000.0;
}

static double m_pipe_bw(void)
{
	return pipe_bw(64 * KIB, 32 * MIB);
}

static void *thread_nop(void *arg)
{
	return arg;
}

static double m_thread(void)
{
	const long n = 200;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_nop, NULL) != 0)
			die("pthread_create");
		pthread_join(t, NULL);
	}
	return us_since(t0, n);
}

/* futex ping-pong between two threads; one-way wake-to-run time. */
static volatile int fx_turn;
static long fx_n;
static int fx_cpu;

static void fx_pass(int me, int other)
{
	while (fx_turn != me)
		futex(&fx_turn, FUTEX_WAIT_PRIVATE, other);
}

static void *fx_thread(void *arg)
{
	(void)arg;
	pin(fx_cpu);
	for (long i = 0; i < fx_n; i++) {
		fx_pass(1, 0);
		fx_turn = 0;
		futex(&fx_turn, FUTEX_WAKE_PRIVATE, 1);
	}
	return NULL;
}

static double futex_pingpong(int cpu_a, int cpu_b)
{
	pthread_t t;

	fx_n = 2000;
	fx_turn = 0;
	fx_cpu = cpu_b;
	pin(cpu_a);
	if (pthread_create(&t, NULL, fx_thread, NULL) != 0)
		die("pthread_create");
	int64_t t0 = now_ns();

	for (long i = 0; i < fx_n; i++) {
		fx_turn = 1;
		futex(&fx_turn, FUTEX_WAKE_PRIVATE, 1);
		fx_pass(0, 1);
	}
	double us = us_since(t0, 2 * fx_n);

	pthread_join(t, NULL);
	unpin();
	return us;
}

static double m_futex_same(void)
{
	return futex_pingpong(0, 0);
}

static double m_futex_other(void)
{
	return futex_pingpong(0, 1);
}

/* A token passed around a ring of N processes (lat_ctx): us per hop. */
static double ctx_ring(int nproc)
{
	const long laps = 2000 / nproc + 50;
	int fds[16][2];
	pid_t pids[16];
	char c = 't';

	for (int i = 0; i < nproc; i++)
		xpipe(fds[i]);
	pin(0);
	for (int i = 1; i < nproc; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			/* Keep only the ring's own ends, so that EOF ends it. */
			for (int j = 0; j < nproc; j++) {
				if (j != i)
					close(fds[j][0]);
				if (j != (i + 1) % nproc)
					close(fds[j][1]);
			}
			for (;;) {
				if (read(fds[i][0], &c, 1) != 1)
					_exit(0);
				wr(fds[(i + 1) % nproc][1], &c, 1);
			}
		}
	}
	int64_t t0 = now_ns();

	for (long l = 0; l < laps; l++) {
		wr(fds[1][1], &c, 1);
		rd(fds[0][0], &c, 1);
	}
	double us = us_since(t0, laps * nproc);

	for (int i = 0; i < nproc; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	for (int i = 1; i < nproc; i++)
		xwait(pids[i]);
	unpin();
	return us;
}

static double m_ctx2(void)
{
	return ctx_ring(2);
}

static double m_ctx16(void)
{
	return ctx_ring(16);
}

static double m_open_close(void)
{
	const long n = 5000;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(TMP_FILE, O_RDONLY);

		if (fd < 0)
			die("open");
		close(fd);
	}
	return us_since(t0, n);
}

static double m_stat(void)
{
	const long n = 5000;
	struct stat st;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (stat(TMP_FILE, &st) != 0)
			die("stat");
	return us_since(t0, n);
}

static double m_mmap(void)
{
	const long n = 20;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		char *p =
			mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (size_t off = 0; off < MIB; off += PAGE)
			p[off] = 1;
		munmap(p, MIB);
	}
	return us_since(t0, n);
}

static volatile int sig_count;

static void on_usr1(int sig)
{
	(void)sig;
	sig_count++;
}

static double m_signal(void)
{
	const long n = 5000;
	struct sigaction sa = { .sa_handler = on_usr1 };
	pid_t me = getpid();

	sigaction(SIGUSR1, &sa, NULL);
	sig_count = 0;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		kill(me, SIGUSR1);
	double us = us_since(t0, n);

	if (sig_count != n)
		die("signal count");
	signal(SIGUSR1, SIG_DFL);
	return us;
}

/* ---------------------------------------------- the exokernel's own paths */

static int exo_absent(void)
{
	return syscall(__NR_exo_page_perm, (void *)0) == -1 && errno == ENOSYS;
}

/* ipc_send/ipc_recv of a value to a child and back: us per round trip. */
static double m_exo_ipc(void)
{
	const long n = 1000;
	pid_t child = xfork();

	if (child == 0) {
		for (;;) {
			pid_t from;
			uint64_t v = ipc_recv(&from, NULL, NULL);

			if (v == 0)
				_exit(0);
			ipc_send(from, v, NULL, 0);
		}
	}
	int64_t t0 = now_ns();

	for (long i = 1; i <= n; i++) {
		ipc_send(child, (uint64_t)i, NULL, 0);
		if (ipc_recv(NULL, NULL, NULL) != (uint64_t)i)
			die("exo ipc");
	}
	double us = us_since(t0, n);

	ipc_send(child, 0, NULL, 0);
	xwait(child);
	return us;
}

/* exo_cowfork (copy-on-write fork in user space) + exit + wait. */
static double m_exo_cowfork(void)
{
	const long n = 50;
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = exo_cowfork();

		if (pid < 0)
			die("exo_cowfork");
		if (pid == 0)
			_exit(0);
		xwait(pid);
	}
	return us_since(t0, n);
}

/* ------------------------------------------------------------ scaling */

static double fork_touched(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	for (size_t off = 0; off < bytes; off += PAGE)
		p[off] = 1;
	double us = fork_loop(bytes >= 512 * MIB ? 4 : 20);

	munmap(p, bytes);
	return us;
}

static double m_fork_1m(void)
{
	return fork_touched(MIB);
}
static double m_fork_64m(void)
{
	return fork_touched(64 * MIB);
}
static double m_fork_1g(void)
{
	return fork_touched(1024 * MIB);
}

#define YIELD_MAX_THREADS 1000
static volatile int yield_stop;
/* Each yielder's count, written only by it, read by the timer thread. */
static volatile long yield_count[YIELD_MAX_THREADS];

static void *yielder(void *arg)
{
	volatile long *mine = arg;

	while (!yield_stop) {
		sched_yield();
		*mine = *mine + 1;
	}
	return NULL;
}

static long yield_sum(int n)
{
	long sum = 0;

	for (int i = 0; i < n; i++)
		sum += yield_count[i];
	return sum;
}

/* N threads on CPU 0 yielding: us per yield, counting only the yields made
 * in a timed window that starts once every thread exists. */
static double yield_threads(int n)
{
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	pthread_attr_t attr;
	struct timespec run = { 0, 300 * 1000000l };

	if (!t || n > YIELD_MAX_THREADS)
		die("calloc");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * KIB);
	pin(0);
	yield_stop = 0;
	for (int i = 0; i < n; i++) {
		yield_count[i] = 0;
		if (pthread_create(&t[i], &attr, yielder, (void *)&yield_count[i]) != 0)
			die("pthread_create");
	}
	long start = yield_sum(n);
	int64_t t0 = now_ns();

	nanosleep(&run, NULL);
	long end = yield_sum(n);
	int64_t el = now_ns() - t0;

	yield_stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	unpin();
	return (double)el / 1000.0 / (double)(end - start + 1);
}

static double m_yield_2(void)
{
	return yield_threads(2);
}
static double m_yield_100(void)
{
	return yield_threads(100);
}
static double m_yield_1000(void)
{
	return yield_threads(1000);
}

static double m_procs_10k(void)
{
	return fork_loop(MANY_PROCS);
}

static double m_pipe_bw_1(void)
{
	return pipe_bw(1, 64 * KIB);
}
static double m_pipe_bw_64(void)
{
	return pipe_bw(64, 2 * MIB);
}
static double m_pipe_bw_4k(void)
{
	return pipe_bw(4 * KIB, 16 * MIB);
}
static double m_pipe_bw_1m(void)
{
	return pipe_bw(MIB, 64 * MIB);
}

/* MemFree from /proc/meminfo, in KiB. */
static long mem_free_kib(void)
{
	char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY);

	if (fd < 0)
		die("open /proc/meminfo");
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	if (n <= 0)
		die("read /proc/meminfo");
	buf[n] = 0;
	char *p = strstr(buf, "MemFree:");

	if (!p)
		die("MemFree");
	return strtol(p + strlen("MemFree:"), NULL, 10);
}

/* Linux folds its per-CPU free-page counts into MemFree about once a
 * second: wait longer than that before reading it. */
static void settle(void)
{
	struct timespec ts = { 1, 500 * 1000000l };

	nanosleep(&ts, NULL);
}

static double m_mem_proc(void)
{
	pid_t pids[IDLE_PROCS];
	int hold[2];

	xpipe(hold);
	settle();
	long before = mem_free_kib();

	for (int i = 0; i < IDLE_PROCS; i++) {
		pids[i] = xfork();
		if (pids[i] == 0) {
			char c;

			close(hold[1]);
			read(hold[0], &c, 1);
			_exit(0);
		}
	}
	settle();
	long after = mem_free_kib();

	close(hold[1]);
	close(hold[0]);
	for (int i = 0; i < IDLE_PROCS; i++)
		xwait(pids[i]);
	return (double)(before - after) / IDLE_PROCS;
}

static volatile int idle_release;

static void *idle_thread(void *arg)
{
	(void)arg;
	while (!idle_release)
		futex(&idle_release, FUTEX_WAIT_PRIVATE, 0);
	return NULL;
}

static double m_mem_thread(void)
{
	pthread_t t[IDLE_THREADS];
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * KIB);
	idle_release = 0;
	settle();
	long before = mem_free_kib();

	for (int i = 0; i < IDLE_THREADS; i++)
		if (pthread_create(&t[i], &attr, idle_thread, NULL) != 0)
			die("pthread_create");
	settle();
	long after = mem_free_kib();

	idle_release = 1;
	futex(&idle_release, FUTEX_WAKE_PRIVATE, IDLE_THREADS);
	for (int i = 0; i < IDLE_THREADS; i++)
		pthread_join(t[i], NULL);
	return (double)(before - after) / IDLE_THREADS;
}

/* ------------------------------------------------------------ the runner */

struct metric {
	const char *name;
	const char *unit;
	double (*fn)(void);
	int reps;  /* 0: REPS */
	int needs; /* NEED_* */
};

#define NEED_SMP 1
#define NEED_EXO 2

static const struct metric table[] = {
	{ "null_syscall", "us", m_null, 0, 0 },
	{ "fork_exit_wait", "us", m_fork, 0, 0 },
	{ "fork_exec_wait", "us", m_exec, 0, 0 },
	{ "pipe_rtt_1b", "us", m_pipe_rtt, 0, 0 },
	{ "yield_pingpong", "us", m_yield, 0, 0 },
	{ "page_fault_anon", "us", m_page_fault, 0, 0 },
	{ "cow_fault", "us", m_cow_fault, 0, 0 },
	{ "pipe_bw_64k", "MB/s", m_pipe_bw, 0, 0 },
	{ "thread_create_join", "us", m_thread, 0, 0 },
	{ "futex_wake_same_cpu", "us", m_futex_same, 0, 0 },
	{ "futex_wake_other_cpu", "us", m_futex_other, 0, NEED_SMP },
	{ "ctx_switch_2", "us", m_ctx2, 0, 0 },
	{ "ctx_switch_16", "us", m_ctx16, 0, 0 },
	{ "open_close", "us", m_open_close, 0, 0 },
	{ "stat", "us", m_stat, 0, 0 },
	{ "mmap_touch_munmap_1m", "us", m_mmap, 0, 0 },
	{ "signal_handler", "us", m_signal, 0, 0 },
	{ "execve_1m_binary", "us", m_exec_big, 0, 0 },
	{ "exo_ipc_rtt", "us", m_exo_ipc, 0, NEED_EXO },
	{ "exo_cowfork_exit_wait", "us", m_exo_cowfork, 0, NEED_EXO },
	{ NULL, NULL, NULL, 0, 0 },
};

/*
 * The memory rows come first and run once, without a warm-up: a kernel's
 * object caches keep what the previous round freed (Linux's slabs do), so a
 * second round finds its memory already taken and reads lower.
 */
static const struct metric scale[] = {
	{ "mem_per_process", "KiB", m_mem_proc, 1, 0 },
	{ "mem_per_thread", "KiB", m_mem_thread, 1, 0 },
	{ "fork_touched_1m", "us", m_fork_1m, 3, 0 },
	{ "fork_touched_64m", "us", m_fork_64m, 3, 0 },
	{ "fork_touched_1g", "us", m_fork_1g, 1, 0 },
	{ "yield_threads_2", "us", m_yield_2, 3, 0 },
	{ "yield_threads_100", "us", m_yield_100, 3, 0 },
	{ "yield_threads_1000", "us", m_yield_1000, 1, 0 },
	{ "procs_10000", "us", m_procs_10k, 1, 0 },
	{ "pipe_bw_1b", "MB/s", m_pipe_bw_1, 3, 0 },
	{ "pipe_bw_64b", "MB/s", m_pipe_bw_64, 3, 0 },
	{ "pipe_bw_4k", "MB/s", m_pipe_bw_4k, 3, 0 },
	{ "pipe_bw_1m", "MB/s", m_pipe_bw_1m, 3, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void run(const struct metric *m)
{
	double v[REPS];
	int reps = m->reps ? m->reps : REPS;

	if ((m->needs & NEED_SMP) && ncpus < 2) {
		utest_print("benchcmp: %s n/a one CPU\n", m->name);
		return;
	}
	if ((m->needs & NEED_EXO) && exo_absent()) {
		utest_print("benchcmp: %s n/a no exokernel calls\n", m->name);
		return;
	}
	if (reps > 1)
		m->fn(); /* warm-up */
	for (int i = 0; i < reps; i++)
		v[i] = m->fn();
	qsort(v, (size_t)reps, sizeof(v[0]), cmp_double);
	utest_print("benchcmp: %s %.3f %.3f %.3f %s\n", m->name, v[reps / 2], v[0], v[reps - 1],
		    m->unit);
}

static int run_list(const struct metric *list, const char *only)
{
	int found = 0;

	for (const struct metric *m = list; m->name; m++) {
		if (only && strcmp(only, m->name) != 0)
			continue;
		run(m);
		found = 1;
	}
	return found;
}

static void setup(void)
{
	cpu_set_t set;

	mkdir("/proc", 0555);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		ncpus = CPU_COUNT(&set);
	if (ncpus < 1)
		ncpus = 1;
	int fd = open(TMP_FILE, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd < 0)
		die("create " TMP_FILE);
	wr(fd, "benchcmp\n", 9);
	close(fd);
	/* Orphans of PID 1 are reaped by waitpid(-1) only in the pauses. */
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "main";

	setup();
	utest_print("benchcmp: start %s cpus %d\n", mode, ncpus);
	if (strcmp(mode, "main") == 0)
		run_list(table, NULL);
	else if (strcmp(mode, "scale") == 0)
		run_list(scale, NULL);
	else
		for (int i = 1; i < argc; i++) /* metrics named one by one */
			if (!run_list(table, argv[i]) && !run_list(scale, argv[i]))
				utest_print("benchcmp: %s n/a unknown metric\n", argv[i]);
	utest_print("benchcmp: done\n");
	sync();
	if (getpid() == 1)
		reboot(RB_POWER_OFF);
	return 0;
}

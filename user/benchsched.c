/*
 * benchsched.c - user-space scheduler and thread microbenchmarks.
 *
 *   benchsched            run every benchmark
 *   benchsched name...    run the benchmarks whose names start with a name
 *   benchsched --list     print the benchmark names
 *
 * Each result is one line "bench: <name> <value> <unit>" (what
 * tools/bench-user.sh and `make bench` collect):
 *
 *   thread_create_join   pthread_create + pthread_join of a thread that
 *                        returns at once, us per pair
 *   pingpong_futex_1cpu  two threads pinned to one CPU hand a turn back and
 *   pingpong_futex_2cpu  forth through FUTEX_WAIT/FUTEX_WAKE (on one CPU, on
 *                        two CPUs), us per round trip
 *   pingpong_yield_1cpu  the same handshake, but waiting by sched_yield()
 *   pingpong_yield_2cpu  instead of sleeping in the kernel
 *   futex_wake_same      a thread asleep in FUTEX_WAIT is woken: time from
 *   futex_wake_other     just before FUTEX_WAKE to the woken thread running
 *                        (same CPU as the waker / another CPU), us, median
 *   cpu_procs_N          N = 1, 2, 4 independent CPU-bound processes for 1 s:
 *                        total loop iterations per second (M/s); with
 *   cpu_scaling_N        N > 1 also the ratio to N = 1
 *
 * Benchmarks needing two CPUs (or N CPUs) are left out when the process may
 * run on fewer.  The numbers are those of whatever runs the binary: under
 * QEMU TCG they say how Keel compares with itself, not with real hardware.
 * No stdio (fork would duplicate its buffers): output goes through
 * utest_print() (utest.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

#define B_MS 1000000ll
#define B_SEC 1000000000ll
#define B_CREATE_PAIRS 300
#define B_PINGPONG_NS (500 * B_MS)
#define B_WAKE_SAMPLES 100
#define B_CPU_NS B_SEC
#define B_CPU_CHUNK 4096
#define B_MAX_PROCS 4

/* <linux/futex.h> (musl-gcc has no kernel headers). */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

/* Prints "benchsched: message" on stderr and exits 1. */
__attribute__((noreturn, format(printf, 1, 2))) static void b_die(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = utest_vline(STDERR_FILENO, "benchsched: ", fmt, ap);
	va_end(ap);
	_exit(r < 0 ? 2 : 1);
}

/*
 * CLOCK_MONOTONIC through libc (the vDSO where there is one), not
 * utest_now_ns()'s raw syscall: the benchmarks time short intervals.
 */
static int64_t b_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		b_die("clock_gettime: %s", strerror(errno));
	return (int64_t)ts.tv_sec * B_SEC + ts.tv_nsec;
}

static long b_futex(int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static int b_load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void b_store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The i-th CPU this process may run on, or -1. */
static int b_cpu(int i)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		b_die("sched_getaffinity: %s", strerror(errno));
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set) && i-- == 0)
			return c;
	return -1;
}

static int b_ncpus(void)
{
	int n = 0;

	while (b_cpu(n) >= 0)
		n++;
	return n;
}

/* Pins the calling thread to CPU cpu. */
static void b_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		b_die("sched_setaffinity(%d): %s", cpu, strerror(errno));
}

static void b_create(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(th, NULL, fn, arg);

	if (e != 0)
		b_die("pthread_create: %s", strerror(e));
}

static void b_join(pthread_t th)
{
	int e = pthread_join(th, NULL);

	if (e != 0)
		b_die("pthread_join: %s", strerror(e));
}

/* ---------------------------------------------------------------- create/join */

static void *b_nothing(void *arg)
{
	return arg;
}

static void b_thread_create_join(void)
{
	pthread_t th;
	int64_t t0;

	b_create(&th, b_nothing, NULL);	/* warm up: stacks, musl's state */
	b_join(th);
	t0 = b_now();
	for (int i = 0; i < B_CREATE_PAIRS; i++) {
		b_create(&th, b_nothing, NULL);
		b_join(th);
	}
	utest_print("bench: thread_create_join %.1f us\n",
	      (double)(b_now() - t0) / B_CREATE_PAIRS / 1000.0);
}

/* ---------------------------------------------------------------- ping-pong */

struct pp {
	int turn;	/* [a] whose move: 0 or 1 */
	int stop;	/* [a] set by player 0 before its last move */
	bool yield;	/* [I] wait by sched_yield instead of FUTEX_WAIT */
	int cpu[2];	/* [I] where each player runs */
	long rounds;	/* player 0 only */
};

static void pp_wait_turn(struct pp *pp, int me)
{
	int t;

	while ((t = b_load(&pp->turn)) != me) {
		if (pp->yield)
			sched_yield();
		else
			b_futex(&pp->turn, FUTEX_WAIT_PRIVATE, t);
	}
}

static void pp_give_turn(struct pp *pp, int to)
{
	b_store(&pp->turn, to);
	if (!pp->yield)
		b_futex(&pp->turn, FUTEX_WAKE_PRIVATE, 1);
}

static void *pp_player1(void *arg)
{
	struct pp *pp = arg;
	int stop;

	b_pin(pp->cpu[1]);
	do {
		pp_wait_turn(pp, 1);
		stop = b_load(&pp->stop);
		pp_give_turn(pp, 0);
	} while (!stop);
	return NULL;
}

static void b_pingpong(const char *name, bool yield, int cpu0, int cpu1)
{
	struct pp pp = { .turn = 0, .yield = yield, .cpu = { cpu0, cpu1 } };
	int64_t t0, end;
	pthread_t th;

	b_pin(cpu0);
	b_create(&th, pp_player1, &pp);
	t0 = b_now();
	end = t0 + B_PINGPONG_NS;
	for (;;) {
		if ((pp.rounds & 63) == 0 && b_now() >= end)
			b_store(&pp.stop, 1);
		pp_give_turn(&pp, 1);
		pp_wait_turn(&pp, 0);
		pp.rounds++;
		if (b_load(&pp.stop))
			break;
	}
	utest_print("bench: %s %.2f us\n", name, (double)(b_now() - t0) / (double)pp.rounds / 1000.0);
	b_join(th);
}

/* ---------------------------------------------------------------- futex wake */

struct fw {
	int word;	/* [a] bumped by the waker, FUTEX_WAIT by the waiter */
	int ack;	/* [a] bumped by the waiter after each wakeup */
	int cpu;	/* [I] the waiter's CPU */
	int64_t woke;	/* time the waiter ran, read after ack */
};

static void *fw_waiter(void *arg)
{
	struct fw *fw = arg;
	int seen = 0;

	b_pin(fw->cpu);
	for (int i = 0; i < B_WAKE_SAMPLES; i++) {
		while (b_load(&fw->word) == seen)
			b_futex(&fw->word, FUTEX_WAIT_PRIVATE, seen);
		fw->woke = b_now();
		seen = b_load(&fw->word);
		b_store(&fw->ack, i + 1);
		b_futex(&fw->ack, FUTEX_WAKE_PRIVATE, 1);
	}
	return NULL;
}

static int b_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void b_futex_wake(const char *name, int waker_cpu, int waiter_cpu)
{
	struct fw fw = { .cpu = waiter_cpu };
	int64_t lat[B_WAKE_SAMPLES], t0;
	pthread_t th;

	b_pin(waker_cpu);
	b_create(&th, fw_waiter, &fw);
	for (int i = 0; i < B_WAKE_SAMPLES; i++) {
		int a;

		utest_sleep_ns(B_MS);	/* the waiter is asleep in FUTEX_WAIT by now */
		t0 = b_now();
		b_store(&fw.word, i + 1);
		b_futex(&fw.word, FUTEX_WAKE_PRIVATE, 1);
		while ((a = b_load(&fw.ack)) != i + 1)
			b_futex(&fw.ack, FUTEX_WAIT_PRIVATE, a);
		lat[i] = fw.woke - t0;
	}
	b_join(th);
	qsort(lat, B_WAKE_SAMPLES, sizeof(lat[0]), b_cmp64);
	utest_print("bench: %s %.1f us\n", name, (double)lat[B_WAKE_SAMPLES / 2] / 1000.0);
}

/* ---------------------------------------------------------------- CPU-bound */

/* Counts loop iterations from start to end; writes the count to fd. */
static void cpu_child(int go_fd, int out_fd)
{
	volatile uint64_t x = 1;
	long long count = 0;
	int64_t times[2];

	if (read(go_fd, times, sizeof(times)) != sizeof(times))
		_exit(100);
	while (b_now() < times[0])
		;
	while (b_now() < times[1]) {
		for (int i = 0; i < B_CPU_CHUNK; i++)
			x = x * 6364136223846793005ull + 1;
		count += B_CPU_CHUNK;
	}
	if (write(out_fd, &count, sizeof(count)) != sizeof(count))
		_exit(101);
	_exit(0);
}

/* Total iterations per second of n CPU-bound processes. */
static double b_cpu_procs(int n)
{
	int go[2], out[2], status;
	long long total = 0, c;
	pid_t pids[B_MAX_PROCS];
	int64_t times[2];

	if (pipe(go) != 0 || pipe(out) != 0)
		b_die("pipe: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			b_die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			close(go[1]);
			close(out[0]);
			cpu_child(go[0], out[1]);
		}
	}
	close(go[0]);
	close(out[1]);
	times[0] = b_now() + 100 * B_MS;
	times[1] = times[0] + B_CPU_NS;
	for (int i = 0; i < n; i++)
		if (write(go[1], times, sizeof(times)) != sizeof(times))
			b_die("write: %s", strerror(errno));
	close(go[1]);
	for (int i = 0; i < n; i++) {
		if (read(out[0], &c, sizeof(c)) != sizeof(c))
			b_die("a counter did not report");
		total += c;
	}
	close(out[0]);
	for (int i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || status != 0)
			b_die("counter %d: status 0x%x", i, status);
	return (double)total * B_SEC / (double)B_CPU_NS;
}

static void b_cpu_scaling(void)
{
	static const int ns[] = { 1, 2, 4 };
	int cpus = b_ncpus();
	double one = 0;

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		double rate;

		if (ns[i] > cpus)
			break;
		rate = b_cpu_procs(ns[i]);
		if (ns[i] == 1)
			one = rate;
		utest_print("bench: cpu_procs_%d %.1f Miter/s\n", ns[i], rate / 1e6);
		if (ns[i] > 1 && one > 0)
			utest_print("bench: cpu_scaling_%d %.2f x\n", ns[i], rate / one);
	}
}

/* ---------------------------------------------------------------- runner */

static void b_pp_futex_1(void)
{
	b_pingpong("pingpong_futex_1cpu", false, b_cpu(0), b_cpu(0));
}

static void b_pp_futex_2(void)
{
	b_pingpong("pingpong_futex_2cpu", false, b_cpu(0), b_cpu(1));
}

static void b_pp_yield_1(void)
{
	b_pingpong("pingpong_yield_1cpu", true, b_cpu(0), b_cpu(0));
}

static void b_pp_yield_2(void)
{
	b_pingpong("pingpong_yield_2cpu", true, b_cpu(0), b_cpu(1));
}

static void b_wake_same(void)
{
	b_futex_wake("futex_wake_same", b_cpu(0), b_cpu(0));
}

static void b_wake_other(void)
{
	b_futex_wake("futex_wake_other", b_cpu(0), b_cpu(1));
}

struct bench {
	const char *name;
	void (*fn)(void);
	int cpus;	/* CPUs it needs */
};

static const struct bench benches[] = {
	{ "thread_create_join", b_thread_create_join, 1 },
	{ "pingpong_futex_1cpu", b_pp_futex_1, 1 },
	{ "pingpong_futex_2cpu", b_pp_futex_2, 2 },
	{ "pingpong_yield_1cpu", b_pp_yield_1, 1 },
	{ "pingpong_yield_2cpu", b_pp_yield_2, 2 },
	{ "futex_wake_same", b_wake_same, 1 },
	{ "futex_wake_other", b_wake_other, 2 },
	{ "cpu_procs", b_cpu_scaling, 1 },
};

#define NBENCHES (sizeof(benches) / sizeof(benches[0]))

/* Runs one benchmark in a child, so that pinning does not leak into the next. */
static int b_run(const struct bench *b)
{
	int status;
	pid_t pid;

	if (b_ncpus() < b->cpus)
		return 0;
	pid = fork();
	if (pid < 0)
		b_die("fork: %s", strerror(errno));
	if (pid == 0) {
		b->fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || status != 0) {
		utest_print("benchsched: %s failed: status 0x%x\n", b->name, status);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < NBENCHES; i++)
			utest_print("%s\n", benches[i].name);
		return 0;
	}
	for (size_t i = 0; i < NBENCHES; i++) {
		bool run = argc <= 1;

		for (int a = 1; a < argc; a++)
			run |= strncmp(benches[i].name, argv[a], strlen(argv[a])) == 0;
		if (run)
			failed += b_run(&benches[i]);
	}
	utest_print("benchsched: done, %d failed\n", failed);
	return failed ? 1 : 0;
}

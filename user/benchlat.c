/*
 * benchlat.c - how long can one system call keep a sleeper off its CPU?
 *
 * A sleeper thread and a hog share one CPU (both pinned to CPU 0).  The
 * sleeper sleeps BENCHLAT_SLEEP_US over and over and records how late each
 * wakeup ran.  The hog spins in user space (the reference: the scheduler's
 * own round-robin delay, up to one time slice) or makes one kind of long
 * system call in a loop: reading a big buffer from /dev/zero, writing and
 * truncating a big file, forking a process with a big address space,
 * mapping, touching and unmapping memory.  With scheduling points in the
 * kernel's long loops, every hog delays the sleeper about as much as the
 * user-space spinner does; without them, by as long as one call takes.
 *
 * Prints "bench: latency <hog> max_ms X p99_ms Y" per hog and
 * "benchlat: done".  Run as init by tools/bench-user.sh (make bench).
 * A benchmark, not a test: it asserts nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCHLAT_SLEEP_US 2000
#define BENCHLAT_SAMPLES 300
#define BENCHLAT_BUF (16ul << 20)
#define BENCHLAT_PAGE 4096
#define NS_PER_US 1000ll
#define NS_PER_MS 1000000ll

static volatile int hog_stop;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void hog_spin(char *buf)
{
	(void)buf;
	while (!hog_stop)
		;
}

static void hog_read_zero(char *buf)
{
	int fd = open("/dev/zero", O_RDONLY);

	while (!hog_stop && fd >= 0)
		(void)read(fd, buf, BENCHLAT_BUF);
	close(fd);
}

static void hog_file(char *buf)
{
	int fd = open("/tmp/benchlat", O_RDWR | O_CREAT | O_TRUNC, 0600);

	while (!hog_stop && fd >= 0) {
		(void)pwrite(fd, buf, BENCHLAT_BUF, 0);
		(void)pread(fd, buf, BENCHLAT_BUF, 0);
		(void)ftruncate(fd, 0);
	}
	close(fd);
	unlink("/tmp/benchlat");
}

static void hog_fork(char *buf)
{
	(void)buf;
	while (!hog_stop) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

static void hog_mmap(char *buf)
{
	(void)buf;
	while (!hog_stop) {
		char *p = mmap(NULL, BENCHLAT_BUF, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		for (size_t off = 0; off < BENCHLAT_BUF; off += BENCHLAT_PAGE)
			p[off] = 1;
		munmap(p, BENCHLAT_BUF);
	}
}

struct hog {
	const char *name;
	void (*fn)(char *buf);
};

static const struct hog hogs[] = {
	{ "user_spin", hog_spin },
	{ "read_dev_zero_16M", hog_read_zero },
	{ "file_rw_16M", hog_file },
	{ "fork_16M", hog_fork },
	{ "mmap_touch_16M", hog_mmap },
};

static char *hog_buf;
static const struct hog *hog_now;

static void *hog_thread(void *arg)
{
	(void)arg;
	pin_to_cpu0();
	hog_now->fn(hog_buf);
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void run(const struct hog *h)
{
	static int64_t late[BENCHLAT_SAMPLES];
	pthread_t tid;

	hog_stop = 0;
	hog_now = h;
	pin_to_cpu0();
	if (pthread_create(&tid, NULL, hog_thread, NULL)) {
		printf("benchlat: %s: pthread_create failed\n", h->name);
		return;
	}
	for (int i = 0; i < BENCHLAT_SAMPLES; i++) {
		struct timespec ts = { 0, BENCHLAT_SLEEP_US * NS_PER_US };
		int64_t t0 = now_ns();
		nanosleep(&ts, NULL);
		late[i] = now_ns() - t0 - BENCHLAT_SLEEP_US * NS_PER_US;
	}
	hog_stop = 1;
	pthread_join(tid, NULL);
	qsort(late, BENCHLAT_SAMPLES, sizeof(late[0]), cmp64);
	printf("bench: latency %s max_ms %.1f p99_ms %.1f\n", h->name,
	       (double)late[BENCHLAT_SAMPLES - 1] / NS_PER_MS,
	       (double)late[BENCHLAT_SAMPLES * 99 / 100] / NS_PER_MS);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	hog_buf = malloc(BENCHLAT_BUF);
	if (!hog_buf) {
		printf("benchlat: no memory\n");
		return 1;
	}
	memset(hog_buf, 1, BENCHLAT_BUF);
	for (size_t i = 0; i < sizeof(hogs) / sizeof(hogs[0]); i++)
		run(&hogs[i]);
	printf("benchlat: done\n");
	return 0;
}

/*
 * benchexo.c - the exokernel mechanisms measured side by side with the
 * kernel's own equivalents, in one run, alternating the two in every round
 * so that a busy host slows both alike (docs/exokernel.md has the figures):
 *
 *   fork_exit_wait     exo_cowfork() vs fork(2) of this process, the child
 *                      exiting at once, the parent waiting: us per fork
 *   rtt_value          ipc_send/ipc_recv of a value to another process and
 *                      back vs a 1-byte pipe round trip: us per round trip
 *   rtt_page           a page passed by IPC (and a value back) vs 4 KiB
 *                      written into a pipe (and 1 byte back): us
 *   scan_pages         finding the present pages of a 64 MiB mapping with
 *                      4096 pages touched: exo_page_scan vs one
 *                      exo_page_perm per page: us per whole scan
 *
 * Each line: "bench: exo <name> <exo> <kernel> us ratio <kernel/exo>"
 * (above 1: the exokernel path is faster), the median of ROUNDS rounds,
 * each round timing both sides, exo first in odd rounds and second in even
 * ones.  Ends with "benchexo: done".  No stdio in children (utest_print).
 */
#define _GNU_SOURCE
#include <keel/exo.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "utest.h"

#define ROUNDS     7
#define FORKS      40
#define TRIPS      400
#define PAGE_TRIPS 200
#define SCAN_MAP   (64ul << 20)
#define SCAN_TOUCH 4096
#define SCAN_BATCH 256
#define PG_SEND    ((void *)0x6f0000000000ul)
#define PG_RECV    ((void *)0x6f0000100000ul)
#define NS_PER_US  1000.0

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void die(const char *what)
{
	utest_print("benchexo: %s failed (errno %d)\n", what, errno);
	_exit(1);
}

/* ---- fork + exit + wait */

static double t_fork(int exo)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < FORKS; i++) {
		pid_t c = exo ? exo_cowfork() : fork();
		if (c < 0)
			die("fork");
		if (c == 0)
			_exit(0);
		if (waitpid(c, NULL, 0) != c)
			die("waitpid");
	}
	return (now_ns() - t0) / NS_PER_US / FORKS;
}

/* ---- round trips: a server process answers each request */

static int req[2], rsp[2]; /* pipes: parent -> server, server -> parent */
static pid_t server;

static void server_loop(void)
{
	char buf[EXO_PAGE_SIZE];

	for (;;) {
		pid_t from;
		int perm;
		uint64_t v = ipc_recv(&from, PG_RECV, &perm);
		if (v == UINT64_MAX)
			break;
		if (v == 1) { /* pipe rounds: n trips of size bytes */
			uint64_t n = ipc_recv(NULL, NULL, NULL), size = ipc_recv(NULL, NULL, NULL);
			for (uint64_t i = 0; i < n; i++) {
				utest_read_all(req[0], buf, size);
				if (write(rsp[1], buf, 1) != 1)
					_exit(2);
			}
			ipc_send(from, 0, NULL, 0);
			continue;
		}
		ipc_send(from, v + 1, NULL, 0);
	}
	_exit(0);
}

static void server_start(void)
{
	if (pipe(req) || pipe(rsp))
		die("pipe");
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0)
		server_loop();
	close(req[0]);
	close(rsp[1]);
}

static double t_ipc(int trips, const void *pg)
{
	int64_t t0 = now_ns();

	for (int i = 0; i < trips; i++) {
		ipc_send(server, 2, pg, EXO_PERM_W);
		if (ipc_recv(NULL, NULL, NULL) != 3)
			die("ipc reply");
	}
	return (now_ns() - t0) / NS_PER_US / trips;
}

static double t_pipe(int trips, size_t size)
{
	static char buf[EXO_PAGE_SIZE];
	int64_t t0;
	char c;

	ipc_send(server, 1, NULL, 0);
	ipc_send(server, (uint64_t)trips, NULL, 0);
	ipc_send(server, size, NULL, 0);
	t0 = now_ns();
	for (int i = 0; i < trips; i++) {
		utest_write_all(req[1], buf, size);
		if (read(rsp[0], &c, 1) != 1)
			die("pipe trip");
	}
	t0 = now_ns() - t0;
	ipc_recv(NULL, NULL, NULL);
	return t0 / NS_PER_US / trips;
}

/* ---- scanning an address space */

static char *scan_area;

static double t_scan(int exo)
{
	static struct exo_page_info batch[SCAN_BATCH];
	unsigned long found = 0;
	int64_t t0 = now_ns();

	if (exo) {
		uintptr_t at = (uintptr_t)scan_area, end = at + SCAN_MAP;
		for (;;) {
			long n = exo_page_scan((void *)at, (void *)end, batch, SCAN_BATCH);
			if (n < 0)
				die("exo_page_scan");
			found += (unsigned long)n;
			if (n < SCAN_BATCH)
				break;
			at = batch[n - 1].va + EXO_PAGE_SIZE;
		}
	} else {
		for (unsigned long off = 0; off < SCAN_MAP; off += EXO_PAGE_SIZE)
			found += exo_page_perm(scan_area + off) > 0;
	}
	if (found != SCAN_TOUCH)
		die("scan count");
	return (now_ns() - t0) / NS_PER_US;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

typedef double (*bench_fn)(int side);

static double b_fork(int side)
{
	return t_fork(side);
}

static double b_value(int side)
{
	return side ? t_ipc(TRIPS, NULL) : t_pipe(TRIPS, 1);
}

static double b_page(int side)
{
	return side ? t_ipc(PAGE_TRIPS, PG_SEND) : t_pipe(PAGE_TRIPS, EXO_PAGE_SIZE);
}

static double b_scan(int side)
{
	return t_scan(side);
}

static void run(const char *name, bench_fn fn)
{
	double exo[ROUNDS], kern[ROUNDS];

	fn(1); /* warm up both */
	fn(0);
	for (int r = 0; r < ROUNDS; r++) {
		if (r % 2) {
			exo[r] = fn(1);
			kern[r] = fn(0);
		} else {
			kern[r] = fn(0);
			exo[r] = fn(1);
		}
	}
	qsort(exo, ROUNDS, sizeof(double), cmp_double);
	qsort(kern, ROUNDS, sizeof(double), cmp_double);
	double e = exo[ROUNDS / 2], k = kern[ROUNDS / 2];
	utest_print("bench: exo %s %.1f %.1f us ratio %.2f (exo %.1f-%.1f, kernel %.1f-%.1f)\n",
		    name, e, k, k / e, exo[0], exo[ROUNDS - 1], kern[0], kern[ROUNDS - 1]);
}

int main(void)
{
	utest_print("benchexo: exokernel path vs kernel path, median of %d rounds\n", ROUNDS);
	server_start();
	if (exo_page_alloc(0, PG_SEND, EXO_PERM_W) != 0)
		die("exo_page_alloc");
	run("rtt_value", b_value);
	run("rtt_page", b_page);
	ipc_send(server, UINT64_MAX, NULL, 0);
	waitpid(server, NULL, 0);
	scan_area =
		mmap(NULL, SCAN_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scan_area == MAP_FAILED)
		die("mmap");
	for (unsigned long i = 0; i < SCAN_TOUCH; i++)
		scan_area[i * (SCAN_MAP / SCAN_TOUCH)] = 1;
	run("scan_pages", b_scan);
	munmap(scan_area, SCAN_MAP);
	/* Last: after exo_cowfork our memory is copy-on-write, and the kernel
	 * cannot write into such a page (pipe(2) into a global: EFAULT). */
	run("fork_exit_wait", b_fork);
	utest_print("benchexo: done\n");
	return 0;
}

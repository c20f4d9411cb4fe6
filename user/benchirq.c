/*
 * benchirq.c - interrupt-to-driver latency (docs/drivers.md has the
 * figures), run as init by `make bench` on -smp 2.
 *
 * The interrupt is real: the i8042 is asked (command 0xd2) to hand over a
 * byte as if typed, which raises IRQ 1, routed to CPU 0.  Three paths:
 *
 *   devobj_same    a driver thread on CPU 0 blocked in read(/dev/irq1)
 *   devobj_other   the same driver thread on CPU 1
 *   kernel_kbd     the kernel's own keyboard driver translating a key and
 *                  a reader of /dev/tty1 (raw mode) on CPU 0: the path a
 *                  key took before user-space drivers
 *
 * For each: "inject" = from just before the port write that makes the
 * controller interrupt to the waiting thread running again (both ends in
 * this program's clock), and for the device object also "upcall" = from
 * the kernel's handler (the timestamp it wrote in the device object) to
 * the driver thread running.  Medians of ROUNDS rounds of TRIPS trips.
 * Lines: "bench: irq <path> inject <us> upcall <us>"; "benchirq: done".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <keel/devobj.h>

#include "utest.h"

#define ROUNDS      5
#define TRIPS       100
#define I8042_DATA  0x60
#define I8042_CMD   0x64
#define I8042_IBF   0x02
#define I8042_OBF   0x01
#define I8042_FAKE  0xd2
#define I8042_SPINS 100000
#define PLAIN_BYTE  0x42
#define KEY_A_MAKE  0x1e
#define KEY_A_BREAK 0x9e
#define NS_PER_US   1000.0

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void die(const char *what)
{
	utest_print("benchirq: %s failed (errno %d)\n", what, errno);
	_exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

static void i8042_idle(void)
{
	for (int i = 0; i < I8042_SPINS; i++)
		if (!(inb(I8042_CMD) & I8042_IBF))
			return;
	die("i8042 busy");
}

/* The port write that raises the interrupt comes last: t0 just before it. */
static int64_t inject(uint8_t b)
{
	int64_t t0;

	i8042_idle();
	outb(I8042_FAKE, I8042_CMD);
	i8042_idle();
	t0 = now_ns();
	outb(b, I8042_DATA);
	return t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

/* One round through a device object, the driver on cpu: mean latencies. */
static void round_devobj(int cpu, double *inject_us, double *upcall_us)
{
	int fd = open("/dev/irq1", O_RDWR);
	const struct keel_devobj *obj;
	int64_t sum_inject = 0, sum_upcall = 0;
	uint32_t count;

	if (fd < 0)
		die("open /dev/irq1");
	obj = mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (obj == MAP_FAILED)
		die("mmap");
	pin(cpu);
	while (inb(I8042_CMD) & I8042_OBF)
		(void)inb(I8042_DATA);
	for (int i = 0; i < TRIPS; i++) {
		int64_t t0 = inject(PLAIN_BYTE), t1;

		if (read(fd, &count, sizeof(count)) != sizeof(count))
			die("read /dev/irq1");
		t1 = now_ns();
		sum_inject += t1 - t0;
		sum_upcall += t1 - (int64_t)obj->last_ns;
		(void)inb(I8042_DATA);
	}
	munmap((void *)obj, KEEL_DEVOBJ_SIZE);
	close(fd);
	*inject_us = sum_inject / NS_PER_US / TRIPS;
	*upcall_us = sum_upcall / NS_PER_US / TRIPS;
}

/* One round through the kernel's keyboard driver and /dev/tty1. */
static double round_kernel(void)
{
	int64_t sum = 0;
	int tty = open("/dev/tty1", O_RDWR | O_NOCTTY);
	struct termios tio;
	char c;

	if (tty < 0)
		die("open /dev/tty1");
	if (tcgetattr(tty, &tio) < 0)
		die("tcgetattr");
	cfmakeraw(&tio);
	if (tcsetattr(tty, TCSANOW, &tio) < 0 || tcflush(tty, TCIFLUSH) < 0)
		die("tcsetattr");
	pin(0);
	for (int i = 0; i < TRIPS; i++) {
		int64_t t0 = inject(KEY_A_MAKE), t1;

		if (read(tty, &c, 1) != 1)
			die("read /dev/tty1");
		t1 = now_ns();
		sum += t1 - t0;
		(void)inject(KEY_A_BREAK); /* the key goes up: no byte */
	}
	close(tty);
	return sum / NS_PER_US / TRIPS;
}

int main(void)
{
	double inj[2][ROUNDS], up[2][ROUNDS], kern[ROUNDS];

	if (ioperm(I8042_DATA, 1, 1) < 0 || ioperm(I8042_CMD, 1, 1) < 0)
		die("ioperm");
	utest_print("benchirq: interrupt to driver, median of %d rounds of %d\n", ROUNDS, TRIPS);
	for (int r = 0; r < ROUNDS; r++) {
		round_devobj(0, &inj[0][r], &up[0][r]);
		round_devobj(1, &inj[1][r], &up[1][r]);
		kern[r] = round_kernel();
	}
	utest_print("bench: irq devobj_same inject %.1f upcall %.1f us\n", median(inj[0], ROUNDS),
		    median(up[0], ROUNDS));
	utest_print("bench: irq devobj_other inject %.1f upcall %.1f us\n", median(inj[1], ROUNDS),
		    median(up[1], ROUNDS));
	utest_print("bench: irq kernel_kbd inject %.1f us\n", median(kern, ROUNDS));
	utest_print("benchirq: done\n");
	return 0;
}

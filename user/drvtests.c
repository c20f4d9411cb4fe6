/*
 * drvtests.c - /bin/drvtests: user-space drivers on Keel (docs/drivers.md):
 * device objects behind /dev/irqN, the user-space keyboard driver kbdd,
 * and the kernel's keyboard driver stepping aside and coming back.
 *
 * Keel-only (Linux has no /dev/irqN), run as init by
 * tests/system/test_drivers.py on -smp 1 and -smp 4.  Interrupts are real:
 * the tests make the i8042 raise IRQ 1 by asking it to send a byte as if
 * typed (controller command 0xd2), through ioperm'd ports.  Keys typed that
 * way arrive on /dev/tty1, read here in raw mode.
 *
 * Same rules as usertests (usertests.h): one child per test, no stdio,
 * children waited for by pid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <keel/devobj.h>

#include "utest.h"

#define DT_ALARM_SECONDS  120
#define DT_FREE_IRQ       "/dev/irq3" /* COM2: nothing behind it */
#define DT_KBD_IRQ        "/dev/irq1"
#define DT_SERIAL_IRQ     "/dev/irq4" /* the kernel's serial driver: never yields */
#define DT_CASCADE_IRQ    "/dev/irq2"
#define DT_TTY            "/dev/tty1"
#define DT_KBDD           "/bin/kbdd"
#define DT_I8042_DATA     0x60
#define DT_I8042_CMD      0x64
#define DT_I8042_IBF      0x02 /* controller busy with our last byte */
#define DT_I8042_OBF      0x01 /* a byte waits at the data port */
#define DT_I8042_FAKE_KEY 0xd2 /* next data byte comes back as typed */
#define DT_I8042_SPINS    100000
#define DT_PLAIN_BYTE     0x42 /* no key: a byte our own driver reads back */
#define DT_KEY_RELEASE    0x80
#define DT_WAIT_NS        (5 * UTEST_SEC)
#define DT_BUF            4096
#define DT_RACERS         4
#define DT_RACE_ROUNDS    100
#define DT_DIE_ROUNDS     20
#define DT_UID_NOBODY     1000
#define DT_FUTEX_WAIT     0 /* shared: no FUTEX_PRIVATE_FLAG */

/* Set-1 make codes of the keys the tests type. */
static const struct {
	char c;
	uint8_t sc;
} dt_keys[] = {
	{ 'a', 0x1e }, { 's', 0x1f }, { 'd', 0x20 }, { 'f', 0x21 },
	{ 'j', 0x24 }, { 'k', 0x25 }, { 'l', 0x26 },
};

static void dt_ports(void)
{
	UT_OK(ioperm(DT_I8042_DATA, 1, 1));
	UT_OK(ioperm(DT_I8042_CMD, 1, 1));
}

static void dt_i8042_idle(void)
{
	for (int i = 0; i < DT_I8042_SPINS; i++)
		if (!(inb(DT_I8042_CMD) & DT_I8042_IBF))
			return;
	utest_fail("the i8042 never took our byte");
}

/* Have the controller hand over b as if the keyboard sent it: IRQ 1. */
static void dt_inject(uint8_t b)
{
	dt_i8042_idle();
	outb(DT_I8042_FAKE_KEY, DT_I8042_CMD);
	dt_i8042_idle();
	outb(b, DT_I8042_DATA);
}

/*
 * Wait until whichever driver has the keyboard took the last byte: the
 * controller holds one byte, and a byte injected over an unread one
 * replaces it (a key lost), as a real keyboard's would wait in its own
 * buffer instead.
 */
static void dt_wait_taken(void)
{
	int64_t end = utest_now_ns() + DT_WAIT_NS;

	while (inb(DT_I8042_CMD) & DT_I8042_OBF) {
		if (utest_now_ns() > end)
			utest_fail("no driver took the keyboard's byte");
		sched_yield();
	}
}

/* Type s (letters of dt_keys), key down and up, each byte after the
 * driver took the one before. */
static void dt_type(const char *s)
{
	for (; *s; s++) {
		uint8_t sc = 0;

		for (size_t i = 0; i < sizeof(dt_keys) / sizeof(dt_keys[0]); i++)
			if (dt_keys[i].c == *s)
				sc = dt_keys[i].sc;
		if (!sc)
			utest_fail("no scancode for '%c'", *s);
		dt_wait_taken();
		dt_inject(sc);
		dt_wait_taken();
		dt_inject(sc | DT_KEY_RELEASE);
	}
}

/* /dev/tty1 in raw mode, its stale input dropped. */
static int dt_tty_open(void)
{
	struct termios tio;
	int fd = UT_OK(open(DT_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC));

	UT_OK(tcgetattr(fd, &tio));
	cfmakeraw(&tio);
	UT_OK(tcsetattr(fd, TCSANOW, &tio));
	UT_OK(tcflush(fd, TCIFLUSH));
	return fd;
}

/* Read exactly strlen(want) bytes from tty within DT_WAIT_NS; compare. */
static void dt_tty_expect(int tty, const char *want)
{
	char got[DT_BUF];
	size_t n = 0, len = strlen(want);
	int64_t end = utest_now_ns() + DT_WAIT_NS;

	while (n < len) {
		struct pollfd p = { tty, POLLIN, 0 };
		int64_t left = end - utest_now_ns();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left / UTEST_MS)) == 0)
			utest_fail("tty1: got %zu of \"%s\" (\"%.*s\")", n, want, (int)n, got);
		r = read(tty, got + n, len - n);
		if (r < 0 && errno != EINTR)
			utest_fail("read tty1: %s", strerror(errno));
		if (r > 0)
			n += (size_t)r;
	}
	if (memcmp(got, want, len) != 0)
		utest_fail("tty1: got \"%.*s\", want \"%s\"", (int)len, got, want);
}

/* The name /proc/interrupts shows for line irq ("" when none). */
static void dt_irq_owner(int irq, char *out, size_t size)
{
	char buf[DT_BUF], key[16];
	int fd = UT_OK(open("/proc/interrupts", O_RDONLY | O_CLOEXEC));
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	char *line, *end, *name;

	close(fd);
	out[0] = '\0';
	if (n <= 0)
		utest_fail("read /proc/interrupts");
	buf[n] = '\0';
	snprintf(key, sizeof(key), "\n%3d:", irq);
	line = strstr(buf, key);
	if (!line)
		return;
	end = strchr(line + 1, '\n');
	if (end)
		*end = '\0';
	name = strrchr(line, ' ');
	if (name && strcmp(name + 1, "-") != 0)
		snprintf(out, size, "%s", name + 1);
}

/* Wait until line irq's owner is want. */
static void dt_wait_owner(int irq, const char *want)
{
	char owner[64];
	int64_t end = utest_now_ns() + DT_WAIT_NS;

	for (;;) {
		dt_irq_owner(irq, owner, sizeof(owner));
		if (strcmp(owner, want) == 0)
			return;
		if (utest_now_ns() > end)
			utest_fail("IRQ %d belongs to \"%s\", want \"%s\"", irq, owner, want);
		utest_sleep_ns(10 * UTEST_MS);
	}
}

static bool dt_file_has(const char *path, const char *needle)
{
	char buf[DT_BUF * 4];
	int fd = UT_OK(open(path, O_RDONLY | O_CLOEXEC));
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* ---------------------------------------------------------------- the file */

static void dt_irq_open_rules(void)
{
	int fd;

	UT_CHECK_ERR(open(DT_CASCADE_IRQ, O_RDWR), ENOENT);
	UT_CHECK_ERR(open("/dev/irq16", O_RDWR), ENOENT);
	UT_CHECK_ERR(open(DT_SERIAL_IRQ, O_RDWR), EBUSY);
	fd = UT_OK(open(DT_FREE_IRQ, O_RDWR));
	UT_CHECK_ERR(open(DT_FREE_IRQ, O_RDWR), EBUSY);
	close(fd);
	fd = UT_OK(open(DT_FREE_IRQ, O_RDWR));
	close(fd);
}

static void dt_irq_file_args(void)
{
	int fd = UT_OK(open(DT_FREE_IRQ, O_RDWR | O_NONBLOCK));
	uint32_t v = 1;
	uint64_t big = 1;
	struct pollfd p = { fd, POLLIN, 0 };

	UT_CHECK_ERR(read(fd, &v, 3), EINVAL);
	UT_CHECK_ERR(read(fd, &big, sizeof(big)), EINVAL);
	UT_CHECK_ERR(read(fd, &v, sizeof(v)), EAGAIN);
	UT_CHECK_ERR(write(fd, &v, 2), EINVAL);
	UT_CHECK_ERR(write(fd, NULL, sizeof(v)), EFAULT);
	UT_CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
	v = 0;
	UT_CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
	UT_CHECK(poll(&p, 1, 0) == 0);
	close(fd);
}

static void dt_irq_mmap_rules(void)
{
	int fd = UT_OK(open(DT_FREE_IRQ, O_RDWR));
	const struct keel_devobj *obj;
	pid_t pid;

	UT_CHECK_ERR(mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		     EACCES);
	UT_CHECK_ERR(mmap(NULL, 2 * KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, 0), EINVAL);
	UT_CHECK_ERR(mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, KEEL_DEVOBJ_SIZE),
		     EINVAL);
	UT_CHECK_ERR(mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	obj = mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	UT_CHECK(obj != MAP_FAILED);
	UT_CHECK(obj->irq == 3 && obj->count == 0 && obj->masked == 0);
	UT_CHECK_ERR(mprotect((void *)obj, KEEL_DEVOBJ_SIZE, PROT_READ | PROT_WRITE), EACCES);
	UT_CHECK(dt_file_has("/proc/self/maps", DT_FREE_IRQ));
	pid = utest_fork();
	if (pid == 0) {
		*(volatile uint32_t *)&obj->count = 1; /* read-only: SIGSEGV */
		_exit(0);
	}
	UT_CHECK_KILLED(utest_wait(pid), SIGSEGV);
	close(fd);
	UT_CHECK(obj->irq == 3); /* the page outlives the file */
	UT_OK(munmap((void *)obj, KEEL_DEVOBJ_SIZE));
}

static void dt_irq_proc_interrupts(void)
{
	int fd = UT_OK(open(DT_FREE_IRQ, O_RDWR));

	dt_wait_owner(3, "devobj:drvtests");
	close(fd);
	dt_wait_owner(3, "");
}

/* As nobody: opening DT_FREE_IRQ fails with want; so does ioperm (EPERM). */
static void dt_irq_refused_as_nobody(int want)
{
	pid_t pid = utest_fork();

	if (pid == 0) {
		if (setuid(DT_UID_NOBODY) < 0)
			_exit(2);
		errno = 0;
		if (open(DT_FREE_IRQ, O_RDWR) >= 0 || errno != want)
			_exit(3);
		if (ioperm(DT_I8042_DATA, 1, 1) == 0 || errno != EPERM)
			_exit(4);
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
}

static void dt_irq_unprivileged_refused(void)
{
	/* The node's mode (0600, root's) stops nobody first ... */
	dt_irq_refused_as_nobody(EACCES);
	/* ... and with the mode opened up, the device object still wants a
	 * privileged opener. */
	UT_OK(chmod(DT_FREE_IRQ, 0666));
	dt_irq_refused_as_nobody(EPERM);
	UT_OK(chmod(DT_FREE_IRQ, 0600));
}

/* ---------------------------------------------------------------- interrupts */

static void dt_irq_read_counts(void)
{
	int fd;
	uint32_t count = 0;
	const struct keel_devobj *obj;

	dt_ports();
	fd = UT_OK(open(DT_KBD_IRQ, O_RDWR));
	obj = mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	UT_CHECK(obj != MAP_FAILED);
	UT_CHECK(obj->level == 0); /* ISA IRQ 1 is edge-triggered */
	while (inb(DT_I8042_CMD) & DT_I8042_OBF)
		(void)inb(DT_I8042_DATA);
	dt_inject(DT_PLAIN_BYTE);
	UT_CHECK(read(fd, &count, sizeof(count)) == sizeof(count));
	UT_CHECK(count >= 1 && count == obj->count);
	UT_CHECK(inb(DT_I8042_CMD) & DT_I8042_OBF);
	UT_CHECK(inb(DT_I8042_DATA) == DT_PLAIN_BYTE);
	UT_CHECK(obj->last_ns > 0 && obj->irq == 1);
	/* Nothing new: a non-blocking read says so. */
	UT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	UT_CHECK_ERR(read(fd, &count, sizeof(count)), EAGAIN);
	close(fd);
}

struct dt_waiter {
	const struct keel_devobj *obj;
	long ret;
};

static void *dt_futex_waiter(void *arg)
{
	struct dt_waiter *w = arg;

	/* Shared futex (no FUTEX_PRIVATE_FLAG): the kernel wakes by frame. */
	w->ret = syscall(SYS_futex, &w->obj->count, DT_FUTEX_WAIT, 0, NULL, NULL, 0);
	return NULL;
}

static void dt_irq_futex_wakes(void)
{
	struct dt_waiter w = { 0 };
	pthread_t th;
	int fd;

	dt_ports();
	fd = UT_OK(open(DT_KBD_IRQ, O_RDWR));
	w.obj = mmap(NULL, KEEL_DEVOBJ_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	UT_CHECK(w.obj != MAP_FAILED);
	UT_CHECK(pthread_create(&th, NULL, dt_futex_waiter, &w) == 0);
	utest_sleep_ns(50 * UTEST_MS); /* let it sleep (a late one gets EAGAIN) */
	dt_inject(DT_PLAIN_BYTE);
	UT_CHECK(pthread_join(th, NULL) == 0);
	UT_CHECK(w.ret == 0 || (w.ret == -1 && errno == EAGAIN));
	UT_CHECK(w.obj->count >= 1);
	(void)inb(DT_I8042_DATA);
	close(fd);
}

static void dt_irq_poll_wakes(void)
{
	int fd;
	struct pollfd p;
	pid_t pid;

	dt_ports();
	fd = UT_OK(open(DT_KBD_IRQ, O_RDWR));
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(50 * UTEST_MS);
		dt_inject(DT_PLAIN_BYTE); /* ioperm is inherited */
		_exit(0);
	}
	p = (struct pollfd){ fd, POLLIN, 0 };
	UT_CHECK(poll(&p, 1, (int)(DT_WAIT_NS / UTEST_MS)) == 1 && (p.revents & POLLIN));
	UT_CHECK_EXIT(utest_wait(pid), 0);
	(void)inb(DT_I8042_DATA);
	close(fd);
}

/* A reader asleep in read() is woken by the interrupt. */
static void dt_irq_read_blocks(void)
{
	int fd;
	uint32_t count = 0;
	pid_t pid;

	dt_ports();
	fd = UT_OK(open(DT_KBD_IRQ, O_RDWR));
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(100 * UTEST_MS);
		dt_inject(DT_PLAIN_BYTE);
		_exit(0);
	}
	UT_CHECK(read(fd, &count, sizeof(count)) == sizeof(count));
	UT_CHECK(count >= 1);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	(void)inb(DT_I8042_DATA);
	close(fd);
}

/* ---------------------------------------------------------------- the keyboard */

/* With no user-space driver, the kernel's own driver types into tty1. */
static void dt_kernel_keyboard_types(void)
{
	int tty = dt_tty_open();

	dt_ports();
	dt_wait_owner(1, "ps2-kbd");
	dt_type("asdf");
	dt_tty_expect(tty, "asdf");
	close(tty);
}

/* A driver that attaches, takes one interrupt and detaches leaves the
 * keyboard to the kernel's driver again. */
static void dt_kernel_keyboard_returns(void)
{
	int tty = dt_tty_open(), fd;
	uint32_t count;

	dt_ports();
	fd = UT_OK(open(DT_KBD_IRQ, O_RDWR));
	dt_wait_owner(1, "devobj:drvtests");
	dt_inject(DT_PLAIN_BYTE);
	UT_CHECK(read(fd, &count, sizeof(count)) == sizeof(count));
	(void)inb(DT_I8042_DATA);
	close(fd);
	dt_wait_owner(1, "ps2-kbd");
	dt_type("jkl");
	dt_tty_expect(tty, "jkl");
	close(tty);
}

static pid_t dt_kbdd_start(void)
{
	pid_t pid = utest_fork();

	if (pid == 0) {
		char *argv[] = { DT_KBDD, NULL };

		execv(DT_KBDD, argv);
		_exit(127);
	}
	dt_wait_owner(1, "devobj:kbdd");
	return pid;
}

/* kbdd types; killed, the kernel takes over; restarted, kbdd types again. */
static void dt_kbdd_types_and_restarts(void)
{
	int tty = dt_tty_open();
	pid_t kbdd;

	dt_ports();
	kbdd = dt_kbdd_start();
	dt_type("jkl");
	dt_tty_expect(tty, "jkl");
	UT_OK(kill(kbdd, SIGKILL));
	UT_CHECK_KILLED(utest_wait(kbdd), SIGKILL);
	dt_wait_owner(1, "ps2-kbd");
	dt_type("asd");
	dt_tty_expect(tty, "asd");
	kbdd = dt_kbdd_start();
	dt_type("fad");
	dt_tty_expect(tty, "fad");
	UT_OK(kill(kbdd, SIGTERM));
	UT_CHECK_KILLED(utest_wait(kbdd), SIGTERM);
	dt_wait_owner(1, "ps2-kbd");
	close(tty);
}

/* Attaches and detaches racing on every CPU while interrupts come in:
 * nothing breaks, and the line ends with the kernel's driver. */
static void dt_attach_detach_race(void)
{
	pid_t racers[DT_RACERS], pinger;
	int tty;

	dt_ports();
	pinger = utest_fork();
	if (pinger == 0) {
		for (;;)
			dt_inject(DT_PLAIN_BYTE);
	}
	for (int r = 0; r < DT_RACERS; r++) {
		racers[r] = utest_fork();
		if (racers[r] == 0) {
			for (int i = 0; i < DT_RACE_ROUNDS; i++) {
				int fd = open(DT_KBD_IRQ, O_RDWR | O_NONBLOCK);
				uint32_t count;

				if (fd < 0) {
					if (errno != EBUSY)
						_exit(1);
					sched_yield();
					continue;
				}
				(void)read(fd, &count, sizeof(count));
				if (inb(DT_I8042_CMD) & DT_I8042_OBF)
					(void)inb(DT_I8042_DATA);
				close(fd);
			}
			_exit(0);
		}
	}
	for (int r = 0; r < DT_RACERS; r++)
		UT_CHECK_EXIT(utest_wait(racers[r]), 0);
	UT_OK(kill(pinger, SIGKILL));
	UT_CHECK_KILLED(utest_wait(pinger), SIGKILL);
	dt_wait_owner(1, "ps2-kbd");
	tty = dt_tty_open();
	dt_type("dsa");
	dt_tty_expect(tty, "dsa");
	close(tty);
}

/* A driver killed while its interrupt fires, again and again. */
static void dt_driver_killed_while_firing(void)
{
	int tty;

	dt_ports();
	for (int i = 0; i < DT_DIE_ROUNDS; i++) {
		int ready[2];
		char c;
		pid_t pid;

		UT_OK(pipe(ready));
		pid = utest_fork();
		if (pid == 0) {
			int fd = open(DT_KBD_IRQ, O_RDWR | O_NONBLOCK);
			uint32_t count;

			if (fd < 0)
				_exit(1);
			(void)write(ready[1], "r", 1);
			for (;;) {
				dt_inject(DT_PLAIN_BYTE);
				(void)read(fd, &count, sizeof(count));
				if (inb(DT_I8042_CMD) & DT_I8042_OBF)
					(void)inb(DT_I8042_DATA);
			}
		}
		close(ready[1]);
		UT_CHECK(read(ready[0], &c, 1) == 1);
		close(ready[0]);
		utest_sleep_ns((i % 5) * UTEST_MS);
		UT_OK(kill(pid, SIGKILL));
		UT_CHECK_KILLED(utest_wait(pid), SIGKILL);
	}
	dt_wait_owner(1, "ps2-kbd");
	tty = dt_tty_open();
	dt_type("lkj");
	dt_tty_expect(tty, "lkj");
	close(tty);
}

#define DT_TESTS(X)                 \
	X(irq_open_rules)           \
	X(irq_file_args)            \
	X(irq_mmap_rules)           \
	X(irq_proc_interrupts)      \
	X(irq_unprivileged_refused) \
	X(irq_read_counts)          \
	X(irq_futex_wakes)          \
	X(irq_poll_wakes)           \
	X(irq_read_blocks)          \
	X(kernel_keyboard_types)    \
	X(kernel_keyboard_returns)  \
	X(kbdd_types_and_restarts)  \
	X(attach_detach_race)       \
	X(driver_killed_while_firing)

#define DT_ENTRY(name) { #name, dt_##name },
static const struct utest dt_tests[] = { DT_TESTS(DT_ENTRY) };
#undef DT_ENTRY

static const struct utest_suite dt_suite = {
	.prog = "drvtests",
	.tests = dt_tests,
	.ntests = sizeof(dt_tests) / sizeof(dt_tests[0]),
	.alarm_seconds = DT_ALARM_SECONDS,
	.alarm_reason = true,
};

int main(int argc, char **argv)
{
	return utest_main(&dt_suite, argc, argv);
}

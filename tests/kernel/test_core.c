/*
 * test_core.c - in-kernel tests of time, interrupts in kernel mode, the
 * symbol table, the console input queue and the command line, the wall
 * clock and the kernel log ring.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/time.h>
#include <keel/cpu.h>
#include <keel/ksyms.h>
#include <keel/console.h>
#include <keel/main.h>
#include <keel/kshell.h>
#include <lib/string.h>
#include <lib/errno.h>
#include <arch/arch.h>

#define TICK_TEST_MS 100

/* Timer interrupts arrive while the CPU runs kernel code (busy and halted). */
KTEST(timer_ticks_in_kernel_mode)
{
	uint64_t t0 = time_ticks(), ns0 = time_ns();

	KT_CHECK(t, arch_irqs_enabled());
	time_delay_ns(TICK_TEST_MS * NSEC_PER_MSEC / 2);   /* spinning */
	while (time_ns() - ns0 < TICK_TEST_MS * NSEC_PER_MSEC)
		arch_wait_for_interrupt();                  /* halted */
	uint64_t ticks = time_ticks() - t0;
	uint64_t expect = TICK_TEST_MS * TICK_HZ / 1000;
	kprintf("ktest:   %lu ticks in %u ms (expect ~%lu)\n", ticks, TICK_TEST_MS, expect);
	KT_CHECK(t, ticks >= expect / 2 && ticks <= expect * 2 + 2);
}

KTEST(clock_monotonic)
{
	uint64_t prev = time_ns();

	KT_CHECK(t, prev > 0);
	for (int i = 0; i < 10000; i++) {
		uint64_t now = time_ns();
		KT_CHECK(t, now >= prev);
		if (now < prev)
			break;
		prev = now;
	}
}

#define KT_YEAR2020 1577836800ll
#define KT_YEAR2200 7258118400ll

/* The CMOS RTC gives a plausible date, and the wall clock follows it. */
KTEST(rtc_wall_clock)
{
	int64_t rtc = arch_rtc_read_epoch();
	uint64_t real = time_real_ns() / NSEC_PER_SEC;

	kprintf("ktest:   rtc epoch %lld, wall clock %llu\n", (long long)rtc,
		(unsigned long long)real);
	KT_CHECK(t, rtc > KT_YEAR2020 && rtc < KT_YEAR2200);
	KT_CHECK(t, real + 2 >= (uint64_t)rtc && real <= (uint64_t)rtc + 2);
}

/* klog messages land in the ring with "<level>" whatever the console shows. */
KTEST(klog_ring_keeps_messages)
{
	static char buf[KLOG_BUF_SIZE];
	size_t n;

	klog(LOG_INFO, "ktest: klog ring marker %d", 4242);
	n = klog_read_all(buf, sizeof(buf) - 1, false);
	buf[n] = '\0';
	KT_CHECK(t, n > 0 && n <= KLOG_BUF_SIZE);
	KT_CHECK(t, strstr(buf, "<6>[") != NULL);
	KT_CHECK(t, strstr(buf, "ktest: klog ring marker 4242\n") != NULL);
	n = klog_read_all(buf, 8, false);
	KT_CHECK(t, n <= 8);
}

KTEST(ksyms_lookup)
{
	uintptr_t off = 0;
	const char *name = ksym_lookup((uintptr_t)kmain + 3, &off);

	KT_CHECK(t, name && strcmp(name, "kmain") == 0);
	KT_CHECK_EQ(t, off, 3);
	KT_CHECK_EQ(t, ksym_address("ktest_run"), (uintptr_t)ktest_run);
	KT_CHECK(t, ksym_lookup(0x1234, &off) == NULL);
}

KTEST(console_input_queue)
{
	const char *msg = "hello";
	/* The serial line's terminal takes its input: borrow the line. */
	console_input_fn old = console_set_input(CONSOLE_LINE_SERIAL, NULL);

	while (console_trygetc() >= 0)
		;
	for (const char *p = msg; *p; p++)
		console_input(CONSOLE_LINE_SERIAL, *p);
	for (const char *p = msg; *p; p++)
		KT_CHECK_EQ(t, console_trygetc(), *p);
	KT_CHECK_EQ(t, console_trygetc(), -1);
	/* A full queue drops input instead of overwriting it. */
	for (int i = 0; i < CONSOLE_INPUT_SIZE * 2; i++)
		console_input(CONSOLE_LINE_SERIAL, 'x');
	int n = 0;
	while (console_trygetc() >= 0)
		n++;
	KT_CHECK_EQ(t, n, CONSOLE_INPUT_SIZE - 1);
	console_set_input(CONSOLE_LINE_SERIAL, old);
}

KTEST(kshell_commands)
{
	KT_CHECK_EQ(t, kshell_exec("echo ktest-echo"), 0);
	KT_CHECK_EQ(t, kshell_exec("  mem"), 0);
	KT_CHECK_EQ(t, kshell_exec("nosuchcommand"), -ENOENT);
	KT_CHECK_EQ(t, kshell_exec(""), 0);
}

KTEST(cpu_online)
{
	KT_CHECK(t, cpu_online_count() >= 1);
	KT_CHECK(t, this_cpu() == &cpus[this_cpu()->id]);
	KT_CHECK(t, this_cpu()->self == this_cpu());
}

/*
 * main.c - Keel's generic boot sequence (see keel/main.h), the command
 * line options it honours, and the "keel: ready" line everything keys on.
 *
 * Command line: loglevel=N, test=<list|all> (run in-kernel tests, then
 * exit QEMU), panic=exit (panics exit QEMU with a failure status),
 * bench=<list|all> (run in-kernel benchmarks, then exit QEMU),
 * crash=pagefault|panic (deliberate kernel fault or panic, for the
 * backtrace and panic-IPI tests).
 */
#include <keel/main.h>
#include <keel/bootinfo.h>
#include <keel/console.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/kshell.h>
#include <keel/ktest.h>
#include <keel/kbench.h>
#include <keel/panic.h>
#include <keel/pmm.h>
#include <keel/smp.h>
#include <keel/time.h>
#include <lib/cmdline.h>
#include <lib/string.h>
#include <arch/arch.h>

#define CMDLINE_VAL_MAX 256
#define CRASH_ADDRESS   0xdead0000ul

static char kmain_test_list[CMDLINE_VAL_MAX];

static void kmain_parse_cmdline(const char *cmdline)
{
	char val[CMDLINE_VAL_MAX];

	klog_set_level((int)cmdline_get_long(cmdline, "loglevel", LOG_INFO));
	if (cmdline_get(cmdline, "panic", val, sizeof(val)) && strcmp(val, "exit") == 0)
		panic_set_exit(true);
	if (cmdline_get(cmdline, "test", kmain_test_list, sizeof(kmain_test_list)))
		panic_set_exit(true);
}

static void kmain_check_memory(const struct bootinfo *bi)
{
	uint64_t usable = bootinfo_usable_bytes(bi);

	if (usable >= KEEL_MIN_MEMORY)
		return;
	kprintf("keel: not enough memory: %lu KiB usable, Keel needs at least %lu MiB\n",
		usable / KiB, KEEL_MIN_MEMORY / MiB);
	panic("not enough memory");
}

/* A deliberate kernel page fault, for testing the trap handler. */
__attribute__((noinline)) void crash_pagefault(void)
{
	volatile int *bad = (volatile int *)CRASH_ADDRESS;

	kprintf("keel: crash=pagefault: reading %p\n", (void *)bad);
	(void)*bad;
}

void kmain(struct bootinfo *bi)
{
	char val[CMDLINE_VAL_MAX];

	this_cpu()->online = true;      /* the boot CPU, before anything can panic */
	kmain_parse_cmdline(bi->cmdline);
	kprintf("\nKeel - a small multiprocessor kernel (x86-64)\n");
	kprintf("boot: %s, command line \"%s\"\n", bi->protocol, bi->cmdline);
	kmain_check_memory(bi);

	pmm_early_init(bi);
	arch_mm_init(bi);
	pmm_init(bi);
	arch_mm_late_init();
	kmalloc_init();
	smp_init();
	arch_devices_init();
	arch_irq_enable();
	arch_smp_init();

	kprintf("keel: ready: %u cpus, %lu MiB free\n", cpu_online_count(),
		pmm_free_frames() * PAGE_SIZE / MiB);

	if (cmdline_get(bi->cmdline, "bench", val, sizeof(val))) {
		kbench_run(val);
		arch_emulator_exit(EMU_EXIT_SUCCESS);
		arch_halt_forever();
	}
	if (kmain_test_list[0]) {
		int failed = ktest_run(kmain_test_list);
		arch_emulator_exit(failed ? EMU_EXIT_FAILURE : EMU_EXIT_SUCCESS);
		arch_halt_forever();
	}
	if (cmdline_get(bi->cmdline, "crash", val, sizeof(val))) {
		if (strcmp(val, "pagefault") == 0)
			crash_pagefault();
		else if (strcmp(val, "panic") == 0)
			panic("crash=panic: deliberate panic");
		else
			klog(LOG_WARN, "crash=%s: unknown crash kind", val);
	}
	kshell_run();
}

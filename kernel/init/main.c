/*
 * main.c - Keel's generic boot sequence (see keel/main.h), the command
 * line options it honours, and the "keel: ready" line everything keys on.
 *
 * Command line: loglevel=N (the console log level: klog messages below N
 * reach the consoles; default: warnings and worse), quiet (4), debug (10),
 * test=<list|all> (run in-kernel tests, then
 * exit QEMU), panic=exit (panics exit QEMU with a failure status),
 * bench=<list|all> (run in-kernel benchmarks, then exit QEMU),
 * init=<path> or init="<path> <args>" (first user process, default /init;
 * init=none starts none: the kernel shell only),
 * initexit=poweroff (leave QEMU when init exits: status 33 if it exited 0
 * and every frame came back), crash=pagefault|panic (deliberate kernel fault or panic, for the
 * backtrace and panic-IPI tests), failalloc=<what>:<probability>[:<seed>]
 * (fail kernel allocations at random while init runs; keel/failinject.h).
 */
#include <keel/main.h>
#include <keel/bootinfo.h>
#include <keel/console.h>
#include <keel/cpu.h>
#include <keel/failinject.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/kshell.h>
#include <keel/tty.h>
#include <keel/ktest.h>
#include <keel/kbench.h>
#include <keel/panic.h>
#include <keel/pmm.h>
#include <keel/oom.h>
#include <keel/smp.h>
#include <keel/sched.h>
#include <keel/futex.h>
#include <keel/proc.h>
#include <keel/sys_sem.h>
#include <keel/sys_shm.h>
#include <keel/wait.h>
#include <keel/pmap.h>
#include <keel/vm.h>
#include <keel/fault.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/vfs.h>
#include <keel/initramfs.h>
#include <keel/procfs.h>
#include <lib/cmdline.h>
#include <lib/string.h>
#include <arch/arch.h>

#define CMDLINE_VAL_MAX 256
#define CRASH_ADDRESS   0xdead0000ul

static char kmain_test_list[CMDLINE_VAL_MAX];

static void kmain_parse_cmdline(const char *cmdline)
{
	char val[CMDLINE_VAL_MAX];

	if (cmdline_get(cmdline, "quiet", val, sizeof(val)))
		klog_set_level(KLOG_CONSOLE_QUIET);
	if (cmdline_get(cmdline, "debug", val, sizeof(val)))
		klog_set_level(KLOG_CONSOLE_DEBUG);
	klog_set_level((int)cmdline_get_long(cmdline, "loglevel", klog_get_level()));
	if (cmdline_get(cmdline, "panic", val, sizeof(val)) && strcmp(val, "exit") == 0)
		panic_set_exit(true);
	if (cmdline_get(cmdline, "test", kmain_test_list, sizeof(kmain_test_list)))
		panic_set_exit(true);
	failinject_init(cmdline);
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

#define INIT_ARGS_MAX  16
#define INIT_DEFAULT   "/init"
#define INIT_NONE      "none"           /* init=none: the kernel shell only */
#define INIT_REAP_WAIT_NS (5000 * NSEC_PER_MSEC)
#define INIT_LEAK_SHOW    16           /* leaked blocks listed at init exit */

static struct spinlock init_lock = SPINLOCK_INIT("init_wait");
static struct waitq init_wq = WAITQ_INIT(init_wq, "init_wq");
static bool init_done;                 /* [init_lock] */
static int init_status;                /* [init_lock] */
static uint64_t init_frames_before;    /* [I] free frames before init started */
static uint64_t init_alloc_mark;       /* [I] pmm_alloc_seq() before init started */
static bool init_poweroff;             /* [I] initexit=poweroff */
static uint64_t init_heap_pages_before; /* [I] */
static unsigned init_threads_before;    /* [I] */

/* Called when pid 1 has exited (from its last thread). */
void init_exited(int status)
{
	spin_lock(&init_lock);
	init_done = true;
	init_status = status;
	spin_unlock(&init_lock);
	wake_up(&init_wq);
}

/* Wait (bounded) until no dead thread waits for its reaper. */
static void kmain_wait_reapers(uint64_t deadline)
{
	while (thread_dying_count() > 0 && time_ns() < deadline)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
}

/* Give the reapers a moment to free the last threads, then count frames. */
static void kmain_init_report(int status)
{
	uint64_t deadline = time_ns() + INIT_REAP_WAIT_NS;

	failinject_disarm();            /* the report and the shell must not fail */
	proc_reap_init();
	shm_exit_all();                 /* the IPC namespace ends with its processes */
	sem_exit_all();
	/* The reapers free the last threads asynchronously: let them finish. */
	kmain_wait_reapers(deadline);
	for (;;) {
		kmalloc_shrink();       /* empty slabs count as returned */
		if (pmm_free_frames() >= init_frames_before || time_ns() >= deadline)
			break;
		sched_sleep_until(time_ns() + 10 * NSEC_PER_MSEC, false);
	}
	int64_t leaked = (int64_t)init_frames_before - (int64_t)pmm_free_frames();
	if (leaked > 0)
		pmm_report_since(init_alloc_mark, INIT_LEAK_SHOW);
	if (status & 0x7f)
		kprintf("keel: init was killed by signal %d\n", status & 0x7f);
	else
		kprintf("keel: init exited with status %d\n", (status >> 8) & 0xff);
	struct kmem_stats st;
	kmalloc_stats(&st);
	kprintf("keel: %ld frames not returned since init started (heap pages %+ld, threads %+d, "
		"processes %u); page-table check: %u problems\n", leaked,
		(long)st.pages_in_use - (long)init_heap_pages_before,
		(int)thread_count() - (int)init_threads_before, proc_count(),
		pmap_check_all(NULL));
	kprintf("keel: out-of-memory kills %lu, longest run-queue wait %lu ms, "
		"kernel hogs %u, tick stalls %u, fault-loop stops %u\n", oom_kill_count(),
		(unsigned long)(sched_max_wait_ns() / NSEC_PER_MSEC), sched_kernel_hogs(),
		sched_host_stalls(), fault_loop_detections());
	if (init_poweroff)
		arch_emulator_exit(status == 0 && leaked == 0 ? EMU_EXIT_SUCCESS : EMU_EXIT_FAILURE);
}

/*
 * Start the first user process: init=<path or "path args..."> from the
 * command line, else /init from the initramfs.  The main thread waits for
 * it to exit, reports, and falls back to the kernel shell.
 */
static void kmain_start_init(const char *cmdline)
{
	static char line[CMDLINE_VAL_MAX];
	char *argv[INIT_ARGS_MAX + 1];
	char *envp[] = { "HOME=/", "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "TERM=linux", NULL };
	char val[CMDLINE_VAL_MAX];
	int argc = 0, err;

	init_poweroff = cmdline_get(cmdline, "initexit", val, sizeof(val)) &&
			strcmp(val, "poweroff") == 0;
	if (!cmdline_get(cmdline, "init", line, sizeof(line)))
		strlcpy(line, INIT_DEFAULT, sizeof(line));
	if (strcmp(line, INIT_NONE) == 0) {
		kprintf("keel: init=none: no user space, kernel shell only\n");
		return;
	}
	for (char *p = line; *p && argc < INIT_ARGS_MAX;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	if (!argc)
		return;
	kmain_wait_reapers(time_ns() + INIT_REAP_WAIT_NS);   /* AP boot contexts */
	kmalloc_shrink();
	struct kmem_stats st;
	kmalloc_stats(&st);
	init_heap_pages_before = st.pages_in_use;
	init_threads_before = thread_count();
	init_frames_before = pmm_free_frames();
	init_alloc_mark = pmm_alloc_seq();
	err = proc_start_init(argv[0], argv, envp);
	if (err) {
		kprintf("keel: cannot start init %s: error %d; staying in the kernel shell\n",
			argv[0], err);
		if (init_poweroff)
			arch_emulator_exit(EMU_EXIT_FAILURE);
		return;
	}
	failinject_arm();               /* boot and init's start never fail */
	spin_lock(&init_lock);
	wait_event_locked_uninterruptible(&init_wq, &init_lock, init_done);
	int status = init_status;
	spin_unlock(&init_lock);
	kmain_init_report(status);
}

/* A deliberate kernel page fault, for testing the trap handler. */
static __attribute__((noinline)) void crash_pagefault(void)
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
	sched_init();                   /* kmain is now the thread "main" */
	futex_init();
	vm_init();
	proc_init_caches();
	time_init_real();               /* before the first file gets a time */
	vfs_init();
	tty_init(bi->cmdline);          /* typed input goes to the terminals now */
	for (unsigned i = 0; i < bi->mod_count; i++)
		initramfs_unpack(arch_phys_to_virt(bi->mod[i].start),
				 bi->mod[i].end - bi->mod[i].start);
	procfs_init(bi->cmdline);
	/* /tmp is a tmpfs, as on Linux distributions (the initramfs's /tmp,
	 * if it has files there, is hidden under it). */
	if (vfs_mount("tmpfs", "/tmp", tmpfs_fs_type.name, MS_NOSUID | MS_NODEV | MS_RELATIME,
		      NULL))
		panic("kmain: cannot mount a tmpfs on /tmp");
	arch_devices_init();
	arch_irq_enable();
	arch_smp_init();
	sched_wait_all_cpus();
	pmm_pcp_enable();               /* every CPU's per-CPU data is up */

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
	kmain_start_init(bi->cmdline);
	kshell_run();
}

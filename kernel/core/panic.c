/*
 * panic.c - stop the kernel on a broken invariant: print the message and a
 * symbolized backtrace, then halt (or exit QEMU with a failure status when
 * the command line asked for it, so tests never hang).  Only the first CPU
 * to panic prints; a nested panic on the same CPU halts at once.  The
 * others are stopped with an NMI (arch_stop_other_cpus) and each prints
 * where it was before halting, one at a time.
 */
#include <keel/panic.h>
#include <keel/klog.h>
#include <keel/cpu.h>
#include <keel/ksyms.h>
#include <keel/time.h>
#include <arch/arch.h>

#define PANIC_NO_CPU (-1)
#define PANIC_STOP_WAIT_NS (500 * NSEC_PER_MSEC)

static int panic_cpu = PANIC_NO_CPU;   /* [A] first CPU to panic */
static bool panic_exit;                /* [I] set from the command line */
static unsigned panic_stopped;         /* [A] CPUs that stopped for the panic */
static int panic_print_owner = PANIC_NO_CPU;  /* [A] CPU printing a stop report */

/* Serialize the stop reports of several CPUs (the console lock may be lost). */
static void panic_print_lock(int me)
{
	int expected = PANIC_NO_CPU;
	uint64_t end = time_ns() + PANIC_STOP_WAIT_NS;

	while (!__atomic_compare_exchange_n(&panic_print_owner, &expected, me, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		expected = PANIC_NO_CPU;
		if (time_ns() > end)
			return;          /* print anyway rather than hang */
		arch_cpu_relax();
	}
}

static void panic_print_unlock(void)
{
	__atomic_store_n(&panic_print_owner, PANIC_NO_CPU, __ATOMIC_RELEASE);
}

void panic_stop_this_cpu(uintptr_t fp, uintptr_t pc)
{
	int me = (int)this_cpu()->id;

	arch_irq_disable();
	panic_print_lock(me);
	kprintf("cpu %d: stopped by panic on cpu %d at:\n", me,
		__atomic_load_n(&panic_cpu, __ATOMIC_RELAXED));
	backtrace_print_pc(pc);
	backtrace_print(fp);
	panic_print_unlock();
	__atomic_fetch_add(&panic_stopped, 1, __ATOMIC_RELEASE);
	arch_halt_forever();
}

/* NMI the other CPUs and give them a moment to print their backtraces. */
static void panic_stop_others(int me)
{
	unsigned online = cpu_online_count();
	unsigned others = online > 1 ? online - 1 : 0;
	uint64_t end;

	if (others == 0)
		return;
	arch_stop_other_cpus();
	end = time_ns() + PANIC_STOP_WAIT_NS;
	while (__atomic_load_n(&panic_stopped, __ATOMIC_ACQUIRE) < others && time_ns() < end)
		arch_cpu_relax();
	panic_print_lock(me);
	kprintf("panic: %u of %u other cpus stopped\n",
		__atomic_load_n(&panic_stopped, __ATOMIC_RELAXED), others);
	panic_print_unlock();
}

void panic_set_exit(bool on)
{
	panic_exit = on;
}

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_RELAXED) != PANIC_NO_CPU;
}

void panic(const char *fmt, ...)
{
	int expected = PANIC_NO_CPU;
	int me = (int)this_cpu()->id;
	va_list ap;

	arch_irq_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &expected, me, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (expected == me)
			kprintf("\nPANIC (nested) on cpu %d\n", me);
		if (panic_exit)
			arch_emulator_exit(EMU_EXIT_FAILURE);
		arch_halt_forever();
	}
	panic_print_lock(me);
	kprintf("\nPANIC on cpu %d: ", me);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_print(arch_frame_pointer());
	panic_print_unlock();
	panic_stop_others(me);
	if (panic_exit) {
		kprintf("keel: exiting after panic\n");
		arch_emulator_exit(EMU_EXIT_FAILURE);
	}
	kprintf("keel: system halted\n");
	arch_halt_forever();
}

/*
 * panic.c - stop the kernel on a broken invariant: print the message and a
 * symbolized backtrace, then halt (or exit QEMU with a failure status when
 * the command line asked for it, so tests never hang).  Only the first CPU
 * to panic prints; a nested panic on the same CPU halts at once.
 */
#include <keel/panic.h>
#include <keel/klog.h>
#include <keel/cpu.h>
#include <keel/ksyms.h>
#include <arch/arch.h>

#define PANIC_NO_CPU (-1)

static int panic_cpu = PANIC_NO_CPU;   /* [A] first CPU to panic */
static bool panic_exit;                /* [I] set from the command line */

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
	kprintf("\nPANIC on cpu %d: ", me);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_print(arch_frame_pointer());
	if (panic_exit) {
		kprintf("keel: exiting after panic\n");
		arch_emulator_exit(EMU_EXIT_FAILURE);
	}
	kprintf("keel: system halted\n");
	arch_halt_forever();
}

/*
 * time.c - generic timekeeping on top of the arch clock and tick.
 * Each CPU counts its own ticks in struct cpu ([C], kernel/sched/tick.c);
 * the boot CPU's count is the system tick count.
 */
#include <keel/time.h>
#include <keel/cpu.h>
#include <arch/arch.h>

uint64_t time_ns(void)
{
	return arch_clock_ns();
}

uint64_t time_ticks(void)
{
	return READ_ONCE(cpus[0].ticks);
}

void time_delay_ns(uint64_t ns)
{
	uint64_t end = time_ns() + ns;

	while (time_ns() < end)
		arch_cpu_relax();
}

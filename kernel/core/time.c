/*
 * time.c - generic timekeeping on top of the arch clock and tick.
 * Each CPU counts its own ticks in struct cpu ([C]); the boot CPU's count
 * is the system tick count.
 */
#include <keel/time.h>
#include <keel/cpu.h>
#include <keel/timer.h>
#include <keel/sched.h>
#include <arch/arch.h>

uint64_t time_ns(void)
{
	return arch_clock_ns();
}

void time_tick(uintptr_t pc, uintptr_t fp, bool from_user)
{
	this_cpu()->ticks++;
	timer_run_expired();
	sched_tick(pc, fp, from_user);
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

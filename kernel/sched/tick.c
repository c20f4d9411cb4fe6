/*
 * tick.c - the periodic tick on each CPU: count it (struct cpu ticks, [C]
 * this CPU only; the boot CPU's count is the system tick count, see
 * time_ticks), charge it to the CPU, thread and process (cputime.c), run
 * the timers that expired, then let the scheduler
 * account the running thread and preempt it (sched_tick).  Runs in the
 * timer interrupt with interrupts off.
 */
#include <keel/tick.h>
#include <keel/cpu.h>
#include <keel/timer.h>
#include <keel/sched.h>
#include <keel/cputime.h>

void tick_handle(uintptr_t pc, uintptr_t fp, bool from_user)
{
	this_cpu()->ticks++;
	cputime_tick(from_user);
	timer_run_expired();
	sched_tick(pc, fp, from_user);
}

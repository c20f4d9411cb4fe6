/*
 * tick.c - the periodic tick on each CPU: count it (struct cpu ticks, [C]
 * this CPU only; the boot CPU's count is the system tick count, see
 * time_ticks), charge it to the running user thread's user or system time
 * (thread->uticks/sticks), run the timers that expired, then let the scheduler
 * account the running thread and preempt it (sched_tick).  Runs in the
 * timer interrupt with interrupts off.
 */
#include <keel/console.h>
#include <keel/tick.h>
#include <keel/cpu.h>
#include <keel/timer.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/cputime.h>

void tick_handle(uintptr_t pc, uintptr_t fp, bool from_user)
{
	struct thread *t = this_cpu()->curr;

	this_cpu()->ticks++;
	if (t && t->proc) /* a user thread: kernel/proc/resource.c reads these */
		__atomic_fetch_add(from_user ? &t->uticks : &t->sticks, 1, __ATOMIC_RELAXED);
	cputime_tick(from_user);
	console_run_deferred();
	timer_run_expired();
	sched_tick(pc, fp, from_user);
}

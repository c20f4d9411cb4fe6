/*
 * keel/cputime.h - CPU time accounting by the tick (kernel/sched/cputime.c):
 * what /proc/stat, /proc/PID/stat and /proc/loadavg report.
 *
 * Every tick charges one tick to the CPU (user, system or idle), as
 * Linux's tick-based accounting does (a thread's own user and system
 * ticks are thread->uticks/sticks, kernel/proc/resource.c).  Every CPUTIME_LOAD_FREQ ticks the boot CPU samples the number of
 * runnable threads into three exponentially decayed load averages (1, 5
 * and 15 minutes), in Linux's fixed point.
 *
 * Lock key: the counters are [A]: each is written by one CPU's tick and
 * read without a lock (a statistic).  Nothing here sleeps.
 */
#ifndef KEEL_CPUTIME_H
#define KEEL_CPUTIME_H

#include <keel/compiler.h>

#define CPUTIME_FSHIFT    11 /* Linux FSHIFT */
#define CPUTIME_FIXED_1   (1ul << CPUTIME_FSHIFT)
#define CPUTIME_LOAD_FREQ (5 * TICK_HZ + 1) /* Linux LOAD_FREQ: 5 s */

/* Ticks a CPU spent in each state since it came up. */
struct cputime_cpu {
	uint64_t user, system, idle;
};

/* The tick on this CPU (interrupt context): charge it; from_user says
 * whether it interrupted user mode. */
void cputime_tick(bool from_user);
/* CPU cpu's ticks so far (racy snapshot). */
void cputime_cpu_get(unsigned cpu, struct cputime_cpu *out);
/* The 1, 5 and 15 minute load averages, fixed point (CPUTIME_FIXED_1 = 1.0). */
void cputime_loadavg(unsigned long avg[3]);

#endif

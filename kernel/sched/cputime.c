/*
 * cputime.c - tick-based CPU time accounting and the load average (see
 * keel/cputime.h).
 *
 * Each CPU's tick charges the tick to the CPU's user, system or idle
 * count (threads and processes are charged by tick_handle and
 * kernel/proc/resource.c); the boot CPU also keeps the load average: every CPUTIME_LOAD_FREQ ticks the number of
 * runnable threads (sched_nr_running) is folded into three exponentially
 * decayed averages with Linux's constants (EXP_1, EXP_5, EXP_15: 1/exp(5s/1min)
 * and so on, in CPUTIME_FSHIFT fixed point).
 *
 * Lock key: [A] every counter (one writer: the tick of one CPU; readers
 * take racy snapshots).  Runs in the timer interrupt: never sleeps.
 */
#include <keel/cputime.h>
#include <keel/cpu.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/time.h>

#define CPUTIME_EXP_1  1884 /* 1/exp(5s/1min) in fixed point */
#define CPUTIME_EXP_5  2014 /* 1/exp(5s/5min) */
#define CPUTIME_EXP_15 2037 /* 1/exp(5s/15min) */

static struct cputime_cpu cputime_cpus[MAX_CPUS]; /* [A] */
static unsigned long cputime_avenrun[3];          /* [A] */
static uint64_t cputime_load_ticks;               /* [C] boot CPU only */

static void cputime_add(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* One step of Linux's calc_load: load decays towards active by exp. */
static unsigned long cputime_calc_load(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long newload = load * exp + active * (CPUTIME_FIXED_1 - exp);

	if (active >= load)
		newload += CPUTIME_FIXED_1 - 1;
	return newload / CPUTIME_FIXED_1;
}

static void cputime_sample_load(void)
{
	static const unsigned long exps[3] = { CPUTIME_EXP_1, CPUTIME_EXP_5, CPUTIME_EXP_15 };
	unsigned long active = (unsigned long)sched_nr_running() * CPUTIME_FIXED_1;

	for (unsigned i = 0; i < 3; i++) {
		unsigned long old = __atomic_load_n(&cputime_avenrun[i], __ATOMIC_RELAXED);

		__atomic_store_n(&cputime_avenrun[i], cputime_calc_load(old, exps[i], active),
				 __ATOMIC_RELAXED);
	}
}

void cputime_tick(bool from_user)
{
	struct cpu *c = this_cpu();
	struct cputime_cpu *cc = &cputime_cpus[c->id];

	if (!c->thread)
		cputime_add(&cc->idle);
	else if (from_user)
		cputime_add(&cc->user);
	else
		cputime_add(&cc->system);
	if (c->id == 0 && ++cputime_load_ticks >= CPUTIME_LOAD_FREQ) {
		cputime_load_ticks = 0;
		cputime_sample_load();
	}
}

void cputime_cpu_get(unsigned cpu, struct cputime_cpu *out)
{
	const struct cputime_cpu *cc = &cputime_cpus[cpu];

	out->user = __atomic_load_n(&cc->user, __ATOMIC_RELAXED);
	out->system = __atomic_load_n(&cc->system, __ATOMIC_RELAXED);
	out->idle = __atomic_load_n(&cc->idle, __ATOMIC_RELAXED);
}

void cputime_loadavg(unsigned long avg[3])
{
	for (unsigned i = 0; i < 3; i++)
		avg[i] = __atomic_load_n(&cputime_avenrun[i], __ATOMIC_RELAXED);
}

/*
 * keel/timer.h - one-shot kernel timers on each CPU's tick.
 *
 * A timer fires from the timer interrupt of the CPU it was armed on, at
 * the first tick at or after its expiry time (tick resolution: 1/TICK_HZ).
 * Callbacks run with interrupts off under the CPU's timer lock, so they
 * must be short and must not arm or cancel timers; they usually wake a
 * thread.  After timer_cancel() returns, the callback is not running and
 * will not run.  A timer with a period is re-armed by the tick after its
 * callback ran (for interval timers), until cancelled.
 *
 * Lock key (tags as in docs/locking.md): [timer_base.lock] the lock of the
 * CPU's timer list the timer is armed on (t->cpu; kernel/core/timer.c).
 * Lock order: timer_base.lock -> thread pi_lock -> run queue lock.
 */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/compiler.h>
#include <keel/list.h>

struct timer {
	uint64_t expires;               /* [timer_base.lock] time_ns() deadline */
	void (*fn)(struct timer *t);    /* [timer_base.lock] */
	struct list node;               /* [timer_base.lock] */
	int cpu;                        /* [timer_base.lock] -1 when not armed */
	uint64_t period;                /* [timer_base.lock] re-arm interval in ns, 0: one-shot */
};

/* Set up every CPU's timer list (boot CPU, before any timer is armed). */
void timers_init(void);
void timer_init(struct timer *t, void (*fn)(struct timer *t));
/* Arm (or re-arm) t to fire at time_ns() >= expires, on this CPU. */
void timer_arm(struct timer *t, uint64_t expires);
/* Disarm t; true if it was armed and had not fired. */
bool timer_cancel(struct timer *t);
/* Called from the tick on every CPU: run expired timers. */
void timer_run_expired(void);

#endif

/*
 * wait.c - wait queues (see keel/wait.h for the sleeping rule), and the
 * sleeping-context check behind might_sleep().
 * A waiter lives on the sleeper's stack; wake_up() holds the queue lock
 * while it touches waiters, and a sleeper only leaves (waitq_finish) under
 * the same lock, so a waiter is never used after its owner returned.  The
 * same holds for callback entries (struct wait_callback): their owner
 * takes them off under the lock, and only then frees them.
 *
 * might_sleep_irqs_seen[cpu] ([C] that CPU) is set the first time the
 * check runs there with interrupts on; until then the CPU is still booting
 * and the interrupts-off rule is not applied to it (keel/wait.h).
 */
#include <keel/wait.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/panic.h>
#include <keel/cpu.h>
#include <keel/lockdep.h>
#include <keel/ksyms.h>
#include <arch/arch.h>

static bool might_sleep_irqs_seen[MAX_CPUS];

void waitq_init(struct waitq *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->waiters);
}

void waitq_prepare(struct waitq *wq, struct waiter *w)
{
	w->thread = thread_current();
	assert(w->thread);
	w->woken = false;
	spin_lock(&wq->lock);
	list_add_tail(&wq->waiters, &w->node);
	WRITE_ONCE(w->thread->state, THREAD_SLEEPING);
	spin_unlock(&wq->lock);
}

void waitq_finish(struct waitq *wq, struct waiter *w)
{
	WRITE_ONCE(w->thread->state, THREAD_RUNNING);
	spin_lock(&wq->lock);
	list_remove(&w->node);
	spin_unlock(&wq->lock);
}

void waitq_add_callback(struct waitq *wq, struct wait_callback *cb,
			void (*fn)(struct wait_callback *cb))
{
	cb->w.thread = NULL;
	cb->w.woken = false;
	cb->fn = fn;
	spin_lock(&wq->lock);
	list_add_tail(&wq->waiters, &cb->w.node);
	spin_unlock(&wq->lock);
}

void waitq_remove_callback(struct waitq *wq, struct wait_callback *cb)
{
	spin_lock(&wq->lock);
	list_remove(&cb->w.node);
	spin_unlock(&wq->lock);
}

/*
 * Callback entries are called and stay queued (a callback may not touch
 * the queue, so the saved next pointer stays valid); thread waiters are
 * unlinked and woken.
 */
static void wake_some(struct waitq *wq, bool all, unsigned subclass)
{
	struct list *pos, *tmp;

	if (subclass)
		spin_lock_nested(&wq->lock, subclass);
	else
		spin_lock(&wq->lock);
	list_for_each_safe(pos, tmp, &wq->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, node);

		if (!w->thread) {
			struct wait_callback *cb =
				container_of(w, struct wait_callback, w);

			cb->fn(cb);
			continue;
		}
		list_remove(&w->node);
		w->woken = true;
		bool woke = sched_wake(w->thread);
		if (!all && woke)
			break;
	}
	spin_unlock(&wq->lock);
}

void wake_up(struct waitq *wq)
{
	wake_some(wq, true, 0);
}

void wake_up_one(struct waitq *wq)
{
	wake_some(wq, false, 0);
}

void wake_up_nested(struct waitq *wq, unsigned subclass)
{
	assert(subclass < SPIN_SUBCLASS_MAX);
	wake_some(wq, true, subclass);
}

bool wait_killed(void)
{
	return signal_fatal_pending();
}

bool wait_interrupted(void)
{
	struct thread *t = thread_current();

	return t && t->proc && signal_pending();
}

int might_sleep_check(const struct spinlock *released)
{
	bool has_released = released && spin_held(released);
	bool irqs_on, in_irq, thread;
	int sections, spins;
	struct cpu *c;

	irq_push_off();                 /* this CPU's state, read in one place */
	c = this_cpu();
	in_irq = c->in_irq > 0;
	thread = c->thread != NULL;
	/* IF before the outermost irq_push_off: ours, or the caller's. */
	irqs_on = c->irq_was_on;
	if (irqs_on)
		might_sleep_irqs_seen[c->id] = true;
	/* The caller's interrupts-off sections and spinlocks, but released. */
	sections = c->irq_off_depth - 1 - has_released;
	spins = (int)lockdep_spin_depth() - has_released;
	irq_pop_off();

	if (in_irq)
		return MIGHT_SLEEP_IN_IRQ;
	if (!thread)
		return MIGHT_SLEEP_NO_THREAD;
	if (released && !has_released)
		return MIGHT_SLEEP_NOT_HELD;
	if (spins > 0)
		return MIGHT_SLEEP_SPINLOCK;
	if (sections > 0 || (!irqs_on && READ_ONCE(might_sleep_irqs_seen[c->id])))
		return MIGHT_SLEEP_IRQS_OFF;
	return MIGHT_SLEEP_OK;
}

const char *might_sleep_why_str(int why)
{
	switch (why) {
	case MIGHT_SLEEP_OK:
		return "it may sleep here";
	case MIGHT_SLEEP_IN_IRQ:
		return "it runs in an interrupt handler";
	case MIGHT_SLEEP_NO_THREAD:
		return "no thread runs (idle or boot context)";
	case MIGHT_SLEEP_SPINLOCK:
		return "a spinlock is held";
	case MIGHT_SLEEP_IRQS_OFF:
		return "interrupts are off";
	case MIGHT_SLEEP_NOT_HELD:
		return "the lock its sleep would release is not held";
	default:
		return "?";
	}
}

void might_sleep_fail(int why, const char *func, uintptr_t caller)
{
	uintptr_t off = 0;
	const char *name = ksym_lookup(caller, &off);

	lockdep_print_held();
	panic("might_sleep: %s (called from %s+0x%lx) may sleep, but %s",
	      func, name ? name : "?", name ? off : caller,
	      might_sleep_why_str(why));
}

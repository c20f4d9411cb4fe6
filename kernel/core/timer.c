/*
 * timer.c - one-shot timers kept per CPU in a list sorted by expiry and
 * run from that CPU's tick (see keel/timer.h).  Each CPU's list has its
 * own lock; callbacks run under it, and a timer stays marked as armed on
 * its CPU until its callback has returned, which is what lets
 * timer_cancel() guarantee that the callback is not running when it
 * returns.  Arming and cancelling one timer from two threads at once is
 * the callers' to serialize (each user owns its timer, or locks it).
 */
#include <keel/timer.h>
#include <keel/cpu.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/panic.h>

struct timer_base {
	struct spinlock lock;
	struct list pending;      /* [lock] sorted by expires */
};

static struct timer_base timer_bases[MAX_CPUS];

static struct timer_base *timer_base(unsigned cpu)
{
	return &timer_bases[cpu];
}

void timers_init(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		spin_init(&timer_bases[i].lock, "timer_base");
		list_init(&timer_bases[i].pending);
	}
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->fn = fn;
	t->cpu = -1;
	t->period = 0;
	list_init(&t->node);
}

/* Insert t into b in expiry order.  [b->lock] held. */
static void timer_insert(struct timer_base *b, struct timer *t)
{
	struct list *pos;

	spin_assert_held(&b->lock);
	list_for_each(pos, &b->pending) {
		if (list_entry(pos, struct timer, node)->expires > t->expires)
			break;
	}
	list_insert_between(&t->node, pos->prev, pos);
}

void timer_arm(struct timer *t, uint64_t expires)
{
	struct timer_base *b;

	timer_cancel(t);
	irq_push_off();
	b = timer_base(this_cpu()->id);
	spin_lock(&b->lock);
	t->expires = expires;
	t->cpu = (int)this_cpu()->id;
	timer_insert(b, t);
	spin_unlock(&b->lock);
	irq_pop_off();
}

bool timer_cancel(struct timer *t)
{
	for (;;) {
		int cpu = READ_ONCE(t->cpu);
		if (cpu < 0)
			return false;
		struct timer_base *b = timer_base((unsigned)cpu);
		spin_lock(&b->lock);
		if (t->cpu == cpu) {
			bool pending = !list_empty(&t->node);
			list_remove(&t->node);
			t->cpu = -1;
			spin_unlock(&b->lock);
			return pending;
		}
		spin_unlock(&b->lock);     /* fired or moved meanwhile: re-check */
	}
}

void timer_run_expired(void)
{
	struct timer_base *b = timer_base(this_cpu()->id);
	uint64_t now = time_ns();

	spin_lock(&b->lock);
	for (;;) {
		struct timer *t = list_first(&b->pending, struct timer, node);
		if (!t || t->expires > now)
			break;
		list_remove(&t->node);
		/*
		 * t->cpu stays set while fn runs (under b->lock), so a
		 * timer_cancel() elsewhere waits for it to finish.
		 */
		if (t->fn)
			t->fn(t);
		if (t->period) {
			t->expires = MAX(t->expires + t->period, now + 1);
			timer_insert(b, t);
		} else {
			t->cpu = -1;
		}
	}
	spin_unlock(&b->lock);
}

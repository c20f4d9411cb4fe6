/*
 * timerfd.c - timers as open files (man 2 timerfd_create).
 *
 * The expiration count is computed from the clock, not counted by the
 * timer: a timerfd keeps the time of its first expiry not yet read (next)
 * and its period, and at time now has expired 1 + (now - next) / period
 * times (1 for a one-shot timer) once now >= next.  A read takes that
 * count (a one-shot timer is then disarmed; a periodic one moves next on
 * by count periods); settime starts again from 0.  The kernel timer
 * (keel/timer.h, re-armed by the tick for a period) only wakes the
 * readers and pollers at each expiry, so a late tick loses no count.
 *
 * Clocks: CLOCK_MONOTONIC and CLOCK_BOOTTIME are time_ns() (Keel does not
 * suspend); CLOCK_REALTIME is time_ns() plus timerfd_clock_offset(), the
 * wall clock's distance from the boot clock (keel/time.h).  An absolute
 * time of the clock becomes a time_ns() deadline when the timer is set.
 *
 * Lifetime: the release op cancels the timer; once timer_cancel() returns
 * the callback does not run, so a closed timerfd is never touched again.
 *
 * Lock key (tags as in docs/locking.md): [set_mutex] tfd->set_mutex, a
 * mutex: arming and cancelling the kernel timer (timer_arm/timer_cancel
 * of one timer are the caller's to serialize).  [lock] tfd->lock, a
 * spinlock: the setting (armed, next, period), the sleep condition of
 * readers on tfd->wq.  Order: set_mutex -> timer_base.lock -> tfd->lock ->
 * tfd->wq's lock (the callback runs under timer_base.lock); tfd->lock is
 * never held while arming or cancelling.
 */
#include <keel/timerfd.h>
#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/kmalloc.h>
#include <keel/mutex.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/timer.h>
#include <keel/wait.h>
#include <lib/errno.h>

#define TIMERFD_FAR (UINT64_MAX - 1) /* a deadline that never comes */

struct timerfd {
	struct mutex set_mutex;
	struct spinlock lock;
	struct timer timer; /* [set_mutex] arming; fires timerfd_fire */
	int clock;          /* [I] */
	bool armed;         /* [lock] */
	uint64_t next;      /* [lock] time_ns() of the first unread expiry */
	uint64_t period;    /* [lock] ns, 0: one-shot */
	struct waitq wq;    /* readers and pollers: an expiry */
};

static const struct file_ops timerfd_ops;

bool timerfd_file_is(const struct file *f)
{
	return f->ops == &timerfd_ops;
}

/* What to add to time_ns() to read clock (see the header comment). */
static uint64_t timerfd_clock_offset(int clock)
{
	return clock == TIMERFD_CLOCK_REALTIME ? time_real_ns() - time_ns() : 0;
}

/* Expirations not yet read at time now. [lock] held. */
static uint64_t timerfd_count(struct timerfd *t, uint64_t now)
{
	spin_assert_held(&t->lock);
	if (!t->armed || now < t->next)
		return 0;
	return t->period ? 1 + (now - t->next) / t->period : 1;
}

/* The setting as timerfd_gettime reports it. [lock] held. */
static void timerfd_spec_now(struct timerfd *t, uint64_t now, struct timerfd_spec *cur)
{
	spin_assert_held(&t->lock);
	cur->interval = t->period;
	cur->value = 0;
	if (!t->armed)
		return;
	if (now < t->next)
		cur->value = t->next - now;
	else if (t->period)
		cur->value = t->period - (now - t->next) % t->period;
}

/* The kernel timer fired (timer_base.lock held, interrupts off). */
static void timerfd_fire(struct timer *tm)
{
	struct timerfd *t = container_of(tm, struct timerfd, timer);

	/* Under the lock: a reader checks the clock and queues under it. */
	spin_lock(&t->lock);
	wake_up(&t->wq);
	spin_unlock(&t->lock);
}

static bool timerfd_nonblock(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

static ssize_t timerfd_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct timerfd *t = f->priv;
	uint64_t count = 0;
	int err = 0;

	if (n < sizeof(count))
		return -EINVAL;
	spin_lock(&t->lock);
	if (timerfd_count(t, time_ns()) == 0) {
		if (timerfd_nonblock(f))
			err = -EAGAIN;
		else
			err = wait_event_locked(&t->wq, &t->lock, timerfd_count(t, time_ns()) > 0);
	}
	if (!err) {
		count = timerfd_count(t, time_ns());
		if (t->period)
			t->next += count * t->period;
		else
			t->armed = false;
	}
	spin_unlock(&t->lock);
	if (err)
		return err;
	if (iobuf_copy_to(b, 0, &count, sizeof(count)))
		return -EFAULT;
	return sizeof(count);
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *t = f->priv;
	unsigned mask;

	poll_wait(f, &t->wq, pt);
	spin_lock(&t->lock);
	mask = timerfd_count(t, time_ns()) ? POLLIN | POLLRDNORM : 0;
	spin_unlock(&t->lock);
	return mask;
}

int timerfd_settime_file(struct file *f, unsigned flags, const struct timerfd_spec *spec,
			 struct timerfd_spec *old)
{
	struct timerfd *t = f->priv;
	uint64_t now, next = 0;

	if (mutex_lock_killable(&t->set_mutex))
		return -EINTR;
	timer_cancel(&t->timer);
	now = time_ns();
	if (spec->value && (flags & TFD_TIMER_ABSTIME)) {
		uint64_t off = timerfd_clock_offset(t->clock);

		next = spec->value > off ? spec->value - off : 1;
	} else if (spec->value) {
		next = spec->value < TIMERFD_FAR - now ? now + spec->value : TIMERFD_FAR;
	}
	spin_lock(&t->lock);
	timerfd_spec_now(t, now, old);
	t->armed = spec->value != 0;
	t->next = next;
	t->period = spec->interval;
	spin_unlock(&t->lock);
	if (spec->value) {
		t->timer.period = spec->interval; /* disarmed: ours to set */
		timer_arm(&t->timer, next);
	}
	mutex_unlock(&t->set_mutex);
	return 0;
}

void timerfd_gettime_file(struct file *f, struct timerfd_spec *cur)
{
	struct timerfd *t = f->priv;

	spin_lock(&t->lock);
	timerfd_spec_now(t, time_ns(), cur);
	spin_unlock(&t->lock);
}

static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;

	timer_cancel(&t->timer); /* the callback will not run again */
	kfree(t);
}

static const struct file_ops timerfd_ops = {
	.read = timerfd_read,
	.release = timerfd_release,
	.poll = timerfd_poll,
	.mode = 0600, /* an anonymous inode, as on Linux */
};

int timerfd_create_file(int clock, unsigned flags, struct file **out)
{
	struct timerfd *t = kzalloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	mutex_init(&t->set_mutex, "timerfd_set");
	spin_init(&t->lock, "timerfd");
	waitq_init(&t->wq, "timerfd_wq");
	timer_init(&t->timer, timerfd_fire);
	t->clock = clock;
	*out = file_alloc(&timerfd_ops, NULL, t, O_RDWR | (flags & O_NONBLOCK));
	if (!*out) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

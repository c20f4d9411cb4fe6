/*
 * epoll.c - epoll instances: open files that watch other open files
 * (man 7 epoll).  The system calls are in kernel/sys/sys_epoll.c.
 *
 * One wake-up mechanism: registering a file (an item) runs its poll op
 * with a poll table whose queue op hangs a callback entry (struct
 * wait_callback, keel/wait.h) on each wait queue the file names, the same
 * queues poll(2) sleeps on.  A wake_up() on one of them calls
 * ep_item_wake(), which puts the item on the instance's ready list and
 * wakes the instance's queue: the threads in epoll_wait, poll(2) callers
 * and the items of epolls that watch this one.  epoll_wait looks only at
 * the items on the ready list, asking each file again (vfs_poll with no
 * table) what it is ready for: an item whose event is gone is dropped; a
 * level-triggered item that had events goes back on the list (and is
 * dropped by a later wait that finds nothing); an edge-triggered one stays
 * off until its next wake-up; a one-shot one is disabled (no events but
 * EPOLL_PRIVATE_BITS) until EPOLL_CTL_MOD arms it again.
 *
 * Lifetimes.  An item holds no reference to its file: a registration must
 * not keep a closed file alive.  Instead, every item is also on its file's
 * ep_items list, and file_put() of the last reference calls
 * epoll_file_release() before the file's release op (which may free the
 * wait queues the callbacks hang on): it removes every item of the file.
 * Removing an item takes its callbacks off their queues under each queue's
 * lock, so afterwards no callback runs or will run for it, and only then
 * frees it.  Hence: (1) while an item exists its file is not yet released
 * and its instance exists; (2) whoever holds ep->mtx sees a fixed set of
 * items whose files are safe to poll (removal needs ep->mtx); (3) the
 * instance goes (epoll_release) only after no item of another epoll
 * watches it (epoll_file_release of its own file ran first) and after its
 * own items are removed.
 *
 * Nesting.  An epoll may watch epolls, in chains of at most
 * EPOLL_MAX_CHAIN and without cycles (-ELOOP), checked under epoll_mutex.
 * A wake-up then runs down the chain: a callback wakes its instance's
 * queue, whose callbacks wake their instances' queues.  Each step locks a
 * queue of the same lock class ("epoll_wq") inside the one before, so the
 * step's depth (ep_wake_depth, per CPU: the chain runs with interrupts
 * off) is the lockdep subclass (wake_up_nested, in ep_wake, the one place
 * an epoll's queue is woken); a chain is shorter than SPIN_SUBCLASS_MAX.  The poll op of an epoll asks the items on its ready
 * list again only if it can try-lock ep->mtx, else it says "ready".
 *
 * Lock key (tags as in docs/locking.md):
 *   [epoll_mutex] the global mutex: every change of item membership
 *       (ep->items, file->ep_items), instance teardown, the nesting checks.
 *   [mtx] in struct eventpoll: ep->mtx, a mutex: the instance's items, an
 *       item's events and data (the callback reads events with READ_ONCE),
 *       and the one scan of the ready list at a time.
 *   [lock] in struct eventpoll: ep->lock, a spinlock taken by callbacks
 *       (any context): the ready list and each item's rdlink.
 * Order: epoll_mutex -> ep->mtx -> (a file's poll op: its locks, its queue
 * locks) ; a watched file's queue lock -> ep->lock ; ep->lock is released
 * before ep->wq is woken, and nothing takes ep->wq's lock under ep->lock.
 */
#include <keel/epoll.h>
#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/poll.h>
#include <keel/wait.h>
#include <keel/mutex.h>
#include <keel/spinlock.h>
#include <keel/kmalloc.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/timer.h>
#include <keel/time.h>
#include <keel/cpu.h>
#include <keel/list.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <lib/errno.h>

/* Wait queues one file's poll op may name (a FIFO opened O_RDWR: two). */
#define EP_ITEM_WAITS 4

struct eventpoll {
	struct mutex mtx;
	struct spinlock lock;
	struct list items;  /* [epoll_mutex] and [mtx] to change, either to
			     * read: struct ep_item.ep_link */
	struct list rdlist; /* [lock] struct ep_item.rdlink */
	struct waitq wq;    /* epoll_wait sleepers, pollers, watching epolls */
	struct file *file;  /* [I] the epoll file; no reference (it owns us) */
};

struct ep_wait {
	struct wait_callback cb; /* on *wq while the item exists */
	struct waitq *wq;        /* [I] */
	struct ep_item *item;    /* [I] */
};

struct ep_item {
	struct eventpoll *ep;  /* [I] */
	struct file *file;     /* [I] no reference: see the header comment */
	int fd;                /* [I] the key is (file, fd), as on Linux */
	uint32_t events;       /* [mtx] asked for, with EPOLLERR|EPOLLHUP */
	uint64_t data;         /* [mtx] */
	struct list ep_link;   /* [epoll_mutex]+[mtx] on ep->items */
	struct list file_link; /* [epoll_mutex] on file->ep_items */
	struct list rdlink;    /* [lock] on ep->rdlist or a scan's list */
	unsigned nwaits;       /* [mtx] */
	int error;             /* [mtx] the queue op failed */
	struct ep_wait waits[EP_ITEM_WAITS];
};

/* A poll table that registers one item. */
struct ep_pt {
	struct poll_table pt;
	struct ep_item *item;
};

static struct mutex epoll_mutex = MUTEX_INIT(epoll_mutex, "epoll_global");
static unsigned ep_wake_depth[MAX_CPUS]; /* [C] its CPU, interrupts off */

static const struct file_ops epoll_ops;

bool epoll_file_is(const struct file *f)
{
	return f->ops == &epoll_ops;
}

bool epoll_file_pollable(const struct file *f)
{
	return f->ops->poll && f->ops->poll != vfs_poll_always_ready;
}

/* ---------------------------------------------------------------- wake-ups */

/*
 * Wake ep's queue.  Every wake-up of an epoll's queue comes here: inside a
 * chain (a callback of a watched epoll's queue) the depth so far is the
 * lockdep subclass, and the callbacks this wake-up runs see one more.
 */
static void ep_wake(struct eventpoll *ep)
{
	unsigned cpu, depth;

	irq_push_off(); /* the count is this CPU's */
	cpu = this_cpu()->id;
	depth = ep_wake_depth[cpu];
	ep_wake_depth[cpu] = depth + 1;
	wake_up_nested(&ep->wq, depth);
	ep_wake_depth[cpu] = depth;
	irq_pop_off();
}

/*
 * Callback on a watched file's queue (that queue's lock held, interrupts
 * off, any context): the item may be ready.
 */
static void ep_item_wake(struct wait_callback *cb)
{
	struct ep_item *it = container_of(cb, struct ep_wait, cb)->item;
	struct eventpoll *ep = it->ep;
	bool queued = false;

	spin_lock(&ep->lock);
	if ((READ_ONCE(it->events) & ~EPOLL_PRIVATE_BITS) && list_empty(&it->rdlink)) {
		list_add_tail(&ep->rdlist, &it->rdlink);
		queued = true;
	}
	spin_unlock(&ep->lock);
	if (queued) /* else on a list already: whoever has it looks at it */
		ep_wake(ep);
}

/* poll_table queue op: hang a callback of the item on wq. */
static void ep_queue(struct file *f, struct waitq *wq, struct poll_table *pt)
{
	struct ep_item *it = container_of(pt, struct ep_pt, pt)->item;
	struct ep_wait *w;

	if (it->nwaits == EP_ITEM_WAITS) {
		klog_once(LOG_WARN, "epoll: a poll op named more than %d queues\n", EP_ITEM_WAITS);
		it->error = -ENOMEM;
		return;
	}
	w = &it->waits[it->nwaits++];
	w->wq = wq;
	w->item = it;
	waitq_add_callback(wq, &w->cb, ep_item_wake);
}

/* Put it on the ready list (if not there) and wake the instance. */
static void ep_make_ready(struct ep_item *it)
{
	struct eventpoll *ep = it->ep;
	bool queued = false;

	spin_lock(&ep->lock);
	if (list_empty(&it->rdlink)) {
		list_add_tail(&ep->rdlist, &it->rdlink);
		queued = true;
	}
	spin_unlock(&ep->lock);
	if (queued)
		ep_wake(ep);
}

/* ---------------------------------------------------------------- items */

static struct ep_item *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct list *pos;

	list_for_each(pos, &ep->items) {
		struct ep_item *it = list_entry(pos, struct ep_item, ep_link);

		if (it->file == f && it->fd == fd)
			return it;
	}
	return NULL;
}

/* Remove and free an item.  [epoll_mutex] and [mtx] held. */
static void ep_remove(struct ep_item *it)
{
	struct eventpoll *ep = it->ep;

	mutex_assert_held(&epoll_mutex);
	mutex_assert_held(&ep->mtx);
	for (unsigned i = 0; i < it->nwaits; i++)
		waitq_remove_callback(it->waits[i].wq, &it->waits[i].cb);
	spin_lock(&ep->lock);
	list_remove(&it->rdlink);
	spin_unlock(&ep->lock);
	list_remove(&it->ep_link);
	list_remove(&it->file_link);
	kfree(it);
}

static int ep_insert(struct eventpoll *ep, struct file *tf, int fd, const struct epoll_event_k *ev)
{
	struct ep_item *it = kzalloc(sizeof(*it));
	struct ep_pt ept = { .pt = { .queue = ep_queue } };
	unsigned mask;

	mutex_assert_held(&epoll_mutex);
	mutex_assert_held(&ep->mtx);
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = ev->events | POLLERR | POLLHUP;
	it->data = ev->data;
	list_init(&it->rdlink);
	list_add_tail(&ep->items, &it->ep_link);
	list_add_tail(&tf->ep_items, &it->file_link);
	ept.item = it;
	/* Hooked before the state is read: a change after it wakes us. */
	mask = vfs_poll(tf, &ept.pt);
	if (it->error) {
		int err = it->error;

		ep_remove(it);
		return err;
	}
	if (mask & it->events)
		ep_make_ready(it);
	return 0;
}

static void ep_modify(struct ep_item *it, const struct epoll_event_k *ev)
{
	mutex_assert_held(&it->ep->mtx);
	WRITE_ONCE(it->events, ev->events | POLLERR | POLLHUP);
	it->data = ev->data;
	if (vfs_poll(it->file, NULL) & it->events)
		ep_make_ready(it);
}

/* ---------------------------------------------------------------- nesting */

/*
 * Longest chain of epolls from ep down (ep counted); EPOLL_MAX_CHAIN + 1
 * if it reaches avoid (a cycle) or is too long.  [epoll_mutex] held.
 */
static unsigned ep_depth_down(struct eventpoll *ep, struct eventpoll *avoid, unsigned level)
{
	unsigned best = 1;
	struct list *pos;

	mutex_assert_held(&epoll_mutex);
	if (ep == avoid || level > EPOLL_MAX_CHAIN)
		return EPOLL_MAX_CHAIN + 1;
	list_for_each(pos, &ep->items) {
		struct ep_item *it = list_entry(pos, struct ep_item, ep_link);

		if (epoll_file_is(it->file))
			best = MAX(best, 1 + ep_depth_down(it->file->priv, avoid, level + 1));
	}
	return best;
}

/* Longest chain of epolls from epf's instance up (it counted). */
static unsigned ep_depth_up(struct file *epf, unsigned level)
{
	unsigned best = 1;
	struct list *pos;

	mutex_assert_held(&epoll_mutex);
	if (level > EPOLL_MAX_CHAIN)
		return EPOLL_MAX_CHAIN + 1;
	list_for_each(pos, &epf->ep_items) {
		struct ep_item *it = list_entry(pos, struct ep_item, file_link);

		best = MAX(best, 1 + ep_depth_up(it->ep->file, level + 1));
	}
	return best;
}

/* ---------------------------------------------------------------- ctl */

int epoll_ctl_file(struct file *epf, int op, int fd, struct file *tf,
		   const struct epoll_event_k *ev)
{
	struct eventpoll *ep = epf->priv;
	struct ep_item *it;
	int err;

	if (mutex_lock_killable(&epoll_mutex))
		return -EINTR;
	mutex_lock(&ep->mtx);
	it = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			err = -EEXIST;
		else if (epoll_file_is(tf) &&
			 ep_depth_up(epf, 1) + ep_depth_down(tf->priv, ep, 1) > EPOLL_MAX_CHAIN)
			err = -ELOOP;
		else
			err = ep_insert(ep, tf, fd, ev);
		break;
	case EPOLL_CTL_DEL:
		err = it ? 0 : -ENOENT;
		if (it)
			ep_remove(it);
		break;
	case EPOLL_CTL_MOD:
		if (!it)
			err = -ENOENT;
		else if (it->events & EPOLLEXCLUSIVE)
			err = -EINVAL;
		else
			err = 0;
		if (!err)
			ep_modify(it, ev);
		break;
	default:
		err = -EINVAL;
		break;
	}
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epoll_mutex);
	return err;
}

/* ---------------------------------------------------------------- wait */

/* Move every entry of from to the head of to. */
static void ep_splice(struct list *from, struct list *to)
{
	struct list *first = from->next, *last = from->prev;

	if (list_empty(from))
		return;
	first->prev = to;
	last->next = to->next;
	to->next->prev = last;
	to->next = first;
	list_init(from);
}

/* The events of an item now (0 for a disabled one-shot item). [mtx] held. */
static unsigned ep_item_events(struct ep_item *it)
{
	if (!(it->events & ~EPOLL_PRIVATE_BITS))
		return 0;
	return vfs_poll(it->file, NULL) & it->events;
}

/*
 * Report the ready items to uev[0..max): how many, or -EFAULT if the
 * first could not be written.  [mtx] held.
 */
static long ep_scan(struct eventpoll *ep, struct epoll_event_k __user *uev, int max)
{
	struct list tx;
	long n = 0;
	bool more;

	mutex_assert_held(&ep->mtx);
	list_init(&tx);
	spin_lock(&ep->lock);
	ep_splice(&ep->rdlist, &tx);
	spin_unlock(&ep->lock);
	while (n < max) {
		struct epoll_event_k ev;
		struct ep_item *it;

		/* Off the list before the poll: a wake-up after it re-queues. */
		spin_lock(&ep->lock);
		it = list_first(&tx, struct ep_item, rdlink);
		if (it)
			list_remove(&it->rdlink);
		spin_unlock(&ep->lock);
		if (!it)
			break;
		ev.events = ep_item_events(it);
		if (!ev.events)
			continue;
		ev.data = it->data;
		if (copy_to_user(&uev[n], &ev, sizeof(ev))) {
			ep_make_ready(it);
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		if (it->events & EPOLLONESHOT)
			WRITE_ONCE(it->events, it->events & EPOLL_PRIVATE_BITS);
		else if (!(it->events & EPOLLET))
			ep_make_ready(it); /* level-triggered: ask again next time */
	}
	spin_lock(&ep->lock);
	ep_splice(&tx, &ep->rdlist);
	more = !list_empty(&ep->rdlist);
	spin_unlock(&ep->lock);
	if (more)
		ep_wake(ep);
	return n;
}

static void ep_timeout(struct timer *tm)
{
	sched_wake(container_of(tm, struct thread, timer));
}

static bool ep_has_ready(struct eventpoll *ep)
{
	bool ready;

	spin_lock(&ep->lock);
	ready = !list_empty(&ep->rdlist);
	spin_unlock(&ep->lock);
	return ready;
}

long epoll_wait_file(struct file *epf, struct epoll_event_k __user *uev, int max, uint64_t deadline)
{
	struct eventpoll *ep = epf->priv;
	struct thread *t = thread_current();
	long n;

	might_sleep();
	timer_init(&t->timer, ep_timeout);
	for (;;) {
		struct waiter w;

		if (mutex_lock_interruptible(&ep->mtx))
			return -EINTR;
		n = ep_scan(ep, uev, max);
		mutex_unlock(&ep->mtx);
		if (n || deadline == 0 || time_ns() >= deadline)
			break;
		if (signal_pending()) {
			n = -EINTR;
			break;
		}
		/* Asleep before the checks: a wake-up after them finds us. */
		waitq_prepare(&ep->wq, &w);
		if (!ep_has_ready(ep) && !signal_pending() && time_ns() < deadline) {
			if (deadline != POLL_FOREVER)
				timer_arm(&t->timer, deadline);
			schedule();
			timer_cancel(&t->timer);
		}
		waitq_finish(&ep->wq, &w);
	}
	return n;
}

/* ---------------------------------------------------------------- the file */

/*
 * Ready if an item on the ready list still has events.  Asking them needs
 * ep->mtx (it keeps their files alive); a poll op cannot sleep, so if the
 * mutex is busy the answer is "ready" and the caller's epoll_wait decides.
 */
static bool ep_items_ready(struct eventpoll *ep)
{
	bool ready = false;
	struct list *pos;

	if (!ep_has_ready(ep))
		return false;
	if (!mutex_trylock(&ep->mtx))
		return true;
	list_for_each(pos, &ep->items) {
		struct ep_item *it = list_entry(pos, struct ep_item, ep_link);
		bool listed;

		spin_lock(&ep->lock);
		listed = !list_empty(&it->rdlink);
		spin_unlock(&ep->lock);
		if (listed && ep_item_events(it)) {
			ready = true;
			break;
		}
	}
	mutex_unlock(&ep->mtx);
	return ready;
}

static unsigned epoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;

	poll_wait(f, &ep->wq, pt);
	return ep_items_ready(ep) ? POLLIN | POLLRDNORM : 0;
}

/* The last reference to the epoll file: its items go, then it does. */
static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct ep_item *it;

	mutex_lock(&epoll_mutex);
	mutex_lock(&ep->mtx);
	while ((it = list_first(&ep->items, struct ep_item, ep_link)))
		ep_remove(it);
	mutex_unlock(&ep->mtx);
	mutex_unlock(&epoll_mutex);
	assert(list_empty(&ep->wq.waiters));
	kfree(ep);
}

static const struct file_ops epoll_ops = {
	.release = epoll_release,
	.poll = epoll_poll,
	.mode = 0600, /* an anonymous inode, as on Linux */
};

int epoll_create_file(struct file **out)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));

	if (!ep)
		return -ENOMEM;
	mutex_init(&ep->mtx, "epoll_mtx");
	spin_init(&ep->lock, "epoll");
	list_init(&ep->items);
	list_init(&ep->rdlist);
	waitq_init(&ep->wq, "epoll_wq");
	*out = file_alloc(&epoll_ops, NULL, ep, O_RDWR);
	if (!*out) {
		kfree(ep);
		return -ENOMEM;
	}
	ep->file = *out;
	return 0;
}

void epoll_file_release(struct file *f)
{
	struct ep_item *it;

	/*
	 * Nobody else holds f, so no item of it can be added now; a stale
	 * "not empty" (an item removed meanwhile) only costs the lock.
	 */
	if (READ_ONCE(f->ep_items.next) == &f->ep_items)
		return;
	mutex_lock(&epoll_mutex);
	while ((it = list_first(&f->ep_items, struct ep_item, file_link))) {
		struct eventpoll *ep = it->ep;

		mutex_lock(&ep->mtx);
		ep_remove(it);
		mutex_unlock(&ep->mtx);
	}
	mutex_unlock(&epoll_mutex);
}

/*
 * poll.c - waiting on many files at once: the core of poll, ppoll, select
 * and pselect6 (kernel/sys/sys_poll.c decodes their arguments).
 *
 * Each pass asks every file for its ready mask through its poll op
 * (vfs_poll), which queues one waiter per wait queue it would be woken
 * through (poll_wait -> poll_queue): every waiter points at the polling
 * thread, so a wake_up on any of those queues makes it runnable.  If
 * nothing is ready the thread sleeps; after any wake-up it drops all its
 * waiters (wake_up unlinks the ones it woke) and runs the next pass, which
 * queues them again.  No lost wake-up: the thread marks itself sleeping
 * before it looks at its waiters' woken flags, and a waker sets the flag
 * under the queue's lock before it wakes the thread.
 *
 * Waiters live in chunks allocated as needed (a file may queue on more
 * than one queue); the chunks belong to the polling thread alone ([C]).
 * Each waiter holds a reference to its file until it is unqueued: a wait
 * queue lives in the file's object (a pipe), and another thread may close
 * the descriptor while this one sleeps.
 */
#include <keel/poll.h>
#include <keel/vfs.h>
#include <keel/fd.h>
#include <keel/wait.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/timer.h>
#include <keel/time.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <lib/errno.h>

#define POLL_CHUNK_ENTRIES 32

struct poll_entry {
	struct waiter w;   /* on *wq while queued */
	struct waitq *wq;  /* lives as long as file: */
	struct file *file; /* a reference, so another thread's close
			    * cannot free wq under the waiter */
};

struct poll_chunk {
	struct poll_chunk *next;
	unsigned used;
	struct poll_entry e[POLL_CHUNK_ENTRIES];
};

struct poll_waiters {
	struct poll_table pt;
	struct thread *thread;
	struct poll_chunk first; /* on the stack: most polls fit */
	struct poll_chunk *last;
	int error; /* -ENOMEM: a waiter could not be had */
};

static struct poll_entry *poll_entry_new(struct poll_waiters *pw)
{
	struct poll_chunk *c = pw->last;

	if (c->used == POLL_CHUNK_ENTRIES) {
		struct poll_chunk *n = c->next; /* kept from a pass before */

		if (!n) {
			n = kmalloc(sizeof(*n), 0);
			if (!n)
				return NULL;
			n->next = NULL;
			n->used = 0;
			c->next = n;
		}
		pw->last = c = n;
	}
	return &c->e[c->used++];
}

/* poll_table queue op: one more waiter for this thread on wq. */
static void poll_queue(struct file *f, struct waitq *wq, struct poll_table *pt)
{
	struct poll_waiters *pw = container_of(pt, struct poll_waiters, pt);
	struct poll_entry *e = poll_entry_new(pw);

	if (!e) {
		pw->error = -ENOMEM;
		return;
	}
	e->wq = wq;
	e->file = file_get(f);
	e->w.thread = pw->thread;
	e->w.woken = false;
	spin_lock(&wq->lock);
	list_add_tail(&wq->waiters, &e->w.node);
	spin_unlock(&wq->lock);
}

/* Was any waiter woken?  (Read after marking the thread sleeping.) */
static bool poll_woken(struct poll_waiters *pw)
{
	for (struct poll_chunk *c = &pw->first; c; c = c->next)
		for (unsigned i = 0; i < c->used; i++)
			if (READ_ONCE(c->e[i].w.woken))
				return true;
	return false;
}

/* Take every waiter off its queue; free the extra chunks only at the end. */
static void poll_unqueue(struct poll_waiters *pw, bool free_chunks)
{
	struct poll_chunk *c = &pw->first, *next;

	for (; c; c = next) {
		next = c->next;
		for (unsigned i = 0; i < c->used; i++) {
			struct poll_entry *e = &c->e[i];

			spin_lock(&e->wq->lock);
			list_remove(&e->w.node);
			spin_unlock(&e->wq->lock);
			file_put(e->file); /* may sleep: no lock held */
		}
		c->used = 0;
		if (c != &pw->first && free_chunks)
			kfree(c);
	}
	if (free_chunks)
		pw->first.next = NULL;
	pw->last = &pw->first;
}

/* One pass over fds: fill revents, return how many have events. */
static long poll_pass(struct pollfd_k *fds, unsigned n, struct poll_table *pt)
{
	long ready = 0;

	for (unsigned i = 0; i < n; i++) {
		struct file *f;
		unsigned mask;

		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		f = fd_get(fds[i].fd);
		if (!f) {
			mask = POLLNVAL;
		} else {
			mask = vfs_poll(f, pt);
			file_put(f);
			mask &= (uint16_t)fds[i].events | POLLERR | POLLHUP;
		}
		fds[i].revents = (int16_t)mask;
		if (mask)
			ready++;
	}
	return ready;
}

static void poll_timeout(struct timer *tm)
{
	sched_wake(container_of(tm, struct thread, timer));
}

long poll_files(struct pollfd_k *fds, unsigned n, uint64_t deadline)
{
	struct thread *t = thread_current();
	struct poll_waiters pw = { .pt = { .queue = poll_queue }, .thread = t };
	long ret;

	might_sleep();
	pw.first.next = NULL;
	pw.first.used = 0;
	pw.last = &pw.first;
	timer_init(&t->timer, poll_timeout);
	for (;;) {
		bool wait = deadline != 0 && time_ns() < deadline;

		ret = poll_pass(fds, n, wait ? &pw.pt : NULL);
		if (ret || !wait)
			break;
		if (pw.error) {
			ret = pw.error;
			break;
		}
		WRITE_ONCE(t->state, THREAD_SLEEPING);
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* before the checks */
		if (signal_pending()) {
			WRITE_ONCE(t->state, THREAD_RUNNING);
			ret = -EINTR;
			break;
		}
		if (!poll_woken(&pw) && time_ns() < deadline) {
			if (deadline != POLL_FOREVER)
				timer_arm(&t->timer, deadline);
			schedule();
			timer_cancel(&t->timer);
		}
		WRITE_ONCE(t->state, THREAD_RUNNING);
		poll_unqueue(&pw, false);
	}
	poll_unqueue(&pw, true);
	return ret;
}

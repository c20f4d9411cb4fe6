/*
 * wait.c - wait queues (see keel/wait.h for the sleeping rule).
 * A waiter lives on the sleeper's stack; wake_up() holds the queue lock
 * while it touches waiters, and a sleeper only leaves (waitq_finish) under
 * the same lock, so a waiter is never used after its owner returned.
 */
#include <keel/wait.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/panic.h>

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

static void wake_some(struct waitq *wq, bool all)
{
	struct list *pos, *tmp;

	spin_lock(&wq->lock);
	list_for_each_safe(pos, tmp, &wq->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, node);
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
	wake_some(wq, true);
}

void wake_up_one(struct waitq *wq)
{
	wake_some(wq, false);
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

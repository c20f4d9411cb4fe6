/*
 * keel/wait.h - wait queues: how a thread sleeps until a condition holds.
 *
 * The rule that prevents lost wakeups: the condition is protected by a
 * spinlock that both the sleeper and the waker take.  The sleeper checks
 * the condition and queues itself while holding that lock; the waker
 * changes the condition under the lock and then calls wake_up().
 *
 *   spin_lock(&pipe->lock);
 *   err = wait_event_locked(&pipe->readers_wq, &pipe->lock, pipe->len > 0);
 *   ...                                   // lock held again here
 *
 * wait_event_locked returns 0 once cond is true, or -EINTR if a signal is
 * pending for the sleeper (the condition may then be false).  May only be
 * called from a thread (not an interrupt handler, not the idle context),
 * holding no spinlock other than `lock`.  wake_up() may be called from any
 * context, including interrupt handlers.  Lock order: the caller's lock,
 * then waitq.lock.
 */
#ifndef KEEL_WAIT_H
#define KEEL_WAIT_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <lib/errno.h>

struct thread;

struct waitq {
	struct spinlock lock;
	struct list waiters;        /* [lock] struct waiter.node */
};

struct waiter {
	struct thread *thread;
	struct list node;           /* [waitq.lock] */
	bool woken;                 /* [waitq.lock] */
};

#define WAITQ_INIT(wq, name) { SPINLOCK_INIT(name), LIST_INIT((wq).waiters) }

void waitq_init(struct waitq *wq, const char *name);
/* Queue the current thread on wq and mark it sleeping (internal). */
void waitq_prepare(struct waitq *wq, struct waiter *w);
/* Dequeue after sleeping (internal). */
void waitq_finish(struct waitq *wq, struct waiter *w);
/* Wake every sleeper on wq. Any context. */
void wake_up(struct waitq *wq);
/* Wake at most one sleeper on wq. Any context. */
void wake_up_one(struct waitq *wq);
/* True if a signal should interrupt the current thread's sleep. */
bool wait_interrupted(void);

/*
 * The common loop: sleep until cond, or until stop() says the sleep must
 * end (then -EINTR).  Sleeping first, then the check: a signal sent in
 * between finds us asleep.
 */
#define wait_event_locked_until(wq, lock, cond, stop)                      \
	({                                                                  \
		int wait_ret_ = 0;                                          \
		while (!(cond)) {                                           \
			struct waiter wait_w_;                              \
			waitq_prepare((wq), &wait_w_);                      \
			if (stop()) {                                       \
				waitq_finish((wq), &wait_w_);               \
				wait_ret_ = -EINTR;                         \
				break;                                      \
			}                                                   \
			spin_unlock(lock);                                  \
			schedule();                                         \
			waitq_finish((wq), &wait_w_);                       \
			spin_lock(lock);                                    \
		}                                                           \
		wait_ret_;                                                  \
	})

#define wait_event_locked(wq, lock, cond)                                  \
	wait_event_locked_until(wq, lock, cond, wait_interrupted)

/*
 * The same, but only a fatal signal (SIGKILL, a group exit: see
 * signal_fatal_pending) ends the wait early: the least every sleep on
 * something user space controls must allow.  0 or -EINTR.
 */
bool wait_killed(void);
#define wait_event_locked_killable(wq, lock, cond)                         \
	wait_event_locked_until(wq, lock, cond, wait_killed)

/* The same, not interruptible by signals (kernel-internal waits only). */
#define wait_event_locked_uninterruptible(wq, lock, cond)                  \
	do {                                                                \
		while (!(cond)) {                                           \
			struct waiter wait_w_;                              \
			waitq_prepare((wq), &wait_w_);                      \
			spin_unlock(lock);                                  \
			schedule();                                         \
			waitq_finish((wq), &wait_w_);                       \
			spin_lock(lock);                                    \
		}                                                           \
	} while (0)

#endif

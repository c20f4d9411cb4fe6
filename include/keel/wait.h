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
 *
 * Sleeping context, checked by might_sleep(): a thread may sleep only
 * outside interrupt handlers, with interrupts on and no spinlock held
 * (wait_event_locked*: none but `lock`, which the sleep releases).  Every
 * function that may sleep calls might_sleep() (or might_sleep_locked(l))
 * first: mutex_lock*, the wait_event_locked* loops, condvar_wait,
 * sched_sleep_until and the user copies (a copy may fault, and the fault
 * may sleep).  In debug builds it panics, naming the broken rule, the
 * function and its caller, also on the calls that happen not to sleep;
 * release builds compile it away (schedule() itself still panics when a
 * spinlock is held).  Boot exemption: a CPU's boot code runs with
 * interrupts off (the boot CPU unpacks the initramfs, taking mutexes,
 * before it turns them on), so the interrupts-off rule is checked on a CPU
 * only once might_sleep has seen it run with interrupts on.
 */
#ifndef KEEL_WAIT_H
#define KEEL_WAIT_H

#include <keel/compiler.h>
#include <keel/list.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <lib/errno.h>

struct thread;

/* Lock key (tags as in docs/locking.md): [lock] the queue's own spinlock. */
struct waitq {
	struct spinlock lock;
	struct list waiters;        /* [lock] struct waiter.node */
};

/*
 * On the sleeper's stack; [C] the sleeper, [waitq.lock] its queue's lock.
 * thread NULL marks a callback entry (struct wait_callback below).
 */
struct waiter {
	struct thread *thread;      /* [C] */
	struct list node;           /* [waitq.lock] */
	bool woken;                 /* [waitq.lock] */
};

/*
 * A callback entry: instead of waking a thread, wake_up() calls fn(cb)
 * under the queue's lock (any context, interrupts off: fn must not sleep)
 * and leaves the entry queued; it never counts as the one a wake_up_one()
 * wakes.  The owner queues it with waitq_add_callback() and takes it off
 * with waitq_remove_callback(); once that returns, fn is not running and
 * will not run.  What epoll (kernel/fs/epoll.c) hangs on the queues of
 * the files it watches.
 */
struct wait_callback {
	struct waiter w;            /* w.thread NULL; w.node [waitq.lock] */
	void (*fn)(struct wait_callback *cb); /* [I] */
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
/*
 * Wake up, for queues woken from inside another queue's callback (epoll
 * nested in epoll): subclass (0 .. SPIN_SUBCLASS_MAX - 1) is how deep in
 * that chain of wake-ups the call is, so lockdep sees ordered nesting.
 */
void wake_up_nested(struct waitq *wq, unsigned subclass);
/* Queue / dequeue a callback entry (see struct wait_callback). */
void waitq_add_callback(struct waitq *wq, struct wait_callback *cb,
			void (*fn)(struct wait_callback *cb));
void waitq_remove_callback(struct waitq *wq, struct wait_callback *cb);
/* True if a signal should interrupt the current thread's sleep. */
bool wait_interrupted(void);

/* Why the running context may not sleep (might_sleep_check). */
enum might_sleep_why {
	MIGHT_SLEEP_OK = 0,
	MIGHT_SLEEP_IN_IRQ,             /* in an interrupt handler */
	MIGHT_SLEEP_NO_THREAD,          /* idle or boot context: no thread */
	MIGHT_SLEEP_SPINLOCK,           /* a spinlock is held */
	MIGHT_SLEEP_IRQS_OFF,           /* interrupts are off */
	MIGHT_SLEEP_NOT_HELD,           /* the lock the sleep releases is not held */
};

/*
 * MIGHT_SLEEP_OK if the running context may sleep, else the first rule it
 * breaks.  released: the spinlock the sleep itself releases (the lock of a
 * wait_event_locked*), which must be held and is then the only spinlock
 * allowed; NULL for none.  Any context, every build (release builds cannot
 * tell a spinlock from an irq_push_off section: they say IRQS_OFF).
 */
int might_sleep_check(const struct spinlock *released);
/* A sentence for why (a might_sleep_why). */
const char *might_sleep_why_str(int why);
/* Panic: func (called from caller) may sleep but why; prints held locks. */
void might_sleep_fail(int why, const char *func, uintptr_t caller) __noreturn;

#if KEEL_DEBUG && !defined(KEEL_HOST_TEST)
#define might_sleep_locked(l)                                               \
	do {                                                                \
		int ms_why_ = might_sleep_check(l);                         \
		if (unlikely(ms_why_ != MIGHT_SLEEP_OK))                    \
			might_sleep_fail(ms_why_, __func__, (uintptr_t)     \
					 __builtin_return_address(0));      \
	} while (0)
#else
#define might_sleep_locked(l) do { (void)sizeof(l); } while (0)
#endif
/* Check that the running context may sleep (debug builds); see above. */
#define might_sleep() might_sleep_locked((const struct spinlock *)NULL)

/*
 * The common loop: sleep until cond, or until stop() says the sleep must
 * end (then -EINTR).  Sleeping first, then the check: a signal sent in
 * between finds us asleep.
 */
#define wait_event_locked_until(wq, lock, cond, stop)                      \
	({                                                                  \
		int wait_ret_ = 0;                                          \
		might_sleep_locked(lock);                                   \
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
		might_sleep_locked(lock);                                   \
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

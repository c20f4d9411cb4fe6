/*
 * keel/mutex.h - sleeping mutexes and condition variables for kernel code
 * that may block while holding a lock (file systems, address spaces).
 *
 * A mutex holder may sleep and take page faults; a mutex must not be taken
 * in interrupt context or while holding a spinlock (mutex_lock* call
 * might_sleep(), which panics there in debug builds).  Not recursive.
 * mutex_trylock never sleeps.
 *
 * Debug builds check mutexes like spinlocks (keel/lockdep.h): each name is
 * a lock class in the same order graph, every thread keeps a stack of the
 * mutexes it holds, an order inversion between two mutexes or between a
 * mutex and a spinlock is reported, and so is a mutex taken under a
 * spinlock.  mutex_assert_held() checks that the running thread is the
 * owner, in every build.
 *
 * Lock key (tags as in docs/locking.md): [lock] the mutex's own spinlock,
 * [I] immutable after mutex_init, [A] atomic.
 */
#ifndef KEEL_MUTEX_H
#define KEEL_MUTEX_H

#include <keel/compiler.h>
#include <keel/wait.h>

struct mutex {
	struct spinlock lock;       /* protects the fields below */
	struct thread *owner;       /* [lock] NULL when free */
	struct waitq wq;            /* sleepers waiting for the mutex */
	const char *name;           /* [I] its lockdep class */
	uint16_t lockdep_class;     /* [A] cached lockdep class of subclass 0,
				     * 0 = not looked up yet (debug builds) */
};

/* Subclasses for mutex_lock_nested(): 0 (plain mutex_lock) .. MAX - 1. */
#define MUTEX_SUBCLASS_MAX 8

/* The wait queue's lock is its own lock class (taken inside the mutex's). */
#define MUTEX_INIT(m, n)                                                    \
	{ .lock = SPINLOCK_INIT(n), .owner = NULL,                          \
	  .wq = WAITQ_INIT((m).wq, "mutex_wq"), .name = (n),                \
	  .lockdep_class = 0 }

/* (Re)initialize m as a free mutex called name (kept, not copied). */
void mutex_init(struct mutex *m, const char *name);
/* Take m, sleeping while another thread holds it.  Thread context only. */
void mutex_lock(struct mutex *m);
/*
 * mutex_lock() for taking a second mutex of the same class (same name)
 * while holding one: subclass (1 .. MUTEX_SUBCLASS_MAX - 1) tells lockdep
 * the nesting is intended and ordered, as spin_lock_nested() does.
 */
void mutex_lock_nested(struct mutex *m, unsigned subclass);
/* Like mutex_lock, but gives up with -EINTR if a signal arrives. */
int mutex_lock_interruptible(struct mutex *m);
/* The same, but only a fatal signal ends the wait (-EINTR): for mutexes held
 * across long operations that user space starts (file positions). */
int mutex_lock_killable(struct mutex *m);
/* Take m if it is free; true on success.  Never sleeps. */
bool mutex_trylock(struct mutex *m);
/* Release m, held by the running thread, and wake one waiter. */
void mutex_unlock(struct mutex *m);
/* True if the current thread holds m. */
bool mutex_held(struct mutex *m);
/* Assert that the running thread owns m (functions documented "[m] held"). */
#define mutex_assert_held(m) assert(mutex_held(m))

struct condvar {
	struct waitq wq;
};

void condvar_init(struct condvar *cv, const char *name);
/* Release m, sleep until signalled, re-take m.  Spurious wakeups happen. */
void condvar_wait(struct condvar *cv, struct mutex *m);
void condvar_signal(struct condvar *cv);

#endif

/*
 * keel/mutex.h - sleeping mutexes and condition variables for kernel code
 * that may block while holding a lock (file systems, address spaces).
 * A mutex holder may sleep and take page faults; it must not be taken in
 * interrupt context or while holding a spinlock.  Not recursive.
 */
#ifndef KEEL_MUTEX_H
#define KEEL_MUTEX_H

#include <keel/compiler.h>
#include <keel/wait.h>

struct mutex {
	struct spinlock lock;       /* protects the fields below */
	struct thread *owner;       /* [lock] NULL when free */
	struct waitq wq;            /* sleepers waiting for the mutex */
	const char *name;           /* [I] */
};

/* The wait queue's lock is its own lock class (taken inside the mutex's). */
#define MUTEX_INIT(m, n) { SPINLOCK_INIT(n), NULL, WAITQ_INIT((m).wq, "mutex_wq"), n }

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
/* Like mutex_lock, but gives up with -EINTR if a signal arrives. */
int mutex_lock_interruptible(struct mutex *m);
/* The same, but only a fatal signal ends the wait (-EINTR): for mutexes held
 * across long operations that user space starts (file positions). */
int mutex_lock_killable(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* True if the current thread holds m. */
bool mutex_held(struct mutex *m);
#define mutex_assert_held(m) assert(mutex_held(m))

struct condvar {
	struct waitq wq;
};

void condvar_init(struct condvar *cv, const char *name);
/* Release m, sleep until signalled, re-take m.  Spurious wakeups happen. */
void condvar_wait(struct condvar *cv, struct mutex *m);
void condvar_signal(struct condvar *cv);
void condvar_broadcast(struct condvar *cv);

#endif

/*
 * mutex.c - sleeping mutexes and condition variables on wait queues
 * (see keel/mutex.h).  The mutex's spinlock protects `owner`; a waiter
 * queues itself under that lock, so an unlock between its check and its
 * sleep still wakes it.
 *
 * Checks: every sleeping entry point starts with might_sleep(); lockdep
 * (debug builds) sees a mutex as held from the moment its taker starts to
 * wait until mutex_unlock (a wait that gives up with -EINTR releases it),
 * on the taking thread's own held stack.
 */
#include <keel/mutex.h>
#include <keel/lockdep.h>
#include <keel/thread.h>
#include <keel/panic.h>
#include <lib/errno.h>

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
	m->owner = NULL;
	waitq_init(&m->wq, "mutex_wq");   /* its own lock class */
	m->name = name;
	m->lockdep_class = 0;
}

enum mutex_wait { MUTEX_WAIT_ALWAYS, MUTEX_WAIT_INTERRUPTIBLE, MUTEX_WAIT_KILLABLE };

/*
 * Inlined into each entry point, so that lockdep's stacks (and pc) start
 * at the entry point's caller.
 */
static inline __attribute__((always_inline)) int
mutex_lock_common(struct mutex *m, unsigned subclass, enum mutex_wait how,
		  uintptr_t pc)
{
	struct thread *me = thread_current();
	int err = 0;

	assert(me);
	lockdep_mutex_acquire(m, subclass, pc, false);
	spin_lock(&m->lock);
	if (m->owner == me)
		panic("mutex %s: recursive lock", m->name);
	if (how == MUTEX_WAIT_INTERRUPTIBLE)
		err = wait_event_locked(&m->wq, &m->lock, m->owner == NULL);
	else if (how == MUTEX_WAIT_KILLABLE)
		err = wait_event_locked_killable(&m->wq, &m->lock, m->owner == NULL);
	else
		wait_event_locked_uninterruptible(&m->wq, &m->lock, m->owner == NULL);
	if (!err)
		m->owner = me;
	spin_unlock(&m->lock);
	if (err)
		lockdep_mutex_release(m);
	return err;
}

void mutex_lock(struct mutex *m)
{
	might_sleep();
	mutex_lock_common(m, 0, MUTEX_WAIT_ALWAYS,
			  (uintptr_t)__builtin_return_address(0));
}

void mutex_lock_nested(struct mutex *m, unsigned subclass)
{
	might_sleep();
	assert(subclass < MUTEX_SUBCLASS_MAX);
	mutex_lock_common(m, subclass, MUTEX_WAIT_ALWAYS,
			  (uintptr_t)__builtin_return_address(0));
}

int mutex_lock_interruptible(struct mutex *m)
{
	might_sleep();
	return mutex_lock_common(m, 0, MUTEX_WAIT_INTERRUPTIBLE,
				 (uintptr_t)__builtin_return_address(0));
}

int mutex_lock_killable(struct mutex *m)
{
	might_sleep();
	return mutex_lock_common(m, 0, MUTEX_WAIT_KILLABLE,
				 (uintptr_t)__builtin_return_address(0));
}

bool mutex_trylock(struct mutex *m)
{
	struct thread *me = thread_current();
	bool ok;

	assert(me);
	spin_lock(&m->lock);
	ok = m->owner == NULL;
	if (ok)
		m->owner = me;
	spin_unlock(&m->lock);
	if (ok)
		lockdep_mutex_acquire(m, 0, (uintptr_t)__builtin_return_address(0),
				      true);
	return ok;
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	if (m->owner != thread_current())
		panic("mutex %s: unlocked by a thread that does not hold it", m->name);
	m->owner = NULL;
	spin_unlock(&m->lock);
	lockdep_mutex_release(m);
	wake_up_one(&m->wq);
}

bool mutex_held(struct mutex *m)
{
	struct thread *owner = READ_ONCE(m->owner);

	return owner && owner == thread_current();
}

void condvar_init(struct condvar *cv, const char *name)
{
	waitq_init(&cv->wq, name);
}

void condvar_wait(struct condvar *cv, struct mutex *m)
{
	struct waiter w;

	might_sleep();
	mutex_assert_held(m);
	waitq_prepare(&cv->wq, &w);
	mutex_unlock(m);
	schedule();
	waitq_finish(&cv->wq, &w);
	mutex_lock(m);
}

void condvar_signal(struct condvar *cv)
{
	wake_up_one(&cv->wq);
}

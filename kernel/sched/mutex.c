/*
 * mutex.c - sleeping mutexes and condition variables on wait queues
 * (see keel/mutex.h).  The mutex's spinlock protects `owner`; a waiter
 * queues itself under that lock, so an unlock between its check and its
 * sleep still wakes it.
 */
#include <keel/mutex.h>
#include <keel/thread.h>
#include <keel/panic.h>
#include <lib/errno.h>

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
	m->owner = NULL;
	waitq_init(&m->wq, "mutex_wq");   /* its own lock class */
	m->name = name;
}

enum mutex_wait { MUTEX_WAIT_ALWAYS, MUTEX_WAIT_INTERRUPTIBLE, MUTEX_WAIT_KILLABLE };

static int mutex_lock_common(struct mutex *m, enum mutex_wait how)
{
	struct thread *me = thread_current();
	int err = 0;

	assert(me);
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
	return err;
}

void mutex_lock(struct mutex *m)
{
	mutex_lock_common(m, MUTEX_WAIT_ALWAYS);
}

int mutex_lock_interruptible(struct mutex *m)
{
	return mutex_lock_common(m, MUTEX_WAIT_INTERRUPTIBLE);
}

int mutex_lock_killable(struct mutex *m)
{
	return mutex_lock_common(m, MUTEX_WAIT_KILLABLE);
}

bool mutex_trylock(struct mutex *m)
{
	bool ok;

	spin_lock(&m->lock);
	ok = m->owner == NULL;
	if (ok)
		m->owner = thread_current();
	spin_unlock(&m->lock);
	return ok;
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	if (m->owner != thread_current())
		panic("mutex %s: unlocked by a thread that does not hold it", m->name);
	m->owner = NULL;
	spin_unlock(&m->lock);
	wake_up_one(&m->wq);
}

bool mutex_held(struct mutex *m)
{
	return READ_ONCE(m->owner) == thread_current() && m->owner;
}

void condvar_init(struct condvar *cv, const char *name)
{
	waitq_init(&cv->wq, name);
}

void condvar_wait(struct condvar *cv, struct mutex *m)
{
	struct waiter w;

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

void condvar_broadcast(struct condvar *cv)
{
	wake_up(&cv->wq);
}

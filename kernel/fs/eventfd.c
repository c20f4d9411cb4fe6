/*
 * eventfd.c - event counters (man 2 eventfd): a read of 8 bytes waits
 * while the counter is 0, then returns it and sets it to 0 (or, with
 * EFD_SEMAPHORE, returns 1 and takes 1); a write of 8 bytes adds its value,
 * waiting while the sum would exceed EVENTFD_MAX.  Shorter buffers and a
 * write of 2^64 - 1 are -EINVAL; O_NONBLOCK turns every wait into
 * -EAGAIN.  Poll: readable while the counter is not 0, writable while
 * 1 can be added.
 *
 * Lock key (tags as in docs/locking.md): [lock] efd->lock, a spinlock
 * that guards the counter, the sleep condition of readers and writers on
 * efd->wq (wait_event_locked).  Order: efd->lock -> efd->wq's lock.  The
 * 8 bytes are copied from user space before and to it after the lock.
 */
#include <keel/eventfd.h>
#include <keel/fd.h>
#include <keel/vfs.h>
#include <keel/kmalloc.h>
#include <keel/spinlock.h>
#include <keel/wait.h>
#include <lib/errno.h>

#define EVENTFD_MAX (UINT64_MAX - 1) /* the largest count */

struct eventfd {
	struct spinlock lock;
	uint64_t count;  /* [lock] */
	unsigned flags;  /* [I] EFD_SEMAPHORE */
	struct waitq wq; /* readers, writers and pollers: any change */
};

static bool eventfd_nonblock(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

static ssize_t eventfd_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct eventfd *e = f->priv;
	uint64_t val;
	int err = 0;

	if (n < sizeof(val))
		return -EINVAL;
	spin_lock(&e->lock);
	if (e->count == 0) {
		if (eventfd_nonblock(f))
			err = -EAGAIN;
		else
			err = wait_event_locked(&e->wq, &e->lock, e->count > 0);
	}
	if (!err) {
		val = (e->flags & EFD_SEMAPHORE) ? 1 : e->count;
		e->count -= val;
		wake_up(&e->wq);
	}
	spin_unlock(&e->lock);
	if (err)
		return err;
	/* Linux takes the count first too: a bad buffer loses it. */
	if (iobuf_copy_to(b, 0, &val, sizeof(val)))
		return -EFAULT;
	return sizeof(val);
}

static ssize_t eventfd_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct eventfd *e = f->priv;
	uint64_t val;
	int err = 0;

	if (n < sizeof(val))
		return -EINVAL;
	if (iobuf_copy_from(&val, b, 0, sizeof(val)))
		return -EFAULT;
	if (val == UINT64_MAX)
		return -EINVAL;
	spin_lock(&e->lock);
	if (EVENTFD_MAX - e->count < val) {
		if (eventfd_nonblock(f))
			err = -EAGAIN;
		else
			err = wait_event_locked(&e->wq, &e->lock, EVENTFD_MAX - e->count >= val);
	}
	if (!err) {
		e->count += val;
		if (val)
			wake_up(&e->wq);
	}
	spin_unlock(&e->lock);
	return err ? err : (ssize_t)sizeof(val);
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	unsigned mask = 0;

	poll_wait(f, &e->wq, pt);
	spin_lock(&e->lock);
	if (e->count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (e->count < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	spin_unlock(&e->lock);
	return mask;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.release = eventfd_release,
	.poll = eventfd_poll,
	.mode = 0600, /* an anonymous inode, as on Linux */
};

int eventfd_create(uint64_t initval, unsigned flags, struct file **out)
{
	struct eventfd *e = kzalloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	spin_init(&e->lock, "eventfd");
	waitq_init(&e->wq, "eventfd_wq");
	e->count = initval;
	e->flags = flags & EFD_SEMAPHORE;
	*out = file_alloc(&eventfd_ops, NULL, e, O_RDWR | (flags & O_NONBLOCK));
	if (!*out) {
		kfree(e);
		return -ENOMEM;
	}
	return 0;
}

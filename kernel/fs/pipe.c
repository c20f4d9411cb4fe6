/*
 * pipe.c - pipes: a PIPE_SIZE ring buffer between a read end and a write
 * end, each a struct file.
 *
 * Semantics (POSIX, as Linux): a read blocks until data is there and
 * returns what is there (up to its size); it returns 0 once the buffer is
 * empty and no write end is open.  A write of at most PIPE_BUF bytes is
 * atomic: it waits until it fits whole.  A larger write may be split and
 * blocks until all is written (or a signal arrives: then it returns the
 * count so far).  Writing with no read end open raises SIGPIPE and fails
 * with -EPIPE.  O_NONBLOCK turns every wait into -EAGAIN (or a short
 * count).
 *
 * Poll: the read end is readable (POLLIN) while data is there and hung up
 * (POLLHUP) once no write end is open; the write end is writable (POLLOUT)
 * while PIPE_BUF bytes fit, so a write of up to PIPE_BUF does not block
 * (Linux's page slots give the same), and in error (POLLERR) once no read
 * end is open.  Each end registers on the queue its own waiters use, and
 * every change a poller may wait for wakes it: a write or the last
 * writer's close wakes rd_wq, a read or the last reader's close wr_wq.
 *
 * Locking: pipe->lock (spinlock) guards the ring indices and the end
 * counts; readers sleep on rd_wq, writers on wr_wq (wait_event_locked on
 * pipe->lock).  User memory is never touched under the spinlock: a reader
 * (writer) computes its region under the lock, copies without it, then
 * publishes the new indices under the lock.  That is safe because at most
 * one reader and one writer run at a time: rd_mutex serializes readers,
 * wr_mutex writers (which also keeps big writes from interleaving), and
 * the reader only touches filled bytes, the writer only free ones.
 * Order: rd_mutex/wr_mutex -> pipe->lock -> waitq locks.
 */
#include <keel/fd.h>
#include <keel/pipe.h>
#include <keel/kmalloc.h>
#include <keel/mutex.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/spinlock.h>
#include <keel/wait.h>
#include <lib/errno.h>
#include <lib/string.h>

struct pipe {
	struct spinlock lock;
	char *buf;                      /* [I] PIPE_SIZE bytes */
	size_t head;                    /* [lock] first filled byte */
	size_t len;                     /* [lock] filled bytes */
	int readers, writers;           /* [lock] open ends */
	struct waitq rd_wq;             /* readers, read-end pollers: data, EOF */
	struct waitq wr_wq;             /* writers, write-end pollers: room, no reader */
	struct mutex rd_mutex;          /* one reader at a time */
	struct mutex wr_mutex;          /* one writer at a time */
};

static const struct file_ops pipe_read_ops, pipe_write_ops;

static bool pipe_nonblock(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

static ssize_t pipe_read(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	ssize_t err = 0;

	if (n == 0)
		return 0;
	if (mutex_lock_interruptible(&p->rd_mutex))
		return -EINTR;
	spin_lock(&p->lock);
	if (p->len == 0 && p->writers > 0) {
		if (pipe_nonblock(f))
			err = -EAGAIN;
		else
			err = wait_event_locked(&p->rd_wq, &p->lock,
						p->len > 0 || p->writers == 0);
	}
	while (!err && done < n && p->len > 0) {
		size_t head = p->head;
		size_t chunk = MIN(MIN(n - done, p->len), PIPE_SIZE - head);

		spin_unlock(&p->lock);
		if (iobuf_copy_to(b, done, p->buf + head, chunk))
			err = -EFAULT;
		spin_lock(&p->lock);
		if (err)
			break;
		p->head = (head + chunk) % PIPE_SIZE;
		p->len -= chunk;
		done += chunk;
		wake_up(&p->wr_wq);
	}
	spin_unlock(&p->lock);
	mutex_unlock(&p->rd_mutex);
	return done ? (ssize_t)done : err;
}

static void pipe_sigpipe(void)
{
	if (proc_current())
		signal_raise_current(SIGPIPE);
}

static ssize_t pipe_write(struct file *f, struct iobuf b, size_t n, uint64_t *off)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	ssize_t err = 0;

	if (n == 0)
		return 0;
	if (mutex_lock_interruptible(&p->wr_mutex))
		return -EINTR;
	spin_lock(&p->lock);
	while (done < n) {
		/* An atomic write waits for room for all of it. */
		size_t need = n <= PIPE_BUF ? n : 1;
		size_t tail, chunk;

		if (p->readers == 0) {
			err = -EPIPE;
			break;
		}
		if (PIPE_SIZE - p->len < need) {
			if (pipe_nonblock(f)) {
				err = -EAGAIN;
				break;
			}
			err = wait_event_locked(&p->wr_wq, &p->lock,
						PIPE_SIZE - p->len >= need ||
						p->readers == 0);
			if (err)
				break;
			continue;
		}
		tail = (p->head + p->len) % PIPE_SIZE;
		chunk = MIN(MIN(n - done, PIPE_SIZE - p->len), PIPE_SIZE - tail);
		spin_unlock(&p->lock);
		if (iobuf_copy_from(p->buf + tail, b, done, chunk))
			err = -EFAULT;
		spin_lock(&p->lock);
		if (err)
			break;
		p->len += chunk;
		done += chunk;
		wake_up(&p->rd_wq);
	}
	spin_unlock(&p->lock);
	mutex_unlock(&p->wr_mutex);
	if (err == -EPIPE)
		pipe_sigpipe();
	return done ? (ssize_t)done : err;
}

static void pipe_free(struct pipe *p)
{
	kfree(p->buf);
	kfree(p);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	bool last;

	spin_lock(&p->lock);
	if (f->ops == &pipe_read_ops) {
		p->readers--;
		wake_up(&p->wr_wq);
	} else {
		p->writers--;
		wake_up(&p->rd_wq);
	}
	last = p->readers == 0 && p->writers == 0;
	spin_unlock(&p->lock);
	if (last)
		pipe_free(p);
}

static unsigned pipe_poll_read(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	poll_wait(f, &p->rd_wq, pt);
	spin_lock(&p->lock);
	if (p->len > 0)
		mask |= POLLIN | POLLRDNORM;
	if (p->writers == 0)
		mask |= POLLHUP;
	spin_unlock(&p->lock);
	return mask;
}

static unsigned pipe_poll_write(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	poll_wait(f, &p->wr_wq, pt);
	spin_lock(&p->lock);
	if (PIPE_SIZE - p->len >= PIPE_BUF)
		mask |= POLLOUT | POLLWRNORM;
	if (p->readers == 0)
		mask |= POLLERR;
	spin_unlock(&p->lock);
	return mask;
}

static const struct file_ops pipe_read_ops = {
	.read = pipe_read,
	.release = pipe_release,
	.poll = pipe_poll_read,
	.mode = S_IFIFO | 0600,
};

static const struct file_ops pipe_write_ops = {
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll_write,
	.mode = S_IFIFO | 0600,
};

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kzalloc(sizeof(*p));
	unsigned nb = flags & O_NONBLOCK;

	if (!p)
		return -ENOMEM;
	p->buf = kmalloc(PIPE_SIZE, 0);
	if (!p->buf)
		goto out_free;
	spin_init(&p->lock, "pipe");
	waitq_init(&p->rd_wq, "pipe_rd_wq");
	waitq_init(&p->wr_wq, "pipe_wr_wq");
	mutex_init(&p->rd_mutex, "pipe_rd");
	mutex_init(&p->wr_mutex, "pipe_wr");
	p->readers = p->writers = 1;
	*rd = file_alloc(&pipe_read_ops, NULL, p, O_RDONLY | nb);
	*wr = file_alloc(&pipe_write_ops, NULL, p, O_WRONLY | nb);
	if (*rd && *wr)
		return 0;
	/* Freed by hand: releasing the ends would free p twice. */
	kfree(*rd);
	kfree(*wr);
out_free:
	pipe_free(p);
	return -ENOMEM;
}

/*
 * pipe.c - pipes: a ring buffer (PIPE_SIZE bytes, F_SETPIPE_SZ changes it)
 * between a read end and a write end, each a struct file.
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
 * (POLLHUP) once no write end is open (a FIFO: once one had been opened); the write end is writable (POLLOUT)
 * while PIPE_BUF bytes fit, so a write of up to PIPE_BUF does not block
 * (Linux's page slots give the same), and in error (POLLERR) once no read
 * end is open.  Each end registers on the queue its own waiters use, and
 * every change a poller may wait for wakes it: a write or the last
 * writer's close wakes rd_wq, a read or the last reader's close wr_wq.
 *
 * Named pipes (FIFOs): a FIFO node of a file system (mknod S_IFIFO) has at
 * most one pipe, made by the first open and found by the next through
 * fifo_list (keyed by the vnode; every open file of it holds the vnode),
 * freed when its last end is closed (its data with it, as on Linux).
 * Opening for reading waits for a writer, and for writing waits for a
 * reader, unless O_NONBLOCK (then a lone writer gets -ENXIO); O_RDWR never
 * waits.  A waiting open counts as an end already, and waits for the
 * other end's open counter to move, so an end that opens and closes at
 * once still releases it.
 *
 * Locking: pipe->lock (spinlock) guards the ring indices and the end
 * counts; readers sleep on rd_wq, writers on wr_wq (wait_event_locked on
 * pipe->lock).  User memory is never touched under the spinlock: a reader
 * (writer) computes its region under the lock, copies without it, then
 * publishes the new indices under the lock.  That is safe because at most
 * one reader and one writer run at a time: rd_mutex serializes readers,
 * wr_mutex writers (which also keeps big writes from interleaving), and
 * the reader only touches filled bytes, the writer only free ones.
 * Resizing (F_SETPIPE_SZ) replaces the buffer under pipe->lock once no
 * copy is in flight (p->copying, counted under the lock around each
 * unlocked copy; pipe_set_size waits on resize_wq for it to reach 0), so a
 * copy never sees the buffer change under it, and no sleeping reader or
 * writer holds it up (they do not count while they sleep).  Bytes of
 * buffers grown past PIPE_SIZE are counted in pipe_grown ([A]); without
 * privilege no pipe grows once they would pass PIPE_GROWN_MAX (Linux's
 * pipe-user-pages-soft, system-wide here), so pipes cannot take the
 * kernel's memory.
 * fifo_lock (spinlock) guards fifo_list and, for a FIFO's pipe, the
 * decision that its last end is gone (so an open never finds a pipe being
 * freed).
 * Order: rd_mutex/wr_mutex -> fifo_lock -> pipe->lock -> waitq locks.
 */
#include <keel/fd.h>
#include <keel/pipe.h>
#include <keel/kmalloc.h>
#include <keel/mutex.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/spinlock.h>
#include <keel/wait.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>

struct pipe {
	struct spinlock lock;
	char *buf;                      /* [lock] size bytes; replaced only when
					 * copying is 0 (pipe_set_size) */
	size_t size;                    /* [lock] a power of two, >= PAGE_SIZE */
	unsigned copying;               /* [lock] readers and writers copying
					 * without the lock right now */
	struct waitq resize_wq;         /* pipe_set_size, for copying to reach 0 */
	size_t head;                    /* [lock] first filled byte */
	size_t len;                     /* [lock] filled bytes */
	int readers, writers;           /* [lock] open ends */
	struct waitq rd_wq;             /* readers, read-end pollers: data, EOF */
	struct waitq wr_wq;             /* writers, write-end pollers: room, no reader */
	struct mutex rd_mutex;          /* one reader at a time */
	struct mutex wr_mutex;          /* one writer at a time */
	struct vnode *fifo;             /* [I] a FIFO's node, NULL for pipe(2) */
	struct list fifo_link;          /* [fifo_lock] on fifo_list */
	unsigned r_opens, w_opens;      /* [lock] opens of each end so far
					 * (pipe(2): 1 each) */
};

static const struct file_ops pipe_read_ops, pipe_write_ops, pipe_rdwr_ops;
static unsigned long pipe_grown; /* [A] bytes of buffers beyond PIPE_SIZE */

/* Bytes of a size-byte buffer that count in pipe_grown. */
static unsigned long pipe_grown_part(size_t size)
{
	return size > PIPE_SIZE ? size - PIPE_SIZE : 0;
}
static struct spinlock fifo_lock = SPINLOCK_INIT("fifo");
static struct list fifo_list = LIST_INIT(fifo_list); /* [fifo_lock] */

static bool pipe_nonblock(struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

/* Around a copy to or from p->buf without the lock (held on entry and exit). */
static void pipe_copy_begin(struct pipe *p)
{
	p->copying++;
	spin_unlock(&p->lock);
}

static void pipe_copy_end(struct pipe *p)
{
	spin_lock(&p->lock);
	if (--p->copying == 0)
		wake_up(&p->resize_wq);
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
		size_t chunk = MIN(MIN(n - done, p->len), p->size - head);
		char *buf = p->buf;

		pipe_copy_begin(p);
		if (iobuf_copy_to(b, done, buf + head, chunk))
			err = -EFAULT;
		pipe_copy_end(p);
		if (err)
			break;
		p->head = (head + chunk) & (p->size - 1);
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
		if (p->size - p->len < need) {
			if (pipe_nonblock(f)) {
				err = -EAGAIN;
				break;
			}
			err = wait_event_locked(&p->wr_wq, &p->lock,
						p->size - p->len >= need ||
						p->readers == 0);
			if (err)
				break;
			continue;
		}
		tail = (p->head + p->len) & (p->size - 1);
		chunk = MIN(MIN(n - done, p->size - p->len), p->size - tail);
		char *buf = p->buf;
		pipe_copy_begin(p);
		if (iobuf_copy_from(buf + tail, b, done, chunk))
			err = -EFAULT;
		pipe_copy_end(p);
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
	__atomic_fetch_sub(&pipe_grown, pipe_grown_part(p->size), __ATOMIC_RELAXED);
	kfree(p->buf);
	kfree(p);
}

/* Drop rd read ends and wr write ends; the last end frees the pipe. */
static void pipe_put_ends(struct pipe *p, int rd, int wr)
{
	bool fifo = p->fifo != NULL, last;

	/* Not p->fifo after p->lock is dropped: the other end may free p. */
	if (fifo)
		spin_lock(&fifo_lock);
	spin_lock(&p->lock);
	p->readers -= rd;
	p->writers -= wr;
	if (rd)
		wake_up(&p->wr_wq);
	if (wr)
		wake_up(&p->rd_wq);
	last = p->readers == 0 && p->writers == 0;
	if (last && fifo)
		list_remove(&p->fifo_link);
	spin_unlock(&p->lock);
	if (fifo)
		spin_unlock(&fifo_lock);
	if (last)
		pipe_free(p);
}

static void pipe_release(struct file *f)
{
	pipe_put_ends(f->priv, file_readable(f), file_writable(f));
}

static unsigned pipe_poll_read(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	poll_wait(f, &p->rd_wq, pt);
	spin_lock(&p->lock);
	if (p->len > 0)
		mask |= POLLIN | POLLRDNORM;
	/* A FIFO no writer has opened yet is not hung up (Linux). */
	if (p->writers == 0 && p->w_opens > 0)
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
	if (p->size - p->len >= PIPE_BUF)
		mask |= POLLOUT | POLLWRNORM;
	if (p->readers == 0)
		mask |= POLLERR;
	spin_unlock(&p->lock);
	return mask;
}

static unsigned pipe_poll_rdwr(struct file *f, struct poll_table *pt)
{
	return pipe_poll_read(f, pt) | pipe_poll_write(f, pt);
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

static const struct file_ops pipe_rdwr_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll_rdwr,
	.mode = S_IFIFO | 0600,
};

/* A new pipe with no ends, or NULL. */
static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_SIZE, 0);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	p->size = PIPE_SIZE;
	spin_init(&p->lock, "pipe");
	waitq_init(&p->resize_wq, "pipe_resize_wq");
	waitq_init(&p->rd_wq, "pipe_rd_wq");
	waitq_init(&p->wr_wq, "pipe_wr_wq");
	mutex_init(&p->rd_mutex, "pipe_rd");
	mutex_init(&p->wr_mutex, "pipe_wr");
	list_init(&p->fifo_link);
	return p;
}

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct pipe *p = pipe_alloc();
	unsigned nb = flags & O_NONBLOCK;

	if (!p)
		return -ENOMEM;
	p->readers = p->writers = 1;
	p->r_opens = p->w_opens = 1;
	*rd = file_alloc(&pipe_read_ops, NULL, p, O_RDONLY | nb);
	*wr = file_alloc(&pipe_write_ops, NULL, p, O_WRONLY | nb);
	if (*rd && *wr)
		return 0;
	/* Freed by hand: releasing the ends would free p twice. */
	kfree(*rd);
	kfree(*wr);
	pipe_free(p);
	return -ENOMEM;
}

/* v's pipe, if it has one. [fifo_lock] held. */
static struct pipe *fifo_find(struct vnode *v)
{
	struct list *pos;

	spin_assert_held(&fifo_lock);
	list_for_each(pos, &fifo_list) {
		struct pipe *p = list_entry(pos, struct pipe, fifo_link);

		if (p->fifo == v)
			return p;
	}
	return NULL;
}

/*
 * v's pipe, made if needed, with the ends rd and wr taken: 0, or -ENXIO
 * (a lone non-blocking writer), -ENOMEM.
 */
static int fifo_get(struct vnode *v, int rd, int wr, bool nb,
		    struct pipe **out)
{
	struct pipe *p, *fresh = NULL;
	int err = 0;

	for (;;) {
		spin_lock(&fifo_lock);
		p = fifo_find(v);
		if (!p && fresh) {
			p = fresh;
			fresh = NULL;
			p->fifo = v;
			list_add_tail(&fifo_list, &p->fifo_link);
		}
		if (p)
			break;
		spin_unlock(&fifo_lock);
		fresh = pipe_alloc();
		if (!fresh)
			return -ENOMEM;
	}
	spin_lock(&p->lock);
	if (wr && !rd && nb && p->readers == 0) {
		err = -ENXIO;
	} else {
		p->readers += rd;
		p->writers += wr;
		p->r_opens += rd;
		p->w_opens += wr;
		if (rd)
			wake_up(&p->wr_wq);
		if (wr)
			wake_up(&p->rd_wq);
	}
	spin_unlock(&p->lock);
	spin_unlock(&fifo_lock);
	if (fresh)
		pipe_free(fresh);
	if (err) {
		pipe_put_ends(p, 0, 0); /* frees it if we made it */
		return err;
	}
	*out = p;
	return 0;
}

/* Wait until the other end has been opened (see the header). */
static int fifo_wait_peer(struct pipe *p, bool rd)
{
	unsigned seen;
	int err = 0;

	spin_lock(&p->lock);
	if (rd && p->writers == 0) {
		seen = p->w_opens;
		err = wait_event_locked(&p->rd_wq, &p->lock, p->w_opens != seen);
	} else if (!rd && p->readers == 0) {
		seen = p->r_opens;
		err = wait_event_locked(&p->wr_wq, &p->lock, p->r_opens != seen);
	}
	spin_unlock(&p->lock);
	return err;
}

int pipe_fifo_open(struct vnode *v, unsigned flags, struct file **out)
{
	unsigned acc = flags & O_ACCMODE;
	int rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	bool nb = flags & O_NONBLOCK;
	const struct file_ops *ops = rd && wr ? &pipe_rdwr_ops :
				     rd      ? &pipe_read_ops :
						&pipe_write_ops;
	struct pipe *p;
	int err = fifo_get(v, rd, wr, nb, &p);

	if (err)
		return err;
	if (!nb && rd != wr && (err = fifo_wait_peer(p, rd)))
		goto out_put;
	*out = file_alloc(ops, v, p, flags & (O_ACCMODE | O_NONBLOCK));
	if (*out)
		return 0;
	err = -ENOMEM;
out_put:
	pipe_put_ends(p, rd, wr);
	return err;
}

/* ---------------------------------------------------------------- size */

/* The pipe behind f, or NULL if f is no pipe or FIFO end. */
static struct pipe *pipe_of(struct file *f)
{
	const struct file_ops *ops = f->ops;

	return ops == &pipe_read_ops || ops == &pipe_write_ops || ops == &pipe_rdwr_ops ? f->priv :
											   NULL;
}

long pipe_get_size(struct file *f)
{
	struct pipe *p = pipe_of(f);
	long size;

	if (!p)
		return -EBADF;
	spin_lock(&p->lock);
	size = (long)p->size;
	spin_unlock(&p->lock);
	return size;
}

long pipe_set_size(struct file *f, unsigned long want, bool priv)
{
	struct pipe *p = pipe_of(f);
	size_t size = PAGE_SIZE;
	char *buf, *old;
	int err;

	if (!p)
		return -EBADF;
	if (want > PIPE_SIZE_LIMIT)
		return -EINVAL;
	while (size < want)
		size <<= 1;
	spin_lock(&p->lock);
	bool grows = size > p->size;    /* Linux limits growth only */
	spin_unlock(&p->lock);
	if (grows && size > PIPE_MAX_SIZE && !priv)
		return -EPERM;
	/* Count the new buffer first (the old one's part goes once it is
	 * swapped; undone on failure): the limit holds even for many pipes
	 * growing at once. */
	unsigned long add = pipe_grown_part(size);
	unsigned long total = __atomic_add_fetch(&pipe_grown, add, __ATOMIC_RELAXED);
	if (grows && add && total > PIPE_GROWN_MAX && !priv) {
		__atomic_fetch_sub(&pipe_grown, add, __ATOMIC_RELAXED);
		return -EPERM;
	}
	buf = kmalloc(size, 0);
	if (!buf) {
		__atomic_fetch_sub(&pipe_grown, add, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	spin_lock(&p->lock);
	err = wait_event_locked(&p->resize_wq, &p->lock, p->copying == 0);
	if (!err && p->len > size)
		err = -EBUSY;   /* the data would not fit (Linux) */
	if (err) {
		spin_unlock(&p->lock);
		__atomic_fetch_sub(&pipe_grown, add, __ATOMIC_RELAXED);
		kfree(buf);
		return err;
	}
	__atomic_fetch_sub(&pipe_grown, pipe_grown_part(p->size), __ATOMIC_RELAXED);
	/* Linearize what is there into the new buffer. */
	size_t first = MIN(p->len, p->size - p->head);
	memcpy(buf, p->buf + p->head, first);
	memcpy(buf + first, p->buf, p->len - first);
	old = p->buf;
	p->buf = buf;
	p->size = size;
	p->head = 0;
	wake_up(&p->wr_wq);     /* more room, maybe */
	spin_unlock(&p->lock);
	kfree(old);
	return (long)size;
}

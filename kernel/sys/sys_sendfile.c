/*
 * sys_sendfile.c - sendfile(2) (Linux's sendfile64, number 40): copy from
 * one open file to another through a kernel buffer, chunk by chunk.
 *
 * Linux's rules: in_fd must be open for reading and out_fd for writing
 * (-EBADF); with an offset pointer in_fd must be seekable (-ESPIPE), the
 * offset not negative (-EINVAL), and the file position is left alone
 * (the offset pointer gets the new offset); without one, the copy starts
 * at the file position and moves it.  out_fd with O_APPEND is -EINVAL.
 * count is clamped to FILE_RW_MAX.  in_fd must be a regular file or a
 * character device (Linux: a file that can be spliced from; pipes,
 * directories, eventfds, epolls: -EINVAL); from an unseekable device a
 * chunk that was read is written in full, or the error is returned with
 * the count so far.  A signal ends the copy between chunks with the count
 * so far.
 */
#include <keel/syscall.h>
#include <keel/fd.h>
#include <keel/kmalloc.h>
#include <keel/signal.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include "sys_fs.h"

#define SENDFILE_CHUNK (16 * KiB)

/* Write all of buf[0..n) to out: bytes written (n unless an error). */
static ssize_t sendfile_write_all(struct file *out, char *buf, size_t n, ssize_t *err)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = file_write(out, IOBUF_KERNEL(buf + done), n - done);

		if (w <= 0) {
			*err = w ? w : -EIO;
			break;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

/*
 * Copy up to count bytes from in (at *pos if seekable) to out: bytes
 * copied, or -Exxx if none.
 */
static ssize_t sendfile_copy(struct file *out, struct file *in, uint64_t *pos, size_t count)
{
	char *buf = kmalloc(SENDFILE_CHUNK, 0);
	size_t done = 0;
	ssize_t err = 0;

	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t n = MIN(count - done, (size_t)SENDFILE_CHUNK);
		ssize_t r, w;

		if (done && signal_pending())
			break;
		r = in->ops->seekable ? file_pread(in, IOBUF_KERNEL(buf), n, *pos) :
					file_read(in, IOBUF_KERNEL(buf), n);
		if (r <= 0) {
			err = r;
			break;
		}
		w = sendfile_write_all(out, buf, (size_t)r, &err);
		done += (size_t)w;
		*pos += (uint64_t)w;
		if (w < r || (size_t)r < n)
			break;
	}
	kfree(buf);
	return done ? (ssize_t)done : err;
}

/* Can sendfile read from f?  (See the header.) */
static bool sendfile_source_ok(const struct file *f)
{
	return f->vnode && (S_ISREG(f->vnode->mode) || S_ISCHR(f->vnode->mode));
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, int64_t __user *, uoff, size_t, count)
{
	struct file *in, *out = NULL;
	int64_t off = 0;
	uint64_t pos = 0;
	ssize_t ret;

	if (uoff && copy_from_user(&off, uoff, sizeof(off)))
		return -EFAULT;
	in = fd_get(in_fd);
	if (!in)
		return -EBADF;
	ret = -EBADF;
	if (!file_readable(in))
		goto out;
	ret = -ESPIPE;
	if (uoff && !in->ops->seekable)
		goto out;
	ret = -EINVAL;
	if (uoff && off < 0)
		goto out;
	ret = -EBADF;
	out = fd_get(out_fd);
	if (!out || !file_writable(out))
		goto out;
	ret = -EINVAL;
	if ((__atomic_load_n(&out->flags, __ATOMIC_RELAXED) & O_APPEND) || !sendfile_source_ok(in))
		goto out;
	count = MIN(count, (size_t)FILE_RW_MAX);
	if (uoff) {
		pos = (uint64_t)off;
	} else if (in->ops->seekable) {
		if (mutex_lock_killable(&in->pos_lock)) {
			ret = -EINTR;
			goto out;
		}
		pos = in->off;
		mutex_unlock(&in->pos_lock);
	}
	ret = count ? sendfile_copy(out, in, &pos, count) : 0;
	if (uoff) {
		off = (int64_t)pos;
		if (copy_to_user(uoff, &off, sizeof(off)))
			ret = -EFAULT;
	} else if (in->ops->seekable && ret > 0) {
		/* Not held across the copy: in and out may be one file. */
		mutex_lock(&in->pos_lock);
		in->off = pos;
		mutex_unlock(&in->pos_lock);
	}
out:
	if (out)
		file_put(out);
	file_put(in);
	return ret;
}

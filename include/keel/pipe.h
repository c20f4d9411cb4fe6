/*
 * keel/pipe.h - pipes (kernel/fs/pipe.c): a PIPE_SIZE ring buffer between
 * a read end and a write end, each a struct file (keel/fd.h); POSIX
 * semantics, see pipe.c for the rules and its locks.
 */
#ifndef KEEL_PIPE_H
#define KEEL_PIPE_H

#include <keel/compiler.h>

#define PIPE_SIZE (64 * KiB)    /* a new pipe's buffer */
#define PIPE_BUF  4096          /* writes up to this size are atomic */
#define PIPE_MAX_SIZE (1 * MiB) /* F_SETPIPE_SZ without privilege (fs/pipe-max-size) */
#define PIPE_SIZE_LIMIT (1ul << 31) /* above: -EINVAL, as Linux's round_pipe_size */
#define PIPE_GROWN_MAX (64 * MiB) /* all pipes' growth past PIPE_SIZE, unprivileged */

struct file;
struct vnode;
/*
 * A new pipe: *rd and *wr get its read and write ends (one reference
 * each); flags may hold O_NONBLOCK.  0 or -ENOMEM.  May sleep.
 */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);
/*
 * Open the named pipe (FIFO) node v with open(2) flags (access mode,
 * O_NONBLOCK): waits for the other end as Linux does (see pipe.c).  On
 * success *out holds the caller's reference to v.  0, or -ENXIO, -EINTR,
 * -ENOMEM.  May sleep.
 */
int pipe_fifo_open(struct vnode *v, unsigned flags, struct file **out);
/* F_GETPIPE_SZ: the buffer size of the pipe or FIFO f is an end of; -EBADF
 * if f is neither. */
long pipe_get_size(struct file *f);
/*
 * F_SETPIPE_SZ: make the buffer at least want bytes (a power of two, one
 * page at least); beyond PIPE_MAX_SIZE only with priv (-EPERM).  Returns
 * the new size, or -EBADF, -EINVAL (want > 2 GiB), -EBUSY (the data would
 * not fit), -ENOMEM, -EINTR.  May sleep.
 */
long pipe_set_size(struct file *f, unsigned long want, bool priv);

#endif

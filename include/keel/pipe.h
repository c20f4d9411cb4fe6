/*
 * keel/pipe.h - pipes (kernel/fs/pipe.c): a PIPE_SIZE ring buffer between
 * a read end and a write end, each a struct file (keel/fd.h); POSIX
 * semantics, see pipe.c for the rules and its locks.
 */
#ifndef KEEL_PIPE_H
#define KEEL_PIPE_H

#include <keel/compiler.h>

#define PIPE_SIZE (64 * KiB)
#define PIPE_BUF  4096          /* writes up to this size are atomic */

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

#endif

/*
 * keel/flock.h - advisory file locks (kernel/fs/flock.c): POSIX record
 * locks and open-file-description locks through fcntl, whole-file locks
 * through flock(2), with Linux's values and rules.
 */
#ifndef KEEL_FLOCK_H
#define KEEL_FLOCK_H

#include <keel/compiler.h>
#include <keel/uaccess.h>

/* fcntl commands and lock types (Linux x86-64 values). */
#define F_GETLK        5
#define F_SETLK        6
#define F_SETLKW       7
#define F_OFD_GETLK    36
#define F_OFD_SETLK    37
#define F_OFD_SETLKW   38
#define F_RDLCK        0
#define F_WRLCK        1
#define F_UNLCK        2
/* flock(2) operations. */
#define LOCK_SH        1
#define LOCK_EX        2
#define LOCK_NB        4
#define LOCK_UN        8
/* l_whence (lseek's). */
#define FLOCK_SEEK_SET 0
#define FLOCK_SEEK_CUR 1
#define FLOCK_SEEK_END 2

struct file;
struct proc;

/*
 * fcntl(F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ forms) on f with the
 * struct flock at uarg: 0 or -EFAULT, -EINVAL, -EOVERFLOW, -EBADF (a read
 * lock on a file not open for reading, a write lock on one not open for
 * writing), -EAGAIN (in the way), -EDEADLK, -EINTR, -ENOMEM, -ENOLCK
 * (FLOCK_RECORDS_MAX locks in the system).  May sleep.
 */
long flock_fcntl(struct file *f, int cmd, void __user *uarg);
/* flock(2) on f: 0 or -EINVAL, -EWOULDBLOCK (LOCK_NB), -EINTR, -ENOMEM,
 * -ENOLCK (too many locks in the system, as fcntl's). */
long flock_flock(struct file *f, int op);
/* The current process closed a descriptor of f: its POSIX locks on the
 * file go (all of them, whichever descriptor took them). */
void flock_close(struct file *f);
/* The last reference to f went: its OFD and flock locks go. */
void flock_file_release(struct file *f);
/* p exits: its POSIX locks go. */
void flock_proc_exit(struct proc *p);

#endif

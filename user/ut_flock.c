/*
 * ut_flock.c - usertests: advisory locks (each case also passes on Linux).
 *
 *   lock_posix_ranges      a write lock stops another process's locks
 *                          over its range (EAGAIN) but not beside it;
 *                          F_GETLK reports the lock in the way (type,
 *                          range, pid) or F_UNLCK; an unlock in the middle
 *                          splits it; a negative l_len counts backwards
 *   lock_posix_close       closing any descriptor of the file drops the
 *                          process's locks; a child does not inherit them
 *   lock_posix_wait        F_SETLKW waits for the unlock; a wait that
 *                          would close a cycle of two processes is EDEADLK
 *   lock_ofd               OFD locks belong to the open file: two opens in
 *                          one process conflict, they conflict with POSIX
 *                          locks, l_pid must be 0 and reads back -1, the
 *                          last close drops them
 *   lock_flock             flock: shared and exclusive, LOCK_NB is
 *                          EWOULDBLOCK, dup shares it, unlock; apart from
 *                          record locks
 *   lock_errors            EBADF (lock kind the open mode does not allow,
 *                          bad fd), EINVAL (type, whence, negative start,
 *                          flock op)
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include "usertests.h"

#define LK_OFD_GETLK 36
#define LK_OFD_SETLK 37
#define LK_SETTLE_NS 100000000ll /* let a child reach its wait */

static int lk_open(const char *tag, int flags)
{
	char path[256];

	ut_tmppath(path, sizeof(path), tag);
	return (int)UT_OK(open(path, flags | O_CREAT, 0600));
}

static int lk_set(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &l);
}

/* F_GETLK (or OFD) for a write lock over [start, start+len). */
static struct flock lk_get(int fd, int cmd, off_t start, off_t len)
{
	struct flock l = { .l_type = F_WRLCK,
			   .l_whence = SEEK_SET,
			   .l_start = start,
			   .l_len = len };

	UT_OK(fcntl(fd, cmd, &l));
	return l;
}

/* Run fn(fd) in a child; its exit status. */
static int lk_child(void (*fn)(int), int fd)
{
	pid_t pid = utest_fork();

	if (pid == 0) {
		fn(fd);
		_exit(0);
	}
	return utest_wait(pid);
}

static pid_t lk_parent;

static void ranges_child(int fd)
{
	struct flock l = lk_get(fd, F_GETLK, 5, 1);

	UT_CHECK(l.l_type == F_WRLCK && l.l_start == 5 && l.l_len == 5 && l.l_pid == lk_parent);
	UT_CHECK_ERR(lk_set(fd, F_SETLK, F_WRLCK, 9, 2), EAGAIN);
	UT_CHECK_ERR(lk_set(fd, F_SETLK, F_RDLCK, 0, 1), EAGAIN);
	UT_OK(lk_set(fd, F_SETLK, F_RDLCK, 10, 10)); /* beside it */
	l = lk_get(fd, F_GETLK, 3, 2);               /* the split-out hole */
	UT_CHECK(l.l_type == F_UNLCK);
	l = lk_get(fd, F_GETLK, 0, 1);
	UT_CHECK(l.l_type == F_WRLCK && l.l_start == 0 && l.l_len == 3);
	l = lk_get(fd, F_GETLK, 5, 0); /* to the end */
	UT_CHECK(l.l_type == F_WRLCK && l.l_start == 5 && l.l_len == 5);
	l = lk_get(fd, F_GETLK, 30, 0);
	UT_CHECK(l.l_type == F_RDLCK && l.l_start == 30 && l.l_len == 10);
}

void ut_lock_posix_ranges(void)
{
	int fd = lk_open("lkr", O_RDWR);
	struct flock back = { .l_type = F_RDLCK,
			      .l_whence = SEEK_SET,
			      .l_start = 40,
			      .l_len = -10 };

	lk_parent = getpid();
	UT_OK(lk_set(fd, F_SETLK, F_WRLCK, 0, 10));
	UT_OK(lk_set(fd, F_SETLK, F_UNLCK, 3, 2)); /* [0,3) and [5,10) stay */
	UT_OK(fcntl(fd, F_SETLK, &back));          /* [30, 40) */
	/* Our own locks never stop us. */
	UT_OK(lk_set(fd, F_SETLK, F_WRLCK, 5, 5));
	UT_CHECK_EXIT(lk_child(ranges_child, fd), 0);
	close(fd);
}

static void close_child(int fd)
{
	UT_OK(lk_set(fd, F_SETLK, F_WRLCK, 0, 0)); /* nothing left in the way */
}

static void inherit_child(int fd)
{
	/* fork did not give us the parent's lock: it is in our way. */
	UT_CHECK_ERR(lk_set(fd, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
}

void ut_lock_posix_close(void)
{
	int fd = lk_open("lkc", O_RDWR), fd2;

	UT_OK(lk_set(fd, F_SETLK, F_WRLCK, 0, 0));
	UT_CHECK_EXIT(lk_child(inherit_child, fd), 0);
	fd2 = lk_open("lkc", O_RDONLY);
	close(fd2); /* drops the lock taken through fd */
	UT_CHECK_EXIT(lk_child(close_child, fd), 0);
	close(fd);
}

void ut_lock_posix_wait(void)
{
	int fd = lk_open("lkw", O_RDWR), ready[2];
	pid_t c;
	char b;

	UT_OK(pipe(ready));
	UT_OK(lk_set(fd, F_SETLK, F_WRLCK, 0, 1));
	c = utest_fork();
	if (c == 0) {
		UT_OK(lk_set(fd, F_SETLK, F_WRLCK, 1, 1));
		UT_CHECK(write(ready[1], "r", 1) == 1);
		UT_OK(lk_set(fd, F_SETLKW, F_WRLCK, 0, 1)); /* waits for the parent */
		_exit(0);
	}
	UT_CHECK(read(ready[0], &b, 1) == 1);
	utest_sleep_ns(LK_SETTLE_NS);
	/* The child waits for our [0,1); waiting for its [1,2) is a deadlock. */
	UT_CHECK_ERR(lk_set(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	UT_OK(lk_set(fd, F_SETLK, F_UNLCK, 0, 1)); /* the child gets it now */
	UT_CHECK_EXIT(utest_wait(c), 0);
	close(fd);
	close(ready[0]);
	close(ready[1]);
}

void ut_lock_ofd(void)
{
	int a = lk_open("lko", O_RDWR), b = lk_open("lko", O_RDWR);
	struct flock l = { .l_type = F_WRLCK,
			   .l_whence = SEEK_SET,
			   .l_start = 0,
			   .l_len = 1,
			   .l_pid = 1 };

	UT_CHECK_ERR(fcntl(a, LK_OFD_SETLK, &l), EINVAL); /* l_pid must be 0 */
	UT_OK(lk_set(a, LK_OFD_SETLK, F_WRLCK, 0, 10));
	UT_CHECK_ERR(lk_set(b, LK_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN); /* another open */
	UT_CHECK_ERR(lk_set(b, F_SETLK, F_RDLCK, 5, 1), EAGAIN);      /* POSIX meets OFD */
	l = lk_get(b, LK_OFD_GETLK, 0, 1);
	UT_CHECK(l.l_type == F_WRLCK && l.l_pid == -1 && l.l_len == 10);
	close(a); /* the description goes */
	UT_OK(lk_set(b, LK_OFD_SETLK, F_WRLCK, 5, 1));
	close(b);
}

void ut_lock_flock(void)
{
	int a = lk_open("lkf", O_RDONLY), b = lk_open("lkf", O_RDWR), d;

	UT_OK(flock(a, LOCK_EX));
	UT_CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	UT_CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	UT_OK(lk_set(b, F_SETLK, F_WRLCK, 0, 0)); /* record locks do not see it */
	d = (int)UT_OK(dup(a));
	UT_OK(flock(d, LOCK_UN)); /* the same description */
	UT_OK(flock(b, LOCK_SH | LOCK_NB));
	UT_OK(flock(a, LOCK_SH | LOCK_NB)); /* two shared: fine */
	UT_CHECK_ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	UT_OK(flock(b, LOCK_UN));
	UT_OK(flock(a, LOCK_EX | LOCK_NB)); /* converted */
	close(a);
	close(d); /* last close: unlocked */
	UT_OK(flock(b, LOCK_EX | LOCK_NB));
	close(b);
}

void ut_lock_errors(void)
{
	int r = lk_open("lke", O_RDONLY), w = lk_open("lke", O_WRONLY);
	struct flock l = { .l_type = F_RDLCK, .l_whence = 7, .l_start = 0, .l_len = 1 };

	UT_CHECK_ERR(lk_set(r, F_SETLK, F_WRLCK, 0, 1), EBADF);
	UT_CHECK_ERR(lk_set(w, F_SETLK, F_RDLCK, 0, 1), EBADF);
	UT_CHECK_ERR(lk_set(r, F_SETLK, 9, 0, 1), EINVAL);
	UT_CHECK_ERR(fcntl(r, F_SETLK, &l), EINVAL);
	UT_CHECK_ERR(lk_set(r, F_SETLK, F_RDLCK, -1, 1), EINVAL);
	UT_CHECK_ERR(lk_set(999, F_SETLK, F_RDLCK, 0, 1), EBADF);
	UT_CHECK_ERR(flock(r, 0), EINVAL);
	UT_CHECK_ERR(flock(r, LOCK_SH | LOCK_EX), EINVAL);
	UT_CHECK_ERR(flock(999, LOCK_SH), EBADF);
	close(r);
	close(w);
}

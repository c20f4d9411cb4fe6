/*
 * ut_poll.c - poll, ppoll, select, pselect6 (Linux semantics): events of
 * pipe ends in each state, a sleeper woken by another process, timeouts
 * (and the time left written back), POLLNVAL and EBADF, negative fds, and
 * descriptors closed by another thread while a poll sleeps on them, and
 * the temporary signal mask of ppoll/pselect6 and rt_sigsuspend, which
 * shares its mechanism (the handler runs, the old mask is back afterwards).
 */
#include "usertests.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include <time.h>

#define UT_POLL_WAIT_MS 50
#define UT_NS_PER_MS    1000000ll

static short ut_revents(int fd, short events, int timeout_ms)
{
	struct pollfd p = { fd, events, 0 };

	UT_CHECK(poll(&p, 1, timeout_ms) >= 0);
	return p.revents;
}

void ut_poll_pipe_events(void)
{
	int p[2];
	char c = 'x';

	UT_OK(pipe(p));
	/* Empty: nothing to read, room to write. */
	UT_CHECK(ut_revents(p[0], POLLIN, 0) == 0);
	UT_CHECK(ut_revents(p[1], POLLOUT, 0) == POLLOUT);
	UT_CHECK(write(p[1], &c, 1) == 1);
	UT_CHECK(ut_revents(p[0], POLLIN | POLLOUT, 0) == POLLIN);
	UT_CHECK(read(p[0], &c, 1) == 1);
	/* Writer gone: hang-up, reported even if not asked for. */
	close(p[1]);
	UT_CHECK(ut_revents(p[0], 0, 0) == POLLHUP);
	close(p[0]);

	/* Reader gone: an error on the write end. */
	UT_OK(pipe(p));
	close(p[0]);
	UT_CHECK(ut_revents(p[1], POLLOUT, 0) & POLLERR);
	close(p[1]);
}

void ut_poll_wakes_and_times_out(void)
{
	struct pollfd pf;
	int64_t t0;
	pid_t pid;
	int p[2];

	UT_OK(pipe(p));
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	/* Times out: about the time asked, nothing ready. */
	t0 = utest_now_ns();
	UT_CHECK(poll(&pf, 1, UT_POLL_WAIT_MS) == 0);
	UT_CHECK(utest_now_ns() - t0 >= (UT_POLL_WAIT_MS - 1) * UT_NS_PER_MS);
	UT_CHECK(pf.revents == 0);
	/* Woken by another process's write. */
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(UT_POLL_WAIT_MS * UT_NS_PER_MS);
		utest_write_all(p[1], "y", 1);
		_exit(0);
	}
	UT_CHECK(poll(&pf, 1, -1) == 1);
	UT_CHECK(pf.revents == POLLIN);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	close(p[0]);
	close(p[1]);
}

void ut_poll_nval_and_negative(void)
{
	struct pollfd pf[3];
	int p[2];

	UT_OK(pipe(p));
	close(p[1]);
	pf[0] = (struct pollfd){ -1, POLLIN, 0x7 };  /* skipped */
	pf[1] = (struct pollfd){ p[1], POLLOUT, 0 }; /* closed */
	pf[2] = (struct pollfd){ p[0], POLLIN, 0 };  /* hung up */
	UT_CHECK(poll(pf, 3, 0) == 2);
	UT_CHECK(pf[0].revents == 0);
	UT_CHECK(pf[1].revents == POLLNVAL);
	UT_CHECK(pf[2].revents == POLLHUP);
	UT_CHECK_ERR(syscall(SYS_poll, UT_BAD_KERNEL, 1, 0), EFAULT);
	UT_CHECK_ERR(syscall(SYS_poll, pf, 1u << 30, 0), EINVAL);
	UT_CHECK(syscall(SYS_poll, NULL, 0, 0) == 0);
	close(p[0]);
}

static void *ut_poll_closer(void *arg)
{
	int *p = arg;

	utest_sleep_ns(UT_POLL_WAIT_MS * UT_NS_PER_MS);
	close(p[0]); /* the end the other thread polls */
	close(p[1]); /* hang-up: the pipe has no descriptor left */
	return NULL;
}

/*
 * Another thread closes both ends while poll sleeps on the read end: as
 * on Linux, the hang-up wakes it and its next look finds the fd gone (before
 * the fix, the pipe and the wait queue under the sleeper were freed).
 */
void ut_poll_fd_closed_by_thread(void)
{
	struct pollfd pf;
	pthread_t th;
	int p[2];

	for (int round = 0; round < 3; round++) {
		UT_OK(pipe(p));
		pf = (struct pollfd){ p[0], POLLIN, 0 };
		UT_CHECK(pthread_create(&th, NULL, ut_poll_closer, p) == 0);
		UT_CHECK(poll(&pf, 1, 10 * UT_POLL_WAIT_MS) == 1);
		UT_CHECK(pf.revents == POLLNVAL); /* the next pass finds no fd */
		UT_CHECK(pthread_join(th, NULL) == 0);
	}
}

static volatile sig_atomic_t ut_poll_sigs;

static void ut_poll_handler(int sig)
{
	(void)sig;
	ut_poll_sigs++;
}

/* Block SIGUSR1, have a child send it, wait with it unblocked by wait_fn. */
static void ut_poll_sigmask_case(int (*wait_fn)(int fd, const sigset_t *mask))
{
	struct sigaction sa = { .sa_handler = ut_poll_handler };
	sigset_t block, unblock, now;
	int p[2];
	pid_t pid;

	ut_poll_sigs = 0;
	UT_OK(sigaction(SIGUSR1, &sa, NULL));
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	UT_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	UT_OK(pipe(p));
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(UT_POLL_WAIT_MS * UT_NS_PER_MS);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&unblock);
	UT_CHECK(wait_fn(p[0], &unblock) == -1 && errno == EINTR);
	UT_CHECK(ut_poll_sigs == 1); /* the handler ran */
	UT_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	UT_CHECK(sigismember(&now, SIGUSR1)); /* the old mask is back */
	UT_CHECK_EXIT(utest_wait(pid), 0);
	close(p[0]);
	close(p[1]);
}

static int ut_ppoll_wait(int fd, const sigset_t *mask)
{
	struct pollfd pf = { fd, POLLIN, 0 };

	return ppoll(&pf, 1, NULL, mask);
}

static int ut_pselect_wait(int fd, const sigset_t *mask)
{
	fd_set r;

	FD_ZERO(&r);
	FD_SET(fd, &r);
	return pselect(fd + 1, &r, NULL, NULL, NULL, mask);
}

void ut_ppoll_sigmask(void)
{
	struct timespec ts = { 0, UT_POLL_WAIT_MS * UT_NS_PER_MS };
	struct pollfd pf = { 0, POLLIN, 0 };
	int p[2];

	ut_poll_sigmask_case(ut_ppoll_wait);
	/* A timeout with the time left written back (none left). */
	UT_OK(pipe(p));
	pf.fd = p[0];
	UT_CHECK(syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8) == 0);
	UT_CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
	ts.tv_nsec = -1;
	UT_CHECK_ERR(syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8), EINVAL);
	close(p[0]);
	close(p[1]);
}

void ut_select_pipe(void)
{
	struct timeval tv = { 0, UT_POLL_WAIT_MS * 1000 };
	fd_set r, w;
	int p[2];

	UT_OK(pipe(p));
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	/* Writable now, not readable. */
	UT_CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 1);
	UT_CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	/* Readable after a write; both ready counts 2. */
	utest_write_all(p[1], "z", 1);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	UT_CHECK(select(p[1] + 1, &r, &w, NULL, NULL) == 2);
	UT_CHECK(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	/* A timeout: nothing set, the time left written back. */
	FD_ZERO(&r);
	FD_SET(p[1], &r); /* a write end is never readable */
	tv = (struct timeval){ 0, UT_POLL_WAIT_MS * 1000 };
	UT_CHECK(syscall(SYS_select, p[1] + 1, &r, NULL, NULL, &tv) == 0); /* raw:
							 * musl passes a copy of tv */
	UT_CHECK(!FD_ISSET(p[1], &r) && tv.tv_sec == 0 && tv.tv_usec == 0);
	/* A closed descriptor in a set: EBADF. */
	close(p[1]);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	UT_CHECK_ERR(select(p[1] + 1, NULL, &w, NULL, NULL), EBADF);
	UT_CHECK_ERR(select(-1, NULL, NULL, NULL, NULL), EINVAL);
	tv = (struct timeval){ 0, -1 };
	UT_CHECK_ERR(syscall(SYS_select, 0, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){ -1, 1000000 + UT_POLL_WAIT_MS * 1000 }; /* folded: 50 ms */
	UT_CHECK(syscall(SYS_select, 0, NULL, NULL, NULL, &tv) == 0);
	close(p[0]);
}

void ut_pselect_sigmask(void)
{
	ut_poll_sigmask_case(ut_pselect_wait);
}

static int ut_sigsuspend_wait(int fd, const sigset_t *mask)
{
	(void)fd;
	return sigsuspend(mask);
}

void ut_sigsuspend_mask(void)
{
	ut_poll_sigmask_case(ut_sigsuspend_wait);
	UT_CHECK_ERR(syscall(SYS_rt_sigsuspend, UT_BAD_KERNEL, 8), EFAULT);
	UT_CHECK_ERR(syscall(SYS_rt_sigsuspend, NULL, 4), EINVAL);
}

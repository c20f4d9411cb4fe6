/*
 * ut_epoll.c - epoll, eventfd, timerfd, named pipes and sendfile (Linux
 * semantics): level- and edge-triggered and one-shot reports on pipes,
 * EPOLL_CTL_MOD/DEL, an item leaving when its file is closed, epoll_ctl's
 * errors, timeouts and a sleeper woken by another thread, epoll_pwait's
 * temporary mask, an epoll inside an epoll (and poll on one); eventfd's
 * counter and semaphore mode; timerfd's one-shot, periodic and absolute
 * expirations; FIFO opens that wait, ENXIO and data through a FIFO;
 * sendfile with and without an offset; and threads racing epoll_ctl
 * (on an epoll and one nested in it) against close of pipes, eventfds
 * and running timerfds.
 */
#include "usertests.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

#define UT_EP_WAIT_MS 50
#define UT_EP_NS_MS   1000000ll
#define UT_EP_MAX     8

/*
 * A scratch path for prefix ("/tmp/ut_fifo." -> /tmp/ut.<pid>.ut_fifo, see
 * ut_tmppath): usertests removes what a failed test left there.
 */
static void ut_ep_path(char *buf, size_t n, const char *prefix)
{
	char tag[32];
	const char *base = strrchr(prefix, '/');
	size_t len;

	base = base ? base + 1 : prefix;
	len = strlen(base);
	if (len && base[len - 1] == '.')
		len--;
	if (len >= sizeof(tag))
		utest_fail("path too long");
	memcpy(tag, base, len);
	tag[len] = '\0';
	ut_tmppath(buf, n, tag);
}

/* epoll_wait with a zero timeout into evs: the count. */
static int ut_ep_now(int ep, struct epoll_event *evs)
{
	return (int)UT_OK(epoll_wait(ep, evs, UT_EP_MAX, 0));
}

static void ut_ep_add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	UT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

static void ut_ep_mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	UT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
}

void ut_epoll_pipe_triggers(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int ep = (int)UT_OK(epoll_create1(0)), p[2];
	char c;

	UT_OK(pipe(p));
	ut_ep_add(ep, p[0], EPOLLIN, 7);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	utest_write_all(p[1], "ab", 2);
	/* Level-triggered: reported while data is there. */
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK(evs[0].events == EPOLLIN && evs[0].data.u64 == 7);
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK(read(p[0], &c, 1) == 1);
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK(read(p[0], &c, 1) == 1);
	UT_CHECK(ut_ep_now(ep, evs) == 0);

	/* Edge-triggered: once per new write, even with data left. */
	ut_ep_mod(ep, p[0], EPOLLIN | EPOLLET, 8);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	utest_write_all(p[1], "cd", 2);
	UT_CHECK(ut_ep_now(ep, evs) == 1 && evs[0].data.u64 == 8);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	UT_CHECK(read(p[0], &c, 1) == 1);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	utest_write_all(p[1], "e", 1);
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK(ut_ep_now(ep, evs) == 0);

	/* One-shot: once, then silent until MOD arms it again. */
	ut_ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 9);
	UT_CHECK(ut_ep_now(ep, evs) == 1 && evs[0].data.u64 == 9);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	utest_write_all(p[1], "f", 1);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	ut_ep_mod(ep, p[0], EPOLLIN, 10);
	UT_CHECK(ut_ep_now(ep, evs) == 1 && evs[0].data.u64 == 10);

	/* Two items, one per end; DEL takes one away. */
	ut_ep_add(ep, p[1], EPOLLOUT, 11);
	UT_CHECK(ut_ep_now(ep, evs) == 2);
	UT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK(evs[0].events == EPOLLOUT && evs[0].data.u64 == 11);

	/* Hang-up and error are reported even if not asked for. */
	ut_ep_add(ep, p[0], 0, 12);
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	close(p[1]); /* the last reference: the item goes with it */
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK(evs[0].events == EPOLLHUP && evs[0].data.u64 == 12);
	close(p[0]);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	close(ep);
}

void ut_epoll_close_removes(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int ep = (int)UT_OK(syscall(SYS_epoll_create, 1)), p[2], d;

	UT_OK(pipe(p));
	utest_write_all(p[1], "x", 1);
	ut_ep_add(ep, p[0], EPOLLIN, 1);
	/* A dup keeps the file: the item stays, keyed by the old number. */
	d = (int)UT_OK(dup(p[0]));
	close(p[0]);
	UT_CHECK(ut_ep_now(ep, evs) == 1);
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
	/* The last close removes it: the same number is free for a new file. */
	close(d);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	UT_OK(pipe(p));
	ut_ep_add(ep, p[0], EPOLLIN, 2);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

void ut_epoll_ctl_errors(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char path[64];
	int ep = (int)UT_OK(epoll_create1(EPOLL_CLOEXEC)), ep2, p[2], f;

	UT_CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC);
	UT_CHECK_ERR(epoll_create1(1), EINVAL);
	UT_CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	UT_OK(pipe(p));
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT);
	UT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	UT_CHECK_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	UT_CHECK_ERR(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	UT_CHECK_ERR(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], UT_BAD_LOW), EFAULT);
	/* EPOLLEXCLUSIVE: only with ADD, and not with EPOLLONESHOT. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT;
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
	UT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), EINVAL);
	/* A regular file cannot be watched. */
	ut_ep_path(path, sizeof(path), "/tmp/ut_epoll_reg.");
	f = (int)UT_OK(open(path, O_CREAT | O_RDWR, 0600));
	unlink(path);
	ev.events = EPOLLIN;
	UT_CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
	/* Cycles are refused. */
	ep2 = (int)UT_OK(epoll_create1(0));
	UT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	UT_CHECK_ERR(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), ELOOP);
	/* epoll_wait's arguments. */
	UT_CHECK_ERR(epoll_wait(ep, &ev, 0, 0), EINVAL);
	UT_CHECK_ERR(epoll_wait(p[0], &ev, 1, 0), EINVAL);
	UT_CHECK_ERR(epoll_wait(999, &ev, 1, 0), EBADF);
	UT_CHECK_ERR(epoll_wait(ep, UT_BAD_KERNEL, 1, 0), EFAULT);
	close(f);
	close(ep2);
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void *ut_ep_late_writer(void *arg)
{
	utest_sleep_ns(UT_EP_WAIT_MS * UT_EP_NS_MS);
	utest_write_all(*(int *)arg, "w", 1);
	return NULL;
}

void ut_epoll_wait_timeouts(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int ep = (int)UT_OK(epoll_create1(0)), p[2];
	pthread_t th;
	int64_t t0;

	UT_OK(pipe(p));
	ut_ep_add(ep, p[0], EPOLLIN, 3);
	t0 = utest_now_ns();
	UT_CHECK(epoll_wait(ep, evs, UT_EP_MAX, UT_EP_WAIT_MS) == 0);
	UT_CHECK(utest_now_ns() - t0 >= (UT_EP_WAIT_MS - 1) * UT_EP_NS_MS);
	/* -1: until another thread writes. */
	UT_CHECK(pthread_create(&th, NULL, ut_ep_late_writer, &p[1]) == 0);
	UT_CHECK(epoll_wait(ep, evs, UT_EP_MAX, -1) == 1);
	UT_CHECK(evs[0].events == EPOLLIN && evs[0].data.u64 == 3);
	UT_CHECK(pthread_join(th, NULL) == 0);
	/* A long timeout ends at the first event too. */
	UT_CHECK(epoll_wait(ep, evs, UT_EP_MAX, 100000) == 1);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static volatile sig_atomic_t ut_ep_sigs;

static void ut_ep_handler(int sig)
{
	(void)sig;
	ut_ep_sigs++;
}

void ut_epoll_pwait_sigmask(void)
{
	struct sigaction sa = { .sa_handler = ut_ep_handler };
	struct epoll_event evs[UT_EP_MAX];
	int ep = (int)UT_OK(epoll_create1(0)), p[2];
	sigset_t block, unblock, now;
	pid_t pid;

	UT_OK(sigaction(SIGUSR1, &sa, NULL));
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	UT_OK(sigprocmask(SIG_BLOCK, &block, NULL));
	UT_OK(pipe(p));
	ut_ep_add(ep, p[0], EPOLLIN, 4);
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(UT_EP_WAIT_MS * UT_EP_NS_MS);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&unblock);
	UT_CHECK_ERR(epoll_pwait(ep, evs, UT_EP_MAX, -1, &unblock), EINTR);
	UT_CHECK(ut_ep_sigs == 1); /* the handler ran */
	UT_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	UT_CHECK(sigismember(&now, SIGUSR1)); /* the old mask is back */
	UT_CHECK_EXIT(utest_wait(pid), 0);
	/* A bad sigset size. */
	UT_CHECK_ERR(syscall(SYS_epoll_pwait, ep, evs, UT_EP_MAX, 0, &unblock, 4), EINVAL);
	close(p[0]);
	close(p[1]);
	close(ep);
}

void ut_epoll_nested(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int outer = (int)UT_OK(epoll_create1(0));
	int inner = (int)UT_OK(epoll_create1(0)), p[2];
	struct pollfd pf = { inner, POLLIN, 0 };

	UT_OK(pipe(p));
	ut_ep_add(inner, p[0], EPOLLIN, 1);
	ut_ep_add(outer, inner, EPOLLIN, 2);
	UT_CHECK(ut_ep_now(outer, evs) == 0);
	UT_CHECK(poll(&pf, 1, 0) == 0);
	utest_write_all(p[1], "n", 1);
	/* The write wakes the inner epoll, which wakes the outer one. */
	UT_CHECK(epoll_wait(outer, evs, UT_EP_MAX, 1000) == 1);
	UT_CHECK(evs[0].events == EPOLLIN && evs[0].data.u64 == 2);
	UT_CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	UT_CHECK(ut_ep_now(inner, evs) == 1 && evs[0].data.u64 == 1);
	/* Drained: neither is ready any more. */
	UT_CHECK(read(p[0], evs, 1) == 1);
	UT_CHECK(ut_ep_now(inner, evs) == 0);
	UT_CHECK(ut_ep_now(outer, evs) == 0);
	UT_CHECK(poll(&pf, 1, 0) == 0);
	/* Edge-triggered outer: a level-triggered rescan of the inner one
	 * wakes it again (a wake-up chain started by a scan). */
	utest_write_all(p[1], "l", 1);
	ut_ep_mod(outer, inner, EPOLLIN | EPOLLET, 3);
	UT_CHECK(ut_ep_now(outer, evs) == 1 && evs[0].data.u64 == 3);
	UT_CHECK(ut_ep_now(outer, evs) == 0);
	UT_CHECK(ut_ep_now(inner, evs) == 1);
	UT_CHECK(read(p[0], evs, 1) == 1);
	/* Closing the inner epoll takes it out of the outer one. */
	utest_write_all(p[1], "m", 1);
	close(inner);
	UT_CHECK(ut_ep_now(outer, evs) == 0);
	close(outer);
	close(p[0]);
	close(p[1]);
}

/* A chain of UT_EP_CHAIN epolls, each watching the next; the last a pipe. */
#define UT_EP_CHAIN 5

static void *ut_ep_chain_writer(void *arg)
{
	utest_sleep_ns(UT_EP_WAIT_MS * UT_EP_NS_MS);
	utest_write_all(*(int *)arg, "c", 1);
	return NULL;
}

void ut_epoll_nested_chain(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int ep[UT_EP_CHAIN + 1], p[2];
	pthread_t th;

	UT_OK(pipe(p));
	for (int i = 0; i < UT_EP_CHAIN; i++)
		ep[i] = (int)UT_OK(epoll_create1(0));
	ut_ep_add(ep[UT_EP_CHAIN - 1], p[0], EPOLLIN, 100);
	for (int i = 0; i + 1 < UT_EP_CHAIN; i++)
		ut_ep_add(ep[i], ep[i + 1], EPOLLIN, (uint64_t)i);
	/* One more level is refused (Linux: at most 4 levels of nesting). */
	ep[UT_EP_CHAIN] = (int)UT_OK(epoll_create1(0));
	{
		struct epoll_event ev = { .events = EPOLLIN };

		UT_CHECK_ERR(epoll_ctl(ep[UT_EP_CHAIN], EPOLL_CTL_ADD, ep[0], &ev), ELOOP);
	}
	/* A write wakes the whole chain, in another thread, while we sleep. */
	UT_CHECK(pthread_create(&th, NULL, ut_ep_chain_writer, &p[1]) == 0);
	UT_CHECK(epoll_wait(ep[0], evs, UT_EP_MAX, 5000) == 1);
	UT_CHECK(evs[0].data.u64 == 0);
	UT_CHECK(pthread_join(th, NULL) == 0);
	UT_CHECK(ut_ep_now(ep[UT_EP_CHAIN - 1], evs) == 1 && evs[0].data.u64 == 100);
	for (int i = 0; i <= UT_EP_CHAIN; i++)
		close(ep[i]);
	close(p[0]);
	close(p[1]);
}

/* ---------------------------------------------------------------- eventfd */

static void *ut_efd_late_writer(void *arg)
{
	uint64_t v = 5;

	utest_sleep_ns(UT_EP_WAIT_MS * UT_EP_NS_MS);
	utest_write_all(*(int *)arg, &v, sizeof(v));
	return NULL;
}

void ut_eventfd_counter(void)
{
	int fd = (int)UT_OK(eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC));
	struct pollfd pf = { fd, POLLIN | POLLOUT, 0 };
	uint64_t v = 4, big = UINT64_MAX - 1;
	pthread_t th;
	struct stat st;

	UT_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	UT_CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLOUT));
	UT_CHECK(write(fd, &v, sizeof(v)) == 8);
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == 7);
	UT_CHECK_ERR(read(fd, &v, sizeof(v)), EAGAIN);
	UT_CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	UT_CHECK_ERR(read(fd, &v, 4), EINVAL);
	UT_CHECK_ERR(write(fd, &v, 7), EINVAL);
	v = UINT64_MAX;
	UT_CHECK_ERR(write(fd, &v, sizeof(v)), EINVAL);
	/* Full at 2^64 - 2: a write that does not fit would block. */
	UT_CHECK(write(fd, &big, sizeof(big)) == 8);
	v = 1;
	UT_CHECK_ERR(write(fd, &v, sizeof(v)), EAGAIN);
	pf.events = POLLOUT;
	UT_CHECK(poll(&pf, 1, 0) == 0);
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == big);
	UT_OK(fstat(fd, &st));
	UT_CHECK((st.st_mode & 0777) == 0600);
	UT_CHECK_ERR(eventfd(0, 0x1000), EINVAL);
	close(fd);

	/* Semaphore mode: each read takes 1; a blocking read waits. */
	fd = (int)UT_OK(eventfd(2, EFD_SEMAPHORE));
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == 1);
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == 1);
	UT_CHECK(pthread_create(&th, NULL, ut_efd_late_writer, &fd) == 0);
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == 1);
	UT_CHECK(pthread_join(th, NULL) == 0);
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == 1);
	close(fd);
}

void ut_eventfd_epoll(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int ep = (int)UT_OK(epoll_create1(0));
	int fd = (int)UT_OK(eventfd(0, EFD_NONBLOCK));
	pthread_t th;
	uint64_t v;

	ut_ep_add(ep, fd, EPOLLIN | EPOLLET, 5);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	UT_CHECK(pthread_create(&th, NULL, ut_efd_late_writer, &fd) == 0);
	UT_CHECK(epoll_wait(ep, evs, UT_EP_MAX, -1) == 1);
	UT_CHECK(evs[0].events == EPOLLIN && evs[0].data.u64 == 5);
	UT_CHECK(pthread_join(th, NULL) == 0);
	UT_CHECK(read(fd, &v, sizeof(v)) == 8 && v == 5);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	close(fd);
	close(ep);
}

/* ---------------------------------------------------------------- timerfd */

static struct itimerspec ut_its(int64_t value_ms, int64_t interval_ms)
{
	struct itimerspec its = {
		.it_interval = { interval_ms / 1000, interval_ms % 1000 * UT_EP_NS_MS },
		.it_value = { value_ms / 1000, value_ms % 1000 * UT_EP_NS_MS },
	};

	return its;
}

void ut_timerfd_oneshot(void)
{
	int fd = (int)UT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
	struct itimerspec its = ut_its(UT_EP_WAIT_MS, 0), cur;
	struct pollfd pf = { fd, POLLIN, 0 };
	uint64_t n;
	int64_t t0 = utest_now_ns();

	UT_CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	UT_OK(timerfd_gettime(fd, &cur));
	UT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	UT_OK(timerfd_settime(fd, 0, &its, NULL));
	UT_OK(timerfd_gettime(fd, &cur));
	UT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		 cur.it_value.tv_nsec <= UT_EP_WAIT_MS * UT_EP_NS_MS);
	UT_CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0);
	UT_CHECK(poll(&pf, 1, 0) == 0);
	/* A blocking read waits for the expiry: count 1. */
	UT_CHECK(read(fd, &n, sizeof(n)) == 8 && n == 1);
	UT_CHECK(utest_now_ns() - t0 >= (UT_EP_WAIT_MS - 1) * UT_EP_NS_MS);
	UT_OK(timerfd_gettime(fd, &cur));
	UT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	UT_CHECK_ERR(read(fd, &n, 4), EINVAL);
	UT_CHECK_ERR(write(fd, &n, sizeof(n)), EINVAL);
	/* Disarmed by a zero value; the old setting comes back. */
	its = ut_its(10000, 0);
	UT_OK(timerfd_settime(fd, 0, &its, NULL));
	its = ut_its(0, 0);
	UT_OK(timerfd_settime(fd, 0, &its, &cur));
	UT_CHECK(cur.it_value.tv_sec == 9 || cur.it_value.tv_sec == 10);
	UT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	UT_CHECK_ERR(read(fd, &n, sizeof(n)), EAGAIN);
	/* Errors. */
	UT_CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	UT_CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 0x10), EINVAL);
	UT_CHECK_ERR(timerfd_settime(fd, 0x10, &its, NULL), EINVAL);
	UT_CHECK_ERR(timerfd_settime(fd + 100, 0, &its, NULL), EBADF);
	its.it_value.tv_nsec = 1000000000;
	UT_CHECK_ERR(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	close(fd);
	fd = (int)UT_OK(eventfd(0, 0));
	UT_CHECK_ERR(timerfd_gettime(fd, &cur), EINVAL);
	close(fd);
}

void ut_timerfd_periodic(void)
{
	int fd = (int)UT_OK(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK));
	struct itimerspec its = ut_its(20, 20), cur;
	struct timespec now;
	uint64_t n, n2;
	int64_t t0, t1, t2, t3, t4, lo, hi;

	t0 = utest_now_ns();
	UT_OK(timerfd_settime(fd, 0, &its, NULL));
	t1 = utest_now_ns();
	utest_sleep_ns(110 * UT_EP_NS_MS);
	/*
	 * Every 20 ms since the arming, counted in one read: about five, but
	 * a busy host may let this process sleep longer.  The count must be
	 * what the time between the two calls allows, however long it was.
	 */
	t2 = utest_now_ns();
	UT_CHECK(read(fd, &n, sizeof(n)) == 8);
	t3 = utest_now_ns();
	lo = (t2 - t1) / (20 * UT_EP_NS_MS);
	hi = (t3 - t0) / (20 * UT_EP_NS_MS);
	if ((int64_t)n < lo || (int64_t)n > hi || n < 5)
		utest_fail("periodic count %llu, want %lld..%lld (at least 5)",
			   (unsigned long long)n, (long long)lo, (long long)hi);
	/*
	 * The read consumed the count: a second read finds nothing, unless a
	 * slow host let the next expiry come first; then the two counts
	 * together are still only what the time since the arming allows.
	 */
	ssize_t r = read(fd, &n2, sizeof(n2));
	t4 = utest_now_ns();
	if (r < 0)
		UT_CHECK(errno == EAGAIN);
	else if (r != 8 || (int64_t)(n + n2) > (t4 - t0) / (20 * UT_EP_NS_MS))
		utest_fail("second read %zd, count %llu after %llu, in %lld ns", r,
			   (unsigned long long)n2, (unsigned long long)n, (long long)(t4 - t0));
	UT_OK(timerfd_gettime(fd, &cur));
	UT_CHECK(cur.it_interval.tv_nsec == 20 * UT_EP_NS_MS);
	UT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		 cur.it_value.tv_nsec <= 20 * UT_EP_NS_MS);
	close(fd);

	/* An absolute time in the past has expired already. */
	fd = (int)UT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	UT_OK(clock_gettime(CLOCK_MONOTONIC, &now));
	its = ut_its(0, 0);
	its.it_value = now;
	its.it_value.tv_sec -= 1;
	its.it_value.tv_sec = its.it_value.tv_sec < 0 ? 0 : its.it_value.tv_sec;
	its.it_value.tv_nsec = its.it_value.tv_nsec ? its.it_value.tv_nsec : 1;
	UT_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
	UT_CHECK(read(fd, &n, sizeof(n)) == 8 && n == 1);
	/* An absolute time 50 ms ahead, on CLOCK_REALTIME. */
	close(fd);
	fd = (int)UT_OK(timerfd_create(CLOCK_REALTIME, 0));
	UT_OK(clock_gettime(CLOCK_REALTIME, &now));
	now.tv_nsec += UT_EP_WAIT_MS * UT_EP_NS_MS;
	if (now.tv_nsec >= 1000000000) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000;
	}
	its = ut_its(0, 0);
	its.it_value = now;
	UT_OK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
	UT_OK(timerfd_gettime(fd, &cur));
	UT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
	UT_CHECK(read(fd, &n, sizeof(n)) == 8 && n == 1);
	close(fd);
}

void ut_timerfd_epoll(void)
{
	struct epoll_event evs[UT_EP_MAX];
	int ep = (int)UT_OK(epoll_create1(0));
	int fd = (int)UT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec its = ut_its(UT_EP_WAIT_MS, 0);
	uint64_t n;

	ut_ep_add(ep, fd, EPOLLIN, 6);
	UT_OK(timerfd_settime(fd, 0, &its, NULL));
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	UT_CHECK(epoll_wait(ep, evs, UT_EP_MAX, 5000) == 1);
	UT_CHECK(evs[0].events == EPOLLIN && evs[0].data.u64 == 6);
	UT_CHECK(read(fd, &n, sizeof(n)) == 8 && n == 1);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	/* A closed periodic timer leaves nothing behind. */
	its = ut_its(1, 1);
	UT_OK(timerfd_settime(fd, 0, &its, NULL));
	close(fd);
	utest_sleep_ns(30 * UT_EP_NS_MS);
	UT_CHECK(ut_ep_now(ep, evs) == 0);
	close(ep);
}

/* ---------------------------------------------------------------- FIFOs */

/*
 * Run fn(path) in a child, then remove path whatever happened: a failed
 * check must not leave a node behind (the init-exit report counts it).
 */
static void ut_ep_with_node(const char *prefix, void (*fn)(const char *path))
{
	char path[64];
	pid_t pid;
	int st;

	ut_ep_path(path, sizeof(path), prefix);
	unlink(path);
	pid = utest_fork();
	if (pid == 0) {
		fn(path);
		_exit(0);
	}
	st = utest_wait(pid);
	unlink(path);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		_exit(1); /* the child gave the reason */
}

static void ut_fifo_body(const char *path)
{
	struct pollfd pf;
	char buf[8];
	struct stat st;
	pid_t pid;
	int rd, wr;

	UT_OK(mkfifo(path, 0644));
	UT_OK(stat(path, &st));
	UT_CHECK(S_ISFIFO(st.st_mode));
	UT_CHECK_ERR(mkfifo(path, 0644), EEXIST);
	/* Nobody reads: a non-blocking writer is refused. */
	UT_CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	/* A non-blocking reader opens at once; then a writer may too. */
	rd = (int)UT_OK(open(path, O_RDONLY | O_NONBLOCK));
	UT_CHECK(read(rd, buf, 1) == 0); /* no writer yet: end of file */
	pf = (struct pollfd){ rd, POLLIN, 0 };
	UT_CHECK(poll(&pf, 1, 0) == 0); /* but not hung up: none came yet */
	wr = (int)UT_OK(open(path, O_WRONLY | O_NONBLOCK));
	utest_write_all(wr, "hi", 2);
	UT_CHECK(read(rd, buf, sizeof(buf)) == 2 && memcmp(buf, "hi", 2) == 0);
	UT_OK(fstat(wr, &st));
	UT_CHECK(S_ISFIFO(st.st_mode));
	close(wr);
	UT_CHECK(read(rd, buf, sizeof(buf)) == 0); /* no writer: end of file */
	UT_CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLHUP);
	close(rd);

	/* A blocking reader waits for the writer another process opens. */
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(UT_EP_WAIT_MS * UT_EP_NS_MS);
		wr = open(path, O_WRONLY);
		if (wr < 0 || write(wr, "fifo", 4) != 4)
			_exit(1);
		_exit(0);
	}
	rd = (int)UT_OK(open(path, O_RDONLY));
	utest_read_all(rd, buf, 4);
	UT_CHECK(memcmp(buf, "fifo", 4) == 0);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	close(rd);
	/* And a blocking writer waits for a reader. */
	pid = utest_fork();
	if (pid == 0) {
		utest_sleep_ns(UT_EP_WAIT_MS * UT_EP_NS_MS);
		rd = open(path, O_RDONLY);
		if (rd < 0 || read(rd, buf, 3) != 3 || memcmp(buf, "abc", 3))
			_exit(1);
		_exit(0);
	}
	wr = (int)UT_OK(open(path, O_WRONLY));
	utest_write_all(wr, "abc", 3);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	close(wr);
	/* O_RDWR never waits. */
	rd = (int)UT_OK(open(path, O_RDWR));
	utest_write_all(rd, "x", 1);
	UT_CHECK(read(rd, buf, 1) == 1 && buf[0] == 'x');
	close(rd);
}

void ut_fifo_open_and_data(void)
{
	ut_ep_with_node("/tmp/ut_fifo.", ut_fifo_body);
}

static void ut_mknod_body(const char *path)
{
	char *argv[] = { "fifo", NULL }, *envp[] = { NULL };
	struct stat st;

	UT_OK(mknod(path, S_IFIFO | 0600, 0));
	UT_OK(stat(path, &st));
	UT_CHECK(S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600);
	UT_CHECK_ERR(mknod(path, S_IFIFO | 0600, 0), EEXIST);
	UT_OK(unlink(path));
	/* Executing a FIFO fails at once (no wait for a writer). */
	UT_OK(mknod(path, S_IFIFO | 0700, 0));
	UT_CHECK_ERR(execve(path, argv, envp), EACCES);
	UT_OK(unlink(path));
	/* Type 0 is a regular file, empty. */
	UT_OK(mknodat(AT_FDCWD, path, 0600, 0));
	UT_OK(stat(path, &st));
	UT_CHECK(S_ISREG(st.st_mode) && st.st_size == 0);
	UT_OK(unlink(path));
	UT_CHECK_ERR(mknod(path, S_IFDIR | 0700, 0), EPERM);
	UT_CHECK_ERR(mknod(path, 0170000 | 0700, 0), EINVAL);
	UT_CHECK_ERR(mknod("/tmp/ut_no_such_dir/x", S_IFIFO | 0600, 0), ENOENT);
	/* A socket node exists but cannot be opened. */
	UT_OK(mknod(path, S_IFSOCK | 0600, 0));
	UT_OK(stat(path, &st));
	UT_CHECK(S_ISSOCK(st.st_mode));
	UT_CHECK_ERR(open(path, O_RDONLY), ENXIO);
}

void ut_mknod_types(void)
{
	ut_ep_with_node("/tmp/ut_mknod.", ut_mknod_body);
}

/* ---------------------------------------------------------------- sendfile */

void ut_sendfile_copy(void)
{
	char path[64], buf[16];
	int in, out, p[2], ap;
	off_t off;

	ut_ep_path(path, sizeof(path), "/tmp/ut_sendfile.");
	in = (int)UT_OK(open(path, O_CREAT | O_TRUNC | O_RDWR, 0600));
	UT_OK(unlink(path));
	utest_write_all(in, "0123456789", 10);
	UT_OK(pipe(p));
	/* With an offset: the file position stays, the offset moves. */
	off = 2;
	UT_CHECK(sendfile(p[1], in, &off, 3) == 3 && off == 5);
	UT_CHECK(lseek(in, 0, SEEK_CUR) == 10);
	UT_CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "234", 3) == 0);
	/* Without: from the position, which moves; a short file stops it. */
	UT_OK(lseek(in, 6, SEEK_SET));
	UT_CHECK(sendfile(p[1], in, NULL, 100) == 4);
	UT_CHECK(lseek(in, 0, SEEK_CUR) == 10);
	UT_CHECK(read(p[0], buf, sizeof(buf)) == 4 && memcmp(buf, "6789", 4) == 0);
	UT_CHECK(sendfile(p[1], in, NULL, 100) == 0);
	/* File to file. */
	ut_ep_path(path, sizeof(path), "/tmp/ut_sendfile2.");
	out = (int)UT_OK(open(path, O_CREAT | O_TRUNC | O_RDWR, 0600));
	ap = open(path, O_WRONLY | O_APPEND);
	UT_OK(unlink(path));
	UT_OK(ap);
	off = 0;
	UT_CHECK(sendfile(out, in, &off, 10) == 10);
	UT_CHECK(pread(out, buf, sizeof(buf), 0) == 10 && memcmp(buf, "0123456789", 10) == 0);
	/* Errors. */
	UT_CHECK_ERR(sendfile(out, p[0], &off, 1), ESPIPE);
	UT_CHECK_ERR(sendfile(out, p[0], NULL, 1), EINVAL); /* not from a pipe */
	{
		int dir = (int)UT_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
		int zero = (int)UT_OK(open("/dev/zero", O_RDONLY));

		UT_CHECK_ERR(sendfile(out, dir, NULL, 1), EINVAL);
		UT_CHECK(sendfile(p[1], zero, NULL, 5) == 5); /* a device is fine */
		UT_CHECK(read(p[0], buf, sizeof(buf)) == 5 && buf[0] == 0);
		close(dir);
		close(zero);
	}
	UT_CHECK_ERR(sendfile(out, p[1], NULL, 1), EBADF);
	UT_CHECK_ERR(sendfile(p[0], in, NULL, 1), EBADF);
	UT_CHECK_ERR(sendfile(999, in, NULL, 1), EBADF);
	off = -1;
	UT_CHECK_ERR(sendfile(out, in, &off, 1), EINVAL);
	UT_CHECK_ERR(sendfile(out, in, UT_BAD_LOW, 1), EFAULT);
	off = 0;
	UT_CHECK_ERR(sendfile(ap, in, &off, 1), EINVAL);
	close(ap);
	close(out);
	close(in);
	close(p[0]);
	close(p[1]);
}

/* ---------------------------------------------------------------- stress */

#define UT_EPS_FDS     8
#define UT_EPS_ROUNDS  300
#define UT_EPS_THREADS 2

struct ut_eps {
	int ep, inner;       /* inner is watched by ep, now and then */
	int fds[UT_EPS_FDS]; /* read ends, eventfds, timerfds: the closer
			      * replaces them */
	int wfds[UT_EPS_FDS];
	volatile int stop;
};

static void *ut_eps_ctl(void *arg)
{
	struct ut_eps *s = arg;
	struct epoll_event ev = { .events = EPOLLIN };

	for (int i = 0; !s->stop; i++) {
		int fd = s->fds[i % UT_EPS_FDS];
		int ep = i % 3 ? s->ep : s->inner;

		ev.data.u64 = (uint64_t)i;
		ev.events = i % 2 ? EPOLLIN : EPOLLIN | EPOLLET | EPOLLONESHOT;
		/* Any of these may fail: the fd may be closed or reused. */
		(void)epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		(void)epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
		(void)epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		(void)epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		if (i % 7 == 0)
			(void)epoll_ctl(s->ep, i % 2 ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->inner,
					&ev);
	}
	return NULL;
}

/* A new file for slot i: a pipe, an eventfd or a running timerfd. */
static void ut_eps_open(struct ut_eps *s, int i, int r)
{
	struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };
	int p[2];

	switch (r % 3) {
	case 0:
		UT_OK(pipe2(p, O_NONBLOCK));
		s->fds[i] = p[0];
		s->wfds[i] = p[1];
		break;
	case 1:
		s->fds[i] = (int)UT_OK(eventfd(0, EFD_NONBLOCK));
		s->wfds[i] = (int)UT_OK(dup(s->fds[i]));
		break;
	default:
		s->fds[i] = (int)UT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
		UT_OK(timerfd_settime(s->fds[i], 0, &its, NULL));
		s->wfds[i] = (int)UT_OK(dup(s->fds[i]));
		break;
	}
}

static void *ut_eps_wait(void *arg)
{
	struct ut_eps *s = arg;
	struct epoll_event evs[UT_EP_MAX];

	while (!s->stop)
		(void)epoll_wait(s->ep, evs, UT_EP_MAX, 1);
	return NULL;
}

void ut_epoll_stress_ctl_close(void)
{
	struct ut_eps s = { .ep = (int)UT_OK(epoll_create1(0)),
			    .inner = (int)UT_OK(epoll_create1(0)) };
	pthread_t th[UT_EPS_THREADS + 1];
	struct epoll_event evs[UT_EP_MAX];
	uint64_t one = 1;

	for (int i = 0; i < UT_EPS_FDS; i++)
		ut_eps_open(&s, i, i);
	for (int i = 0; i < UT_EPS_THREADS; i++)
		UT_CHECK(pthread_create(&th[i], NULL, ut_eps_ctl, &s) == 0);
	UT_CHECK(pthread_create(&th[UT_EPS_THREADS], NULL, ut_eps_wait, &s) == 0);
	for (int r = 0; r < UT_EPS_ROUNDS; r++) {
		int i = r % UT_EPS_FDS;

		(void)write(s.wfds[i], &one, sizeof(one));
		/* Close it and put a new file in the same numbers. */
		close(s.fds[i]);
		close(s.wfds[i]);
		ut_eps_open(&s, i, r + 1);
	}
	s.stop = 1;
	for (int i = 0; i <= UT_EPS_THREADS; i++)
		UT_CHECK(pthread_join(th[i], NULL) == 0);
	/* Whatever is left reports sanely, then goes with its files. */
	UT_CHECK(epoll_wait(s.ep, evs, UT_EP_MAX, 0) >= 0);
	for (int i = 0; i < UT_EPS_FDS; i++) {
		close(s.fds[i]);
		close(s.wfds[i]);
	}
	UT_CHECK(epoll_wait(s.inner, evs, UT_EP_MAX, 0) == 0);
	(void)epoll_ctl(s.ep, EPOLL_CTL_DEL, s.inner, NULL);
	UT_CHECK(epoll_wait(s.ep, evs, UT_EP_MAX, 0) == 0);
	close(s.inner);
	close(s.ep);
}

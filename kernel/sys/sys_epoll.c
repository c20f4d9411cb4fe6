/*
 * sys_epoll.c - epoll_create, epoll_create1, epoll_ctl, epoll_wait,
 * epoll_pwait, epoll_pwait2 (kernel/fs/epoll.c), eventfd, eventfd2
 * (kernel/fs/eventfd.c), timerfd_create, timerfd_settime, timerfd_gettime
 * (kernel/fs/timerfd.c): Linux's ABI, its argument checks in its order.
 *
 * epoll_pwait and epoll_pwait2 block their signal mask only while they
 * wait (signal_mask_temporarily), as ppoll does.  A signal ends a wait
 * with -EINTR, never restarted (Linux does the same for epoll_wait).
 */
#include <keel/syscall.h>
#include <keel/epoll.h>
#include <keel/eventfd.h>
#include <keel/timerfd.h>
#include <keel/poll.h>
#include <keel/fd.h>
#include <keel/signal.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include "sys_fs.h"

#define EPOLL_MAX_EVENTS ((int)(INT32_MAX / sizeof(struct epoll_event_k)))
#define EPOLLEXCLUSIVE_OK \
	(POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EFD_FLAGS            (EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK)
#define TFD_CREATE_FLAGS     (O_CLOEXEC | O_NONBLOCK)
#define TFD_SETTIME_FLAGS    (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define NSEC_PER_SEC_L       1000000000l
#define TS_FAR               (UINT64_MAX - 1) /* a time that never comes */

/* struct itimerspec: the period first. */
struct k_itimerspec {
	struct k_timespec it_interval;
	struct k_timespec it_value;
};

/* ---------------------------------------------------------------- epoll */

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	struct file *f;
	int err;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if ((err = epoll_create_file(&f)))
		return err;
	return install_file(f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	uint64_t args[SYSCALL_ARGS] = { 0 };

	if (size <= 0)
		return -EINVAL;
	return sys_epoll_create1(args);
}

/* The checks Linux makes before it locks anything. */
static int epoll_ctl_check(struct file *epf, struct file *tf, int op, uint32_t events)
{
	if (!epoll_file_pollable(tf))
		return -EPERM;
	if (epf == tf || !epoll_file_is(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (epoll_file_is(tf) || (events & ~EPOLLEXCLUSIVE_OK)))
			return -EINVAL;
	}
	return 0;
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, const struct epoll_event_k __user *, uev)
{
	struct epoll_event_k ev = { 0, 0 };
	struct file *epf, *tf = NULL;
	long err;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	epf = fd_get(epfd);
	if (!epf)
		return -EBADF;
	tf = fd_get(fd);
	if (!tf) {
		err = -EBADF;
		goto out;
	}
	err = epoll_ctl_check(epf, tf, op, ev.events);
	if (!err)
		err = epoll_ctl_file(epf, op, fd, tf, &ev);
out:
	if (tf)
		file_put(tf);
	file_put(epf);
	return err;
}

/* A relative wait of ns nanoseconds as a deadline (0: do not wait). */
static uint64_t epoll_deadline(uint64_t ns)
{
	uint64_t now = time_ns();

	if (ns == 0)
		return 0;
	return ns >= POLL_FOREVER - now ? POLL_FOREVER - 1 : now + ns;
}

static long epoll_wait_user(int epfd, struct epoll_event_k __user *uev, int max, uint64_t deadline)
{
	struct file *epf;
	long ret;

	if (max <= 0 || max > EPOLL_MAX_EVENTS)
		return -EINVAL;
	if (!user_range_ok((uintptr_t)uev, (size_t)max * sizeof(*uev)))
		return -EFAULT;
	epf = fd_get(epfd);
	if (!epf)
		return -EBADF;
	if (epoll_file_is(epf))
		ret = epoll_wait_file(epf, uev, max, deadline);
	else
		ret = -EINVAL;
	file_put(epf);
	return ret;
}

static uint64_t epoll_ms_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return POLL_FOREVER;
	return epoll_deadline((uint64_t)timeout_ms * NSEC_PER_MSEC);
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct epoll_event_k __user *, uev, int, max, int,
		timeout_ms)
{
	return epoll_wait_user(epfd, uev, max, epoll_ms_deadline(timeout_ms));
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct epoll_event_k __user *, uev, int, max, int,
		timeout_ms, const uint64_t __user *, umask, size_t, sigsetsize)
{
	long err = signal_mask_temporarily_user(umask, sigsetsize);

	if (err)
		return err;
	return epoll_wait_user(epfd, uev, max, epoll_ms_deadline(timeout_ms));
}

/* A user timespec as nanoseconds: 0 or -EFAULT/-EINVAL. */
static int timespec_ns(const struct k_timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC_L)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec >= TS_FAR / NSEC_PER_SEC)
		*ns = TS_FAR;
	else
		*ns = (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
	return 0;
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, struct epoll_event_k __user *, uev, int, max,
		const struct k_timespec __user *, uts, const uint64_t __user *, umask, size_t,
		sigsetsize)
{
	uint64_t deadline = POLL_FOREVER, ns;
	struct k_timespec ts;
	long err;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if ((err = timespec_ns(&ts, &ns)))
			return err;
		if (ns != TS_FAR)
			deadline = epoll_deadline(ns);
	}
	if ((err = signal_mask_temporarily_user(umask, sigsetsize)))
		return err;
	return epoll_wait_user(epfd, uev, max, deadline);
}

/* ---------------------------------------------------------------- eventfd */

SYSCALL_DEFINE2(eventfd2, unsigned, initval, int, flags)
{
	struct file *f;
	int err;

	if (flags & ~EFD_FLAGS)
		return -EINVAL;
	if ((err = eventfd_create(initval, (unsigned)flags, &f)))
		return err;
	return install_file(f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE1(eventfd, unsigned, initval)
{
	uint64_t args[SYSCALL_ARGS] = { initval, 0 };

	return sys_eventfd2(args);
}

/* ---------------------------------------------------------------- timerfd */

SYSCALL_DEFINE2(timerfd_create, int, clock, int, flags)
{
	struct file *f;
	int err;

	if (flags & ~TFD_CREATE_FLAGS)
		return -EINVAL;
	switch (clock) {
	case TIMERFD_CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
		clock = TIMERFD_CLOCK_REALTIME;
		break;
	case TIMERFD_CLOCK_MONOTONIC:
	case TIMERFD_CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		clock = TIMERFD_CLOCK_MONOTONIC;
		break;
	default:
		return -EINVAL;
	}
	if ((err = timerfd_create_file(clock, (unsigned)flags, &f)))
		return err;
	return install_file(f, flags & O_CLOEXEC);
}

static struct k_timespec ns_timespec(uint64_t ns)
{
	return (struct k_timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

static struct k_itimerspec timerfd_user_spec(const struct timerfd_spec *s)
{
	return (struct k_itimerspec){ ns_timespec(s->interval), ns_timespec(s->value) };
}

/* The timerfd at fd (a reference): 0, -EBADF or -EINVAL. */
static int timerfd_get(int fd, struct file **out)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (!timerfd_file_is(f)) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags, const struct k_itimerspec __user *, unew,
		struct k_itimerspec __user *, uold)
{
	struct timerfd_spec spec, old;
	struct k_itimerspec its;
	struct file *f;
	long err;

	if (copy_from_user(&its, unew, sizeof(its)))
		return -EFAULT;
	if ((flags & ~TFD_SETTIME_FLAGS) || timespec_ns(&its.it_value, &spec.value) ||
	    timespec_ns(&its.it_interval, &spec.interval))
		return -EINVAL;
	if ((err = timerfd_get(fd, &f)))
		return err;
	err = timerfd_settime_file(f, (unsigned)flags, &spec, &old);
	file_put(f);
	if (err)
		return err;
	its = timerfd_user_spec(&old);
	if (uold && copy_to_user(uold, &its, sizeof(its)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timerfd_gettime, int, fd, struct k_itimerspec __user *, ucur)
{
	struct timerfd_spec cur;
	struct k_itimerspec its;
	struct file *f;
	long err;

	if ((err = timerfd_get(fd, &f)))
		return err;
	timerfd_gettime_file(f, &cur);
	file_put(f);
	its = timerfd_user_spec(&cur);
	return copy_to_user(ucur, &its, sizeof(its)) ? -EFAULT : 0;
}

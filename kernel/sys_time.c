/*
 * sys_time.c - time system calls: clock_gettime, clock_getres,
 * gettimeofday, time, nanosleep, clock_nanosleep.  There is no real-time
 * clock yet: CLOCK_REALTIME counts from the Unix epoch at boot (1970).
 */
#include <keel/syscall.h>
#include <keel/time.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <lib/errno.h>

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1
#define NSEC_PER_SEC_L           1000000000l

struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

static int clock_read(int clock, uint64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = thread_current()->run_ns;
		return 0;
	default:
		return -EINVAL;
	}
}

static struct k_timespec ns_to_ts(uint64_t ns)
{
	return (struct k_timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

SYSCALL_DEFINE2(clock_gettime, int, clock, struct k_timespec __user *, uts)
{
	uint64_t ns;
	int err = clock_read(clock, &ns);
	struct k_timespec ts = ns_to_ts(ns);

	if (err)
		return err;
	return copy_to_user(uts, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_getres, int, clock, struct k_timespec __user *, uts)
{
	uint64_t ns;
	struct k_timespec res = { 0, 1 };

	if (clock_read(clock, &ns))
		return -EINVAL;
	if (uts && copy_to_user(uts, &res, sizeof(res)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(gettimeofday, struct k_timeval __user *, utv, void __user *, utz)
{
	uint64_t ns = time_ns();
	struct k_timeval tv = { (int64_t)(ns / NSEC_PER_SEC),
				(int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };

	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	if (utz && clear_user(utz, 2 * sizeof(int)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(time, int64_t __user *, ut)
{
	int64_t s = (int64_t)(time_ns() / NSEC_PER_SEC);

	if (ut && copy_to_user(ut, &s, sizeof(s)))
		return -EFAULT;
	return s;
}

/* Sleep until deadline; on a signal store the time left in urem. */
static long sleep_common(uint64_t deadline, struct k_timespec __user *urem)
{
	int err = sched_sleep_until(deadline, true);
	if (err == -EINTR && urem) {
		uint64_t now = time_ns();
		struct k_timespec rem = ns_to_ts(deadline > now ? deadline - now : 0);
		if (copy_to_user(urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	return err;
}

static int ts_to_ns(const struct k_timespec __user *uts, uint64_t *ns)
{
	struct k_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC_L)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 2)
		*ns = UINT64_MAX / 2;                 /* "forever" */
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

SYSCALL_DEFINE2(nanosleep, const struct k_timespec __user *, ureq,
		struct k_timespec __user *, urem)
{
	uint64_t ns;
	int err = ts_to_ns(ureq, &ns);

	if (err)
		return err;
	return sleep_common(time_ns() + ns, urem);
}

SYSCALL_DEFINE4(clock_nanosleep, int, clock, int, flags, const struct k_timespec __user *, ureq,
		struct k_timespec __user *, urem)
{
	uint64_t ns, now;
	int err = clock_read(clock, &now);

	if (err || clock == CLOCK_THREAD_CPUTIME_ID || clock == CLOCK_PROCESS_CPUTIME_ID)
		return err ? err : -EINVAL;
	err = ts_to_ns(ureq, &ns);
	if (err)
		return err;
	if (flags & TIMER_ABSTIME)
		return sleep_common(ns, NULL);
	return sleep_common(now + ns, urem);
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield();
	return 0;
}

/*
 * sys_time.c - time system calls: clock_gettime, clock_getres,
 * clock_settime, gettimeofday, settimeofday, time, nanosleep,
 * clock_nanosleep, interval timers, and CPU-time reports (getrusage,
 * times).  CLOCK_REALTIME is the wall clock of kernel/core/time.c (read
 * from the RTC at boot, set by clock_settime/settimeofday); the
 * monotonic clocks count from boot.
 */
#include <keel/syscall.h>
#include <keel/cred.h>
#include <keel/time.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/cpu.h>
#include <keel/proc.h>
#include <keel/timer.h>
#include <keel/klog.h>
#include <keel/resource.h>
#include <keel/uaccess.h>
#include <keel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1
#define CPU_NSLEEP_MIN_NS        1000000 /* shortest nap of a CPU-time sleep */
#define NSEC_PER_SEC_L           1000000000l

static int clock_read(int clock, uint64_t *ns)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = time_real_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = proc_cpu_ns(proc_current());
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = sched_thread_run_ns(thread_current());
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

/* Linux struct timezone: kept for gettimeofday, used by nothing else. */
struct k_timezone {
	int32_t minuteswest, dsttime;
};

static struct spinlock sys_tz_lock = SPINLOCK_INIT("sys_tz");
static struct k_timezone sys_tz;        /* [sys_tz_lock] */

SYSCALL_DEFINE2(gettimeofday, struct k_timeval __user *, utv,
		struct k_timezone __user *, utz)
{
	uint64_t ns = time_real_ns();
	struct k_timeval tv = { (int64_t)(ns / NSEC_PER_SEC),
				(int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
	struct k_timezone tz;

	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	spin_lock(&sys_tz_lock);
	tz = sys_tz;
	spin_unlock(&sys_tz_lock);
	if (utz && copy_to_user(utz, &tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

#define TZ_MINUTES_MAX (15 * 60)        /* Linux's bound on minuteswest */

/* Setting the clock takes privilege (CAP_SYS_TIME): -EPERM after the checks
 * of the values, as on Linux. */
SYSCALL_DEFINE2(settimeofday, const struct k_timeval __user *, utv,
		const struct k_timezone __user *, utz)
{
	struct k_timeval tv;
	struct k_timezone tz;

	if (utv && copy_from_user(&tv, utv, sizeof(tv)))
		return -EFAULT;
	if (utz && copy_from_user(&tz, utz, sizeof(tz)))
		return -EFAULT;
	if (utv && (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	if (utz && (tz.minuteswest < -TZ_MINUTES_MAX || tz.minuteswest > TZ_MINUTES_MAX))
		return -EINVAL;
	if (!cred_privileged())
		return -EPERM;
	if (utz) {
		spin_lock(&sys_tz_lock);
		sys_tz = tz;
		spin_unlock(&sys_tz_lock);
	}
	if (utv)
		time_set_real_ns((uint64_t)tv.tv_sec * NSEC_PER_SEC +
				 (uint64_t)tv.tv_usec * NSEC_PER_USEC);
	return 0;
}

SYSCALL_DEFINE2(clock_settime, int, clock, const struct k_timespec __user *, uts)
{
	struct k_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (clock != CLOCK_REALTIME)
		return -EINVAL;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC_L)
		return -EINVAL;
	if (!cred_privileged())
		return -EPERM;
	time_set_real_ns((uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
	return 0;
}

SYSCALL_DEFINE1(time, int64_t __user *, ut)
{
	int64_t s = (int64_t)(time_real_ns() / NSEC_PER_SEC);

	if (ut && copy_to_user(ut, &s, sizeof(s)))
		return -EFAULT;
	return s;
}

static long sleep_common(uint64_t deadline, struct k_timespec __user *urem);

/* restart_syscall after an interrupted relative sleep: the rest of it. */
static long sleep_restart(struct thread *t)
{
	return sleep_common(t->restart_deadline, (struct k_timespec __user *)t->restart_rem);
}

/*
 * Sleep until deadline.  On a signal: store the time left in urem (if
 * any), and return -ERESTART_RESTARTBLOCK: a handler makes it -EINTR, no
 * handler (a stop and SIGCONT) sleeps the rest through restart_syscall,
 * as on Linux.
 */
static long sleep_common(uint64_t deadline, struct k_timespec __user *urem)
{
	struct thread *t = thread_current();
	int err = sched_sleep_until(deadline, true);

	if (err != -EINTR)
		return err;
	if (urem) {
		uint64_t now = time_ns();
		struct k_timespec rem = ns_to_ts(deadline > now ? deadline - now : 0);
		if (copy_to_user(urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	t->restart_deadline = deadline;
	t->restart_rem = (uintptr_t)urem;
	t->restart_fn = sleep_restart;
	return -ERESTART_RESTARTBLOCK;
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

/*
 * Sleep until the process has used target ns of CPU time.  It cannot use
 * it faster than on every CPU at once, so sleep that share of what is
 * left (at least a tick's worth), then look again.  On a signal, *rem
 * gets the CPU time still to go.
 */
static int clock_nsleep_cpu(uint64_t target, uint64_t *rem)
{
	for (;;) {
		uint64_t used = proc_cpu_ns(proc_current());
		if (used >= target)
			return 0;
		uint64_t wait = MAX((target - used) / cpu_online_count(), CPU_NSLEEP_MIN_NS);
		int err = sched_sleep_until(time_ns() + wait, true);
		if (err) {
			*rem = target - MIN(target, proc_cpu_ns(proc_current()));
			return err;
		}
	}
}

SYSCALL_DEFINE4(clock_nanosleep, int, clock, int, flags, const struct k_timespec __user *, ureq,
		struct k_timespec __user *, urem)
{
	uint64_t ns, now, rem;
	int err = clock_read(clock, &now);

	if (err)
		return err;
	/* Clocks Linux cannot sleep on (no nsleep of their own). */
	if (clock == CLOCK_THREAD_CPUTIME_ID || clock == CLOCK_MONOTONIC_RAW ||
	    clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE)
		return -EOPNOTSUPP;
	err = ts_to_ns(ureq, &ns);
	if (err)
		return err;
	if (clock == CLOCK_PROCESS_CPUTIME_ID) {
		uint64_t target = (flags & TIMER_ABSTIME) ? ns : now + ns;
		err = clock_nsleep_cpu(target, &rem);
		if (err == -EINTR && !(flags & TIMER_ABSTIME) && urem) {
			struct k_timespec ts = ns_to_ts(rem);
			if (copy_to_user(urem, &ts, sizeof(ts)))
				return -EFAULT;
		}
		return err;     /* -EINTR: not restarted (the CPU clock moved on) */
	}
	if (flags & TIMER_ABSTIME) {
		/* A wall-clock deadline becomes a monotonic one (now: set);
		 * an absolute sleep restarts as it was called (Linux). */
		if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
			ns = ns > now ? time_ns() + (ns - now) : time_ns();
		err = sched_sleep_until(ns, true);
		return err == -EINTR ? -ERESTARTNOHAND : err;
	}
	return sleep_common(time_ns() + ns, urem);     /* relative: on any clock, from now */
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield();
	return 0;
}

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

struct k_itimerval {
	struct k_timeval interval;
	struct k_timeval value;
};

#define TIME_FOREVER_NS (UINT64_MAX / 4)      /* far beyond any uptime */

static uint64_t tv_to_ns(const struct k_timeval *tv)
{
	if ((uint64_t)tv->tv_sec >= TIME_FOREVER_NS / NSEC_PER_SEC)
		return TIME_FOREVER_NS;
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

static struct k_timeval ns_to_tv(uint64_t ns)
{
	return (struct k_timeval){ (int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

/* Read and optionally replace the process's real-time interval timer. */
static void itimer_swap(struct proc *p, const uint64_t *value, const uint64_t *interval,
			uint64_t *old_value, uint64_t *old_interval)
{
	uint64_t now = time_ns();

	spin_lock(&p->itimer_lock);
	bool armed = timer_cancel(&p->itimer);
	*old_value = armed && p->itimer.expires > now ? p->itimer.expires - now : 0;
	*old_interval = p->itimer.period;
	if (!value) {
		if (armed)
			timer_arm(&p->itimer, p->itimer.expires);
	} else {
		p->itimer.period = *interval;
		if (*value)
			timer_arm(&p->itimer, now + *value);
	}
	spin_unlock(&p->itimer_lock);
}

SYSCALL_DEFINE2(getitimer, int, which, struct k_itimerval __user *, ucur)
{
	struct k_itimerval cur;
	uint64_t v, i;

	if (which != ITIMER_REAL)
		return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
	itimer_swap(proc_current(), NULL, NULL, &v, &i);
	cur.value = ns_to_tv(v);
	cur.interval = ns_to_tv(i);
	return copy_to_user(ucur, &cur, sizeof(cur));
}

SYSCALL_DEFINE3(setitimer, int, which, const struct k_itimerval __user *, unew,
		struct k_itimerval __user *, uold)
{
	struct k_itimerval nv, ov;
	uint64_t v, i, ovv, ovi;

	if (which != ITIMER_REAL) {
		klog_once(LOG_WARN, "setitimer: only ITIMER_REAL is supported");
		return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
	}
	if (!unew)
		memset(&nv, 0, sizeof(nv));     /* Linux: NULL disarms */
	else if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (nv.value.tv_sec < 0 || nv.value.tv_usec < 0 || nv.value.tv_usec >= 1000000 ||
	    nv.interval.tv_sec < 0 || nv.interval.tv_usec < 0 || nv.interval.tv_usec >= 1000000)
		return -EINVAL;
	v = tv_to_ns(&nv.value);
	i = tv_to_ns(&nv.interval);
	itimer_swap(proc_current(), &v, &i, &ovv, &ovi);
	if (uold) {
		ov.value = ns_to_tv(ovv);
		ov.interval = ns_to_tv(ovi);
		if (copy_to_user(uold, &ov, sizeof(ov)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned, seconds)
{
	uint64_t v = (uint64_t)seconds * NSEC_PER_SEC, i = 0, ov, oi;

	itimer_swap(proc_current(), &v, &i, &ov, &oi);
	/* Remaining seconds, rounded up (a pending alarm never reports 0). */
	return (long)((ov + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
}

/* ---------------------------------------------------------------- CPU time */

SYSCALL_DEFINE2(getrusage, int, who, struct k_rusage __user *, uru)
{
	struct k_rusage ru;
	int err = proc_getrusage(who, &ru);

	return err ? err : copy_to_user(uru, &ru, sizeof(ru));
}

#define USER_HZ 100                     /* clock_t ticks per second (AT_CLKTCK) */

struct k_tms {
	int64_t utime, stime, cutime, cstime;
};

static int64_t ns_to_clock_t(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

/* times: CPU times in clock ticks; returns ticks since boot. */
SYSCALL_DEFINE1(times, struct k_tms __user *, ubuf)
{
	struct proc *p = proc_current();
	uint64_t ut, st, cut, cst;
	struct k_tms t;

	if (ubuf) {
		proc_cputime(p, &ut, &st);
		proc_children_cputime(p, &cut, &cst);
		t = (struct k_tms){ ns_to_clock_t(ut), ns_to_clock_t(st),
				    ns_to_clock_t(cut), ns_to_clock_t(cst) };
		if (copy_to_user(ubuf, &t, sizeof(t)))
			return -EFAULT;
	}
	return ns_to_clock_t(time_ns());
}

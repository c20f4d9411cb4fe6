/*
 * sys_futex.c - futex(2): decodes the operation, the flags and the timeout
 * (Linux's ABI) and calls the futex core (kernel/sched/futex.c).  Supported:
 * FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, private or
 * shared; other operations return -ENOSYS and are logged once.
 */
#include <keel/futex.h>
#include <keel/syscall.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <keel/klog.h>
#include <lib/errno.h>

#define FUTEX_WAIT           0
#define FUTEX_WAKE           1
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK       (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

struct k_timespec_f {
	int64_t tv_sec, tv_nsec;
};

SYSCALL_DEFINE6(futex, uint32_t __user *, uaddr, int, op, uint32_t, val,
		const struct k_timespec_f __user *, utime, uint32_t __user *, uaddr2, uint32_t,
		val3)
{
	struct futex_key k;
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	uint64_t deadline = 0;
	uint32_t bitset = FUTEX_BITSET_ANY;
	int err;

	if (cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET) {
		if (!val3)
			return -EINVAL;
		bitset = val3;
	}
	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAKE && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAKE_BITSET) {
		klog_once(LOG_WARN, "futex: operation %d not supported", cmd);
		return -ENOSYS;
	}
	err = futex_make_key(thread_current()->mm, (uintptr_t)uaddr, private, &k);
	if (err)
		return err;
	if (cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET)
		return futex_wake_key(&k, (int)MIN(val, (uint32_t)INT32_MAX), bitset);
	if (utime) {
		struct k_timespec_f ts;
		if (copy_from_user(&ts, utime, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		uint64_t ns = (uint64_t)ts.tv_sec >= FUTEX_FOREVER_NS / NSEC_PER_SEC ?
				      FUTEX_FOREVER_NS :
				      (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
		/* FUTEX_WAIT takes a relative timeout, WAIT_BITSET an absolute one. */
		deadline = cmd == FUTEX_WAIT ? time_ns() + ns : ns;
		if (!deadline)
			deadline = 1;
	}
	return futex_wait(&k, uaddr, val, deadline, bitset);
}

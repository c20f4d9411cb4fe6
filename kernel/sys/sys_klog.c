/*
 * sys_klog.c - syslog(2): reading and controlling the kernel log ring of
 * kernel/core/klog.c (what dmesg uses).  Linux's actions and errors.  As on
 * Linux with dmesg_restrict 0, anyone may read the whole log (READ_ALL)
 * and ask its size; every other action needs privilege (CAP_SYSLOG), and
 * is EPERM before any other check.
 *
 * A READ (action 2) with nothing unread sleeps until a message arrives:
 * since a message may be logged with any lock held, klog wakes nobody, and
 * the reader looks again every SYSLOG_POLL_NS (interruptible).
 */
#include <keel/cred.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/syscall.h>
#include <keel/time.h>
#include <keel/uaccess.h>
#include <lib/errno.h>

#define SYSLOG_ACTION_CLOSE         0
#define SYSLOG_ACTION_OPEN          1
#define SYSLOG_ACTION_READ          2
#define SYSLOG_ACTION_READ_ALL      3
#define SYSLOG_ACTION_READ_CLEAR    4
#define SYSLOG_ACTION_CLEAR         5
#define SYSLOG_ACTION_CONSOLE_OFF   6
#define SYSLOG_ACTION_CONSOLE_ON    7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD   9
#define SYSLOG_ACTION_SIZE_BUFFER   10
#define SYSLOG_LEVEL_MAX            8
#define SYSLOG_POLL_NS              (20 * NSEC_PER_MSEC)

/* Read with fn into a kernel buffer, then copy out: bytes or -Exxx. */
static long syslog_copy_out(char __user *ubuf, size_t len, int action)
{
	size_t n = MIN(len, (size_t)KLOG_BUF_SIZE);
	char *buf = kmalloc(n, 0);
	long ret;

	if (!buf)
		return -ENOMEM;
	if (action == SYSLOG_ACTION_READ)
		n = klog_read_unread(buf, n);
	else
		n = klog_read_all(buf, n, action == SYSLOG_ACTION_READ_CLEAR);
	ret = copy_to_user(ubuf, buf, n) ? -EFAULT : (long)n;
	kfree(buf);
	return ret;
}

/* Wait until something is unread: 0, or -EINTR on a signal. */
static int syslog_wait(void)
{
	while (klog_unread() == 0) {
		int err = sched_sleep_until(time_ns() + SYSLOG_POLL_NS, true);

		if (err == -EINTR || signal_pending())
			return -EINTR;
	}
	return 0;
}

SYSCALL_DEFINE3(syslog, int, action, char __user *, ubuf, int, len)
{
	long err;

	if (action != SYSLOG_ACTION_READ_ALL && action != SYSLOG_ACTION_SIZE_BUFFER &&
	    !cred_privileged())
		return -EPERM;
	switch (action) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (!ubuf || len < 0)
			return -EINVAL;
		if (len == 0)
			return 0;
		if (!user_range_ok((uintptr_t)ubuf, (size_t)len))
			return -EFAULT;
		if (action == SYSLOG_ACTION_READ && (err = syslog_wait()))
			return err;
		return syslog_copy_out(ubuf, (size_t)len, action);
	case SYSLOG_ACTION_CLEAR:
		klog_clear();
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		klog_console_enable(false);
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		klog_console_enable(true);
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > SYSLOG_LEVEL_MAX)
			return -EINVAL;
		klog_set_level(len);
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return (long)klog_unread();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return KLOG_BUF_SIZE;
	default:
		return -EINVAL;
	}
}

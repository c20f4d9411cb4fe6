/*
 * utsname.c - the host name (keel/utsname.h): one buffer that uname(2)
 * and /proc/sys/kernel/hostname read and sethostname(2) and a write to
 * /proc/sys/kernel/hostname change.
 *
 * Invariant: uts_host always holds a NUL within its UTS_NAME_LEN + 1
 * bytes, even while it is being rewritten (the terminating NUL is never
 * moved past the end), so an unlocked reader sees a string.
 *
 * Lock key: [uts_lock] a leaf spinlock guards uts_host.
 */
#include <keel/utsname.h>
#include <keel/spinlock.h>
#include <lib/errno.h>
#include <lib/string.h>

static struct spinlock uts_lock = SPINLOCK_INIT("uts");
static char uts_host[UTS_NAME_LEN + 1] = UTS_DEFAULT_HOSTNAME; /* [uts_lock] */

const char *uts_hostname(void)
{
	return uts_host;
}

void uts_hostname_copy(char *buf, size_t n)
{
	spin_lock(&uts_lock);
	strlcpy(buf, uts_host, n);
	spin_unlock(&uts_lock);
}

int uts_set_hostname(const char *name, size_t len)
{
	size_t i;

	if (len > UTS_NAME_LEN)
		return -EINVAL;
	spin_lock(&uts_lock);
	for (i = 0; i < len && name[i]; i++)
		uts_host[i] = name[i];
	memset(uts_host + i, 0, sizeof(uts_host) - i);
	spin_unlock(&uts_lock);
	return 0;
}

/*
 * utsname.c - the system's names (see keel/utsname.h).  sysname is
 * "Linux", the ABI Keel speaks, so that programs that check it behave;
 * the host name starts as "keel" and the domain name as "(none)", as on
 * Linux.
 *
 * Lock key: [uts_lock] guards uts_names.nodename and .domainname; the
 * other names are [I].
 */
#include <keel/utsname.h>
#include <keel/spinlock.h>
#include <lib/errno.h>
#include <lib/string.h>

static struct spinlock uts_lock = SPINLOCK_INIT("uts");
static struct k_utsname uts_names = {
	.sysname = "Linux",
	.nodename = "keel",
	.release = "6.1.0-keel",
	.version = "#1 SMP Keel",
	.machine = "x86_64",
	.domainname = "(none)",
};

void uts_get(struct k_utsname *u)
{
	spin_lock(&uts_lock);
	*u = uts_names;
	spin_unlock(&uts_lock);
}

void uts_hostname(char *buf, size_t n)
{
	spin_lock(&uts_lock);
	strlcpy(buf, uts_names.nodename, n);
	spin_unlock(&uts_lock);
}

void uts_domainname(char *buf, size_t n)
{
	spin_lock(&uts_lock);
	strlcpy(buf, uts_names.domainname, n);
	spin_unlock(&uts_lock);
}

/* Set one name: name[0..len) then NULs to the end. */
static int uts_set(char *dst, const char *name, size_t len)
{
	if (len > UTS_NAME_MAX)
		return -EINVAL;
	spin_lock(&uts_lock);
	memset(dst, 0, UTS_LEN);
	memcpy(dst, name, len);
	spin_unlock(&uts_lock);
	return 0;
}

int uts_set_hostname(const char *name, size_t len)
{
	return uts_set(uts_names.nodename, name, len);
}

int uts_set_domainname(const char *name, size_t len)
{
	return uts_set(uts_names.domainname, name, len);
}

/*
 * keel/utsname.h - the system's names as uname(2) reports them: sysname,
 * nodename (the host name), release, version, machine, domainname.  The
 * host and domain names change with sethostname/setdomainname; the rest
 * is fixed.
 *
 * Lock key: [uts_lock] (kernel/core/utsname.c, a spinlock) guards both
 * changeable names; readers get a copy.  Any context but NMI.
 */
#ifndef KEEL_UTSNAME_H
#define KEEL_UTSNAME_H

#include <keel/compiler.h>

#define UTS_LEN      65            /* Linux __NEW_UTS_LEN + 1 */
#define UTS_NAME_MAX (UTS_LEN - 1) /* longest host or domain name */

/* Linux struct new_utsname. */
struct k_utsname {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN];
	char version[UTS_LEN], machine[UTS_LEN], domainname[UTS_LEN];
};

/* A copy of every name. */
void uts_get(struct k_utsname *u);
/* Copy the host name (NUL-terminated, at most n bytes with the NUL). */
void uts_hostname(char *buf, size_t n);
/* Copy the domain name likewise. */
void uts_domainname(char *buf, size_t n);
/* Set the host / domain name to name[0..len): 0, or -EINVAL if len is
 * over UTS_NAME_MAX. */
int uts_set_hostname(const char *name, size_t len);
int uts_set_domainname(const char *name, size_t len);

#endif

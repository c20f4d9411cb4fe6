/*
 * keel/utsname.h - the system's names as uname(2), sethostname(2) and
 * /proc/sys/kernel/{hostname,ostype,osrelease} give them
 * (kernel/core/utsname.c).
 *
 * The host name is the one changeable name.  Lock key: [uts_lock] a
 * spinlock (kernel/core/utsname.c) guards the host name; the other names
 * are constants.
 */
#ifndef KEEL_UTSNAME_H
#define KEEL_UTSNAME_H

#include <keel/compiler.h>

#define UTS_NAME_LEN 64 /* Linux __NEW_UTS_LEN (NUL excluded) */

#define UTS_SYSNAME          "Linux" /* the ABI Keel speaks */
#define UTS_RELEASE          "6.1.0-keel"
#define UTS_VERSION          "#1 SMP Keel"
#define UTS_MACHINE          "x86_64"
#define UTS_DOMAIN           "(none)"
#define UTS_DEFAULT_HOSTNAME "keel"

/*
 * The host name.  The pointer stays valid and NUL-terminated forever, but
 * a concurrent uts_set_hostname may change it under the reader: callers
 * that need a consistent copy use uts_hostname_copy.  Any context.
 */
const char *uts_hostname(void);
/* Copy the host name into buf (n > 0 bytes, NUL-terminated). Any context. */
void uts_hostname_copy(char *buf, size_t n);
/*
 * Set the host name to the len bytes at name (no NUL needed; a NUL ends
 * it early): 0, or -EINVAL if len > UTS_NAME_LEN.  Any context.
 */
int uts_set_hostname(const char *name, size_t len);

#endif

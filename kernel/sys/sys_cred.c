/*
 * sys_cred.c - the credential system calls: get/set of the real,
 * effective, saved and file-system user and group ids, and the
 * supplementary groups.  The rules live in kernel/proc/cred.c
 * (keel/cred.h); "privileged" is an effective uid of 0 (CAP_SETUID,
 * CAP_SETGID).  The groups are kept but nothing checks them yet (no file
 * permissions).
 *
 * Lock key: [proc->lock] the credentials and groups of struct proc.
 */
#include <keel/syscall.h>
#include <keel/proc.h>
#include <keel/cred.h>
#include <keel/klog.h>
#include <lib/errno.h>
#include <lib/string.h>

#define NGROUPS_MAX 65536 /* Linux's */

/* One id of the current process, read under its lock. */
static long cred_read(const uint32_t *field)
{
	struct proc *p = proc_current();
	uint32_t id;

	spin_lock(&p->lock);
	id = *field;
	spin_unlock(&p->lock);
	return id;
}

SYSCALL_DEFINE0(getuid)
{
	return cred_read(&proc_current()->cred.u.real);
}

SYSCALL_DEFINE0(geteuid)
{
	return cred_read(&proc_current()->cred.u.eff);
}

SYSCALL_DEFINE0(getgid)
{
	return cred_read(&proc_current()->cred.g.real);
}

SYSCALL_DEFINE0(getegid)
{
	return cred_read(&proc_current()->cred.g.eff);
}

SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	return cred_change(false, CRED_SET, uid, 0, 0);
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	return cred_change(true, CRED_SET, gid, 0, 0);
}

SYSCALL_DEFINE2(setreuid, uint32_t, ruid, uint32_t, euid)
{
	return cred_change(false, CRED_SETRE, ruid, euid, 0);
}

SYSCALL_DEFINE2(setregid, uint32_t, rgid, uint32_t, egid)
{
	return cred_change(true, CRED_SETRE, rgid, egid, 0);
}

SYSCALL_DEFINE3(setresuid, uint32_t, ruid, uint32_t, euid, uint32_t, suid)
{
	return cred_change(false, CRED_SETRES, ruid, euid, suid);
}

SYSCALL_DEFINE3(setresgid, uint32_t, rgid, uint32_t, egid, uint32_t, sgid)
{
	return cred_change(true, CRED_SETRES, rgid, egid, sgid);
}

/* setfsuid/setfsgid return the previous id, changed or not (Linux). */
SYSCALL_DEFINE1(setfsuid, uint32_t, fsuid)
{
	return cred_change(false, CRED_SETFS, fsuid, 0, 0);
}

SYSCALL_DEFINE1(setfsgid, uint32_t, fsgid)
{
	return cred_change(true, CRED_SETFS, fsgid, 0, 0);
}

/* getresuid/getresgid: three ids to three user words; -EFAULT if one
 * cannot be written (the earlier ones may have been, as on Linux). */
static long cred_put_res(const struct cred_ids *ids, uint32_t __user *r, uint32_t __user *e,
			 uint32_t __user *s)
{
	if (copy_to_user(r, &ids->real, sizeof(ids->real)) ||
	    copy_to_user(e, &ids->eff, sizeof(ids->eff)) ||
	    copy_to_user(s, &ids->saved, sizeof(ids->saved)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uint32_t __user *, ruid, uint32_t __user *, euid, uint32_t __user *,
		suid)
{
	struct cred c;

	cred_get(proc_current(), &c);
	return cred_put_res(&c.u, ruid, euid, suid);
}

SYSCALL_DEFINE3(getresgid, uint32_t __user *, rgid, uint32_t __user *, egid, uint32_t __user *,
		sgid)
{
	struct cred c;

	cred_get(proc_current(), &c);
	return cred_put_res(&c.g, rgid, egid, sgid);
}

/* The supplementary groups setgroups stored (none at first). */
SYSCALL_DEFINE2(getgroups, int, size, uint32_t __user *, list)
{
	struct proc *p = proc_current();
	uint32_t groups[PROC_NGROUPS_MAX];
	unsigned n;

	if (size < 0)
		return -EINVAL;
	spin_lock(&p->lock);
	n = p->ngroups;
	memcpy(groups, p->groups, n * sizeof(groups[0]));
	spin_unlock(&p->lock);
	if (size == 0)
		return n;
	if ((unsigned)size < n)
		return -EINVAL;
	if (copy_to_user(list, groups, n * sizeof(groups[0])))
		return -EFAULT;
	return n;
}

/* Privileged only (CAP_SETGID, checked first as on Linux): the list
 * replaces the old one. */
SYSCALL_DEFINE2(setgroups, int, size, const uint32_t __user *, list)
{
	struct proc *p = proc_current();
	uint32_t groups[PROC_NGROUPS_MAX];

	if (!cred_privileged())
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (size > PROC_NGROUPS_MAX) {
		klog_once(LOG_WARN, "setgroups: at most %d groups are kept", PROC_NGROUPS_MAX);
		return -EINVAL;
	}
	if (copy_from_user(groups, list, (size_t)size * sizeof(groups[0])))
		return -EFAULT;
	spin_lock(&p->lock);
	p->ngroups = (unsigned)size;
	memcpy(p->groups, groups, (size_t)size * sizeof(groups[0]));
	spin_unlock(&p->lock);
	return 0;
}

/*
 * sys_ipc.h - what System V shared memory (sys_shm.c) and semaphores
 * (sys_sem.c) share: the owner fields of an IPC object and Linux's
 * permission rule for them (ipcperms).  Internal to kernel/sys.
 */
#ifndef KERNEL_SYS_IPC_H
#define KERNEL_SYS_IPC_H

#include <keel/cred.h>

/* An IPC object's owner (uid, gid), creator (cuid, cgid) and mode bits. */
struct ipc_owner {
	uint32_t uid, gid, cuid, cgid, mode;
};

/*
 * Linux's ipcperms: may the caller (its effective uid in c, its groups in
 * g) have want (mode bits; as Linux, the union of the three classes)?
 * uid 0 stands for CAP_IPC_OWNER.
 */
static inline bool ipc_may(const struct ipc_owner *o, const struct cred *c, const struct cred_fs *g,
			   unsigned want)
{
	unsigned granted = o->mode;
	unsigned requested = (want >> 6 | want >> 3 | want) & 7;

	if (c->u.eff == 0)
		return true;
	if (c->u.eff == o->cuid || c->u.eff == o->uid)
		granted >>= 6;
	else if (cred_fs_in_group(g, o->cgid) || cred_fs_in_group(g, o->gid))
		granted >>= 3;
	return !(requested & ~granted & 7);
}

/* IPC_SET and IPC_RMID: the owner, the creator or root. */
static inline bool ipc_owner_may(const struct ipc_owner *o, const struct cred *c)
{
	return c->u.eff == 0 || c->u.eff == o->uid || c->u.eff == o->cuid;
}

#endif

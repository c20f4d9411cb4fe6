/*
 * keel/cred.h - a process's credentials: real, effective, saved and
 * file-system user and group ids (kernel/proc/cred.c), and the one
 * privilege test the kernel makes.
 *
 * Keel has no capabilities.  "Privileged" means an effective uid of 0 and
 * stands in for every capability Linux would check here: CAP_SETUID and
 * CAP_SETGID (the set*id calls, setgroups), CAP_SYS_RAWIO (ioperm, iopl),
 * CAP_SYS_ADMIN (sethostname, device attach), CAP_SYS_BOOT (reboot),
 * CAP_SYS_RESOURCE (raising a hard resource limit), CAP_KILL (signals to
 * other users' processes).  Kernel threads (no
 * process) are privileged.
 *
 * Credentials are inherited by fork, clone and exo_fork and kept across
 * execve, except that exec makes a set-user-ID (set-group-ID) file's
 * owner (group) the effective id and then sets the saved ids to the
 * effective ones, as Linux does (AT_SECURE is 1 when effective and real
 * ids differ).  File access is checked as the file-system ids and the
 * supplementary groups (struct cred_fs below, kernel/fs/perm.c).
 *
 * Lock key: [proc->lock] every field of the struct proc's cred; readers of
 * another process take it, the owner's own threads too (setuid in one
 * thread changes them for all, as POSIX wants).
 */
#ifndef KEEL_CRED_H
#define KEEL_CRED_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

/* One kind of id (user or group) of a process. */
struct cred_ids {
	uint32_t real, eff, saved, fs; /* real, effective, saved, file system */
};

/* The ids of one process.  In struct proc, guarded by proc->lock. */
struct cred {
	struct cred_ids u; /* uid, euid, suid, fsuid */
	struct cred_ids g; /* gid, egid, sgid, fsgid */
};

#define CRED_ID_NONE ((uint32_t)-1) /* "leave unchanged" in set*id calls */

/*
 * Is the current process privileged: its effective uid is 0?  A stand-in
 * for capable(CAP_SYS_RAWIO / CAP_SYS_ADMIN / ...) until Keel has
 * capabilities.  True in kernel threads.  Any context but interrupts
 * (takes the current process's lock); never sleeps.
 */
bool cred_privileged(void);
/* The current process's real / effective uid (0 in kernel threads). */
uint32_t cred_uid(void);
uint32_t cred_euid(void);
/* A snapshot of p's credentials, taken under p->lock. */
void cred_get(struct proc *p, struct cred *out);

/*
 * Who a file access is checked as: the file-system ids (or, for access()
 * without AT_EACCESS, the real ones) and the supplementary groups of the
 * current process.  priv: the uid is 0, which on Linux brings the
 * capabilities that override file permissions (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN, CAP_FSETID).
 */
#define CRED_GROUPS_MAX 32 /* = PROC_NGROUPS_MAX, checked in cred.c */
struct cred_fs {
	uint32_t uid, gid;
	bool priv;
	unsigned ngroups;
	uint32_t groups[CRED_GROUPS_MAX];
};
/* The current process's (root in kernel threads); real: real ids. */
void cred_fs_current(struct cred_fs *out, bool real);
/* Is gid the cred's group or one of its supplementary groups? */
bool cred_fs_in_group(const struct cred_fs *c, uint32_t gid);
/*
 * execve commits: a set-user-ID (set-group-ID) file makes its owner
 * (group) the effective id (set_uid, set_gid; CRED_ID_NONE for none), then
 * the saved and file-system ids become the effective ones (Linux, POSIX).
 * p->lock held.
 */
void cred_exec_locked(struct proc *p, uint32_t set_uid, uint32_t set_gid);
/* AT_SECURE for a program exec'd with c: the effective ids differ from
 * the real ones (Linux's "setid" exec). */
bool cred_exec_secure(const struct cred *c);
/*
 * Linux's kill permission: may the current process me, with credentials c
 * (taken before proc_tree_lock), send sig to p?  Yes to itself, when
 * privileged (CAP_KILL), when the real or effective uid of the sender is
 * the real or saved uid of p, and for SIGCONT within the session.
 * [proc_tree_lock] held; the _locked form also p->lock, the other takes it.
 */
bool cred_may_signal(const struct cred *c, struct proc *me, struct proc *p, int sig);
bool cred_may_signal_locked(const struct cred *c, struct proc *me, struct proc *p, int sig);
/*
 * Linux's ptrace_may_access: may a process with credentials c act on p's
 * memory, execution or private /proc files?  Yes when privileged (euid 0,
 * for CAP_SYS_PTRACE), else only if c's ids (the file-system ones with
 * fscreds, as /proc uses; the real ones otherwise) equal all of p's real,
 * effective and saved ids, and p is dumpable (a set-id exec makes it not).
 * p->lock held.
 */
bool cred_may_access_locked(const struct cred *c, struct proc *p, bool fscreds);
/* fork/clone: child's credentials are parent's.  parent->lock held. */
void cred_copy_locked(struct proc *child, struct proc *parent);

/*
 * The transitions of Linux's set*id calls on one kind of id, pure (no
 * lock: the callers hold the owner's proc->lock), host-testable.  priv:
 * the caller is privileged (euid 0, for group ids too).  CRED_ID_NONE
 * leaves an id unchanged.  0, -EINVAL (setuid(-1)) or -EPERM; on error
 * *ids is unchanged.
 */
int cred_ids_set(struct cred_ids *ids, uint32_t id, bool priv);              /* setuid */
int cred_ids_setre(struct cred_ids *ids, uint32_t r, uint32_t e, bool priv); /* setreuid */
int cred_ids_setres(struct cred_ids *ids, uint32_t r, uint32_t e, uint32_t s, bool priv);
/* setfsuid: returns the old fs id whether or not it changed. */
uint32_t cred_ids_setfs(struct cred_ids *ids, uint32_t fs, bool priv);

/*
 * The set*id system calls on the current process: apply op (one of the
 * above, chosen by kind) to its user (group == false) or group ids under
 * its lock, with the privilege its euid gives.
 */
enum cred_op { CRED_SET, CRED_SETRE, CRED_SETRES, CRED_SETFS };
long cred_change(bool group, enum cred_op op, uint32_t a, uint32_t b, uint32_t c);

#endif

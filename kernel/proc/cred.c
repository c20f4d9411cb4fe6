/*
 * cred.c - process credentials: the real, effective, saved and
 * file-system user and group ids of each process, the rules by which the
 * set*id calls change them (Linux's, with "privileged" = effective uid 0
 * standing in for CAP_SETUID / CAP_SETGID), and cred_privileged(), the
 * kernel's one privilege test (keel/cred.h explains what it stands for).
 *
 * Invariants: every id lives in struct proc's cred, changed only under
 * proc->lock; a new process starts with its parent's (the first one with
 * all ids 0, from its zeroed allocation); exec keeps them but for the
 * effective ids, which a set-user-ID or set-group-ID file sets to its
 * owner, and the saved ids, which become the effective ones;
 * fsuid follows euid on every change except setfsuid's.
 *
 * Lock key: [proc->lock] struct proc.cred.
 */
#include <keel/cred.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>

static bool cred_is(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

int cred_ids_set(struct cred_ids *ids, uint32_t id, bool priv)
{
	if (id == CRED_ID_NONE)
		return -EINVAL;
	if (priv) {
		ids->real = ids->saved = id;
	} else if (id != ids->real && id != ids->saved) {
		return -EPERM;
	}
	ids->eff = ids->fs = id;
	return 0;
}

int cred_ids_setre(struct cred_ids *ids, uint32_t r, uint32_t e, bool priv)
{
	struct cred_ids n = *ids;

	if (r != CRED_ID_NONE) {
		if (!priv && r != ids->real && r != ids->eff)
			return -EPERM;
		n.real = r;
	}
	if (e != CRED_ID_NONE) {
		if (!priv && !cred_is(e, ids->real, ids->eff, ids->saved))
			return -EPERM;
		n.eff = e;
	}
	/* The saved id follows a new effective id unless only the effective
	 * id changed, to the real one (Linux's rule). */
	if (r != CRED_ID_NONE || (e != CRED_ID_NONE && e != ids->real))
		n.saved = n.eff;
	n.fs = n.eff;
	*ids = n;
	return 0;
}

int cred_ids_setres(struct cred_ids *ids, uint32_t r, uint32_t e, uint32_t s, bool priv)
{
	const uint32_t want[3] = { r, e, s };

	if (!priv) {
		for (int i = 0; i < 3; i++)
			if (want[i] != CRED_ID_NONE &&
			    !cred_is(want[i], ids->real, ids->eff, ids->saved))
				return -EPERM;
	}
	if (r != CRED_ID_NONE)
		ids->real = r;
	if (e != CRED_ID_NONE)
		ids->eff = e;
	if (s != CRED_ID_NONE)
		ids->saved = s;
	ids->fs = ids->eff;
	return 0;
}

uint32_t cred_ids_setfs(struct cred_ids *ids, uint32_t fs, bool priv)
{
	uint32_t old = ids->fs;

	if (fs == CRED_ID_NONE)
		return old;
	if (priv || cred_is(fs, ids->real, ids->eff, ids->saved) || fs == ids->fs)
		ids->fs = fs;
	return old;
}

long cred_change(bool group, enum cred_op op, uint32_t a, uint32_t b, uint32_t c)
{
	struct proc *p = proc_current();
	struct cred_ids *ids = group ? &p->cred.g : &p->cred.u;
	long ret = -EINVAL;
	struct cred_ids before;
	bool priv, changed;

	spin_lock(&p->lock);
	priv = p->cred.u.eff == 0;
	before = *ids;
	switch (op) {
	case CRED_SET:
		ret = cred_ids_set(ids, a, priv);
		break;
	case CRED_SETRE:
		ret = cred_ids_setre(ids, a, b, priv);
		break;
	case CRED_SETRES:
		ret = cred_ids_setres(ids, a, b, c, priv);
		break;
	case CRED_SETFS:
		ret = cred_ids_setfs(ids, a, priv);
		break;
	}
	/* Linux's commit_creds: a new effective or file-system id makes the
	 * process undumpable (no ptrace-like access by its new peers to what
	 * the old ids read) and clears its parent-death signal. */
	changed = ids->eff != before.eff || ids->fs != before.fs;
	if (changed)
		p->dumpable = false;
	spin_unlock(&p->lock);
	if (changed) {
		spin_lock(&proc_tree_lock);
		p->pdeath_sig = 0;
		spin_unlock(&proc_tree_lock);
	}
	return ret;
}

static bool cred_kill_ok(const struct cred *c, const struct cred *t)
{
	return c->u.eff == 0 || c->u.eff == t->u.saved || c->u.eff == t->u.real ||
	       c->u.real == t->u.saved || c->u.real == t->u.real;
}

bool cred_may_signal_locked(const struct cred *c, struct proc *me, struct proc *p, int sig)
{
	spin_assert_held(&proc_tree_lock);
	spin_assert_held(&p->lock);
	if (p == me || cred_kill_ok(c, &p->cred))
		return true;
	return sig == SIGCONT && p->sid == me->sid;
}

bool cred_may_signal(const struct cred *c, struct proc *me, struct proc *p, int sig)
{
	bool ok;

	spin_lock(&p->lock);
	ok = cred_may_signal_locked(c, me, p, sig);
	spin_unlock(&p->lock);
	return ok;
}

static bool cred_ids_all(const struct cred_ids *t, uint32_t id)
{
	return t->real == id && t->eff == id && t->saved == id;
}

bool cred_may_access_locked(const struct cred *c, struct proc *p, bool fscreds)
{
	spin_assert_held(&p->lock);
	if (c->u.eff == 0)
		return true;
	if (!cred_ids_all(&p->cred.u, fscreds ? c->u.fs : c->u.real) ||
	    !cred_ids_all(&p->cred.g, fscreds ? c->g.fs : c->g.real))
		return false;
	return p->dumpable;
}

void cred_get(struct proc *p, struct cred *out)
{
	spin_lock(&p->lock);
	*out = p->cred;
	spin_unlock(&p->lock);
}

_Static_assert(CRED_GROUPS_MAX == PROC_NGROUPS_MAX, "cred_fs holds every group");

void cred_fs_current(struct cred_fs *out, bool real)
{
	struct proc *p = proc_current();

	memset(out, 0, sizeof(*out));
	if (!p) {
		out->priv = true;
		return;
	}
	spin_lock(&p->lock);
	out->uid = real ? p->cred.u.real : p->cred.u.fs;
	out->gid = real ? p->cred.g.real : p->cred.g.fs;
	out->ngroups = p->ngroups;
	memcpy(out->groups, p->groups, p->ngroups * sizeof(out->groups[0]));
	spin_unlock(&p->lock);
	out->priv = out->uid == 0;
}

bool cred_fs_in_group(const struct cred_fs *c, uint32_t gid)
{
	if (c->gid == gid)
		return true;
	for (unsigned i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void cred_exec_locked(struct proc *p, uint32_t set_uid, uint32_t set_gid)
{
	spin_assert_held(&p->lock);
	if (set_uid != CRED_ID_NONE)
		p->cred.u.eff = set_uid;
	if (set_gid != CRED_ID_NONE)
		p->cred.g.eff = set_gid;
	p->cred.u.saved = p->cred.u.fs = p->cred.u.eff;
	p->cred.g.saved = p->cred.g.fs = p->cred.g.eff;
}

bool cred_exec_secure(const struct cred *c)
{
	return c->u.eff != c->u.real || c->g.eff != c->g.real;
}

void cred_copy_locked(struct proc *child, struct proc *parent)
{
	spin_assert_held(&parent->lock);
	child->cred = parent->cred;
}

/* The current process's effective (eff) or real uid; 0 in kernel threads. */
static uint32_t cred_current(bool eff)
{
	struct proc *p = proc_current();
	uint32_t id;

	if (!p)
		return 0;
	spin_lock(&p->lock);
	id = eff ? p->cred.u.eff : p->cred.u.real;
	spin_unlock(&p->lock);
	return id;
}

uint32_t cred_uid(void)
{
	return cred_current(false);
}

uint32_t cred_euid(void)
{
	return cred_current(true);
}

bool cred_privileged(void)
{
	return cred_euid() == 0;
}

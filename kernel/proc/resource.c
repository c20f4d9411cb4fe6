/*
 * resource.c - CPU time accounting and resource limits of processes (see
 * keel/resource.h for the model).
 *
 * Lock key: the exited threads' ticks, the children figures, maxrss and
 * the limits of struct proc are [proc->lock]; a thread's tick counts are [A]
 * (added by the tick on the thread's CPU, read by anyone); a thread's
 * wait_ru is [C].
 * Lock order: proc_tree_lock -> proc->lock (proc_usage_reap).
 */
#include <keel/resource.h>
#include <keel/proc.h>
#include <keel/pmm.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/vm.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/string.h>

#define RLIMIT_STACK_DEFAULT    (8ull << 20)
#define RLIMIT_NOFILE_DEFAULT   1024
#define RLIMIT_NOFILE_HARD      4096    /* Linux's default hard limit */
#define RLIMIT_NOFILE_CEILING   1048576 /* Linux's fs.nr_open: -EPERM above */
#define RLIMIT_MEMLOCK_DEFAULT  (8ull << 20)
#define RLIMIT_MSGQUEUE_DEFAULT 819200
#define NPROC_PAGES_PER_PROC    64 /* Linux: half of memory / 16 KiB stacks */
#define KIB                     1024

/* ---------------------------------------------------------------- CPU time */

/* Split run_ns into user and system time in the ratio of the ticks. */
static void cputime_split(uint64_t run_ns, uint64_t uticks, uint64_t sticks, uint64_t *utime_ns,
			  uint64_t *stime_ns)
{
	if (sticks == 0) {
		*utime_ns = run_ns;
	} else if (uticks == 0) {
		*utime_ns = 0;
	} else {
		uint64_t total = uticks + sticks;

		/* run_ns * uticks / total, without a 128-bit division */
		*utime_ns = run_ns / total * uticks + run_ns % total * uticks / total;
	}
	*stime_ns = run_ns - *utime_ns;
}

static uint64_t tick_count(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void thread_cputime(struct thread *t, uint64_t *utime_ns, uint64_t *stime_ns)
{
	cputime_split(sched_thread_run_ns(t), tick_count(&t->uticks), tick_count(&t->sticks),
		      utime_ns, stime_ns);
}

void proc_cputime(struct proc *p, uint64_t *utime_ns, uint64_t *stime_ns)
{
	uint64_t run, ut, st;
	struct list *pos;

	spin_lock(&p->lock);
	run = p->exited_run_ns;
	ut = p->exited_uticks;
	st = p->exited_sticks;
	list_for_each(pos, &p->threads) {
		struct thread *t = list_entry(pos, struct thread, proc_node);

		run += sched_thread_run_ns(t);
		ut += tick_count(&t->uticks);
		st += tick_count(&t->sticks);
	}
	spin_unlock(&p->lock);
	cputime_split(run, ut, st, utime_ns, stime_ns);
}

/* Context switches of every thread p has had: voluntary, involuntary. */
static void proc_switches(struct proc *p, uint64_t *nv, uint64_t *niv)
{
	struct list *pos;

	spin_lock(&p->lock);
	*nv = p->exited_nvcsw;
	*niv = p->exited_nivcsw;
	list_for_each(pos, &p->threads) {
		struct thread *t = list_entry(pos, struct thread, proc_node);

		*nv += tick_count(&t->nvcsw);
		*niv += tick_count(&t->nivcsw);
	}
	spin_unlock(&p->lock);
}

void proc_children_cputime(struct proc *p, uint64_t *utime_ns, uint64_t *stime_ns)
{
	spin_lock(&p->lock);
	*utime_ns = p->cutime_ns;
	*stime_ns = p->cstime_ns;
	spin_unlock(&p->lock);
}

/* Peak resident memory of the current process in KiB (now or before). */
static uint64_t proc_maxrss_kb(struct proc *p)
{
	uint64_t now_kb = 0, kb;
	struct mm *mm = thread_current()->mm;

	if (mm)
		now_kb = (uint64_t)vm_resident(mm) * (PAGE_SIZE / KIB);
	spin_lock(&p->lock);
	p->maxrss_kb = MAX(p->maxrss_kb, now_kb);
	kb = p->maxrss_kb;
	spin_unlock(&p->lock);
	return kb;
}

static struct k_timeval ns_to_timeval(uint64_t ns)
{
	return (struct k_timeval){ (int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

int proc_getrusage(int who, struct k_rusage *ru)
{
	struct proc *p = proc_current();
	struct thread *t = thread_current();
	uint64_t ut, st, nv, niv;

	memset(ru, 0, sizeof(*ru));
	switch (who) {
	case RUSAGE_SELF:
		proc_cputime(p, &ut, &st);
		proc_switches(p, &nv, &niv);
		ru->ru_maxrss = (int64_t)proc_maxrss_kb(p);
		if (t->mm)
			ru->ru_minflt = (int64_t)__atomic_load_n(&t->mm->faults, __ATOMIC_RELAXED);
		break;
	case RUSAGE_THREAD:
		thread_cputime(t, &ut, &st);
		nv = tick_count(&t->nvcsw);
		niv = tick_count(&t->nivcsw);
		ru->ru_maxrss = (int64_t)proc_maxrss_kb(p);
		break;
	case RUSAGE_CHILDREN:
		proc_children_cputime(p, &ut, &st);
		spin_lock(&p->lock);
		ru->ru_maxrss = (int64_t)p->cmaxrss_kb;
		nv = p->cnvcsw;
		niv = p->cnivcsw;
		spin_unlock(&p->lock);
		break;
	default:
		return -EINVAL;
	}
	ru->ru_utime = ns_to_timeval(ut);
	ru->ru_stime = ns_to_timeval(st);
	ru->ru_nvcsw = (int64_t)nv;
	ru->ru_nivcsw = (int64_t)niv;
	return 0;
}

void proc_usage_thread_leave(struct thread *t)
{
	struct proc *p = t->proc;
	uint64_t kb = t->mm ? (uint64_t)vm_resident(t->mm) * (PAGE_SIZE / KIB) : 0;

	spin_lock(&p->lock);
	p->maxrss_kb = MAX(p->maxrss_kb, kb);
	p->exited_uticks += __atomic_exchange_n(&t->uticks, 0, __ATOMIC_RELAXED);
	p->exited_sticks += __atomic_exchange_n(&t->sticks, 0, __ATOMIC_RELAXED);
	p->exited_nvcsw += __atomic_exchange_n(&t->nvcsw, 0, __ATOMIC_RELAXED);
	p->exited_nivcsw += __atomic_exchange_n(&t->nivcsw, 0, __ATOMIC_RELAXED);
	spin_unlock(&p->lock);
}

void proc_usage_reap(struct proc *parent, struct proc *c)
{
	struct k_rusage *ru = thread_current()->wait_ru;
	uint64_t ut, st, cut, cst, kb, ckb, nv, niv, cnv, cniv;

	spin_assert_held(&proc_tree_lock);
	proc_cputime(c, &ut, &st);
	proc_switches(c, &nv, &niv);
	spin_lock(&c->lock);
	cut = c->cutime_ns;
	cst = c->cstime_ns;
	cnv = c->cnvcsw;
	cniv = c->cnivcsw;
	kb = c->maxrss_kb;
	ckb = c->cmaxrss_kb;
	spin_unlock(&c->lock);
	spin_lock(&parent->lock);
	parent->cutime_ns += ut + cut;
	parent->cstime_ns += st + cst;
	parent->cmaxrss_kb = MAX(parent->cmaxrss_kb, MAX(kb, ckb));
	parent->cnvcsw += nv + cnv;
	parent->cnivcsw += niv + cniv;
	spin_unlock(&parent->lock);
	if (ru) {
		memset(ru, 0, sizeof(*ru));
		ru->ru_utime = ns_to_timeval(ut);
		ru->ru_stime = ns_to_timeval(st);
		ru->ru_maxrss = (int64_t)kb;
		ru->ru_nvcsw = (int64_t)nv;
		ru->ru_nivcsw = (int64_t)niv;
	}
}

void proc_wait_usage(struct k_rusage *ru)
{
	thread_current()->wait_ru = ru;
}

/* ---------------------------------------------------------------- limits */

void proc_rlimit_init(struct proc *p)
{
	uint64_t nproc = pmm_total_frames() / NPROC_PAGES_PER_PROC;

	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i] = (struct k_rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	p->rlim[RLIMIT_STACK].cur = RLIMIT_STACK_DEFAULT;
	p->rlim[RLIMIT_CORE].cur = 0;
	p->rlim[RLIMIT_NOFILE] = (struct k_rlimit){ RLIMIT_NOFILE_DEFAULT, RLIMIT_NOFILE_HARD };
	p->rlim[RLIMIT_NPROC] = (struct k_rlimit){ nproc, nproc };
	p->rlim[RLIMIT_SIGPENDING] = (struct k_rlimit){ nproc, nproc };
	p->rlim[RLIMIT_MEMLOCK] =
		(struct k_rlimit){ RLIMIT_MEMLOCK_DEFAULT, RLIMIT_MEMLOCK_DEFAULT };
	p->rlim[RLIMIT_MSGQUEUE] =
		(struct k_rlimit){ RLIMIT_MSGQUEUE_DEFAULT, RLIMIT_MSGQUEUE_DEFAULT };
	p->rlim[RLIMIT_NICE] = (struct k_rlimit){ 0, 0 };
	p->rlim[RLIMIT_RTPRIO] = (struct k_rlimit){ 0, 0 };
}

void proc_rlimit_copy(struct proc *child, struct proc *parent)
{
	spin_assert_held(&parent->lock);
	memcpy(child->rlim, parent->rlim, sizeof(child->rlim));
}

struct k_rlimit proc_rlimit(struct proc *p, int res)
{
	struct k_rlimit l;

	spin_lock(&p->lock);
	l = p->rlim[res];
	spin_unlock(&p->lock);
	return l;
}

uint64_t rlimit_cur(int res)
{
	struct proc *p = proc_current();

	return p ? proc_rlimit(p, res).cur : RLIM_INFINITY;
}

/*
 * Raising a hard limit needs privilege (CAP_SYS_RESOURCE: keel/cred.h) of
 * the caller (not of p); RLIMIT_NOFILE has a ceiling even then (Linux's
 * fs.nr_open).
 */
int proc_prlimit(struct proc *p, int res, const struct k_rlimit *new, struct k_rlimit *old)
{
	bool priv = cred_privileged(); /* before p->lock: it takes the caller's */

	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (new &&new->cur > new->max)
		return -EINVAL;
	if (new &&res == RLIMIT_NOFILE &&new->max > RLIMIT_NOFILE_CEILING)
		return -EPERM;
	spin_lock(&p->lock);
	if (new &&new->max > p->rlim[res].max && !priv) {
		spin_unlock(&p->lock);
		return -EPERM;
	}
	if (old)
		*old = p->rlim[res];
	if (new)
		p->rlim[res] = *new;
	/* The stack grows under the new limit from now on, as on Linux. */
	if (new &&res == RLIMIT_STACK && p->mm)
		vm_set_stack_max(p->mm, new->cur);
	spin_unlock(&p->lock);
	return 0;
}

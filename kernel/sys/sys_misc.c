/*
 * sys_misc.c - small system calls: uname, sethostname, setdomainname,
 * resource limits (kernel/proc/resource.c), getrandom, sysinfo, prctl names,
 * scheduler affinity, set_robust_list, rseq.
 */
#include <keel/syscall.h>
#include <keel/proc.h>
#include <keel/cred.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/random.h>
#include <keel/pmm.h>
#include <keel/time.h>
#include <keel/klog.h>
#include <keel/signal.h>
#include <keel/utsname.h>
#include <keel/resource.h>
#include <keel/cputime.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define GETRANDOM_CHUNK  256
#define GRND_NONBLOCK    1
#define GRND_RANDOM      2
#define GRND_INSECURE    4
#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE  3
#define PR_SET_DUMPABLE  4
#define PR_SET_NAME      15
#define PR_GET_NAME      16
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define TASK_COMM_LEN    16
#define SYSINFO_SIZE     112
#define SI_LOAD_SHIFT    16

SYSCALL_DEFINE1(uname, struct k_utsname __user *, ubuf)
{
	struct k_utsname u;

	uts_get(&u);
	return copy_to_user(ubuf, &u, sizeof(u));
}

/* sethostname/setdomainname: len bytes (no NUL needed), at most 64;
 * privileged only (CAP_SYS_ADMIN, checked first as on Linux). */
static long uts_set_user(const char __user *uname, int len,
			 int (*set)(const char *, size_t))
{
	char name[UTS_LEN];

	if (!cred_privileged())
		return -EPERM;
	if (len < 0 || len > UTS_NAME_MAX)
		return -EINVAL;
	if (copy_from_user(name, uname, (size_t)len))
		return -EFAULT;
	return set(name, (size_t)len);
}

SYSCALL_DEFINE2(sethostname, const char __user *, name, int, len)
{
	return uts_set_user(name, len, uts_set_hostname);
}

SYSCALL_DEFINE2(setdomainname, const char __user *, name, int, len)
{
	return uts_set_user(name, len, uts_set_domainname);
}

SYSCALL_DEFINE2(getrlimit, int, res, struct k_rlimit __user *, ulim)
{
	struct k_rlimit l;
	int err = proc_prlimit(proc_current(), res, NULL, &l);

	return err ? err : copy_to_user(ulim, &l, sizeof(l));
}

SYSCALL_DEFINE2(setrlimit, int, res, const struct k_rlimit __user *, ulim)
{
	struct k_rlimit l;

	if (copy_from_user(&l, ulim, sizeof(l)))
		return -EFAULT;
	return proc_prlimit(proc_current(), res, &l, NULL);
}

/* The process of thread (or process) id pid, or NULL. [proc_tree_lock] */
static struct proc *prlimit_target_locked(int pid)
{
	struct thread *t = thread_find_locked(pid);
	struct proc *p;

	if (!t)
		return proc_find(pid);
	p = t->proc;
	spin_unlock(&p->lock);          /* thread_find_locked returned with it */
	return p;
}

/*
 * prlimit64 on the caller (pid 0) or any process (a thread id names its
 * process, as on Linux): found and changed under
 * proc_tree_lock, which keeps it from being freed meanwhile.
 */
SYSCALL_DEFINE4(prlimit64, int, pid, int, res, const struct k_rlimit __user *, unew,
		struct k_rlimit __user *, uold)
{
	struct k_rlimit nl, ol;
	struct proc *p;
	long err;

	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (pid < 0)
		return -EINVAL;
	if (unew && copy_from_user(&nl, unew, sizeof(nl)))
		return -EFAULT;
	if (uold && !user_range_ok((uintptr_t)uold, sizeof(ol)))
		return -EFAULT;
	spin_lock(&proc_tree_lock);
	p = pid == 0 ? proc_current() : prlimit_target_locked(pid);
	err = p && p->state == PROC_ALIVE ?
	      proc_prlimit(p, res, unew ? &nl : NULL, &ol) : -ESRCH;
	spin_unlock(&proc_tree_lock);
	if (!err && uold && copy_to_user(uold, &ol, sizeof(ol)))
		return -EFAULT;
	return err;
}

SYSCALL_DEFINE3(getrandom, void __user *, ubuf, size_t, len, unsigned, flags)
{
	uint8_t chunk[GETRANDOM_CHUNK];
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > INT32_MAX)
		len = INT32_MAX;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		random_get(chunk, n);
		if (copy_to_user((uint8_t *)ubuf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
		if (done < len && signal_pending())
			break;
	}
	return (long)done;
}

SYSCALL_DEFINE1(sysinfo, void __user *, uinfo)
{
	struct {
		int64_t uptime;
		uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t pad2;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		char pad3[4];
	} si;
	unsigned long loads[3];
	_Static_assert(sizeof(si) == SYSINFO_SIZE, "struct sysinfo");

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(time_ns() / NSEC_PER_SEC);
	cputime_loadavg(loads);
	for (int i = 0; i < 3; i++)       /* Linux's SI_LOAD_SHIFT is 16 */
		si.loads[i] = loads[i] << (SI_LOAD_SHIFT - CPUTIME_FSHIFT);
	si.totalram = pmm_total_frames();
	si.freeram = pmm_free_frames();
	si.procs = (uint16_t)proc_count();
	si.mem_unit = PAGE_SIZE;
	return copy_to_user(uinfo, &si, sizeof(si));
}

/* An int prctl hands back through *a2. */
static long prctl_put_int(unsigned long a2, int v)
{
	return copy_to_user((int __user *)a2, &v, sizeof(v));
}

/* The prctl options on process state: Linux's checks and results. */
static long prctl_proc(int option, unsigned long a2, unsigned long a3, unsigned long a4,
		       unsigned long a5)
{
	struct proc *p = proc_current();
	int v;

	switch (option) {
	case PR_SET_PDEATHSIG:
		if (a2 > NSIG)
			return -EINVAL;
		spin_lock(&proc_tree_lock);
		p->pdeath_sig = (int)a2;
		spin_unlock(&proc_tree_lock);
		return 0;
	case PR_GET_PDEATHSIG:
		spin_lock(&proc_tree_lock);
		v = p->pdeath_sig;
		spin_unlock(&proc_tree_lock);
		return prctl_put_int(a2, v);
	case PR_SET_CHILD_SUBREAPER:
		spin_lock(&proc_tree_lock);
		p->child_subreaper = a2 != 0;
		spin_unlock(&proc_tree_lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		spin_lock(&proc_tree_lock);
		v = p->child_subreaper;
		spin_unlock(&proc_tree_lock);
		return prctl_put_int(a2, v);
	case PR_GET_DUMPABLE:
		spin_lock(&p->lock);
		v = p->dumpable;
		spin_unlock(&p->lock);
		return v;
	case PR_SET_DUMPABLE:
		if (a2 > 1)             /* 2 (SUID_DUMP_ROOT) is for the sysctl only */
			return -EINVAL;
		spin_lock(&p->lock);
		p->dumpable = a2 != 0;
		spin_unlock(&p->lock);
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		spin_lock(&p->lock);
		p->no_new_privs = true;
		spin_unlock(&p->lock);
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		spin_lock(&p->lock);
		v = p->no_new_privs;
		spin_unlock(&p->lock);
		return v;
	default:
		klog_once(LOG_WARN, "prctl: option %d not supported", option);
		return -EINVAL;
	}
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, a2, unsigned long, a3, unsigned long, a4,
		unsigned long, a5)
{
	struct thread *t = thread_current();
	char name[TASK_COMM_LEN];

	switch (option) {
	case PR_SET_NAME: {
		long n = strncpy_from_user(name, (const char *)a2, sizeof(name));
		if (n == -ENAMETOOLONG) {
			if (copy_from_user(name, (const char *)a2, sizeof(name) - 1))
				return -EFAULT;
			name[sizeof(name) - 1] = '\0';
		} else if (n < 0) {
			return n;
		}
		strlcpy(t->name, name, sizeof(t->name));
		return 0;
	}
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		strlcpy(name, t->name, sizeof(name));
		return copy_to_user((void *)a2, name, sizeof(name));
	default:
		return prctl_proc(option, a2, a3, a4, a5);
	}
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, size_t, len, const uint64_t __user *, umask)
{
	uint64_t mask;

	if (len < sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (pid == 0 || pid == thread_current()->tid)
		return sched_set_affinity(thread_current(), mask);
	/* Another thread: found and changed under the process tree lock; only
	 * a thread of our own user (Linux's check_same_owner) without privilege. */
	struct cred c;
	cred_get(proc_current(), &c);
	spin_lock(&proc_tree_lock);
	struct thread *t = thread_find_locked(pid);
	long ret = -ESRCH;
	if (t) {
		const struct cred *tc = &t->proc->cred;
		bool ok = c.u.eff == 0 || c.u.eff == tc->u.eff || c.u.eff == tc->u.real;
		ret = ok ? sched_set_affinity(t, mask) : -EPERM;
		spin_unlock(&t->proc->lock);
	}
	spin_unlock(&proc_tree_lock);
	return ret;
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, size_t, len, uint64_t __user *, umask)
{
	uint64_t mask;

	if (len < sizeof(mask) || (len & (sizeof(mask) - 1)))
		return -EINVAL;
	if (pid == 0 || pid == thread_current()->tid) {
		mask = thread_current()->affinity & smp_online_mask();
	} else {
		spin_lock(&proc_tree_lock);
		struct thread *t = thread_find_locked(pid);
		mask = 0;
		if (t) {
			mask = t->affinity & smp_online_mask();
			spin_unlock(&t->proc->lock);
		}
		spin_unlock(&proc_tree_lock);
		if (!mask)
			return -ESRCH;
	}
	if (copy_to_user(umask, &mask, sizeof(mask)))
		return -EFAULT;
	return (long)sizeof(mask);
}

SYSCALL_DEFINE2(set_robust_list, void __user *, head, size_t, len)
{
	/* Accepted; robust futexes are released at thread exit once futexes exist. */
	return len == 3 * sizeof(uint64_t) ? 0 : -EINVAL;
}

SYSCALL_DEFINE4(rseq, void __user *, rseq, uint32_t, len, int, flags, uint32_t, sig)
{
	return -ENOSYS;          /* libcs fall back when rseq is unavailable */
}

#define PERSONALITY_QUERY 0xffffffffu

/*
 * personality: 0xffffffff asks, anything else is kept and the old value
 * returned (Linux).  Keel has one ABI (PER_LINUX) and never randomizes
 * addresses, so the flags change nothing; a set-id exec keeps them too.
 */
SYSCALL_DEFINE1(personality, unsigned, persona)
{
	struct proc *p = proc_current();
	unsigned old;

	spin_lock(&p->lock);
	old = p->personality;
	if (persona != PERSONALITY_QUERY)
		p->personality = persona;
	spin_unlock(&p->lock);
	return old;
}

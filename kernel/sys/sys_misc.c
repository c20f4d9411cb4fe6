/*
 * sys_misc.c - small system calls: uname, credentials (everyone is root),
 * resource limits (fixed values), getrandom, sysinfo, prctl names,
 * scheduler affinity, set_robust_list, rseq.
 */
#include <keel/syscall.h>
#include <keel/proc.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/random.h>
#include <keel/pmm.h>
#include <keel/time.h>
#include <keel/klog.h>
#include <keel/signal.h>
#include <keel/utsname.h>
#include <keel/cputime.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define UTS_LEN          65
#define RLIMIT_STACK     3
#define RLIMIT_NOFILE    7
#define RLIMIT_NLIMITS   16
#define RLIM_INFINITY    (~0ull)
#define NOFILE_LIMIT     1024
#define GETRANDOM_CHUNK  256
#define GRND_NONBLOCK    1
#define GRND_RANDOM      2
#define GRND_INSECURE    4
#define PR_SET_NAME      15
#define PR_GET_NAME      16
#define TASK_COMM_LEN    16
#define SYSINFO_SIZE     112
#define SI_LOAD_SHIFT    16

struct k_utsname {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN];
	char version[UTS_LEN], machine[UTS_LEN], domainname[UTS_LEN];
};

SYSCALL_DEFINE1(uname, struct k_utsname __user *, ubuf)
{
	struct k_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, UTS_SYSNAME, UTS_LEN);
	uts_hostname_copy(u.nodename, UTS_LEN);
	strlcpy(u.release, UTS_RELEASE, UTS_LEN);
	strlcpy(u.version, UTS_VERSION, UTS_LEN);
	strlcpy(u.machine, UTS_MACHINE, UTS_LEN);
	strlcpy(u.domainname, UTS_DOMAIN, UTS_LEN);
	return copy_to_user(ubuf, &u, sizeof(u));
}

SYSCALL_DEFINE0(getuid) { return 0; }
SYSCALL_DEFINE0(geteuid) { return 0; }
SYSCALL_DEFINE0(getgid) { return 0; }
SYSCALL_DEFINE0(getegid) { return 0; }

/* No supplementary groups yet (every process is root): an empty list. */
SYSCALL_DEFINE2(getgroups, int, size, uint32_t __user *, list)
{
	return size < 0 ? -EINVAL : 0;
}

struct k_rlimit {
	uint64_t cur, max;
};

static struct k_rlimit rlimit_of(int res)
{
	switch (res) {
	case RLIMIT_STACK:
		return (struct k_rlimit){ 8ull << 20, RLIM_INFINITY };
	case RLIMIT_NOFILE:
		return (struct k_rlimit){ NOFILE_LIMIT, NOFILE_LIMIT };
	default:
		return (struct k_rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	}
}

SYSCALL_DEFINE2(getrlimit, int, res, struct k_rlimit __user *, ulim)
{
	struct k_rlimit l;

	if (res < 0 || res >= RLIMIT_NLIMITS)
		return -EINVAL;
	l = rlimit_of(res);
	return copy_to_user(ulim, &l, sizeof(l));
}

SYSCALL_DEFINE4(prlimit64, int, pid, int, res, const struct k_rlimit __user *, unew,
		struct k_rlimit __user *, uold)
{
	struct k_rlimit l;

	if (res < 0 || res >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (pid != 0 && pid != proc_current()->pid)
		return -ESRCH;
	if (unew) {
		/* Limits are fixed for now: accept a request that changes nothing. */
		struct k_rlimit want;
		if (copy_from_user(&want, unew, sizeof(want)))
			return -EFAULT;
		if (want.cur > want.max)
			return -EINVAL;
		l = rlimit_of(res);
		if (want.cur != l.cur || want.max != l.max) {
			klog_once(LOG_WARN, "prlimit64: resource limits cannot be changed yet");
			return -EPERM;
		}
	}
	l = rlimit_of(res);
	if (uold && copy_to_user(uold, &l, sizeof(l)))
		return -EFAULT;
	return 0;
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
		klog_once(LOG_WARN, "prctl: option %d not supported", option);
		return -EINVAL;
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
	/* Another thread: found and changed under the process tree lock. */
	spin_lock(&proc_tree_lock);
	struct thread *t = thread_find_locked(pid);
	long ret = -ESRCH;
	if (t) {
		ret = sched_set_affinity(t, mask);
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

/*
 * procfs_sys.c - the system-wide files of /proc (keel/procfs.h):
 * self and thread-self, meminfo, cpuinfo, uptime, loadavg, stat, version,
 * mounts (also /proc/PID/mounts), filesystems, interrupts, cmdline and
 * sys/kernel/{hostname,osrelease,ostype,pid_max,ngroups_max},
 * sys/vm/max_map_count and sys/fs/pipe-max-size, in Linux's formats
 * (man 5 proc).  Each generator reads the owning subsystem's counters
 * through its interface (pmm, cputime, sched, irq, the mount list, the
 * host name) and writes text; none keeps state but the kernel command
 * line, copied once at boot.
 *
 * Lock key: [I] the command-line copy.  The generators take only the
 * owners' locks, through their calls (vfs_mount_mutex for the mount list,
 * vfs_fs_lock for the types, uts_lock for the host name).
 */
#include <keel/procfs.h>
#include <keel/cputime.h>
#include <keel/cpu.h>
#include <keel/irq.h>
#include <keel/kmalloc.h>
#include <keel/pid.h>
#include <keel/pipe.h>
#include <keel/pmm.h>
#include <keel/proc.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/time.h>
#include <keel/utsname.h>
#include <keel/vm.h>
#include <arch/arch.h>
#include <arch/irq.h>
#include <arch/layout.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#define PROCFS_PID_MAX 4194304 /* what /proc/sys/kernel/pid_max says */

static char *procfs_kernel_cmdline; /* [I] after procfs_sys_init */

void procfs_sys_init(const char *cmdline)
{
	size_t len = strlen(cmdline) + 1;

	procfs_kernel_cmdline = kmalloc(len, 0);
	if (procfs_kernel_cmdline)
		memcpy(procfs_kernel_cmdline, cmdline, len);
}

static ssize_t procfs_link_text(char *buf, size_t n, const char *text)
{
	size_t len = strlen(text);

	len = MIN(len, n);
	memcpy(buf, text, len);
	return (ssize_t)len;
}

ssize_t procfs_sys_self(const struct procfs_target *t, char *buf, size_t n)
{
	struct proc *p = proc_current();
	char num[PROCFS_NUM_MAX];

	if (!p)
		return -ENOENT;
	snprintf(num, sizeof(num), "%d", p->pid);
	return procfs_link_text(buf, n, num);
}

ssize_t procfs_sys_thread_self(const struct procfs_target *t, char *buf, size_t n)
{
	struct thread *th = thread_current();
	char text[2 * PROCFS_NUM_MAX + sizeof("/task/")];

	if (!th || !th->proc)
		return -ENOENT;
	snprintf(text, sizeof(text), "%d/task/%d", th->proc->pid, th->tid);
	return procfs_link_text(buf, n, text);
}

#define KB_PER_PAGE (PAGE_SIZE / KiB)

static void meminfo_line(struct procfs_buf *b, const char *name, uint64_t pages)
{
	procfs_printf(b, "%-16s%8lu kB\n", name, (unsigned long)(pages * KB_PER_PAGE));
}

int procfs_sys_meminfo(const struct procfs_target *t, struct procfs_buf *b)
{
	uint64_t total = pmm_total_frames(), free = pmm_free_frames();
	uint64_t files = ramfs_total_pages();

	meminfo_line(b, "MemTotal:", total);
	meminfo_line(b, "MemFree:", free);
	meminfo_line(b, "MemAvailable:", free);
	meminfo_line(b, "Buffers:", 0);
	meminfo_line(b, "Cached:", files);
	meminfo_line(b, "SwapCached:", 0);
	meminfo_line(b, "SwapTotal:", 0);
	meminfo_line(b, "SwapFree:", 0);
	meminfo_line(b, "Shmem:", files);
	return 0;
}

#define HZ_PER_MHZ 1000000ul
#define HZ_PER_KHZ 1000ul

int procfs_sys_cpuinfo(const struct procfs_target *t, struct procfs_buf *b)
{
	unsigned n = cpu_online_count();
	struct arch_cpu_desc d;
	const char *name;

	memset(&d, 0, sizeof(d));
	arch_cpu_describe(&d);
	name = d.model_name;
	while (*name == ' ')
		name++;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!cpus[i].online)
			continue;
		procfs_printf(b,
			      "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
			      "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
			      "cpu MHz\t\t: %lu.%03lu\nphysical id\t: 0\nsiblings\t: %u\n"
			      "core id\t\t: %u\ncpu cores\t: %u\n"
			      "fpu\t\t: yes\nfpu_exception\t: yes\nwp\t\t: yes\n\n",
			      i, d.vendor, d.family, d.model, name, d.stepping,
			      (unsigned long)(d.tsc_hz / HZ_PER_MHZ),
			      (unsigned long)(d.tsc_hz % HZ_PER_MHZ / HZ_PER_KHZ), n, i, n);
	}
	return 0;
}

/* x in hundredths, printed as "%lu.%02lu". */
static void procfs_centi(struct procfs_buf *b, uint64_t centi, const char *sep)
{
	procfs_printf(b, "%lu.%02lu%s", (unsigned long)(centi / 100), (unsigned long)(centi % 100),
		      sep);
}

int procfs_sys_uptime(const struct procfs_target *t, struct procfs_buf *b)
{
	uint64_t idle = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct cputime_cpu c;

		if (!cpus[i].online)
			continue;
		cputime_cpu_get(i, &c);
		idle += c.idle;
	}
	procfs_centi(b, time_ns() / (NSEC_PER_SEC / 100), " ");
	procfs_centi(b, idle * 100 / TICK_HZ, "\n");
	return 0;
}

int procfs_sys_loadavg(const struct procfs_target *t, struct procfs_buf *b)
{
	unsigned long avg[3];

	cputime_loadavg(avg);
	for (unsigned i = 0; i < 3; i++) {
		unsigned long x = avg[i] + CPUTIME_FIXED_1 / 200; /* round as Linux */

		procfs_printf(b, "%lu.%02lu ", x >> CPUTIME_FSHIFT,
			      ((x & (CPUTIME_FIXED_1 - 1)) * 100) >> CPUTIME_FSHIFT);
	}
	procfs_printf(b, "%u/%u %d\n", sched_nr_running(), thread_count(), pid_last());
	return 0;
}

static void stat_cpu_line(struct procfs_buf *b, const char *name, const struct cputime_cpu *c)
{
	procfs_printf(b, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, (unsigned long)c->user,
		      (unsigned long)c->system, (unsigned long)c->idle);
}

int procfs_sys_stat(const struct procfs_target *t, struct procfs_buf *b)
{
	struct cputime_cpu sum = { 0, 0, 0 }, c;
	uint64_t intr = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!cpus[i].online)
			continue;
		cputime_cpu_get(i, &c);
		sum.user += c.user;
		sum.system += c.system;
		sum.idle += c.idle;
	}
	stat_cpu_line(b, "cpu ", &sum);
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		char name[PROCFS_NUM_MAX + 3];

		if (!cpus[i].online)
			continue;
		cputime_cpu_get(i, &c);
		snprintf(name, sizeof(name), "cpu%u", i);
		stat_cpu_line(b, name, &c);
	}
	for (unsigned i = 0; i < ARCH_IRQ_COUNT; i++)
		intr += irq_count(i);
	procfs_printf(b, "intr %lu", (unsigned long)intr);
	for (unsigned i = 0; i < ARCH_IRQ_COUNT; i++)
		procfs_printf(b, " %lu", (unsigned long)irq_count(i));
	procfs_printf(b,
		      "\nctxt %lu\nbtime %lu\nprocesses %d\nprocs_running %u\n"
		      "procs_blocked 0\n",
		      (unsigned long)sched_nr_switches(),
		      (unsigned long)((time_real_ns() - time_ns()) / NSEC_PER_SEC), pid_last(),
		      sched_nr_running());
	return 0;
}

int procfs_sys_version(const struct procfs_target *t, struct procfs_buf *b)
{
	struct k_utsname u;

	uts_get(&u);
	procfs_printf(b, "%s version %s (keel@keel) (%s) %s\n", u.sysname, u.release, __VERSION__,
		      u.version);
	return 0;
}

/* Write s with the characters Linux escapes in /proc/mounts as \ooo. */
static void procfs_mangle(struct procfs_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			procfs_printf(b, "\\%03o", (unsigned)(unsigned char)*s);
		else
			procfs_write(b, s, 1);
	}
}

static const struct {
	unsigned long flag;
	const char *name;
} procfs_mount_flags[] = {
	{ MS_NOSUID, ",nosuid" },     { MS_NODEV, ",nodev" },
	{ MS_NOEXEC, ",noexec" },     { MS_SYNCHRONOUS, ",sync" },
	{ MS_DIRSYNC, ",dirsync" },   { MS_NOSYMFOLLOW, ",nosymfollow" },
	{ MS_NOATIME, ",noatime" },   { MS_NODIRATIME, ",nodiratime" },
	{ MS_RELATIME, ",relatime" },
};

static void procfs_mount_line(void *ctx, const struct vfs_mount_info *mi)
{
	struct procfs_buf *b = ctx;

	procfs_mangle(b, mi->source);
	procfs_write(b, " ", 1);
	procfs_mangle(b, mi->target);
	procfs_printf(b, " %s %s", mi->fstype, (mi->flags & MS_RDONLY) ? "ro" : "rw");
	for (size_t i = 0; i < ARRAY_SIZE(procfs_mount_flags); i++) {
		if (mi->flags & procfs_mount_flags[i].flag)
			procfs_printf(b, "%s", procfs_mount_flags[i].name);
	}
	if (mi->options) {
		procfs_write(b, ",", 1);
		procfs_mangle(b, mi->options);
	}
	procfs_printf(b, " 0 0\n");
}

int procfs_sys_mounts(const struct procfs_target *t, struct procfs_buf *b)
{
	if (t->pid && !procfs_pid_exists(t->pid))
		return -ESRCH;
	return vfs_mounts_show(procfs_mount_line, b);
}

#define PROCFS_FS_TYPES_MAX 32

struct procfs_fs_names {
	const char *name[PROCFS_FS_TYPES_MAX];
	unsigned n;
};

/* Called under the type list's spinlock: only note the (static) name. */
static void procfs_fs_name(void *ctx, const char *name)
{
	struct procfs_fs_names *fn = ctx;

	if (fn->n < PROCFS_FS_TYPES_MAX)
		fn->name[fn->n++] = name;
}

int procfs_sys_filesystems(const struct procfs_target *t, struct procfs_buf *b)
{
	struct procfs_fs_names fn = { .n = 0 };

	vfs_fs_types_show(procfs_fs_name, &fn);
	for (unsigned i = 0; i < fn.n; i++)
		procfs_printf(b, "nodev\t%s\n", fn.name[i]);
	return 0;
}

#define IRQ_NUM_WIDTH 3 /* Linux's width of the line numbers */

/* One per-CPU counter row of /proc/interrupts: the uint64_t at off in struct cpu. */
static void procfs_interrupts_row(struct procfs_buf *b, const char *label, size_t off,
				  const char *what)
{
	procfs_printf(b, "%*s: ", IRQ_NUM_WIDTH, label);
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (cpus[i].online)
			procfs_printf(
				b, "%10lu ",
				(unsigned long)READ_ONCE(*(uint64_t *)((char *)&cpus[i] + off)));
	}
	procfs_printf(b, "  %s\n", what);
}

int procfs_sys_interrupts(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%*s", IRQ_NUM_WIDTH + 8, "");
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (cpus[i].online)
			procfs_printf(b, "CPU%-8u", i);
	}
	procfs_printf(b, "\n");
	/* Every line with a handler or a count, each CPU's count: a line
	 * moved between CPUs (irq_set_cpu) shows where it was taken. */
	for (unsigned irq = 0; irq < ARCH_IRQ_COUNT; irq++) {
		const char *name = irq_name(irq);

		if (!name && !irq_count(irq))
			continue;
		procfs_printf(b, "%*u: ", IRQ_NUM_WIDTH, irq);
		for (unsigned i = 0; i < MAX_CPUS; i++) {
			if (cpus[i].online)
				procfs_printf(b, "%10lu ", (unsigned long)irq_count_cpu(irq, i));
		}
		procfs_printf(b, " %u-%s  %s\n", irq, irq_is_level(irq) ? "level" : "edge",
			      name ? name : "-");
	}
	procfs_interrupts_row(b, "LOC", offsetof(struct cpu, ticks), "Local timer interrupts");
	procfs_interrupts_row(b, "RES", offsetof(struct cpu, ipis_resched),
			      "Rescheduling interrupts");
	procfs_interrupts_row(b, "CAL", offsetof(struct cpu, ipis_call),
			      "Function call interrupts");
	return 0;
}

int procfs_sys_cmdline(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%s\n", procfs_kernel_cmdline ? procfs_kernel_cmdline : "");
	return 0;
}

int procfs_sys_hostname(const struct procfs_target *t, struct procfs_buf *b)
{
	char name[UTS_LEN];

	uts_hostname(name, sizeof(name));
	procfs_printf(b, "%s\n", name);
	return 0;
}

/* As Linux's sysctl strings: the text up to a newline, cut to the maximum. */
int procfs_sys_store_hostname(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);

	if (nl)
		n = (size_t)(nl - s);
	return uts_set_hostname(s, MIN(n, (size_t)UTS_NAME_MAX));
}

int procfs_sys_osrelease(const struct procfs_target *t, struct procfs_buf *b)
{
	struct k_utsname u;

	uts_get(&u);
	procfs_printf(b, "%s\n", u.release);
	return 0;
}

int procfs_sys_ostype(const struct procfs_target *t, struct procfs_buf *b)
{
	struct k_utsname u;

	uts_get(&u);
	procfs_printf(b, "%s\n", u.sysname);
	return 0;
}

int procfs_sys_pid_max(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%d\n", PROCFS_PID_MAX);
	return 0;
}

/* Keel's own limits, which Linux's files report for Linux's. */
int procfs_sys_ngroups_max(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%d\n", PROC_NGROUPS_MAX);
	return 0;
}

int procfs_sys_max_map_count(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%u\n", READ_ONCE(vm_max_map_count));
	return 0;
}

int procfs_sys_store_max_map_count(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return -EINVAL;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > INT32_MAX)
			return -EINVAL;
	}
	if (i < n && s[i] != '\n')
		return -EINVAL;
	return vm_set_max_map_count(v);
}

int procfs_sys_pipe_max_size(const struct procfs_target *t, struct procfs_buf *b)
{
	procfs_printf(b, "%lu\n", (unsigned long)PIPE_MAX_SIZE);
	return 0;
}

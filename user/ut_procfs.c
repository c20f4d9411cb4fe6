/*
 * ut_procfs.c - /proc and mount(2)/umount2(2) as Linux has them:
 * /proc/self/stat parsed the way busybox ps does (the comm in parentheses
 * may hold spaces and ')'), status fields, a child's cmdline, maps (the
 * stack and the text), fd/ links, exe, task/ of a 3-thread process,
 * meminfo, uptime, loadavg, stat and sys/kernel; tmpfs and proc mounted on
 * fresh directories, EBUSY, the errors, and /proc/mounts listing them.
 */
#include "usertests.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#define UT_PROC_BUF    16384
#define UT_STAT_FIELDS 52
#define UT_WAIT_NS     (5 * UTEST_SEC)

/* Read a whole /proc file (NUL-terminated) into buf; its length. */
static size_t ut_proc_read(const char *path, char *buf, size_t size)
{
	int fd = (int)UT_OK(open(path, O_RDONLY));
	size_t len = 0;
	ssize_t n = 0;

	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	UT_CHECK(n >= 0 || len + 1 == size);
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * Split a stat line as busybox's procps_scan does: the comm is between the
 * first '(' and the last ')'; fields[0] is the pid, fields[1] the comm,
 * fields[2..] the rest.  Returns the number of fields.
 */
static int ut_stat_split(char *line, char **fields, int max, char *comm, size_t commsz)
{
	char *open = strchr(line, '('), *close = strrchr(line, ')');
	int n = 0;

	UT_CHECK(open && close && close > open);
	*open = '\0';
	fields[n++] = line;
	snprintf(comm, commsz, "%.*s", (int)(close - open - 1), open + 1);
	fields[n++] = comm;
	for (char *tok = strtok(close + 1, " \n"); tok && n < max; tok = strtok(NULL, " \n"))
		fields[n++] = tok;
	return n;
}

/* The value after "name:\t" in a status text, or NULL. */
static const char *ut_status_field(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, name, len) && p[len] == ':')
			return p + len + 1 + strspn(p + len + 1, " \t");
	}
	return NULL;
}

void ut_procfs_self_stat(void)
{
	static char buf[UT_PROC_BUF];
	char *f[UT_STAT_FIELDS + 8], comm[64];
	int n;

	ut_proc_read("/proc/self/stat", buf, sizeof(buf));
	n = ut_stat_split(buf, f, UT_STAT_FIELDS + 8, comm, sizeof(comm));
	UT_CHECK(n == UT_STAT_FIELDS);
	UT_CHECK(atoi(f[0]) == getpid());
	UT_CHECK(strcmp(f[2], "R") == 0); /* reading it: running */
	UT_CHECK(atoi(f[3]) == getppid());
	UT_CHECK(atoi(f[4]) == getpgrp());
	UT_CHECK(atoi(f[5]) == getsid(0));
	UT_CHECK(atoi(f[19]) == 1);                    /* num_threads */
	UT_CHECK(strtoul(f[22], NULL, 10) > 0);        /* vsize */
	UT_CHECK(strtoul(f[23], NULL, 10) > 0);        /* rss */
	UT_CHECK(strtoul(f[37], NULL, 10) == SIGCHLD); /* exit_signal */
	UT_CHECK(strncmp(comm, "usertests", 9) == 0);
	/* A name with spaces and ')' survives the parse. */
	UT_OK(prctl(PR_SET_NAME, "a) b (c", 0, 0, 0));
	ut_proc_read("/proc/self/stat", buf, sizeof(buf));
	n = ut_stat_split(buf, f, UT_STAT_FIELDS + 8, comm, sizeof(comm));
	UT_CHECK(n == UT_STAT_FIELDS && strcmp(comm, "a) b (c") == 0);
	UT_CHECK(atoi(f[3]) == getppid());
	ut_proc_read("/proc/self/comm", buf, sizeof(buf));
	UT_CHECK(strcmp(buf, "a) b (c\n") == 0);
}

void ut_procfs_self_status(void)
{
	static char buf[UT_PROC_BUF];
	char want[64];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	UT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	signal(SIGUSR2, SIG_IGN);
	ut_proc_read("/proc/self/status", buf, sizeof(buf));
	UT_CHECK(strncmp(buf, "Name:\t", 6) == 0);
	UT_CHECK(ut_status_field(buf, "State") && ut_status_field(buf, "State")[0] == 'R');
	UT_CHECK(atoi(ut_status_field(buf, "Tgid")) == getpid());
	UT_CHECK(atoi(ut_status_field(buf, "Pid")) == getpid());
	UT_CHECK(atoi(ut_status_field(buf, "PPid")) == getppid());
	UT_CHECK(atoi(ut_status_field(buf, "Threads")) == 1);
	snprintf(want, sizeof(want), "%d\t%d\t%d\t%d\n", getuid(), geteuid(), getuid(), getuid());
	UT_CHECK(strncmp(ut_status_field(buf, "Uid"), want, strlen(want)) == 0);
	UT_CHECK(ut_status_field(buf, "VmRSS") && atol(ut_status_field(buf, "VmRSS")) > 0);
	UT_CHECK(ut_status_field(buf, "VmSize") && atol(ut_status_field(buf, "VmSize")) > 0);
	UT_CHECK(strtoull(ut_status_field(buf, "SigBlk"), NULL, 16) & (1ull << (SIGUSR1 - 1)));
	UT_CHECK(strtoull(ut_status_field(buf, "SigIgn"), NULL, 16) & (1ull << (SIGUSR2 - 1)));
	UT_CHECK(ut_status_field(buf, "voluntary_ctxt_switches"));
}

/* Make writes to p[1] block: fill the pipe while it is non-blocking. */
static void ut_fill_pipe(int wfd)
{
	char block[UT_PAGE];
	int fl = fcntl(wfd, F_GETFL);

	memset(block, 'x', sizeof(block));
	UT_OK(fcntl(wfd, F_SETFL, fl | O_NONBLOCK));
	while (write(wfd, block, sizeof(block)) > 0)
		;
	while (write(wfd, block, 1) > 0)
		;
	UT_CHECK(errno == EAGAIN);
	UT_OK(fcntl(wfd, F_SETFL, fl));
}

/* Read /proc/PID/NAME until it matches want (n bytes) or a while passes. */
static bool ut_proc_wait_for(pid_t pid, const char *name, const char *want, size_t n,
			     bool prefix_search)
{
	static char buf[UT_PROC_BUF];
	int64_t end = utest_now_ns() + UT_WAIT_NS;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	while (utest_now_ns() < end) {
		size_t len = ut_proc_read(path, buf, sizeof(buf));

		if (prefix_search ? strstr(buf, want) != NULL :
				    len == n && memcmp(buf, want, n) == 0)
			return true;
		utest_sleep_ns(UTEST_MS);
	}
	return false;
}

void ut_procfs_cmdline_child(void)
{
	static const char want[] = "usertests\0--echo\0two words\0x)y";
	char path[64], prog[256], buf[UT_PAGE];
	bool cmdline_ok, state_ok;
	int p[2], status;
	pid_t pid;

	UT_OK(pipe(p));
	ut_fill_pipe(p[1]);
	ut_binpath(prog, sizeof(prog), "usertests");
	pid = utest_fork();
	if (pid == 0) {
		char *argv[] = { "usertests", "--echo", "two words", "x)y", NULL };

		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execv(prog, argv);
		_exit(127);
	}
	close(p[1]);
	/* The child execs, then blocks writing to the full pipe. */
	cmdline_ok = ut_proc_wait_for(pid, "cmdline", want, sizeof(want), false);
	state_ok = ut_proc_wait_for(pid, "stat", "(usertests) S ", 0, true);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	status = utest_wait(pid);
	close(p[0]);
	UT_CHECK(cmdline_ok && state_ok);
	UT_CHECK_EXIT(status, 0);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	UT_CHECK_ERR(open(path, O_RDONLY), ENOENT);
}

/* The maps line holding addr: its text in line, or false. */
static bool ut_maps_find(const char *maps, uintptr_t addr, char *line, size_t size)
{
	for (const char *p = maps; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		unsigned long lo, hi;

		if (sscanf(p, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
			snprintf(line, size, "%.*s", (int)len, p);
			return true;
		}
		p += len + (nl ? 1 : 0);
	}
	return false;
}

void ut_procfs_maps(void)
{
	static char maps[UT_PROC_BUF * 4];
	char line[512], exe[256];
	int local = 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	UT_CHECK(n > 0);
	exe[n] = '\0';
	ut_proc_read("/proc/self/maps", maps, sizeof(maps));
	UT_CHECK(ut_maps_find(maps, (uintptr_t)&local, line, sizeof(line)));
	UT_CHECK(strstr(line, " rw-p ") && strstr(line, "[stack]"));
	UT_CHECK(ut_maps_find(maps, (uintptr_t)ut_procfs_maps, line, sizeof(line)));
	UT_CHECK(strstr(line, " r-xp ") != NULL);
	UT_CHECK(strlen(line) > strlen(exe) && strcmp(line + strlen(line) - strlen(exe), exe) == 0);
	/* The name column starts where Linux puts it. */
	UT_CHECK(line[72] == ' ' && line[73] == '/');
}

void ut_procfs_fd_links(void)
{
	char path[64], link[256], tmp[128], link2[256];
	int fd, p[2];
	ssize_t n;

	ut_tmppath(tmp, sizeof(tmp), "fdlink");
	fd = (int)UT_OK(open(tmp, O_CREAT | O_RDWR, 0600));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	UT_CHECK(n > 0);
	link[n] = '\0';
	UT_CHECK(strcmp(link, tmp) == 0);
	UT_OK(pipe(p));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = readlink(path, link, sizeof(link) - 1);
	UT_CHECK(n > 0);
	link[n] = '\0';
	UT_CHECK(strncmp(link, "pipe:[", 6) == 0 && link[n - 1] == ']');
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	n = readlink(path, link2, sizeof(link2) - 1);
	UT_CHECK(n > 0);
	link2[n] = '\0';
	UT_CHECK(strcmp(link, link2) == 0); /* both ends: one pipe */
	close(p[0]);
	close(p[1]);
	UT_CHECK_ERR(readlink(path, link, sizeof(link)), ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", getpid(), fd);
	UT_CHECK(readlink(path, link, sizeof(link)) == (ssize_t)strlen(tmp));
	/* Unlinked while open: the path and " (deleted)". */
	UT_OK(unlink(tmp));
	n = readlink(path, link, sizeof(link) - 1);
	UT_CHECK(n > 0);
	link[n] = '\0';
	UT_CHECK(strstr(link, " (deleted)") != NULL);
	close(fd);
}

void ut_procfs_self_links(void)
{
	char link[256], want[256];
	struct stat a, b;
	ssize_t n;

	n = readlink("/proc/self", link, sizeof(link) - 1);
	UT_CHECK(n > 0);
	link[n] = '\0';
	UT_CHECK(atoi(link) == getpid());
	n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	UT_CHECK(n > 0 && link[0] == '/');
	link[n] = '\0';
	UT_OK(stat(link, &a));
	UT_OK(stat("/proc/self/exe", &b));
	UT_CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev && S_ISREG(a.st_mode));
	UT_OK(lstat("/proc/self/exe", &b));
	UT_CHECK(S_ISLNK(b.st_mode));
	UT_OK(chdir("/tmp"));
	n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	UT_CHECK(n > 0);
	link[n] = '\0';
	UT_CHECK(getcwd(want, sizeof(want)) && strcmp(link, want) == 0);
	/* Files read as size 0, as on Linux. */
	UT_OK(stat("/proc/self/stat", &b));
	UT_CHECK(b.st_size == 0 && S_ISREG(b.st_mode));
}

static int ut_task_pipe[2];

static void *ut_task_thread(void *arg)
{
	char c;

	(void)arg;
	*(volatile pid_t *)arg = (pid_t)syscall(SYS_gettid);
	(void)read(ut_task_pipe[0], &c, 1); /* until the test closes it */
	return NULL;
}

void ut_procfs_task_threads(void)
{
	static char buf[UT_PROC_BUF];
	volatile pid_t tids[2] = { 0, 0 };
	char *f[UT_STAT_FIELDS + 8], comm[64], path[64];
	int found = 0, seen_self = 0;
	pthread_t th[2];
	char *ent;
	int fd;

	UT_OK(pipe(ut_task_pipe));
	for (int i = 0; i < 2; i++)
		UT_CHECK(pthread_create(&th[i], NULL, ut_task_thread, (void *)&tids[i]) == 0);
	while (!tids[0] || !tids[1])
		utest_sleep_ns(UTEST_MS);
	/* task/ lists the three thread ids. */
	fd = (int)UT_OK(open("/proc/self/task", O_RDONLY | O_DIRECTORY));
	for (;;) {
		char dents[4096];
		long n = syscall(SYS_getdents64, fd, dents, sizeof(dents));

		UT_CHECK(n >= 0);
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			unsigned short reclen = *(unsigned short *)(dents + off + 16);

			ent = dents + off + 19;
			if (ent[0] != '.') {
				int tid = atoi(ent);

				found++;
				seen_self += tid == getpid();
				UT_CHECK(tid == getpid() || tid == tids[0] || tid == tids[1]);
			}
			off += reclen;
		}
	}
	close(fd);
	UT_CHECK(found == 3 && seen_self == 1);
	ut_proc_read("/proc/self/stat", buf, sizeof(buf));
	UT_CHECK(ut_stat_split(buf, f, UT_STAT_FIELDS + 8, comm, sizeof(comm)) == UT_STAT_FIELDS);
	UT_CHECK(atoi(f[19]) == 3);
	/* The thread's own stat: its id, and asleep once it waits in read(). */
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tids[1]);
	for (int64_t end = utest_now_ns() + UT_WAIT_NS;;) {
		ut_proc_read(path, buf, sizeof(buf));
		UT_CHECK(ut_stat_split(buf, f, UT_STAT_FIELDS + 8, comm, sizeof(comm)) ==
			 UT_STAT_FIELDS);
		if (strcmp(f[2], "S") == 0 || utest_now_ns() > end)
			break;
		utest_sleep_ns(UTEST_MS);
	}
	UT_CHECK(atoi(f[0]) == tids[1] && strcmp(f[2], "S") == 0);
	close(ut_task_pipe[1]);
	for (int i = 0; i < 2; i++)
		UT_CHECK(pthread_join(th[i], NULL) == 0);
	close(ut_task_pipe[0]);
	UT_CHECK_ERR(open(path, O_RDONLY), ENOENT);
}

void ut_procfs_system_files(void)
{
	static char buf[UT_PROC_BUF];
	unsigned long total = 0, free = 0;
	double up, idle, l1, l5, l15;
	int running, threads, last;
	struct utsname u;

	ut_proc_read("/proc/meminfo", buf, sizeof(buf));
	UT_CHECK(sscanf(ut_status_field(buf, "MemTotal"), "%lu kB", &total) == 1);
	UT_CHECK(sscanf(ut_status_field(buf, "MemFree"), "%lu kB", &free) == 1);
	UT_CHECK(total > 0 && free > 0 && free < total);
	UT_CHECK(ut_status_field(buf, "MemAvailable") && ut_status_field(buf, "Cached") &&
		 ut_status_field(buf, "SwapTotal") && ut_status_field(buf, "Buffers"));
	ut_proc_read("/proc/uptime", buf, sizeof(buf));
	UT_CHECK(sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0);
	ut_proc_read("/proc/loadavg", buf, sizeof(buf));
	UT_CHECK(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &threads, &last) ==
		 6);
	UT_CHECK(running >= 1 && threads >= running && last >= getpid());
	/* sysinfo's loads (what busybox uptime prints) are the same averages. */
	for (int tries = 0;; tries++) {
		struct sysinfo si;
		double diff;

		UT_OK(sysinfo(&si));
		ut_proc_read("/proc/loadavg", buf, sizeof(buf));
		UT_CHECK(sscanf(buf, "%lf", &l1) == 1);
		diff = l1 - si.loads[0] / 65536.0;
		if ((diff < 0.02 && diff > -0.02) || tries == 3) {
			UT_CHECK(diff < 0.02 && diff > -0.02);
			break;
		}
	}
	ut_proc_read("/proc/stat", buf, sizeof(buf));
	UT_CHECK(strncmp(buf, "cpu  ", 5) == 0 && strstr(buf, "\ncpu0 "));
	UT_CHECK(strstr(buf, "\nctxt ") && strstr(buf, "\nbtime ") && strstr(buf, "\nprocesses ") &&
		 strstr(buf, "\nprocs_running "));
	UT_OK(uname(&u));
	ut_proc_read("/proc/sys/kernel/ostype", buf, sizeof(buf));
	UT_CHECK(strcmp(buf, "Linux\n") == 0);
	ut_proc_read("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	UT_CHECK(strncmp(buf, u.release, strlen(u.release)) == 0);
	ut_proc_read("/proc/sys/kernel/hostname", buf, sizeof(buf));
	UT_CHECK(strncmp(buf, u.nodename, strlen(u.nodename)) == 0);
	ut_proc_read("/proc/version", buf, sizeof(buf));
	UT_CHECK(strncmp(buf, "Linux version ", 14) == 0);
	ut_proc_read("/proc/filesystems", buf, sizeof(buf));
	UT_CHECK(strstr(buf, "\tproc\n") && strstr(buf, "\ttmpfs\n"));
}

/* Is there a line "src dir type ..." in /proc/mounts? */
static bool ut_mounted(const char *dir, const char *type)
{
	static char buf[UT_PROC_BUF];
	char want[256];

	snprintf(want, sizeof(want), " %s %s ", dir, type);
	ut_proc_read("/proc/mounts", buf, sizeof(buf));
	return strstr(buf, want) != NULL;
}

void ut_mount_tmpfs(void)
{
	char dir[128], file[160];
	struct stat st;
	int fd;

	ut_tmppath(dir, sizeof(dir), "mnt");
	UT_OK(mkdir(dir, 0755));
	UT_OK(mount("none", dir, "tmpfs", MS_NOSUID, "mode=700"));
	UT_CHECK(ut_mounted(dir, "tmpfs"));
	UT_OK(stat(dir, &st));
	UT_CHECK((st.st_mode & 07777) == 0700);
	snprintf(file, sizeof(file), "%s/f", dir);
	fd = (int)UT_OK(open(file, O_CREAT | O_WRONLY, 0644));
	UT_CHECK(write(fd, "data", 4) == 4);
	/* In use: an open file, then a working directory. */
	UT_CHECK_ERR(umount2(dir, 0), EBUSY);
	close(fd);
	UT_OK(chdir(dir));
	UT_CHECK_ERR(umount2(dir, 0), EBUSY);
	UT_OK(chdir("/"));
	UT_OK(umount2(dir, 0));
	UT_CHECK(!ut_mounted(dir, "tmpfs"));
	UT_CHECK_ERR(stat(file, &st), ENOENT); /* the tmpfs's file went with it */
	UT_CHECK_ERR(umount2(dir, 0), EINVAL); /* not a mount point any more */
	UT_OK(rmdir(dir));
}

void ut_mount_errors(void)
{
	char dir[128], file[160];
	int fd;

	ut_tmppath(dir, sizeof(dir), "mnterr");
	UT_OK(mkdir(dir, 0755));
	snprintf(file, sizeof(file), "%s/file", dir);
	fd = (int)UT_OK(open(file, O_CREAT | O_WRONLY, 0644));
	close(fd);
	UT_CHECK_ERR(mount("none", dir, "nosuchfs", 0, NULL), ENODEV);
	UT_CHECK_ERR(mount("none", "/nonexistent/dir", "tmpfs", 0, NULL), ENOENT);
	UT_CHECK_ERR(mount("none", file, "proc", 0, NULL), ENOTDIR);
	UT_CHECK_ERR(mount("none", dir, "tmpfs", 0, "bogus=1"), EINVAL);
	UT_CHECK_ERR(mount("none", dir, "tmpfs", 0, "mode=9"), EINVAL);
	UT_CHECK_ERR(umount2(dir, 0), EINVAL);
	UT_CHECK_ERR(umount2("/nonexistent/dir", 0), ENOENT);
	UT_CHECK_ERR(umount2(dir, 0x100), EINVAL);
	/* A mount inside a mount keeps the outer one busy. */
	UT_OK(mount("none", dir, "tmpfs", 0, NULL));
	UT_CHECK_ERR(unlink(dir), EISDIR); /* the type first, then EBUSY */
	UT_CHECK_ERR(rmdir(dir), EBUSY);
	UT_OK(mkdir(file, 0755));
	UT_OK(mount("none", file, "tmpfs", 0, NULL));
	UT_CHECK_ERR(umount2(dir, 0), EBUSY);
	UT_OK(umount2(file, 0));
	UT_OK(umount2(dir, 0));
	UT_OK(unlink(file));
	UT_OK(rmdir(dir));
}

void ut_mount_proc_remount(void)
{
	char dir[128], path[160], link[64];
	ssize_t n;

	ut_tmppath(dir, sizeof(dir), "proc");
	UT_OK(mkdir(dir, 0755));
	UT_OK(mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	UT_CHECK(ut_mounted(dir, "proc"));
	snprintf(path, sizeof(path), "%s/self", dir);
	n = readlink(path, link, sizeof(link) - 1);
	UT_CHECK(n > 0);
	link[n] = '\0';
	UT_CHECK(atoi(link) == getpid());
	UT_OK(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL));
	{
		static char buf[UT_PROC_BUF];
		char want[200];

		snprintf(want, sizeof(want), "proc %s proc ro,nosuid,nodev,noexec", dir);
		ut_proc_read("/proc/mounts", buf, sizeof(buf));
		UT_CHECK(strstr(buf, want) != NULL);
	}
	UT_OK(umount2(dir, 0));
	UT_OK(rmdir(dir));
}

/* Copy the running program to path (mode 0755). */
static void ut_copy_self(const char *path)
{
	static char buf[UT_PROC_BUF];
	int in = (int)UT_OK(open("/proc/self/exe", O_RDONLY));
	int out = (int)UT_OK(open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755));
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		utest_write_all(out, buf, (size_t)n);
	UT_CHECK(n == 0);
	close(in);
	close(out);
}

void ut_mount_readonly_noexec(void)
{
	char dir[128], file[160], sub[160], prog[160];
	char *argv[] = { "usertests", "--exit", "0", NULL };
	int fd;

	ut_tmppath(dir, sizeof(dir), "ro");
	UT_OK(mkdir(dir, 0755));
	UT_OK(mount("none", dir, "tmpfs", 0, NULL));
	snprintf(file, sizeof(file), "%s/f", dir);
	snprintf(sub, sizeof(sub), "%s/d", dir);
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	fd = (int)UT_OK(open(file, O_CREAT | O_WRONLY, 0644));
	close(fd);
	ut_copy_self(prog);
	UT_OK(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	UT_CHECK_ERR(open(file, O_WRONLY), EROFS);
	UT_CHECK_ERR(open(file, O_RDONLY | O_TRUNC), EROFS);
	UT_CHECK_ERR(open(sub, O_CREAT | O_WRONLY, 0644), EROFS);
	UT_CHECK_ERR(open(file, O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	UT_CHECK_ERR(mkdir(sub, 0755), EROFS);
	UT_CHECK_ERR(mkdir(file, 0755), EEXIST);
	UT_CHECK_ERR(unlink(file), EROFS);
	UT_CHECK_ERR(rename(file, sub), EROFS);
	fd = (int)UT_OK(open(file, O_RDONLY));
	close(fd);
	UT_OK(mount(NULL, dir, NULL, MS_REMOUNT | MS_NOEXEC, NULL));
	UT_CHECK_ERR(execv(prog, argv), EACCES);
	fd = (int)UT_OK(open(file, O_WRONLY));
	close(fd);
	UT_OK(mount(NULL, dir, NULL, MS_REMOUNT, NULL));
	{
		pid_t pid = utest_fork();

		if (pid == 0) {
			execv(prog, argv);
			_exit(127);
		}
		UT_CHECK_EXIT(utest_wait(pid), 0);
	}
	UT_OK(unlink(file));
	UT_OK(unlink(prog));
	UT_OK(umount2(dir, 0));
	UT_OK(rmdir(dir));
}

/*
 * ut_cred.c - usertests: credentials (real, effective, saved and
 * file-system ids) and the calls only a privileged process may make.
 * Each test starts as root (euid 0) and drops privilege in a child.
 *
 *   cred_root_setuid       root's setuid sets all four uids; after it the
 *                          process is unprivileged and setuid(0) is EPERM;
 *                          setuid(-1) is EINVAL
 *   cred_saved_uid         seteuid-style changes keep the saved uid, which
 *                          lets the process become root again; setreuid's
 *                          saved-uid rule; setuid by a non-root euid with
 *                          saved 0
 *   cred_nonroot_refused   uid 1000: every set*id that names an id it does
 *                          not hold is EPERM, permutations of held ids
 *                          work; setfsuid only to held ids (returns the
 *                          old one); setgroups, sethostname,
 *                          setdomainname, reboot, settimeofday,
 *                          clock_settime, mount, umount2, clearing the
 *                          kernel log, setting its console level, another
 *                          user's CPU affinity and raising a hard limit
 *                          are EPERM
 *   cred_gid_calls         setgid/setregid/setresgid/setfsgid as root and
 *                          as non-root (the euid decides), getresgid
 *   cred_fork_exec         ids are inherited by fork; across execve the
 *                          saved ids become the effective ones (checked by
 *                          "usertests --cred" in the new image), and
 *                          AT_SECURE is set when real and effective differ
 *   cred_proc_status       /proc/self/status Uid:, Gid: (real, effective,
 *                          saved, fs) and Groups:
 *   cred_getres_efault     getresuid/getresgid to a bad pointer: EFAULT
 *   cred_kill_permission   uid 1000 may not signal a root process (kill,
 *                          signal 0, tkill, tgkill, rt_sigqueueinfo, its
 *                          process group: EPERM) except with SIGCONT in
 *                          its session; it may signal a process whose
 *                          real uid is its own; kill(-1) is 0
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <fcntl.h>
#include <signal.h>
#include "usertests.h"

#define UT_UID              1000u
#define UT_UID2             1001u
#define UT_UID3             1002u
#define UT_GID              2000u
#define UT_GID2             2001u
#define UT_GID3             2002u
#define UT_NONE             ((unsigned)-1)
#define UT_STATUS_MAX       4096
#define UT_REBOOT_BAD_MAGIC 0x1234 /* never a valid magic: harmless even if allowed */

/* The current real, effective, saved uids and the fs uid. */
static void ut_uids(unsigned *r, unsigned *e, unsigned *s, unsigned *fs)
{
	UT_OK(syscall(SYS_getresuid, r, e, s));
	*fs = (unsigned)syscall(SYS_setfsuid, UT_NONE); /* -1: only reports */
}

static void ut_gids(unsigned *r, unsigned *e, unsigned *s, unsigned *fs)
{
	UT_OK(syscall(SYS_getresgid, r, e, s));
	*fs = (unsigned)syscall(SYS_setfsgid, UT_NONE);
}

#define UT_CHECK_UIDS(R, E, S, FS)                                                                \
	do {                                                                                      \
		unsigned r_, e_, s_, fs_;                                                         \
		ut_uids(&r_, &e_, &s_, &fs_);                                                     \
		if (r_ != (R) || e_ != (E) || s_ != (S) || fs_ != (FS))                           \
			utest_fail("line %d: uids %u %u %u fs %u, want %u %u %u fs %u", __LINE__, \
				   r_, e_, s_, fs_, (R), (E), (S), (FS));                         \
	} while (0)

#define UT_CHECK_GIDS(R, E, S, FS)                                                                \
	do {                                                                                      \
		unsigned r_, e_, s_, fs_;                                                         \
		ut_gids(&r_, &e_, &s_, &fs_);                                                     \
		if (r_ != (R) || e_ != (E) || s_ != (S) || fs_ != (FS))                           \
			utest_fail("line %d: gids %u %u %u fs %u, want %u %u %u fs %u", __LINE__, \
				   r_, e_, s_, fs_, (R), (E), (S), (FS));                         \
	} while (0)

/* Runs fn in a child that must exit 0. */
static void ut_cred_child(void (*fn)(void *))
{
	UT_CHECK_EXIT(ut_in_child(fn, NULL), 0);
}

static void root_setuid(void *arg)
{
	(void)arg;
	UT_CHECK_UIDS(0u, 0u, 0u, 0u);
	UT_CHECK(syscall(SYS_getuid) == 0 && syscall(SYS_geteuid) == 0);
	UT_CHECK_ERR(syscall(SYS_setuid, UT_NONE), EINVAL);
	UT_OK(syscall(SYS_setuid, UT_UID));
	UT_CHECK_UIDS(UT_UID, UT_UID, UT_UID, UT_UID);
	UT_CHECK(syscall(SYS_getuid) == UT_UID && syscall(SYS_geteuid) == UT_UID);
	UT_CHECK_ERR(syscall(SYS_setuid, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_setuid, UT_UID2), EPERM);
	UT_OK(syscall(SYS_setuid, UT_UID)); /* its own id: allowed */
	UT_CHECK_UIDS(UT_UID, UT_UID, UT_UID, UT_UID);
}

void ut_cred_root_setuid(void)
{
	ut_cred_child(root_setuid);
}

static void saved_uid(void *arg)
{
	(void)arg;
	/* seteuid as glibc does it: the saved uid stays 0. */
	UT_OK(syscall(SYS_setresuid, UT_NONE, UT_UID, UT_NONE));
	UT_CHECK_UIDS(0u, UT_UID, 0u, UT_UID);
	UT_CHECK_ERR(syscall(SYS_setgroups, 0, NULL), EPERM); /* euid != 0 */
	UT_OK(syscall(SYS_setresuid, UT_NONE, 0, UT_NONE));   /* back: 0 is held */
	UT_CHECK_UIDS(0u, 0u, 0u, 0u);
	/* setreuid(-1, e) with e != real: the saved uid follows. */
	UT_OK(syscall(SYS_setreuid, UT_NONE, UT_UID));
	UT_CHECK_UIDS(0u, UT_UID, UT_UID, UT_UID);
	/* ... back to the real uid: the saved uid stays. */
	UT_OK(syscall(SYS_setreuid, UT_NONE, 0));
	UT_CHECK_UIDS(0u, 0u, UT_UID, 0u);
	/* setreuid with a real uid: saved = new effective. */
	UT_OK(syscall(SYS_setreuid, UT_UID2, UT_UID3));
	UT_CHECK_UIDS(UT_UID2, UT_UID3, UT_UID3, UT_UID3);
	UT_CHECK_ERR(syscall(SYS_setreuid, UT_NONE, 0), EPERM);
}

static void saved_uid_setuid(void *arg)
{
	(void)arg;
	/* Non-root with saved uid 0: setuid(0) sets only euid and fsuid. */
	UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID2, 0));
	UT_CHECK_UIDS(UT_UID, UT_UID2, 0u, UT_UID2);
	UT_CHECK_ERR(syscall(SYS_setuid, UT_UID3), EPERM);
	UT_OK(syscall(SYS_setuid, 0));
	UT_CHECK_UIDS(UT_UID, 0u, 0u, 0u);
	/* Privileged again: setuid sets all of them, for good. */
	UT_OK(syscall(SYS_setuid, UT_UID3));
	UT_CHECK_UIDS(UT_UID3, UT_UID3, UT_UID3, UT_UID3);
	UT_CHECK_ERR(syscall(SYS_setuid, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_setresuid, UT_NONE, 0, UT_NONE), EPERM);
}

void ut_cred_saved_uid(void)
{
	ut_cred_child(saved_uid);
	ut_cred_child(saved_uid_setuid);
}

static void nonroot_refused(void *arg)
{
	struct rlimit rl;
	char name[] = "keel";

	(void)arg;
	UT_OK(syscall(SYS_setresgid, UT_GID, UT_GID, UT_GID));
	UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID2, UT_UID3));
	UT_CHECK_UIDS(UT_UID, UT_UID2, UT_UID3, UT_UID2);
	UT_CHECK_ERR(syscall(SYS_setuid, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_setreuid, 0, UT_NONE), EPERM);
	UT_CHECK_ERR(syscall(SYS_setreuid, UT_UID3, UT_NONE), EPERM); /* real: r or e only */
	UT_CHECK_ERR(syscall(SYS_setreuid, UT_NONE, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_setresuid, 0, UT_NONE, UT_NONE), EPERM);
	UT_CHECK_ERR(syscall(SYS_setresuid, UT_NONE, UT_NONE, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_setresuid, UT_UID, UT_UID, 4242), EPERM);
	UT_CHECK_UIDS(UT_UID, UT_UID2, UT_UID3, UT_UID2); /* nothing half-done */
	UT_OK(syscall(SYS_setresuid, UT_NONE, UT_NONE, UT_NONE));
	/* setfsuid: the old value back; changes only to a held id. */
	UT_CHECK(syscall(SYS_setfsuid, 0) == UT_UID2);
	UT_CHECK(syscall(SYS_setfsuid, UT_NONE) == UT_UID2);
	UT_CHECK(syscall(SYS_setfsuid, UT_UID3) == UT_UID2);
	UT_CHECK(syscall(SYS_setfsuid, UT_NONE) == UT_UID3);
	/* Permutations of the held ids. */
	UT_OK(syscall(SYS_setresuid, UT_UID3, UT_UID, UT_UID2));
	UT_CHECK_UIDS(UT_UID3, UT_UID, UT_UID2, UT_UID);
	UT_OK(syscall(SYS_setreuid, UT_UID, UT_NONE)); /* real := effective */
	UT_CHECK_UIDS(UT_UID, UT_UID, UT_UID, UT_UID);
	/* Privileged calls. */
	UT_CHECK_ERR(syscall(SYS_setgroups, 0, NULL), EPERM);
	UT_CHECK_ERR(syscall(SYS_setgid, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_sethostname, name, 4), EPERM);
	UT_CHECK_ERR(syscall(SYS_sethostname, name, -1), EPERM); /* checked first */
	UT_CHECK_ERR(syscall(SYS_setdomainname, name, 4), EPERM);
	UT_CHECK_ERR(syscall(SYS_reboot, UT_REBOOT_BAD_MAGIC, 0, 0, NULL), EPERM);
	/* The clock and the mounts: EPERM after the argument checks. */
	struct timeval tv = { 1, 0 }, bad_tv = { 1, 1000000 };
	struct timespec ts = { 1, 0 };
	UT_CHECK_ERR(syscall(SYS_settimeofday, &bad_tv, NULL), EINVAL);
	UT_CHECK_ERR(syscall(SYS_settimeofday, &tv, NULL), EPERM);
	UT_CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts), EPERM);
	UT_CHECK_ERR(syscall(SYS_mount, "none", "/nonexistent.ut", "tmpfs", 0, NULL), ENOENT);
	UT_CHECK_ERR(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL), EPERM);
	UT_CHECK_ERR(syscall(SYS_umount2, "/proc", 0), EPERM);
	uint64_t cpus = 1;
	UT_CHECK_ERR(syscall(SYS_sched_setaffinity, 1, sizeof(cpus), &cpus), EPERM); /* root's */
	UT_CHECK_ERR(syscall(SYS_syslog, 5 /* CLEAR */, NULL, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_syslog, 8 /* CONSOLE_LEVEL */, NULL, 4), EPERM);
	UT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	UT_CHECK(rl.rlim_max > 1);
	rl.rlim_max--;
	rl.rlim_cur = rl.rlim_max;
	UT_OK(setrlimit(RLIMIT_NOFILE, &rl)); /* lowering: allowed */
	rl.rlim_max++;
	UT_CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	UT_CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL), EPERM);
}

void ut_cred_nonroot_refused(void)
{
	ut_cred_child(nonroot_refused);
}

static void gid_calls(void *arg)
{
	(void)arg;
	UT_CHECK_GIDS(0u, 0u, 0u, 0u);
	UT_CHECK(syscall(SYS_getgid) == 0 && syscall(SYS_getegid) == 0);
	UT_CHECK_ERR(syscall(SYS_setgid, UT_NONE), EINVAL);
	UT_OK(syscall(SYS_setgid, UT_GID)); /* root: all four */
	UT_CHECK_GIDS(UT_GID, UT_GID, UT_GID, UT_GID);
	UT_OK(syscall(SYS_setregid, UT_GID2, UT_GID3));
	UT_CHECK_GIDS(UT_GID2, UT_GID3, UT_GID3, UT_GID3);
	UT_OK(syscall(SYS_setresgid, UT_GID, UT_GID2, UT_GID3));
	UT_CHECK_GIDS(UT_GID, UT_GID2, UT_GID3, UT_GID2);
	UT_CHECK(syscall(SYS_getgid) == UT_GID && syscall(SYS_getegid) == UT_GID2);
	/* Drop the uids: the euid decides for group ids too. */
	UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID, UT_UID));
	UT_CHECK_ERR(syscall(SYS_setgid, 0), EPERM);
	UT_CHECK_ERR(syscall(SYS_setregid, 0, UT_NONE), EPERM);
	UT_CHECK_ERR(syscall(SYS_setregid, UT_GID3, UT_NONE), EPERM);
	UT_CHECK_ERR(syscall(SYS_setresgid, UT_NONE, 0, UT_NONE), EPERM);
	UT_CHECK(syscall(SYS_setfsgid, 0) == UT_GID2);
	UT_CHECK(syscall(SYS_setfsgid, UT_NONE) == UT_GID2);
	UT_OK(syscall(SYS_setgid, UT_GID3)); /* the saved gid */
	UT_CHECK_GIDS(UT_GID, UT_GID3, UT_GID3, UT_GID3);
	UT_OK(syscall(SYS_setresgid, UT_GID3, UT_GID, UT_NONE));
	UT_CHECK_GIDS(UT_GID3, UT_GID, UT_GID3, UT_GID);
}

void ut_cred_gid_calls(void)
{
	ut_cred_child(gid_calls);
}

/* "usertests --cred r e s rg eg sg secure": exit 0 if the ids (and
 * AT_SECURE) are these, else 1. */
int ut_helper_cred(int argc, char **argv)
{
	unsigned want[7], got[8];

	if (argc != 9)
		return 2;
	for (int i = 0; i < 7; i++)
		want[i] = (unsigned)strtoul(argv[i + 2], NULL, 0);
	if (syscall(SYS_getresuid, &got[0], &got[1], &got[2]) ||
	    syscall(SYS_getresgid, &got[3], &got[4], &got[5]))
		return 1;
	got[6] = (unsigned)getauxval(AT_SECURE);
	for (int i = 0; i < 7; i++) {
		if (want[i] != got[i]) {
			fprintf(stderr, "usertests --cred: id %d is %u, want %u\n", i, got[i],
				want[i]);
			return 1;
		}
	}
	return 0;
}

/* Exec "usertests --cred" with the ids it must see; its exit status. */
static int ut_exec_cred_check(unsigned r, unsigned e, unsigned s, unsigned rg, unsigned eg,
			      unsigned sg, unsigned secure)
{
	char path[256], a[7][16];
	pid_t pid;

	ut_binpath(path, sizeof(path), "usertests");
	snprintf(a[0], sizeof(a[0]), "%u", r);
	snprintf(a[1], sizeof(a[1]), "%u", e);
	snprintf(a[2], sizeof(a[2]), "%u", s);
	snprintf(a[3], sizeof(a[3]), "%u", rg);
	snprintf(a[4], sizeof(a[4]), "%u", eg);
	snprintf(a[5], sizeof(a[5]), "%u", sg);
	snprintf(a[6], sizeof(a[6]), "%u", secure);
	pid = utest_fork();
	if (pid == 0) {
		char *argv[] = { path, "--cred", a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL };
		char *envp[] = { NULL };

		execve(path, argv, envp);
		_exit(3);
	}
	return utest_wait(pid);
}

static void fork_exec(void *arg)
{
	pid_t pid;

	(void)arg;
	UT_CHECK_EXIT(ut_exec_cred_check(0, 0, 0, 0, 0, 0, 0), 0);
	UT_OK(syscall(SYS_setresgid, UT_GID, UT_GID2, UT_GID3));
	UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID2, UT_UID3));
	pid = utest_fork();
	if (pid == 0) {
		UT_CHECK_UIDS(UT_UID, UT_UID2, UT_UID3, UT_UID2);
		UT_CHECK_GIDS(UT_GID, UT_GID2, UT_GID3, UT_GID2);
		UT_CHECK_ERR(syscall(SYS_setuid, 0), EPERM);
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	/* exec: saved := effective; real and effective differ: AT_SECURE. */
	UT_CHECK_EXIT(ut_exec_cred_check(UT_UID, UT_UID2, UT_UID2, UT_GID, UT_GID2, UT_GID2, 1), 0);
	/* The caller itself is unchanged by its child's exec. */
	UT_CHECK_UIDS(UT_UID, UT_UID2, UT_UID3, UT_UID2);
	UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID, UT_UID));
	UT_OK(syscall(SYS_setresgid, UT_GID, UT_GID, UT_GID));
	UT_CHECK_EXIT(ut_exec_cred_check(UT_UID, UT_UID, UT_UID, UT_GID, UT_GID, UT_GID, 0), 0);
}

void ut_cred_fork_exec(void)
{
	ut_cred_child(fork_exec);
}

/* The line of /proc/self/status that starts with key, without it. */
static void ut_status_line(const char *key, char *out, size_t size)
{
	char buf[UT_STATUS_MAX];
	ssize_t n;
	int fd = (int)UT_OK(open("/proc/self/status", O_RDONLY));
	char *p;

	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	UT_CHECK(n > 0);
	buf[n] = 0;
	p = strstr(buf, key);
	if (!p || (p != buf && p[-1] != '\n'))
		utest_fail("no %s in /proc/self/status", key);
	p += strlen(key);
	snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
}

static void proc_status(void *arg)
{
	const unsigned groups[] = { 5, 6 };
	char line[128];

	(void)arg;
	ut_status_line("Uid:", line, sizeof(line));
	UT_CHECK(strcmp(line, "\t0\t0\t0\t0") == 0);
	UT_OK(syscall(SYS_setgroups, 2, groups));
	ut_status_line("Groups:", line, sizeof(line));
	if (strcmp(line, "\t5 6 ") != 0)
		utest_fail("Groups:%s", line);
	UT_OK(syscall(SYS_setresgid, UT_GID, UT_GID2, UT_GID3));
	UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID2, UT_UID3));
	UT_CHECK(syscall(SYS_setfsuid, UT_UID3) == UT_UID2);
	ut_status_line("Uid:", line, sizeof(line));
	if (strcmp(line, "\t1000\t1001\t1002\t1002") != 0)
		utest_fail("Uid:%s", line);
	ut_status_line("Gid:", line, sizeof(line));
	if (strcmp(line, "\t2000\t2001\t2002\t2001") != 0)
		utest_fail("Gid:%s", line);
}

void ut_cred_proc_status(void)
{
	ut_cred_child(proc_status);
}

void ut_cred_getres_efault(void)
{
	unsigned a, b;

	UT_CHECK_ERR(syscall(SYS_getresuid, &a, &b, UT_BAD_LOW), EFAULT);
	UT_CHECK_ERR(syscall(SYS_getresuid, UT_BAD_KERNEL, &a, &b), EFAULT);
	UT_CHECK_ERR(syscall(SYS_getresgid, &a, UT_BAD_NONCANON, &b), EFAULT);
}

/* A child that waits to be killed; its pid.  uid: setresuid first, or -1. */
static pid_t ut_victim(unsigned uid)
{
	pid_t pid = utest_fork();

	if (pid == 0) {
		UT_OK(setpgid(0, 0));
		if (uid != UT_NONE)
			UT_OK(syscall(SYS_setresuid, uid, 0, 0)); /* real uid, euid 0 */
		for (;;)
			pause();
	}
	UT_OK(setpgid(pid, pid) == 0 || errno == EACCES ? 0 : -1);
	return pid;
}

static void kill_permission(void *arg)
{
	pid_t root = ut_victim(UT_NONE), mine = ut_victim(UT_UID), pid;
	siginfo_t si;

	(void)arg;
	usleep(20000); /* both have their uids and groups */
	pid = utest_fork();
	if (pid == 0) {
		UT_OK(syscall(SYS_setresuid, UT_UID, UT_UID, UT_UID));
		UT_CHECK_ERR(kill(root, 0), EPERM);
		UT_CHECK_ERR(kill(root, SIGTERM), EPERM);
		UT_CHECK_ERR(kill(-root, SIGTERM), EPERM);
		UT_CHECK_ERR(syscall(SYS_tkill, root, SIGTERM), EPERM);
		UT_CHECK_ERR(syscall(SYS_tgkill, root, root, 0), EPERM);
		memset(&si, 0, sizeof(si));
		si.si_code = SI_QUEUE;
		UT_CHECK_ERR(syscall(SYS_rt_sigqueueinfo, root, SIGUSR1, &si), EPERM);
		UT_OK(kill(root, SIGCONT)); /* same session */
		UT_OK(kill(-1, 0));
		UT_OK(kill(mine, 0)); /* its real uid is ours */
		UT_OK(kill(getpid(), 0));
		UT_OK(kill(mine, SIGKILL));
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK_KILLED(utest_wait(mine), SIGKILL);
	UT_OK(kill(root, 0)); /* still there */
	UT_OK(kill(root, SIGKILL));
	UT_CHECK_KILLED(utest_wait(root), SIGKILL);
}

void ut_cred_kill_permission(void)
{
	ut_cred_child(kill_permission);
}

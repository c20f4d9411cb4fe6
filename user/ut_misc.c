/*
 * ut_misc.c - usertests: file metadata, file systems, names, wall-clock
 * time, CPU-time reports, resource limits and the kernel log.
 *
 *   meta_chmod      chmod/fchmod/fchmodat set the permission bits (type
 *                   kept, set-id bits too); a symlink's mode cannot change
 *                   (EOPNOTSUPP); ENOENT
 *   meta_chown      chown/fchown/lchown/fchownat store owner and group
 *                   (-1 keeps one); lchown changes the link, not its
 *                   target; any chown clears S_ISUID (and S_ISGID
 *                   with group execute)
 *   meta_utimens    utimensat with explicit times (before 1970 too),
 *                   UTIME_OMIT, UTIME_NOW, NULL; futimens (path NULL); AT_SYMLINK_NOFOLLOW; bad
 *                   nsec EINVAL; utimes and utime
 *   meta_truncate   truncate(path) shrinks and grows; EISDIR, EINVAL,
 *                   ENOENT
 *   meta_link       link/linkat: one inode, nlink counts, data kept after
 *                   unlinking a name; EEXIST, EPERM on a directory, EXDEV
 *                   across file systems, AT_SYMLINK_FOLLOW
 *   meta_statfs     statfs/fstatfs: block size, name length, the same
 *                   file system for a file and its directory, a pipe is
 *                   pipefs; on Keel /tmp is a tmpfs
 *   groups_set      setgroups/getgroups round trip, EINVAL for a short
 *                   buffer; inherited by fork
 *   hostname_set    sethostname/setdomainname show in uname; EINVAL over
 *                   64 bytes (restored afterwards)
 *   realtime_clock  CLOCK_REALTIME, gettimeofday and time() agree and are
 *                   after 2020; clock_settime/settimeofday set it (a jump
 *                   only on Keel; on Linux the same time), EINVAL for
 *                   another clock or a bad nsec
 *   rusage_self     getrusage(SELF/THREAD) and times() grow with a busy
 *                   loop, ru_nvcsw with sleeps; EINVAL for a bad who
 *   rusage_children wait4's rusage and getrusage(CHILDREN) report a busy
 *                   child's time
 *   rlimit_nofile   a lowered RLIMIT_NOFILE gives EMFILE (open, dup, pipe),
 *                   dup2 past it EBADF, F_DUPFD past it EINVAL; soft over
 *                   hard EINVAL; inherited by fork
 *   rlimit_as       a lowered RLIMIT_AS makes a big mmap fail with ENOMEM
 *                   and brk stay put; small mmaps still work
 *   rlimit_stack    a lowered RLIMIT_STACK stops the stack from growing
 *                   (SIGSEGV) at once, without an exec; under the default
 *                   the same depth is fine
 *   rlimit_fsize    a write past RLIMIT_FSIZE is cut short there; one at
 *                   the limit fails with EFBIG and raises SIGXFSZ (ignored
 *                   here; by default it kills); ftruncate past it EFBIG;
 *                   pipes are not limited
 *   rlimit_prlimit  prlimit64 reads and sets another process's limits
 *                   (a thread id names its process); ESRCH, EINVAL; RLIMIT_NPROC and others are stored
 *   syslog_read     syslog(READ_ALL) returns "<N>"-prefixed lines,
 *                   SIZE_BUFFER the ring size; a bad action or buffer is
 *                   EINVAL; on Keel only (the host's log is not ours to
 *                   take): READ consumes, CLEAR empties READ_ALL
 */
#include "usertests.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <utime.h>

#define UT_PATH_MAX           128
#define UT_TMPFS_MAGIC        0x01021994
#define UT_PIPEFS_MAGIC       0x50495045
#define UT_YEAR2020           1577836800ll
#define UT_NR_FCHMODAT2       452
#define UT_BUSY_NS            (300 * UTEST_MS)
#define UT_MIN_CPU_US         100000
#define UT_NOFILE             16
#define UT_AS_LIMIT           (64ul << 20)
#define UT_BIG_MAP            (128ul << 20)
#define UT_SYSLOG_READ        2
#define UT_SYSLOG_CLEAR       5
#define UT_SYSLOG_SIZE_UNREAD 9
#define UT_SYSLOG_READ_ALL    3
#define UT_SYSLOG_SIZE_BUFFER 10
#define UT_SYSLOG_BUF         65536
#define UT_JUMP_SEC           100000
#define UT_SLEEPS             3
#define UT_SLEEP_NS           (5 * UTEST_MS)

static bool ut_on_keel(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.release, "keel") != NULL;
}

static void ut_mkfile(const char *path, const char *data)
{
	int fd = UT_OK(open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644));

	utest_write_all(fd, data, strlen(data));
	close(fd);
}

static struct stat ut_stat(const char *path)
{
	struct stat st;

	UT_OK(stat(path, &st));
	return st;
}

static struct stat ut_lstat(const char *path)
{
	struct stat st;

	UT_OK(lstat(path, &st));
	return st;
}

void ut_meta_chmod(void)
{
	char path[UT_PATH_MAX], link[UT_PATH_MAX];
	int fd;

	ut_tmppath(path, sizeof(path), "chmod");
	ut_tmppath(link, sizeof(link), "chmod.l");
	ut_mkfile(path, "x");
	UT_OK(chmod(path, 0640));
	UT_CHECK(ut_stat(path).st_mode == (S_IFREG | 0640));
	UT_OK(chmod(path, 04755));
	UT_CHECK(ut_stat(path).st_mode == (S_IFREG | 04755));
	fd = UT_OK(open(path, O_RDONLY));
	UT_OK(fchmod(fd, 0600));
	UT_CHECK(ut_stat(path).st_mode == (S_IFREG | 0600));
	UT_OK(syscall(SYS_fchmodat, AT_FDCWD, path, 0444));
	UT_CHECK(ut_stat(path).st_mode == (S_IFREG | 0444));
	UT_OK(symlink(path, link));
	/* chmod follows a symlink; a symlink's own mode cannot change. */
	UT_OK(chmod(link, 0604));
	UT_CHECK(ut_stat(path).st_mode == (S_IFREG | 0604));
	UT_CHECK_ERR(fchmodat(AT_FDCWD, link, 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	UT_CHECK_ERR(fchmodat(AT_FDCWD, path, 0600, 0x1), EINVAL);
	errno = 0;
	if (syscall(UT_NR_FCHMODAT2, AT_FDCWD, link, 0600, AT_SYMLINK_NOFOLLOW) != -1 ||
	    (errno != EOPNOTSUPP && errno != ENOSYS))
		utest_fail("fchmodat2 on a symlink: errno %d", errno);
	UT_CHECK_ERR(chmod("/tmp/ut.no/such", 0600), ENOENT);
	UT_CHECK_ERR(chmod("", 0600), ENOENT);
	UT_CHECK_ERR(syscall(SYS_chmod, UT_BAD_LOW, 0600), EFAULT);
	UT_CHECK_ERR(fchmod(-1, 0600), EBADF);
	close(fd);
	unlink(link);
	unlink(path);
}

void ut_meta_chown(void)
{
	char path[UT_PATH_MAX], link[UT_PATH_MAX];
	struct stat st;
	int fd;

	ut_tmppath(path, sizeof(path), "chown");
	ut_tmppath(link, sizeof(link), "chown.l");
	ut_mkfile(path, "x");
	UT_OK(chown(path, 123, 456));
	st = ut_stat(path);
	UT_CHECK(st.st_uid == 123 && st.st_gid == 456);
	UT_OK(chown(path, (uid_t)-1, 789));
	st = ut_stat(path);
	UT_CHECK(st.st_uid == 123 && st.st_gid == 789);
	fd = UT_OK(open(path, O_RDONLY));
	UT_OK(fchown(fd, 321, (gid_t)-1));
	st = ut_stat(path);
	UT_CHECK(st.st_uid == 321 && st.st_gid == 789);
	UT_OK(fchownat(fd, "", 5, 6, AT_EMPTY_PATH));
	st = ut_stat(path);
	UT_CHECK(st.st_uid == 5 && st.st_gid == 6);
	UT_OK(symlink(path, link));
	UT_OK(lchown(link, 77, 88));
	st = ut_lstat(link);
	UT_CHECK(st.st_uid == 77 && st.st_gid == 88);
	st = ut_stat(path);
	UT_CHECK(st.st_uid == 5 && st.st_gid == 6);
	UT_OK(fchownat(AT_FDCWD, link, 9, 10, 0));
	st = ut_stat(path);
	UT_CHECK(st.st_uid == 9 && st.st_gid == 10);
	UT_CHECK_ERR(fchownat(AT_FDCWD, path, 0, 0, 0x1), EINVAL);
	/* Any chown drops set-user-ID, and set-group-ID with group execute. */
	UT_OK(chmod(path, 06755));
	UT_OK(chown(path, 0, 0));
	UT_CHECK((ut_stat(path).st_mode & 07777) == 0755);
	UT_OK(chmod(path, 06755));
	UT_OK(chown(path, (uid_t)-1, (gid_t)-1));
	UT_CHECK((ut_stat(path).st_mode & 07777) == 0755);
	UT_OK(chmod(path, 06745));
	UT_OK(fchown(fd, 0, 0));
	UT_CHECK((ut_stat(path).st_mode & 07777) == 02745);
	UT_CHECK_ERR(chown("/tmp/ut.no/such", 0, 0), ENOENT);
	close(fd);
	unlink(link);
	unlink(path);
}

static bool ut_ts_eq(struct timespec a, long long sec, long nsec)
{
	return a.tv_sec == sec && a.tv_nsec == nsec;
}

void ut_meta_utimens(void)
{
	char path[UT_PATH_MAX], link[UT_PATH_MAX];
	struct timespec ts[2] = { { 1000000000, 111 }, { 1200000000, 222 } };
	struct timeval tv[2] = { { 1300000000, 5 }, { 1400000000, 6 } };
	struct utimbuf ub = { 1500000000, 1600000000 };
	struct stat st;
	time_t now;
	int fd;

	ut_tmppath(path, sizeof(path), "utime");
	ut_tmppath(link, sizeof(link), "utime.l");
	ut_mkfile(path, "x");
	UT_OK(utimensat(AT_FDCWD, path, ts, 0));
	st = ut_stat(path);
	UT_CHECK(ut_ts_eq(st.st_atim, 1000000000, 111));
	UT_CHECK(ut_ts_eq(st.st_mtim, 1200000000, 222));
	/* OMIT keeps, NOW sets the wall-clock time. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	now = time(NULL);
	UT_OK(utimensat(AT_FDCWD, path, ts, 0));
	st = ut_stat(path);
	UT_CHECK(ut_ts_eq(st.st_atim, 1000000000, 111));
	UT_CHECK(st.st_mtim.tv_sec >= now && st.st_mtim.tv_sec <= now + 2);
	UT_CHECK(st.st_ctim.tv_sec >= now && st.st_ctim.tv_sec <= now + 2);
	/* Both OMIT: nothing happens, not even the path lookup. */
	ts[1].tv_nsec = UTIME_OMIT;
	UT_OK(utimensat(AT_FDCWD, "/tmp/ut.no/such", ts, 0));
	UT_OK(utimensat(AT_FDCWD, path, NULL, 0));
	st = ut_stat(path);
	UT_CHECK(st.st_atim.tv_sec >= now && st.st_atim.tv_sec <= now + 2);
	/* futimens: the path is NULL and dirfd is the file. */
	ts[0] = (struct timespec){ 42, 0 };
	ts[1] = (struct timespec){ 43, 0 };
	fd = UT_OK(open(path, O_RDONLY));
	UT_OK(syscall(SYS_utimensat, fd, NULL, ts, 0));
	st = ut_stat(path);
	UT_CHECK(ut_ts_eq(st.st_atim, 42, 0) && ut_ts_eq(st.st_mtim, 43, 0));
	UT_CHECK_ERR(syscall(SYS_utimensat, fd, NULL, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
	UT_OK(futimens(fd, NULL));
	UT_CHECK(ut_stat(path).st_mtim.tv_sec >= now);
	/* AT_SYMLINK_NOFOLLOW: the link's times, not the target's. */
	UT_OK(symlink(path, link));
	ts[0] = (struct timespec){ 7, 0 };
	ts[1] = (struct timespec){ 8, 0 };
	UT_OK(utimensat(AT_FDCWD, link, ts, AT_SYMLINK_NOFOLLOW));
	UT_CHECK(ut_ts_eq(ut_lstat(link).st_mtim, 8, 0));
	UT_CHECK(ut_stat(path).st_mtim.tv_sec >= now);
	ts[1].tv_nsec = 1000000000;
	UT_CHECK_ERR(utimensat(AT_FDCWD, path, ts, 0), EINVAL);
	ts[1].tv_nsec = 0;
	UT_CHECK_ERR(utimensat(AT_FDCWD, path, ts, 0x4), EINVAL);
	UT_CHECK_ERR(utimensat(AT_FDCWD, "/tmp/ut.no/such", ts, 0), ENOENT);
	/* Before the epoch: negative seconds, nanoseconds still 0..1e9-1. */
	ts[0] = (struct timespec){ -31536000, 5 };
	ts[1] = (struct timespec){ -1, 999999999 };
	UT_OK(utimensat(AT_FDCWD, path, ts, 0));
	st = ut_stat(path);
	UT_CHECK(ut_ts_eq(st.st_atim, -31536000, 5));
	UT_CHECK(ut_ts_eq(st.st_mtim, -1, 999999999));
	UT_OK(utimes(path, tv));
	st = ut_stat(path);
	UT_CHECK(ut_ts_eq(st.st_atim, 1300000000, 5000) && ut_ts_eq(st.st_mtim, 1400000000, 6000));
	UT_OK(utime(path, &ub));
	st = ut_stat(path);
	UT_CHECK(st.st_atim.tv_sec == 1500000000 && st.st_mtim.tv_sec == 1600000000);
	close(fd);
	unlink(link);
	unlink(path);
}

void ut_meta_truncate(void)
{
	char path[UT_PATH_MAX], buf[8];
	int fd;

	ut_tmppath(path, sizeof(path), "trunc");
	ut_mkfile(path, "hello world");
	UT_OK(truncate(path, 5));
	UT_CHECK(ut_stat(path).st_size == 5);
	UT_OK(truncate(path, 7));
	fd = UT_OK(open(path, O_RDONLY));
	UT_CHECK(read(fd, buf, sizeof(buf)) == 7);
	UT_CHECK(memcmp(buf, "hello\0\0", 7) == 0);
	close(fd);
	UT_CHECK_ERR(truncate(path, -1), EINVAL);
	UT_CHECK_ERR(truncate("/tmp", 0), EISDIR);
	UT_CHECK_ERR(truncate("/tmp/ut.no/such", 0), ENOENT);
	unlink(path);
}

void ut_meta_link(void)
{
	char a[UT_PATH_MAX], b[UT_PATH_MAX], c[UT_PATH_MAX], l[UT_PATH_MAX];
	char d[UT_PATH_MAX], buf[8] = { 0 };
	struct stat sa, sb;
	int fd;

	ut_tmppath(a, sizeof(a), "link.a");
	ut_tmppath(b, sizeof(b), "link.b");
	ut_tmppath(c, sizeof(c), "link.c");
	ut_tmppath(l, sizeof(l), "link.l");
	ut_tmppath(d, sizeof(d), "link.d");
	ut_mkfile(a, "data");
	UT_OK(link(a, b));
	sa = ut_stat(a);
	sb = ut_stat(b);
	UT_CHECK(sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev);
	UT_CHECK(sa.st_nlink == 2);
	UT_OK(unlink(a));
	UT_CHECK(ut_stat(b).st_nlink == 1);
	fd = UT_OK(open(b, O_RDONLY));
	UT_CHECK(read(fd, buf, sizeof(buf)) == 4 && memcmp(buf, "data", 4) == 0);
	close(fd);
	UT_CHECK_ERR(link(b, b), EEXIST);
	UT_OK(mkdir(d, 0755));
	UT_CHECK_ERR(link(d, c), EPERM);
	UT_CHECK_ERR(link(b, "/dev/ut_link_xdev"), EXDEV);
	UT_CHECK_ERR(link("/tmp/ut.no/such", c), ENOENT);
	UT_CHECK_ERR(linkat(AT_FDCWD, b, AT_FDCWD, c, 0x1), EINVAL);
	/* linkat follows a final symlink only with AT_SYMLINK_FOLLOW. */
	UT_OK(symlink(b, l));
	UT_OK(linkat(AT_FDCWD, l, AT_FDCWD, c, AT_SYMLINK_FOLLOW));
	UT_CHECK(ut_lstat(c).st_ino == sb.st_ino);
	UT_CHECK(ut_stat(b).st_nlink == 2);
	UT_OK(unlink(c));
	UT_OK(linkat(AT_FDCWD, l, AT_FDCWD, c, 0));
	UT_CHECK(S_ISLNK(ut_lstat(c).st_mode));
	UT_CHECK(ut_lstat(l).st_nlink == 2);
	unlink(c);
	unlink(l);
	unlink(b);
	rmdir(d);
}

void ut_meta_statfs(void)
{
	char path[UT_PATH_MAX];
	struct statfs s1, s2;
	int fd, p[2];

	ut_tmppath(path, sizeof(path), "statfs");
	ut_mkfile(path, "x");
	UT_OK(statfs("/tmp", &s1));
	UT_CHECK(s1.f_bsize > 0 && s1.f_namelen == 255);
	UT_CHECK(s1.f_bfree <= s1.f_blocks && s1.f_bavail <= s1.f_blocks);
	fd = UT_OK(open(path, O_RDONLY));
	UT_OK(fstatfs(fd, &s2));
	UT_CHECK(s2.f_type == s1.f_type);
	close(fd);
	UT_OK(pipe(p));
	UT_OK(fstatfs(p[0], &s2));
	UT_CHECK(s2.f_type == UT_PIPEFS_MAGIC);
	if (ut_on_keel())
		UT_CHECK(s1.f_type == UT_TMPFS_MAGIC);
	UT_OK(statfs("/", &s2));
	UT_CHECK(s2.f_bsize > 0);
	UT_CHECK_ERR(statfs("/tmp/ut.no/such", &s1), ENOENT);
	UT_CHECK_ERR(fstatfs(-1, &s1), EBADF);
	UT_CHECK_ERR(syscall(SYS_statfs, "/tmp", UT_BAD_LOW), EFAULT);
	unlink(path);
}

void ut_groups_set(void)
{
	gid_t set[3] = { 10, 20, 30 }, got[3];
	pid_t pid;

	UT_OK(setgroups(3, set));
	UT_CHECK(getgroups(0, NULL) == 3);
	UT_CHECK(getgroups(3, got) == 3);
	UT_CHECK(got[0] == 10 && got[1] == 20 && got[2] == 30);
	UT_CHECK_ERR(getgroups(2, got), EINVAL);
	UT_CHECK_ERR(syscall(SYS_setgroups, -1, set), EINVAL);
	pid = utest_fork();
	if (pid == 0)
		_exit(getgroups(3, got) == 3 && got[2] == 30 ? 0 : 1);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_OK(setgroups(0, NULL));
	UT_CHECK(getgroups(0, NULL) == 0);
}

void ut_hostname_set(void)
{
	char longname[66];
	struct utsname u, saved;

	UT_OK(uname(&saved));
	UT_OK(sethostname("ut-host", 7));
	UT_OK(setdomainname("ut.domain", 9));
	UT_OK(uname(&u));
	UT_CHECK(strcmp(u.nodename, "ut-host") == 0);
	UT_CHECK(strcmp(u.domainname, "ut.domain") == 0);
	memset(longname, 'a', sizeof(longname));
	UT_CHECK_ERR(sethostname(longname, 65), EINVAL);
	UT_OK(sethostname(longname, 64));
	UT_OK(uname(&u));
	UT_CHECK(strlen(u.nodename) == 64);
	UT_OK(sethostname(saved.nodename, strlen(saved.nodename)));
	UT_OK(setdomainname(saved.domainname, strlen(saved.domainname)));
	UT_OK(uname(&u));
	UT_CHECK(strcmp(u.nodename, saved.nodename) == 0);
}

void ut_realtime_clock(void)
{
	struct timespec ts, bad = { 0, 1000000000 };
	struct timeval tv;
	long long jump = ut_on_keel() ? UT_JUMP_SEC : 0;
	time_t t;

	UT_OK(clock_gettime(CLOCK_REALTIME, &ts));
	UT_OK(gettimeofday(&tv, NULL));
	t = time(NULL);
	UT_CHECK(ts.tv_sec > UT_YEAR2020);
	UT_CHECK(tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 2);
	UT_CHECK(t >= ts.tv_sec && t <= ts.tv_sec + 2);
	UT_CHECK_ERR(clock_settime(CLOCK_MONOTONIC, &ts), EINVAL);
	UT_CHECK_ERR(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	tv.tv_usec = 1000000;
	UT_CHECK_ERR(settimeofday(&tv, NULL), EINVAL);
	/* Jump (on Keel only: not the build machine's clock) and come back. */
	UT_OK(clock_gettime(CLOCK_REALTIME, &ts));
	ts.tv_sec += jump;
	UT_OK(clock_settime(CLOCK_REALTIME, &ts));
	t = time(NULL);
	UT_CHECK(t >= ts.tv_sec && t <= ts.tv_sec + 2);
	UT_OK(gettimeofday(&tv, NULL));
	tv.tv_sec -= jump;
	UT_OK(settimeofday(&tv, NULL));
	t = time(NULL);
	UT_CHECK(t >= tv.tv_sec && t <= tv.tv_sec + 2);
}

/* Spin in user mode for ns of CPU time. */
static void ut_busy(long long ns)
{
	struct timespec ts;
	long long start;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	start = ts.tv_sec * UTEST_SEC + ts.tv_nsec;
	do {
		for (volatile int i = 0; i < 10000; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while (ts.tv_sec * UTEST_SEC + ts.tv_nsec - start < ns);
}

static long long ut_tv_us(struct timeval tv)
{
	return tv.tv_sec * 1000000ll + tv.tv_usec;
}

void ut_rusage_self(void)
{
	struct rusage r0, r1, rt;
	struct tms tm;
	clock_t c0, c1;

	UT_OK(getrusage(RUSAGE_SELF, &r0));
	c0 = times(&tm);
	ut_busy(UT_BUSY_NS);
	UT_OK(getrusage(RUSAGE_SELF, &r1));
	c1 = times(&tm);
	UT_CHECK(ut_tv_us(r1.ru_utime) - ut_tv_us(r0.ru_utime) >= UT_MIN_CPU_US);
	UT_CHECK(ut_tv_us(r1.ru_utime) + ut_tv_us(r1.ru_stime) <= UT_BUSY_NS / 1000 * 4);
	UT_CHECK(r1.ru_maxrss > 0);
	UT_OK(getrusage(RUSAGE_THREAD, &rt));
	UT_CHECK(ut_tv_us(rt.ru_utime) >= UT_MIN_CPU_US);
	UT_CHECK(tm.tms_utime >= UT_MIN_CPU_US / 10000);
	UT_CHECK(c1 >= c0);
	/* Each sleep is a voluntary context switch. */
	UT_OK(getrusage(RUSAGE_SELF, &r0));
	for (int i = 0; i < UT_SLEEPS; i++)
		utest_sleep_ns(UT_SLEEP_NS);
	UT_OK(getrusage(RUSAGE_SELF, &r1));
	UT_CHECK(r1.ru_nvcsw >= r0.ru_nvcsw + UT_SLEEPS);
	UT_OK(getrusage(RUSAGE_THREAD, &rt));
	UT_CHECK(rt.ru_nvcsw >= UT_SLEEPS);
	UT_CHECK_ERR(getrusage(5, &r0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, UT_BAD_LOW), EFAULT);
}

void ut_rusage_children(void)
{
	struct rusage ru, rc;
	struct tms tm;
	int status;
	pid_t pid;

	UT_OK(getrusage(RUSAGE_CHILDREN, &rc));
	UT_CHECK(ut_tv_us(rc.ru_utime) == 0);
	pid = utest_fork();
	if (pid == 0) {
		ut_busy(UT_BUSY_NS);
		_exit(0);
	}
	memset(&ru, 0, sizeof(ru));
	UT_CHECK(wait4(pid, &status, 0, &ru) == pid);
	UT_CHECK_EXIT(status, 0);
	UT_CHECK(ut_tv_us(ru.ru_utime) >= UT_MIN_CPU_US);
	UT_CHECK(ru.ru_maxrss > 0);
	UT_OK(getrusage(RUSAGE_CHILDREN, &rc));
	UT_CHECK(ut_tv_us(rc.ru_utime) >= UT_MIN_CPU_US);
	times(&tm);
	UT_CHECK(tm.tms_cutime >= UT_MIN_CPU_US / 10000);
}

void ut_rlimit_nofile(void)
{
	struct rlimit rl, lim = { UT_NOFILE, UT_NOFILE };
	int fd, last = -1, p[2];
	pid_t pid;

	UT_OK(getrlimit(RLIMIT_NOFILE, &rl));
	UT_CHECK(rl.rlim_cur >= 256 && rl.rlim_cur <= rl.rlim_max);
	UT_OK(setrlimit(RLIMIT_NOFILE, &lim));
	while ((fd = open("/", O_RDONLY)) >= 0)
		last = fd;
	UT_CHECK(errno == EMFILE);
	UT_CHECK(last == UT_NOFILE - 1);
	UT_CHECK_ERR(dup(0), EMFILE);
	UT_CHECK_ERR(pipe(p), EMFILE);
	UT_CHECK_ERR(fcntl(0, F_DUPFD, UT_NOFILE), EINVAL);
	UT_CHECK_ERR(dup2(0, UT_NOFILE), EBADF);
	close(last);
	UT_CHECK(dup2(0, UT_NOFILE - 1) == UT_NOFILE - 1);
	pid = utest_fork();
	if (pid == 0) {
		struct rlimit c;

		_exit(getrlimit(RLIMIT_NOFILE, &c) == 0 && c.rlim_cur == UT_NOFILE ? 0 : 1);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	lim.rlim_cur = UT_NOFILE + 1;
	UT_CHECK_ERR(setrlimit(RLIMIT_NOFILE, &lim), EINVAL);
	UT_CHECK_ERR(setrlimit(RLIM_NLIMITS, &lim), EINVAL);
	UT_CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, UT_BAD_LOW), EFAULT);
}

void ut_rlimit_as(void)
{
	struct rlimit lim = { UT_AS_LIMIT, RLIM_INFINITY };
	void *small, *cur;

	UT_OK(setrlimit(RLIMIT_AS, &lim));
	errno = 0;
	UT_CHECK(mmap(NULL, UT_BIG_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		      0) == MAP_FAILED);
	UT_CHECK(errno == ENOMEM);
	small = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK(small != MAP_FAILED);
	cur = (void *)syscall(SYS_brk, 0);
	UT_CHECK((void *)syscall(SYS_brk, (char *)cur + UT_BIG_MAP) == cur);
	UT_CHECK((void *)syscall(SYS_brk, (char *)cur + UT_PAGE) == (char *)cur + UT_PAGE);
	munmap(small, UT_PAGE);
}

#define UT_STACK_LIMIT (256ul << 10)
#define UT_STACK_DEPTH 256 /* frames of UT_STACK_FRAME: 1 MiB */
#define UT_STACK_FRAME 4096

/* Use about depth * UT_STACK_FRAME bytes of stack. */
static int ut_recurse(int depth)
{
	volatile char frame[UT_STACK_FRAME];

	frame[0] = (char)depth;
	frame[UT_STACK_FRAME - 1] = (char)depth;
	if (depth == 0)
		return frame[0];
	return ut_recurse(depth - 1) + frame[UT_STACK_FRAME - 1];
}

static void ut_deep_stack(void *limit)
{
	struct rlimit lim = { (rlim_t)(uintptr_t)limit, RLIM_INFINITY };

	if (limit && setrlimit(RLIMIT_STACK, &lim) != 0)
		_exit(2);
	_exit(ut_recurse(UT_STACK_DEPTH) == 0 ? 3 : 0);
}

void ut_rlimit_stack(void)
{
	UT_CHECK_EXIT(ut_in_child(ut_deep_stack, NULL), 0);
	UT_CHECK_KILLED(ut_in_child(ut_deep_stack, (void *)UT_STACK_LIMIT), SIGSEGV);
}

#define UT_FSIZE 100

static volatile sig_atomic_t ut_xfsz_seen;

static void ut_on_xfsz(int sig)
{
	(void)sig;
	ut_xfsz_seen++;
}

static void ut_fsize_default(void *path)
{
	struct rlimit lim = { UT_FSIZE, RLIM_INFINITY };
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd < 0 || setrlimit(RLIMIT_FSIZE, &lim) != 0)
		_exit(2);
	(void)!write(fd, "x", 1);
	_exit(3);
}

void ut_rlimit_fsize(void)
{
	struct rlimit lim = { UT_FSIZE, RLIM_INFINITY };
	char path[UT_PATH_MAX], buf[2 * UT_FSIZE];
	struct sigaction sa;
	int fd, p[2];

	ut_tmppath(path, sizeof(path), "fsize");
	memset(buf, 'f', sizeof(buf));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ut_on_xfsz;
	UT_OK(sigaction(SIGXFSZ, &sa, NULL));
	fd = UT_OK(open(path, O_CREAT | O_TRUNC | O_RDWR, 0644));
	UT_OK(pipe(p));
	UT_OK(setrlimit(RLIMIT_FSIZE, &lim));
	UT_CHECK(write(fd, buf, UT_FSIZE - 10) == UT_FSIZE - 10);
	UT_CHECK(write(fd, buf, 50) == 10);
	UT_CHECK(ut_xfsz_seen == 0);
	UT_CHECK_ERR(write(fd, buf, 1), EFBIG);
	UT_CHECK(ut_xfsz_seen == 1);
	UT_CHECK(write(fd, buf, 0) == 0);
	UT_CHECK_ERR(pwrite(fd, buf, 1, UT_FSIZE + 5), EFBIG);
	UT_CHECK(pwrite(fd, buf, 5, 10) == 5);
	UT_CHECK_ERR(ftruncate(fd, UT_FSIZE + 1), EFBIG);
	UT_OK(ftruncate(fd, UT_FSIZE));
	UT_CHECK(ut_stat(path).st_size == UT_FSIZE);
	UT_CHECK(write(p[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	close(fd);
	/* SIGXFSZ's default action ends the process. */
	lim.rlim_cur = RLIM_INFINITY;
	UT_OK(setrlimit(RLIMIT_FSIZE, &lim));
	sa.sa_handler = SIG_DFL;
	UT_OK(sigaction(SIGXFSZ, &sa, NULL));
	UT_CHECK_KILLED(ut_in_child(ut_fsize_default, path), SIGXFSZ);
	unlink(path);
}

/* A thread that reports its id on pipe fds[1], then waits for a byte on
 * pipe fds[2]. */
static void *ut_report_tid(void *arg)
{
	int *fds = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	utest_write_all(fds[1], &tid, sizeof(tid));
	(void)!read(fds[2], &c, 1);
	return NULL;
}

void ut_rlimit_prlimit(void)
{
	struct rlimit nl = { 100, 200 }, ol;
	int p[2], fds[3], go[2];
	pthread_t th;
	pid_t tid;
	char c;
	pid_t pid;

	UT_OK(pipe(p));
	pid = utest_fork();
	if (pid == 0) {
		struct rlimit r;

		close(p[1]);
		(void)!read(p[0], &c, 1);
		_exit(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 100 && r.rlim_max == 200 ?
			      0 :
			      1);
	}
	close(p[0]);
	UT_OK(prlimit(pid, RLIMIT_NOFILE, &nl, &ol));
	UT_OK(prlimit(pid, RLIMIT_NOFILE, NULL, &ol));
	UT_CHECK(ol.rlim_cur == 100 && ol.rlim_max == 200);
	utest_write_all(p[1], "x", 1);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK_ERR(prlimit(pid, RLIMIT_NOFILE, NULL, &ol), ESRCH);
	UT_CHECK_ERR(prlimit(0, 99, NULL, &ol), EINVAL);
	/* A thread's id names its process. */
	UT_OK(pipe(fds));
	UT_OK(pipe(go));
	fds[2] = go[0];
	if (pthread_create(&th, NULL, ut_report_tid, fds) != 0)
		utest_fail("pthread_create");
	utest_read_all(fds[0], &tid, sizeof(tid));
	nl = (struct rlimit){ 90, 190 };
	UT_OK(prlimit(tid, RLIMIT_NOFILE, &nl, NULL));
	UT_OK(getrlimit(RLIMIT_NOFILE, &ol));
	UT_CHECK(ol.rlim_cur == 90 && ol.rlim_max == 190);
	utest_write_all(go[1], "x", 1);
	pthread_join(th, NULL);
	/* Stored: NPROC (not enforced for root, as on Linux), CPU, FSIZE. */
	nl = (struct rlimit){ 5000, 6000 };
	UT_OK(prlimit(0, RLIMIT_NPROC, &nl, NULL));
	UT_OK(getrlimit(RLIMIT_NPROC, &ol));
	UT_CHECK(ol.rlim_cur == 5000 && ol.rlim_max == 6000);
	nl = (struct rlimit){ 100, RLIM_INFINITY };
	UT_OK(setrlimit(RLIMIT_CPU, &nl));
	UT_OK(getrlimit(RLIMIT_CPU, &ol));
	UT_CHECK(ol.rlim_cur == 100);
	UT_OK(getrlimit(RLIMIT_STACK, &ol));
	UT_CHECK(ol.rlim_cur >= (1ul << 20));
}

void ut_syslog_read(void)
{
	static char buf[UT_SYSLOG_BUF];
	long size, n, unread;

	errno = 0;
	size = syscall(SYS_syslog, UT_SYSLOG_SIZE_BUFFER, NULL, 0);
	if (size < 0 && errno == EPERM)
		return; /* not allowed here (a container) */
	UT_CHECK(size > 0);
	n = syscall(SYS_syslog, UT_SYSLOG_READ_ALL, buf, sizeof(buf) - 1);
	UT_CHECK(n > 0 && n <= size);
	buf[n > 0 ? n : 0] = '\0';
	UT_CHECK(buf[0] == '<' && buf[2] == '>');
	UT_CHECK(strchr(buf, '\n') != NULL);
	UT_CHECK_ERR(syscall(SYS_syslog, 99, buf, 10), EINVAL);
	UT_CHECK_ERR(syscall(SYS_syslog, UT_SYSLOG_READ_ALL, NULL, 10), EINVAL);
	UT_CHECK(syscall(SYS_syslog, UT_SYSLOG_READ_ALL, buf, 0) == 0);
	if (!ut_on_keel())
		return; /* READ and CLEAR would take the host's log */
	/* READ consumes what is unread; CLEAR empties what READ_ALL shows. */
	unread = syscall(SYS_syslog, UT_SYSLOG_SIZE_UNREAD, NULL, 0);
	UT_CHECK(unread > 0);
	n = syscall(SYS_syslog, UT_SYSLOG_READ, buf, 16);
	UT_CHECK(n == 16);
	UT_CHECK(syscall(SYS_syslog, UT_SYSLOG_SIZE_UNREAD, NULL, 0) <= unread - 16);
	UT_OK(syscall(SYS_syslog, UT_SYSLOG_CLEAR, NULL, 0));
	n = syscall(SYS_syslog, UT_SYSLOG_READ_ALL, buf, sizeof(buf) - 1);
	UT_CHECK(n == 0);
	UT_CHECK_ERR(syscall(SYS_syslog, UT_SYSLOG_READ_ALL, buf, -1), EINVAL);
}

/* A relative sleep on CLOCK_REALTIME (glibc's nanosleep) lasts what it asks. */
void ut_nanosleep_realtime_relative(void)
{
	struct timespec ts = { 0, 20 * UTEST_MS };
	int64_t t0 = utest_now_ns();

	UT_CHECK(clock_nanosleep(CLOCK_REALTIME, 0, &ts, NULL) == 0);
	UT_CHECK(utest_now_ns() - t0 >= 20 * UTEST_MS);
	UT_CHECK(utest_now_ns() - t0 < 5 * UTEST_SEC);
}

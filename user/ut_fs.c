/*
 * ut_fs.c - usertests: files, directories, time.
 *
 *   file_rw    create a /tmp file; lseek SET/CUR/END, reads at offsets, a
 *              hole past the end reads as zeros; pread/pwrite leave the
 *              offset alone; O_APPEND, O_TRUNC, O_EXCL; fstat size and type;
 *              lseek errors (EINVAL, ESPIPE on a pipe)
 *   ftruncate  shrinking keeps the first bytes, growing reads as zeros;
 *              EINVAL for a negative size, a read-only fd, a pipe; EBADF
 *   getdents   getdents64 lists ".", ".." and exactly the created entries
 *              with their types, also with a buffer that holds one entry;
 *              EINVAL for a buffer too small, ENOTDIR on a file
 *   dirs       mkdir/rmdir/unlink/chdir/getcwd and their errors (EEXIST,
 *              ENOENT, ENOTDIR, ENOTEMPTY, EISDIR, ERANGE)
 *   clock      CLOCK_MONOTONIC never goes back and moves; CLOCK_REALTIME
 *              works; a bad clock id is EINVAL
 *   nanosleep  nanosleep / clock_nanosleep of 50 ms sleep at least 50 ms;
 *              bad timespecs are EINVAL
 *   uname      uname fills in a system name and machine "x86_64"
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include "usertests.h"

#define UT_SLEEP_NS 50000000ll
#define UT_NSEC_PER_SEC 1000000000ll
#define UT_DENTS_BUF 4096
#define UT_CLOCK_LOOPS 1000

struct ut_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* ---------------------------------------------------------------- files */

void ut_file_rw(void)
{
	char name[256], buf[128];
	struct stat st;
	int fd, p[2];

	ut_tmppath(name, sizeof(name), "rw");
	fd = UT_OK(open(name, O_RDWR | O_CREAT | O_EXCL, 0644));
	UT_CHECK_ERR(open(name, O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	UT_CHECK(write(fd, "hello world", 11) == 11);
	UT_CHECK(lseek(fd, 0, SEEK_CUR) == 11);
	UT_CHECK(lseek(fd, 6, SEEK_SET) == 6);
	UT_CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);
	UT_CHECK(read(fd, buf, 5) == 0);				/* at EOF */
	UT_CHECK(lseek(fd, -5, SEEK_END) == 6);
	UT_CHECK(lseek(fd, -1, SEEK_CUR) == 5);

	UT_CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0);
	UT_CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
	UT_CHECK(lseek(fd, 0, SEEK_CUR) == 5);			/* untouched */
	UT_CHECK(pread(fd, buf, sizeof(buf), 0) == 11 && memcmp(buf, "HELLO world", 11) == 0);
	UT_CHECK(pread(fd, buf, 4, 100) == 0);

	/* A hole: write at 100, bytes 11..99 read as zero. */
	UT_CHECK(lseek(fd, 100, SEEK_SET) == 100);
	UT_CHECK(write(fd, "!", 1) == 1);
	UT_OK(fstat(fd, &st));
	UT_CHECK(S_ISREG(st.st_mode) && st.st_size == 101);
	UT_CHECK(pread(fd, buf, sizeof(buf), 0) == 101);
	for (int i = 11; i < 100; i++)
		UT_CHECK(buf[i] == 0);
	UT_CHECK(buf[100] == '!');

	UT_CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	UT_CHECK_ERR(lseek(fd, -200, SEEK_END), EINVAL);
	UT_CHECK_ERR(lseek(fd, 0, 17), EINVAL);
	UT_CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
	close(fd);

	/* O_APPEND writes at the end whatever the offset; O_TRUNC empties. */
	fd = UT_OK(open(name, O_WRONLY | O_APPEND));
	UT_CHECK(lseek(fd, 0, SEEK_SET) == 0);
	UT_CHECK(write(fd, "?", 1) == 1);
	UT_CHECK(lseek(fd, 0, SEEK_CUR) == 102);
	close(fd);
	UT_OK(stat(name, &st));
	UT_CHECK(st.st_size == 102);
	fd = UT_OK(open(name, O_RDWR | O_TRUNC));
	UT_OK(fstat(fd, &st));
	UT_CHECK(st.st_size == 0);
	close(fd);
	UT_OK(unlink(name));
	UT_CHECK_ERR(open(name, O_RDONLY), ENOENT);

	UT_OK(pipe(p));
	UT_CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
	UT_CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
	UT_CHECK_ERR(pwrite(p[1], buf, 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
}

/* ---------------------------------------------------------------- getdents */

static const struct {
	const char *name;
	unsigned char type;
} ut_dents[] = { { ".", DT_DIR }, { "..", DT_DIR }, { "alpha", DT_REG },
		 { "beta", DT_REG }, { "gamma.txt", DT_REG }, { "delta", DT_DIR } };
#define UT_NDENTS (sizeof(ut_dents) / sizeof(ut_dents[0]))

/* Reads the whole directory with buffers of bufsize; checks the entries. */
static void ut_list(const char *dir, size_t bufsize)
{
	static char buf[UT_DENTS_BUF] __attribute__((aligned(8)));
	unsigned seen = 0;
	long n;
	int fd = UT_OK(open(dir, O_RDONLY | O_DIRECTORY));

	while ((n = UT_OK(syscall(SYS_getdents64, fd, buf, bufsize))) > 0) {
		for (long off = 0; off < n;) {
			struct ut_dirent64 *d = (struct ut_dirent64 *)(buf + off);
			size_t i = 0;

			UT_CHECK(d->d_reclen > 0 && off + d->d_reclen <= n);
			while (i < UT_NDENTS && strcmp(ut_dents[i].name, d->d_name) != 0)
				i++;
			if (i == UT_NDENTS)
				utest_fail("unexpected entry \"%s\"", d->d_name);
			if (seen & (1u << i))
				utest_fail("entry \"%s\" listed twice", d->d_name);
			if (d->d_type != ut_dents[i].type && d->d_type != DT_UNKNOWN)
				utest_fail("\"%s\" has d_type %d", d->d_name, d->d_type);
			seen |= 1u << i;
			off += d->d_reclen;
		}
	}
	if (seen != (1u << UT_NDENTS) - 1)
		utest_fail("listing with %zu-byte buffers missed entries (mask 0x%x)", bufsize, seen);
	close(fd);
}

void ut_getdents(void)
{
	char dir[256], path[300];
	char small[8] __attribute__((aligned(8)));
	int fd;

	ut_tmppath(dir, sizeof(dir), "dents");
	UT_OK(mkdir(dir, 0755));
	for (size_t i = 2; i < UT_NDENTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ut_dents[i].name);
		if (ut_dents[i].type == DT_DIR)
			UT_OK(mkdir(path, 0755));
		else
			UT_OK(close(UT_OK(open(path, O_WRONLY | O_CREAT, 0644))));
	}
	ut_list(dir, UT_DENTS_BUF);
	ut_list(dir, 40);	/* one short entry per call */

	fd = UT_OK(open(dir, O_RDONLY | O_DIRECTORY));
	UT_CHECK_ERR(syscall(SYS_getdents64, fd, small, sizeof(small)), EINVAL);
	close(fd);
	snprintf(path, sizeof(path), "%s/alpha", dir);
	fd = UT_OK(open(path, O_RDONLY));
	UT_CHECK_ERR(syscall(SYS_getdents64, fd, path, sizeof(path)), ENOTDIR);
	close(fd);
	UT_CHECK_ERR(open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);

	for (size_t i = 2; i < UT_NDENTS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ut_dents[i].name);
		UT_OK(ut_dents[i].type == DT_DIR ? rmdir(path) : unlink(path));
	}
	UT_OK(rmdir(dir));
}

/* ---------------------------------------------------------------- dirs */

void ut_dirs(void)
{
	char base[256], cwd[512], here[512], want[600], tiny[2];
	struct stat st;

	ut_tmppath(base, sizeof(base), "dirs");
	UT_OK(mkdir(base, 0755));
	UT_CHECK_ERR(mkdir(base, 0755), EEXIST);
	UT_CHECK_ERR(mkdir("/tmp/ut-no-such-dir/x", 0755), ENOENT);
	UT_OK(stat(base, &st));
	UT_CHECK(S_ISDIR(st.st_mode));

	UT_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	UT_OK(chdir(base));
	UT_CHECK(getcwd(here, sizeof(here)) != NULL);
	UT_OK(mkdir("sub", 0755));
	UT_OK(chdir("sub"));
	UT_CHECK(getcwd(want, sizeof(want)) != NULL);
	{
		char expect[600];

		snprintf(expect, sizeof(expect), "%s/sub", here);
		if (strcmp(want, expect) != 0)
			utest_fail("getcwd \"%s\", want \"%s\"", want, expect);
	}
	UT_CHECK_ERR(syscall(SYS_getcwd, tiny, sizeof(tiny)), ERANGE);
	UT_OK(close(UT_OK(open("file", O_WRONLY | O_CREAT, 0644))));
	UT_CHECK_ERR(chdir("file"), ENOTDIR);
	UT_CHECK_ERR(open("file/x", O_RDONLY), ENOTDIR);
	UT_CHECK_ERR(rmdir("file"), ENOTDIR);
	UT_CHECK_ERR(chdir("missing"), ENOENT);
	UT_CHECK_ERR(rmdir("."), EINVAL);
	UT_OK(chdir(".."));
	UT_CHECK(getcwd(want, sizeof(want)) != NULL && strcmp(want, here) == 0);
	UT_CHECK_ERR(rmdir("sub"), ENOTEMPTY);
	UT_CHECK_ERR(unlink("sub"), EISDIR);
	UT_OK(unlink("sub/file"));
	UT_CHECK_ERR(unlink("sub/file"), ENOENT);
	UT_CHECK_ERR(stat("sub/file", &st), ENOENT);
	UT_OK(rmdir("sub"));
	UT_CHECK_ERR(chdir("sub"), ENOENT);
	UT_OK(chdir(cwd));
	UT_OK(rmdir(base));
	UT_CHECK_ERR(rmdir(base), ENOENT);
}

/* ---------------------------------------------------------------- time */

static int64_t ut_clock_ns(clockid_t id)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, id, &ts) != 0)
		utest_fail("clock_gettime(%d): %s", (int)id, strerror(errno));
	if (ts.tv_nsec < 0 || ts.tv_nsec >= UT_NSEC_PER_SEC || ts.tv_sec < 0)
		utest_fail("clock %d gave {%lld, %ld}", (int)id, (long long)ts.tv_sec, ts.tv_nsec);
	return (int64_t)ts.tv_sec * UT_NSEC_PER_SEC + ts.tv_nsec;
}

void ut_clock(void)
{
	struct timespec ts, ms = { 0, 2000000 };
	int64_t prev = ut_clock_ns(CLOCK_MONOTONIC), start = prev;

	for (int i = 0; i < UT_CLOCK_LOOPS; i++) {
		int64_t now = ut_clock_ns(CLOCK_MONOTONIC);

		if (now < prev)
			utest_fail("CLOCK_MONOTONIC went back by %lld ns", (long long)(prev - now));
		prev = now;
	}
	UT_OK(syscall(SYS_nanosleep, &ms, NULL));
	UT_CHECK(ut_clock_ns(CLOCK_MONOTONIC) > start);
	ut_clock_ns(CLOCK_REALTIME);
	UT_CHECK_ERR(syscall(SYS_clock_gettime, 1000, &ts), EINVAL);
	UT_CHECK_ERR(syscall(SYS_clock_gettime, -1, &ts), EINVAL);
}

void ut_nanosleep(void)
{
	struct timespec req = { 0, UT_SLEEP_NS };
	struct timespec bad1 = { 0, UT_NSEC_PER_SEC }, bad2 = { -1, 0 }, bad3 = { 0, -1 };
	int64_t t0, t1;

	t0 = utest_now_ns();
	UT_OK(syscall(SYS_nanosleep, &req, NULL));
	t1 = utest_now_ns();
	if (t1 - t0 < UT_SLEEP_NS)
		utest_fail("nanosleep(50 ms) slept %lld ns", (long long)(t1 - t0));
	t0 = t1;
	UT_CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL) == 0);
	t1 = utest_now_ns();
	if (t1 - t0 < UT_SLEEP_NS)
		utest_fail("clock_nanosleep(50 ms) slept %lld ns", (long long)(t1 - t0));
	UT_CHECK_ERR(syscall(SYS_nanosleep, &bad1, NULL), EINVAL);
	UT_CHECK_ERR(syscall(SYS_nanosleep, &bad2, NULL), EINVAL);
	UT_CHECK_ERR(syscall(SYS_nanosleep, &bad3, NULL), EINVAL);
}

void ut_uname(void)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	UT_OK(syscall(SYS_uname, &u));
	UT_CHECK(u.sysname[0] != '\0' && u.release[0] != '\0');
	UT_CHECK(strcmp(u.machine, "x86_64") == 0);
}

void ut_ftruncate(void)
{
	char path[64], buf[256];
	struct stat st;
	int pfd[2];

	ut_tmppath(path, sizeof(path), "trunc");
	int fd = UT_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	memset(buf, 'a', sizeof(buf));
	utest_write_all(fd, buf, sizeof(buf));
	UT_OK(ftruncate(fd, 100));
	UT_OK(fstat(fd, &st));
	UT_CHECK(st.st_size == 100);
	UT_OK(ftruncate(fd, 200));
	UT_CHECK(pread(fd, buf, sizeof(buf), 0) == 200);
	UT_CHECK(buf[99] == 'a' && buf[100] == 0 && buf[199] == 0);
	UT_CHECK_ERR(ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = UT_OK(open(path, O_RDONLY));
	UT_CHECK_ERR(ftruncate(fd, 0), EINVAL);
	close(fd);
	UT_OK(pipe(pfd));
	UT_CHECK_ERR(ftruncate(pfd[1], 0), EINVAL);
	close(pfd[0]);
	close(pfd[1]);
	UT_CHECK_ERR(ftruncate(fd, 0), EBADF);
	UT_OK(unlink(path));
}

/* fsync and friends on RAM file systems; getgroups with no groups. */
void ut_sync_calls(void)
{
	char name[64];
	int fd, dir, p[2], n;

	ut_tmppath(name, sizeof(name), "sync");
	fd = UT_OK(open(name, O_CREAT | O_RDWR | O_TRUNC, 0644));
	UT_CHECK(write(fd, "x", 1) == 1);
	UT_OK(fsync(fd));
	UT_OK(fdatasync(fd));
	UT_OK(syscall(SYS_syncfs, fd));
	dir = UT_OK(open("/tmp", O_RDONLY | O_DIRECTORY));
	UT_OK(fsync(dir));
	UT_OK(pipe(p));
	UT_CHECK_ERR(fsync(p[0]), EINVAL);      /* nothing behind a pipe */
	UT_CHECK_ERR(fsync(-1), EBADF);
	UT_CHECK_ERR(syscall(SYS_syncfs, -1), EBADF);
	sync();
	n = UT_OK(getgroups(0, NULL));
	UT_CHECK(n >= 0);
	UT_CHECK_ERR(getgroups(-1, NULL), EINVAL);
	close(p[0]);
	close(p[1]);
	close(dir);
	close(fd);
	unlink(name);
}

/*
 * ut_errno.c - usertests: exact errors and their order, as Linux's manual
 * pages and code give them (each case also passes on Linux).
 *
 *   errno_getcwd           a buffer too small, size 0 included, is ERANGE,
 *                          before any EFAULT for a bad buffer
 *   errno_mmap_order       the offset (EINVAL), then the descriptor
 *                          (EBADF), then the length (EINVAL); unknown
 *                          flags are ignored with MAP_PRIVATE, refused
 *                          with MAP_SHARED_VALIDATE (EOPNOTSUPP), which
 *                          anonymous memory does not take (EINVAL)
 *   errno_clock_nanosleep  clocks with no sleep of their own (thread CPU
 *                          time, the raw and coarse clocks) are EOPNOTSUPP;
 *                          a sleep on the process CPU clock ends once the
 *                          process used that much CPU time
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include "usertests.h"

#define UT_BAD_FD       999
#define UT_UNKNOWN_MAP  0x800000 /* no MAP_* flag of Linux's */
#define UT_PROT_SEM     0x8
#define UT_CPU_SLEEP_NS 20000000l /* 20 ms of CPU time */
#define UT_NS           1000000000ll

void ut_errno_getcwd(void)
{
	char buf[2];

	UT_CHECK_ERR(syscall(SYS_getcwd, buf, 0), ERANGE);
	UT_CHECK_ERR(syscall(SYS_getcwd, buf, 1), ERANGE);
	UT_CHECK_ERR(syscall(SYS_getcwd, (void *)16, 1), ERANGE);
	UT_CHECK_ERR(syscall(SYS_getcwd, (void *)16, 4096), EFAULT);
}

void ut_errno_mmap_order(void)
{
	char path[256];
	void *p;
	int fd;

	UT_CHECK_ERR((long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, UT_BAD_FD, 1), EINVAL);
	UT_CHECK_ERR((long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE, UT_BAD_FD, 0), EBADF);
	UT_CHECK_ERR((long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, UT_BAD_FD, 0), EBADF);
	UT_CHECK_ERR((long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	UT_CHECK_ERR((long)mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0),
		     EINVAL);
	/* Unknown flags and protection bits: ignored, as Linux does. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | UT_PROT_SEM,
		 MAP_PRIVATE | MAP_ANONYMOUS | UT_UNKNOWN_MAP, -1, 0);
	UT_CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		*(volatile char *)p = 1;
		munmap(p, 4096);
	}
	ut_tmppath(path, sizeof(path), "mmapv");
	fd = (int)UT_OK(open(path, O_CREAT | O_RDWR, 0600));
	UT_CHECK(write(fd, "data", 4) == 4);
	UT_CHECK_ERR((long)mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | UT_UNKNOWN_MAP, fd, 0),
		     EOPNOTSUPP);
	close(fd);
	unlink(path);
}

static volatile int ut_spin_stop;

static void *ut_spin(void *arg)
{
	(void)arg;
	while (!ut_spin_stop)
		;
	return NULL;
}

static long long ut_clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * UT_NS + ts.tv_nsec;
}

void ut_errno_clock_nanosleep(void)
{
	struct timespec d = { 0, 1000 };
	struct timespec cpu = { 0, UT_CPU_SLEEP_NS };
	pthread_t th;
	long long t0, t1;

	/* The system call itself (musl answers EINVAL for the thread clock). */
	UT_CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL),
		     EOPNOTSUPP);
	UT_CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &d, NULL), EOPNOTSUPP);
	UT_CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &d, NULL), EOPNOTSUPP);
	UT_CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, &d, NULL), EOPNOTSUPP);
	UT_CHECK_ERR(syscall(SYS_clock_nanosleep, 100, 0, &d, NULL), EINVAL);
	/* The process clock advances while another thread runs. */
	UT_CHECK(pthread_create(&th, NULL, ut_spin, NULL) == 0);
	t0 = ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	UT_CHECK(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &cpu, NULL) == 0);
	t1 = ut_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	ut_spin_stop = 1;
	pthread_join(th, NULL);
	if (t1 - t0 < UT_CPU_SLEEP_NS)
		utest_fail("slept %lld ns of CPU time, want %ld", t1 - t0, UT_CPU_SLEEP_NS);
}

/*
 * ut_memadv.c - usertests: memory calls beyond map and unmap (each case
 * also passes on Linux).
 *
 *   mem_mlock            mlock/munlock/mlock2/mlockall/munlockall: VmLck in
 *                        /proc/self/status follows them, unmapped ranges
 *                        are ENOMEM, bad flags EINVAL; without privilege
 *                        RLIMIT_MEMLOCK holds (ENOMEM over it, EPERM at 0);
 *                        a child does not inherit the locks
 *   mem_mincore          which pages are in memory (touched ones), EINVAL
 *                        for an unaligned address, ENOMEM for a hole,
 *                        EFAULT for a bad vector
 *   mem_msync            accepted on mapped ranges, EINVAL for bad flags or
 *                        address, ENOMEM for a hole
 *   mem_madvise_fork     MADV_DONTFORK leaves a range out of the child,
 *                        MADV_WIPEONFORK gives it zeroes there (private
 *                        anonymous memory only: EINVAL otherwise); unknown
 *                        advice is EINVAL, a hole ENOMEM
 *   mem_personality      0xffffffff reads it, anything else sets it and
 *                        returns the old one
 *   mem_mremap           shrink in place; grow in place when the range
 *                        after is free, else ENOMEM without MREMAP_MAYMOVE
 *                        and a move (contents kept, old range gone) with
 *                        it; MREMAP_FIXED moves to the address given;
 *                        EINVAL for bad flags, alignment, length, overlap,
 *                        EFAULT for a range that is not one mapping
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <fcntl.h>
#include "usertests.h"

#define MA_PAGE       4096
#define MA_STATUS_MAX 4096
#define MA_WIPEONFORK 18
#define MA_PERS_QUERY 0xffffffffu
#define MA_NO_RANDOM  0x0040000 /* ADDR_NO_RANDOMIZE */

/* VmLck of /proc/self/status in kB, or -1. */
static long ma_vmlck(void)
{
	char buf[MA_STATUS_MAX], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "VmLck:");
	return p ? strtol(p + strlen("VmLck:"), NULL, 10) : -1;
}

static char *ma_map(size_t pages, int flags)
{
	char *p = mmap(NULL, pages * MA_PAGE, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	UT_CHECK(p != MAP_FAILED);
	return p;
}

static void mlock_child(void *arg)
{
	(void)arg;
	UT_CHECK(ma_vmlck() == 0); /* fork does not hand on locks */
}

static void mlock_user(void *arg)
{
	char *p = arg;
	struct rlimit rl = { 2 * MA_PAGE, 2 * MA_PAGE };

	UT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
	UT_OK(setuid(1000));
	UT_OK(mlock(p, MA_PAGE));
	UT_CHECK_ERR(mlock(p, 4 * MA_PAGE), ENOMEM); /* over the limit */
	rl.rlim_cur = 0;
	UT_OK(setrlimit(RLIMIT_MEMLOCK, &rl));
	UT_CHECK_ERR(mlock(p + MA_PAGE, MA_PAGE), EPERM);
}

void ut_mem_mlock(void)
{
	char *p = ma_map(4, MAP_PRIVATE), *hole = ma_map(1, MAP_PRIVATE);

	munmap(hole, MA_PAGE);
	UT_CHECK(ma_vmlck() == 0);
	UT_OK(mlock(p + 100, 3 * MA_PAGE - 100)); /* rounded out: 3 pages */
	UT_CHECK(ma_vmlck() == 12);
	UT_CHECK_EXIT(ut_in_child(mlock_child, NULL), 0);
	UT_OK(munlock(p, 4 * MA_PAGE));
	UT_CHECK(ma_vmlck() == 0);
	UT_CHECK_ERR(mlock(hole, MA_PAGE), ENOMEM);
	UT_CHECK_ERR(syscall(SYS_mlock2, p, MA_PAGE, 2), EINVAL);
	UT_OK(syscall(SYS_mlock2, p, MA_PAGE, 1)); /* MLOCK_ONFAULT */
	UT_CHECK(ma_vmlck() == 4);
	UT_OK(munlock(p, MA_PAGE));
	UT_CHECK_ERR(mlockall(0), EINVAL);
	UT_CHECK_ERR(mlockall(MCL_ONFAULT), EINVAL);
	UT_CHECK_EXIT(ut_in_child(mlock_user, p), 0);
	munmap(p, 4 * MA_PAGE);
}

void ut_mem_mincore(void)
{
	char *p = ma_map(4, MAP_PRIVATE), *hole = ma_map(1, MAP_PRIVATE);
	unsigned char vec[4];

	munmap(hole, MA_PAGE);
	p[0] = 1;
	p[2 * MA_PAGE] = 1;
	UT_OK(mincore(p, 4 * MA_PAGE, vec));
	UT_CHECK((vec[0] & 1) && !(vec[1] & 1) && (vec[2] & 1) && !(vec[3] & 1));
	UT_CHECK_ERR(mincore(p + 1, MA_PAGE, vec), EINVAL);
	UT_CHECK_ERR(mincore(hole, MA_PAGE, vec), ENOMEM);
	UT_CHECK_ERR(mincore(p, MA_PAGE, (unsigned char *)16), EFAULT);
	munmap(p, 4 * MA_PAGE);
}

void ut_mem_msync(void)
{
	char *p = ma_map(2, MAP_SHARED), *hole = ma_map(1, MAP_PRIVATE);

	munmap(hole, MA_PAGE);
	UT_OK(msync(p, 2 * MA_PAGE, MS_SYNC));
	UT_OK(msync(p, MA_PAGE, MS_ASYNC | MS_INVALIDATE));
	UT_CHECK_ERR(msync(p, MA_PAGE, MS_ASYNC | MS_SYNC), EINVAL);
	UT_CHECK_ERR(msync(p, MA_PAGE, 8), EINVAL);
	UT_CHECK_ERR(msync(p + 1, MA_PAGE, MS_SYNC), EINVAL);
	UT_CHECK_ERR(msync(hole, MA_PAGE, MS_SYNC), ENOMEM);
	munmap(p, 2 * MA_PAGE);
}

void ut_mem_madvise_fork(void)
{
	char *keep = ma_map(1, MAP_PRIVATE), *gone = ma_map(1, MAP_PRIVATE);
	char *wipe = ma_map(1, MAP_PRIVATE), *shared = ma_map(1, MAP_SHARED);
	char *hole = ma_map(1, MAP_PRIVATE);
	unsigned char v;
	pid_t pid;

	munmap(hole, MA_PAGE);
	keep[0] = gone[0] = wipe[0] = 'x';
	UT_OK(madvise(gone, MA_PAGE, MADV_DONTFORK));
	UT_OK(madvise(wipe, MA_PAGE, MA_WIPEONFORK));
	UT_CHECK_ERR(madvise(shared, MA_PAGE, MA_WIPEONFORK), EINVAL);
	UT_CHECK_ERR(madvise(keep, MA_PAGE, 7), EINVAL);
	UT_CHECK_ERR(madvise(hole, MA_PAGE, MADV_DONTNEED), ENOMEM);
	pid = utest_fork();
	if (pid == 0) {
		int ok = keep[0] == 'x' && wipe[0] == 0 && mincore(gone, MA_PAGE, &v) < 0 &&
			 errno == ENOMEM;
		_exit(ok ? 0 : 1);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK(gone[0] == 'x' && wipe[0] == 'x'); /* ours are untouched */
	munmap(keep, MA_PAGE);
	munmap(gone, MA_PAGE);
	munmap(wipe, MA_PAGE);
	munmap(shared, MA_PAGE);
}

void ut_mem_personality(void)
{
	UT_CHECK(personality(MA_PERS_QUERY) == 0); /* PER_LINUX */
	UT_CHECK(personality(MA_NO_RANDOM) == 0);
	UT_CHECK(personality(MA_PERS_QUERY) == MA_NO_RANDOM);
	UT_CHECK(personality(0) == MA_NO_RANDOM);
	UT_CHECK(personality(MA_PERS_QUERY) == 0);
}

#define MA_MAYMOVE 1
#define MA_FIXED   2

static void *ma_remap(void *p, size_t old, size_t new, int flags, void *to)
{
	return (void *)syscall(SYS_mremap, p, old, new, flags, to);
}

static bool ma_mapped(void *p)
{
	unsigned char v;

	return mincore(p, MA_PAGE, &v) == 0;
}

void ut_mem_mremap(void)
{
	char *p = ma_map(2, MAP_PRIVATE), *q, *r, *t;

	memset(p, 'a', 2 * MA_PAGE);
	UT_CHECK(ma_remap(p, 2 * MA_PAGE, MA_PAGE, 0, NULL) == p); /* shrink */
	UT_CHECK(p[0] == 'a' && !ma_mapped(p + MA_PAGE));
	/* Grow in place into the free range after it. */
	q = ma_map(3, MAP_PRIVATE);
	q[0] = 'q';
	UT_OK(munmap(q + MA_PAGE, 2 * MA_PAGE));
	UT_CHECK(ma_remap(q, MA_PAGE, 3 * MA_PAGE, 0, NULL) == q);
	UT_CHECK(q[0] == 'q' && q[2 * MA_PAGE] == 0);
	/* Blocked by the next mapping: ENOMEM, or a move. */
	r = ma_map(2, MAP_PRIVATE);
	memset(r, 'r', MA_PAGE);
	UT_OK(mprotect(r + MA_PAGE, MA_PAGE, PROT_READ)); /* another VMA after it */
	UT_CHECK_ERR((long)ma_remap(r, MA_PAGE, 2 * MA_PAGE, 0, NULL), ENOMEM);
	t = ma_remap(r, MA_PAGE, 2 * MA_PAGE, MA_MAYMOVE, NULL);
	UT_CHECK(t != MAP_FAILED && t != r);
	if (t != MAP_FAILED) {
		UT_CHECK(t[0] == 'r' && t[MA_PAGE - 1] == 'r' && t[MA_PAGE] == 0);
		UT_CHECK(!ma_mapped(r) && ma_mapped(r + MA_PAGE));
		munmap(t, 2 * MA_PAGE);
	}
	/* To a given address. */
	char *to = ma_map(1, MAP_PRIVATE);
	UT_OK(munmap(to, MA_PAGE));
	UT_CHECK(ma_remap(p, MA_PAGE, MA_PAGE, MA_MAYMOVE | MA_FIXED, to) == to);
	UT_CHECK(to[0] == 'a' && !ma_mapped(p));
	/* Errors. */
	UT_CHECK_ERR((long)ma_remap(to, MA_PAGE, MA_PAGE, 8, NULL), EINVAL);
	UT_CHECK_ERR((long)ma_remap(to, MA_PAGE, MA_PAGE, MA_FIXED, p), EINVAL);
	UT_CHECK_ERR((long)ma_remap(to + 1, MA_PAGE, MA_PAGE, 0, NULL), EINVAL);
	UT_CHECK_ERR((long)ma_remap(to, MA_PAGE, 0, 0, NULL), EINVAL);
	UT_CHECK_ERR((long)ma_remap(to, MA_PAGE, MA_PAGE, MA_MAYMOVE | MA_FIXED, to), EINVAL);
	UT_CHECK_ERR((long)ma_remap(p, MA_PAGE, 2 * MA_PAGE, MA_MAYMOVE, NULL), EFAULT);
	munmap(to, MA_PAGE);
	munmap(q, 3 * MA_PAGE);
	munmap(r + MA_PAGE, MA_PAGE);
}

/*
 * ut_hostile.c - usertests: what an outside system-call fuzzer found, made
 * permanent.  Each case hung, leaked or held a CPU on the kernel before the
 * fix; all pass on Linux too.
 *
 *   vfork_thread_exec       clone(CLONE_VM|CLONE_SIGHAND|CLONE_THREAD|
 *                           CLONE_VFORK) whose new thread calls execve: the
 *                           exec kills the vfork-waiting thread and succeeds
 *                           (it used to deadlock, unkillable, leaking memory)
 *   vfork_wait_killable     SIGKILL ends a parent that waits for its vfork
 *                           child (the child sleeps and never execs)
 *   mmap_shared_lazy        a MAP_SHARED|MAP_ANONYMOUS mapping of half of
 *                           memory takes no memory until touched (it used to
 *                           be filled inside mmap); touched pages are shared
 *                           with a forked child in both directions
 *   mmap_commit_limit       a writable (private or shared) anonymous mapping
 *                           larger than all of memory fails with ENOMEM; with
 *                           MAP_NORESERVE, or read-only, it is allowed
 *   mmap_dev_zero           a private mapping of /dev/zero is anonymous
 *                           memory (no fill at mmap time); a shared one is
 *                           shared with a forked child; mapping a pipe gives
 *                           ENODEV
 */
#include "usertests.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#define UT_HOSTILE_WAIT_NS (10 * UTEST_SEC)   /* far beyond any honest run */
#define UT_HOSTILE_POLL_NS (10 * UTEST_MS)
#define UT_STACK_SIZE (64 * 1024)
#define UT_EXEC_STATUS 42
#define UT_HUGE_LEN (1ul << 44)               /* 16 TiB: more than any test machine */

/*
 * Waits up to UT_HOSTILE_WAIT_NS for pid; on time-out kills it with
 * SIGKILL (which must work) and fails the test.  Returns the wait status.
 */
static int ut_wait_bounded(pid_t pid, const char *what)
{
	int64_t end = utest_now_ns() + UT_HOSTILE_WAIT_NS;
	int status;

	while (utest_now_ns() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		UT_CHECK(r == 0);
		utest_sleep_ns(UT_HOSTILE_POLL_NS);
	}
	kill(pid, SIGKILL);         /* not waited for: it may be unkillable */
	utest_fail("%s: still running after %lld s", what,
		   (long long)(UT_HOSTILE_WAIT_NS / UTEST_SEC));
}

/* Free memory in bytes (sysinfo). */
static uint64_t ut_free_bytes(void)
{
	struct sysinfo si;

	UT_OK(sysinfo(&si));
	return (uint64_t)si.freeram * si.mem_unit;
}

static uint64_t ut_total_bytes(void)
{
	struct sysinfo si;

	UT_OK(sysinfo(&si));
	return (uint64_t)si.totalram * si.mem_unit;
}

static char ut_exec_path[256];

/* The new thread of vfork_thread_exec: exec a helper that exits 42. */
static int ut_vfork_thread_fn(void *arg)
{
	(void)arg;
	char *argv[] = { ut_exec_path, "--exit", "42", NULL };
	char *envp[] = { NULL };

	syscall(SYS_execve, ut_exec_path, argv, envp);
	syscall(SYS_exit, 99);           /* exec failed: this thread only */
	return 0;
}

static void ut_vfork_thread_child(void)
{
	char *stack = malloc(UT_STACK_SIZE);

	if (!stack)
		_exit(98);
	clone(ut_vfork_thread_fn, stack + UT_STACK_SIZE,
	      CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_VFORK, NULL);
	/* Only reached if the exec failed and the thread exited. */
	_exit(97);
}

void ut_vfork_thread_exec(void)
{
	ut_binpath(ut_exec_path, sizeof(ut_exec_path), "usertests");
	pid_t pid = utest_fork();
	if (pid == 0) {
		ut_vfork_thread_child();
		_exit(96);
	}
	UT_CHECK_EXIT(ut_wait_bounded(pid, "vfork+thread+execve"), UT_EXEC_STATUS);
}

void ut_vfork_wait_killable(void)
{
	pid_t pid = utest_fork();
	if (pid == 0) {
		/* The vfork child shares our memory: it only sleeps until
		 * its parent is gone (reparented), then leaves. */
		pid_t me = getpid();
		if (syscall(SYS_vfork) == 0) {
			while (syscall(SYS_getppid) == me)
				utest_sleep_ns(UT_HOSTILE_POLL_NS);
			syscall(SYS_exit, 0);
		}
		_exit(1);                /* the vfork child never lets us here */
	}
	utest_sleep_ns(50 * UTEST_MS);   /* let it get into the vfork wait */
	UT_OK(kill(pid, SIGKILL));
	UT_CHECK_KILLED(ut_wait_bounded(pid, "SIGKILL of a vfork parent"), SIGKILL);
}

void ut_mmap_shared_lazy(void)
{
	size_t len = (size_t)(ut_total_bytes() / 2) & ~(size_t)(UT_PAGE - 1);
	uint64_t before = ut_free_bytes();
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	UT_CHECK(p != MAP_FAILED);
	/* Filled at mmap time, free memory would have dropped by len. */
	UT_CHECK(ut_free_bytes() + len / 4 > before);
	p[0] = 1;
	p[len - 1] = 2;
	pid_t pid = utest_fork();
	if (pid == 0) {
		if (p[0] != 1 || p[len - 1] != 2)
			_exit(1);
		p[UT_PAGE] = 3;          /* a page the parent never touched */
		p[0] = 4;
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK(p[UT_PAGE] == 3 && p[0] == 4 && p[len - 1] == 2);
	UT_OK(munmap((void *)p, len));
}

void ut_mmap_commit_limit(void)
{
	int anon = MAP_ANONYMOUS;

	UT_CHECK_ERR(mmap(NULL, UT_HUGE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | anon, -1, 0),
		     ENOMEM);
	UT_CHECK_ERR(mmap(NULL, UT_HUGE_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | anon, -1, 0),
		     ENOMEM);
	/* Not accounted: read-only private, or MAP_NORESERVE. */
	void *ro = mmap(NULL, UT_HUGE_LEN, PROT_READ, MAP_PRIVATE | anon, -1, 0);
	UT_CHECK(ro != MAP_FAILED);
	UT_OK(munmap(ro, UT_HUGE_LEN));
	volatile char *nr = mmap(NULL, UT_HUGE_LEN, PROT_READ | PROT_WRITE,
				 MAP_SHARED | anon | MAP_NORESERVE, -1, 0);
	UT_CHECK(nr != MAP_FAILED);
	nr[0] = 1;
	nr[UT_HUGE_LEN - 1] = 2;         /* two pages of 16 TiB: fine */
	UT_CHECK(nr[0] == 1 && nr[UT_HUGE_LEN - 1] == 2);
	UT_OK(munmap((void *)nr, UT_HUGE_LEN));
}

void ut_mmap_dev_zero(void)
{
	size_t len = (size_t)(ut_total_bytes() / 2) & ~(size_t)(UT_PAGE - 1);
	int fd = UT_OK(open("/dev/zero", O_RDWR));
	uint64_t before = ut_free_bytes();
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	int pfd[2];

	UT_CHECK(p != MAP_FAILED);
	UT_CHECK(ut_free_bytes() + len / 4 > before);
	UT_CHECK(p[0] == 0 && p[len - 1] == 0);
	p[len - 1] = 5;
	UT_OK(munmap((void *)p, len));

	volatile char *s = mmap(NULL, 4 * UT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_CHECK(s != MAP_FAILED);
	pid_t pid = utest_fork();
	if (pid == 0) {
		s[UT_PAGE] = 7;
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK(s[UT_PAGE] == 7);
	UT_OK(munmap((void *)s, 4 * UT_PAGE));
	close(fd);

	UT_OK(pipe(pfd));
	UT_CHECK_ERR(mmap(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0), ENODEV);
	close(pfd[0]);
	close(pfd[1]);
}

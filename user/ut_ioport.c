/*
 * ut_ioport.c - usertests: ioperm(2) and iopl(2), Linux semantics.  Port
 * 0x80 (the POST diagnostic port) and 0xed (the other "delay" port) are
 * harmless to read on QEMU and on PCs; a refused port raises #GP, which
 * must arrive as SIGSEGV with si_code SI_KERNEL.
 *
 * A Linux kernel built without CONFIG_X86_IOPL_IOPERM answers ENOSYS (the
 * host these tests are checked on does); then each test prints why and
 * passes without testing anything.  Any other failure is a failure.
 *
 *   ioport_einval          from + num beyond 65536 or wrapping, num 0:
 *                          EINVAL (turning on or off); iopl(4), iopl(-1):
 *                          EINVAL
 *   ioport_allowed_port    ioperm(0x80) on: inb(0x80) works at once, a
 *                          neighbouring port faults (SIGSEGV, SI_KERNEL);
 *                          turned off: 0x80 faults too
 *   ioport_unprivileged    uid 1000: turning on and raising iopl are EPERM,
 *                          turning off and lowering work; permissions
 *                          granted before setuid stay
 *   ioport_fork_exec       fork copies the bitmap (the child's changes do
 *                          not reach the parent); execve keeps it
 *                          ("usertests --inb PORT" in the new image)
 *   ioport_iopl3           iopl(3) allows every port; cli and sti are
 *                          skipped as no-ops (Linux 5.5+), and fault
 *                          again after iopl(0), which brings the ioperm
 *                          bitmap back
 *   ioport_threads         a thread created after ioperm has the ports
 *                          (Linux and Keel); one created before gets them
 *                          after its next switch on Keel (per-process
 *                          permissions) and never on Linux (per thread)
 *   ioport_switch_smp      processes with different bitmaps, two per CPU
 *                          and a pair free to migrate, yield to each other
 *                          while each checks its allowed port works and
 *                          the other's faults
 */
#include "usertests.h" /* first: _GNU_SOURCE for sched.h */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <time.h>

#define UT_PORT         0x80   /* POST diagnostics: reads are harmless */
#define UT_PORT2        0xed   /* the other dummy delay port */
#define UT_PORT_HIGH    0xfff0 /* nothing there on QEMU: reads 0xff */
#define UT_IO_PORTS     0x10000ul
#define UT_SEGV_EXIT    42 /* the SIGSEGV handler saw SI_KERNEL */
#define UT_SEGV_BADCODE 43 /* ... another si_code */
#define UT_SWITCH_ITERS 150
#define UT_SWITCH_PAIRS 3

static inline uint8_t ut_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* True (after saying so) when the kernel has no ioperm at all. */
static bool ut_ioport_missing(const char *test)
{
	/* Turning off a port of a process with no bitmap changes nothing. */
	if (syscall(SYS_ioperm, UT_PORT, 1, 0) == 0)
		return false;
	if (errno != ENOSYS)
		utest_fail("ioperm(0x80, 1, 0): %s", strerror(errno));
	utest_print("usertests: %s: skipped: ioperm is ENOSYS (a kernel without "
		    "CONFIG_X86_IOPL_IOPERM)\n",
		    test);
	return true;
}

static void ut_segv_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	_exit(sig == SIGSEGV && si->si_code == SI_KERNEL ? UT_SEGV_EXIT : UT_SEGV_BADCODE);
}

static void ut_catch_segv(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ut_segv_handler;
	sa.sa_flags = SA_SIGINFO;
	UT_OK(sigaction(SIGSEGV, &sa, NULL));
}

/* Reading port in a child: true if it worked, false if it faulted with
 * SIGSEGV / SI_KERNEL; anything else fails the test. */
static bool ut_port_works(uint16_t port)
{
	pid_t pid = utest_fork();
	int st;

	if (pid == 0) {
		ut_catch_segv();
		(void)ut_inb(port);
		_exit(0);
	}
	st = utest_wait(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	if (WIFEXITED(st) && WEXITSTATUS(st) == UT_SEGV_EXIT)
		return false;
	utest_fail("inb(0x%x) child: status 0x%x", port, st);
}

void ut_ioport_einval(void)
{
	if (ut_ioport_missing("ioport_einval"))
		return;
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_PORT, 0, 1), EINVAL);
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_PORT, 0, 0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_ioperm, 0, UT_IO_PORTS + 1, 1), EINVAL);
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_IO_PORTS - 1, 2, 1), EINVAL);
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_IO_PORTS, 1, 0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_ioperm, ~0ul, 2, 1), EINVAL); /* wraps */
	UT_CHECK_ERR(syscall(SYS_ioperm, 1, ~0ul, 1), EINVAL);
	UT_CHECK_ERR(syscall(SYS_iopl, 4), EINVAL);
	UT_CHECK_ERR(syscall(SYS_iopl, -1), EINVAL);
	UT_OK(syscall(SYS_ioperm, 0, UT_IO_PORTS, 0)); /* every port, off: fine */
	UT_OK(syscall(SYS_iopl, 0));
}

void ut_ioport_allowed_port(void)
{
	if (ut_ioport_missing("ioport_allowed_port"))
		return;
	UT_CHECK(!ut_port_works(UT_PORT));
	UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 1));
	(void)ut_inb(UT_PORT); /* at once, in this thread */
	UT_CHECK(ut_port_works(UT_PORT));
	UT_CHECK(!ut_port_works(UT_PORT + 1));
	UT_CHECK(!ut_port_works(UT_PORT - 1));
	UT_CHECK(!ut_port_works(UT_PORT_HIGH));
	UT_OK(syscall(SYS_ioperm, UT_PORT2, 1, 1));
	UT_CHECK(ut_port_works(UT_PORT2) && ut_port_works(UT_PORT));
	UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 0));
	UT_CHECK(!ut_port_works(UT_PORT));
	UT_CHECK(ut_port_works(UT_PORT2));
}

static void unprivileged(void *arg)
{
	(void)arg;
	UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 1));
	UT_OK(syscall(SYS_setuid, 1000));
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_PORT2, 1, 1), EPERM);
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_PORT2, 0, 1), EINVAL); /* EINVAL first */
	UT_CHECK_ERR(syscall(SYS_iopl, 3), EPERM);
	UT_CHECK_ERR(syscall(SYS_iopl, 1), EPERM);
	UT_OK(syscall(SYS_iopl, 0)); /* no change */
	(void)ut_inb(UT_PORT);       /* granted before: kept */
	UT_CHECK(!ut_port_works(UT_PORT2));
	UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 0)); /* giving up is allowed */
	UT_CHECK(!ut_port_works(UT_PORT));
	UT_CHECK_ERR(syscall(SYS_ioperm, UT_PORT, 1, 1), EPERM);
}

static void unprivileged_iopl(void *arg)
{
	(void)arg;
	UT_OK(syscall(SYS_iopl, 3));
	UT_OK(syscall(SYS_setuid, 1000));
	UT_CHECK(ut_port_works(UT_PORT));
	UT_OK(syscall(SYS_iopl, 1)); /* lowering is allowed */
	UT_CHECK(!ut_port_works(UT_PORT));
	UT_CHECK_ERR(syscall(SYS_iopl, 2), EPERM);
	UT_OK(syscall(SYS_iopl, 0));
	UT_CHECK_ERR(syscall(SYS_iopl, 1), EPERM);
}

void ut_ioport_unprivileged(void)
{
	if (ut_ioport_missing("ioport_unprivileged"))
		return;
	UT_CHECK_EXIT(ut_in_child(unprivileged, NULL), 0);
	UT_CHECK_EXIT(ut_in_child(unprivileged_iopl, NULL), 0);
}

/* "usertests --inb PORT": reads the port and exits 0 (or dies). */
int ut_helper_inb(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	(void)ut_inb((uint16_t)strtoul(argv[2], NULL, 0));
	return 0;
}

/* Exec "usertests --inb port"; its wait status. */
static int ut_exec_inb(uint16_t port)
{
	char path[256], arg[16];
	pid_t pid;

	ut_binpath(path, sizeof(path), "usertests");
	snprintf(arg, sizeof(arg), "%u", port);
	pid = utest_fork();
	if (pid == 0) {
		char *argv[] = { path, "--inb", arg, NULL };
		char *envp[] = { NULL };

		execve(path, argv, envp);
		_exit(3);
	}
	return utest_wait(pid);
}

void ut_ioport_fork_exec(void)
{
	pid_t pid;

	if (ut_ioport_missing("ioport_fork_exec"))
		return;
	UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 1));
	pid = utest_fork();
	if (pid == 0) {
		(void)ut_inb(UT_PORT); /* inherited */
		UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 0));
		UT_OK(syscall(SYS_ioperm, UT_PORT2, 1, 1));
		UT_CHECK(!ut_port_works(UT_PORT));
		_exit(0);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
	(void)ut_inb(UT_PORT); /* the child's copy changed, not ours */
	UT_CHECK(!ut_port_works(UT_PORT2));
	UT_CHECK_EXIT(ut_exec_inb(UT_PORT), 0);
	UT_CHECK_KILLED(ut_exec_inb(UT_PORT2), SIGSEGV);
	UT_OK(syscall(SYS_iopl, 3));
	UT_CHECK_EXIT(ut_exec_inb(UT_PORT2), 0);
}

static void iopl_cli(void *arg)
{
	(void)arg;
	ut_catch_segv();
	__asm__ volatile("cli; sti");
	_exit(0);
}

void ut_ioport_iopl3(void)
{
	if (ut_ioport_missing("ioport_iopl3"))
		return;
	UT_OK(syscall(SYS_ioperm, UT_PORT2, 1, 1));
	UT_CHECK(!ut_port_works(UT_PORT));
	UT_OK(syscall(SYS_iopl, 3));
	(void)ut_inb(UT_PORT); /* at once */
	UT_CHECK(ut_port_works(UT_PORT) && ut_port_works(UT_PORT2));
	UT_CHECK(ut_port_works(UT_PORT_HIGH));
	UT_CHECK(ut_port_works(0) && ut_port_works(UT_PORT_HIGH + 1));
	/* Not the CPU's IOPL: cli and sti fault and are skipped (Linux). */
	UT_CHECK_EXIT(ut_in_child(iopl_cli, NULL), 0);
	UT_OK(syscall(SYS_iopl, 0));
	UT_CHECK_EXIT(ut_in_child(iopl_cli, NULL), UT_SEGV_EXIT);
	UT_CHECK(!ut_port_works(UT_PORT));
	UT_CHECK(ut_port_works(UT_PORT2)); /* ioperm's bitmap again */
}

static sigjmp_buf ut_switch_env;

static void ut_switch_segv(int sig)
{
	(void)sig;
	siglongjmp(ut_switch_env, 1);
}

/* One process of the switch test: ports allowed/refused, on cpu (or
 * anywhere: -1).  Exits 0 if every read of allowed worked and every read
 * of refused faulted. */
static void ut_switch_worker(uint16_t allowed, uint16_t refused, int cpu)
{
	struct sigaction sa;
	volatile int faults = 0;

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		UT_OK(sched_setaffinity(0, sizeof(set), &set));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ut_switch_segv;
	UT_OK(sigaction(SIGSEGV, &sa, NULL));
	UT_OK(syscall(SYS_ioperm, allowed, 1, 1));
	for (int i = 0; i < UT_SWITCH_ITERS; i++) {
		(void)ut_inb(allowed);
		if (sigsetjmp(ut_switch_env, 1) == 0)
			(void)ut_inb(refused);
		else
			faults++;
		sched_yield();
	}
	_exit(faults == UT_SWITCH_ITERS ? 0 : 1);
}

void ut_ioport_switch_smp(void)
{
	pid_t pids[UT_SWITCH_PAIRS * 2];
	cpu_set_t set;
	int ncpu;

	if (ut_ioport_missing("ioport_switch_smp"))
		return;
	UT_OK(sched_getaffinity(0, sizeof(set), &set));
	ncpu = CPU_COUNT(&set) > 1 ? 2 : 1;
	for (int i = 0; i < UT_SWITCH_PAIRS * 2; i++) {
		/* Pairs 0 and 1 share CPU 0 / 1; the last pair migrates. */
		int pair = i / 2, cpu = pair < UT_SWITCH_PAIRS - 1 ? pair % ncpu : -1;

		pids[i] = utest_fork();
		if (pids[i] == 0) {
			if (i % 2)
				ut_switch_worker(UT_PORT, UT_PORT2, cpu);
			else
				ut_switch_worker(UT_PORT2, UT_PORT, cpu);
		}
	}
	for (int i = 0; i < UT_SWITCH_PAIRS * 2; i++)
		UT_CHECK_EXIT(utest_wait(pids[i]), 0);
}

static __thread sigjmp_buf ut_thread_env; /* each thread its own */
static volatile int ut_thread_go;

static void ut_thread_segv(int sig)
{
	(void)sig;
	siglongjmp(ut_thread_env, 1);
}

/* Reads UT_PORT once ut_thread_go is set, after a sleep (a context
 * switch); returns (void *)1 if it worked, NULL if it faulted. */
static void *ut_thread_reader(void *arg)
{
	struct timespec ms = { 0, 10 * UTEST_MS };

	(void)arg;
	while (!__atomic_load_n(&ut_thread_go, __ATOMIC_ACQUIRE))
		sched_yield();
	nanosleep(&ms, NULL);
	if (sigsetjmp(ut_thread_env, 1) != 0)
		return NULL;
	(void)ut_inb(UT_PORT);
	return (void *)1;
}

static void threads(void *arg)
{
	struct sigaction sa;
	struct utsname u;
	pthread_t before, after;
	void *r_before, *r_after;
	bool keel;

	(void)arg;
	UT_OK(uname(&u));
	keel = strstr(u.release, "keel") != NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ut_thread_segv;
	UT_OK(sigaction(SIGSEGV, &sa, NULL));
	UT_CHECK(pthread_create(&before, NULL, ut_thread_reader, NULL) == 0);
	UT_OK(syscall(SYS_ioperm, UT_PORT, 1, 1));
	(void)ut_inb(UT_PORT); /* the caller: at once */
	UT_CHECK(pthread_create(&after, NULL, ut_thread_reader, NULL) == 0);
	__atomic_store_n(&ut_thread_go, 1, __ATOMIC_RELEASE);
	UT_CHECK(pthread_join(after, &r_after) == 0);
	UT_CHECK(pthread_join(before, &r_before) == 0);
	UT_CHECK(r_after != NULL);
	if (keel && r_before == NULL)
		utest_fail("Keel: a thread started before ioperm did not get the port");
	if (!keel && r_before != NULL)
		utest_fail("Linux: a thread started before ioperm got the port");
}

void ut_ioport_threads(void)
{
	if (ut_ioport_missing("ioport_threads"))
		return;
	UT_CHECK_EXIT(ut_in_child(threads, NULL), 0);
}

/*
 * ut_regress.c - usertests: regressions from the code review.
 *
 * Each case is the reproducer of a kernel bug that was found by review and
 * fixed, made permanent.  They pass on Linux too (the reference).
 *
 *   nt_flag_syscall           a syscall made with EFLAGS.NT set returns
 *                             normally (NT must not leak into the kernel's
 *                             iretq, which would #GP)
 *   argv_budget               execve with argv far over the argument budget
 *                             (128 KiB strings, and 64 KiB ones) fails with
 *                             E2BIG, three times over; exec works afterwards
 *   itimer_race               4 threads race setitimer(ITIMER_REAL) on and
 *                             off for half a second; then a fresh timer fires
 *   lostwake_exit             200 times: a child whose second thread sleeps
 *                             in read() calls _exit(); it must be reapable
 *                             within 3 s (the sleeper must be woken)
 *   fpu_fork_thread           the x87 and SSE rounding modes survive fork and
 *                             pthread_create
 *   brk_collision             brk growing into an existing mapping is refused
 *                             (returns the old break) and the mapping stays
 *   kill_minus1_spares_caller kill(-1, sig) signals others but not the caller
 *                             (see the comment at the test for how it is kept
 *                             from signalling the rest of a Linux machine)
 *   vfork_suspends_parent     the parent of vfork sleeps until the child
 *                             exits or execs, and sees the child's writes
 *   mmap_fixed_bad_fd_keeps_mapping
 *                             mmap(MAP_FIXED) of a bad fd fails with EBADF
 *                             before it unmaps what was there
 *   noncanonical_rip_kills_process
 *                             a handler at a non-canonical address, or an
 *                             rt_sigreturn frame with a non-canonical or
 *                             kernel rip, or a non-canonical rsp, kills the
 *                             process with SIGSEGV (not the kernel)
 *   clone_settls_noncanonical_eperm
 *                             clone(CLONE_SETTLS) with a TLS base outside the
 *                             user half fails with EPERM
 *   clone_settid_readonly     clone(CLONE_PARENT_SETTID|CLONE_CHILD_SETTID)
 *                             aimed at a read-only page succeeds and writes
 *                             nothing there, in parent or child (the kernel
 *                             once made the page writable to store the tid)
 *
 * The binary's "--orphan-init" mode (ut_helper_orphan_init) is for the
 * system test that boots it as init: it leaves a child and a grandchild
 * asleep and exits 0, and the kernel must clean up after them.
 */
#include "usertests.h"	/* first: it defines _GNU_SOURCE (unshare, CLONE_*) */
#include <fenv.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#define X86_EFLAGS_NT 0x4000ul
#define X86_FPU_RC_MASK 0xc00		/* x87 control word: rounding control */
#define X86_MXCSR_RC_SHIFT 3		/* MXCSR RC is the x87 RC << 3 */
#define UT_NS_PER_MS 1000000ll

#define UT_ARG_STRINGS 4000
#define UT_ARG_HUGE (128u << 10)	/* one string over Linux's MAX_ARG_STRLEN */
#define UT_ARG_BIG (64u << 10)
#define UT_ARG_ROUNDS 3
#define UT_FDCHECK_TOO_FEW_ARGS 3	/* ut_helper_fdcheck's status for argc != 4 */

#define UT_ITIMER_THREADS 4
#define UT_ITIMER_RACE_NS (500 * UT_NS_PER_MS)
#define UT_ITIMER_FIRE_US 10000
#define UT_ITIMER_FIRE_WAIT_NS (2000 * UT_NS_PER_MS)

#define UT_LOSTWAKE_ROUNDS 200
#define UT_LOSTWAKE_LIMIT_S 3
#define UT_LOSTWAKE_SPIN 4000
#define UT_LOSTWAKE_STUCK 50		/* a child's status: no pipe or thread */

#define UT_FPU_ROUNDS 40

#define UT_KILL_WAIT_NS (5000 * UT_NS_PER_MS)
#define UT_VFORK_DELAY_NS (50 * UT_NS_PER_MS)
#define UT_BAD_FD 987
#define UT_MAPPED_BYTE 42


#define UT_CLONE_CHILD_EXIT 99
#define UT_ORPHAN_SLEEP_S 60

/* ---------------------------------------------------------------- helpers */

/* Sleeps ms milliseconds (raw nanosleep; EINTR ends it early). */
static void ut_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * UT_NS_PER_MS };

	syscall(SYS_nanosleep, &ts, NULL);
}

static void ut_set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	UT_OK(sigaction(sig, &sa, NULL));	/* no SA_RESTART: EINTR wakes us */
}

/* ---------------------------------------------------------------- NT flag */

/* Makes syscall nr with EFLAGS.NT set, clears NT again, returns rax. */
static long ut_syscall_with_nt(long nr)
{
	long r;

	__asm__ volatile("pushfq; orq %[nt], (%%rsp); popfq\n\t"
			 "syscall\n\t"
			 "pushfq; andq %[notnt], (%%rsp); popfq"
			 : "=a"(r)
			 : "a"(nr), [nt] "i"(X86_EFLAGS_NT), [notnt] "i"(~X86_EFLAGS_NT)
			 : "rcx", "r11", "memory", "cc");
	return r;
}

static void ut_nt_child(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		if (ut_syscall_with_nt(SYS_getpid) != getpid())
			_exit(10);
		if (ut_syscall_with_nt(SYS_sched_yield) != 0)
			_exit(11);
	}
}

void ut_nt_flag_syscall(void)
{
	UT_CHECK_EXIT(ut_in_child(ut_nt_child, NULL), 0);
}

/* ---------------------------------------------------------------- argv budget */

/* In a child: execve(usertests) with UT_ARG_STRINGS strings of len bytes. */
static void ut_exec_too_big(void *arg)
{
	size_t len = (size_t)arg;
	char *big = malloc(len + 1), **av = calloc(UT_ARG_STRINGS + 1, sizeof(char *));
	char *envp[] = { NULL };
	char path[256];

	if (!big || !av)
		utest_fail("malloc: out of memory");
	memset(big, 'a', len);
	big[len] = '\0';
	for (int i = 0; i < UT_ARG_STRINGS; i++)
		av[i] = big;
	av[1] = "--fdcheck";	/* if exec succeeds, the helper exits 3 at once */
	ut_binpath(path, sizeof(path), "usertests");
	for (int round = 0; round < UT_ARG_ROUNDS; round++) {
		errno = 0;
		execve(path, av, envp);
		if (errno != E2BIG)
			utest_fail("execve of %d strings of %zu bytes, round %d: %s, want E2BIG",
				UT_ARG_STRINGS, len, round, strerror(errno));
	}
}

void ut_argv_budget(void)
{
	char path[256], one[16], none[16];
	char *argv[] = { "usertests", "--fdcheck", one, none, NULL }, *envp[] = { NULL };
	int status;
	pid_t pid;

	status = ut_in_child(ut_exec_too_big, (void *)(size_t)UT_ARG_HUGE);
	if (WIFEXITED(status) && WEXITSTATUS(status) == UT_FDCHECK_TOO_FEW_ARGS)
		utest_fail("execve with %u huge strings succeeded", UT_ARG_STRINGS);
	UT_CHECK_EXIT(status, 0);
	UT_CHECK_EXIT(ut_in_child(ut_exec_too_big, (void *)(size_t)UT_ARG_BIG), 0);

	/* The system is fine: an ordinary exec works. */
	snprintf(one, sizeof(one), "%d", STDOUT_FILENO);
	snprintf(none, sizeof(none), "%d", UT_BAD_FD);
	close(UT_BAD_FD);
	ut_binpath(path, sizeof(path), "usertests");
	pid = UT_OK(fork());
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(120);
	}
	UT_CHECK_EXIT(utest_wait(pid), 0);
}

/* ---------------------------------------------------------------- itimer race */

static atomic_bool ut_itimer_stop;
static volatile sig_atomic_t ut_alarms;

static void ut_on_alarm(int sig)
{
	(void)sig;
	ut_alarms++;
}

static void *ut_itimer_worker(void *arg)
{
	long id = (long)arg;
	struct itimerval on = { { 0, 1000 }, { 0, 1000 + id } }, off;

	memset(&off, 0, sizeof(off));
	for (long i = 0; !atomic_load(&ut_itimer_stop); i++)
		setitimer(ITIMER_REAL, (i & 1) ? &off : &on, NULL);
	return NULL;
}

/* In a child, whose timer is its own (ours is the suite's 30 s watchdog). */
static void ut_itimer_child(void *arg)
{
	pthread_t th[UT_ITIMER_THREADS];
	struct itimerval off, once;
	int64_t deadline;

	(void)arg;
	signal(SIGALRM, SIG_IGN);
	for (long i = 0; i < UT_ITIMER_THREADS; i++)
		if (pthread_create(&th[i], NULL, ut_itimer_worker, (void *)i) != 0)
			_exit(10);
	ut_sleep_ms(UT_ITIMER_RACE_NS / UT_NS_PER_MS);
	atomic_store(&ut_itimer_stop, true);
	for (int i = 0; i < UT_ITIMER_THREADS; i++)
		pthread_join(th[i], NULL);

	/* The timer still works: a one-shot fires once. */
	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	ut_set_handler(SIGALRM, ut_on_alarm);
	once = off;
	once.it_value.tv_usec = UT_ITIMER_FIRE_US;
	if (setitimer(ITIMER_REAL, &once, NULL) != 0)
		_exit(11);
	deadline = utest_now_ns() + UT_ITIMER_FIRE_WAIT_NS;
	while (ut_alarms == 0 && utest_now_ns() < deadline)
		ut_sleep_ms(1);
	_exit(ut_alarms == 1 ? 0 : 12);
}

void ut_itimer_race(void)
{
	int status = ut_in_child(ut_itimer_child, NULL);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 12)
		utest_fail("after the race, a %d us one-shot timer did not fire exactly once",
			UT_ITIMER_FIRE_US);
	UT_CHECK_EXIT(status, 0);
}

/* ---------------------------------------------------------------- lost wakeup */

static int ut_lw_pipe[2];
static atomic_bool ut_lw_started;

static void *ut_lw_reader(void *arg)
{
	char c;

	(void)arg;
	atomic_store(&ut_lw_started, true);
	for (;;)
		if (read(ut_lw_pipe[0], &c, 1) < 0 && errno != EINTR)
			return NULL;
}

/* The child of round i: a thread asleep in read(), then _exit (exit_group). */
static __attribute__((noreturn)) void ut_lw_child(int i)
{
	pthread_t th;

	if (pipe(ut_lw_pipe) < 0 || pthread_create(&th, NULL, ut_lw_reader, NULL) != 0)
		_exit(UT_LOSTWAKE_STUCK);
	while (!atomic_load(&ut_lw_started))
		sched_yield();
	for (volatile int k = (i * 37) % UT_LOSTWAKE_SPIN; k > 0; k--)
		;
	_exit(0);
}

static volatile sig_atomic_t ut_lw_timeout;

static void ut_lw_on_alarm(int sig)
{
	(void)sig;
	ut_lw_timeout = 1;
}

void ut_lostwake_exit(void)
{
	struct itimerval watchdog, limit, off;
	int status;

	/* Our ITIMER_REAL is the suite's watchdog: borrow it, then give it back. */
	UT_OK(getitimer(ITIMER_REAL, &watchdog));
	memset(&off, 0, sizeof(off));
	limit = off;
	limit.it_value.tv_sec = UT_LOSTWAKE_LIMIT_S;
	ut_set_handler(SIGALRM, ut_lw_on_alarm);
	for (int i = 0; i < UT_LOSTWAKE_ROUNDS; i++) {
		pid_t pid = UT_OK(fork());

		if (pid == 0)
			ut_lw_child(i);
		UT_OK(setitimer(ITIMER_REAL, &limit, NULL));
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR)
				utest_fail("waitpid: %s", strerror(errno));
			if (ut_lw_timeout) {
				kill(pid, SIGKILL);
				utest_fail("round %d: child %d did not finish exiting in %d s", i,
					(int)pid, UT_LOSTWAKE_LIMIT_S);
			}
		}
		UT_OK(setitimer(ITIMER_REAL, &off, NULL));
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			utest_fail("round %d: child status 0x%x, want exit 0", i, status);
	}
	signal(SIGALRM, SIG_DFL);
	UT_OK(setitimer(ITIMER_REAL, &watchdog, NULL));
}

/* ---------------------------------------------------------------- FPU state */

/* true when both the x87 and the SSE rounding controls say mode. */
static bool ut_round_is(int mode)
{
	uint16_t cw;
	uint32_t mxcsr;

	__asm__ volatile("fnstcw %0; stmxcsr %1" : "=m"(cw), "=m"(mxcsr));
	return (cw & X86_FPU_RC_MASK) == mode &&
	       ((mxcsr >> X86_MXCSR_RC_SHIFT) & X86_FPU_RC_MASK) == (uint32_t)mode;
}

static void *ut_round_thread(void *arg)
{
	return (void *)(uintptr_t)ut_round_is((int)(intptr_t)arg);
}

void ut_fpu_fork_thread(void)
{
	static const int modes[] = { FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD, FE_TONEAREST };

	for (int i = 0; i < UT_FPU_ROUNDS; i++) {
		int mode = modes[i % 4];
		pthread_t th;
		void *ok;
		pid_t pid;

		UT_CHECK(fesetround(mode) == 0 && ut_round_is(mode));
		pid = UT_OK(fork());
		if (pid == 0)
			_exit(ut_round_is(mode) ? 0 : 1);
		if (utest_wait(pid) != 0)
			utest_fail("round %d: a forked child lost rounding mode 0x%x", i, mode);
		UT_CHECK(pthread_create(&th, NULL, ut_round_thread, (void *)(intptr_t)mode) == 0);
		UT_CHECK(pthread_join(th, &ok) == 0);
		if (!ok)
			utest_fail("round %d: a new thread lost rounding mode 0x%x", i, mode);
		UT_CHECK(ut_round_is(mode));
	}
	fesetround(FE_TONEAREST);
}

/* ---------------------------------------------------------------- brk */

static void ut_check_byte(void *arg)
{
	volatile char *p = arg;

	if (*p != UT_MAPPED_BYTE)
		_exit(1);
	*p = UT_MAPPED_BYTE + 1;	/* still writable, too */
}

void ut_brk_collision(void)
{
	char *cur = (char *)syscall(SYS_brk, NULL);
	char *end = (char *)(((uintptr_t)cur + UT_PAGE - 1) & ~(uintptr_t)(UT_PAGE - 1));
	char *m = mmap(end, UT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	UT_CHECK(m == end);
	m[0] = UT_MAPPED_BYTE;
	UT_CHECK((char *)syscall(SYS_brk, end + 16 * UT_PAGE) == cur);	/* refused */
	UT_CHECK((char *)syscall(SYS_brk, NULL) == cur);
	UT_CHECK_EXIT(ut_in_child(ut_check_byte, m), 0);		/* mapping intact */
	UT_OK(munmap(m, UT_PAGE));
}

/* ---------------------------------------------------------------- kill(-1) */

static volatile sig_atomic_t ut_urg_seen;

static void ut_on_urg(int sig)
{
	(void)sig;
	ut_urg_seen = 1;
}

/*
 * The caller S (never init) and a bystander B, both with a SIGURG handler.
 * S sends kill(-1, SIGURG): B must get it (and says so through a pipe) and
 * S must not.  A signal to oneself is delivered before the syscall returns,
 * so by the time B has answered, S's handler would have run.
 */
static void ut_kill_scenario(void *arg)
{
	int got[2];
	pid_t b;
	char c;

	(void)arg;
	ut_set_handler(SIGURG, ut_on_urg);
	UT_OK(pipe(got));
	b = UT_OK(fork());
	if (b == 0) {
		int64_t deadline = utest_now_ns() + UT_KILL_WAIT_NS;

		close(got[0]);
		while (!ut_urg_seen && utest_now_ns() < deadline)
			ut_sleep_ms(1);
		_exit(ut_urg_seen && write(got[1], "g", 1) == 1 ? 0 : 1);
	}
	close(got[1]);
	UT_OK(kill(-1, 0));	/* B is there to signal: no ESRCH */
	UT_OK(kill(-1, SIGURG));
	if (read(got[0], &c, 1) != 1)
		utest_fail("kill(-1, SIGURG) did not reach another process");
	UT_CHECK_EXIT(utest_wait(b), 0);
	if (ut_urg_seen)
		utest_fail("kill(-1, SIGURG) signalled the caller");
}

/*
 * kill(-1) reaches every process but init and the caller: on a Linux host
 * that is everything running there.  So the real signal is sent only where
 * this suite owns every process it could reach:
 *  - in a new PID namespace (Linux, when unshare() is allowed): its init is
 *    ours and the caller and bystander are its children;
 *  - when the suite's runner is PID 1 (Keel booted with init=usertests): the
 *    other processes are the runner (init: spared) and this test's own.
 * The signal is SIGURG, whose default action is to ignore it, so a process
 * without a handler (this test process, a leftover orphan) is unaffected.
 * Elsewhere only kill(-1, 0), which sends nothing, is checked.  (With
 * nobody but init and the caller, kill(-1) is ESRCH, on Linux as on Keel:
 * under a PID-1 runner the probe waits until the bystander exists.)
 */
void ut_kill_minus1_spares_caller(void)
{
	pid_t ns_init;

	if (unshare(CLONE_NEWPID) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWPID) == 0) {
		ns_init = UT_OK(fork());	/* PID 1 of the new namespace */
		if (ns_init == 0) {
			UT_CHECK_EXIT(ut_in_child(ut_kill_scenario, NULL), 0);
			_exit(0);
		}
		UT_CHECK_EXIT(utest_wait(ns_init), 0);
	} else if (getppid() == 1) {
		UT_CHECK_EXIT(ut_in_child(ut_kill_scenario, NULL), 0);
	} else {
		UT_OK(kill(-1, 0));	/* our runner at least: no ESRCH */
	}
}

/* ---------------------------------------------------------------- vfork */

void ut_vfork_suspends_parent(void)
{
	char path[256], one[16], none[16];
	char *argv[] = { "usertests", "--fdcheck", one, none, NULL }, *envp[] = { NULL };
	struct timespec delay = { 0, UT_VFORK_DELAY_NS };
	volatile int shared = 0;
	volatile int64_t start;
	pid_t pid;

	snprintf(one, sizeof(one), "%d", STDOUT_FILENO);
	snprintf(none, sizeof(none), "%d", UT_BAD_FD);
	close(UT_BAD_FD);
	ut_binpath(path, sizeof(path), "usertests");

	/* The child sleeps, then writes our memory: we run only after its exit. */
	start = utest_now_ns();
	pid = vfork();
	if (pid == 0) {
		syscall(SYS_nanosleep, &delay, NULL);
		shared = 1;
		_exit(0);
	}
	UT_CHECK(pid > 0);
	if (shared != 1)
		utest_fail("after vfork the parent ran before the child's write (shared = %d)",
			shared);
	UT_CHECK(utest_now_ns() - start >= UT_VFORK_DELAY_NS);
	UT_CHECK_EXIT(utest_wait(pid), 0);

	/* Resumed by the child's execve, which must work from a vfork child. */
	pid = vfork();
	if (pid == 0) {
		shared = 2;
		execve(path, argv, envp);
		_exit(120);
	}
	UT_CHECK(pid > 0);
	UT_CHECK(shared == 2);
	UT_CHECK_EXIT(utest_wait(pid), 0);
}

/* ---------------------------------------------------------------- mmap */

void ut_mmap_fixed_bad_fd_keeps_mapping(void)
{
	char *q = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	UT_CHECK(q != MAP_FAILED);
	q[0] = UT_MAPPED_BYTE;
	close(UT_BAD_FD);
	UT_CHECK_ERR(mmap(q, UT_PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, UT_BAD_FD, 0), EBADF);
	UT_CHECK_ERR(mmap(q, UT_PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, -1, 0), EBADF);
	UT_CHECK_EXIT(ut_in_child(ut_check_byte, q), 0);
	UT_CHECK(q[0] == UT_MAPPED_BYTE);
	UT_OK(munmap(q, UT_PAGE));
}

/* ---------------------------------------------------------------- non-canonical rip */

struct ut_ksigaction {		/* the kernel's struct sigaction */
	unsigned long handler, flags, restorer, mask;
};

static void ut_restorer(void)
{
}

/* A handler at arg (a bad address), then the signal. */
static void ut_bad_handler_child(void *arg)
{
	struct ut_ksigaction sa = { (unsigned long)arg, UT_SA_RESTORER,
				    (unsigned long)ut_restorer, 0 };

	if (syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, sizeof(sa.mask)) != 0)
		_exit(10);
	kill(getpid(), SIGUSR1);
	_exit(11);
}

/* A privileged instruction: reached in user mode it is #GP, SIGSEGV. */
void ut_hlt(void);
__asm__(".text\n.globl ut_hlt\nut_hlt: hlt\n");

/* rt_sigreturn of a forged frame to rip (and rsp): bad addresses. */
static __attribute__((noreturn)) void ut_bad_sigreturn(void *rip, void *rsp)
{
	static unsigned long frame[128];
	unsigned long *mc = &frame[UT_UC_MCONTEXT];
	uint16_t cs, ss;

	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	mc[UT_MC_RSP] = rsp ? (unsigned long)rsp : (unsigned long)&frame[100];
	mc[UT_MC_RIP] = (unsigned long)rip;
	mc[UT_MC_EFLAGS] = UT_EFLAGS_IF;
	mc[UT_MC_CSGSFS] = cs | ((unsigned long)ss << 48);
	__asm__ volatile("mov %0, %%rsp; syscall" : : "r"(frame), "a"(SYS_rt_sigreturn)
			 : "memory");
	__builtin_unreachable();
}

static void ut_bad_sigreturn_child(void *rip)
{
	ut_bad_sigreturn(rip, NULL);
}

static void ut_bad_sigreturn_stack_child(void *rsp)
{
	ut_bad_sigreturn((void *)ut_hlt, rsp);
}

void ut_noncanonical_rip_kills_process(void)
{
	UT_CHECK_KILLED(ut_in_child(ut_bad_handler_child, UT_BAD_NONCANON), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_bad_sigreturn_child, UT_BAD_NONCANON), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_bad_sigreturn_child, (void *)0x8000000000001000ull),
			SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_bad_sigreturn_child, UT_BAD_KERNEL), SIGSEGV);
	UT_CHECK_KILLED(ut_in_child(ut_bad_sigreturn_stack_child, NULL), SIGSEGV); /* sane */
	UT_CHECK_KILLED(ut_in_child(ut_bad_sigreturn_stack_child, UT_BAD_NONCANON), SIGSEGV);
}

/* ---------------------------------------------------------------- clone TLS */

/* Raw clone(SIGCHLD | CLONE_SETTLS, tls); a child, which should not exist,
 * exits at once with UT_CLONE_CHILD_EXIT without touching its bad %fs. */
static long ut_clone_settls(void *tls)
{
	register long r10 __asm__("r10") = 0;	/* child_tid */
	register long r8 __asm__("r8") = (long)tls;
	long r;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %[exit], %%eax\n\t"
			 "mov %[code], %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(r)
			 : "a"(SYS_clone), "D"(SIGCHLD | CLONE_SETTLS), "S"(0), "d"(0), "r"(r10),
			   "r"(r8), [exit] "i"(SYS_exit), [code] "i"(UT_CLONE_CHILD_EXIT)
			 : "rcx", "r11", "memory", "cc");
	return r;
}

void ut_clone_settls_noncanonical_eperm(void)
{
	void *const bad[] = { UT_BAD_NONCANON, UT_BAD_KERNEL };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long r = ut_clone_settls(bad[i]);

		if (r > 0) {
			utest_wait((pid_t)r);
			utest_fail("clone(CLONE_SETTLS, %p) made child %ld", bad[i], r);
		}
		if (r != -EPERM)
			utest_fail("clone(CLONE_SETTLS, %p) = %ld, want -EPERM", bad[i], r);
	}
}

#define UT_RO_MAGIC 0x11223344

/* Raw clone(SIGCHLD | CLONE_*_SETTID) storing the tid at ro; the child exits
 * 0 if *ro still holds UT_RO_MAGIC, else 1. */
static long ut_clone_settid(uint32_t *ro)
{
	register long r10 __asm__("r10") = (long)ro;	/* child_tid */
	long r;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%edi, %%edi\n\t"
			 "cmpl %[magic], (%[ro])\n\t"
			 "setne %%dil\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(r)
			 : "a"(SYS_clone),
			   "D"(SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID), "S"(0),
			   "d"(ro), "r"(r10), [ro] "r"(ro), [magic] "i"(UT_RO_MAGIC),
			   [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory", "cc");
	return r;
}

void ut_clone_settid_readonly(void)
{
	uint32_t *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);

	if (ro == MAP_FAILED)
		utest_fail("mmap: errno %d", errno);
	*ro = UT_RO_MAGIC;
	UT_OK(mprotect(ro, 4096, PROT_READ));
	long r = ut_clone_settid(ro);
	if (r <= 0)
		utest_fail("clone with read-only tid pointers = %ld, want a child", r);
	UT_CHECK_EXIT(utest_wait((pid_t)r), 0);
	if (*ro != UT_RO_MAGIC)
		utest_fail("the read-only page changed in the parent: %#x", *ro);
	munmap(ro, 4096);
}

/* ---------------------------------------------------------------- orphan init */

/*
 * "usertests --orphan-init": meant to run as init.  Forks a child that forks
 * a grandchild, both asleep; once the grandchild runs, exits 0 and leaves
 * them to the kernel (which must kill and free them, not panic).
 */
int ut_helper_orphan_init(void)
{
	static const char msg[] = "usertests: orphan-init: exiting, leaving a child "
				  "and a grandchild\n";
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		pid = fork();
		if (pid == 0 && write(p[1], "g", 1) != 1)
			_exit(1);
		close(p[0]);
		close(p[1]);
		ut_sleep_ms(UT_ORPHAN_SLEEP_S * 1000);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		return 3;
	return write(STDOUT_FILENO, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 4;
}

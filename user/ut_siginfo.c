/*
 * ut_siginfo.c - signal delivery details (Linux semantics, man 2
 * sigaction, sigaltstack, rt_sigqueueinfo, sigtimedwait, man 7 signal):
 *
 *   sig_resethand     SA_RESETHAND: the handler runs once, then SIG_DFL
 *   sig_nodefer       the signal is blocked in its handler, unless SA_NODEFER
 *   sig_altstack      sigaltstack errors; an SA_ONSTACK handler runs on it
 *                     (SS_ONSTACK, EPERM to change it there)
 *   sig_queueinfo     rt_sigqueueinfo delivers si_code/si_value/si_pid;
 *                     EPERM for si_code >= 0 or SI_TKILL to another process
 *   sig_rt_queue      real-time signals queue every instance in order,
 *                     standard ones once
 *   sig_timedwait     rt_sigtimedwait: EAGAIN after the timeout, the
 *                     signal and its siginfo (SI_USER, SI_TKILL) otherwise
 *   sig_pending       rt_sigpending: pending and blocked signals
 *   sig_restart_read  a pipe read interrupted by a handler: EINTR, or
 *                     restarted under SA_RESTART
 *   sig_segv_info     SIGSEGV's si_addr and si_code, and the ucontext's
 *                     uc_sigmask is restored on return
 *   sig_nocldwait     children of a parent that ignores SIGCHLD or set
 *                     SA_NOCLDWAIT leave no zombie (wait: ECHILD)
 */
#include "usertests.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>

#define UT_SI_RT       40 /* a real-time signal (SIGRTMIN..64) */
#define UT_SI_COPIES   3
#define UT_SI_VALUE    1234
#define UT_SI_WAIT_MS  50
#define UT_SI_STACK    (64 * 1024)
#define UT_NS_PER_MS   1000000ll
#define UT_SI_SET_SIZE 8

static volatile sig_atomic_t ut_si_count, ut_si_depth, ut_si_max_depth, ut_si_blocked;

static void ut_si_install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	UT_OK(sigaction(sig, &sa, NULL));
}

static void ut_si_counter(int sig)
{
	(void)sig;
	ut_si_count++;
}

void ut_sig_resethand(void)
{
	struct sigaction old;
	int status;

	ut_si_install(SIGUSR1, ut_si_counter, SA_RESETHAND);
	UT_OK(raise(SIGUSR1));
	UT_CHECK(ut_si_count == 1);
	UT_OK(sigaction(SIGUSR1, NULL, &old));
	UT_CHECK(old.sa_handler == SIG_DFL);
	pid_t pid = UT_OK(fork());
	if (pid == 0) {
		raise(SIGUSR1);
		_exit(0);
	}
	status = utest_wait(pid);
	UT_CHECK_KILLED(status, SIGUSR1);
}

static void ut_si_nested(int sig)
{
	sigset_t cur;

	ut_si_depth++;
	if (ut_si_depth > ut_si_max_depth)
		ut_si_max_depth = ut_si_depth;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ut_si_blocked = sigismember(&cur, sig);
	if (ut_si_count++ == 0)
		raise(sig);
	ut_si_depth--;
}

void ut_sig_nodefer(void)
{
	ut_si_install(SIGUSR1, ut_si_nested, 0);
	UT_OK(raise(SIGUSR1));
	UT_CHECK(ut_si_count == 2 && ut_si_max_depth == 1 && ut_si_blocked);
	ut_si_count = ut_si_max_depth = 0;
	ut_si_install(SIGUSR1, ut_si_nested, SA_NODEFER);
	UT_OK(raise(SIGUSR1));
	UT_CHECK(ut_si_count == 2 && ut_si_max_depth == 2 && !ut_si_blocked);
}

static char *ut_alt_base;
static volatile uintptr_t ut_alt_local;
static volatile int ut_alt_flags, ut_alt_eperm;

static void ut_alt_handler(int sig)
{
	stack_t cur, ss;
	volatile char here;

	(void)sig;
	ut_alt_local = (uintptr_t)&here;
	if (sigaltstack(NULL, &cur) == 0)
		ut_alt_flags = cur.ss_flags;
	ss.ss_sp = ut_alt_base;
	ss.ss_size = UT_SI_STACK;
	ss.ss_flags = 0;
	ut_alt_eperm = sigaltstack(&ss, NULL) < 0 && errno == EPERM;
}

void ut_sig_altstack(void)
{
	stack_t ss, old;

	ut_alt_base =
		mmap(NULL, UT_SI_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK(ut_alt_base != MAP_FAILED);
	UT_OK(sigaltstack(NULL, &old));
	UT_CHECK(old.ss_flags == SS_DISABLE);
	ss.ss_sp = ut_alt_base;
	ss.ss_size = MINSIGSTKSZ - 1;
	ss.ss_flags = 0;
	UT_CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = UT_SI_STACK;
	ss.ss_flags = 0x10;
	UT_CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
	UT_CHECK_ERR(syscall(SYS_sigaltstack, UT_BAD_KERNEL, NULL), EFAULT);
	ss.ss_flags = 0;
	UT_OK(sigaltstack(&ss, NULL));
	UT_OK(sigaltstack(NULL, &old));
	UT_CHECK(old.ss_sp == ut_alt_base && old.ss_size == UT_SI_STACK && old.ss_flags == 0);

	/* Without SA_ONSTACK the handler stays on the normal stack. */
	ut_si_install(SIGUSR1, ut_alt_handler, 0);
	UT_OK(raise(SIGUSR1));
	UT_CHECK(ut_alt_local < (uintptr_t)ut_alt_base ||
		 ut_alt_local >= (uintptr_t)ut_alt_base + UT_SI_STACK);
	UT_CHECK(ut_alt_flags == 0 && !ut_alt_eperm);

	ut_si_install(SIGUSR1, ut_alt_handler, SA_ONSTACK);
	UT_OK(raise(SIGUSR1));
	UT_CHECK(ut_alt_local >= (uintptr_t)ut_alt_base &&
		 ut_alt_local < (uintptr_t)ut_alt_base + UT_SI_STACK);
	UT_CHECK(ut_alt_flags == SS_ONSTACK && ut_alt_eperm);
	/* Back on the normal stack: the settings stand, and may change. */
	UT_OK(sigaltstack(NULL, &old));
	UT_CHECK(old.ss_sp == ut_alt_base && old.ss_flags == 0);
	ss.ss_flags = SS_DISABLE;
	UT_OK(sigaltstack(&ss, NULL));
	UT_OK(sigaltstack(NULL, &old));
	UT_CHECK(old.ss_flags == SS_DISABLE && old.ss_size == 0);
}

static void ut_si_block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	UT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
}

static long ut_si_queue(pid_t pid, int sig, int code, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static int ut_si_take(int sig, siginfo_t *si)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &zero);
}

void ut_sig_queueinfo(void)
{
	siginfo_t si;

	ut_si_block(UT_SI_RT);
	UT_OK(ut_si_queue(getpid(), UT_SI_RT, SI_QUEUE, UT_SI_VALUE));
	UT_CHECK(ut_si_take(UT_SI_RT, &si) == UT_SI_RT);
	UT_CHECK(si.si_signo == UT_SI_RT && si.si_code == SI_QUEUE && si.si_pid == getpid() &&
		 si.si_value.sival_int == UT_SI_VALUE);
	/* To oneself any si_code goes. */
	UT_OK(ut_si_queue(getpid(), UT_SI_RT, SI_USER, UT_SI_VALUE));
	UT_CHECK(ut_si_take(UT_SI_RT, &si) == UT_SI_RT && si.si_code == SI_USER);
	/* Pretending to be kill() or tkill() to another process: EPERM. */
	UT_CHECK_ERR(ut_si_queue(getppid(), UT_SI_RT, SI_USER, 0), EPERM);
	UT_CHECK_ERR(ut_si_queue(getppid(), UT_SI_RT, SI_TKILL, 0), EPERM);
	UT_CHECK_ERR(ut_si_queue(getpid(), UT_SI_RT + 100, SI_QUEUE, 0), EINVAL);
	UT_CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), UT_SI_RT, UT_BAD_KERNEL), EFAULT);

	/* rt_tgsigqueueinfo to our own thread. */
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = UT_SI_VALUE + 1;
	UT_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), UT_SI_RT, &si));
	UT_CHECK(ut_si_take(UT_SI_RT, &si) == UT_SI_RT && si.si_value.sival_int == UT_SI_VALUE + 1);
	UT_CHECK_ERR(syscall(SYS_rt_tgsigqueueinfo, 0, gettid(), UT_SI_RT, &si), EINVAL);
}

void ut_sig_rt_queue(void)
{
	siginfo_t si;

	ut_si_block(UT_SI_RT);
	ut_si_block(SIGUSR1);
	for (int i = 0; i < UT_SI_COPIES; i++) {
		UT_OK(ut_si_queue(getpid(), UT_SI_RT, SI_QUEUE, UT_SI_VALUE + i));
		UT_OK(kill(getpid(), SIGUSR1));
	}
	for (int i = 0; i < UT_SI_COPIES; i++) {
		UT_CHECK(ut_si_take(UT_SI_RT, &si) == UT_SI_RT);
		UT_CHECK(si.si_value.sival_int == UT_SI_VALUE + i);
	}
	UT_CHECK_ERR(ut_si_take(UT_SI_RT, &si), EAGAIN);
	UT_CHECK(ut_si_take(SIGUSR1, &si) == SIGUSR1);
	UT_CHECK_ERR(ut_si_take(SIGUSR1, &si), EAGAIN);

	/* Caught: the handler runs once per instance. */
	UT_OK(ut_si_queue(getpid(), UT_SI_RT, SI_QUEUE, 0));
	UT_OK(ut_si_queue(getpid(), UT_SI_RT, SI_QUEUE, 0));
	ut_si_install(UT_SI_RT, ut_si_counter, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, UT_SI_RT);
	UT_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	UT_CHECK(ut_si_count == 2);
}

void ut_sig_timedwait(void)
{
	struct timespec ts = { 0, UT_SI_WAIT_MS * UT_NS_PER_MS };
	siginfo_t si;
	sigset_t set;
	int64_t t0;

	ut_si_block(SIGUSR2);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	t0 = utest_now_ns();
	UT_CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
	UT_CHECK(utest_now_ns() - t0 >= UT_SI_WAIT_MS * UT_NS_PER_MS);
	ts.tv_nsec = 1000000000;
	UT_CHECK_ERR(sigtimedwait(&set, &si, &ts), EINVAL);
	UT_CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, NULL, 4), EINVAL);

	UT_OK(kill(getpid(), SIGUSR2));
	memset(&si, 0, sizeof(si));
	UT_CHECK(sigwaitinfo(&set, &si) == SIGUSR2);
	UT_CHECK(si.si_signo == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid() &&
		 si.si_uid == getuid());
	UT_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
	UT_CHECK(sigwaitinfo(&set, &si) == SIGUSR2 && si.si_code == SI_TKILL);

	/* Another process sends it while we wait. */
	pid_t parent = getpid(), pid = UT_OK(fork());
	if (pid == 0) {
		utest_sleep_ns(UT_SI_WAIT_MS * UT_NS_PER_MS);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	UT_CHECK(sigtimedwait(&set, &si, &ts) == SIGUSR2 && si.si_pid == pid);
	UT_CHECK_EXIT(utest_wait(pid), 0);
}

void ut_sig_pending(void)
{
	uint64_t set = ~0ull;
	sigset_t s;

	UT_OK(syscall(SYS_rt_sigpending, &set, UT_SI_SET_SIZE));
	UT_CHECK(set == 0);
	ut_si_block(SIGUSR1);
	UT_OK(raise(SIGUSR1));
	UT_OK(sigpending(&s));
	UT_CHECK(sigismember(&s, SIGUSR1) && !sigismember(&s, SIGUSR2));
	UT_CHECK_ERR(syscall(SYS_rt_sigpending, &set, UT_SI_SET_SIZE + 1), EINVAL);
	UT_CHECK_ERR(syscall(SYS_rt_sigpending, UT_BAD_KERNEL, UT_SI_SET_SIZE), EFAULT);
}

/* A child that sends SIGUSR1 to parent, then one byte into fd. */
static pid_t ut_si_poke(int fd)
{
	pid_t parent = getpid(), pid = UT_OK(fork());

	if (pid == 0) {
		utest_sleep_ns(UT_SI_WAIT_MS * UT_NS_PER_MS);
		kill(parent, SIGUSR1);
		utest_sleep_ns(UT_SI_WAIT_MS * UT_NS_PER_MS);
		if (write(fd, "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	return pid;
}

void ut_sig_restart_read(void)
{
	int p[2];
	pid_t pid;
	char c;

	UT_OK(pipe(p));
	ut_si_install(SIGUSR1, ut_si_counter, 0);
	pid = ut_si_poke(p[1]);
	UT_CHECK_ERR(read(p[0], &c, 1), EINTR);
	UT_CHECK(ut_si_count == 1);
	UT_CHECK_EXIT(utest_wait(pid), 0);
	UT_CHECK(read(p[0], &c, 1) == 1);

	ut_si_install(SIGUSR1, ut_si_counter, SA_RESTART);
	pid = ut_si_poke(p[1]);
	UT_CHECK(read(p[0], &c, 1) == 1 && c == 'x');
	UT_CHECK(ut_si_count == 2);
	UT_CHECK_EXIT(utest_wait(pid), 0);

	/* wait4 restarts under SA_RESTART too. */
	pid = ut_si_poke(p[1]);
	int status;
	UT_CHECK(waitpid(pid, &status, 0) == pid);
	UT_CHECK(ut_si_count == 3);
}

static sigjmp_buf ut_segv_jmp;
static volatile uintptr_t ut_segv_addr;
static volatile int ut_segv_code, ut_segv_mask_ok;

static void ut_segv_handler(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	(void)sig;
	ut_segv_addr = (uintptr_t)si->si_addr;
	ut_segv_code = si->si_code;
	ut_segv_mask_ok = !sigismember(&uc->uc_sigmask, SIGSEGV);
	siglongjmp(ut_segv_jmp, 1);
}

static void ut_mask_handler(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	(void)sig;
	(void)si;
	/* What sigreturn installs: block SIGUSR2 from now on. */
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

void ut_sig_segv_info(void)
{
	struct sigaction sa;
	sigset_t cur;
	char *page;

	page = mmap(NULL, UT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK(page != MAP_FAILED);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ut_segv_handler;
	sa.sa_flags = SA_SIGINFO;
	UT_OK(sigaction(SIGSEGV, &sa, NULL));
	if (sigsetjmp(ut_segv_jmp, 1) == 0)
		*(volatile char *)(page + 8) = 1;
	UT_CHECK(ut_segv_addr == (uintptr_t)page + 8);
	UT_CHECK(ut_segv_code == SEGV_ACCERR && ut_segv_mask_ok);
	UT_OK(munmap(page, UT_PAGE));
	if (sigsetjmp(ut_segv_jmp, 1) == 0)
		*(volatile char *)(page + 16) = 1;
	UT_CHECK(ut_segv_addr == (uintptr_t)page + 16 && ut_segv_code == SEGV_MAPERR);

	/* uc_sigmask is the mask sigreturn restores. */
	sa.sa_sigaction = ut_mask_handler;
	UT_OK(sigaction(SIGUSR1, &sa, NULL));
	UT_OK(raise(SIGUSR1));
	UT_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
	UT_CHECK(sigismember(&cur, SIGUSR2) && !sigismember(&cur, SIGUSR1));
}

void ut_sig_nocldwait(void)
{
	pid_t pid;
	int status;

	signal(SIGCHLD, SIG_IGN);
	pid = UT_OK(fork());
	if (pid == 0)
		_exit(0);
	UT_CHECK_ERR(waitpid(pid, &status, 0), ECHILD);

	/* SA_NOCLDWAIT with a handler: no zombie, but the signal comes. */
	ut_si_install(SIGCHLD, ut_si_counter, SA_NOCLDWAIT | SA_RESTART);
	pid = UT_OK(fork());
	if (pid == 0)
		_exit(0);
	UT_CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
	for (int i = 0; i < 1000 && ut_si_count == 0; i++)
		utest_sleep_ns(UT_NS_PER_MS);
	UT_CHECK(ut_si_count == 1);

	/* Back to the default: a zombie to wait for. */
	signal(SIGCHLD, SIG_DFL);
	pid = UT_OK(fork());
	if (pid == 0)
		_exit(5);
	UT_CHECK_EXIT(utest_wait(pid), 5);
}

/*
 * fuzzsys.c - a system-call fuzzer (and soak load) that runs as init.
 *
 *   fuzzsys [--seed N] [--seconds S | --calls N] [--workers W] [--log]
 *           [--gen-ms MS] [--kill-timeout S] [--progress S] [--soak]
 *           [--no-AREA ...]
 *
 * The process started with these options is the supervisor.  It never
 * fuzzes: it forks W worker processes, kills each one with SIGKILL after a
 * random lifetime around --gen-ms and starts the next generation in its
 * place, and checks that a killed worker is really gone within
 * --kill-timeout seconds ("fuzzsys: UNKILLABLE worker pid N" otherwise).  As
 * init it reaps its workers by pid and every orphan with wait4(-1).  Every
 * --progress seconds it prints "fuzzsys: calls=N procs=N ...", at the end
 * kills everything left (kill(-1, SIGKILL)), reaps it, prints
 * "fuzzsys: done seed=N calls=N procs=N ..." and exits 0 (1 when a process
 * could not be killed or a soak job failed).  It refuses to run unless it
 * is pid 1 (a worker that execs it by chance must not kill(-1)).
 *
 * A worker first leaves init's session (setsid), moves to /tmp/wI, sends
 * its standard fds to /dev/null and then loops over random operations, all
 * made with raw `syscall` instructions and no libc state (a fuzzed
 * arch_prctl or segment load may break TLS, so no errno, no stdio):
 *
 *   syscall   any number 0..FZ_NR_MAX (Linux's table, Keel has no range of
 *             its own) with hostile arguments: kernel and non-canonical
 *             pointers, NULL and low addresses, buffers that run into an
 *             unmapped page, valid buffers, huge sizes, negative numbers,
 *             valid and invalid fds, paths, random flag bits
 *   mm        mmap/munmap/mprotect/mremap/madvise/brk of random sizes
 *   clone     raw clone with random flags (threads, CLONE_VFORK,
 *             CLONE_VM|CLONE_THREAD|CLONE_VFORK, ...) on stacks of its own;
 *             the child makes a few calls and exits or execs
 *   fork      fork; the child fuzzes a bounded number of calls, then exits
 *   compat    far jump to the 32-bit user code segment, spin (timer
 *             signals arrive there), then `syscall`, int $0x80, sysenter,
 *             ud2 or hlt in compatibility mode, far jump back
 *   segment   load random selectors into ds/es/fs/gs/ss, make a call
 *   signal    handlers with random flags, sigaltstack, alarm/setitimer,
 *             raising signals
 *   exec      execve of random bytes, truncated ELF headers and #! lines
 *             written to /tmp
 *   hog       fill 64 MiB (towards out of memory); huge-mmap: MAP_SHARED
 *             anonymous mappings of up to 64 TiB
 *
 * Faults the worker causes on purpose (a bad selector, compat mode) are
 * recovered by its SIGSEGV/SIGILL/... handler, which resumes at the end of
 * the guarded operation.  Processes are bounded: a worker may create
 * FZ_FORK_BUDGET processes per generation, a child a quarter of its
 * parent's budget.  Workers never signal pid 1 or -1, and only signal
 * their process group after setsid.
 *
 * Reproducibility: every random choice of worker I in generation G comes
 * from one PRNG seeded from (seed, I, G).  --log prints every call before
 * it is made: "fz P wI gG #N nr=NR a0 a1 a2 a3 a4 a5" (raw write(2) to the
 * console, one line per call).
 *
 * Areas that kernels tend to get wrong can be left out: --no-compat,
 * --no-compat-syscall, --no-compat-signals, --no-vfork-exec,
 * --no-exit-signal, --no-huge-mmap, --no-oom, --no-segments, --no-signals,
 * --no-exec, --no-clone, --no-fork, --no-mm, --no-vfork (no CLONE_VFORK at
 * all).  All are on by default.
 *
 * --soak adds load jobs next to the workers, restarted as they finish:
 * fork/exec storms, pipe and signal ping-pong (fuzzsys --storm, --pingpong),
 * threadtests, spawnbg fed 20 lines (10 background children each), stress
 * badexec, forkexec.  A job that exits non-zero prints
 * "fuzzsys: JOB FAILED name status S".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* ------------------------------------------------------------ constants */
#define FZ_NR_MAX         450          /* random numbers 0..FZ_NR_MAX-1 */
#define FZ_MAX_WORKERS    32
#define FZ_PAGE           4096ul
#define FZ_ARENA_ADDR     0x5a0000000000ul /* hostile-buffer arena */
#define FZ_ARENA_PAGES    16           /* last page stays unmapped */
#define FZ_MMAP_AREA      0x5b0000000000ul /* MAP_FIXED playground */
#define FZ_MMAP_SPAN      (1ul << 32)
#define FZ_STACK_ADDR     0x5c0000000000ul /* clone child stacks */
#define FZ_STACK_SLOTS    8
#define FZ_STACK_SIZE     (64 * 1024ul)
#define FZ_COMPAT_STACK   16384        /* room for a signal frame */
#define FZ_FORK_BUDGET    32           /* processes per worker generation */
#define FZ_THREAD_BUDGET  64           /* clone children per generation */
#define FZ_CHILD_CALLS    256          /* most calls a forked child makes */
#define FZ_THREAD_CALLS   64           /* most calls a clone child makes */
#define FZ_NFDS           16
#define FZ_NPATHS         20
#define FZ_NMAPS          8
#define FZ_HOG_BYTES      (64ul << 20)
#define FZ_SMALL_MAP      (4ul << 20)  /* touch mappings up to this size */
#define FZ_HUGE_MMAP_MIN  (64ul << 20) /* --no-huge-mmap: shared anon cap */
#define FZ_ITIMER_US      20000        /* SIGALRM: blocking calls get EINTR */
#define FZ_LOG_FD         99           /* console copy for --log */
#define FZ_SEL_UCODE32    0x1b         /* arch/segment.h: SEG_UCODE32|3 */
#define FZ_SEL_UDATA      0x23         /* SEG_UDATA|3 */
#define FZ_SEL_UCODE64    0x2b         /* SEG_UCODE64|3 */
#define FZ_STR_(x)        #x
#define FZ_STR(x)         FZ_STR_(x)   /* a constant as assembler text */
#define FZ_COMPAT_SPIN    200000
#define FZ_OUT_MAX        512
#define FZ_LONG_PATH      4200         /* longer than PATH_MAX */
#define FZ_EXEC_MAX       600
#define FZ_SIGRESTORER    0x04000000ul /* SA_RESTORER */
#define FZ_KSIGSET        8            /* kernel sigset_t size */
#define FZ_RTMIN          34
#define FZ_NSIG           64
#define FZ_ARCH_SET_FS    0x1002
#define FZ_ARCH_GET_FS    0x1003
#define FZ_MREMAP_MAYMOVE 1

#define MSEC_NS           1000000l
#define SEC_MS            1000l

/* Areas that --no-AREA leaves out. */
enum {
	AREA_COMPAT = 1u << 0, AREA_COMPAT_SYSCALL = 1u << 1,
	AREA_COMPAT_SIGNALS = 1u << 2, AREA_VFORK_EXEC = 1u << 3,
	AREA_EXIT_SIGNAL = 1u << 4, AREA_HUGE_MMAP = 1u << 5, AREA_OOM = 1u << 6,
	AREA_SEGMENTS = 1u << 7, AREA_SIGNALS = 1u << 8, AREA_EXEC = 1u << 9,
	AREA_CLONE = 1u << 10, AREA_FORK = 1u << 11, AREA_MM = 1u << 12,
	AREA_VFORK = 1u << 13,
};

static const struct { const char *name; unsigned bit; } fz_areas[] = {
	{ "compat", AREA_COMPAT }, { "compat-syscall", AREA_COMPAT_SYSCALL },
	{ "compat-signals", AREA_COMPAT_SIGNALS }, { "vfork-exec", AREA_VFORK_EXEC },
	{ "exit-signal", AREA_EXIT_SIGNAL }, { "huge-mmap", AREA_HUGE_MMAP },
	{ "oom", AREA_OOM }, { "segments", AREA_SEGMENTS }, { "signals", AREA_SIGNALS },
	{ "exec", AREA_EXEC }, { "clone", AREA_CLONE }, { "fork", AREA_FORK },
	{ "mm", AREA_MM }, { "vfork", AREA_VFORK },
};

/* Options, fixed before the first fork. */
static struct {
	uint64_t seed;
	long seconds, calls, gen_ms, kill_timeout, progress;
	int workers;
	bool log, soak;
	unsigned areas;
} opt = { 1, 0, 0, 3000, 10, 5, 4, false, false, ~0u };

/* Counters shared by every process (one MAP_SHARED page). */
struct fz_stats {
	uint64_t calls, procs, threads, execs, compat, faults, signals, restarts;
	uint64_t worker_calls[FZ_MAX_WORKERS];
};
static struct fz_stats *stats;

static inline void stat_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ raw syscalls */
static inline long sc6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
/* A raw call's result is an error (-4095..-1), not an address. */
static inline bool fz_err(long r)
{
	return r < 0 && r > -(long)FZ_PAGE;
}

#define sc0(n)             sc6(n, 0, 0, 0, 0, 0, 0)
#define sc1(n, a)          sc6(n, (long)(a), 0, 0, 0, 0, 0)
#define sc2(n, a, b)       sc6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sc3(n, a, b, c)    sc6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(n, a, b, c, d) sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* ------------------------------------------------------------ output */
struct fz_out {
	char b[FZ_OUT_MAX];
	size_t n;
};

static void out_str(struct fz_out *o, const char *s)
{
	while (*s && o->n < FZ_OUT_MAX - 1)
		o->b[o->n++] = *s++;
}

static void out_u64(struct fz_out *o, uint64_t v, unsigned base)
{
	char t[24];
	int i = 0;

	do {
		t[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i > 0 && o->n < FZ_OUT_MAX - 1)
		o->b[o->n++] = t[--i];
}

/* " key=value" in decimal. */
static void out_kv(struct fz_out *o, const char *key, uint64_t v)
{
	out_str(o, " ");
	out_str(o, key);
	out_str(o, "=");
	out_u64(o, v, 10);
}

static void out_flush(struct fz_out *o, int fd)
{
	o->b[o->n++] = '\n';
	sc3(SYS_write, fd, o->b, o->n);
	o->n = 0;
}

static void say(const char *msg)
{
	struct fz_out o = { .n = 0 };

	out_str(&o, "fuzzsys: ");
	out_str(&o, msg);
	out_flush(&o, STDOUT_FILENO);
}

static long now_ms(void)
{
	struct timespec ts;

	sc2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC_MS + ts.tv_nsec / MSEC_NS;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / SEC_MS, (ms % SEC_MS) * MSEC_NS };

	sc2(SYS_nanosleep, &ts, NULL);
}

/* ------------------------------------------------------------ PRNG */
static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* One fuzzing context: a process's or a clone child's own random stream. */
struct fz {
	uint64_t rng;
	uint64_t ncalls;        /* calls made by this context */
	long calls_left;        /* < 0: unbounded (the worker itself) */
	int fork_budget, thread_budget;
	bool main_thread;       /* may take faults on purpose (recovery) */
};

static uint64_t rnd(struct fz *z)
{
	z->rng = splitmix(z->rng);
	return z->rng;
}

static uint64_t below(struct fz *z, uint64_t n)
{
	return n ? rnd(z) % n : 0;
}

static bool chance(struct fz *z, unsigned num, unsigned den)
{
	return below(z, den) < num;
}

static bool area(unsigned a)
{
	return (opt.areas & a) == a;
}

/* ------------------------------------------------------------ worker state */
static int w_index, w_gen;
static int w_fds[FZ_NFDS], w_nfds;
static int w_closed_fd;
static char *w_paths[FZ_NPATHS];
static int w_npaths;
static char w_pathbuf[FZ_NPATHS][64];
static char w_longpath[FZ_LONG_PATH];
static uint64_t w_fsbase;
static long w_main_tid;
static struct { uint64_t addr, len; } w_maps[FZ_NMAPS];
static unsigned w_stack_next;

/* ------------------------------------------------------------ logging */
static void fz_log(const char *what, long nr, const long a[6])
{
	struct fz_out o = { .n = 0 };

	if (!opt.log)
		return;
	out_str(&o, "fz ");
	out_u64(&o, (uint64_t)sc0(SYS_getpid), 10);
	out_str(&o, " w");
	out_u64(&o, (uint64_t)w_index, 10);
	out_str(&o, " g");
	out_u64(&o, (uint64_t)w_gen, 10);
	out_str(&o, " ");
	out_str(&o, what);
	out_str(&o, " nr=");
	out_u64(&o, (uint64_t)nr, 10);
	for (int i = 0; a && i < 6; i++) {
		out_str(&o, " ");
		out_u64(&o, (uint64_t)a[i], 16);
	}
	out_flush(&o, FZ_LOG_FD);
}

/* Make one logged and counted call. */
static long fz_call(struct fz *z, long nr, long a0, long a1, long a2, long a3, long a4,
		    long a5)
{
	long a[6] = { a0, a1, a2, a3, a4, a5 };

	fz_log("call", nr, a);
	z->ncalls++;
	stat_add(&stats->calls, 1);
	stat_add(&stats->worker_calls[w_index], 1);
	return sc6(nr, a0, a1, a2, a3, a4, a5);
}

/* ------------------------------------------------------------ faults */
/*
 * fz_guarded(fn, arg) calls fn(arg) and returns 0, or 1 when fn faulted:
 * the fault handler then resumes at the recovery label with the stack
 * pointer saved here.  Only the worker's main thread arms it.
 */
volatile uint64_t fz_recover_rip, fz_recover_rsp, fz_recover_armed;
int fz_guarded(void (*fn)(void *), void *arg);
__asm__(
	".pushsection .text\n"
	".globl fz_guarded\n"
	"fz_guarded:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	sub $8, %rsp\n"
	"	mov %rsp, fz_recover_rsp(%rip)\n"
	"	lea 1f(%rip), %rax\n"
	"	mov %rax, fz_recover_rip(%rip)\n"
	"	movq $1, fz_recover_armed(%rip)\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	call *%rax\n"
	"	xor %eax, %eax\n"
	"	jmp 2f\n"
	"1:	mov $1, %eax\n"
	"2:	movq $0, fz_recover_armed(%rip)\n"
	"	add $8, %rsp\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".popsection\n");

static void fz_fault_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)si;
	stat_add(&stats->faults, 1);
	if (fz_recover_armed && sc0(SYS_gettid) == w_main_tid) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fz_recover_rip;
		uc->uc_mcontext.gregs[REG_RSP] = (greg_t)fz_recover_rsp;
		fz_recover_armed = 0;
		return;
	}
	/* An unexpected fault: die of it (default action, same instruction). */
	long act[4] = { (long)SIG_DFL, 0, 0, 0 };
	sc4(SYS_rt_sigaction, sig, act, NULL, FZ_KSIGSET);
}

static void fz_count_handler(int sig)
{
	(void)sig;
	stat_add(&stats->signals, 1);
}

void fz_restorer(void);
__asm__(".pushsection .text\n.globl fz_restorer\nfz_restorer:\n"
	"	mov $" FZ_STR(SYS_rt_sigreturn) ", %eax\n syscall\n hlt\n.popsection\n");

/* rt_sigaction with the kernel's layout {handler, flags, restorer, mask}. */
static long fz_sigaction(struct fz *z, int sig, uint64_t handler, uint64_t flags,
			 uint64_t restorer, uint64_t mask)
{
	uint64_t act[4] = { handler, flags | FZ_SIGRESTORER, restorer, mask };

	if (z)
		return fz_call(z, SYS_rt_sigaction, sig, (long)act, 0, FZ_KSIGSET, 0, 0);
	return sc4(SYS_rt_sigaction, sig, act, NULL, FZ_KSIGSET);
}

static const int fz_fault_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };

static void fz_install_handlers(void)
{
	for (size_t i = 0; i < sizeof(fz_fault_sigs) / sizeof(fz_fault_sigs[0]); i++)
		fz_sigaction(NULL, fz_fault_sigs[i], (uint64_t)fz_fault_handler,
			     SA_SIGINFO | SA_NODEFER, (uint64_t)fz_restorer, 0);
	fz_sigaction(NULL, SIGALRM, (uint64_t)fz_count_handler, 0, (uint64_t)fz_restorer, 0);
}

/* After anything that may have changed FS: give musl its TLS back. */
static void fz_restore_fs(void)
{
	sc2(SYS_arch_prctl, FZ_ARCH_SET_FS, w_fsbase);
}

/* ------------------------------------------------------------ arguments */
static void fz_arena_reset(struct fz *z)
{
	uint8_t *a = (uint8_t *)FZ_ARENA_ADDR;

	sc2(SYS_munmap, FZ_ARENA_ADDR, FZ_ARENA_PAGES * FZ_PAGE);
	sc6(SYS_mmap, FZ_ARENA_ADDR, (FZ_ARENA_PAGES - 1) * FZ_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	/* A page of random words, a page of small numbers, zeros elsewhere. */
	for (size_t i = 0; i < FZ_PAGE / 8; i++) {
		((uint64_t *)a)[i] = rnd(z);
		((uint64_t *)(a + FZ_PAGE))[i] = below(z, 64);
	}
	/* Strings that run into the unmapped page. */
	memset(a + (FZ_ARENA_PAGES - 1) * FZ_PAGE - 64, 'a', 64);
}

static uint64_t fz_pick_fd(struct fz *z)
{
	static const long bad[] = { -1, -100, 1023, 4096, 65536, 0x7fffffff, -2 };

	if (chance(z, 3, 4) && w_nfds)
		return (uint64_t)w_fds[below(z, (uint64_t)w_nfds)];
	if (chance(z, 1, 2))
		return (uint64_t)w_closed_fd;
	return (uint64_t)bad[below(z, sizeof(bad) / sizeof(bad[0]))];
}

static uint64_t fz_pick_ptr(struct fz *z)
{
	uint64_t arena_end = FZ_ARENA_ADDR + (FZ_ARENA_PAGES - 1) * FZ_PAGE;

	switch (below(z, 9)) {
	case 0:
		return 0xffff800000000000ull + (below(z, 1ull << 36) & ~7ull);
	case 1:
		return 0xffffffff80000000ull + below(z, 1ull << 30);
	case 2:                         /* non-canonical */
		if (chance(z, 1, 2))
			return 0x0000800000000000ull + below(z, 1ull << 46);
		return 0x8000000000000000ull + below(z, 1ull << 46);
	case 3:
		return below(z, 0x10000);   /* NULL and low */
	case 4:                         /* runs into the unmapped page */
		return arena_end - below(z, 64);
	case 5:
		return w_npaths ? (uint64_t)w_paths[below(z, (uint64_t)w_npaths)] : 0;
	case 6:
		return FZ_ARENA_ADDR + FZ_PAGE;   /* small numbers */
	default:
		return FZ_ARENA_ADDR + below(z, (FZ_ARENA_PAGES - 1) * FZ_PAGE);
	}
}

static uint64_t fz_pick_arg(struct fz *z)
{
	static const uint64_t edge[] = {
		0, 1, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32,
		1ull << 63, ~0ull >> 1, FZ_PAGE - 1, FZ_PAGE, FZ_PAGE + 1, 1ull << 31,
		(uint64_t)-FZ_PAGE,
	};

	switch (below(z, 12)) {
	case 0:
		return below(z, 8);
	case 1:
		return rnd(z);
	case 2:
		return (uint32_t)rnd(z);
	case 3:
		return edge[below(z, sizeof(edge) / sizeof(edge[0]))];
	case 4: case 5:
		return fz_pick_fd(z);
	case 6: case 7: case 8:
		return fz_pick_ptr(z);
	case 9:
		return rnd(z) & rnd(z) & (chance(z, 1, 2) ? 0xffffffffull : ~0ull); /* flags */
	case 10:
		return (uint64_t)-(int64_t)below(z, 4096);
	default:
		return 1ull << below(z, 64);           /* huge sizes */
	}
}

/* ------------------------------------------------------------ operations */
static void fz_step(struct fz *z);
static void op_clone(struct fz *z, uint64_t preset);
static void op_fork(struct fz *z);

/* A pid argument that may name init or everyone: make it our own group. */
static long fz_safe_pid(long pid)
{
	int p = (int)pid;

	if (p == 1 || p == -1 || (p == 0 && sc1(SYS_getpgid, 0) == 1))
		return sc0(SYS_getpid);
	/* Soak jobs must fail only through the kernel: leave them alone. */
	if (opt.soak && p != 0 && p != sc0(SYS_getpid))
		return sc0(SYS_getpid);
	return pid;
}

/* Calls that need a filter: never touch init or the log fd. */
static void fz_filter(struct fz *z, long nr, long a[6])
{
	switch (nr) {
	case SYS_kill: case SYS_tkill: case SYS_rt_sigqueueinfo: case SYS_prlimit64:
	case SYS_ptrace: case SYS_pidfd_open: case SYS_process_vm_writev:
	case SYS_sched_setscheduler: case SYS_sched_setparam:
		a[0] = fz_safe_pid(a[0]);
		if (nr == SYS_ptrace)
			a[1] = fz_safe_pid(a[1]);
		break;
	case SYS_tgkill: case SYS_rt_tgsigqueueinfo:
		a[0] = fz_safe_pid(a[0]);
		a[1] = fz_safe_pid(a[1]);
		break;
	case SYS_close: case SYS_dup2: case SYS_dup3: case SYS_close_range:
		if ((int)a[0] == FZ_LOG_FD || (int)a[1] == FZ_LOG_FD)
			a[1] = a[0] = w_closed_fd;
		break;
	case SYS_mmap:
		if (!area(AREA_HUGE_MMAP) && (a[3] & MAP_SHARED) && (a[3] & MAP_ANONYMOUS) &&
		    (uint64_t)a[1] > FZ_HUGE_MMAP_MIN)
			a[1] = FZ_HUGE_MMAP_MIN;
		if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE))
			a[0] = (long)(FZ_MMAP_AREA + (below(z, FZ_MMAP_SPAN) & ~(FZ_PAGE - 1)));
		break;
	case SYS_rt_sigaction:           /* keep the fault and timer handlers */
		for (size_t i = 0; i < sizeof(fz_fault_sigs) / sizeof(fz_fault_sigs[0]); i++)
			if ((int)a[0] == fz_fault_sigs[i] && chance(z, 7, 8))
				a[0] = SIGUSR1;
		if ((int)a[0] == SIGALRM && chance(z, 7, 8))
			a[0] = SIGUSR2;
		break;
	}
}

/* Numbers that would end the run in a boring way, or need their own op. */
static bool fz_special(struct fz *z, long nr)
{
	switch (nr) {
	case SYS_reboot: case SYS_kexec_load: case SYS_kexec_file_load:
		return true;
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn:
		return !chance(z, 1, 16);
	case SYS_fork: case SYS_vfork:
		if (area(AREA_FORK))
			op_fork(z);
		return true;
	case SYS_clone:
		if (area(AREA_CLONE))
			op_clone(z, 0);
		return true;
	case SYS_execve: case SYS_execveat: case SYS_arch_prctl:
		return !chance(z, 1, 4);
	}
	return false;
}

static void op_syscall(struct fz *z)
{
	long nr = (long)below(z, FZ_NR_MAX);
	long a[6];

	if (fz_special(z, nr))
		return;
	for (int i = 0; i < 6; i++)
		a[i] = (long)fz_pick_arg(z);
	if (nr == SYS_clone3)           /* never a valid struct: no shared stack */
		a[0] = (long)(0xffff800000000000ull + below(z, FZ_PAGE));
	fz_filter(z, nr, a);
	long ret = fz_call(z, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr == SYS_arch_prctl || nr == SYS_clone3)
		fz_restore_fs();
	if ((nr == SYS_clone3) && ret == 0)     /* cannot happen; be safe */
		sc1(SYS_exit, 0);
}

static void fz_touch(void *arg)
{
	uint64_t *m = arg;

	for (uint64_t off = 0; off < m[1]; off += FZ_PAGE)
		*(volatile uint8_t *)(m[0] + off) = (uint8_t)off;
}

static void fz_touch_guarded(struct fz *z, uint64_t addr, uint64_t len)
{
	uint64_t m[2] = { addr, len };

	if (z->main_thread)
		fz_guarded(fz_touch, m);
}

static uint64_t fz_map_len(struct fz *z)
{
	if (chance(z, 1, 8))
		return rnd(z) & ((1ull << below(z, 40)) - 1);
	return (1 + below(z, 64)) * FZ_PAGE << below(z, 3);
}

static void op_mm(struct fz *z)
{
	unsigned slot = (unsigned)below(z, FZ_NMAPS);
	uint64_t *ma = &w_maps[slot].addr, *ml = &w_maps[slot].len;
	static const long prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				      PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC };
	long prot = prots[below(z, sizeof(prots) / sizeof(prots[0]))];
	long r;

	switch (below(z, 7)) {
	case 0: case 1: {
		uint64_t len = fz_map_len(z);
		long flags = chance(z, 1, 4) ? MAP_SHARED : MAP_PRIVATE;
		long fd = -1, hint = 0;

		if (chance(z, 3, 4))
			flags |= MAP_ANONYMOUS;
		else
			fd = (long)fz_pick_fd(z);
		if (chance(z, 1, 2)) {
			flags |= chance(z, 1, 2) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
			hint = (long)(FZ_MMAP_AREA + (below(z, FZ_MMAP_SPAN) & ~(FZ_PAGE - 1)));
		}
		if (chance(z, 1, 8))
			flags |= MAP_GROWSDOWN | MAP_POPULATE | MAP_NORESERVE;
		if (!area(AREA_HUGE_MMAP) && (flags & MAP_SHARED) && len > FZ_HUGE_MMAP_MIN)
			len = FZ_HUGE_MMAP_MIN;
		r = fz_call(z, SYS_mmap, hint, (long)len, prot, flags, fd,
			    (long)(below(z, 4) * FZ_PAGE));
		if (fz_err(r))
			break;
		*ma = (uint64_t)r;
		*ml = len;
		if ((prot & PROT_WRITE) && len <= FZ_SMALL_MAP && (area(AREA_OOM) || len < FZ_SMALL_MAP))
			fz_touch_guarded(z, *ma, len);
		break;
	}
	case 2:
		if (*ml)
			fz_call(z, SYS_munmap, (long)(*ma + below(z, 4) * FZ_PAGE),
				(long)(chance(z, 1, 2) ? *ml : below(z, *ml + 1)), 0, 0, 0, 0);
		*ml = chance(z, 1, 2) ? 0 : *ml;
		break;
	case 3:
		if (*ml)
			fz_call(z, SYS_mprotect, (long)*ma, (long)below(z, *ml + FZ_PAGE), prot, 0, 0, 0);
		break;
	case 4:
		if (*ml) {
			uint64_t nl = fz_map_len(z);
			r = fz_call(z, SYS_mremap, (long)*ma, (long)*ml, (long)nl,
				    chance(z, 1, 2) ? FZ_MREMAP_MAYMOVE : 0, 0, 0);
			if (!fz_err(r)) {
				*ma = (uint64_t)r;
				*ml = nl;
			}
		}
		break;
	case 5:
		if (*ml)
			fz_call(z, SYS_madvise, (long)*ma, (long)*ml, (long)below(z, 24), 0, 0, 0);
		break;
	default: {
		long cur = fz_call(z, SYS_brk, 0, 0, 0, 0, 0, 0);
		long d = (long)(below(z, 1 << 20) - (1 << 19));

		fz_call(z, SYS_brk, chance(z, 1, 8) ? (long)fz_pick_arg(z) : cur + d, 0, 0, 0, 0, 0);
		break;
	}
	}
}

/* ------------------------------------------------------------ clone, fork */
/* What a clone child gets, at the top of its stack slot. */
struct fz_child {
	struct fz z;
	uint64_t tls[4];        /* a TLS block that points to itself */
	bool exec;
};

long fz_raw_clone(unsigned long flags, void *stack, void *ptid, void *ctid,
		  unsigned long tls, void (*fn)(struct fz_child *), struct fz_child *arg);
/* The child starts on stack with fn and arg pushed below it. */
__asm__(
	".pushsection .text\n"
	".globl fz_raw_clone\n"
	"fz_raw_clone:\n"
	"	mov 8(%rsp), %rax\n"          /* arg (7th argument) */
	"	and $-16, %rsi\n"
	"	sub $16, %rsi\n"
	"	mov %r9, 0(%rsi)\n"           /* fn */
	"	mov %rax, 8(%rsi)\n"          /* arg */
	"	mov %rcx, %r10\n"
	"	mov $" FZ_STR(SYS_clone) ", %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	pop %rax\n"
	"	pop %rdi\n"
	"	and $-16, %rsp\n"
	"	call *%rax\n"
	"	mov $" FZ_STR(SYS_exit) ", %eax\n"
	"	xor %edi, %edi\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".popsection\n");

static char *const fz_exec_argv[] = { "/bin/fuzzsys", "--exec-target", NULL };

static void fz_child_main(struct fz_child *c)
{
	struct fz *z = &c->z;

	while (z->calls_left-- > 0)
		fz_step(z);
	if (c->exec)
		fz_call(z, SYS_execve, (long)fz_exec_argv[0], (long)fz_exec_argv, 0, 0, 0, 0);
	fz_call(z, chance(z, 1, 4) ? SYS_exit_group : SYS_exit, 0, 0, 0, 0, 0, 0);
}

static const uint64_t fz_clone_presets[] = {
	CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
	CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,     /* pthread */
	CLONE_VM | CLONE_VFORK,                                        /* vfork */
	CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_VFORK,
	CLONE_VM | CLONE_SIGHAND | CLONE_THREAD,
	0,                                                             /* fork */
	CLONE_PARENT,
	CLONE_FILES | CLONE_FS,
};

/* A clone child with random flags (or preset + 1 when preset != 0). */
static void op_clone(struct fz *z, uint64_t preset)
{
	static const uint64_t bits[] = {
		CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK,
		CLONE_PARENT, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID,
		CLONE_CHILD_CLEARTID, CLONE_SYSVSEM, CLONE_DETACHED, CLONE_UNTRACED,
		CLONE_IO, CLONE_PTRACE, CLONE_NEWNS, CLONE_PIDFD,
	};
	uint64_t flags = 0;

	if (preset)
		flags = fz_clone_presets[preset - 1];
	else if (chance(z, 1, 2))
		flags = fz_clone_presets[below(z, sizeof(fz_clone_presets) / sizeof(fz_clone_presets[0]))];
	else if (chance(z, 1, 8))
		flags = rnd(z) & ~0xffull;
	else
		for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			if (chance(z, 1, i < 6 ? 2 : 8))
				flags |= bits[i];
	if (!area(AREA_VFORK))
		flags &= ~(uint64_t)CLONE_VFORK;
	if (flags & CLONE_THREAD)
		flags |= chance(z, 7, 8) ? 0 : (uint64_t)below(z, FZ_NSIG + 1);
	else if (area(AREA_EXIT_SIGNAL) && chance(z, 1, 2))
		flags |= below(z, FZ_NSIG + 1);
	else
		flags |= SIGCHLD;
	bool process = !(flags & CLONE_VM) || !(flags & CLONE_THREAD);
	if (z->thread_budget <= 0 || (process && z->fork_budget <= 0))
		return;
	z->thread_budget--;
	if (process)
		z->fork_budget--;

	/* The child's stack slot: mapped afresh, the child's context on top. */
	uint64_t base = FZ_STACK_ADDR + (w_stack_next++ % FZ_STACK_SLOTS) * FZ_STACK_SIZE;
	sc6(SYS_mmap, (long)base, FZ_STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct fz_child *c = (struct fz_child *)(base + FZ_STACK_SIZE - sizeof(*c));
	c->z = *z;
	c->z.rng = rnd(z);
	c->z.calls_left = (long)below(z, FZ_THREAD_CALLS) + 1;
	c->z.fork_budget = 0;
	c->z.thread_budget = 0;
	c->z.main_thread = false;
	c->tls[0] = (uint64_t)c->tls;
	c->exec = chance(z, 1, 4) && (area(AREA_VFORK_EXEC) || !(flags & CLONE_VM));
	uint64_t tls = chance(z, 3, 4) ? (uint64_t)c->tls : fz_pick_arg(z);
	uint64_t ptid = FZ_ARENA_ADDR + 2 * FZ_PAGE, ctid = ptid + 8;
	if (chance(z, 1, 8))
		ptid = fz_pick_ptr(z);
	if (chance(z, 1, 8))
		ctid = fz_pick_ptr(z);

	long a[6] = { (long)flags, (long)c, (long)ptid, (long)ctid, (long)tls, 0 };
	fz_log("clone", SYS_clone, a);
	stat_add(&stats->calls, 1);
	long r = fz_raw_clone(flags, c, (void *)ptid, (void *)ctid, tls, fz_child_main, c);
	if (r > 0) {
		stat_add(process ? &stats->procs : &stats->threads, 1);
		if (c->exec)
			stat_add(&stats->execs, 1);
	}
	fz_restore_fs();
}

static void op_fork(struct fz *z)
{
	if (z->fork_budget <= 0)
		return;
	z->fork_budget--;
	long r = fz_call(z, SYS_fork, 0, 0, 0, 0, 0, 0);
	if (r == 0) {
		struct itimerval it = { { 0, FZ_ITIMER_US }, { 0, FZ_ITIMER_US } };

		w_main_tid = sc0(SYS_gettid);
		sc3(SYS_setitimer, ITIMER_REAL, &it, NULL);    /* not inherited */
		z->rng = splitmix(z->rng ^ (uint64_t)sc0(SYS_getpid));
		z->fork_budget /= 4;
		z->calls_left = (long)below(z, FZ_CHILD_CALLS) + 1;
	} else if (r > 0) {
		stat_add(&stats->procs, 1);
	}
}

/* ------------------------------------------------------------ compat mode */
/* Input and output of the 32-bit code, below 4 GiB (a non-PIE binary). */
struct fz_compat_req {
	uint32_t kind, spin, nr, ret;
	uint32_t a[6];
};
struct fz_compat_req fz_creq;
uint64_t fz_compat_rsp;
uint8_t fz_compat_stack[FZ_COMPAT_STACK] __attribute__((aligned(16)));

enum { CK_SYSCALL, CK_INT80, CK_SYSENTER, CK_UD2, CK_HLT, CK_SPIN, CK_KINDS };

void fz_compat_run(void *unused);
__asm__(
	".pushsection .text\n"
	".globl fz_compat_run\n"
	"fz_compat_run:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov %rsp, fz_compat_rsp(%rip)\n"
	"	ljmp *fz_far32(%rip)\n"
	".code32\n"
	"fz_c32:\n"
	"	mov $fz_compat_stack + " FZ_STR(FZ_COMPAT_STACK) ", %esp\n"
	"	mov fz_creq+4, %ecx\n"
	"3:	dec %ecx\n"
	"	jnz 3b\n"
	"	mov fz_creq+16, %ebx\n"
	"	mov fz_creq+20, %ecx\n"
	"	mov fz_creq+24, %edx\n"
	"	mov fz_creq+28, %esi\n"
	"	mov fz_creq+32, %edi\n"
	"	mov fz_creq+36, %ebp\n"
	"	mov fz_creq+8, %eax\n"
	"	cmpl $0, fz_creq\n"
	"	je 10f\n"
	"	cmpl $1, fz_creq\n"
	"	je 11f\n"
	"	cmpl $2, fz_creq\n"
	"	je 12f\n"
	"	cmpl $3, fz_creq\n"
	"	je 13f\n"
	"	cmpl $4, fz_creq\n"
	"	je 14f\n"
	"	jmp 20f\n"
	"10:	syscall\n"
	"	jmp 20f\n"
	"11:	int $0x80\n"
	"	jmp 20f\n"
	"12:	sysenter\n"
	"	jmp 20f\n"
	"13:	ud2\n"
	"14:	hlt\n"
	"20:	mov %eax, fz_creq+12\n"
	"	mov fz_creq+4, %ecx\n"
	"4:	dec %ecx\n"
	"	jnz 4b\n"
	"	ljmp *fz_far64\n"
	".code64\n"
	"fz_c64:\n"
	"	mov fz_compat_rsp(%rip), %rsp\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".section .data\n"
	"fz_far32: .long fz_c32\n .word " FZ_STR(FZ_SEL_UCODE32) "\n"
	"fz_far64: .long fz_c64\n .word " FZ_STR(FZ_SEL_UCODE64) "\n"
	".popsection\n");
/* fz_compat_run reads fz_creq at these offsets. */
_Static_assert(__builtin_offsetof(struct fz_compat_req, spin) == 4 &&
	       __builtin_offsetof(struct fz_compat_req, nr) == 8 &&
	       __builtin_offsetof(struct fz_compat_req, ret) == 12 &&
	       __builtin_offsetof(struct fz_compat_req, a) == 16, "fz_creq layout");
_Static_assert(CK_SYSCALL == 0 && CK_INT80 == 1 && CK_SYSENTER == 2 && CK_UD2 == 3 &&
	       CK_HLT == 4, "fz_compat_run's kinds");

static void op_compat(struct fz *z)
{
	struct itimerval it = { { 0, 0 }, { 0, (long)below(z, 2000) + 1 } };
	uint64_t mask = 1ull << (SIGALRM - 1);
	bool signals = area(AREA_COMPAT_SIGNALS);

	if (!z->main_thread)
		return;
	fz_creq.kind = (uint32_t)below(z, CK_KINDS);
	if (!area(AREA_COMPAT_SYSCALL) && fz_creq.kind <= CK_SYSENTER)
		fz_creq.kind = CK_SPIN;
	if (!signals && (fz_creq.kind == CK_UD2 || fz_creq.kind == CK_HLT))
		fz_creq.kind = CK_SPIN;
	fz_creq.spin = (uint32_t)below(z, FZ_COMPAT_SPIN) + 1;
	fz_creq.nr = chance(z, 1, 2) ? (uint32_t)below(z, FZ_NR_MAX) : (uint32_t)rnd(z);
	for (int i = 0; i < 6; i++)
		fz_creq.a[i] = (uint32_t)fz_pick_arg(z);
	long a[6] = { fz_creq.kind, fz_creq.spin, fz_creq.a[0], fz_creq.a[1], fz_creq.a[2],
		      fz_creq.a[3] };
	fz_log("compat", fz_creq.nr, a);
	stat_add(&stats->compat, 1);
	if (signals) {
		/* A timer signal arrives while the CPU is in compatibility mode. */
		sc3(SYS_setitimer, ITIMER_REAL, &it, NULL);
	} else {
		sc4(SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL, FZ_KSIGSET);
	}
	fz_guarded(fz_compat_run, NULL);
	if (!signals)
		sc4(SYS_rt_sigprocmask, SIG_UNBLOCK, &mask, NULL, FZ_KSIGSET);
}

/* ------------------------------------------------------------ segments */
struct fz_seg_req {
	unsigned which;
	uint16_t sel;
};

static void fz_seg_load(void *arg)
{
	struct fz_seg_req *r = arg;
	uint16_t ds, es, ss;

	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%ss, %2" : "=r"(ds), "=r"(es), "=r"(ss));
	switch (r->which) {
	case 0: __asm__ volatile("mov %0, %%ds" :: "r"(r->sel)); break;
	case 1: __asm__ volatile("mov %0, %%es" :: "r"(r->sel)); break;
	case 2: __asm__ volatile("mov %0, %%fs" :: "r"(r->sel)); break;
	case 3: __asm__ volatile("mov %0, %%gs" :: "r"(r->sel)); break;
	default: __asm__ volatile("mov %0, %%ss" :: "r"(r->sel)); break;
	}
	/* The kernel must save and restore whatever is loaded now. */
	sc0(SYS_sched_yield);
	sc0(SYS_getpid);
	__asm__ volatile("mov %0, %%ss" :: "r"(ss));
	if (r->which == 0 || r->which == 1)
		return;          /* leave ds/es as loaded: the kernel must cope */
	__asm__ volatile("mov %0, %%ds; mov %1, %%es" :: "r"(ds), "r"(es));
}

static void op_segment(struct fz *z)
{
	static const uint16_t sels[] = { 0, 1, 2, 3, FZ_SEL_UDATA, FZ_SEL_UDATA & ~3,
					 FZ_SEL_UCODE32, FZ_SEL_UCODE64, 0x08, 0x0b, 0x10,
					 0x13, 0x30, 0x33, 0x38, 0x3b, 0x40, 0x43, 0xfffb };
	struct fz_seg_req r = { (unsigned)below(z, 5), 0 };

	if (!z->main_thread)
		return;
	r.sel = chance(z, 3, 4) ? sels[below(z, sizeof(sels) / sizeof(sels[0]))]
				: (uint16_t)rnd(z);
	long a[6] = { r.which, r.sel, 0, 0, 0, 0 };
	fz_log("segment", 0, a);
	fz_guarded(fz_seg_load, &r);
	fz_restore_fs();
}

/* ------------------------------------------------------------ signals */
static int fz_pick_sig(struct fz *z)
{
	static const int harmless[] = { SIGUSR1, SIGUSR2, SIGWINCH, SIGURG, SIGCHLD,
					FZ_RTMIN, FZ_RTMIN + 5, SIGALRM };

	if (chance(z, 3, 4))
		return harmless[below(z, sizeof(harmless) / sizeof(harmless[0]))];
	return (int)below(z, FZ_NSIG + 2);
}

static void op_signal(struct fz *z)
{
	static const uint64_t fl[] = { SA_SIGINFO, SA_RESTART, SA_NODEFER, SA_RESETHAND,
				       SA_ONSTACK, SA_NOCLDSTOP, SA_NOCLDWAIT };
	uint64_t pid = (uint64_t)sc0(SYS_getpid), tid = (uint64_t)sc0(SYS_gettid);
	int sig = fz_pick_sig(z);

	switch (below(z, 6)) {
	case 0: {
		uint64_t handler = (uint64_t)fz_count_handler, flags = 0;
		uint64_t restorer = (uint64_t)fz_restorer;

		switch (below(z, 5)) {
		case 0: handler = (uint64_t)SIG_IGN; break;
		case 1: handler = (uint64_t)SIG_DFL; break;
		case 2: handler = fz_pick_ptr(z); break;
		}
		for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
			if (chance(z, 1, 3))
				flags |= fl[i];
		if (chance(z, 1, 8))
			restorer = fz_pick_ptr(z);
		long a[6] = { sig, 0, 0, 0, 0, 0 };
		fz_filter(z, SYS_rt_sigaction, a);
		fz_sigaction(z, (int)a[0], handler, flags, restorer, rnd(z) & rnd(z));
		break;
	}
	case 1: {
		uint64_t ss[3] = { FZ_ARENA_ADDR + below(z, 8) * FZ_PAGE,
				   (uint64_t)below(z, 3), below(z, 4) * FZ_PAGE };
		fz_call(z, SYS_sigaltstack, chance(z, 3, 4) ? (long)ss : (long)fz_pick_ptr(z),
			0, 0, 0, 0, 0);
		break;
	}
	case 2:
		fz_call(z, SYS_alarm, (long)below(z, 3), 0, 0, 0, 0, 0);
		break;
	case 3: {
		struct itimerval it = { { 0, (long)below(z, 50000) }, { 0, (long)below(z, 50000) + 1 } };
		fz_call(z, SYS_setitimer, (long)below(z, 3), (long)&it, 0, 0, 0, 0);
		break;
	}
	case 4: {
		uint64_t set = rnd(z) & rnd(z) & ~(1ull << (SIGALRM - 1));
		fz_call(z, SYS_rt_sigprocmask, (long)below(z, 3), (long)&set,
			(long)(FZ_ARENA_ADDR + 3 * FZ_PAGE), FZ_KSIGSET, 0, 0);
		break;
	}
	default:
		stat_add(&stats->signals, 1);
		if (chance(z, 1, 2))
			fz_call(z, SYS_tgkill, (long)pid, (long)tid, sig, 0, 0, 0);
		else
			fz_call(z, SYS_kill, fz_safe_pid(0), sig, 0, 0, 0, 0);
		break;
	}
}

/* ------------------------------------------------------------ exec */
static void op_exec(struct fz *z)
{
	static uint8_t img[FZ_EXEC_MAX];
	char *path = w_pathbuf[below(z, 2)];       /* x0 or x1 */
	size_t len = below(z, sizeof(img));

	for (size_t i = 0; i < len; i++)
		img[i] = (uint8_t)rnd(z);
	switch (below(z, 4)) {
	case 0:                         /* ELF, truncated or with random fields */
	case 1:
		if (len >= 4)
			memcpy(img, "\177ELF", 4);
		if (len >= 20) {
			img[4] = 2;     /* 64-bit */
			img[5] = 1;     /* little-endian */
			img[6] = 1;
			img[16] = (uint8_t)(chance(z, 1, 2) ? 2 : 3);
			img[18] = 62;   /* x86-64 */
			img[19] = 0;
		}
		break;
	case 2: {                       /* #! to itself or to garbage */
		const char *s = chance(z, 1, 2) ? "#!/tmp/wa0/x0 a\n" : "#!/dev/zero\n";
		size_t n = strlen(s);
		memcpy(img, s, n < len ? n : len);
		break;
	}
	default:
		break;
	}
	long fd = fz_call(z, SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_CREAT | O_TRUNC,
			  0755, 0, 0);
	if (fd < 0)
		return;
	sc3(SYS_write, fd, img, len);
	sc1(SYS_close, fd);
	char *argv[] = { path, chance(z, 1, 2) ? (char *)fz_pick_ptr(z) : NULL, NULL };
	stat_add(&stats->execs, 1);
	fz_call(z, SYS_execve, (long)path, chance(z, 7, 8) ? (long)argv : (long)fz_pick_ptr(z),
		chance(z, 7, 8) ? 0 : (long)fz_pick_ptr(z), 0, 0, 0);
}

/* ------------------------------------------------------------ memory hogs */
static void op_hog(struct fz *z)
{
	uint64_t len = FZ_HOG_BYTES;
	long r = fz_call(z, SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (fz_err(r))
		return;
	fz_touch_guarded(z, (uint64_t)r, len);
	fz_call(z, SYS_munmap, r, (long)len, 0, 0, 0, 0);
}

static void op_huge_mmap(struct fz *z)
{
	uint64_t len = 1ull << (30 + below(z, 17));
	long r = fz_call(z, SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (fz_err(r))
		return;
	uint64_t m[2] = { (uint64_t)r + (below(z, len) & ~(FZ_PAGE - 1)), FZ_PAGE };
	if (z->main_thread)
		fz_guarded(fz_touch, m);
	fz_call(z, SYS_munmap, r, (long)len, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ the loop */
static void fz_step(struct fz *z)
{
	unsigned r = (unsigned)below(z, 100);

	if (r < 60)
		op_syscall(z);
	else if (r < 70 && area(AREA_MM))
		op_mm(z);
	else if (r < 74 && area(AREA_CLONE))
		op_clone(z, 0);
	else if (r < 76 && area(AREA_CLONE) && area(AREA_VFORK_EXEC | AREA_VFORK))
		op_clone(z, 3);         /* CLONE_VM|CLONE_SIGHAND|CLONE_THREAD|CLONE_VFORK */
	else if (r < 78 && area(AREA_FORK))
		op_fork(z);
	else if (r < 83 && area(AREA_COMPAT))
		op_compat(z);
	else if (r < 87 && area(AREA_SEGMENTS))
		op_segment(z);
	else if (r < 93 && area(AREA_SIGNALS))
		op_signal(z);
	else if (r < 95 && area(AREA_EXEC))
		op_exec(z);
	else if (r < 96 && area(AREA_OOM))
		op_hog(z);
	else if (r < 97 && area(AREA_HUGE_MMAP))
		op_huge_mmap(z);
	else if (z->main_thread)
		fz_arena_reset(z);
}

static void fz_add_fd(long fd)
{
	if (fd >= 0 && w_nfds < FZ_NFDS)
		w_fds[w_nfds++] = (int)fd;
}

static void fz_add_path(const char *s)
{
	char *p = w_pathbuf[w_npaths];
	size_t n = strlen(s);

	if (n >= sizeof(w_pathbuf[0]) || w_npaths >= FZ_NPATHS)
		return;
	memcpy(p, s, n + 1);
	w_paths[w_npaths++] = p;
}

/* Set up a worker's private world: session, directory, fds, paths. */
static void worker_setup(struct fz *z)
{
	char dir[32] = "/tmp/w";
	int pipes[2];
	struct itimerval it = { { 0, FZ_ITIMER_US }, { 0, FZ_ITIMER_US } };

	sc0(SYS_setsid);
	w_main_tid = sc0(SYS_gettid);
	sc2(SYS_arch_prctl, FZ_ARCH_GET_FS, &w_fsbase);
	dir[6] = (char)('a' + w_index % 26);
	dir[7] = (char)('0' + w_index / 26);
	sc2(SYS_mkdir, dir, 0777);
	sc1(SYS_chdir, dir);
	if (opt.log)
		sc2(SYS_dup2, STDOUT_FILENO, FZ_LOG_FD);
	long null = sc3(SYS_open, "/dev/null", O_RDWR, 0);
	for (int fd = 0; fd <= STDERR_FILENO; fd++)
		sc2(SYS_dup2, null, fd);
	/* w_pathbuf[0..1]: exec images; then names to create, rename, unlink. */
	fz_add_path("x0");
	fz_add_path("x1");
	static const char *const names[] = { "f0", "f1", "d0", "d0/f", "lnk", ".", "..", "/",
					     "/tmp/wa0", "/dev/null", "/dev/zero", "/proc/self/exe",
					     "", "/tmp/wa0/f0", "nonexistent/x" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fz_add_path(names[i]);
	memset(w_longpath, 'a', sizeof(w_longpath) - 1);
	w_paths[w_npaths++] = w_longpath;
	sc2(SYS_mkdir, "d0", 0777);
	sc2(SYS_symlink, "f0", "lnk");
	fz_add_fd(null);
	fz_add_fd(sc3(SYS_open, "/dev/zero", O_RDWR, 0));
	fz_add_fd(sc3(SYS_open, "f0", O_RDWR | O_CREAT, 0644));
	fz_add_fd(sc3(SYS_open, "f1", O_RDWR | O_CREAT | O_APPEND, 0644));
	fz_add_fd(sc3(SYS_open, "/", O_RDONLY | O_DIRECTORY, 0));
	fz_add_fd(sc3(SYS_open, ".", O_RDONLY | O_DIRECTORY, 0));
	for (int i = 0; i < 2; i++)
		if (sc2(SYS_pipe2, pipes, i ? O_NONBLOCK : 0) == 0) {
			fz_add_fd(pipes[0]);
			fz_add_fd(pipes[1]);
		}
	w_closed_fd = (int)sc1(SYS_dup, null);
	sc1(SYS_close, w_closed_fd);
	fz_arena_reset(z);
	fz_install_handlers();
	sc3(SYS_setitimer, ITIMER_REAL, &it, NULL);
}

static void __attribute__((noreturn)) worker_main(int index, int gen, long quota)
{
	struct fz z = { .calls_left = -1, .fork_budget = FZ_FORK_BUDGET,
			.thread_budget = FZ_THREAD_BUDGET, .main_thread = true };

	w_index = index;
	w_gen = gen;
	z.rng = splitmix(opt.seed ^ splitmix(((uint64_t)index << 32) | (uint64_t)gen));
	worker_setup(&z);
	for (;;) {
		if (quota && (long)stats->worker_calls[index] >= quota)
			sc1(SYS_exit_group, 0);
		if (z.calls_left == 0)
			sc1(SYS_exit_group, 0);
		if (z.calls_left > 0)
			z.calls_left--;
		fz_step(&z);
	}
}

/* ------------------------------------------------------------ supervisor */
enum { W_IDLE, W_RUNNING, W_KILLED, W_DONE };

struct slot {
	int state, pid, gen;
	long deadline;          /* running: kill at; killed: when it was killed */
	const char *job;        /* soak job name, or NULL for a fuzz worker */
};

static struct slot slots[FZ_MAX_WORKERS * 2];
static void tree_walk(const char *dir, int depth, bool (*visit)(const char *, bool));
static bool snap_add(const char *path, bool isdir);
static bool clean_new(const char *path, bool isdir);
static int nslots;
static uint64_t sup_rng;
static long unkillable, jobs_failed, jobs_done;

static long sup_lifetime(void)
{
	sup_rng = splitmix(sup_rng);
	return opt.gen_ms / 2 + (long)(sup_rng % (uint64_t)(opt.gen_ms + 1));
}

static long worker_quota(void)
{
	return opt.calls ? (opt.calls + opt.workers - 1) / opt.workers : 0;
}

static void start_job(struct slot *s, int index);

static void slot_start(struct slot *s, int index)
{
	if (index >= opt.workers) {
		start_job(s, index);
		return;
	}
	long pid = sc0(SYS_fork);
	if (pid == 0)
		worker_main(index, s->gen, worker_quota());
	if (pid < 0) {
		s->state = W_IDLE;
		s->deadline = now_ms() + 100;        /* try again soon */
		return;
	}
	stat_add(&stats->procs, 1);
	if (s->gen > 0)
		stat_add(&stats->restarts, 1);
	s->pid = (int)pid;
	s->state = W_RUNNING;
	s->deadline = now_ms() + sup_lifetime();
}

static void slot_kill(struct slot *s)
{
	sc2(SYS_kill, -s->pid, SIGKILL);
	sc2(SYS_kill, s->pid, SIGKILL);
	s->state = W_KILLED;
	s->deadline = now_ms();
}

static void slot_reaped(struct slot *s, int index, int status)
{
	if (s->job) {
		jobs_done++;
		if (s->state != W_KILLED && status != 0) {
			struct fz_out o = { .n = 0 };
			out_str(&o, "fuzzsys: JOB FAILED ");
			out_str(&o, s->job);
			out_kv(&o, "status", (uint64_t)status);
			out_flush(&o, STDOUT_FILENO);
			jobs_failed++;
		}
	}
	s->gen++;
	s->state = W_IDLE;
	s->deadline = 0;
	(void)index;
}

static bool quota_done(int index)
{
	return index < opt.workers && opt.calls &&
	       (long)stats->worker_calls[index] >= worker_quota();
}

/* Reap by pid every worker, then every orphan with wait4(-1). */
static void sup_reap(void)
{
	int status;
	long pid;

	for (int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		if (s->state != W_RUNNING && s->state != W_KILLED)
			continue;
		if (sc4(SYS_wait4, s->pid, &status, WNOHANG, NULL) == s->pid)
			slot_reaped(s, i, status);
	}
	while ((pid = sc4(SYS_wait4, -1, &status, WNOHANG, NULL)) > 0)
		for (int i = 0; i < nslots; i++)
			if ((slots[i].state == W_RUNNING || slots[i].state == W_KILLED) &&
			    slots[i].pid == pid)
				slot_reaped(&slots[i], i, status);
}

static void sup_check_killed(long t)
{
	for (int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		if (s->state != W_KILLED || t - s->deadline < opt.kill_timeout * SEC_MS)
			continue;
		struct fz_out o = { .n = 0 };
		out_str(&o, "fuzzsys: UNKILLABLE worker pid ");
		out_u64(&o, (uint64_t)s->pid, 10);
		out_kv(&o, "slot", (uint64_t)i);
		out_kv(&o, "gen", (uint64_t)s->gen);
		out_flush(&o, STDOUT_FILENO);
		unkillable++;
		s->state = W_DONE;           /* never waited for again */
	}
}

static void sup_counts(struct fz_out *o, long t0)
{
	out_kv(o, "calls", stats->calls);
	out_kv(o, "procs", stats->procs);
	out_kv(o, "threads", stats->threads);
	out_kv(o, "execs", stats->execs);
	out_kv(o, "compat", stats->compat);
	out_kv(o, "faults", stats->faults);
	out_kv(o, "signals", stats->signals);
	out_kv(o, "restarts", stats->restarts);
	out_kv(o, "jobs", (uint64_t)jobs_done);
	out_kv(o, "seconds", (uint64_t)((now_ms() - t0) / SEC_MS));
}

/* End of the run: kill everything, wait (bounded) until it is gone. */
static void sup_finish(void)
{
	for (int i = 0; i < nslots; i++)
		if (slots[i].state == W_RUNNING)
			slot_kill(&slots[i]);
	sc2(SYS_kill, -1, SIGKILL);
	long end = now_ms() + opt.kill_timeout * SEC_MS;
	for (;;) {
		sup_reap();
		bool left = false;
		for (int i = 0; i < nslots; i++)
			left |= slots[i].state == W_KILLED;
		if (!left)
			break;
		if (now_ms() > end) {
			sup_check_killed(now_ms() + opt.kill_timeout * SEC_MS);
			break;
		}
		sleep_ms(10);
	}
	/* Orphans: everything but init got SIGKILL; each must go away. */
	int status;
	long pid;
	while (now_ms() < end) {
		pid = sc4(SYS_wait4, -1, &status, WNOHANG, NULL);
		if (pid < 0)
			return;                  /* -ECHILD: nobody left */
		if (pid == 0) {
			sc2(SYS_kill, -1, SIGKILL);
			sleep_ms(10);
		}
	}
	say("UNKILLABLE orphans remain after kill(-1, SIGKILL)");
	unkillable++;
}

static int supervisor(void)
{
	struct fz_out o = { .n = 0 };
	long t0 = now_ms(), next_progress = t0 + opt.progress * SEC_MS;
	long end = opt.seconds ? t0 + opt.seconds * SEC_MS : 0;

	out_str(&o, "fuzzsys: seed=");
	out_u64(&o, opt.seed, 10);
	out_kv(&o, "workers", (uint64_t)opt.workers);
	out_kv(&o, "seconds", (uint64_t)opt.seconds);
	out_kv(&o, "calls", (uint64_t)opt.calls);
	out_str(&o, opt.soak ? " soak" : "");
	out_str(&o, " areas:");
	for (size_t i = 0; i < sizeof(fz_areas) / sizeof(fz_areas[0]); i++)
		if (!area(fz_areas[i].bit)) {
			out_str(&o, " no-");
			out_str(&o, fz_areas[i].name);
		}
	out_flush(&o, STDOUT_FILENO);
	sup_rng = splitmix(opt.seed);
	tree_walk("/", 0, snap_add);
	for (int i = 0; i < nslots; i++)
		slot_start(&slots[i], i);
	for (;;) {
		long t = now_ms();
		if (end && t >= end)
			break;
		sup_reap();
		sup_check_killed(t);
		bool all_done = opt.calls != 0;
		for (int i = 0; i < nslots; i++) {
			struct slot *s = &slots[i];
			if (quota_done(i)) {
				if (s->state == W_IDLE)
					s->state = W_DONE;
			} else if (i < opt.workers) {
				all_done = false;
			}
			if (s->state == W_IDLE && t >= s->deadline)
				slot_start(s, i);
			else if (s->state == W_RUNNING && !s->job && t >= s->deadline)
				slot_kill(s);
			else if (s->state == W_RUNNING && s->job && t >= s->deadline) {
				say("JOB FAILED: a soak job timed out");
				jobs_failed++;
				slot_kill(s);
			}
		}
		if (all_done && opt.calls)
			break;
		if (t >= next_progress) {
			o.n = 0;
			out_str(&o, "fuzzsys:");
			sup_counts(&o, t0);
			out_flush(&o, STDOUT_FILENO);
			next_progress += opt.progress * SEC_MS;
		}
		sleep_ms(10);
	}
	sup_finish();
	tree_walk("/", 0, clean_new);
	o.n = 0;
	out_str(&o, "fuzzsys: done seed=");
	out_u64(&o, opt.seed, 10);
	sup_counts(&o, t0);
	out_kv(&o, "unkillable", (uint64_t)unkillable);
	out_kv(&o, "jobfail", (uint64_t)jobs_failed);
	out_flush(&o, STDOUT_FILENO);
	return unkillable || jobs_failed ? 1 : 0;
}

/* ------------------------------------------------------------ file cleanup */
/*
 * Workers create, rename and fill files wherever their paths lead.  The
 * supervisor lists the tree before the first worker starts and at the end
 * removes everything that was not there, so that the kernel's init-exit
 * report counts no file data as leaked frames.  /proc is left alone.
 */
#define SNAP_BYTES   (64 * 1024)
#define SNAP_DEPTH   16
#define SNAP_NAMES   4096
#define SNAP_PATH    512

static char snap[SNAP_BYTES];           /* "path\0path\0..." */
static size_t snap_len;

static bool snap_has(const char *path)
{
	for (size_t off = 0; off < snap_len; off += strlen(snap + off) + 1)
		if (strcmp(snap + off, path) == 0)
			return true;
	return false;
}

/*
 * Visit every entry below dir (symlinks not followed); visit() returns true
 * to descend into a directory.  Names are collected before any is visited,
 * so that visit() may remove entries.
 */
static void tree_walk(const char *dir, int depth, bool (*visit)(const char *, bool))
{
	char names[SNAP_NAMES], path[SNAP_PATH];
	struct dirent *e;
	size_t n = 0;

	if (depth > SNAP_DEPTH || strcmp(dir, "/proc") == 0)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    n + l + 1 > sizeof(names))
			continue;
		memcpy(names + n, e->d_name, l + 1);
		n += l + 1;
	}
	closedir(d);
	for (size_t off = 0; off < n; off += strlen(names + off) + 1) {
		struct stat st;
		int len = snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "",
				   names + off);
		if (len <= 0 || (size_t)len >= sizeof(path) ||
		    fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		bool isdir = S_ISDIR(st.st_mode);
		if (visit(path, isdir) && isdir)
			tree_walk(path, depth + 1, visit);
	}
}

static bool snap_add(const char *path, bool isdir)
{
	size_t l = strlen(path);

	if (snap_len + l + 1 <= sizeof(snap)) {
		memcpy(snap + snap_len, path, l + 1);
		snap_len += l + 1;
	}
	return isdir;
}

static bool rm_all(const char *path, bool isdir)
{
	if (isdir) {
		tree_walk(path, 0, rm_all);
		rmdir(path);
	} else {
		unlink(path);
	}
	return false;
}

static bool clean_new(const char *path, bool isdir)
{
	if (snap_has(path))
		return isdir;
	rm_all(path, isdir);
	return false;
}

/* ------------------------------------------------------------ soak jobs */
#define SOAK_JOBS        4
#define SOAK_JOB_MS      (180 * SEC_MS)
#define SOAK_SPAWN_LINES 20
#define STORM_CHILDREN   40
#define PINGPONG_ROUNDS  2000

static const struct {
	const char *name;
	const char *argv[16];
	bool spawn_input;       /* stdin: SOAK_SPAWN_LINES lines, then "quit" */
	bool console;           /* output to the console (else /dev/null) */
} soak_jobs[] = {
	{ "storm", { "/bin/fuzzsys", "--storm", NULL }, false, false },
	{ "pingpong", { "/bin/fuzzsys", "--pingpong", NULL }, false, false },
	{ "spawnbg", { "/bin/spawnbg", NULL }, true, false },
	{ "threadtests", { "/bin/threadtests", "create_join", "mutex_counter", "cond_pingpong",
			   "cond_prodcons", "exit_group_kills", "join_exited", "tls", "gettid",
			   "pthread_exit", "main_thread_exit", "futex_eagain", "futex_wake",
			   "yield_storm", NULL }, false, true },
	{ "badexec", { "/bin/stress", "badexec", NULL }, false, false },
	{ "forkexec", { "/bin/forkexec", NULL }, false, false },
};
#define SOAK_KINDS (sizeof(soak_jobs) / sizeof(soak_jobs[0]))

static void start_job(struct slot *s, int index)
{
	unsigned kind = (unsigned)(index - opt.workers + s->gen) % SOAK_KINDS;
	int in[2] = { -1, -1 };

	if (soak_jobs[kind].spawn_input && pipe(in) == 0) {
		for (int i = 0; i < SOAK_SPAWN_LINES; i++)
			(void)!write(in[1], "key\n", 4);
		(void)!write(in[1], "quit\n", 5);
	}
	long pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		setsid();
		dup2(in[0] >= 0 ? in[0] : null, STDIN_FILENO);
		if (!soak_jobs[kind].console) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(soak_jobs[kind].argv[0], (char **)soak_jobs[kind].argv);
		_exit(127);
	}
	if (in[0] >= 0) {
		close(in[0]);
		close(in[1]);
	}
	if (pid < 0) {
		s->state = W_IDLE;
		s->deadline = now_ms() + 100;
		return;
	}
	stat_add(&stats->procs, 1);
	s->job = soak_jobs[kind].name;
	s->pid = (int)pid;
	s->state = W_RUNNING;
	s->deadline = now_ms() + SOAK_JOB_MS;
}

/* fuzzsys --storm: fork STORM_CHILDREN children that exec and exit 0. */
static int storm(void)
{
	int bad = 0;

	for (int i = 0; i < STORM_CHILDREN; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execv(fz_exec_argv[0], fz_exec_argv);
			_exit(127);
		}
		if (pid < 0)
			continue;               /* out of processes: fine */
		if (i % 4 == 3)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
	}
	int status;
	while (wait(&status) > 0)
		bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	return bad ? 1 : 0;
}

static volatile sig_atomic_t pp_got;

static void pp_handler(int sig)
{
	(void)sig;
	pp_got++;
}

/* fuzzsys --pingpong: bytes and signals between two processes. */
static int pingpong(void)
{
	int a[2], b[2];
	char c = 0;

	if (pipe(a) || pipe(b))
		return 1;
	signal(SIGUSR1, pp_handler);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < PINGPONG_ROUNDS; i++) {
			if (read(a[0], &c, 1) != 1)
				_exit(1);
			kill(getppid(), SIGUSR1);
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	if (pid < 0)
		return 1;
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		c = (char)i;
		if (write(a[1], &c, 1) != 1)
			return 1;
		while (read(b[0], &c, 1) != 1)
			;                       /* EINTR from SIGUSR1 */
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && pp_got > 0 ? 0 : 1;
}

/* ------------------------------------------------------------ main */
static bool parse_long(const char *s, long *v)
{
	char *end;

	if (!s)
		return false;
	*v = strtol(s, &end, 0);
	return *s && !*end && *v >= 0;
}

static bool parse_area(const char *name)
{
	for (size_t i = 0; i < sizeof(fz_areas) / sizeof(fz_areas[0]); i++)
		if (strcmp(name, fz_areas[i].name) == 0) {
			opt.areas &= ~fz_areas[i].bit;
			return true;
		}
	return false;
}

static int usage(void)
{
	say("usage: fuzzsys [--seed N] [--seconds S | --calls N] [--workers W] [--log] "
	    "[--gen-ms MS] [--kill-timeout S] [--progress S] [--soak] [--no-AREA]...");
	return 2;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;

		if (strcmp(a, "--exec-target") == 0)
			return 0;
		if (strcmp(a, "--storm") == 0)
			return storm();
		if (strcmp(a, "--pingpong") == 0)
			return pingpong();
		if (strcmp(a, "--log") == 0) {
			opt.log = true;
		} else if (strcmp(a, "--soak") == 0) {
			opt.soak = true;
		} else if (strncmp(a, "--no-", 5) == 0) {
			if (!parse_area(a + 5))
				return usage();
		} else if (parse_long(v, &n)) {
			i++;
			if (strcmp(a, "--seed") == 0)
				opt.seed = (uint64_t)n;
			else if (strcmp(a, "--seconds") == 0)
				opt.seconds = n;
			else if (strcmp(a, "--calls") == 0)
				opt.calls = n;
			else if (strcmp(a, "--workers") == 0 && n >= 1 && n <= FZ_MAX_WORKERS)
				opt.workers = (int)n;
			else if (strcmp(a, "--gen-ms") == 0 && n > 0)
				opt.gen_ms = n;
			else if (strcmp(a, "--kill-timeout") == 0 && n > 0)
				opt.kill_timeout = n;
			else if (strcmp(a, "--progress") == 0 && n > 0)
				opt.progress = n;
			else
				return usage();
		} else {
			return usage();
		}
	}
	if (!opt.seconds && !opt.calls)
		opt.seconds = 60;
	/* The supervisor ends with kill(-1, SIGKILL): only as init. */
	if (getpid() != 1) {
		say("the supervisor runs only as init (pid 1)");
		return 2;
	}
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (stats == MAP_FAILED) {
		say("cannot map the shared counters");
		return 1;
	}
	nslots = opt.workers + (opt.soak ? SOAK_JOBS : 0);
	return supervisor();
}

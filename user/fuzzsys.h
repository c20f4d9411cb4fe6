/*
 * fuzzsys.h - what the parts of the system-call fuzzer share (see fuzzsys.c
 * for what it does and its options).
 *
 *   fuzzsys.c       the supervisor (pid 1), options, soak jobs, output
 *   fuzz_gen.c      argument generation, the call filter, the operations a
 *                   worker picks from (system calls, mm, signals, exec, ...)
 *   fuzz_worker.c   a worker's setup and loop, fault recovery, clone and
 *                   fork, compatibility mode, segment loads
 *   fuzz_cover.c    kernel coverage (/dev/kcov): the shared edge bitmap and
 *                   the corpus of calls that reached new coverage
 *
 * Everything a worker runs after its setup uses raw `syscall` instructions
 * (sc0..sc6) and no libc state: a fuzzed arch_prctl or segment load may
 * break TLS (%fs), so no errno, no stdio, no stack-protector canary.
 */
#ifndef KEEL_USER_FUZZSYS_H
#define KEEL_USER_FUZZSYS_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

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
#define FZ_SYSLOG_CONSOLE_OFF   6      /* syslog actions kept from the fuzzer */
#define FZ_SYSLOG_CONSOLE_LEVEL 8
#define FZ_SYSLOG_SIZE_BUFFER   10     /* ... and what it calls instead */
#define FZ_IOPL_MAX     3    /* iopl: levels up to this are lowered to 0 ... */
#define FZ_SAFE_PORT    0x80 /* ... and ioperm turns on only this port: random
			      * code from op_exec must never reach real ports */
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
#define FZ_NFAULT_SIGS    5            /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */

/* Coverage (fuzz_cover.c): fixed addresses that no fuzzed mmap picks. */
#define FZ_COVER_ADDR     0x5d0000000000ul /* shared bitmap and corpus */
#define FZ_KCOV_ADDR      0x5e0000000000ul /* per-thread kcov buffers */
#define FZ_KCOV_WORDS     (16ul << 10) /* 128 KiB: count + 16383 PCs */

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

/* Options, fixed before the first fork (fuzzsys.c). */
struct fz_opt {
	uint64_t seed;
	long seconds, calls, gen_ms, kill_timeout, progress;
	int workers;
	bool log, soak;
	bool cover;             /* --cover: coverage wanted (auto when /dev/kcov opens) */
	bool no_cover, no_guide; /* --no-cover: no kcov; --no-guide: measure only */
	unsigned areas;
};
extern struct fz_opt opt;

/* Counters shared by every process (one MAP_SHARED page). */
struct fz_stats {
	uint64_t calls, procs, threads, execs, compat, faults, signals, restarts;
	uint64_t worker_calls[FZ_MAX_WORKERS];
};
extern struct fz_stats *stats;

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

void out_str(struct fz_out *o, const char *s);
void out_u64(struct fz_out *o, uint64_t v, unsigned base);
void out_kv(struct fz_out *o, const char *key, uint64_t v);
void out_flush(struct fz_out *o, int fd);
void say(const char *msg);
long now_ms(void);
void sleep_ms(long ms);

/* ------------------------------------------------------------ PRNG */
static inline uint64_t splitmix(uint64_t x)
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
	uint64_t *kcov;         /* this thread's kcov buffer, or NULL: unguided */
	bool new_cover;         /* the last call reached new coverage */
};

static inline uint64_t rnd(struct fz *z)
{
	z->rng = splitmix(z->rng);
	return z->rng;
}

static inline uint64_t below(struct fz *z, uint64_t n)
{
	return n ? rnd(z) % n : 0;
}

static inline bool chance(struct fz *z, unsigned num, unsigned den)
{
	return below(z, den) < num;
}

static inline bool area(unsigned a)
{
	return (opt.areas & a) == a;
}

/* ------------------------------------------------------------ worker state */
/* One worker process's world (fuzz_worker.c); a forked child inherits it. */
extern int w_index, w_gen;
extern int w_fds[FZ_NFDS], w_nfds;
extern int w_closed_fd;
extern char *w_paths[FZ_NPATHS];
extern int w_npaths;
extern char w_pathbuf[FZ_NPATHS][64];
extern uint64_t w_fsbase;
extern long w_main_tid;
extern struct fz_map { uint64_t addr, len; } w_maps[FZ_NMAPS];
extern const int fz_fault_sigs[FZ_NFAULT_SIGS];

/* fuzz_worker.c */
void __attribute__((noreturn)) worker_main(int index, int gen, long quota);
int fz_guarded(void (*fn)(void *), void *arg);
/* The directory worker index works in ("/tmp/w" and two characters). */
#define FZ_WORKER_DIR_LEN 16
void fz_worker_dir(int index, char dir[FZ_WORKER_DIR_LEN]);
void fz_count_handler(int sig);
void fz_restorer(void);
long fz_sigaction(struct fz *z, int sig, uint64_t handler, uint64_t flags,
		  uint64_t restorer, uint64_t mask);
void fz_restore_fs(void);
void op_clone(struct fz *z, uint64_t preset);
void op_fork(struct fz *z);
void op_compat(struct fz *z);
void op_segment(struct fz *z);
extern char *const fz_exec_argv[];

/* fuzz_gen.c: argument kinds (the generator's choice, kept in the corpus) */
enum fz_kind { FK_SMALL, FK_RANDOM, FK_U32, FK_EDGE, FK_FD, FK_PTR, FK_FLAGS, FK_NEG,
	       FK_SIZE, FK_KINDS };
void fz_log(const char *what, long nr, const long a[6]);
long fz_call_v(struct fz *z, const char *what, long nr, const long a[6]);
long fz_call(struct fz *z, long nr, long a0, long a1, long a2, long a3, long a4, long a5);
void fz_arena_reset(struct fz *z);
uint64_t fz_pick_fd(struct fz *z);
uint64_t fz_pick_ptr(struct fz *z);
uint64_t fz_pick_arg_kind(struct fz *z, uint8_t *kind);
uint64_t fz_pick_arg(struct fz *z);
void fz_step(struct fz *z);

/* fuzz_cover.c */
bool fz_cover_setup(void);
void fz_cover_thread_start(struct fz *z, unsigned slot);
void fz_cover_end(struct fz *z);
bool fz_corpus_worthy(long nr);
void fz_corpus_add(long nr, const long a[6], const uint8_t kind[6]);
bool fz_corpus_pick(struct fz *z, long *nr, long a[6], uint8_t kind[6]);
void fz_cover_counts(struct fz_out *o, bool final);

/* Forget what this thread's kcov buffer holds (before a call). */
static inline void fz_cover_begin(struct fz *z)
{
	if (z->kcov)
		__atomic_store_n(&z->kcov[0], 0, __ATOMIC_RELAXED);
}

#endif

/*
 * fuzz_cover.c - coverage guidance for the system-call fuzzer, through
 * /dev/kcov (a kernel built with `make KCOV=1`; see docs/kcov.md).
 *
 * The supervisor calls fz_cover_setup() before the first fork: if
 * /dev/kcov opens (and --no-cover was not given) it maps struct fz_cover,
 * MAP_SHARED at FZ_COVER_ADDR, so that every worker and its children see
 * the same edge bitmap and corpus ring.  Each thread that fuzzes then calls
 * fz_cover_thread_start() for itself: its own /dev/kcov buffer at a fixed
 * slot address (slot 0 for a process's main thread, 1.. for clone
 * children, whose stacks live in slots too), coverage enabled for that
 * thread only, and the fd closed again at once (the enabled thread and
 * the mapping keep the buffer alive), so fuzzed closes, dup2s and ioctls
 * never meet it.  Any failure leaves z->kcov NULL: that thread fuzzes
 * unguided, and nokcov counts it.
 *
 * Around each call (fz_call_v in fuzz_gen.c) fz_cover_begin() zeroes the
 * count and fz_cover_end() hashes the PCs the kernel recorded as edges
 * (hash(pc) ^ hash(previous pc) / 2, as AFL does) into the bitmap with
 * atomic ORs; a bit that goes from 0 to 1 is new coverage.  A system call
 * from op_syscall that found new coverage is added to the corpus ring as
 * its recipe: the number, the arguments as generated (before the filter,
 * which runs again on every replay) and the kind each one was drawn as
 * (fd, pointer, flags, size, ...).  Every value the generator makes means
 * the same in every worker (the arena and the paths are at the same
 * addresses, the fds were opened in the same order), so a recipe from one
 * worker replays in another.  fz_corpus_pick() returns, for about half of
 * the system calls, a ring entry with one to three arguments mutated.
 *
 * All of it runs in threads whose %fs may be garbage: raw system calls
 * only, no errno, no libc state (memcpy and memset touch no TLS).  Ring
 * entries are written by processes that may be SIGKILLed half way: an
 * entry carries a checksum of its contents, written last, and a reader
 * drops entries whose checksum does not match; whatever it accepts still
 * goes through the call filter.
 *
 * Locking: none; the shared counters and bitmap words are atomic ([A]),
 * ring entries are checked by checksum ([S]).
 */
#include "fuzzsys.h"
#include "kcov.h"               /* constants only: its helpers use errno */

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#define FZ_COVER_LOG2   18                      /* 2^18 edge bits (32 KiB) */
#define FZ_COVER_BITS   (1ul << FZ_COVER_LOG2)
#define FZ_CORPUS_SIZE  512                     /* ring entries */
#define FZ_HASH_MUL     0x9e3779b97f4a7c15ull   /* Fibonacci hashing */
#define FZ_KCOV_BYTES   (FZ_KCOV_WORDS * sizeof(uint64_t))
#define FZ_REPLAY_NUM   1                       /* replay this share of calls */
#define FZ_REPLAY_DEN   2
#define FZ_PICK_TRIES   4                       /* entries to try when torn */
#define FZ_PTR_NUDGE    64                      /* move a pointer this far */
#define FZ_LOW_ARGS     3                       /* most calls use a0..a2 */
#define FZ_NARGS        6

_Static_assert(FZ_KCOV_BYTES % FZ_PAGE == 0, "kcov slots are whole pages");

/* One interesting call: its recipe. */
struct fz_entry {
	uint64_t check;                 /* [S] fz_entry_sum() of the rest; 0: none */
	uint64_t a[FZ_NARGS];
	uint16_t nr;
	uint8_t kind[FZ_NARGS];         /* enum fz_kind */
};

struct fz_cover {
	uint64_t bits;                  /* [A] bits set in map */
	uint64_t added;                 /* [A] entries ever added (next: added % size) */
	uint64_t replays;               /* [A] calls made from a corpus entry */
	uint64_t nokcov;                /* [A] threads that could not enable kcov */
	struct fz_entry ring[FZ_CORPUS_SIZE];
	uint64_t map[FZ_COVER_BITS / 64];
};

#define FZ_COVER_BYTES  ((sizeof(struct fz_cover) + FZ_PAGE - 1) & ~(FZ_PAGE - 1))

static struct fz_cover *fz_cov;         /* NULL: coverage off in this run */

/*
 * In the supervisor, before any fork: map the shared state if /dev/kcov
 * opens.  Returns whether coverage is on.
 */
bool fz_cover_setup(void)
{
	long fd, r;

	if (opt.no_cover)
		return false;
	fd = sc3(SYS_open, KCOV_PATH, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0) {
		if (opt.cover)
			say("cover: /dev/kcov does not open (make KCOV=1 has it): unguided");
		return false;
	}
	sc1(SYS_close, fd);
	r = sc6(SYS_mmap, FZ_COVER_ADDR, FZ_COVER_BYTES, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (r != (long)FZ_COVER_ADDR) {
		say("cover: cannot map the shared bitmap: unguided");
		return false;
	}
	/* Present in every worker from the fork on: no page faults to record. */
	memset((void *)r, 0, FZ_COVER_BYTES);
	fz_cov = (struct fz_cover *)r;
	return true;
}

/*
 * Enable kcov for the calling thread into its own buffer at slot; on any
 * failure z->kcov stays NULL (unguided).  Raw system calls only.
 */
void fz_cover_thread_start(struct fz *z, unsigned slot)
{
	uint64_t addr = FZ_KCOV_ADDR + slot * FZ_KCOV_BYTES;
	long fd;

	z->kcov = NULL;
	z->new_cover = false;
	if (!fz_cov)
		return;
	fd = sc3(SYS_open, KCOV_PATH, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		goto out_fail;
	if (sc3(SYS_ioctl, fd, KCOV_INIT_TRACE, FZ_KCOV_WORDS) != 0)
		goto out_close;
	if (sc6(SYS_mmap, (long)addr, FZ_KCOV_BYTES, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_FIXED, fd, 0) != (long)addr)
		goto out_close;
	/* Fault the buffer in now: a fault while reading it would be recorded. */
	for (uint64_t off = 0; off < FZ_KCOV_BYTES; off += FZ_PAGE)
		(void)*(volatile uint64_t *)(addr + off);
	if (sc3(SYS_ioctl, fd, KCOV_ENABLE, KCOV_TRACE_PC) != 0)
		goto out_unmap;
	sc1(SYS_close, fd);
	z->kcov = (uint64_t *)addr;
	return;
out_unmap:
	sc2(SYS_munmap, addr, FZ_KCOV_BYTES);
out_close:
	sc1(SYS_close, fd);
out_fail:
	stat_add(&fz_cov->nokcov, 1);
}

/* After a call: mark its edges; z->new_cover says whether one was new. */
void fz_cover_end(struct fz *z)
{
	uint64_t n, prev = 0;

	z->new_cover = false;
	if (!z->kcov)
		return;
	n = __atomic_load_n(&z->kcov[0], __ATOMIC_RELAXED);
	if (n > FZ_KCOV_WORDS - 1)
		n = FZ_KCOV_WORDS - 1;
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t h = (z->kcov[i] * FZ_HASH_MUL) >> (64 - FZ_COVER_LOG2);
		uint64_t e = h ^ prev, bit = 1ull << (e % 64);
		uint64_t *w = &fz_cov->map[e / 64];

		prev = h >> 1;
		if (__atomic_load_n(w, __ATOMIC_RELAXED) & bit)
			continue;
		if (__atomic_fetch_or(w, bit, __ATOMIC_RELAXED) & bit)
			continue;               /* another thread was first */
		stat_add(&fz_cov->bits, 1);
		z->new_cover = true;
	}
}

/* Calls worth keeping: they return, and replaying them keeps the worker. */
bool fz_corpus_worthy(long nr)
{
	switch (nr) {
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn:
	case SYS_execve: case SYS_execveat: case SYS_fork: case SYS_vfork:
	case SYS_clone: case SYS_reboot: case SYS_kexec_load: case SYS_kexec_file_load:
		return false;
	}
	return nr >= 0 && nr < FZ_NR_MAX;
}

/* Never 0, so that a zeroed or half-written entry does not check. */
static uint64_t fz_entry_sum(const struct fz_entry *e)
{
	uint64_t s = splitmix(e->nr);

	for (int i = 0; i < FZ_NARGS; i++)
		s = splitmix(s ^ e->a[i] ^ ((uint64_t)e->kind[i] << 56));
	return s | 1;
}

/* Keep the recipe of a call that reached new coverage. */
void fz_corpus_add(long nr, const long a[6], const uint8_t kind[6])
{
	struct fz_entry *e;
	uint64_t i;

	if (!fz_cov || !fz_corpus_worthy(nr))
		return;
	i = __atomic_fetch_add(&fz_cov->added, 1, __ATOMIC_RELAXED) % FZ_CORPUS_SIZE;
	e = &fz_cov->ring[i];
	__atomic_store_n(&e->check, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->nr = (uint16_t)nr;
	memcpy(e->a, a, sizeof(e->a));
	memcpy(e->kind, kind, sizeof(e->kind));
	__atomic_store_n(&e->check, fz_entry_sum(e), __ATOMIC_RELEASE);
}

/* Change one argument, keeping to the kind it was drawn as (mostly). */
static void fz_mutate_arg(struct fz *z, uint64_t *v, uint8_t *kind)
{
	if (chance(z, 1, 8)) {          /* any fresh hostile value */
		*v = fz_pick_arg_kind(z, kind);
		return;
	}
	switch (*kind) {
	case FK_FD:
		*v = fz_pick_fd(z);
		break;
	case FK_PTR:
		if (chance(z, 1, 2))
			*v = fz_pick_ptr(z);
		else
			*v += below(z, 2 * FZ_PTR_NUDGE) - FZ_PTR_NUDGE;
		break;
	case FK_FLAGS: case FK_RANDOM: case FK_U32:
		*v ^= 1ull << below(z, chance(z, 3, 4) ? 32 : 64);
		if (chance(z, 1, 4))
			*v ^= 1ull << below(z, 32);
		break;
	case FK_SIZE:                   /* a neighbouring power of two, or off by one */
		if (chance(z, 1, 2))
			*v = chance(z, 1, 2) ? *v << 1 : *v >> 1;
		else
			*v += chance(z, 1, 2) ? 1 : (uint64_t)-1;
		break;
	case FK_SMALL: case FK_NEG:
		*v += chance(z, 1, 2) ? 1 : (uint64_t)-1;
		break;
	default:                        /* FK_EDGE: another hostile value */
		*v = fz_pick_arg_kind(z, kind);
		break;
	}
}

/*
 * For about half of the system calls when guided and the corpus is not
 * empty: a corpus entry with one to three arguments mutated, in nr, a and
 * kind.  Returns false (nothing drawn from z) when coverage is off.
 */
bool fz_corpus_pick(struct fz *z, long *nr, long a[6], uint8_t kind[6])
{
	uint64_t n;

	if (!fz_cov || opt.no_guide)
		return false;
	n = __atomic_load_n(&fz_cov->added, __ATOMIC_RELAXED);
	if (n > FZ_CORPUS_SIZE)
		n = FZ_CORPUS_SIZE;
	if (!n || !chance(z, FZ_REPLAY_NUM, FZ_REPLAY_DEN))
		return false;
	for (int t = 0; t < FZ_PICK_TRIES; t++) {
		const struct fz_entry *e = &fz_cov->ring[below(z, n)];
		uint64_t check = __atomic_load_n(&e->check, __ATOMIC_ACQUIRE);
		struct fz_entry c;
		bool ok = true;

		memcpy(&c, e, sizeof(c));
		for (int i = 0; i < FZ_NARGS; i++)
			ok &= c.kind[i] < FK_KINDS;
		if (!ok || !check || fz_entry_sum(&c) != check || !fz_corpus_worthy(c.nr))
			continue;
		*nr = c.nr;
		memcpy(kind, c.kind, sizeof(c.kind));
		for (int i = 0; i < FZ_NARGS; i++)
			a[i] = (long)c.a[i];
		int muts = chance(z, 1, 4) ? 2 + (int)below(z, 2) : 1;
		while (muts--) {
			int i = (int)below(z, chance(z, 3, 4) ? FZ_LOW_ARGS : FZ_NARGS);
			fz_mutate_arg(z, (uint64_t *)&a[i], &kind[i]);
		}
		stat_add(&fz_cov->replays, 1);
		return true;
	}
	return false;
}

/* " cover=BITS corpus=ADDED replays=N" (and " nokcov=N" at the end). */
void fz_cover_counts(struct fz_out *o, bool final)
{
	if (!fz_cov)
		return;
	out_kv(o, "cover", fz_cov->bits);
	out_kv(o, "corpus", fz_cov->added);
	out_kv(o, "replays", fz_cov->replays);
	if (final)
		out_kv(o, "nokcov", fz_cov->nokcov);
}

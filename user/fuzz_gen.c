/*
 * fuzz_gen.c - what a fuzz worker does: the arguments it makes up (hostile
 * pointers, fds, sizes, flags), the filter that keeps calls away from init
 * and the log fd, and the operations fz_step() picks from: raw system
 * calls (fresh, or with --cover a mutated corpus entry), mapping churn,
 * signal states, execs of garbage files and memory hogs.  Clone, fork,
 * compatibility mode and segment loads are in fuzz_worker.c.
 *
 * Every call goes through fz_call_v(): logged first (--log), counted, and
 * with coverage on measured (fuzz_cover.c) from just before the `syscall`
 * instruction to just after it.
 */
#include "fuzzsys.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

/* ------------------------------------------------------------ logging */
void fz_log(const char *what, long nr, const long a[6])
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

/* A new child returns 0 from these: its kcov buffer is not yet its own. */
static bool fz_forks(long nr)
{
	return nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3;
}

/*
 * Make one call, logged as what ("call", "mutant") and counted; with
 * coverage on, z->new_cover says afterwards whether it reached new code.
 */
long fz_call_v(struct fz *z, const char *what, long nr, const long a[6])
{
	long ret;

	fz_log(what, nr, a);
	z->ncalls++;
	stat_add(&stats->calls, 1);
	stat_add(&stats->worker_calls[w_index], 1);
	fz_cover_begin(z);
	ret = sc6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (ret == 0 && fz_forks(nr))
		z->new_cover = false;
	else
		fz_cover_end(z);
	return ret;
}

long fz_call(struct fz *z, long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long a[6] = { a0, a1, a2, a3, a4, a5 };

	return fz_call_v(z, "call", nr, a);
}

/* ------------------------------------------------------------ arguments */
void fz_arena_reset(struct fz *z)
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

uint64_t fz_pick_fd(struct fz *z)
{
	static const long bad[] = { -1, -100, 1023, 4096, 65536, 0x7fffffff, -2 };

	if (chance(z, 3, 4) && w_nfds)
		return (uint64_t)w_fds[below(z, (uint64_t)w_nfds)];
	if (chance(z, 1, 2))
		return (uint64_t)w_closed_fd;
	return (uint64_t)bad[below(z, sizeof(bad) / sizeof(bad[0]))];
}

uint64_t fz_pick_ptr(struct fz *z)
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

/* A hostile argument; *kind says which generator made it (enum fz_kind). */
uint64_t fz_pick_arg_kind(struct fz *z, uint8_t *kind)
{
	static const uint64_t edge[] = {
		0, 1, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32,
		1ull << 63, ~0ull >> 1, FZ_PAGE - 1, FZ_PAGE, FZ_PAGE + 1, 1ull << 31,
		(uint64_t)-FZ_PAGE,
	};

	switch (below(z, 12)) {
	case 0:
		*kind = FK_SMALL;
		return below(z, 8);
	case 1:
		*kind = FK_RANDOM;
		return rnd(z);
	case 2:
		*kind = FK_U32;
		return (uint32_t)rnd(z);
	case 3:
		*kind = FK_EDGE;
		return edge[below(z, sizeof(edge) / sizeof(edge[0]))];
	case 4: case 5:
		*kind = FK_FD;
		return fz_pick_fd(z);
	case 6: case 7: case 8:
		*kind = FK_PTR;
		return fz_pick_ptr(z);
	case 9:
		*kind = FK_FLAGS;
		return rnd(z) & rnd(z) & (chance(z, 1, 2) ? 0xffffffffull : ~0ull);
	case 10:
		*kind = FK_NEG;
		return (uint64_t)-(int64_t)below(z, 4096);
	default:
		*kind = FK_SIZE;
		return 1ull << below(z, 64);           /* huge sizes */
	}
}

uint64_t fz_pick_arg(struct fz *z)
{
	uint8_t kind;

	return fz_pick_arg_kind(z, &kind);
}

/* ------------------------------------------------------------ operations */
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
	case SYS_iopl:                   /* no port for random code (op_exec) */
		if ((unsigned long)a[0] <= FZ_IOPL_MAX)
			a[0] = 0;
		break;
	case SYS_ioperm:
		if ((int)a[2] != 0) {
			a[0] = FZ_SAFE_PORT;
			a[1] = a[1] ? 1 : 0;  /* 0 still tests EINVAL */
		}
		break;
	case SYS_syslog:                 /* keep kernel messages on the console */
		if ((int)a[0] == FZ_SYSLOG_CONSOLE_OFF || (int)a[0] == FZ_SYSLOG_CONSOLE_LEVEL)
			a[0] = FZ_SYSLOG_SIZE_BUFFER;
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
	case SYS_mount: case SYS_umount2:       /* a read-only / would stop the cleanup */
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

/*
 * A raw system call: fresh, or (coverage guided) a mutated corpus entry.
 * One that reaches new kernel code goes into the corpus as generated.
 */
static void op_syscall(struct fz *z)
{
	long nr, a[6], recipe[6];
	uint8_t kind[6];
	bool replay = fz_corpus_pick(z, &nr, a, kind);

	if (!replay) {
		nr = (long)below(z, FZ_NR_MAX);
		if (fz_special(z, nr))
			return;
		for (int i = 0; i < 6; i++)
			a[i] = (long)fz_pick_arg_kind(z, &kind[i]);
	}
	if (nr == SYS_clone3) {         /* never a valid struct: no shared stack */
		a[0] = (long)(0xffff800000000000ull + below(z, FZ_PAGE));
		kind[0] = FK_PTR;
	}
	memcpy(recipe, a, sizeof(recipe));
	fz_filter(z, nr, a);
	long ret = fz_call_v(z, replay ? "mutant" : "call", nr, a);
	if (nr == SYS_arch_prctl || nr == SYS_clone3)
		fz_restore_fs();
	if ((nr == SYS_clone3) && ret == 0)     /* cannot happen; be safe */
		sc1(SYS_exit, 0);
	if (z->new_cover)
		fz_corpus_add(nr, recipe, kind);
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
void fz_step(struct fz *z)
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


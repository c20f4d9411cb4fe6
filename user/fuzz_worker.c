/*
 * fuzz_worker.c - a fuzz worker process: its private world (session,
 * directory, fds, paths, arena), its loop, and the operations that need
 * the worker's own machinery: recovery from faults it causes on purpose
 * (fz_guarded), raw clones on stacks of their own, fork, far jumps into
 * compatibility mode and loads of random segment selectors.
 */
#include "fuzzsys.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

/* ------------------------------------------------------------ worker state */
int w_index, w_gen;
int w_fds[FZ_NFDS], w_nfds;
int w_closed_fd;
char *w_paths[FZ_NPATHS];
int w_npaths;
char w_pathbuf[FZ_NPATHS][64];
static char w_longpath[FZ_LONG_PATH];
uint64_t w_fsbase;
long w_main_tid;
struct fz_map w_maps[FZ_NMAPS];
static unsigned w_stack_next;

/* ------------------------------------------------------------ faults */
/*
 * fz_guarded(fn, arg) calls fn(arg) and returns 0, or 1 when fn faulted:
 * the fault handler then resumes at the recovery label with the stack
 * pointer saved here.  Only the worker's main thread arms it.
 */
volatile uint64_t fz_recover_rip, fz_recover_rsp, fz_recover_armed;
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

void fz_count_handler(int sig)
{
	(void)sig;
	stat_add(&stats->signals, 1);
}

__asm__(".pushsection .text\n.globl fz_restorer\nfz_restorer:\n"
	"	mov $" FZ_STR(SYS_rt_sigreturn) ", %eax\n syscall\n hlt\n.popsection\n");

/* rt_sigaction with the kernel's layout {handler, flags, restorer, mask}. */
long fz_sigaction(struct fz *z, int sig, uint64_t handler, uint64_t flags,
			 uint64_t restorer, uint64_t mask)
{
	uint64_t act[4] = { handler, flags | FZ_SIGRESTORER, restorer, mask };

	if (z)
		return fz_call(z, SYS_rt_sigaction, sig, (long)act, 0, FZ_KSIGSET, 0, 0);
	return sc4(SYS_rt_sigaction, sig, act, NULL, FZ_KSIGSET);
}

const int fz_fault_sigs[FZ_NFAULT_SIGS] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };

static void fz_install_handlers(void)
{
	for (size_t i = 0; i < sizeof(fz_fault_sigs) / sizeof(fz_fault_sigs[0]); i++)
		fz_sigaction(NULL, fz_fault_sigs[i], (uint64_t)fz_fault_handler,
			     SA_SIGINFO | SA_NODEFER, (uint64_t)fz_restorer, 0);
	fz_sigaction(NULL, SIGALRM, (uint64_t)fz_count_handler, 0, (uint64_t)fz_restorer, 0);
}

/* After anything that may have changed FS: give musl its TLS back. */
void fz_restore_fs(void)
{
	sc2(SYS_arch_prctl, FZ_ARCH_SET_FS, w_fsbase);
}

/* ------------------------------------------------------------ clone, fork */
/* What a clone child gets, at the top of its stack slot. */
struct fz_child {
	struct fz z;
	uint64_t tls[4];        /* a TLS block that points to itself */
	bool exec;
	unsigned kcov_slot;     /* fuzz_cover.c's buffer slot: 1 + stack slot */
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

char *const fz_exec_argv[] = { "/bin/fuzzsys", "--exec-target", NULL };

static void fz_child_main(struct fz_child *c)
{
	struct fz *z = &c->z;

	fz_cover_thread_start(z, c->kcov_slot);
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
void op_clone(struct fz *z, uint64_t preset)
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
	unsigned slot = w_stack_next++ % FZ_STACK_SLOTS;
	uint64_t base = FZ_STACK_ADDR + slot * FZ_STACK_SIZE;
	sc6(SYS_mmap, (long)base, FZ_STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct fz_child *c = (struct fz_child *)(base + FZ_STACK_SIZE - sizeof(*c));
	c->z = *z;
	c->z.rng = rnd(z);
	c->z.calls_left = (long)below(z, FZ_THREAD_CALLS) + 1;
	c->z.fork_budget = 0;
	c->z.thread_budget = 0;
	c->z.main_thread = false;
	c->z.kcov = NULL;       /* the child enables its own */
	c->kcov_slot = 1 + slot;
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

void op_fork(struct fz *z)
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
		fz_cover_thread_start(z, 0);    /* over the parent's buffer */
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

void op_compat(struct fz *z)
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

void op_segment(struct fz *z)
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

/* ------------------------------------------------------------ the worker */
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
void fz_worker_dir(int index, char dir[FZ_WORKER_DIR_LEN])
{
	memcpy(dir, "/tmp/w", sizeof("/tmp/w"));
	dir[6] = (char)('a' + index % 26);
	dir[7] = (char)('0' + index / 26);
	dir[8] = '\0';
}

static void worker_setup(struct fz *z)
{
	char dir[FZ_WORKER_DIR_LEN];
	int pipes[2];
	struct itimerval it = { { 0, FZ_ITIMER_US }, { 0, FZ_ITIMER_US } };

	sc0(SYS_setsid);
	w_main_tid = sc0(SYS_gettid);
	sc2(SYS_arch_prctl, FZ_ARCH_GET_FS, &w_fsbase);
	fz_worker_dir(w_index, dir);
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
	fz_cover_thread_start(z, 0);
}

void __attribute__((noreturn)) worker_main(int index, int gen, long quota)
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


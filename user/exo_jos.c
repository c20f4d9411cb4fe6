/*
 * exo_jos.c - the MIT JOS lab 4 grading programs rewritten for Keel's
 * exokernel interface (<keel/exo.h>), one exotests case each.
 *
 * JOS printed and the grader matched the console; here every program
 * checks what it saw itself: values come back through pipes, shared pages
 * or exit statuses, and a process that must be killed is a fork(2)ed
 * child whose wait status must say SIGSEGV.  JOS's fixed addresses
 * (0xdeadbeef, 0xcafebffe, UTEMP) become addresses in the EX_BASE range,
 * which nothing else in the process maps.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "exotests.h"

/* ------------------------------------------------------------- dumbfork */

#define DF_ROUNDS       10
#define DF_GLOBAL_START 7
#define DF_GLOBAL_CHILD 1000

static volatile int df_global = DF_GLOBAL_START;

/* The child: copied by hand, it answers each token with token + 1. */
static void df_child(int in, int out)
{
	for (int i = 0; i < DF_ROUNDS; i++) {
		int tok;

		utest_read_all(in, &tok, sizeof(tok));
		EX_EQ(tok, 2 * i);
		if (i == 0) {
			EX_EQ(df_global, DF_GLOBAL_START);
			df_global = DF_GLOBAL_CHILD;
		}
		tok++;
		utest_write_all(out, &tok, sizeof(tok));
	}
	_exit(EX_CHILD_OK);
}

/* exo_fork + a page-by-page copy (ex_dfork); parent and child alternate. */
void ex_dumbfork(void)
{
	int down[2], up[2];
	pid_t pid;

	UT_OK(pipe(down));
	UT_OK(pipe(up));
	pid = ex_dfork(0, 0, true);
	if (pid == 0)
		df_child(down[0], up[1]);
	close(down[0]);
	close(up[1]); /* a child that dies is EOF, not a hang */
	for (int i = 0; i < DF_ROUNDS; i++) {
		int tok = 2 * i;

		utest_write_all(down[1], &tok, sizeof(tok));
		utest_read_all(up[0], &tok, sizeof(tok));
		EX_EQ(tok, 2 * i + 1);
		EX_EQ(df_global, DF_GLOBAL_START); /* the child's copy is its own */
	}
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* ------------------------------------------------- faultread, faultwrite */

static void fr_read_null(void)
{
	(void)ex_peek(NULL);
}

static void fw_write_null(void)
{
	ex_poke(NULL, 0);
}

/* A read of address 0 with no handler: SIGSEGV, the kernel carries on. */
void ex_faultread(void)
{
	UT_CHECK_KILLED(ex_in_child(fr_read_null), SIGSEGV);
}

/* A write to address 0 with no handler: SIGSEGV. */
void ex_faultwrite(void)
{
	UT_CHECK_KILLED(ex_in_child(fw_write_null), SIGSEGV);
}

/* ------------------------------------------------------------- faultdie */

#define FD_VA (EX_BASE | 0xdeadbeeful)

static int fd_out = -1;

static void fd_handler(struct exo_utrapframe *utf)
{
	uint64_t rec[2] = { utf->utf_fault_va, utf->utf_err };

	utest_write_all(fd_out, rec, sizeof(rec));
	_exit(EX_CHILD_HANDLED);
}

static void fd_child(void)
{
	set_pgfault_handler(fd_handler);
	*(volatile int *)FD_VA = 0;
	_exit(EX_CHILD_BAD); /* the handler does not return */
}

/* The handler gets the fault address and error code, then exits. */
void ex_faultdie(void)
{
	uint64_t rec[2];
	int p[2];

	UT_OK(pipe(p));
	fd_out = p[1];
	UT_CHECK_EXIT(ex_in_child(fd_child), EX_CHILD_HANDLED);
	close(p[1]);
	utest_read_all(p[0], rec, sizeof(rec));
	EX_EQ(rec[0], FD_VA);
	/* a write from user mode to a page not present */
	EX_EQ(rec[1] & (EXO_FEC_PR | EXO_FEC_WR | EXO_FEC_U), EXO_FEC_WR | EXO_FEC_U);
}

/* ------------------------------------------------------------ faultregs */

/*
 * ex_fr_run() loads a known value into every general register, the
 * arithmetic flags and DF, and %xmm0, then writes %rax to the read-only
 * page at FR_VA (a fault that goes up); the handler records the frame and
 * makes the page writable; the write is retried, and ex_fr_run() stores
 * every register, the flags and %rsp as they are after the return.
 */
#define FR_VA        (EX_BASE + 8)
#define FR_FLAGS     0xed7ul /* CF PF AF ZF SF DF OF, IF, bit 1 */
#define FR_FLAG_MASK 0xcd5ul /* CF PF AF ZF SF DF OF */
#define FR_DF        0x400ul
#define FR_STR2(x)   #x
#define FR_STR(x)    FR_STR2(x)
#define FR_R15       0x1515151515151515
#define FR_R14       0x1414141414141414
#define FR_R13       0x1313131313131313
#define FR_R12       0x1212121212121212
#define FR_R11       0x1111111111111111
#define FR_R10       0x1010101010101010
#define FR_R9        0x0909090909090909
#define FR_R8        0x0808080808080808
#define FR_RDI       0x600000000008 /* FR_VA */
#define FR_RSI       0x5151515151515151
#define FR_RBP       0xb0b0b0b0b0b0b0b0
#define FR_RBX       0xbbbbbbbbbbbbbbbb
#define FR_RDX       0xdddddddddddddddd
#define FR_RCX       0xcccccccccccccccc
#define FR_RAX       0xaaaaaaaaaaaaaaaa

struct exo_pushregs ex_fr_after;
uint64_t ex_fr_before_rsp, ex_fr_after_rsp, ex_fr_after_flags, ex_fr_after_xmm0;
void ex_fr_run(void);
extern const char ex_fr_fault[];

/* clang-format off */
__asm__(".text\n"
	".globl ex_fr_run\n"
	".type ex_fr_run, @function\n"
	"ex_fr_run:\n"
	"	pushq %rbx\n"
	"	pushq %rbp\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, ex_fr_before_rsp(%rip)\n"
	"	movabsq $" FR_STR(FR_R15) ", %r15\n"
	"	movabsq $" FR_STR(FR_R14) ", %r14\n"
	"	movabsq $" FR_STR(FR_R13) ", %r13\n"
	"	movabsq $" FR_STR(FR_R12) ", %r12\n"
	"	movabsq $" FR_STR(FR_R11) ", %r11\n"
	"	movabsq $" FR_STR(FR_R10) ", %r10\n"
	"	movabsq $" FR_STR(FR_R9) ", %r9\n"
	"	movabsq $" FR_STR(FR_R8) ", %r8\n"
	"	movabsq $" FR_STR(FR_RDI) ", %rdi\n"
	"	movabsq $" FR_STR(FR_RSI) ", %rsi\n"
	"	movabsq $" FR_STR(FR_RBP) ", %rbp\n"
	"	movabsq $" FR_STR(FR_RBX) ", %rbx\n"
	"	movabsq $" FR_STR(FR_RDX) ", %rdx\n"
	"	movabsq $" FR_STR(FR_RCX) ", %rcx\n"
	"	movabsq $" FR_STR(FR_RAX) ", %rax\n"
	"	movq %rsi, %xmm0\n"
	"	pushq $" FR_STR(FR_FLAGS) "\n"
	"	popfq\n"
	".globl ex_fr_fault\n"
	"ex_fr_fault:\n"
	"	movq %rax, (%rdi)\n"
	"	movq %rsp, ex_fr_after_rsp(%rip)\n"
	"	movq %r15, ex_fr_after+0(%rip)\n"
	"	movq %r14, ex_fr_after+8(%rip)\n"
	"	movq %r13, ex_fr_after+16(%rip)\n"
	"	movq %r12, ex_fr_after+24(%rip)\n"
	"	movq %r11, ex_fr_after+32(%rip)\n"
	"	movq %r10, ex_fr_after+40(%rip)\n"
	"	movq %r9, ex_fr_after+48(%rip)\n"
	"	movq %r8, ex_fr_after+56(%rip)\n"
	"	movq %rdi, ex_fr_after+64(%rip)\n"
	"	movq %rsi, ex_fr_after+72(%rip)\n"
	"	movq %rbp, ex_fr_after+80(%rip)\n"
	"	movq %rbx, ex_fr_after+88(%rip)\n"
	"	movq %rdx, ex_fr_after+96(%rip)\n"
	"	movq %rcx, ex_fr_after+104(%rip)\n"
	"	movq %rax, ex_fr_after+112(%rip)\n"
	"	movq %xmm0, ex_fr_after_xmm0(%rip)\n"
	"	pushfq\n"
	"	popq ex_fr_after_flags(%rip)\n"
	"	cld\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbp\n"
	"	popq %rbx\n"
	"	ret\n"
	".size ex_fr_run, . - ex_fr_run\n");
/* clang-format on */

static struct exo_utrapframe fr_utf;
static volatile int fr_calls;
static volatile uint64_t fr_handler_flags;

static void fr_handler(struct exo_utrapframe *utf)
{
	uint64_t fl;

	__asm__ volatile("pushfq; popq %0" : "=r"(fl));
	fr_handler_flags = fl;
	if (fl & FR_DF) {
		__asm__ volatile("cld" ::: "memory"); /* for utest_fail's own copies */
		utest_fail("the C handler ran with DF set (flags %#lx): the upcall must clear it",
			   (unsigned long)fl);
	}
	fr_utf = *utf;
	fr_calls++;
	/* Change what the handler may: the entry must restore all of it. */
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl $1, %%ecx\n\t"
			 "movl $2, %%edx\n\t"
			 "movl $3, %%esi\n\t"
			 "movl $4, %%r8d\n\t"
			 "movl $5, %%r9d\n\t"
			 "movl $6, %%r10d\n\t"
			 "movl $7, %%r11d\n\t"
			 "cmpl %%ecx, %%edx\n\t"
			 :
			 :
			 : "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "xmm0", "cc");
	/* a read-only page cannot be mapped writable (-EACCES): copy it */
	if (exo_page_alloc(0, EX_VA(1), EX_RW) != 0)
		_exit(EX_CHILD_BAD);
	memcpy(EX_VA(1), EX_VA(0), EXO_PAGE_SIZE);
	if (exo_page_map(0, EX_VA(1), 0, EX_VA(0), EX_RW) != 0)
		_exit(EX_CHILD_BAD);
}

/* Compare a register's value with what was loaded. */
#define FR_CHECK(where, reg, want)                                                     \
	do {                                                                           \
		if ((where).reg != (uint64_t)(want))                                   \
			utest_fail("%s %s = %#lx, want %#lx", #where, #reg,            \
				   (unsigned long)(where).reg, (unsigned long)(want)); \
	} while (0)
#define FR_CHECK_ALL(where)                   \
	do {                                  \
		FR_CHECK(where, r15, FR_R15); \
		FR_CHECK(where, r14, FR_R14); \
		FR_CHECK(where, r13, FR_R13); \
		FR_CHECK(where, r12, FR_R12); \
		FR_CHECK(where, r11, FR_R11); \
		FR_CHECK(where, r10, FR_R10); \
		FR_CHECK(where, r9, FR_R9);   \
		FR_CHECK(where, r8, FR_R8);   \
		FR_CHECK(where, rdi, FR_RDI); \
		FR_CHECK(where, rsi, FR_RSI); \
		FR_CHECK(where, rbp, FR_RBP); \
		FR_CHECK(where, rbx, FR_RBX); \
		FR_CHECK(where, rdx, FR_RDX); \
		FR_CHECK(where, rcx, FR_RCX); \
		FR_CHECK(where, rax, FR_RAX); \
	} while (0)

/* Every register and the flags: in the frame, and restored exactly. */
void ex_faultregs(void)
{
	EX_EQ(FR_RDI, FR_VA);
	EX_EQ(exo_page_alloc(0, EX_VA(0), EXO_PERM_R), 0); /* read-only: goes up */
	set_pgfault_handler(fr_handler);
	ex_fr_run();
	EX_EQ(fr_calls, 1);
	EX_EQ(fr_utf.utf_fault_va, FR_VA);
	EX_EQ(fr_utf.utf_err & (EXO_FEC_PR | EXO_FEC_WR | EXO_FEC_U),
	      EXO_FEC_PR | EXO_FEC_WR | EXO_FEC_U);
	EX_EQ(fr_utf.utf_rip, (uintptr_t)ex_fr_fault);
	EX_EQ(fr_utf.utf_rsp, ex_fr_before_rsp);
	EX_EQ(fr_utf.utf_rflags & FR_FLAG_MASK, FR_FLAGS & FR_FLAG_MASK);
	FR_CHECK_ALL(fr_utf.utf_regs);
	EX_EQ(fr_handler_flags & FR_DF, 0);
	/* after the handler returned to the faulting instruction */
	FR_CHECK_ALL(ex_fr_after);
	EX_EQ(ex_fr_after_rsp, ex_fr_before_rsp);
	EX_EQ(ex_fr_after_flags & FR_FLAG_MASK, FR_FLAGS & FR_FLAG_MASK);
	EX_EQ(ex_fr_after_xmm0, FR_RSI);
	EX_EQ(*(volatile uint64_t *)FR_VA, FR_RAX); /* the write was retried */
	EX_EQ(exo_page_perm(EX_VA(0)), EX_RW);
}

/* ----------------------------------------------- faultalloc, faultallocbad */

#define FA_VA1      (EX_BASE | 0xdeadbeeful)
#define FA_VA2      (EX_BASE | 0xcafebffeul) /* the string crosses into the next page */
#define FA_MAX      8
#define FA_STRLEN   100
#define FA_RED_ZONE 128

struct fa_rec {
	uint64_t va, err, frame, rsp;
	int depth;
};

static struct fa_rec fa_recs[FA_MAX];
static volatile int fa_n, fa_depth;

static void fa_handler(struct exo_utrapframe *utf)
{
	uintptr_t va = utf->utf_fault_va;
	int i = fa_n;

	fa_depth++;
	if (i < FA_MAX)
		fa_recs[i] =
			(struct fa_rec){ va, utf->utf_err, (uintptr_t)utf, utf->utf_rsp, fa_depth };
	fa_n = i + 1;
	if (exo_page_alloc(0, (void *)(va & ~(EXO_PAGE_SIZE - 1)), EX_RW) != 0)
		_exit(EX_CHILD_BAD);
	snprintf((char *)va, FA_STRLEN, "this string was faulted in at %lx", (unsigned long)va);
	fa_depth--;
}

static void fa_expect(uintptr_t va, char *want, size_t size)
{
	snprintf(want, size, "this string was faulted in at %lx", (unsigned long)va);
	if (strcmp((const char *)va, want) != 0)
		utest_fail("at %#lx: \"%.60s\", want \"%s\"", (unsigned long)va, (const char *)va,
			   want);
}

/* The handler allocates the page; the second string's copy faults again
 * inside the handler (nested, on the exception stack). */
void ex_faultalloc(void)
{
	char want[FA_STRLEN];
	uintptr_t nested = (FA_VA2 & ~(EXO_PAGE_SIZE - 1)) + EXO_PAGE_SIZE;

	set_pgfault_handler(fa_handler);
	(void)ex_peek((void *)FA_VA1);
	fa_expect(FA_VA1, want, sizeof(want));
	(void)ex_peek((void *)FA_VA2);
	fa_expect(FA_VA2, want, sizeof(want));
	EX_EQ(fa_n, 3);
	EX_EQ(fa_recs[0].va, FA_VA1);
	EX_EQ(fa_recs[0].err & (EXO_FEC_PR | EXO_FEC_WR | EXO_FEC_U), EXO_FEC_U);
	EX_EQ(fa_recs[1].va, FA_VA2);
	EX_EQ(fa_recs[1].depth, 1);
	EX_EQ(fa_recs[2].va & ~(EXO_PAGE_SIZE - 1), nested);
	EX_EQ(fa_recs[2].err & (EXO_FEC_PR | EXO_FEC_WR | EXO_FEC_U), EXO_FEC_WR | EXO_FEC_U);
	EX_EQ(fa_recs[2].depth, 2);
	/* the nested frame: below the handler's stack and its red zone, and
	 * on the same exception stack as the outer frame */
	UT_CHECK(fa_recs[2].frame + sizeof(struct exo_utrapframe) <= fa_recs[2].rsp - FA_RED_ZONE);
	UT_CHECK(fa_recs[2].rsp < fa_recs[1].frame);
	UT_CHECK(fa_recs[2].frame > fa_recs[1].frame - EXO_XSTACK_SIZE);
	UT_CHECK(fa_recs[1].frame != fa_recs[2].frame);
	EX_EQ(exo_page_perm((void *)nested), EX_RW);
}

/* A bad pointer given to write(2): -EFAULT, the handler is not called. */
void ex_faultallocbad(void)
{
	int p[2];

	UT_OK(pipe(p));
	set_pgfault_handler(fa_handler);
	UT_CHECK_ERR(syscall(SYS_write, p[1], (void *)FA_VA1, 4), EFAULT);
	EX_EQ(fa_n, 0);
	EX_EQ(exo_page_perm((void *)(FA_VA1 & ~(EXO_PAGE_SIZE - 1))), -ENOENT);
}

/* ---------------------------- faultnostack, faultbadhandler, faultevilhandler */

/* An upcall entry that must never be reached: it exits EX_CHILD_HANDLED. */
void ex_entry_exit_handled(void);
/* clang-format off */
__asm__(".text\n"
	".globl ex_entry_exit_handled\n"
	".type ex_entry_exit_handled, @function\n"
	"ex_entry_exit_handled:\n"
	"	movl $231, %eax\n"	/* exit_group */
	"	movl $" FR_STR(EX_CHILD_HANDLED) ", %edi\n"
	"	syscall\n"
	"	hlt\n"
	".size ex_entry_exit_handled, . - ex_entry_exit_handled\n");
/* clang-format on */

#define FN_XSTACK_TOP   (EX_BASE + 0x100000ul) /* nothing mapped below it */
#define FB_BAD_ENTRY    (EX_BASE + 0x200000ul) /* nothing mapped there */
#define FE_KERNEL_ENTRY 0xffffffff80100020ul

static void fn_child(void)
{
	EX_EQ(exo_set_pgfault_upcall(0, ex_entry_exit_handled, (void *)FN_XSTACK_TOP), 0);
	ex_poke(NULL, 0);
	_exit(EX_CHILD_BAD);
}

/* An upcall with no exception stack mapped: killed. */
void ex_faultnostack(void)
{
	UT_CHECK_KILLED(ex_in_child(fn_child), SIGSEGV);
}

/* A mapped exception stack; top is its top. */
static void *xstack_top(void)
{
	char *s = mmap(NULL, EXO_XSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (s == MAP_FAILED)
		utest_fail("mmap: %s", strerror(errno));
	return s + EXO_XSTACK_SIZE;
}

static void fb_child(void)
{
	EX_EQ(exo_set_pgfault_upcall(0, (void (*)(void))FB_BAD_ENTRY, xstack_top()), 0);
	ex_poke(NULL, 0);
	_exit(EX_CHILD_BAD);
}

/* An entry point that is not mapped: killed. */
void ex_faultbadhandler(void)
{
	UT_CHECK_KILLED(ex_in_child(fb_child), SIGSEGV);
}

static void fe_child(void)
{
	int r = exo_set_pgfault_upcall(0, (void (*)(void))FE_KERNEL_ENTRY, xstack_top());

	/* accepted (found out when a fault is delivered) or refused */
	if (r != 0 && r != -EINVAL)
		utest_fail("exo_set_pgfault_upcall(kernel entry) = %d", r);
	ex_poke(NULL, 0);
	_exit(EX_CHILD_BAD);
}

/* An entry point in the kernel: killed, and the kernel does not run it. */
void ex_faultevilhandler(void)
{
	UT_CHECK_KILLED(ex_in_child(fe_child), SIGSEGV);
}

static volatile int no_depth;

/* Faults again, on a new page, at every level: the stack runs out. */
static void no_handler(struct exo_utrapframe *utf)
{
	no_depth++;
	(void)ex_peek((char *)utf->utf_fault_va + EXO_PAGE_SIZE);
}

static void no_child(void)
{
	set_pgfault_handler(no_handler);
	(void)ex_peek(EX_VA(0));
	_exit(EX_CHILD_BAD);
}

/* Nested faults that overflow the exception stack: killed, kernel fine. */
void ex_faultnest_overflow(void)
{
	UT_CHECK_KILLED(ex_in_child(no_child), SIGSEGV);
}

/* ------------------------------------------------------------- forktree */

#define FT_DEPTH 3
#define FT_NODES 15 /* 1 + 2 + 4 + 8 */
#define FT_REC   8

static int ft_out = -1;

static void forktree(const char *cur)
{
	char rec[FT_REC] = { 0 };
	pid_t kids[2];
	int n = 0;

	memcpy(rec, cur, strlen(cur));
	rec[FT_REC - 1] = '#';
	utest_write_all(ft_out, rec, sizeof(rec));
	if (strlen(cur) >= FT_DEPTH)
		return;
	for (char branch = '0'; branch <= '1'; branch++) {
		char nxt[FT_DEPTH + 1];
		pid_t pid;

		snprintf(nxt, sizeof(nxt), "%s%c", cur, branch);
		pid = exo_cowfork();
		if (pid < 0)
			utest_fail("exo_cowfork: %d", (int)pid);
		if (pid == 0) {
			forktree(nxt);
			_exit(EX_CHILD_OK);
		}
		kids[n++] = pid;
	}
	for (int i = 0; i < n; i++)
		UT_CHECK_EXIT(utest_wait(kids[i]), EX_CHILD_OK);
}

/* A depth-3 tree of exo_cowfork children: every node reports once. */
void ex_forktree(void)
{
	char recs[FT_NODES + 1][FT_REC];
	int seen[FT_NODES] = { 0 };
	int p[2], n = 0;
	ssize_t r;

	UT_OK(pipe(p));
	ft_out = p[1];
	forktree("");
	close(p[1]);
	while ((r = read(p[0], recs[n], FT_REC)) == FT_REC && n < FT_NODES)
		n++;
	EX_EQ(n, FT_NODES);
	EX_EQ(r, 0);
	for (int i = 0; i < n; i++) {
		size_t len = strnlen(recs[i], FT_REC - 1);
		int idx = (1 << len) - 1; /* level offset, then the bits */

		UT_CHECK(len <= FT_DEPTH && recs[i][FT_REC - 1] == '#');
		for (size_t b = 0; b < len; b++)
			idx += (recs[i][b] - '0') << (len - 1 - b);
		seen[idx]++;
	}
	for (int i = 0; i < FT_NODES; i++)
		if (seen[i] != 1)
			utest_fail("node %d reported %d times", i, seen[i]);
}

/* ----------------------------------------------------------------- spin */

#define SPIN_YIELDS 8

/* A spinning child is preempted (also on one CPU) and killed. */
void ex_spin(void)
{
	int p[2];
	char c;
	pid_t pid;

	UT_OK(pipe(p));
	pid = exo_cowfork();
	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	if (pid == 0) {
		utest_write_all(p[1], "r", 1);
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	close(p[1]);
	utest_read_all(p[0], &c, 1);
	for (int i = 0; i < SPIN_YIELDS; i++)
		sched_yield();
	UT_OK(kill(pid, SIGKILL));
	UT_CHECK_KILLED(utest_wait(pid), SIGKILL);
}

/* ---------------------------------------------------------- stresssched */

#define SS_CHILDREN 20
#define SS_ROUNDS   10
#define SS_ADDS     10000

static volatile unsigned long ss_counter;

/* 20 exo_cowfork children yielding; each counter is its own. */
void ex_stresssched(void)
{
	pid_t kids[SS_CHILDREN];

	for (int i = 0; i < SS_CHILDREN; i++) {
		pid_t pid = exo_cowfork();

		if (pid < 0)
			utest_fail("exo_cowfork %d: %d", i, (int)pid);
		if (pid == 0) {
			for (int r = 0; r < SS_ROUNDS; r++) {
				sched_yield();
				for (int j = 0; j < SS_ADDS; j++)
					ss_counter++;
			}
			_exit(ss_counter == (unsigned long)SS_ROUNDS * SS_ADDS ? EX_CHILD_OK :
										 EX_CHILD_BAD);
		}
		kids[i] = pid;
	}
	for (int i = 0; i < SS_CHILDREN; i++)
		UT_CHECK_EXIT(utest_wait(kids[i]), EX_CHILD_OK);
	EX_EQ(ss_counter, 0);
}

/* ------------------------------------------------------------- sendpage */

#define SP_TEMP       EX_VA(16)
#define SP_TEMP_CHILD EX_VA(32)

static const char sp_str1[] = "hello child environment! how are you?";
static const char sp_str2[] = "hello parent environment! I'm good.";

/* A page with a string goes to a child by IPC, another comes back. */
void ex_sendpage(void)
{
	pid_t who, pid;
	int perm;

	pid = exo_cowfork();
	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	if (pid == 0) {
		EX_EQ(ipc_recv(&who, SP_TEMP_CHILD, &perm), 0);
		EX_EQ(who, getppid());
		EX_EQ(perm, EX_RW);
		if (strcmp(SP_TEMP_CHILD, sp_str1) != 0)
			utest_fail("child got \"%.60s\"", (char *)SP_TEMP_CHILD);
		memcpy(SP_TEMP_CHILD, sp_str2, sizeof(sp_str2));
		ipc_send(who, 0, SP_TEMP_CHILD, EX_RW);
		_exit(EX_CHILD_OK);
	}
	EX_EQ(exo_page_alloc(0, SP_TEMP, EX_RW), 0);
	memcpy(SP_TEMP, sp_str1, sizeof(sp_str1));
	ipc_send(pid, 0, SP_TEMP, EX_RW);
	EX_EQ(ipc_recv(&who, SP_TEMP, &perm), 0);
	EX_EQ(who, pid);
	EX_EQ(perm, EX_RW);
	if (strcmp(SP_TEMP, sp_str2) != 0)
		utest_fail("parent got \"%.60s\"", (char *)SP_TEMP);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* ------------------------------------------------------------- pingpong */

#define PP_LAST 100

/* A counter bounced between two processes by IPC. */
void ex_pingpong(void)
{
	pid_t pid = exo_cowfork(), peer, who;
	uint64_t expect;
	int perm;

	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	peer = pid ? pid : getppid();
	expect = pid ? 1 : 0;
	if (pid)
		ipc_send(pid, 0, NULL, 0);
	for (;;) {
		uint64_t i = ipc_recv(&who, NULL, &perm);

		EX_EQ(who, peer);
		EX_EQ(perm, 0);
		EX_EQ(i, expect);
		if (i == PP_LAST)
			break;
		ipc_send(who, ++i, NULL, 0);
		if (i == PP_LAST)
			break;
		expect = i + 1;
	}
	if (pid == 0)
		_exit(EX_CHILD_OK);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* --------------------------------------------------------------- primes */

#define PR_COUNT 1000
#define PR_LAST  7919      /* the 1000th prime */
#define PR_TABLE EX_VA(64) /* shared with every sieve (EXO_PERM_SHARE) */

/*
 * One sieve stage: the first number it receives is its prime (recorded at
 * its depth in the shared table); it passes on the numbers that prime does
 * not divide, creating the next stage when the first one comes.  0 ends
 * the chain: it is passed on, and each stage waits for the next.  The new
 * stage loops in the same frame, so the stack does not grow with depth.
 */
static void pr_sieve(void)
{
	volatile uint32_t *table = PR_TABLE;
	int depth = 0;
	pid_t next;
	uint64_t p;

restart:
	next = 0;
	p = ipc_recv(NULL, NULL, NULL);
	if (p == 0)
		_exit(EX_CHILD_OK);
	if (depth >= PR_COUNT)
		_exit(EX_CHILD_BAD);
	table[depth] = (uint32_t)p;
	for (;;) {
		uint64_t i = ipc_recv(NULL, NULL, NULL);

		if (i == 0)
			break;
		if (i % p == 0)
			continue;
		if (!next) {
			next = exo_cowfork();
			if (next < 0)
				_exit(EX_CHILD_BAD);
			if (next == 0) {
				depth++;
				goto restart;
			}
		}
		ipc_send(next, i, NULL, 0);
	}
	if (next) {
		int status;

		ipc_send(next, 0, NULL, 0);
		while (waitpid(next, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != EX_CHILD_OK)
			_exit(EX_CHILD_BAD);
	}
	_exit(EX_CHILD_OK);
}

/* A prime sieve as a chain of processes linked by IPC, to the 1000th prime. */
void ex_primes(void)
{
	static uint32_t want[PR_COUNT];
	volatile uint32_t *table = PR_TABLE;
	int n = 0;
	pid_t first;

	for (uint32_t c = 2; n < PR_COUNT; c++) {
		int prime = 1;

		for (int j = 0; j < n && want[j] * want[j] <= c; j++)
			if (c % want[j] == 0)
				prime = 0;
		if (prime)
			want[n++] = c;
	}
	EX_EQ(want[PR_COUNT - 1], PR_LAST);
	EX_EQ(exo_page_alloc(0, PR_TABLE, EX_RW | EXO_PERM_SHARE), 0);
	first = exo_cowfork();
	if (first < 0)
		utest_fail("exo_cowfork: %d", (int)first);
	if (first == 0)
		pr_sieve();
	for (uint64_t i = 2; i <= PR_LAST; i++)
		ipc_send(first, i, NULL, 0);
	ipc_send(first, 0, NULL, 0);
	UT_CHECK_EXIT(utest_wait(first), EX_CHILD_OK);
	for (int i = 0; i < PR_COUNT; i++)
		if (table[i] != want[i])
			utest_fail("stage %d found %u, want %u", i, table[i], want[i]);
}

/*
 * exo_calls.c - exotests cases for the contract of <keel/exo.h> beyond
 * the JOS programs: the seed's regression, argument and permission errors
 * (and that nothing changed after each), exo_page_perm, the placement
 * calls, exo_fork's child, upcall inheritance, exo_cowfork, IPC, how the
 * placed pages look to munmap, fork(2) and /proc/self/maps, and resource
 * cleanup (MemFree over 20 rounds of each operation).
 *
 * Children that must never run are exo_fork children left not runnable:
 * their branch after exo_fork() exits EX_CHILD_BAD, which no check
 * accepts.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "exotests.h"

#define EX_OTHER_UID 1000u /* an ordinary user for the permission tests */

#define EX_BAD_KERNEL   ((void *)0xffff800000000000ul)
#define EX_BAD_NONCANON ((void *)0x0000800000000000ul)
#define EX_NO_SUCH_PID  4194000 /* below pid_max, never reached by a boot's tests */
#define EX_PERM_UNKNOWN 0x20
#define EX_MAPS_MAX     32768
#define EX_ARCH_SET_GS  0x1001 /* arch_prctl (Linux <asm/prctl.h>) */
#define EX_ARCH_GET_FS  0x1003
#define EX_ARCH_GET_GS  0x1004
#define EX_GS_BASE      0x12345000ul
#define EX_GONE_TRIES   100000 /* sched_yield()s waiting for a process to die */

static bool ex_dead(pid_t pid);
static volatile int cw_global = 1; /* a global in the data segment */

/* An exo_fork child that never runs (left not runnable). */
static pid_t ex_idle_child(void)
{
	pid_t pid = exo_fork();

	if (pid < 0)
		utest_fail("exo_fork: %d", (int)pid);
	if (pid == 0)
		_exit(EX_CHILD_BAD);
	return pid;
}

/* Kill and reap an idle exo_fork child. */
static void ex_kill_idle(pid_t pid)
{
	UT_OK(kill(pid, SIGKILL));
	UT_CHECK_KILLED(utest_wait(pid), SIGKILL);
}

/* A page of ours at va with perm, filled with fill. */
static void ex_place(void *va, int perm, int fill)
{
	EX_EQ(exo_page_alloc(0, va, EX_RW), 0);
	memset(va, fill, EXO_PAGE_SIZE);
	if (perm != EX_RW)
		EX_EQ(exo_page_map(0, va, 0, va, perm), 0);
}

/* Every byte of the page at va is v. */
static void ex_check_fill(const void *va, int v)
{
	const volatile uint8_t *p = va;

	for (size_t i = 0; i < EXO_PAGE_SIZE; i++)
		if (p[i] != (uint8_t)v)
			utest_fail("byte %zu at %p is %#x, want %#x", i, va, p[i], v);
}

/* ------------------------------------------------------ seed regression */

/*
 * The seed's second bug: mapping a page into child Y at a va dropped the
 * page child X had at the same va.  Pages placed by exo_page_alloc and by
 * exo_page_map, into two idle exo_fork children, read back through a map
 * into the caller.
 */
void ex_seed_map_two_children(void)
{
	void *v1 = EX_VA(100), *v2 = EX_VA(101);
	pid_t x = ex_idle_child(), y = ex_idle_child();

	EX_EQ(exo_page_alloc(x, v1, EX_RW), 0);
	EX_EQ(exo_page_map(x, v1, 0, EX_VA(1), EX_RW), 0);
	memset(EX_VA(1), 'X', EXO_PAGE_SIZE);
	EX_EQ(exo_page_alloc(y, v1, EX_RW), 0);
	EX_EQ(exo_page_map(y, v1, 0, EX_VA(2), EX_RW), 0);
	memset(EX_VA(2), 'Y', EXO_PAGE_SIZE);

	ex_place(EX_VA(3), EX_RW, 'x');
	ex_place(EX_VA(4), EX_RW, 'y');
	EX_EQ(exo_page_map(0, EX_VA(3), x, v2, EX_RW), 0);
	EX_EQ(exo_page_map(0, EX_VA(4), y, v2, EXO_PERM_R), 0);

	/* X's pages are still there, with X's contents */
	EX_EQ(exo_page_map(x, v1, 0, EX_VA(5), EXO_PERM_R), 0);
	ex_check_fill(EX_VA(5), 'X');
	EX_EQ(exo_page_map(x, v2, 0, EX_VA(6), EXO_PERM_R), 0);
	ex_check_fill(EX_VA(6), 'x');
	EX_EQ(exo_page_map(y, v1, 0, EX_VA(7), EXO_PERM_R), 0);
	ex_check_fill(EX_VA(7), 'Y');
	EX_EQ(exo_page_map(y, v2, 0, EX_VA(8), EXO_PERM_R), 0);
	ex_check_fill(EX_VA(8), 'y');
	/* X's v2 is our EX_VA(3)'s frame */
	ex_poke(EX_VA(3), 'z');
	EX_EQ(ex_peek(EX_VA(6)), 'z');
	/* unmapping X's page leaves Y's */
	EX_EQ(exo_page_unmap(x, v1), 0);
	EX_EQ(exo_page_map(x, v1, 0, EX_VA(9), EXO_PERM_R), -EFAULT);
	EX_EQ(exo_page_map(y, v1, 0, EX_VA(9), EXO_PERM_R), 0);
	ex_check_fill(EX_VA(9), 'Y');
	ex_check_fill(EX_VA(5), 'X'); /* our mapping of X's old page stays */
	ex_kill_idle(x);
	ex_kill_idle(y);
}

/* ----------------------------------------------------- permission checks */

static pid_t pn_sibling;

static void pn_child(void)
{
	pid_t parent = getppid();
	int r;

	ex_place(EX_VA(20), EX_RW, 'c');
	EX_EQ(exo_page_alloc(parent, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_page_map(0, EX_VA(20), parent, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_page_map(parent, EX_VA(11), 0, EX_VA(21), EXO_PERM_R), -EPERM);
	EX_EQ(exo_page_unmap(parent, EX_VA(11)), -EPERM);
	EX_EQ(exo_set_status(parent, EXO_RUNNABLE), -EPERM);
	EX_EQ(exo_set_pgfault_upcall(parent, NULL, NULL), -EPERM);
	EX_EQ(exo_page_alloc(pn_sibling, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_page_map(0, EX_VA(20), pn_sibling, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_set_status(pn_sibling, EXO_NOT_RUNNABLE), -EPERM);
	r = exo_page_perm(EX_VA(21));
	EX_EQ(r, -ENOENT);
}

/*
 * Only the caller and its children are targets: a child cannot place
 * pages into (or take them from, or change the status of) its parent or
 * its sibling, nor a parent into its grandchild; nothing changes.
 */
void ex_perm_not_child(void)
{
	int hold[2], gp[2];
	pid_t grand, mid;
	char c = 0;

	ex_place(EX_VA(11), EX_RW, 'p');
	UT_OK(pipe(hold));
	pn_sibling = ex_idle_child();
	UT_CHECK_EXIT(ex_in_child(pn_child), EX_CHILD_OK);
	EX_EQ(exo_page_perm(EX_VA(10)), -ENOENT);
	EX_EQ(exo_page_perm(EX_VA(11)), EX_RW);
	ex_check_fill(EX_VA(11), 'p');
	EX_EQ(exo_page_map(pn_sibling, EX_VA(10), 0, EX_VA(12), EXO_PERM_R), -EFAULT);
	ex_kill_idle(pn_sibling);

	/* a grandchild is not a child */
	UT_OK(pipe(gp));
	mid = utest_fork();
	if (mid == 0) {
		grand = ex_idle_child();
		utest_write_all(gp[1], &grand, sizeof(grand));
		utest_read_all(hold[0], &c, 1);
		ex_kill_idle(grand);
		_exit(EX_CHILD_OK);
	}
	close(gp[1]);
	utest_read_all(gp[0], &grand, sizeof(grand));
	EX_EQ(exo_page_alloc(grand, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_page_map(0, EX_VA(11), grand, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_set_status(grand, EXO_RUNNABLE), -EPERM);
	utest_write_all(hold[1], &c, 1);
	UT_CHECK_EXIT(utest_wait(mid), EX_CHILD_OK);
}

/* A forked child that runs as another user (uid, gid; 0 keeps the ids),
 * dumpable or not, and waits for its pipe to close. */
static pid_t ou_child(unsigned uid, bool dumpable, int ready[2], int hold[2])
{
	pid_t pid = utest_fork();
	char c = 0;

	if (pid == 0) {
		close(hold[1]); /* the parent's close is the signal to go */
		if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(EX_CHILD_BAD);
		/* Set either way: a change of ids, the child's or the parent's
		 * before fork, leaves it undumpable (Linux's commit_creds). */
		if (prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0, 0, 0, 0))
			_exit(EX_CHILD_BAD);
		utest_write_all(ready[1], &c, 1);
		(void)read(hold[0], &c, 1);
		_exit(EX_CHILD_OK);
	}
	utest_read_all(ready[0], &c, 1);
	return pid;
}

/*
 * A child is a target only while its parent could ptrace it: root may act
 * on any child; a non-root parent only on a child with its own ids that is
 * still dumpable (a set-user-ID exec makes it not), else -EPERM.
 */
void ex_perm_other_user(void)
{
	int ready[2], hold[2];
	pid_t c;

	UT_OK(pipe(ready));
	UT_OK(pipe(hold));
	c = ou_child(EX_OTHER_UID, true, ready, hold);
	EX_EQ(exo_page_alloc(c, EX_VA(10), EX_RW), 0);           /* root: yes */
	UT_OK(setresuid(EX_OTHER_UID + 1, EX_OTHER_UID + 1, 0)); /* another user */
	EX_EQ(exo_page_alloc(c, EX_VA(11), EX_RW), -EPERM);
	EX_EQ(exo_page_map(0, EX_VA(12), c, EX_VA(10), EX_RW), -EPERM);
	EX_EQ(exo_set_status(c, EXO_NOT_RUNNABLE), -EPERM);
	EX_EQ(exo_set_pgfault_upcall(c, NULL, NULL), -EPERM);
	UT_OK(setresuid(0, 0, 0));
	UT_OK(setresgid(EX_OTHER_UID, EX_OTHER_UID, EX_OTHER_UID));
	UT_OK(setresuid(EX_OTHER_UID, EX_OTHER_UID, EX_OTHER_UID)); /* for good */
	EX_EQ(exo_page_alloc(c, EX_VA(11), EX_RW), 0);              /* the same user */
	pid_t same = ou_child(0, true, ready, hold);                /* born after the drop */
	EX_EQ(exo_page_alloc(same, EX_VA(11), EX_RW), 0);
	pid_t nd = ou_child(0, false, ready, hold);
	EX_EQ(exo_page_alloc(nd, EX_VA(11), EX_RW), -EPERM); /* not dumpable */
	close(hold[1]);
	UT_CHECK_EXIT(utest_wait(c), EX_CHILD_OK);
	UT_CHECK_EXIT(utest_wait(same), EX_CHILD_OK);
	UT_CHECK_EXIT(utest_wait(nd), EX_CHILD_OK);
}

/* Unknown pids: -ESRCH from every call that takes one. */
void ex_perm_no_such_pid(void)
{
	pid_t gone = utest_fork();
	pid_t pids[2];

	if (gone == 0)
		_exit(EX_CHILD_OK);
	UT_CHECK_EXIT(utest_wait(gone), EX_CHILD_OK);
	pids[0] = gone;
	pids[1] = EX_NO_SUCH_PID;
	ex_place(EX_VA(1), EX_RW, 'a');
	for (int i = 0; i < 2; i++) {
		pid_t p = pids[i];

		EX_EQ(exo_page_alloc(p, EX_VA(2), EX_RW), -ESRCH);
		EX_EQ(exo_page_map(0, EX_VA(1), p, EX_VA(2), EX_RW), -ESRCH);
		EX_EQ(exo_page_map(p, EX_VA(1), 0, EX_VA(2), EX_RW), -ESRCH);
		EX_EQ(exo_page_unmap(p, EX_VA(1)), -ESRCH);
		EX_EQ(exo_set_status(p, EXO_RUNNABLE), -ESRCH);
		EX_EQ(exo_set_pgfault_upcall(p, NULL, NULL), -ESRCH);
		EX_EQ(exo_ipc_try_send(p, 1, EXO_NO_PAGE, 0), -ESRCH);
	}
	EX_EQ(exo_page_perm(EX_VA(2)), -ENOENT);
	ex_check_fill(EX_VA(1), 'a');

	/* a zombie child: no address space to place into, no receiver */
	gone = utest_fork();
	if (gone == 0)
		_exit(EX_CHILD_OK);
	while (!ex_dead(gone))
		sched_yield();
	EX_EQ(exo_page_alloc(gone, EX_VA(2), EX_RW), -ESRCH);
	EX_EQ(exo_page_map(0, EX_VA(1), gone, EX_VA(2), EX_RW), -ESRCH);
	EX_EQ(exo_ipc_try_send(gone, 1, EXO_NO_PAGE, 0), -ESRCH);
	UT_CHECK_EXIT(utest_wait(gone), EX_CHILD_OK);
}

/* Bad addresses, unknown perm bits, bad status: -EINVAL, nothing changed. */
void ex_perm_einval(void)
{
	char *va = EX_VA(2);
	void *bad[] = { va + 1,          NULL,          (void *)EXO_USER_TOP,
			EX_BAD_NONCANON, EX_BAD_KERNEL, (void *)(EXO_PAGE_SIZE - 1) };
	pid_t child;

	ex_place(EX_VA(1), EX_RW, 'a');
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EX_EQ(exo_page_alloc(0, bad[i], EX_RW), -EINVAL);
		EX_EQ(exo_page_map(0, bad[i], 0, va, EXO_PERM_R), -EINVAL);
		EX_EQ(exo_page_map(0, EX_VA(1), 0, bad[i], EXO_PERM_R), -EINVAL);
		EX_EQ(exo_page_unmap(0, bad[i]), -EINVAL);
	}
	EX_EQ(exo_page_alloc(0, va, EX_RW | EX_PERM_UNKNOWN), -EINVAL);
	EX_EQ(exo_page_alloc(0, va, 0x100), -EINVAL);
	EX_EQ(exo_page_alloc(0, va, -1), -EINVAL);
	EX_EQ(exo_page_map(0, EX_VA(1), 0, va, EXO_PERM_R | EX_PERM_UNKNOWN), -EINVAL);
	EX_EQ(exo_page_perm(va), -ENOENT);
	EX_EQ(exo_page_perm(EX_VA(1)), EX_RW);
	ex_check_fill(EX_VA(1), 'a');
	/* the lowest user page is one */
	EX_EQ(exo_page_alloc(0, (void *)EXO_USER_MIN, EX_RW), 0);
	EX_EQ(exo_page_perm((void *)EXO_USER_MIN), EX_RW);
	EX_EQ(exo_page_unmap(0, (void *)EXO_USER_MIN), 0);

	child = ex_idle_child();
	EX_EQ(exo_set_status(child, 0), -EINVAL);
	EX_EQ(exo_set_status(child, 3), -EINVAL);
	EX_EQ(exo_set_status(child, -1), -EINVAL);
	EX_EQ(exo_page_alloc(child, va + 8, EX_RW), -EINVAL);
	EX_EQ(exo_page_map(child, va, 0, va, EXO_PERM_R), -EFAULT); /* nothing placed */
	ex_kill_idle(child);
}

/* Nothing at srcva: -EFAULT; W asked of a read-only source: -EACCES. */
void ex_perm_efault_eacces(void)
{
	void *text = (void *)((uintptr_t)ex_perm_efault_eacces & ~(EXO_PAGE_SIZE - 1));

	EX_EQ(exo_page_map(0, EX_VA(1), 0, EX_VA(2), EXO_PERM_R), -EFAULT);
	EX_EQ(exo_page_perm(EX_VA(2)), -ENOENT);
	ex_place(EX_VA(3), EXO_PERM_R, 'r');
	EX_EQ(exo_page_map(0, EX_VA(3), 0, EX_VA(4), EX_RW), -EACCES);
	EX_EQ(exo_page_perm(EX_VA(4)), -ENOENT);
	EX_EQ(exo_page_map(0, EX_VA(3), 0, EX_VA(3), EX_RW), -EACCES); /* not even onto itself */
	EX_EQ(exo_page_perm(EX_VA(3)), EXO_PERM_R);
	EX_EQ(exo_page_map(0, text, 0, EX_VA(5), EX_RW), -EACCES);
	EX_EQ(exo_page_perm(EX_VA(5)), -ENOENT);
	EX_EQ(exo_page_map(0, EX_VA(3), 0, EX_VA(4), EXO_PERM_R), 0);
	ex_check_fill(EX_VA(4), 'r');
	EX_EQ(exo_page_map(0, text, 0, EX_VA(5), EXO_PERM_R | EXO_PERM_X), 0);
	EX_EQ(memcmp(EX_VA(5), text, EXO_PAGE_SIZE), 0);
}

/* ---------------------------------------------------------- exo_page_perm */

/* R in every report of a present page; -ENOENT for none; X for text. */
void ex_pageperm_basic(void)
{
	void *text = (void *)((uintptr_t)ex_pageperm_basic & ~(EXO_PAGE_SIZE - 1));
	volatile int local = 1;
	void *stack = (void *)((uintptr_t)&local & ~(EXO_PAGE_SIZE - 1));
	char *m = mmap(NULL, 3 * EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	char *ro = mmap(NULL, EXO_PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	UT_CHECK(m != MAP_FAILED && ro != MAP_FAILED);
	EX_EQ(exo_page_perm(EX_VA(1)), -ENOENT);
	EX_EQ(exo_page_alloc(0, EX_VA(1), 0), 0); /* R is implied */
	EX_EQ(exo_page_perm(EX_VA(1)), EXO_PERM_R);
	EX_EQ(exo_page_alloc(0, EX_VA(2), EX_RW), 0);
	EX_EQ(exo_page_perm(EX_VA(2)), EX_RW);
	EX_EQ(exo_page_alloc(0, EX_VA(3), EXO_PERM_W), 0);
	EX_EQ(exo_page_perm(EX_VA(3)), EX_RW);
	EX_EQ(exo_page_perm(text), EXO_PERM_R | EXO_PERM_X);
	EX_EQ(exo_page_perm(stack), EX_RW);
	EX_EQ(exo_page_perm(m), -ENOENT); /* mapped, never touched */
	m[EXO_PAGE_SIZE] = 1;
	EX_EQ(exo_page_perm(m + EXO_PAGE_SIZE), EX_RW);
	(void)ex_peek(m + 2 * EXO_PAGE_SIZE); /* even if the zero page is mapped */
	EX_EQ(exo_page_perm(m + 2 * EXO_PAGE_SIZE), EX_RW);
	(void)ex_peek(ro);
	EX_EQ(exo_page_perm(ro), EXO_PERM_R);
	EX_EQ(exo_page_perm(m), -ENOENT);
}

/* W is reported while fork(2) shares the page copy-on-write. */
void ex_pageperm_fork_cow(void)
{
	char *m = mmap(NULL, EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	int go[2], done[2];
	pid_t pid;
	char c;

	UT_CHECK(m != MAP_FAILED);
	memset(m, 'o', EXO_PAGE_SIZE);
	UT_OK(pipe(go));
	UT_OK(pipe(done));
	pid = utest_fork();
	if (pid == 0) {
		EX_EQ(exo_page_perm(m), EX_RW);
		utest_write_all(done[1], "1", 1);
		utest_read_all(go[0], &c, 1); /* the parent wrote its copy */
		ex_check_fill(m, 'o');
		EX_EQ(exo_page_perm(m), EX_RW);
		m[0] = 'c';
		EX_EQ(exo_page_perm(m), EX_RW);
		_exit(EX_CHILD_OK);
	}
	close(done[1]);
	close(go[0]);
	utest_read_all(done[0], &c, 1);
	EX_EQ(exo_page_perm(m), EX_RW);
	memset(m, 'p', EXO_PAGE_SIZE);
	EX_EQ(exo_page_perm(m), EX_RW);
	utest_write_all(go[1], "1", 1);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	ex_check_fill(m, 'p');
}

/* COW and SHARE are kept and reported; remapping onto itself changes perm. */
void ex_pageperm_kept_bits(void)
{
	EX_EQ(exo_page_alloc(0, EX_VA(1), EXO_PERM_R | EXO_PERM_COW), 0);
	EX_EQ(exo_page_perm(EX_VA(1)), EXO_PERM_R | EXO_PERM_COW);
	EX_EQ(exo_page_alloc(0, EX_VA(2), EX_RW | EXO_PERM_SHARE), 0);
	EX_EQ(exo_page_perm(EX_VA(2)), EX_RW | EXO_PERM_SHARE);
	ex_poke(EX_VA(2), 's');
	EX_EQ(exo_page_map(0, EX_VA(2), 0, EX_VA(2), EXO_PERM_R | EXO_PERM_COW | EXO_PERM_SHARE),
	      0);
	EX_EQ(exo_page_perm(EX_VA(2)), EXO_PERM_R | EXO_PERM_COW | EXO_PERM_SHARE);
	EX_EQ(ex_peek(EX_VA(2)), 's');
	EX_EQ(exo_page_map(0, EX_VA(2), 0, EX_VA(3), EXO_PERM_ALL), -EACCES);
	EX_EQ(exo_page_map(0, EX_VA(1), 0, EX_VA(3), EXO_PERM_X | EXO_PERM_SHARE), 0);
	EX_EQ(exo_page_perm(EX_VA(3)), EXO_PERM_R | EXO_PERM_X | EXO_PERM_SHARE);
	EX_EQ(exo_page_alloc(0, EX_VA(4), EXO_PERM_ALL), 0);
	EX_EQ(exo_page_perm(EX_VA(4)), EXO_PERM_ALL);
}

/* ------------------------------------------------------ placement calls */

/* exo_page_alloc gives a zeroed page, also over a page already there. */
void ex_page_alloc_zero_replace(void)
{
	char *m = mmap(NULL, EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);

	UT_CHECK(m != MAP_FAILED);
	ex_place(EX_VA(1), EX_RW, 0xaa);
	EX_EQ(exo_page_alloc(0, EX_VA(1), EX_RW), 0);
	ex_check_fill(EX_VA(1), 0);
	memset(m, 0x55, EXO_PAGE_SIZE);
	EX_EQ(exo_page_alloc(0, m, EXO_PERM_R), 0); /* inside an mmap: replaced */
	ex_check_fill(m, 0);
	EX_EQ(exo_page_perm(m), EXO_PERM_R);
}

static void ro_write_child(void)
{
	ex_poke(EX_VA(1), 'w');
}

static volatile uint64_t ro_err;

static void ro_handler(struct exo_utrapframe *utf)
{
	ro_err = utf->utf_err;
	/* a read-only page cannot be mapped writable (-EACCES): copy it */
	if (exo_page_alloc(0, EX_VA(9), EX_RW) != 0)
		_exit(EX_CHILD_BAD);
	memcpy(EX_VA(9), EX_VA(1), EXO_PAGE_SIZE);
	if (exo_page_map(0, EX_VA(9), 0, EX_VA(1), EX_RW) != 0)
		_exit(EX_CHILD_BAD);
}

/* A page placed without W: a write is no kernel copy-on-write, it goes up. */
void ex_page_readonly_goes_up(void)
{
	ex_place(EX_VA(1), EXO_PERM_R, 'r');
	UT_CHECK_KILLED(ex_in_child(ro_write_child), SIGSEGV);
	set_pgfault_handler(ro_handler);
	ex_poke(EX_VA(1), 'w');
	EX_EQ(ro_err & (EXO_FEC_PR | EXO_FEC_WR), EXO_FEC_PR | EXO_FEC_WR);
	EX_EQ(ex_peek(EX_VA(1)), 'w');
	EX_EQ(ex_peek((char *)EX_VA(1) + 1), 'r'); /* the same page, made writable */
}

/* exo_page_map within the caller: two addresses, one frame. */
void ex_page_map_same_frame(void)
{
	ex_place(EX_VA(1), EX_RW, 0);
	EX_EQ(exo_page_map(0, EX_VA(1), 0, EX_VA(2), EX_RW), 0);
	ex_poke(EX_VA(1), 'a');
	EX_EQ(ex_peek(EX_VA(2)), 'a');
	ex_poke((char *)EX_VA(2) + 9, 'b');
	EX_EQ(ex_peek((char *)EX_VA(1) + 9), 'b');
	EX_EQ(exo_page_unmap(0, EX_VA(1)), 0); /* the other stays */
	EX_EQ(ex_peek((char *)EX_VA(2) + 9), 'b');
}

static char *un_region;

static void un_touch_middle(void)
{
	(void)ex_peek(un_region + EXO_PAGE_SIZE);
}

static void un_touch_placed(void)
{
	(void)ex_peek(EX_VA(1));
}

/* exo_page_unmap removes the page and that page of the mapping. */
void ex_page_unmap(void)
{
	ex_place(EX_VA(1), EX_RW, 'u');
	EX_EQ(exo_page_unmap(0, EX_VA(1)), 0);
	EX_EQ(exo_page_perm(EX_VA(1)), -ENOENT);
	EX_EQ(exo_page_unmap(0, EX_VA(1)), 0); /* nothing there */
	UT_CHECK_KILLED(ex_in_child(un_touch_placed), SIGSEGV);

	un_region = mmap(NULL, 3 * EXO_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_CHECK(un_region != MAP_FAILED);
	memset(un_region, 'm', 3 * EXO_PAGE_SIZE);
	EX_EQ(exo_page_unmap(0, un_region + EXO_PAGE_SIZE), 0);
	EX_EQ(exo_page_perm(un_region + EXO_PAGE_SIZE), -ENOENT);
	UT_CHECK_KILLED(ex_in_child(un_touch_middle), SIGSEGV); /* not demand-filled */
	EX_EQ(ex_peek(un_region), 'm');
	EX_EQ(ex_peek(un_region + 2 * EXO_PAGE_SIZE), 'm');
}

/*
 * A page fork(2) shares copy-on-write, mapped again with W by exo_page_map
 * or sent by IPC: the new mapping shares the caller's frame, never the
 * fork child's (the child keeps what it saw at fork).
 */
void ex_page_map_fork_shared(void)
{
	char *m = mmap(NULL, EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	int go[2], done[2];
	pid_t pid, rcv;
	char c;

	UT_CHECK(m != MAP_FAILED);
	memset(m, 'o', EXO_PAGE_SIZE);
	UT_OK(pipe(go));
	UT_OK(pipe(done));
	pid = utest_fork();
	if (pid == 0) {
		utest_read_all(go[0], &c, 1);
		ex_check_fill(m, 'o');
		_exit(EX_CHILD_OK);
	}
	rcv = utest_fork();
	if (rcv == 0) {
		struct exo_ipc_msg msg;

		EX_EQ(exo_ipc_recv(EX_VA(5), &msg), 0);
		EX_EQ(msg.perm, EX_RW);
		ex_poke(EX_VA(5), 'r');
		utest_write_all(done[1], "1", 1);
		_exit(EX_CHILD_OK);
	}
	close(go[0]);
	close(done[1]);
	EX_EQ(exo_page_map(0, m, 0, EX_VA(1), EX_RW), 0);
	memset(EX_VA(1), 'n', EXO_PAGE_SIZE);
	ex_check_fill(m, 'n'); /* one frame, ours */
	while (exo_ipc_try_send(rcv, 1, m, EX_RW) == -EAGAIN)
		sched_yield();
	utest_read_all(done[0], &c, 1);
	EX_EQ(ex_peek(m), 'r'); /* the receiver has our frame too */
	utest_write_all(go[1], "1", 1);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK); /* still all 'o' there */
	UT_CHECK_EXIT(utest_wait(rcv), EX_CHILD_OK);
}

/*
 * A fork(2) child spins on its page at EX_VA(1) (reading, or writing if
 * write); the parent unmaps it or makes it read-only from outside.  On
 * -smp 4 the child is running on another CPU: the change must reach that
 * CPU's TLB, so that the child's next access faults (SIGSEGV).
 */
static void ex_change_running(bool write)
{
	int ready[2];
	pid_t pid;
	char c;

	ex_place(EX_VA(1), EX_RW, 0);
	UT_OK(pipe(ready));
	pid = utest_fork();
	if (pid == 0) {
		ex_poke(EX_VA(1), 1); /* our own copy now, in our TLB */
		utest_write_all(ready[1], "r", 1);
		for (unsigned i = 0;; i++) {
			if (write)
				ex_poke(EX_VA(1), (uint8_t)i);
			else
				(void)ex_peek(EX_VA(1));
		}
	}
	close(ready[1]);
	utest_read_all(ready[0], &c, 1);
	if (write)
		EX_EQ(exo_page_map(pid, EX_VA(1), pid, EX_VA(1), EXO_PERM_R), 0);
	else
		EX_EQ(exo_page_unmap(pid, EX_VA(1)), 0);
	UT_CHECK_KILLED(utest_wait(pid), SIGSEGV);
}

/* exo_page_unmap of a page a running child reads: its next read faults. */
void ex_tlb_unmap_running(void)
{
	ex_change_running(false);
}

/* exo_page_map read-only over a page a running child writes: it faults. */
void ex_tlb_protect_running(void)
{
	ex_change_running(true);
}

/* exo_page_scan: the present pages in a range, in order, with perm. */
void ex_page_scan(void)
{
	struct exo_page_info pi[4];

	ex_place(EX_VA(1), EX_RW, 0);
	ex_place(EX_VA(3), EXO_PERM_R, 0);
	EX_EQ(exo_page_alloc(0, EX_VA(6), EX_RW | EXO_PERM_COW), 0);
	EX_EQ(exo_page_scan(EX_VA(0), EX_VA(8), pi, 4), 3);
	EX_EQ(pi[0].va, (uintptr_t)EX_VA(1));
	EX_EQ(pi[0].perm, EX_RW);
	EX_EQ(pi[1].va, (uintptr_t)EX_VA(3));
	EX_EQ(pi[1].perm, EXO_PERM_R);
	EX_EQ(pi[2].va, (uintptr_t)EX_VA(6));
	EX_EQ(pi[2].perm, EX_RW | EXO_PERM_COW);
	EX_EQ(exo_page_scan(EX_VA(2), EX_VA(8), pi, 1), 1);
	EX_EQ(pi[0].va, (uintptr_t)EX_VA(3));
	EX_EQ(exo_page_scan(EX_VA(4), EX_VA(6), pi, 4), 0);
	EX_EQ(exo_page_scan(EX_VA(0), EX_VA(8), pi, 0), 0);
	EX_EQ(exo_page_scan(EX_VA(0), EX_VA(8), (struct exo_page_info *)EX_BAD_KERNEL, 4), -EFAULT);
	EX_EQ(exo_page_scan(EX_VA(0), EX_VA(8), (struct exo_page_info *)EX_VA(20), 4), -EFAULT);
}

/* ----------------------------------------------------------- exo_fork */

static __thread volatile int ef_tls = 1;
static bool ef_gs_set; /* the GS base could be set */

static void ef_sigusr2(int sig)
{
	(void)sig;
}

/* Runs in the exo_fork child: what it must have inherited. */
static void ef_check_child(pid_t parent, unsigned long fsbase, int out)
{
	struct sigaction sa;
	unsigned long fs = 0;
	char cwd[64];

	EX_EQ(getppid(), parent);
	UT_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	if (strcmp(cwd, "/dev") != 0)
		utest_fail("cwd %s, want /dev", cwd);
	UT_OK(sigaction(SIGUSR1, NULL, &sa));
	UT_CHECK(sa.sa_handler == SIG_IGN);
	UT_OK(sigaction(SIGUSR2, NULL, &sa));
	UT_CHECK(sa.sa_handler == ef_sigusr2);
	UT_CHECK(sa.sa_flags & SA_RESTART);
	UT_OK(syscall(SYS_arch_prctl, EX_ARCH_GET_FS, &fs));
	EX_EQ(fs, fsbase);
	if (ef_gs_set) {
		UT_OK(syscall(SYS_arch_prctl, EX_ARCH_GET_GS, &fs));
		EX_EQ(fs, EX_GS_BASE);
	}
	EX_EQ(ef_tls, 5678);
	utest_write_all(out, "ok", 2);
	_exit(EX_CHILD_OK);
}

/* exo_fork's child: returns 0, same fds, cwd, signal dispositions, TLS. */
void ex_exofork_child_state(void)
{
	struct sigaction sa = { .sa_handler = ef_sigusr2, .sa_flags = SA_RESTART };
	unsigned long fsbase = 0;
	pid_t parent = getpid(), pid;
	char buf[2];
	int p[2];

	UT_OK(pipe(p));
	UT_OK(chdir("/dev"));
	UT_CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	UT_OK(sigaction(SIGUSR2, &sa, NULL));
	UT_OK(syscall(SYS_arch_prctl, EX_ARCH_GET_FS, &fsbase));
	ef_tls = 5678;
	/* Keel has no user GS base yet (-EINVAL): then GS is not checked */
	ef_gs_set = syscall(SYS_arch_prctl, EX_ARCH_SET_GS, EX_GS_BASE) == 0;
	pid = ex_dfork(0, 0, true);
	if (pid == 0)
		ef_check_child(parent, fsbase, p[1]);
	close(p[1]);
	utest_read_all(p[0], buf, 2);
	UT_CHECK(memcmp(buf, "ok", 2) == 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

static char ef_file_page[EXO_PAGE_SIZE] __attribute__((aligned(EXO_PAGE_SIZE))) = "from the file";

/*
 * No page present in the child until the parent maps one: a page left out
 * of the copy is demand-filled for the inherited mapping: zeroes in an
 * anonymous one, the executable's contents in its data segment.
 */
void ex_exofork_no_pages(void)
{
	char *m = mmap(NULL, 2 * EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	char *skip;
	pid_t pid;

	UT_CHECK(m != MAP_FAILED);
	skip = m + EXO_PAGE_SIZE;
	memset(m, 'a', 2 * EXO_PAGE_SIZE);
	EX_EQ(exo_page_perm(skip), EX_RW);
	strcpy(ef_file_page, "from the parent");
	pid = ex_dfork((uintptr_t)ef_file_page, (uintptr_t)ef_file_page + EXO_PAGE_SIZE, true);
	if (pid == 0) {
		EX_EQ(exo_page_perm(ef_file_page), -ENOENT);
		if (strcmp(ef_file_page, "from the file") != 0)
			utest_fail("child's data page: \"%.40s\", want the file's", ef_file_page);
		ex_check_fill(skip, 'a');
		_exit(EX_CHILD_OK);
	}
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	pid = ex_dfork((uintptr_t)skip, (uintptr_t)skip + EXO_PAGE_SIZE, true);
	if (pid == 0) {
		EX_EQ(exo_page_perm(skip), -ENOENT);
		ex_check_fill(m, 'a');
		ex_check_fill(skip, 0);
		EX_EQ(exo_page_perm(skip), EX_RW);
		skip[0] = 'c';
		_exit(EX_CHILD_OK);
	}
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	ex_check_fill(skip, 'a');
}

/* Is pid gone or a zombie?  (/proc/PID/stat's state is after the ')'.) */
static bool ex_dead(pid_t pid)
{
	char path[64], buf[256], *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

static void ex_wait_dead(pid_t pid)
{
	for (int i = 0; i < EX_GONE_TRIES; i++) {
		if (ex_dead(pid))
			return;
		sched_yield();
	}
	utest_fail("exo_fork child %d outlived its parent", (int)pid);
}

/* A child never made runnable dies with its parent (exit or kill). */
void ex_exofork_dies_with_parent(void)
{
	for (int killed = 0; killed < 2; killed++) {
		int p[2], hold[2];
		pid_t mid, c;
		char x;

		UT_OK(pipe(p));
		UT_OK(pipe(hold));
		mid = utest_fork();
		if (mid == 0) {
			c = ex_idle_child();
			utest_write_all(p[1], &c, sizeof(c));
			utest_read_all(hold[0], &x, 1); /* until told (or killed) */
			_exit(EX_CHILD_OK);
		}
		close(p[1]);
		utest_read_all(p[0], &c, sizeof(c));
		UT_CHECK(!ex_dead(c));
		if (killed) {
			UT_OK(kill(mid, SIGKILL));
			UT_CHECK_KILLED(utest_wait(mid), SIGKILL);
		} else {
			utest_write_all(hold[1], "x", 1);
			UT_CHECK_EXIT(utest_wait(mid), EX_CHILD_OK);
		}
		ex_wait_dead(c);
		close(p[0]);
		close(hold[0]);
		close(hold[1]);
	}
}

/* A half-built child (some pages placed, never run) can be killed. */
void ex_exofork_kill_halfbuilt(void)
{
	pid_t c = ex_idle_child();

	ex_place(EX_VA(1), EX_RW, 'h');
	EX_EQ(exo_page_alloc(c, EX_VA(2), EX_RW), 0);
	EX_EQ(exo_page_map(0, EX_VA(1), c, EX_VA(3), EX_RW), 0);
	EX_EQ(exo_set_status(c, EXO_NOT_RUNNABLE), 0);
	ex_kill_idle(c);
	EX_EQ(exo_page_alloc(c, EX_VA(2), EX_RW), -ESRCH);
	ex_check_fill(EX_VA(1), 'h'); /* our page, once shared, is intact */
	ex_poke(EX_VA(1), 'i');
	EX_EQ(ex_peek(EX_VA(1)), 'i');
}

/* ---------------------------------------------------- upcall inheritance */

static volatile int uc_count;

static void uc_handler(struct exo_utrapframe *utf)
{
	uc_count++;
	if (exo_page_alloc(0, (void *)(utf->utf_fault_va & ~(EXO_PAGE_SIZE - 1)), EX_RW) != 0)
		_exit(EX_CHILD_BAD);
}

static void uc_fault_child(void)
{
	ex_poke(EX_VA(2), 'c');
	EX_EQ(uc_count, 2);
	EX_EQ(ex_peek(EX_VA(2)), 'c');
}

/* fork(2)'s child keeps the upcall and its exception stack. */
void ex_upcall_inherit_fork(void)
{
	set_pgfault_handler(uc_handler);
	ex_poke(EX_VA(1), 'p');
	EX_EQ(uc_count, 1);
	UT_CHECK_EXIT(ex_in_child(uc_fault_child), EX_CHILD_OK);
	EX_EQ(uc_count, 1);
	EX_EQ(exo_page_perm(EX_VA(2)), -ENOENT);
}

/* exo_fork's child keeps them too. */
void ex_upcall_inherit_exofork(void)
{
	pid_t pid;

	set_pgfault_handler(uc_handler);
	ex_poke(EX_VA(1), 'p');
	EX_EQ(uc_count, 1);
	pid = ex_dfork(0, 0, true);
	if (pid == 0) {
		uc_fault_child();
		_exit(EX_CHILD_OK);
	}
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	EX_EQ(uc_count, 1);
}

/* Where upcall_cleared_exec's exception stack is, in both images. */
#define UX_XSTACK (EX_BASE + 0x400000ul)

extern void ex_entry_exit_handled(void); /* exo_jos.c: exits EX_CHILD_HANDLED */

/*
 * The exec'd side: map the exception stack where the old image had it (a
 * kept upcall would then be delivered to ex_entry_exit_handled, which is
 * at the same address in this same binary, and exit EX_CHILD_HANDLED),
 * then fault: with the upcall cleared, that is SIGSEGV.
 */
int ex_exec_helper(int argc, char **argv)
{
	void *xs;

	if (argc < 3 || strtoul(argv[2], NULL, 16) != (unsigned long)ex_entry_exit_handled)
		return EX_CHILD_BAD; /* not the same image: the check would mean nothing */
	xs = mmap((void *)UX_XSTACK, EXO_XSTACK_SIZE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (xs == MAP_FAILED)
		return EX_CHILD_BAD;
	ex_poke(NULL, 0);
	return EX_CHILD_BAD;
}

static void ux_child(void)
{
	char entry[32];
	char *argv[] = { (char *)ex_argv0, EX_EXEC_HELPER, entry, NULL };
	char *envp[] = { NULL };
	void *xs = mmap((void *)UX_XSTACK, EXO_XSTACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	UT_CHECK(xs != MAP_FAILED);
	ex_place(EX_VA(1), EX_RW, 'e'); /* execve frees placed pages too */
	snprintf(entry, sizeof(entry), "%lx", (unsigned long)ex_entry_exit_handled);
	EX_EQ(exo_set_pgfault_upcall(0, ex_entry_exit_handled, (char *)xs + EXO_XSTACK_SIZE), 0);
	execve(ex_argv0, argv, envp);
	utest_fail("execve %s: %s", ex_argv0, strerror(errno));
}

/* execve clears the upcall: a fault in the new image is SIGSEGV. */
void ex_upcall_cleared_exec(void)
{
	UT_CHECK_KILLED(ex_in_child(ux_child), SIGSEGV);
}

static void un_nohandler_child(void)
{
	EX_EQ(exo_set_pgfault_upcall(0, ex_entry_exit_handled, (char *)EX_VA(0) + EXO_XSTACK_SIZE),
	      0);
	EX_EQ(exo_set_pgfault_upcall(0, NULL, NULL), 0); /* removed again */
	ex_poke(EX_VA(1), 0);
}

/*
 * The parent installs the upcall of its exo_fork child (as JOS's fork
 * does): the child's fault goes to that entry, on the stack given; the
 * parent's own faults do not.
 */
void ex_upcall_set_for_child(void)
{
	char *xs = mmap(NULL, EXO_XSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	pid_t pid;

	UT_CHECK(xs != MAP_FAILED);
	pid = ex_dfork(0, 0, false);
	if (pid == 0) {
		ex_poke(EX_VA(1), 0);
		_exit(EX_CHILD_BAD);
	}
	EX_EQ(exo_set_pgfault_upcall(pid, ex_entry_exit_handled, xs + EXO_XSTACK_SIZE), 0);
	EX_EQ(exo_set_status(pid, EXO_RUNNABLE), 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_HANDLED);
	UT_CHECK_KILLED(ex_in_child(un_touch_placed), SIGSEGV);
}

#define KF_STACK_GROWTH (256 * 1024)

/* Touch every page of a big stack array: the stack grows. */
static __attribute__((noinline)) int kf_grow_stack(void)
{
	volatile char big[KF_STACK_GROWTH];

	for (size_t i = 0; i < sizeof(big); i += EXO_PAGE_SIZE)
		big[i] = 1;
	return big[0];
}

static void kf_child(void)
{
	cw_global = 9; /* fork(2)'s copy-on-write, the kernel's */
	EX_EQ(uc_count, 0);
}

/*
 * Faults the kernel resolves stay there: demand-zero, fork(2)'s
 * copy-on-write, stack growth, a file mapping's first touch.
 */
void ex_upcall_kernel_faults_stay(void)
{
	char *m = mmap(NULL, 4 * EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	int fd = open(ex_argv0, O_RDONLY | O_CLOEXEC);
	char *f;

	UT_CHECK(m != MAP_FAILED && fd >= 0);
	f = mmap(NULL, EXO_PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	UT_CHECK(f != MAP_FAILED);
	set_pgfault_handler(uc_handler);
	m[0] = 1;
	(void)ex_peek(m + EXO_PAGE_SIZE);
	m[EXO_PAGE_SIZE] = 1;
	EX_EQ(kf_grow_stack(), 1);
	EX_EQ(memcmp(f, "\177ELF", 4), 0);
	EX_EQ(uc_count, 0);
	cw_global = 8;
	UT_CHECK_EXIT(ex_in_child(kf_child), EX_CHILD_OK);
	EX_EQ(cw_global, 8);
	EX_EQ(uc_count, 0);
	close(fd);
}

static void *ut_thread(void *arg)
{
	(void)arg;
	ex_poke(EX_VA(3), 't');
	return NULL;
}

/* A fault in a second thread goes to the process's handler too. */
void ex_upcall_thread(void)
{
	pthread_t t;

	set_pgfault_handler(uc_handler);
	EX_EQ(pthread_create(&t, NULL, ut_thread, NULL), 0);
	EX_EQ(pthread_join(t, NULL), 0);
	EX_EQ(uc_count, 1);
	EX_EQ(ex_peek(EX_VA(3)), 't');
}

/* No upcall (never set, or removed): a fault is SIGSEGV. */
void ex_upcall_none_segv(void)
{
	UT_CHECK_KILLED(ex_in_child(un_touch_placed), SIGSEGV);
	UT_CHECK_KILLED(ex_in_child(un_nohandler_child), SIGSEGV);
}

/* ------------------------------------------------------------ exo_cowfork */

static volatile char cw_bss[5000];

/* Parent and child see their own memory after writes: globals, bss,
 * heap, stack, an mmap'd region. */
void ex_cowfork_independent(void)
{
	volatile int local = 10;
	char *heap = malloc(100);
	char *m = mmap(NULL, EXO_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	int down[2], up[2];
	pid_t pid, parent = getpid();
	char c;

	UT_CHECK(heap && m != MAP_FAILED);
	strcpy(heap, "heap");
	m[0] = 'm';
	cw_bss[4999] = 'b';
	UT_OK(pipe(down));
	UT_OK(pipe(up));
	pid = exo_cowfork();
	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	if (pid == 0) {
		EX_EQ(getppid(), parent);
		EX_EQ(cw_global, 1);
		EX_EQ(local, 10);
		UT_CHECK(strcmp(heap, "heap") == 0 && m[0] == 'm' && cw_bss[4999] == 'b');
		cw_global = 2;
		local = 20;
		strcpy(heap, "HEAP");
		m[0] = 'M';
		cw_bss[4999] = 'B';
		utest_write_all(up[1], "1", 1);
		utest_read_all(down[0], &c, 1);
		EX_EQ(cw_global, 2);
		EX_EQ(local, 20);
		UT_CHECK(strcmp(heap, "HEAP") == 0 && m[0] == 'M' && cw_bss[4999] == 'B');
		_exit(EX_CHILD_OK);
	}
	close(up[1]);
	close(down[0]);
	utest_read_all(up[0], &c, 1);
	EX_EQ(cw_global, 1);
	EX_EQ(local, 10);
	UT_CHECK(strcmp(heap, "heap") == 0 && m[0] == 'm' && cw_bss[4999] == 'b');
	cw_global = 3;
	local = 30;
	strcpy(heap, "h3");
	m[0] = '3';
	cw_bss[4999] = '3';
	utest_write_all(down[1], "1", 1);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	EX_EQ(cw_global, 3);
	EX_EQ(local, 30);
	UT_CHECK(strcmp(heap, "h3") == 0 && m[0] == '3' && cw_bss[4999] == '3');
}

/* The program's handler still gets the faults that are not copy-on-write
 * (also the counter write inside it, a nested copy-on-write fault). */
void ex_cowfork_user_handler(void)
{
	pid_t pid;

	set_pgfault_handler(uc_handler);
	pid = exo_cowfork();
	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	ex_poke(EX_VA(pid == 0 ? 2 : 1), 'x');
	EX_EQ(uc_count, 1);
	cw_global = 7; /* copy-on-write: not the handler's */
	EX_EQ(uc_count, 1);
	if (pid == 0) {
		EX_EQ(exo_page_perm(EX_VA(1)), -ENOENT);
		_exit(EX_CHILD_OK);
	}
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	EX_EQ(exo_page_perm(EX_VA(2)), -ENOENT);
	EX_EQ(ex_peek(EX_VA(1)), 'x');
}

/* With no handler of the program's, a fault that is not copy-on-write
 * kills with SIGSEGV, in the child and in the parent. */
void ex_cowfork_nohandler_segv(void)
{
	pid_t pid = exo_cowfork();

	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	if (pid == 0) {
		cw_global = 5; /* copy-on-write still works */
		if (cw_global != 5)
			_exit(EX_CHILD_BAD);
		ex_poke(EX_VA(1), 0);
		_exit(EX_CHILD_BAD);
	}
	UT_CHECK_KILLED(utest_wait(pid), SIGSEGV);
	cw_global = 6;
	UT_CHECK_KILLED(ex_in_child(un_touch_placed), SIGSEGV);
}

static char rd_buf[EXO_PAGE_SIZE] __attribute__((aligned(EXO_PAGE_SIZE))) = { 'd' };
/* A page of its own: nothing else is written there after exo_cowfork. */
static union {
	struct exo_ipc_msg m;
	char page[EXO_PAGE_SIZE];
} rd_msgpg __attribute__((aligned(EXO_PAGE_SIZE)));
#define rd_msg   (rd_msgpg.m)
#define RD_VALUE 77

/*
 * A kernel write into a page exo_cowfork made copy-on-write is -EFAULT
 * (read(2), exo_ipc_recv); exo_make_writable fixes the buffer first.
 */
void ex_cowfork_read_efault(void)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	pid_t pid, parent = getpid();
	int perm;

	UT_CHECK(fd >= 0);
	rd_msg.value = 1;
	rd_buf[1] = 'e';
	pid = exo_cowfork();
	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	if (pid == 0) {
		/* offer a message until killed */
		for (;;) {
			exo_ipc_try_send(parent, RD_VALUE, EXO_NO_PAGE, 0);
			sched_yield();
		}
	}
	perm = exo_page_perm(rd_buf);
	EX_EQ(perm & (EXO_PERM_W | EXO_PERM_COW), EXO_PERM_COW);
	UT_CHECK_ERR(syscall(SYS_read, fd, rd_buf, 16), EFAULT);
	EX_EQ(exo_page_perm(rd_buf), perm);
	EX_EQ(exo_make_writable(rd_buf, 16), 0);
	EX_EQ(exo_page_perm(rd_buf) & (EXO_PERM_W | EXO_PERM_COW), EXO_PERM_W);
	EX_EQ(rd_buf[0], 'd'); /* the copy has the contents */
	EX_EQ(syscall(SYS_read, fd, rd_buf, 16), 16);
	EX_EQ(rd_buf[0], 0);

	EX_EQ(exo_page_perm(&rd_msg) & (EXO_PERM_W | EXO_PERM_COW), EXO_PERM_COW);
	EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &rd_msg), -EFAULT);
	EX_EQ(exo_make_writable(&rd_msg, sizeof(rd_msg)), 0);
	EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &rd_msg), 0);
	EX_EQ(rd_msg.value, RD_VALUE);
	EX_EQ(rd_msg.from, pid);
	EX_EQ(rd_msg.perm, 0);
	ex_kill_idle(pid);
	close(fd);
}

/* ----------------------------------------------------------------- IPC */

/* Send until the receiver takes it: the result of the send that did. */
static int ex_send(pid_t to, uint64_t value, const void *pg, int perm)
{
	int r;

	while ((r = exo_ipc_try_send(to, value, pg, perm)) == -EAGAIN)
		sched_yield();
	return r;
}

/* -EAGAIN to a process not in exo_ipc_recv, the caller included. */
void ex_ipc_eagain(void)
{
	struct exo_ipc_msg msg;
	int p[2];
	pid_t pid;
	char c;

	EX_EQ(exo_ipc_try_send(getpid(), 1, EXO_NO_PAGE, 0), -EAGAIN);
	EX_EQ(exo_ipc_try_send(0, 1, EXO_NO_PAGE, 0), -EAGAIN);
	UT_OK(pipe(p));
	pid = utest_fork();
	if (pid == 0) {
		utest_read_all(p[0], &c, 1); /* blocked, but not in exo_ipc_recv */
		EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &msg), 0);
		EX_EQ(msg.value, 9);
		_exit(EX_CHILD_OK);
	}
	for (int i = 0; i < 100; i++) {
		EX_EQ(exo_ipc_try_send(pid, 1, EXO_NO_PAGE, 0), -EAGAIN);
		sched_yield();
	}
	utest_write_all(p[1], "g", 1);
	EX_EQ(ex_send(pid, 9, EXO_NO_PAGE, 0), 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* A page sent is shared: the same frame, writes seen both ways. */
void ex_ipc_page_shared(void)
{
	struct exo_ipc_msg msg;
	int down[2], up[2];
	pid_t pid, parent = getpid();
	char c;

	UT_OK(pipe(down));
	UT_OK(pipe(up));
	pid = utest_fork();
	if (pid == 0) {
		char *pg = EX_VA(10);

		EX_EQ(exo_ipc_recv(pg, &msg), 0);
		EX_EQ(msg.from, parent);
		EX_EQ(msg.value, 5);
		EX_EQ(msg.perm, EX_RW);
		EX_EQ(exo_page_perm(pg), EX_RW);
		UT_CHECK(strcmp(pg, "hello") == 0);
		strcpy(pg + 100, "child");
		utest_write_all(up[1], "1", 1);
		utest_read_all(down[0], &c, 1);
		UT_CHECK(strcmp(pg + 200, "parent") == 0);
		_exit(EX_CHILD_OK);
	}
	ex_place(EX_VA(1), EX_RW, 0);
	strcpy(EX_VA(1), "hello");
	EX_EQ(ex_send(pid, 5, EX_VA(1), EX_RW), 0);
	EX_EQ(exo_page_perm(EX_VA(1)), EX_RW);
	close(up[1]);
	close(down[0]);
	utest_read_all(up[0], &c, 1);
	UT_CHECK(strcmp((char *)EX_VA(1) + 100, "child") == 0);
	strcpy((char *)EX_VA(1) + 200, "parent");
	utest_write_all(down[1], "1", 1);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* EXO_NO_PAGE: none sent (msg.perm 0, the receiver's page untouched), or
 * none accepted (a page sent is not mapped). */
void ex_ipc_no_page(void)
{
	struct exo_ipc_msg msg;
	pid_t pid, parent = getpid();

	pid = utest_fork();
	if (pid == 0) {
		ex_place(EX_VA(10), EX_RW, 'k');
		EX_EQ(exo_ipc_recv(EX_VA(10), &msg), 0);
		EX_EQ(msg.from, parent);
		EX_EQ(msg.value, 1);
		EX_EQ(msg.perm, 0);
		ex_check_fill(EX_VA(10), 'k');
		EX_EQ(exo_page_perm(EX_VA(10)), EX_RW);
		EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &msg), 0);
		EX_EQ(msg.value, 2);
		EX_EQ(msg.perm, 0);
		EX_EQ(exo_page_perm(EX_VA(1)), -ENOENT); /* nothing mapped */
		_exit(EX_CHILD_OK);
	}
	ex_place(EX_VA(1), EX_RW, 's');
	EX_EQ(ex_send(pid, 1, EXO_NO_PAGE, 0), 0);
	EX_EQ(ex_send(pid, 2, EX_VA(1), EX_RW), 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	ex_check_fill(EX_VA(1), 's');
	EX_EQ(exo_page_perm(EX_VA(1)), EX_RW);
}

/* Any process may send to any other: sibling to sibling, child to parent. */
void ex_ipc_any_process(void)
{
	struct exo_ipc_msg msg;
	pid_t b, a, parent = getpid();

	b = utest_fork();
	if (b == 0) {
		EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &msg), 0);
		EX_EQ(msg.value, 31);
		EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &msg), 0);
		EX_EQ(msg.from, parent);
		EX_EQ(msg.value, 32);
		_exit(EX_CHILD_OK);
	}
	a = utest_fork();
	if (a == 0) {
		EX_EQ(ex_send(b, 31, EXO_NO_PAGE, 0), 0);
		EX_EQ(ex_send(parent, 33, EXO_NO_PAGE, 0), 0);
		_exit(EX_CHILD_OK);
	}
	EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &msg), 0);
	EX_EQ(msg.from, a);
	EX_EQ(msg.value, 33);
	EX_EQ(ex_send(b, 32, EXO_NO_PAGE, 0), 0);
	UT_CHECK_EXIT(utest_wait(a), EX_CHILD_OK);
	UT_CHECK_EXIT(utest_wait(b), EX_CHILD_OK);
}

static void ir_touch_received(void)
{
	ex_poke(EX_VA(10), 'w');
}

/* A page sent read-only arrives read-only; W of a read-only page: -EACCES. */
void ex_ipc_page_readonly(void)
{
	struct exo_ipc_msg msg;
	pid_t pid = utest_fork();

	if (pid == 0) {
		EX_EQ(exo_ipc_recv(EX_VA(10), &msg), 0);
		EX_EQ(msg.perm, EXO_PERM_R);
		EX_EQ(exo_page_perm(EX_VA(10)), EXO_PERM_R);
		ex_check_fill(EX_VA(10), 'r');
		UT_CHECK_KILLED(ex_in_child(ir_touch_received), SIGSEGV);
		_exit(EX_CHILD_OK);
	}
	ex_place(EX_VA(1), EX_RW, 'r');
	ex_place(EX_VA(2), EXO_PERM_R, 'o');
	EX_EQ(exo_ipc_try_send(pid, 1, EX_VA(2), EX_RW), -EACCES);
	EX_EQ(exo_ipc_try_send(pid, 1, EX_VA(1) + 1, EX_RW), -EINVAL);
	EX_EQ(ex_send(pid, 1, EX_VA(1), EXO_PERM_R), 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
	EX_EQ(exo_page_perm(EX_VA(1)), EX_RW);
}

static void ie_sigusr1(int sig)
{
	(void)sig;
}

/* Is pid asleep (state S in /proc/PID/stat)? */
static bool ex_sleeping(pid_t pid)
{
	char path[64], buf[256], *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[2] == 'S';
}

/* A signal ends exo_ipc_recv with -EINTR; the next message still comes. */
void ex_ipc_recv_eintr(void)
{
	struct sigaction sa = { .sa_handler = ie_sigusr1 }; /* no SA_RESTART */
	struct exo_ipc_msg msg;
	int p[2], r;
	pid_t pid;

	UT_OK(sigaction(SIGUSR1, &sa, NULL));
	UT_OK(pipe(p));
	pid = utest_fork();
	if (pid == 0) {
		r = exo_ipc_recv(EXO_NO_PAGE, &msg);
		utest_write_all(p[1], &r, sizeof(r));
		EX_EQ(exo_ipc_recv(EXO_NO_PAGE, &msg), 0);
		EX_EQ(msg.value, 3);
		_exit(EX_CHILD_OK);
	}
	close(p[1]);
	for (int i = 0; !ex_sleeping(pid); i++) {
		if (i == EX_GONE_TRIES)
			utest_fail("the child never slept in exo_ipc_recv");
		sched_yield();
	}
	UT_OK(kill(pid, SIGUSR1));
	utest_read_all(p[0], &r, sizeof(r)); /* no message sent before this */
	EX_EQ(r, -EINTR);
	EX_EQ(ex_send(pid, 3, EXO_NO_PAGE, 0), 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

static struct exo_ipc_msg *rb_msg;
static void *rb_pg;
static int rb_want;

static void rb_child(void)
{
	int r = exo_ipc_recv(rb_pg, rb_msg);

	if (r != rb_want)
		utest_fail("exo_ipc_recv(%p, %p) = %d, want %d", rb_pg, (void *)rb_msg, r, rb_want);
}

/* Offer messages to pid until it exits; its wait status. */
static int rb_offer_until_exit(pid_t pid)
{
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			utest_fail("waitpid: %s", strerror(errno));
		exo_ipc_try_send(pid, 1, EX_VA(1), EX_RW);
		sched_yield();
	}
}

/*
 * exo_ipc_recv with a bad message pointer or page address fails (-EFAULT,
 * -EINVAL), whether the kernel finds out on entry or at delivery; the
 * receiver's side does not change (in a child, offered messages all along).
 */
void ex_ipc_recv_bad_args(void)
{
	struct exo_ipc_msg msg;
	struct {
		void *pg;
		struct exo_ipc_msg *msg;
		int want;
	} cases[] = {
		{ EXO_NO_PAGE, EX_BAD_KERNEL, -EFAULT },
		{ EXO_NO_PAGE, NULL, -EFAULT },
		{ EXO_NO_PAGE, (struct exo_ipc_msg *)EX_VA(20), -EFAULT },
		{ (char *)EX_VA(10) + 1, &msg, -EINVAL },
		{ EX_BAD_KERNEL, &msg, -EINVAL },
	};

	ex_place(EX_VA(1), EX_RW, 's');
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid;

		rb_pg = cases[i].pg;
		rb_msg = cases[i].msg;
		rb_want = cases[i].want;
		pid = utest_fork();
		if (pid == 0) {
			rb_child();
			_exit(EX_CHILD_OK);
		}
		UT_CHECK_EXIT(rb_offer_until_exit(pid), EX_CHILD_OK);
	}
	ex_check_fill(EX_VA(1), 's');
	EX_EQ(exo_page_perm(EX_VA(1)), EX_RW);
}

/* ------------------------------------------- the pages as ordinary memory */

/* munmap removes placed pages like any other. */
void ex_pages_munmap(void)
{
	ex_place(EX_VA(1), EX_RW, 'a');
	EX_EQ(exo_page_map(0, EX_VA(1), 0, EX_VA(2), EX_RW), 0);
	UT_OK(munmap(EX_VA(2), EXO_PAGE_SIZE));
	EX_EQ(exo_page_perm(EX_VA(2)), -ENOENT);
	ex_check_fill(EX_VA(1), 'a');
	UT_OK(munmap(EX_VA(1), EXO_PAGE_SIZE));
	EX_EQ(exo_page_perm(EX_VA(1)), -ENOENT);
	UT_CHECK_KILLED(ex_in_child(un_touch_placed), SIGSEGV);
}

static void pf_child(void)
{
	ex_check_fill(EX_VA(1), 'f');
	EX_EQ(exo_page_perm(EX_VA(1)), EX_RW);
	EX_EQ(exo_page_perm(EX_VA(2)), EXO_PERM_R);
	ex_check_fill(EX_VA(2), 'r');
	memset(EX_VA(1), 'c', EXO_PAGE_SIZE);
}

/* fork(2) copies placed pages (privately) and keeps their protection. */
void ex_pages_fork(void)
{
	ex_place(EX_VA(1), EX_RW, 'f');
	ex_place(EX_VA(2), EXO_PERM_R, 'r');
	UT_CHECK_EXIT(ex_in_child(pf_child), EX_CHILD_OK);
	ex_check_fill(EX_VA(1), 'f');
}

/* Does /proc/self/maps have a line starting with prefix? */
static bool ex_maps_has(const char *prefix)
{
	static char buf[EX_MAPS_MAX];
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		utest_fail("open /proc/self/maps: %s", strerror(errno));
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');

		if (strncmp(line, prefix, strlen(prefix)) == 0)
			return true;
		if (!nl)
			break;
		line = nl + 1;
	}
	return false;
}

/* /proc/self/maps shows placed pages with their protection. */
void ex_pages_proc_maps(void)
{
	ex_place(EX_VA(1), EX_RW, 0);
	ex_place(EX_VA(3), EXO_PERM_R, 0);
	UT_CHECK(ex_maps_has("600000001000-600000002000 rw-"));
	UT_CHECK(ex_maps_has("600000003000-600000004000 r--"));
	EX_EQ(exo_page_unmap(0, EX_VA(1)), 0);
	UT_CHECK(!ex_maps_has("600000001000-"));
	UT_CHECK(ex_maps_has("600000003000-600000004000 r--"));

	/* a page placed inside an mmap: that page's protection only */
	UT_CHECK(mmap(EX_VA(10), 3 * EXO_PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == EX_VA(10));
	memset(EX_VA(10), 1, 3 * EXO_PAGE_SIZE);
	EX_EQ(exo_page_alloc(0, EX_VA(11), EXO_PERM_R), 0);
	UT_CHECK(ex_maps_has("60000000a000-60000000b000 rw-"));
	UT_CHECK(ex_maps_has("60000000b000-60000000c000 r--"));
	UT_CHECK(ex_maps_has("60000000c000-60000000d000 rw-"));
}

/* -------------------------------------------------------------- cleanup */

#define LK_PAGES 16

static void lk_page_alloc_round(void)
{
	for (int i = 0; i < LK_PAGES; i++) {
		EX_EQ(exo_page_alloc(0, EX_VA(i), EX_RW), 0);
		ex_poke(EX_VA(i), 1);
		EX_EQ(exo_page_map(0, EX_VA(i), 0, EX_VA(LK_PAGES + i), EXO_PERM_R), 0);
	}
	for (int i = 0; i < 2 * LK_PAGES; i++)
		EX_EQ(exo_page_unmap(0, EX_VA(i)), 0);
}

/* Pages placed and unmapped come back. */
void ex_leak_page_alloc(void)
{
	ex_check_no_leak(lk_page_alloc_round);
}

static void lk_halfbuilt_round(void)
{
	pid_t c = ex_idle_child();

	for (int i = 0; i < LK_PAGES; i++)
		EX_EQ(exo_page_alloc(c, EX_VA(i), EX_RW), 0);
	ex_kill_idle(c);
}

/* Children killed half-built give everything back. */
void ex_leak_exofork_halfbuilt(void)
{
	ex_check_no_leak(lk_halfbuilt_round);
}

static void lk_dumbfork_round(void)
{
	pid_t pid = ex_dfork(0, 0, true);

	if (pid == 0)
		_exit(EX_CHILD_OK);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* A child built page by page, run and exited, gives everything back. */
void ex_leak_dumbfork(void)
{
	ex_check_no_leak(lk_dumbfork_round);
}

static void lk_cowfork_round(void)
{
	pid_t pid = exo_cowfork();

	if (pid < 0)
		utest_fail("exo_cowfork: %d", (int)pid);
	if (pid == 0) {
		cw_global++;
		_exit(EX_CHILD_OK);
	}
	cw_global++;
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* exo_cowfork + exit + wait gives everything back. */
void ex_leak_cowfork(void)
{
	ex_check_no_leak(lk_cowfork_round);
}

static void lk_ipc_round(void)
{
	struct exo_ipc_msg msg;
	pid_t pid = utest_fork();

	if (pid == 0) {
		if (exo_ipc_recv(EX_VA(10), &msg) != 0)
			_exit(EX_CHILD_BAD);
		_exit(EX_CHILD_OK);
	}
	EX_EQ(exo_page_alloc(0, EX_VA(1), EX_RW), 0);
	EX_EQ(ex_send(pid, 1, EX_VA(1), EX_RW), 0);
	EX_EQ(exo_page_unmap(0, EX_VA(1)), 0);
	UT_CHECK_EXIT(utest_wait(pid), EX_CHILD_OK);
}

/* Pages passed by IPC come back once both sides are done. */
void ex_leak_ipc_page(void)
{
	ex_check_no_leak(lk_ipc_round);
}

/*
 * exotests.h - the harness shared by the files of /bin/exotests, the test
 * suite of Keel's exokernel interface (<keel/exo.h>, libkeel.a).
 *
 *   exo_jos.c     the MIT JOS lab 4 grading programs rewritten for Keel
 *   exo_calls.c   the calls' contract: errors, permissions, exo_fork's
 *                 child, upcall inheritance, copy-on-write, IPC, how the
 *                 pages look to munmap, fork, /proc/self/maps, and cleanup
 *   exotests.c    main(), the table, and the helpers below
 *
 * Same rules as usertests (usertests.h): one child process per test, no
 * stdio (utest_print), children waited for by pid, no timing assumptions
 * (sched_yield loops and pipes, never sleeps), every test also on -smp 1.
 * A page a test places itself goes at EX_VA(i): nothing else in the
 * process maps that range.
 */
#ifndef EXOTESTS_H
#define EXOTESTS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <keel/exo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "utest.h"

/* The tests: X(name) for each; the function is ex_<name>. */
#define EX_TESTS(X)                  \
	X(dumbfork)                  \
	X(faultread)                 \
	X(faultwrite)                \
	X(faultdie)                  \
	X(faultregs)                 \
	X(faultalloc)                \
	X(faultallocbad)             \
	X(faultnostack)              \
	X(faultbadhandler)           \
	X(faultevilhandler)          \
	X(faultnest_overflow)        \
	X(forktree)                  \
	X(spin)                      \
	X(stresssched)               \
	X(sendpage)                  \
	X(pingpong)                  \
	X(primes)                    \
	X(seed_map_two_children)     \
	X(perm_not_child)            \
	X(perm_other_user)           \
	X(perm_no_such_pid)          \
	X(perm_einval)               \
	X(perm_efault_eacces)        \
	X(pageperm_basic)            \
	X(pageperm_fork_cow)         \
	X(pageperm_kept_bits)        \
	X(page_alloc_zero_replace)   \
	X(page_readonly_goes_up)     \
	X(page_map_same_frame)       \
	X(page_unmap)                \
	X(page_map_fork_shared)      \
	X(page_scan)                 \
	X(tlb_unmap_running)         \
	X(tlb_protect_running)       \
	X(exofork_child_state)       \
	X(exofork_no_pages)          \
	X(exofork_dies_with_parent)  \
	X(exofork_kill_halfbuilt)    \
	X(upcall_inherit_fork)       \
	X(upcall_inherit_exofork)    \
	X(upcall_cleared_exec)       \
	X(upcall_none_segv)          \
	X(upcall_set_for_child)      \
	X(upcall_kernel_faults_stay) \
	X(upcall_thread)             \
	X(cowfork_independent)       \
	X(cowfork_user_handler)      \
	X(cowfork_nohandler_segv)    \
	X(cowfork_read_efault)       \
	X(ipc_eagain)                \
	X(ipc_page_shared)           \
	X(ipc_no_page)               \
	X(ipc_any_process)           \
	X(ipc_page_readonly)         \
	X(ipc_recv_eintr)            \
	X(ipc_recv_bad_args)         \
	X(pages_munmap)              \
	X(pages_fork)                \
	X(pages_proc_maps)           \
	X(leak_page_alloc)           \
	X(leak_exofork_halfbuilt)    \
	X(leak_dumbfork)             \
	X(leak_cowfork)              \
	X(leak_ipc_page)

#define EX_DECLARE(name) void ex_##name(void);
EX_TESTS(EX_DECLARE)
#undef EX_DECLARE

/* Where tests place their own pages: a range nothing else maps. */
#define EX_BASE          0x600000000000ul
#define EX_VA(i)         ((void *)(EX_BASE + (unsigned long)(i)*EXO_PAGE_SIZE))
/* Scratch page of ex_dfork(), high above the tests' pages. */
#define EX_TMP           ((void *)(EX_BASE + 0x10000000ul))
#define EX_RW            (EXO_PERM_R | EXO_PERM_W)
#define EX_PERM_RWX      (EXO_PERM_R | EXO_PERM_W | EXO_PERM_X)
/* Exit codes of helper children (anything else is a failure). */
#define EX_CHILD_OK      0
#define EX_CHILD_HANDLED 42 /* a fault went to the handler */
#define EX_CHILD_BAD     99 /* a check in a child failed */

/* expr must equal want (both as long). */
#define EX_EQ(expr, want)                                                                        \
	do {                                                                                     \
		long ex_a_ = (long)(expr), ex_w_ = (long)(want);                                 \
		if (ex_a_ != ex_w_)                                                              \
			utest_fail("line %d: %s = %ld (%#lx), want %ld (%#lx)", __LINE__, #expr, \
				   ex_a_, ex_a_, ex_w_, ex_w_);                                  \
	} while (0)

/* The argv[0] exotests was started with (for the exec test). */
extern const char *ex_argv0;

/*
 * exo_fork, then the parent copies every present page of its own into the
 * child (JOS's dumbfork: exo_page_alloc in the child, exo_page_map back to
 * EX_TMP, memcpy), skipping [skip_lo, skip_hi); then sets it runnable if
 * run.  Returns the child's pid in the parent, 0 in the child; fails the
 * test on an error.
 */
pid_t ex_dfork(uintptr_t skip_lo, uintptr_t skip_hi, bool run);

/* fork(2): fn() runs in the child, which then exits 0; returns the status. */
int ex_in_child(void (*fn)(void));

/* MemFree of /proc/meminfo, in KiB. */
long ex_memfree_kb(void);

/*
 * Resource cleanup: one warm-up round of fn, then MemFree, 20 rounds, then
 * MemFree again; the difference must stay within EX_LEAK_SLACK_KB.
 */
void ex_check_no_leak(void (*fn)(void));

/* A read (write) of addr, which the compiler cannot drop. */
static inline uint8_t ex_peek(const void *addr)
{
	return *(const volatile uint8_t *)addr;
}

static inline void ex_poke(void *addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

/* argv[1] of the helper that execve checks for a cleared upcall. */
#define EX_EXEC_HELPER "--exo-exec-check"
int ex_exec_helper(int argc, char **argv);

#endif /* EXOTESTS_H */

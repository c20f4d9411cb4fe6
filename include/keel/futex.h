/*
 * keel/futex.h - fast user-space mutexes (kernel/sched/futex.c).
 * A futex is a 32-bit word in user memory, identified by (address space,
 * address) for private futexes and by its frame for shared ones.
 */
#ifndef KEEL_FUTEX_H
#define KEEL_FUTEX_H

#include <keel/compiler.h>
#include <keel/uaccess.h>

struct mm;

#define FUTEX_BITSET_ANY 0xffffffffu
#define FUTEX_FOREVER_NS (UINT64_MAX / 4) /* saturate huge timeouts */

struct futex_key {
	uintptr_t space; /* mm pointer (private) or 0 (shared) */
	uintptr_t addr;  /* user address (private) or physical (shared) */
};

/* Set up the futex hash (boot, before any thread can use futexes). */
void futex_init(void);
/* The key of the futex word at uaddr in mm: 0 or -EFAULT/-EINVAL. */
int futex_make_key(struct mm *mm, uintptr_t uaddr, bool private, struct futex_key *k);
/* Wake up to n waiters on k whose bitset meets bitset; returns how many. */
int futex_wake_key(const struct futex_key *k, int n, uint32_t bitset);
/*
 * Sleep on k while the word at uaddr holds val, until woken (0), the
 * absolute deadline in time_ns() passes (-ETIMEDOUT; 0: none), a signal
 * (-EINTR); -EAGAIN if the word differs, -EFAULT if unreadable.
 */
long futex_wait(const struct futex_key *k, uint32_t __user *uaddr, uint32_t val, uint64_t deadline,
		uint32_t bitset);
/* Wake up to n threads waiting on the futex at addr in mm; returns how many. */
int futex_wake_address(struct mm *mm, uintptr_t addr, int n);

#endif

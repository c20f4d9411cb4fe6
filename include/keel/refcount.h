/*
 * keel/refcount.h - the one reference-count type of the kernel.
 *
 * A refcount_t counts the holders of an object.  The creator starts it at
 * 1 (refcount_init); each new holder takes one (refcount_get), each holder
 * drops its own (refcount_put), and the put that reaches zero returns true:
 * that caller, and only it, frees the object.  Every access is atomic, so
 * the count itself needs no lock ([A] in the lock-tag vocabulary of
 * docs/locking.md); what a holder may do with the object is the object's
 * own rule.
 *
 * Ordering: refcount_put is a release (the holder's writes to the object
 * happen before the free) and the final put is also an acquire (the freeing
 * thread sees every other holder's writes).  refcount_get is relaxed: a new
 * reference is only ever made from an existing one.
 *
 * Invariants, checked: a get on a dead object (count 0) and a put below
 * zero are kernel bugs and panic; a count that would pass REFCOUNT_MAX
 * panics instead of wrapping (no user action can make that many holders:
 * each one costs memory).  refcount_get_not_zero is the exception for
 * lookups that find an object which may be dying (a table entry removed
 * under a lock after the count reached zero).
 */
#ifndef KEEL_REFCOUNT_H
#define KEEL_REFCOUNT_H

#include <keel/compiler.h>
#include <keel/panic.h>

#define REFCOUNT_MAX 0x7fffff00u

typedef struct refcount {
	uint32_t count;         /* [A] */
} refcount_t;

static inline void refcount_init(refcount_t *r, uint32_t n)
{
	__atomic_store_n(&r->count, n, __ATOMIC_RELAXED);
}

static inline uint32_t refcount_read(const refcount_t *r)
{
	return __atomic_load_n(&r->count, __ATOMIC_RELAXED);
}

static inline void refcount_get(refcount_t *r)
{
	uint32_t old = __atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);

	if (unlikely(old == 0 || old >= REFCOUNT_MAX))
		panic("refcount: get of %p at count %u", (void *)r, old);
}

/* Take a reference unless the count is already 0; true when taken. */
static inline bool refcount_get_not_zero(refcount_t *r)
{
	uint32_t old = __atomic_load_n(&r->count, __ATOMIC_RELAXED);

	do {
		if (old == 0)
			return false;
		if (unlikely(old >= REFCOUNT_MAX))
			panic("refcount: get of %p at count %u", (void *)r, old);
	} while (!__atomic_compare_exchange_n(&r->count, &old, old + 1, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/* Drop a reference; true when it was the last (the caller frees). */
static inline bool refcount_put(refcount_t *r)
{
	uint32_t old = __atomic_fetch_sub(&r->count, 1, __ATOMIC_RELEASE);

	if (unlikely(old == 0 || old > REFCOUNT_MAX))
		panic("refcount: put of %p at count %u", (void *)r, old);
	if (old == 1) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return false;
}

#endif

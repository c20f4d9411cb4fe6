/*
 * keel/failinject.h - fault injection for kernel allocations (in the
 * spirit of Linux's failslab / fail_page_alloc).
 *
 * Booting with failalloc=<what>:<probability>[:<seed>[:noinit]] makes a
 * random share of the kernel's allocations fail, so that their error
 * paths run:
 *   <what>         frame (pmm_alloc_pages), heap (kmalloc and
 *                  kmem_cache_alloc), kstack (kstack_alloc), all, or a
 *                  comma-separated list of them ("frame,kstack");
 *   <probability>  N per mille ("20" fails 2 %, "1000" fails every one),
 *                  or "1/N" (one in N);
 *   <seed>         seed of the pseudo-random sequence (default 1);
 *   noinit         never fail allocations made for init (pid 1) itself,
 *                  so a test runner as init keeps forking its tests and
 *                  the failures land deeper, inside the tests.
 * Injection arms only once init has been started (failinject_arm()), so
 * boot never sees a failure, and disarms when init has exited
 * (failinject_disarm()), which also prints how many failures of each
 * kind were injected.
 *
 * Each allocator starts with one hook:
 *	if (!(flags & PMM_NOFAIL) && fail_should(FAIL_FRAME))
 *		return NULL;
 * Allocations that must not fail pass their allocator's NOFAIL flag
 * (PMM_NOFAIL, KM_NOFAIL); use it sparingly and say why at the call.
 *
 * fail_should() is lock-free: while disarmed it reads one word; while
 * armed it draws from a shared counter hashed with the seed (one atomic
 * add), so a seed gives a repeatable sequence of draws, though which
 * allocation gets which draw depends on timing across CPUs.
 *
 * Lock key: [A] atomic, [I] set once at boot before any other CPU reads it.
 */
#ifndef KEEL_FAILINJECT_H
#define KEEL_FAILINJECT_H

#include <keel/compiler.h>

enum fail_kind {
	FAIL_FRAME,             /* pmm_alloc_pages() */
	FAIL_HEAP,              /* kmalloc(), kmem_cache_alloc() */
	FAIL_KSTACK,            /* kstack_alloc() */
	FAIL_KINDS
};

#define FAIL_MASK(kind)     (1u << (kind))
#define FAIL_MASK_ALL       ((1u << FAIL_KINDS) - 1)

/* Kinds being injected right now ([A]); 0 while disarmed. */
extern unsigned failinject_armed;

/* Slow path of fail_should(): draw and count.  Lock-free, any context. */
bool failinject_roll(enum fail_kind kind);

/*
 * True if this allocation of the given kind should fail now.  Never
 * sleeps, takes no lock; callable from any context, interrupts included.
 */
static inline bool fail_should(enum fail_kind kind)
{
	if (likely(!(__atomic_load_n(&failinject_armed, __ATOMIC_RELAXED) &
		     FAIL_MASK(kind))))
		return false;
	return failinject_roll(kind);
}

/*
 * Read failalloc= from the command line (boot CPU, before other CPUs
 * run); a malformed value is reported and ignored.  Does not arm.
 */
void failinject_init(const char *cmdline);

/* Start injecting what failalloc= asked for (no-op without it). */
void failinject_arm(void);

/*
 * Stop injecting, print the counts and check the kernel heap's invariants
 * (no-op without failalloc=).  Takes cache locks; not from interrupts.
 */
void failinject_disarm(void);

/* Failures of kind injected since boot ([A] counter). */
uint64_t failinject_count(enum fail_kind kind);

/*
 * Parse a failalloc= value into a kind mask, a threshold out of
 * FAIL_SCALE (fail when a 32-bit draw is below it), a seed and the
 * noinit flag.  Returns 0 or -EINVAL.  Pure; exposed for tests.
 */
#define FAIL_SCALE          (1ull << 32)
int failinject_parse(const char *val, unsigned *mask, uint64_t *threshold,
		     uint64_t *seed, bool *noinit);

/*
 * Tests: inject kinds in mask with threshold (FAIL_SCALE = always, 0 =
 * never) into allocations made by the calling thread only, until
 * failinject_test_end() restores the previous state.  Not nestable; the
 * caller must not run alongside an armed failalloc= boot.
 */
void failinject_test_begin(unsigned mask, uint64_t threshold);
void failinject_test_end(void);

#endif

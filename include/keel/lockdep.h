/*
 * keel/lockdep.h - run-time checking of the spinlock rules (debug builds).
 *
 * Lock classes: every lock belongs to the class of its name, so all locks
 * initialized with the same string (all "kmem_cache" locks, say) share a
 * class, and (name, subclass) pairs from spin_lock_nested() are classes of
 * their own.  Each CPU keeps a stack of the locks it holds.  When it takes
 * a lock of class B while holding classes A1..An, lockdep records the edges
 * Ai -> B in a global graph, with the stack of the first time each edge was
 * seen.  If B already reaches some Ai, the two orders can deadlock: lockdep
 * prints both stacks ("lock order inversion"), once per pair of classes,
 * counts a violation and carries on.  Taking a second lock of a class this
 * CPU already holds is reported the same way ("possible recursive locking")
 * unless spin_lock_nested() names a different subclass.  A trylock cannot
 * deadlock, so it adds no edge into its lock, but the lock is then held
 * like any other and edges out of it are recorded.
 *
 * lockdep turns itself off, with one message, when a fixed table fills
 * (LOCKDEP_MAX_CLASSES classes, ...); it never allocates memory.  Release
 * builds (KEEL_DEBUG=0) compile every function here to an empty inline.
 *
 * Context: the hooks are called by kernel/core/spinlock.c with interrupts off.
 * An NMI that arrives while this CPU is inside lockdep and takes a lock is
 * not tracked (its lock is ignored), so lockdep cannot deadlock on itself.
 *
 * Tests that provoke violations on purpose are named lockdep_expect_*
 * (tests/kernel/test_lockdep.c): any other test that changes
 * lockdep_violations() found a real problem.
 */
#ifndef KEEL_LOCKDEP_H
#define KEEL_LOCKDEP_H

#include <keel/compiler.h>

struct spinlock;

#if KEEL_DEBUG

/* True while the validator runs (false in release builds or after overflow). */
bool lockdep_enabled(void);
/* Number of lock-order violations (inversions, same-class nesting) so far. */
unsigned lockdep_violations(void);
/* Print the locks this CPU holds or is acquiring, innermost last.  Any context. */
void lockdep_print_held(void);
/* True if this CPU's held-lock stack contains l (debug builds). */
bool lockdep_is_held(const struct spinlock *l);

/*
 * Hooks for kernel/core/spinlock.c only, interrupts off.  acquire: this CPU is
 * about to wait for l (trylock: has just taken it) at call site pc; checks
 * the order and pushes l on the held stack.  release: l is being released.
 */
void lockdep_acquire(struct spinlock *l, unsigned subclass, uintptr_t pc,
		     bool trylock);
void lockdep_release(const struct spinlock *l);
/* This CPU has waited waited_ns for l: print who holds it (once per wait). */
void lockdep_spin_warn(const struct spinlock *l, uint64_t waited_ns);

#else

static inline bool lockdep_enabled(void) { return false; }
static inline unsigned lockdep_violations(void) { return 0; }
static inline void lockdep_print_held(void) { }
static inline bool lockdep_is_held(const struct spinlock *l) { return false; }
static inline void lockdep_acquire(struct spinlock *l, unsigned subclass,
				   uintptr_t pc, bool trylock) { }
static inline void lockdep_release(const struct spinlock *l) { }
static inline void lockdep_spin_warn(const struct spinlock *l,
				     uint64_t waited_ns) { }

#endif /* KEEL_DEBUG */

#endif

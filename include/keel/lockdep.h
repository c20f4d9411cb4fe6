/*
 * keel/lockdep.h - run-time checking of the locking rules (debug builds):
 * spinlocks and sleeping mutexes in one lock-order graph.
 *
 * Lock classes: every lock belongs to the class of its name, so all locks
 * initialized with the same string (all "kmem_cache" locks, say) share a
 * class, and (name, subclass) pairs from spin_lock_nested() are classes of
 * their own.  Spinlocks and mutexes have separate classes even when their
 * names are equal (a mutex class prints as "mutex:name").
 *
 * Held stacks: each CPU keeps a stack of the spinlocks it holds (a spinlock
 * is held with interrupts off, so it never leaves its CPU); each thread
 * keeps a stack of the mutexes it holds (struct lockdep_thread in struct
 * thread: a mutex holder may sleep and wake up on another CPU).  A lock
 * taken in thread context is ordered after everything on both stacks; a
 * spinlock taken by an interrupt handler only after the CPU's spinlocks
 * (the interrupted thread's mutexes are not the handler's).
 *
 * When a context takes a lock of class B while holding classes A1..An,
 * lockdep records the edges Ai -> B in a global graph, with the stack of the
 * first time each edge was seen.  If B already reaches some Ai, the two
 * orders can deadlock: lockdep prints both stacks ("lock order inversion"),
 * once per pair of classes, counts a violation and carries on.  Taking a
 * second lock of a class already held is reported the same way ("possible
 * recursive locking") unless spin_lock_nested() names a different
 * subclass.  Taking a mutex (which may sleep) while holding a spinlock is
 * reported as "sleeping lock under a spinlock" (once per pair of classes);
 * might_sleep() (keel/wait.h) then stops the kernel.  A trylock cannot
 * deadlock, so it adds no edge into its lock, but the lock is then held
 * like any other and edges out of it are recorded.
 *
 * lockdep turns itself off, with one message, when a fixed table fills
 * (LOCKDEP_MAX_CLASSES classes, ...); it never allocates memory.  Release
 * builds (KEEL_DEBUG=0) compile every function here to an empty inline and
 * struct lockdep_thread to nothing.
 *
 * Context: the spinlock hooks are called by kernel/core/spinlock.c with
 * interrupts off, the mutex hooks by kernel/sched/mutex.c from a thread
 * (they turn interrupts off themselves).  An NMI that arrives while this
 * CPU is inside lockdep and takes a lock is not tracked (its lock is
 * ignored), so lockdep cannot deadlock on itself.
 *
 * Tests that provoke violations on purpose are named lockdep_expect_*
 * (tests/kernel/test_lockdep.c): any other test that changes
 * lockdep_violations() found a real problem.
 */
#ifndef KEEL_LOCKDEP_H
#define KEEL_LOCKDEP_H

#include <keel/compiler.h>

struct spinlock;
struct mutex;

/* Mutexes one thread can hold at once before lockdep stops tracking. */
#define LOCKDEP_MAX_HELD_MUTEXES 8

/* One entry of a held-lock stack. */
struct lockdep_held {
	const void *lock;               /* the struct spinlock or struct mutex */
	const char *name;               /* its name (its class) */
	uintptr_t pc;                   /* call site that took it */
	uint16_t class;                 /* 0 when lockdep is off */
};

/*
 * The mutexes a thread holds or is waiting for, outermost first (struct
 * thread.lockdep).  [C]: only the thread itself, in lockdep's hooks.
 */
struct lockdep_thread {
#if KEEL_DEBUG
	struct lockdep_held held[LOCKDEP_MAX_HELD_MUTEXES];
	unsigned depth;                 /* valid entries of held[] */
	unsigned lost;                  /* acquisitions held[] had no room for */
#endif
};

#if KEEL_DEBUG

/* True while the validator runs (false in release builds or after overflow). */
bool lockdep_enabled(void);
/* Number of lock-order violations (inversions, same-class nesting) so far. */
unsigned lockdep_violations(void);
/*
 * Print the spinlocks this CPU holds or is acquiring and (in thread
 * context) the mutexes the running thread holds, outermost first.  Any
 * context.
 */
void lockdep_print_held(void);
/* True if this CPU's held-lock stack contains l (debug builds). */
bool lockdep_is_held(const struct spinlock *l);
/* True if the running thread's held-mutex stack contains m (debug builds). */
bool lockdep_mutex_is_held(const struct mutex *m);
/* Spinlocks this CPU holds or is acquiring (might_sleep's check). */
unsigned lockdep_spin_depth(void);

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

/*
 * Hooks for kernel/sched/mutex.c (and the lockdep tests), from a thread.
 * acquire: the running thread is about to wait for m (trylock: has just
 * taken it) at call site pc; checks the order against the thread's mutexes
 * and this CPU's spinlocks, and pushes m on the thread's stack.  release:
 * m is being released (or the wait for it gave up).
 */
void lockdep_mutex_acquire(struct mutex *m, unsigned subclass, uintptr_t pc,
			   bool trylock);
void lockdep_mutex_release(const struct mutex *m);

#else

static inline bool lockdep_enabled(void) { return false; }
static inline unsigned lockdep_violations(void) { return 0; }
static inline void lockdep_print_held(void) { }
static inline bool lockdep_is_held(const struct spinlock *l) { return false; }
static inline bool lockdep_mutex_is_held(const struct mutex *m) { return false; }
static inline unsigned lockdep_spin_depth(void) { return 0; }
static inline void lockdep_acquire(struct spinlock *l, unsigned subclass,
				   uintptr_t pc, bool trylock) { }
static inline void lockdep_release(const struct spinlock *l) { }
static inline void lockdep_spin_warn(const struct spinlock *l,
				     uint64_t waited_ns) { }
static inline void lockdep_mutex_acquire(struct mutex *m, unsigned subclass,
					 uintptr_t pc, bool trylock) { }
static inline void lockdep_mutex_release(const struct mutex *m) { }

#endif /* KEEL_DEBUG */

#endif

/*
 * keel/spinlock.h - ticket spinlocks that keep interrupts off while held.
 *
 * spin_lock() disables interrupts on this CPU before spinning and
 * spin_unlock() restores them when the CPU's outermost lock is released
 * (nesting is counted per CPU by irq_push_off/irq_pop_off, as in xv6), so a
 * lock taken by an interrupt handler can never deadlock against the code it
 * interrupted.  Locks are not recursive; a holder must not sleep and must
 * not turn interrupts back on.
 *
 * Every build records the holder CPU and call site, panics on a recursive
 * acquire (naming both call sites) and on an unlock by a non-holder.
 * Debug builds (KEEL_DEBUG) add the checks of keel/lockdep.h: a lock-order
 * validator over lock classes (one class per lock name), "interrupts were
 * enabled inside a critical section", and a report when a CPU spins on one
 * lock for longer than LOCK_SPIN_WARN_NS.  The rules and the global lock
 * order are in docs/locking.md.
 *
 * Lock key for struct spinlock (tags as in docs/locking.md): [A] atomic;
 * [I] set by spin_init/SPINLOCK_INIT only; [C] written only by the CPU
 * that holds the lock, read racily by others for diagnostics.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/compiler.h>

struct cpu;

struct spinlock {
	uint16_t next;          /* [A] next ticket to hand out */
	uint16_t owner;         /* [A] ticket now being served */
	uint16_t lockdep_class; /* [A] cached lockdep class of subclass 0,
				 * 0 = not looked up yet (debug builds) */
	const char *name;       /* [I] for diagnostics and the lock class */
	struct cpu *holder;     /* [C] CPU that holds it, or NULL */
	uintptr_t holder_pc;    /* [C] where it was taken */
};

/* Static initializer; locks with equal names share one lockdep class. */
#define SPINLOCK_INIT(n)                                                    \
	{ .next = 0, .owner = 0, .lockdep_class = 0, .name = (n),           \
	  .holder = NULL, .holder_pc = 0 }

/* Debug builds report a CPU that waits this long for one lock. */
#define LOCK_SPIN_WARN_NS 1000000000ull

/* Subclasses for spin_lock_nested(): 0 (plain spin_lock) .. MAX - 1. */
#define SPIN_SUBCLASS_MAX 8

/* (Re)initialize l as a free lock called name (kept, not copied). */
void spin_init(struct spinlock *l, const char *name);
/* Take l, spinning; disables interrupts until the matching spin_unlock. */
void spin_lock(struct spinlock *l);
/*
 * spin_lock() for taking a second lock of the same class (same name) while
 * holding one: subclass (1 .. SPIN_SUBCLASS_MAX - 1) tells lockdep this
 * nesting is intended and ordered (e.g. two caches, lower address first).
 * Each (name, subclass) pair is its own class in the lock-order graph.
 */
void spin_lock_nested(struct spinlock *l, unsigned subclass);
/* Take l if it is free; true on success (then it must be unlocked). */
bool spin_trylock(struct spinlock *l);
/* Release l (held by this CPU); the outermost unlock restores interrupts. */
void spin_unlock(struct spinlock *l);
/* True if this CPU holds l. */
bool spin_held(const struct spinlock *l);

/*
 * Assert that this CPU holds l (and so that interrupts are off).  The host
 * unit tests (tests/host/fake_kernel.c) run kernel code as a user process
 * whose interrupt flag is always set, so they check ownership only.
 */
#ifdef KEEL_HOST_TEST
#define spin_assert_held(l) assert(spin_held(l))
#else
#include <arch/arch.h>
#include <keel/panic.h>
#define spin_assert_held(l)                                                 \
	do {                                                                \
		assert(spin_held(l));                                       \
		assert(!arch_irqs_enabled());                               \
	} while (0)
#endif

/* Nested "interrupts off" sections; the outermost pop restores IF. */
void irq_push_off(void);
void irq_pop_off(void);

#endif

/*
 * keel/spinlock.h - ticket spinlocks that keep interrupts off while held.
 *
 * spin_lock() disables interrupts on this CPU before spinning and
 * spin_unlock() restores them when the CPU's outermost lock is released
 * (nesting is counted per CPU by irq_push_off/irq_pop_off, as in xv6), so a
 * lock taken by an interrupt handler can never deadlock against the code it
 * interrupted.  Locks are not recursive; a holder must not sleep.
 * Debug builds record the holder CPU and call site; spin_assert_held()
 * checks ownership.  The global lock order is in docs/locking.md.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/compiler.h>

struct cpu;

struct spinlock {
	uint16_t next;          /* [atomic] next ticket to hand out */
	uint16_t owner;         /* [atomic] ticket now being served */
	const char *name;       /* [I] for diagnostics */
	struct cpu *holder;     /* [this lock] CPU that holds it, or NULL */
	uintptr_t holder_pc;    /* [this lock] where it was taken */
};

#define SPINLOCK_INIT(n) { .next = 0, .owner = 0, .name = (n), .holder = NULL, .holder_pc = 0 }

void spin_init(struct spinlock *l, const char *name);
/* Take l, spinning; disables interrupts until the matching spin_unlock. */
void spin_lock(struct spinlock *l);
/* Take l if it is free; true on success (then it must be unlocked). */
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* True if this CPU holds l. */
bool spin_held(const struct spinlock *l);
#define spin_assert_held(l) assert(spin_held(l))

/* Nested "interrupts off" sections; the outermost pop restores IF. */
void irq_push_off(void);
void irq_pop_off(void);

#endif

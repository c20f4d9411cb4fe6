/*
 * spinlock.c - ticket spinlocks and the per-CPU "interrupts off" nesting
 * they rely on (see keel/spinlock.h).  Fair: CPUs are served in the order
 * they arrived.
 *
 * Invariants: a CPU holding a lock has interrupts off (irq_off_depth > 0)
 * and is l->holder; the holder fields are written only by the holder and
 * read racily by everyone else for diagnostics.  The debug checks of
 * kernel/core/lockdep.c run from here; with KEEL_DEBUG=0 the calls are empty
 * inlines and the uncontended paths are a fetch-add and a few stores.
 */
#include <keel/spinlock.h>
#include <keel/lockdep.h>
#include <keel/cpu.h>
#include <keel/panic.h>
#include <keel/ksyms.h>
#include <arch/arch.h>

/* Spins between two looks at the clock while waiting (debug builds). */
#define SPIN_CLOCK_CHECK_EVERY 1024u

void spin_init(struct spinlock *l, const char *name)
{
	*l = (struct spinlock)SPINLOCK_INIT(name);
}

/* Disable interrupts, remembering whether they were on (nests). */
void irq_push_off(void)
{
	bool was_on = arch_irqs_enabled();
	struct cpu *c;

	arch_irq_disable();
	c = this_cpu();
	if (c->irq_off_depth++ == 0)
		c->irq_was_on = was_on;
}

/* Undo one irq_push_off; the outermost restores the saved IF. */
void irq_pop_off(void)
{
	struct cpu *c = this_cpu();

	assert(!arch_irqs_enabled());
	assert(c->irq_off_depth > 0);
	if (--c->irq_off_depth == 0 && c->irq_was_on)
		arch_irq_enable();
}

bool spin_held(const struct spinlock *l)
{
	return READ_ONCE(l->holder) == this_cpu() &&
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
		       __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

/* Name of the function containing pc, for panic messages ("?" if unknown). */
static const char *spin_sym(uintptr_t pc, uintptr_t *off)
{
	const char *name = ksym_lookup(pc, off);

	if (!name) {
		*off = pc;
		return "?";
	}
	return name;
}

/* l is already ours: report both call sites.  Prints via panic only. */
static void __noreturn spin_recursion(const struct spinlock *l, uintptr_t pc)
{
	uintptr_t held_pc = l->holder_pc, off_now, off_then;
	const char *now = spin_sym(pc, &off_now);
	const char *then = spin_sym(held_pc, &off_then);

	panic("spinlock %s: recursive acquire at %s+0x%lx (%p); "
	      "already taken at %s+0x%lx (%p)", l->name, now, off_now,
	      (void *)pc, then, off_then, (void *)held_pc);
}

/* Interrupts came back on inside l's critical section. */
static void __noreturn spin_irqs_were_on(const struct spinlock *l)
{
	uintptr_t off;
	const char *then = spin_sym(l->holder_pc, &off);

	panic("spinlock %s: interrupts were enabled while it was held "
	      "(taken at %s+0x%lx)", l->name, then, off);
}

/*
 * Wait for our ticket.  Debug builds report (once) a wait longer than
 * LOCK_SPIN_WARN_NS, then keep waiting.
 */
static void spin_wait(struct spinlock *l, uint16_t ticket)
{
	uint64_t start = 0;
	unsigned spins = 0;
	bool warned = false;

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
		arch_cpu_relax();
		if (!KEEL_DEBUG || warned ||
		    ++spins % SPIN_CLOCK_CHECK_EVERY != 0)
			continue;
		uint64_t now = arch_clock_ns();
		if (start == 0) {
			start = now;
		} else if (now - start >= LOCK_SPIN_WARN_NS) {
			warned = true;
			lockdep_spin_warn(l, now - start);
		}
	}
}

/* spin_lock/spin_lock_nested with the caller's pc. */
static inline void spin_acquire(struct spinlock *l, unsigned subclass,
				uintptr_t pc)
{
	uint16_t ticket;

	irq_push_off();
	if (unlikely(spin_held(l)))
		spin_recursion(l, pc);
	lockdep_acquire(l, subclass, pc, false);
	ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	if (unlikely(__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket))
		spin_wait(l, ticket);
	l->holder = this_cpu();
	l->holder_pc = pc;
}

void spin_lock(struct spinlock *l)
{
	spin_acquire(l, 0, (uintptr_t)__builtin_return_address(0));
}

void spin_lock_nested(struct spinlock *l, unsigned subclass)
{
	assert(subclass < SPIN_SUBCLASS_MAX);
	spin_acquire(l, subclass, (uintptr_t)__builtin_return_address(0));
}

bool spin_trylock(struct spinlock *l)
{
	uint16_t owner, expected;
	uintptr_t pc = (uintptr_t)__builtin_return_address(0);

	irq_push_off();
	owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	expected = owner;
	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) == owner &&
	    __atomic_compare_exchange_n(&l->next, &expected, (uint16_t)(owner + 1),
					false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		l->holder = this_cpu();
		l->holder_pc = pc;
		lockdep_acquire(l, 0, pc, true);
		return true;
	}
	irq_pop_off();
	return false;
}

void spin_unlock(struct spinlock *l)
{
	if (unlikely(!spin_held(l)))
		panic("spinlock %s: released by a CPU that does not hold it",
		      l->name);
	if (KEEL_DEBUG && unlikely(arch_irqs_enabled()))
		spin_irqs_were_on(l);
	lockdep_release(l);
	l->holder = NULL;
	l->holder_pc = 0;
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
	irq_pop_off();
}

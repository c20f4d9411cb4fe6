/*
 * spinlock.c - ticket spinlocks and the per-CPU "interrupts off" nesting
 * they rely on (see keel/spinlock.h).  Fair: CPUs are served in the order
 * they arrived.
 */
#include <keel/spinlock.h>
#include <keel/cpu.h>
#include <keel/panic.h>
#include <arch/arch.h>

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

void spin_lock(struct spinlock *l)
{
	uint16_t ticket;

	irq_push_off();
	if (spin_held(l))
		panic("spinlock %s: recursive acquire (taken at %p)", l->name,
		      (void *)l->holder_pc);
	ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	l->holder = this_cpu();
	l->holder_pc = (uintptr_t)__builtin_return_address(0);
}

bool spin_trylock(struct spinlock *l)
{
	uint16_t owner;

	irq_push_off();
	owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t expected = owner;
	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) == owner &&
	    __atomic_compare_exchange_n(&l->next, &expected, (uint16_t)(owner + 1),
					false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		l->holder = this_cpu();
		l->holder_pc = (uintptr_t)__builtin_return_address(0);
		return true;
	}
	irq_pop_off();
	return false;
}

void spin_unlock(struct spinlock *l)
{
	if (!spin_held(l))
		panic("spinlock %s: released by a CPU that does not hold it",
		      l->name);
	l->holder = NULL;
	l->holder_pc = 0;
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
	irq_pop_off();
}

/*
 * irq.c - the generic side of device interrupts (keel/irq.h).
 *
 * One descriptor per interrupt line holds the handler, its context and a
 * count.  The arch (arch/irq.h) routes, masks and acknowledges lines and
 * calls irq_handle() from its interrupt entry; drivers and later device
 * objects attach with irq_request/irq_free, at boot or any time after.
 *
 * Invariant: a descriptor's handler runs only with the descriptor's lock
 * held, and irq_free clears the handler under that lock after masking the
 * line, so once irq_free returns the handler is neither running nor
 * callable (an interrupt already in flight finds no handler and is
 * treated as unclaimed by the arch).
 *
 * Taking a line over: a kernel driver that can step aside for a user-space
 * driver (the PS/2 keyboard) requests its line with IRQ_F_YIELDS.
 * irq_takeover() parks its handler in the descriptor and installs the
 * taker's, under the lock, so every interrupt goes to exactly one of them;
 * the taker's irq_free() puts the parked handler back and calls it once.
 *
 * Counts are per CPU (/proc/interrupts), written under the lock by the
 * CPU that took the interrupt.
 */
#include <keel/irq.h>
#include <keel/spinlock.h>
#include <keel/panic.h>
#include <keel/klog.h>
#include <keel/cpu.h>
#include <arch/irq.h>
#include <lib/errno.h>

struct irq_desc {
	struct spinlock lock;
	irq_handler_t fn;       /* [lock] NULL: free */
	void *arg;              /* [lock] */
	const char *name;       /* [lock] */
	unsigned flags;         /* [lock] IRQ_F_* of fn */
	/* While a taker (irq_takeover) holds a line whose driver yields, the
	 * yielding driver's handler waits here to come back. */
	irq_handler_t saved_fn; /* [lock] NULL: nothing taken over */
	void *saved_arg;        /* [lock] */
	const char *saved_name; /* [lock] */
	unsigned cpu;           /* [lock] the CPU the line is routed to */
	uint64_t count[MAX_CPUS]; /* [lock] interrupts taken per CPU; reads racy */
};

#define IRQ_DESC_INIT { .lock = SPINLOCK_INIT("irq_desc") }
static struct irq_desc irq_descs[ARCH_IRQ_COUNT] = {
	[0 ... ARCH_IRQ_COUNT - 1] = IRQ_DESC_INIT,
};

static struct irq_desc *irq_desc(unsigned irq)
{
	return irq < ARCH_IRQ_COUNT ? &irq_descs[irq] : NULL;
}

static void irq_desc_set(struct irq_desc *d, irq_handler_t fn, void *arg, const char *name,
			 unsigned flags)
{
	spin_assert_held(&d->lock);
	d->fn = fn;
	d->arg = arg;
	d->name = name;
	d->flags = flags;
}

int irq_request_flags(unsigned irq, irq_handler_t fn, void *arg, const char *name,
		      unsigned flags)
{
	struct irq_desc *d = irq_desc(irq);
	int err;

	if (!d || !fn || (flags & ~IRQ_F_YIELDS))
		return -EINVAL;
	spin_lock(&d->lock);
	if (d->fn) {
		spin_unlock(&d->lock);
		return -EBUSY;
	}
	irq_desc_set(d, fn, arg, name, flags);
	err = arch_irq_route(irq, d->cpu);
	if (err)
		irq_desc_set(d, NULL, NULL, NULL, 0);
	spin_unlock(&d->lock);
	if (err)
		klog(LOG_WARN, "irq: cannot route IRQ %u for %s (%d)", irq, name, err);
	return err;
}

int irq_request(unsigned irq, irq_handler_t fn, void *arg, const char *name)
{
	return irq_request_flags(irq, fn, arg, name, 0);
}

int irq_takeover(unsigned irq, irq_handler_t fn, void *arg, const char *name)
{
	struct irq_desc *d = irq_desc(irq);

	if (!d || !fn)
		return -EINVAL;
	spin_lock(&d->lock);
	if (!d->fn || !(d->flags & IRQ_F_YIELDS)) {
		spin_unlock(&d->lock);
		return d->fn ? -EBUSY : irq_request(irq, fn, arg, name);
	}
	d->saved_fn = d->fn;
	d->saved_arg = d->arg;
	d->saved_name = d->name;
	irq_desc_set(d, fn, arg, name, 0);      /* the line stays routed */
	spin_unlock(&d->lock);
	klog(LOG_INFO, "irq: %s takes IRQ %u over from %s", name, irq, d->saved_name);
	return 0;
}

void irq_free(unsigned irq, void *arg)
{
	struct irq_desc *d = irq_desc(irq);

	assert(d);
	spin_lock(&d->lock);
	assert(d->fn && d->arg == arg);
	if (d->saved_fn) {
		/* Give the line back to the driver that yielded it, routed and
		 * unmasked whatever the taker left, and let it look at its
		 * device once: an edge that came while nobody listened would
		 * otherwise leave the device waiting for ever. */
		irq_desc_set(d, d->saved_fn, d->saved_arg, d->saved_name, IRQ_F_YIELDS);
		d->saved_fn = NULL;
		d->saved_arg = NULL;
		d->saved_name = NULL;
		(void)arch_irq_route(irq, d->cpu);
		d->fn(irq, d->arg);
		spin_unlock(&d->lock);
		klog(LOG_INFO, "irq: IRQ %u back to %s", irq, d->name);
		return;
	}
	arch_irq_mask(irq);
	irq_desc_set(d, NULL, NULL, NULL, 0);
	spin_unlock(&d->lock);
}

void irq_mask(unsigned irq)
{
	struct irq_desc *d = irq_desc(irq);

	assert(d);
	spin_lock(&d->lock);
	if (d->fn)
		arch_irq_mask(irq);
	spin_unlock(&d->lock);
}

void irq_unmask(unsigned irq)
{
	struct irq_desc *d = irq_desc(irq);

	assert(d);
	spin_lock(&d->lock);
	if (d->fn)
		(void)arch_irq_route(irq, d->cpu);
	spin_unlock(&d->lock);
}

void irq_mask_from_handler(unsigned irq)
{
	struct irq_desc *d = irq_desc(irq);

	assert(d);
	spin_assert_held(&d->lock);
	arch_irq_mask(irq);
}

int irq_set_cpu(unsigned irq, unsigned cpu)
{
	struct irq_desc *d = irq_desc(irq);
	int err = 0;

	if (!d || cpu >= MAX_CPUS || !cpus[cpu].online)
		return -EINVAL;
	spin_lock(&d->lock);
	d->cpu = cpu;
	if (d->fn)
		err = arch_irq_route(irq, cpu);
	spin_unlock(&d->lock);
	return err;
}

unsigned irq_cpu(unsigned irq)
{
	return irq < ARCH_IRQ_COUNT ? READ_ONCE(irq_descs[irq].cpu) : 0;
}

bool irq_is_level(unsigned irq)
{
	return irq < ARCH_IRQ_COUNT && arch_irq_is_level(irq);
}

uint64_t irq_count_cpu(unsigned irq, unsigned cpu)
{
	return irq < ARCH_IRQ_COUNT && cpu < MAX_CPUS ? READ_ONCE(irq_descs[irq].count[cpu]) : 0;
}

uint64_t irq_count(unsigned irq)
{
	uint64_t n = 0;

	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
		n += irq_count_cpu(irq, cpu);
	return n;
}

const char *irq_name(unsigned irq)
{
	return irq < ARCH_IRQ_COUNT ? READ_ONCE(irq_descs[irq].name) : NULL;
}

bool irq_handle(unsigned irq)
{
	struct irq_desc *d = irq_desc(irq);
	bool handled = false;

	if (!d)
		return false;
	spin_lock(&d->lock);
	d->count[this_cpu()->id]++;
	if (d->fn) {
		d->fn(irq, d->arg);
		handled = true;
	}
	spin_unlock(&d->lock);
	return handled;
}

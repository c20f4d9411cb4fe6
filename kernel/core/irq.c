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
 */
#include <keel/irq.h>
#include <keel/spinlock.h>
#include <keel/panic.h>
#include <keel/klog.h>
#include <arch/irq.h>
#include <lib/errno.h>

struct irq_desc {
	struct spinlock lock;
	irq_handler_t fn;       /* [lock] NULL: free */
	void *arg;              /* [lock] */
	const char *name;       /* [lock] */
	uint64_t count;         /* [lock] writes; reads racy (statistics) */
};

#define IRQ_DESC_INIT { .lock = SPINLOCK_INIT("irq_desc") }
static struct irq_desc irq_descs[ARCH_IRQ_COUNT] = {
	[0 ... ARCH_IRQ_COUNT - 1] = IRQ_DESC_INIT,
};

static struct irq_desc *irq_desc(unsigned irq)
{
	return irq < ARCH_IRQ_COUNT ? &irq_descs[irq] : NULL;
}

int irq_request(unsigned irq, irq_handler_t fn, void *arg, const char *name)
{
	struct irq_desc *d = irq_desc(irq);
	int err;

	if (!d || !fn)
		return -EINVAL;
	spin_lock(&d->lock);
	if (d->fn) {
		spin_unlock(&d->lock);
		return -EBUSY;
	}
	d->fn = fn;
	d->arg = arg;
	d->name = name;
	err = arch_irq_route(irq);
	if (err) {
		d->fn = NULL;
		d->arg = NULL;
		d->name = NULL;
	}
	spin_unlock(&d->lock);
	if (err)
		klog(LOG_WARN, "irq: cannot route IRQ %u for %s (%d)", irq, name, err);
	return err;
}

void irq_free(unsigned irq, void *arg)
{
	struct irq_desc *d = irq_desc(irq);

	assert(d);
	spin_lock(&d->lock);
	assert(d->fn && d->arg == arg);
	arch_irq_mask(irq);
	d->fn = NULL;
	d->arg = NULL;
	d->name = NULL;
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
		(void)arch_irq_route(irq);
	spin_unlock(&d->lock);
}

uint64_t irq_count(unsigned irq)
{
	return irq < ARCH_IRQ_COUNT ? READ_ONCE(irq_descs[irq].count) : 0;
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
	d->count++;
	if (d->fn) {
		d->fn(irq, d->arg);
		handled = true;
	}
	spin_unlock(&d->lock);
	return handled;
}

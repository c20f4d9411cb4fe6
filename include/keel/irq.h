/*
 * keel/irq.h - device interrupts for generic code and drivers.
 *
 * An interrupt line (irq) is a small number the platform defines (on PCs
 * the ISA lines 0..15; ARCH_IRQ_COUNT in arch/irq.h).  A driver attaches a
 * handler with a context pointer; the arch routes and unmasks the line,
 * and on each interrupt calls irq_handle(), which runs the handler on the
 * CPU that took it, with interrupts off, then the arch acknowledges it.
 * Handlers never sleep.
 *
 * Lines start routed to the boot CPU (irq_set_cpu moves one).
 * irq_request and irq_free may be called at any time after boot from any
 * thread (not from an interrupt handler).  When irq_free returns, the line
 * is masked and the handler is not running anywhere and will not be called
 * again: its context may be freed.
 *
 * Lock: each line has its own spinlock ("irq_desc"), held while its
 * handler runs; a handler may take locks that come after it (the console's
 * input lock), never another line's.
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <keel/compiler.h>

typedef void (*irq_handler_t)(unsigned irq, void *arg);

/* irq_request_flags: the handler steps aside for irq_takeover (a kernel
 * driver that a user-space driver may replace).  Such a handler must
 * tolerate being called with nothing pending (irq_free calls it once). */
#define IRQ_F_YIELDS 1u

/*
 * Attach fn(irq, arg) to line irq and unmask it: 0, -EINVAL (no such line,
 * no handler), -EBUSY (the line has a handler), or the arch's error when
 * the line cannot be routed (-ENODEV).
 */
int irq_request(unsigned irq, irq_handler_t fn, void *arg, const char *name);
int irq_request_flags(unsigned irq, irq_handler_t fn, void *arg, const char *name, unsigned flags);
/*
 * Attach fn(irq, arg) to a free line (as irq_request) or to a line whose
 * handler yields (IRQ_F_YIELDS): that handler is parked until the taker's
 * irq_free.  -EBUSY when the line's handler does not yield or is itself a
 * taker's.
 */
int irq_takeover(unsigned irq, irq_handler_t fn, void *arg, const char *name);
/*
 * Detach the handler that irq_request/irq_takeover attached with this arg:
 * mask the line, or give it back to the handler it took over from.
 */
void irq_free(unsigned irq, void *arg);
/* Mask or unmask an attached line at the interrupt controller. */
void irq_mask(unsigned irq);
void irq_unmask(unsigned irq);
/* From irq's own handler (its descriptor lock held): mask the line. */
void irq_mask_from_handler(unsigned irq);
/* Deliver irq to CPU cpu from now on (an online CPU; 0 at boot). */
int irq_set_cpu(unsigned irq, unsigned cpu);
unsigned irq_cpu(unsigned irq);
/* Level-triggered (stays asserted until the device is serviced)? */
bool irq_is_level(unsigned irq);
/* Interrupts taken on irq since boot (handled or not), in all and per CPU. */
uint64_t irq_count(unsigned irq);
uint64_t irq_count_cpu(unsigned irq, unsigned cpu);
/* The name the line's handler was attached with, or NULL. */
const char *irq_name(unsigned irq);

/*
 * Arch interrupt entry: run irq's handler.  Interrupts off.  False when no
 * handler is attached (the arch treats the interrupt as unclaimed).
 */
bool irq_handle(unsigned irq);

#endif

/*
 * keel/devobj.h - device objects: an interrupt line attached to a
 * user-space driver (kernel/dev/devobj.c; the user's view is
 * <keel/devobj.h>, include/uapi/keel/devobj.h).  The kernel side is used
 * by /dev/irqN and by in-kernel tests.
 */
#ifndef KEEL_DEVOBJ_H
#define KEEL_DEVOBJ_H

#include <keel/compiler.h>
#include <uapi/keel/devobj.h>

struct devobj;
struct vmobj;

/*
 * Attach a new device object to line irq (owner names it in
 * /proc/interrupts as "devobj:owner"): 0, -ENODEV (no such line),
 * -EBUSY (a driver has it, or a kernel driver that does not yield),
 * -ENOMEM.  Thread context.
 */
int devobj_attach(unsigned irq, const char *owner, struct devobj **out);
/* Detach and free it (the line goes back to a yielding kernel driver). */
void devobj_detach(struct devobj *d);
/* Unmask (on) or mask the line. */
void devobj_enable(struct devobj *d, bool on);
/* The shared page as the kernel sees it (read it, never write it). */
const struct keel_devobj *devobj_shared(const struct devobj *d);
/* The object mmap hands out (no reference taken). */
struct vmobj *devobj_vmobj(struct devobj *d);
/* Interrupts taken on a CPU with no user page tables loaded. */
uint64_t devobj_bootstrap_hits(struct devobj *d);

#endif

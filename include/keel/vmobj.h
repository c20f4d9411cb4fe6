/*
 * keel/vmobj.h - anonymous memory objects behind shared mappings
 * (kernel/mm/vmobj.c): frames allocated on first touch, shared by every
 * mapping of the object (fork keeps sharing them).
 *
 * Lock key (tags as in docs/locking.md; struct vmobj is private to
 * kernel/mm/vmobj.c): each object's frame tree is [lock], its own
 * spinlock; refs is a refcount_t, [A].
 */
#ifndef KEEL_VMOBJ_H
#define KEEL_VMOBJ_H

#include <keel/compiler.h>
#include <keel/pmm.h>

struct vmobj;

/* A new empty object of npages pages (refs 1); NULL when out of memory. */
struct vmobj *vmobj_create(uint64_t npages);
/*
 * An object of npages pages whose page i is the (allocated, order-0) frame
 * frames[i]: the object takes one reference on each; the caller keeps its
 * own.  refs 1; NULL when out of memory.  May yield the CPU (its error
 * path frees through vmobj_put).
 */
struct vmobj *vmobj_create_frames(const paddr_t *frames, uint64_t npages);
/*
 * Mark a new object (before anyone maps it) as a device's memory: name is
 * what /proc/PID/maps shows for its mappings (a string that outlives the
 * object); readonly: no mapping of it may ever be writable (mmap and
 * mprotect asking for PROT_WRITE get -EACCES).
 */
void vmobj_set_device(struct vmobj *o, const char *name, bool readonly);
bool vmobj_readonly(const struct vmobj *o);
const char *vmobj_name(const struct vmobj *o);
/* One more user (a VMA that maps part of the object). */
void vmobj_get(struct vmobj *o);
/* One user less; the last frees the object and drops its frames (o may be
 * NULL).  May yield the CPU between tree nodes (thread context, no spinlock). */
void vmobj_put(struct vmobj *o);
/* Size in pages. */
uint64_t vmobj_size(const struct vmobj *o);
/*
 * The frame of page idx, allocated zeroed on first use (a user allocation:
 * it fails in the kernel's reserve), with one more reference taken for the
 * caller's mapping.  0, -ENOMEM, or -EFAULT past the end.  Never sleeps.
 */
int vmobj_page(struct vmobj *o, uint64_t idx, paddr_t *pa);

#endif

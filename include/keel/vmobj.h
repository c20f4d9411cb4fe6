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
 * Mark a new object (before anyone maps it) as its maker's (an opaque
 * pointer the maker compares), and read the mark back (NULL: none).  gone
 * (may be NULL) is called when the last reference goes, just before the
 * object is freed, from vmobj_put's context (no spinlock held).
 */
void vmobj_set_tag(struct vmobj *o, const void *tag, void (*gone)(struct vmobj *o));
/* A reference, unless the object is already on its way out (false). */
bool vmobj_tryget(struct vmobj *o);
const void *vmobj_tag(const struct vmobj *o);
/* Its references now (a racy snapshot: VMAs mapping it, plus its maker's). */
unsigned vmobj_users(const struct vmobj *o);
/*
 * The frame of page idx, allocated zeroed on first use (a user allocation:
 * it fails in the kernel's reserve), with one more reference taken for the
 * caller's mapping.  0, -ENOMEM, or -EFAULT past the end.  Never sleeps.
 */
int vmobj_page(struct vmobj *o, uint64_t idx, paddr_t *pa);

#endif

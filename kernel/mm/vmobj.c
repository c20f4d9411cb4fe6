/*
 * vmobj.c - anonymous memory objects: the frames behind MAP_SHARED
 * anonymous mappings (and shared mappings of /dev/zero).
 *
 * An object is a sparse array of frames indexed by page number, filled on
 * demand: the first fault on a page allocates a zeroed frame, stores it in
 * the object and maps it; later faults, in this address space or in any
 * forked one that shares the mapping, map the same frame.  Nothing is
 * allocated at mmap time, so a huge shared mapping costs nothing until it
 * is touched and cannot hold a CPU inside mmap.
 *
 * The array is a radix tree of page-sized nodes (VMOBJ_FANOUT slots each),
 * as tall as the object's size needs.  The object holds one reference on
 * each of its frames; each mapping holds its own (keel/vm.h), so a frame
 * lives while it is mapped or the object lives.
 *
 * vmobj_create_frames() wraps frames allocated elsewhere (a device's
 * buffer, kernel/debug/kcov.c) in an object, so that the same VMA machinery maps
 * them; the owner keeps writing them through the direct map.
 *
 * Invariants: o->lock protects the tree; o->refs counts the VMAs that use
 * the object (a refcount_t); the last vmobj_put frees the tree and drops the
 * object's frame references.  Lock order: mm->lock -> vmobj.lock -> pmm_lock.
 */
#include <keel/vmobj.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/refcount.h>
#include <keel/spinlock.h>
#include <keel/panic.h>
#include <keel/sched.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

#define VMOBJ_SHIFT   9                          /* 512 slots per node */
#define VMOBJ_FANOUT  (1u << VMOBJ_SHIFT)
#define VMOBJ_MAX_HEIGHT 5                       /* 2^45 pages: any user range */

_Static_assert(VMOBJ_FANOUT * sizeof(uint64_t) == PAGE_SIZE, "a node is one page");

struct vmobj {
	struct spinlock lock;
	uint64_t npages;          /* [I] size in pages */
	unsigned height;          /* [I] levels of the tree (1: root holds frames) */
	uint64_t *root;           /* [lock] node: frames (leaf level) or nodes */
	refcount_t refs;          /* [A] VMAs using the object */
	bool readonly;            /* [I] never mapped writable (a device object) */
	const char *name;         /* [I] what /proc/PID/maps shows; NULL: nothing */
	const void *tag;          /* [I] who made it (System V shm: its marker), or NULL */
	void (*gone)(struct vmobj *o); /* [I] told just before the object is freed */
};

static unsigned vmobj_height(uint64_t npages)
{
	unsigned h = 1;
	uint64_t span = VMOBJ_FANOUT;

	while (span < npages && h < VMOBJ_MAX_HEIGHT) {
		span <<= VMOBJ_SHIFT;
		h++;
	}
	return h;
}

/* Tree nodes are user memory too: a shared mapping's faults must not eat
 * into the kernel's reserve (and leave nodes behind) when memory is short. */
static uint64_t *vmobj_node_alloc(void)
{
	return pmm_alloc_page(PMM_ZERO | PMM_USER);
}

struct vmobj *vmobj_create(uint64_t npages)
{
	struct vmobj *o;

	if (!npages)
		return NULL;
	o = kzalloc(sizeof(*o));
	if (!o)
		return NULL;
	o->root = vmobj_node_alloc();
	if (!o->root) {
		kfree(o);
		return NULL;
	}
	spin_init(&o->lock, "vmobj");
	o->npages = npages;
	o->height = vmobj_height(npages);
	refcount_init(&o->refs, 1);
	return o;
}

void vmobj_get(struct vmobj *o)
{
	refcount_get(&o->refs);
}

/* Free a subtree of the given height (1: a leaf of frames). */
static void vmobj_free_node(uint64_t *node, unsigned height)
{
	for (unsigned i = 0; i < VMOBJ_FANOUT; i++) {
		if (!node[i])
			continue;
		if (height == 1)
			pmm_page_put(node[i]);
		else
			vmobj_free_node(arch_phys_to_virt(node[i]), height - 1);
	}
	pmm_free_page(node);
	sched_cond_resched();         /* a big object: others get the CPU */
}

void vmobj_put(struct vmobj *o)
{
	if (!o || !refcount_put(&o->refs))
		return;
	if (o->gone)
		o->gone(o);
	vmobj_free_node(o->root, o->height);
	kfree(o);
}

uint64_t vmobj_size(const struct vmobj *o)
{
	return o->npages;
}

void vmobj_set_tag(struct vmobj *o, const void *tag, void (*gone)(struct vmobj *o))
{
	o->tag = tag;
	o->gone = gone;
}

bool vmobj_tryget(struct vmobj *o)
{
	return refcount_get_not_zero(&o->refs);
}

const void *vmobj_tag(const struct vmobj *o)
{
	return o->tag;
}

unsigned vmobj_users(const struct vmobj *o)
{
	return refcount_read(&o->refs);
}

/* The leaf slot of page idx, making the nodes above it; NULL on ENOMEM.  [o->lock] held. */
static uint64_t *vmobj_slot(struct vmobj *o, uint64_t idx)
{
	uint64_t *node = o->root;

	spin_assert_held(&o->lock);
	for (unsigned h = o->height; h > 1; h--) {
		unsigned slot = (idx >> (VMOBJ_SHIFT * (h - 1))) & (VMOBJ_FANOUT - 1);
		if (!node[slot]) {
			uint64_t *child = vmobj_node_alloc();
			if (!child)
				return NULL;
			node[slot] = arch_virt_to_phys(child);
		}
		node = arch_phys_to_virt(node[slot]);
	}
	return node + (idx & (VMOBJ_FANOUT - 1));
}

struct vmobj *vmobj_create_frames(const paddr_t *frames, uint64_t npages)
{
	struct vmobj *o = vmobj_create(npages);
	uint64_t *slot;

	if (!o)
		return NULL;
	spin_lock(&o->lock);
	for (uint64_t i = 0; i < npages; i++) {
		slot = vmobj_slot(o, i);
		if (!slot) {
			spin_unlock(&o->lock);
			vmobj_put(o);   /* drops the references taken so far */
			return NULL;
		}
		pmm_page_get(frames[i]);
		*slot = frames[i];
	}
	spin_unlock(&o->lock);
	return o;
}

void vmobj_set_device(struct vmobj *o, const char *name, bool readonly)
{
	o->name = name;
	o->readonly = readonly;
}

bool vmobj_readonly(const struct vmobj *o)
{
	return o->readonly;
}

const char *vmobj_name(const struct vmobj *o)
{
	return o->name;
}

int vmobj_page(struct vmobj *o, uint64_t idx, paddr_t *pa)
{
	uint64_t *node;
	void *page;
	int err = 0;

	if (idx >= o->npages)
		return -EFAULT;
	spin_lock(&o->lock);
	node = vmobj_slot(o, idx);
	if (!node) {
		err = -ENOMEM;
		goto out;
	}
	if (!*node) {
		page = pmm_alloc_page(PMM_ZERO | PMM_USER);
		if (!page) {
			err = -ENOMEM;
			goto out;
		}
		*node = arch_virt_to_phys(page);
	}
	pmm_page_get(*node);          /* the caller's mapping */
	*pa = *node;
out:
	spin_unlock(&o->lock);
	return err;
}

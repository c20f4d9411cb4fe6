/*
 * keel/kmalloc.h - the kernel heap: kmalloc()/kfree() on slab caches.
 *
 * Small requests (up to KMALLOC_MAX_CACHE_SIZE bytes) are served from one
 * of a fixed set of size-class caches (16, 32, 64, 96, 128, 192, 256, 512,
 * 1024, 2048 bytes); larger ones get whole 2^order page blocks straight
 * from the pmm.  Fixed-size kernel objects (threads, VMAs, ...) get their
 * own cache through kmem_cache_create().
 *
 * A cache hands out objects from slabs: 2^order pages carved into equal
 * objects, with the slab header at the start of the first page.  Every
 * page of a slab is marked PG_SLAB and its struct page's `slab` points at
 * the header, so kfree() finds the cache of any object from the pointer
 * alone.  Empty slabs beyond a small per-cache reserve go back to the pmm
 * at once; kmalloc_shrink() returns the reserve too.
 *
 * Guarantees:
 *  - every object is aligned to at least KMALLOC_MIN_ALIGN bytes (and to
 *    the cache's align); a large allocation is page aligned;
 *  - kmalloc(n) gives at least n usable bytes (kmalloc_usable_size());
 *  - all functions are SMP-safe and never sleep; they may be called with
 *    interrupts off or from interrupt handlers (each cache is guarded by a
 *    spinlock, which keeps interrupts off while held).
 *
 * Debug builds (KEEL_DEBUG) also check the heap's invariants:
 *  - a free object is filled with KMEM_POISON_FREE; the poison is checked
 *    when the object is handed out again, so a write after free is caught;
 *  - a freshly allocated object (without KM_ZERO) is filled with
 *    KMEM_POISON_ALLOC, so reads of uninitialised memory stand out;
 *  - each object is followed by a red zone of at least KMEM_REDZONE_MIN
 *    bytes of KMEM_REDZONE_BYTE, checked on every free and allocation;
 *  - kmalloc_check() walks every slab of every cache.
 * Freeing a pointer the heap did not hand out, a double free, a poison or
 * red-zone mismatch are broken kernel invariants: the heap prints the
 * cache, the object address and the bad offset, then panics.  (A bad
 * pointer or a double free is caught in every build.)
 *
 * Lock order: kmem_caches_lock (the list of caches) before any cache's
 * lock; a cache's lock is never held across a call into the pmm.
 */
#ifndef KEEL_KMALLOC_H
#define KEEL_KMALLOC_H

#include <keel/compiler.h>

#define KM_ZERO			(1u << 0)	/* zero-fill the object */
#define KM_NOFAIL		(1u << 1)	/* never a failalloc= injected failure */

#define KMALLOC_MIN_ALIGN	16		/* alignment of every object */
#define KMALLOC_MAX_CACHE_SIZE	2048		/* larger requests take whole pages */
#define KMALLOC_MAX_SIZE	GiB		/* larger requests always fail */
#define KMEM_NAME_MAX		32		/* cache name, NUL included */

/* Debug fill patterns (KEEL_DEBUG builds only). */
#define KMEM_POISON_FREE	0x6b		/* every byte of a free object */
#define KMEM_POISON_ALLOC	0xa5		/* a new object without KM_ZERO */
#define KMEM_REDZONE_BYTE	0xbb		/* the guard bytes after an object */
#define KMEM_REDZONE_MIN	8		/* least guard bytes per object */

struct kmem_cache;

struct kmem_stats {
	size_t caches;		/* caches in existence, size classes included */
	uint64_t bytes_in_use;	/* usable bytes of live objects and large blocks */
	uint64_t pages_in_use;	/* pages held from the pmm (slabs and large blocks) */
	uint64_t allocs;	/* successful allocations since boot */
	uint64_t frees;		/* frees since boot (kfree(NULL) not counted) */
};

/*
 * Create the size-class caches.  Call once, after pmm_init() and before
 * any other function here.  Panics if it cannot (no memory is taken yet).
 */
void kmalloc_init(void);

/*
 * Allocate at least size bytes (flags: KM_ZERO).  Returns the object, or
 * NULL when size is 0, above KMALLOC_MAX_SIZE, or memory is short.
 * Requests above KMALLOC_MAX_CACHE_SIZE get 2^order whole pages, order =
 * ceil(log2(pages)).  Takes a cache lock; never sleeps.
 */
void *kmalloc(size_t size, unsigned flags);

/* kmalloc(size, KM_ZERO). */
void *kzalloc(size_t size);

/*
 * Free an object from kmalloc()/kzalloc() (or kmem_cache_alloc()); NULL is
 * ignored.  Panics on a pointer the heap does not own, a double free, or
 * (debug builds) a damaged red zone.  Takes a cache lock; never sleeps.
 */
void kfree(void *p);

/*
 * Bytes usable at p (at least what was asked for): the size of its cache's
 * objects, or the size of its page block.  0 for NULL; panics on a
 * pointer the heap does not own.
 */
size_t kmalloc_usable_size(const void *p);

/*
 * Create a cache of objects of size bytes, aligned to align (0 means
 * KMALLOC_MIN_ALIGN; otherwise a power of two, raised to at least
 * KMALLOC_MIN_ALIGN, at most a page).  name is copied (truncated to
 * KMEM_NAME_MAX - 1 characters).  Returns the cache, or NULL on bad
 * arguments (size 0, objects too large for a slab) or no memory.
 * Takes kmem_caches_lock; never sleeps.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align);

/*
 * Destroy a cache with no live objects, returning its slabs to the pmm.
 * Returns 0, or -EBUSY (and changes nothing) if objects are still
 * allocated.  The size-class caches cannot be destroyed (-EPERM).
 */
int kmem_cache_destroy(struct kmem_cache *c);

/* Allocate one object of c (flags: KM_ZERO); the object or NULL. */
void *kmem_cache_alloc(struct kmem_cache *c, unsigned flags);

/*
 * Return obj to c; NULL is ignored.  Panics if obj is not a live object
 * of c (wrong cache, bad pointer, double free) or its red zone is damaged.
 */
void kmem_cache_free(struct kmem_cache *c, void *obj);

/*
 * Give every cache's reserve of empty slabs back to the pmm, so that
 * pmm_free_frames() again counts all memory the heap does not use.
 */
void kmalloc_shrink(void);

/* Fill *st with a consistent-per-cache snapshot of the heap's counters. */
void kmalloc_stats(struct kmem_stats *st);

/*
 * Verify every cache: slab headers, list membership, object counts and,
 * in debug builds, the poison of every free object and every red zone.
 * Returns 0, or -EINVAL after printing each problem found (klog LOG_ERR).
 * Never panics.  Takes each cache's lock in turn.
 */
int kmalloc_check(void);

#endif

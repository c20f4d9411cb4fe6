/*
 * kmalloc_internal.h - the kernel heap's internal structures, shared by
 * kernel/mm/kmalloc.c (allocation) and kernel/mm/kmalloc_check.c (the debug
 * checker).  Not an interface: everything else uses keel/kmalloc.h.
 * Lock key (tags as in docs/locking.md): [lock] in struct kmem_cache, the
 * cache's spinlock; [cache->lock] in struct kmem_slab, the lock of the
 * cache that owns the slab; [kmem_caches_lock]; [I] immutable after setup.
 */
#ifndef KERNEL_KMALLOC_INTERNAL_H
#define KERNEL_KMALLOC_INTERNAL_H

#include <arch/layout.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <keel/spinlock.h>
#include <keel/panic.h>

#define KMEM_PAGE_SIZE		PAGE_SIZE
#define KMEM_DEBUG		(KEEL_DEBUG != 0)

#define KMEM_SLAB_MAX_ORDER	3	/* slabs are at most 8 pages */
#define KMEM_SLAB_MAX_OBJS	256	/* objects per slab (bitmap size) */
#define KMEM_MAP_BITS		64
#define KMEM_MAP_WORDS		(KMEM_SLAB_MAX_OBJS / KMEM_MAP_BITS)
#define KMEM_WASTE_DIV		8	/* take the first order wasting <= 1/8 */
#define KMEM_EMPTY_RESERVE	1	/* empty slabs a cache keeps */
#define KMEM_SLAB_MAGIC		0x51ab51abu
#define KMEM_CACHE_MAGIC	0xcac4eca5u

enum kmem_list_id { KMEM_PARTIAL, KMEM_FULL, KMEM_EMPTY, KMEM_NLISTS };


struct kmem_slab {
	struct list link;		/* [cache->lock] on c->lists[list] */
	struct kmem_cache *cache;	/* [I] owner */
	char *objs;			/* [I] object 0 */
	uint32_t magic;			/* [I] KMEM_SLAB_MAGIC while it exists */
	uint8_t order;			/* [I] 2^order pages */
	uint8_t list;			/* [cache->lock] enum kmem_list_id */
	uint16_t inuse;			/* [cache->lock] live objects */
	uint64_t map[KMEM_MAP_WORDS];	/* [cache->lock] bit i set: object i live */
};

struct kmem_cache {
	struct spinlock lock;		/* this cache and its slabs */
	char name[KMEM_NAME_MAX];	/* [I] */
	uint32_t magic;			/* [I] KMEM_CACHE_MAGIC while it exists */
	bool builtin;			/* [I] a static cache, never destroyed */
	unsigned order;			/* [I] pages per slab = 2^order */
	unsigned nobjs;			/* [I] objects per slab */
	size_t obj_size;		/* [I] usable bytes per object */
	size_t stride;			/* [I] obj_size + red zone, aligned */
	size_t align;			/* [I] object alignment */
	size_t objs_off;		/* [I] offset of object 0 in a slab */
	struct list lists[KMEM_NLISTS];	/* [lock] slabs by fill state */
	unsigned nslabs[KMEM_NLISTS];		/* [lock] length of each list */
	uint64_t inuse;			/* [lock] live objects */
	uint64_t allocs, frees;		/* [lock] lifetime counters */
	struct list all;		/* [kmem_caches_lock] on kmem_caches */
};

/* Every cache, for the checker and statistics. */
extern struct spinlock kmem_caches_lock;
extern struct list kmem_caches;          /* [kmem_caches_lock] struct kmem_cache.all */

#define kmem_slab_of(node) container_of((node), struct kmem_slab, link)
#define kmem_cache_of(node) container_of((node), struct kmem_cache, all)

/* Offset of the first byte of p[0..n) that is not byte, or n. */
size_t kmem_mismatch(const void *p, size_t n, uint8_t byte);
/* True if object i of slab s is allocated.  [s->cache->lock] held. */
bool kmem_slab_live(const struct kmem_slab *s, size_t i);

#endif

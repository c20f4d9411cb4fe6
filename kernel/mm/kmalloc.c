/*
 * kernel/mm/kmalloc.c - the kernel heap: slab caches under kmalloc()/kfree().
 *
 * Interface: <keel/kmalloc.h>.
 *
 * A cache (struct kmem_cache) hands out objects of one size.  It owns
 * slabs: blocks of 2^order pages from the pmm, each starting with a
 * struct kmem_slab header, followed by nobjs objects every `stride` bytes:
 *
 *   +-------------+-----+----------------+---------+-----+----------------+-
 *   | kmem_slab   | pad | object 0       | red     | ... | object n-1     |
 *   | (header)    |     | obj_size bytes | zone    |     |                |
 *   +-------------+-----+----------------+---------+-----+----------------+-
 *   ^ page aligned      ^ objs_off (aligned to align)
 *                       |<------ stride (multiple of align) ----->|
 *
 * The header's bitmap `map` records which objects are live (bit set), so
 * allocation is "first clear bit" and a double free or a pointer into the
 * middle of an object is caught exactly, in every build.  No free-list
 * pointer lives inside a free object, so the whole object can be poisoned.
 * Every page of a slab has PG_SLAB set and page->slab pointing at the
 * header: kfree() goes pointer -> struct page -> slab -> cache.  A large
 * kmalloc() block (more than KMALLOC_MAX_CACHE_SIZE bytes) is marked on
 * its head page only: PG_SLAB, page->slab == KMEM_LARGE, page->order.
 *
 * Each slab is on exactly one of its cache's three lists, by its live
 * count: EMPTY (0), PARTIAL (between), FULL (nobjs).  Allocation prefers
 * PARTIAL, then EMPTY, then a new slab.  When a free leaves more than
 * KMEM_EMPTY_RESERVE slabs on EMPTY, the extra one goes back to the pmm.
 *
 * Debug builds (KEEL_DEBUG): the red zone (stride - obj_size bytes, at
 * least KMEM_REDZONE_MIN) always holds KMEM_REDZONE_BYTE and a free
 * object always holds KMEM_POISON_FREE; both are checked when an object is
 * handed out and when it is freed, and by kmalloc_check().  Any mismatch
 * panics, naming the cache, the object and the offset.
 *
 * Locking: c->lock guards c's lists and counters and every mutable field
 * of c's slab headers (map, inuse, list links).  kmem_caches_lock guards
 * the list of caches and is taken before any cache lock.  Neither is held
 * across a call into the pmm: slabs are created and released unlocked
 * (a slab being created or released belongs to no list, so to no one
 * else).
 *
 * Lock key (tags as in docs/locking.md): [c->lock] the owning cache's
 * lock, [kmem_caches_lock],
 * [A] atomic, [I] immutable while the cache or slab exists.
 */
#include <arch/layout.h>
#include <keel/kmalloc.h>
#include <keel/failinject.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/pmm.h>
#include <keel/spinlock.h>
#include <keel/list.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>

#define KMEM_REDZONE		(KMEM_DEBUG ? KMEM_REDZONE_MIN : 0)
#include "kmalloc_internal.h"

/* Size classes, ascending; the last is KMALLOC_MAX_CACHE_SIZE. */
static const size_t kmalloc_sizes[] = {
	16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048,
};
#define KMALLOC_NCLASSES ARRAY_SIZE(kmalloc_sizes)

_Static_assert(KMEM_SLAB_MAX_OBJS % KMEM_MAP_BITS == 0, "bitmap words");
_Static_assert(KMEM_SLAB_MAX_OBJS <= UINT16_MAX, "slab inuse is 16 bits");
_Static_assert(KMALLOC_MAX_CACHE_SIZE == 2048, "kmalloc_sizes[] last entry");
_Static_assert(KMALLOC_MIN_ALIGN >= sizeof(uint64_t), "word poison check");
_Static_assert(sizeof(struct kmem_slab) < KMEM_PAGE_SIZE / 4, "slab header");

struct spinlock kmem_caches_lock = SPINLOCK_INIT("kmem_caches");
struct list kmem_caches = LIST_INIT(kmem_caches);
static size_t kmem_ncaches;			/* [kmem_caches_lock] */
/* Counters of destroyed caches, so stats stay "since boot". */
static uint64_t kmem_retired_allocs, kmem_retired_frees; /* [kmem_caches_lock] */

static struct kmem_cache kmem_cache_cache;	/* struct kmem_cache objects */
static struct kmem_cache kmalloc_caches[KMALLOC_NCLASSES];
static bool kmem_ready;				/* [I] after kmalloc_init() */

/* page->slab of the head page of a large kmalloc() block. */
static char kmem_large_tag;
#define KMEM_LARGE ((void *)&kmem_large_tag)

/* Large-block counters. [A] */
static uint64_t kmem_large_pages, kmem_large_allocs, kmem_large_frees;

#define kmem_slab_of(node) container_of((node), struct kmem_slab, link)
#define kmem_cache_of(node) container_of((node), struct kmem_cache, all)

/* Put s on the list matching its live count. */
static void kmem_slab_file(struct kmem_cache *c, struct kmem_slab *s)
{
	enum kmem_list_id to;

	spin_assert_held(&c->lock);
	if (s->inuse == 0)
		to = KMEM_EMPTY;
	else if (s->inuse == c->nobjs)
		to = KMEM_FULL;
	else
		to = KMEM_PARTIAL;
	if (to == s->list)
		return;
	list_remove(&s->link);
	c->nslabs[s->list]--;
	list_add_head(&c->lists[to], &s->link);
	c->nslabs[to]++;
	s->list = to;
}

/* ---------------------------------------------------------- debug fill */

typedef uint64_t __attribute__((may_alias)) kmem_word_t;

/* Offset of the first byte in [p, p + n) that is not `byte`, or n. */
size_t kmem_mismatch(const void *p, size_t n, uint8_t byte)
{
	const uint8_t *b = p;
	uint64_t pattern = byte * 0x0101010101010101ull;
	size_t i = 0;

	if (IS_ALIGNED((uintptr_t)p, sizeof(uint64_t)))
		for (; i + sizeof(uint64_t) <= n; i += sizeof(uint64_t))
			if (*(const kmem_word_t *)(b + i) != pattern)
				break;
	for (; i < n; i++)
		if (b[i] != byte)
			return i;
	return n;
}

static __noreturn void kmem_corrupt(const struct kmem_cache *c,
				    const void *obj, const char *what,
				    size_t off, uint8_t want)
{
	const uint8_t *b = obj;

	panic("kmem: cache %s: object %p: %s (byte %zu is 0x%02x, expected 0x%02x)",
	      c->name, obj, what, off, b[off], want);
}

/* Debug: panic unless obj's red zone is intact. */
static void kmem_check_redzone(const struct kmem_cache *c, const char *obj)
{
	size_t rz = c->stride - c->obj_size;
	size_t off = kmem_mismatch(obj + c->obj_size, rz, KMEM_REDZONE_BYTE);

	if (off < rz)
		kmem_corrupt(c, obj, "red zone overwritten", c->obj_size + off,
			     KMEM_REDZONE_BYTE);
}

/* Debug: panic unless the free object obj still holds only poison. */
static void kmem_check_poison(const struct kmem_cache *c, const char *obj)
{
	size_t off = kmem_mismatch(obj, c->obj_size, KMEM_POISON_FREE);

	if (off < c->obj_size)
		kmem_corrupt(c, obj, "written after free", off,
			     KMEM_POISON_FREE);
}

/* ---------------------------------------------------------- slabs */

/*
 * Allocate and format a slab for c (no lock held); NULL if out of memory.
 * pmm_flags: 0 or PMM_NOFAIL (for a KM_NOFAIL allocation).
 */
static struct kmem_slab *kmem_slab_new(struct kmem_cache *c, unsigned pmm_flags)
{
	char *base = pmm_alloc_pages(c->order, pmm_flags);
	struct kmem_slab *s = (struct kmem_slab *)base;

	if (!base)
		return NULL;
	memset(s, 0, sizeof(*s));
	list_init(&s->link);
	s->cache = c;
	s->objs = base + c->objs_off;
	s->magic = KMEM_SLAB_MAGIC;
	s->order = c->order;
	s->list = KMEM_EMPTY;
	for (size_t i = 0; i < (1ul << c->order); i++) {
		struct page *pg = pmm_virt_to_page(base + i * KMEM_PAGE_SIZE);

		pg->slab = s;
		pg->flags |= PG_SLAB;
	}
	if (KMEM_DEBUG) {
		for (unsigned i = 0; i < c->nobjs; i++) {
			char *obj = s->objs + i * c->stride;

			memset(obj, KMEM_POISON_FREE, c->obj_size);
			memset(obj + c->obj_size, KMEM_REDZONE_BYTE,
			       c->stride - c->obj_size);
		}
	}
	return s;
}

/* Return an unlisted empty slab to the pmm (no lock held). */
static void kmem_slab_release(struct kmem_slab *s)
{
	unsigned order = s->order;
	char *base = (char *)s;

	assert(s->inuse == 0);
	s->magic = 0;
	for (size_t i = 0; i < (1ul << order); i++) {
		struct page *pg = pmm_virt_to_page(base + i * KMEM_PAGE_SIZE);

		pg->flags &= ~PG_SLAB;
		pg->slab = NULL;
	}
	pmm_free_pages(base, order);
}

/* Move every empty slab of c onto the private list out. */
static void kmem_take_empty(struct kmem_cache *c, struct list *out)
{
	spin_assert_held(&c->lock);
	while (!list_empty(&c->lists[KMEM_EMPTY])) {
		struct list *n = c->lists[KMEM_EMPTY].next;

		list_remove(n);
		list_add_head(out, n);
		c->nslabs[KMEM_EMPTY]--;
	}
}

static void kmem_release_list(struct list *l)
{
	while (!list_empty(l)) {
		struct list *n = l->next;

		list_remove(n);
		kmem_slab_release(kmem_slab_of(n));
	}
}

/* Index of the first free object of a slab that has one. */
static unsigned kmem_slab_first_free(const struct kmem_cache *c,
				     const struct kmem_slab *s)
{
	for (unsigned w = 0; w < KMEM_MAP_WORDS; w++) {
		if (s->map[w] != ~0ull) {
			unsigned i = w * KMEM_MAP_BITS +
				     (unsigned)__builtin_ctzll(~s->map[w]);

			assert(i < c->nobjs);
			return i;
		}
	}
	panic("kmem: cache %s: slab %p on a free list has no free object",
	      c->name, (const void *)s);
}

bool kmem_slab_live(const struct kmem_slab *s, size_t i)
{
	return s->map[i / KMEM_MAP_BITS] & (1ull << (i % KMEM_MAP_BITS));
}

static void kmem_slab_mark(struct kmem_slab *s, size_t i, bool live)
{
	uint64_t bit = 1ull << (i % KMEM_MAP_BITS);

	if (live)
		s->map[i / KMEM_MAP_BITS] |= bit;
	else
		s->map[i / KMEM_MAP_BITS] &= ~bit;
}

/* ---------------------------------------------------------- objects */

/*
 * The slab holding heap pointer p, or NULL with *large set to its head
 * page if p is a large block.  Panics (naming who) if p is not the heap's.
 */
static struct kmem_slab *kmem_lookup(const void *p, const char *who,
				     struct page **large)
{
	struct page *pg = pmm_virt_to_page(p);
	struct kmem_slab *s;

	if (!pg || !(pg->flags & PG_SLAB) || !pg->slab)
		panic("%s: %p is not a heap pointer (or a large block freed twice)",
		      who, p);
	if (pg->slab == KMEM_LARGE) {
		if (!IS_ALIGNED((uintptr_t)p, KMEM_PAGE_SIZE))
			panic("%s: %p points inside a large block", who, p);
		*large = pg;
		return NULL;
	}
	s = pg->slab;
	if (s->magic != KMEM_SLAB_MAGIC || !s->cache ||
	    s->cache->magic != KMEM_CACHE_MAGIC)
		panic("%s: %p: slab header %p is corrupt", who, p, (void *)s);
	return s;
}

/* Index of live object p in s; panics otherwise.  Needs the cache lock. */
static size_t kmem_obj_index(const struct kmem_slab *s, const void *p,
			     const char *who)
{
	const struct kmem_cache *c = s->cache;
	uintptr_t off = (uintptr_t)p - (uintptr_t)s->objs;
	size_t i = off / c->stride;

	spin_assert_held(&s->cache->lock);
	if ((uintptr_t)p < (uintptr_t)s->objs || off % c->stride != 0 ||
	    i >= c->nobjs)
		panic("%s: %p is not an object of cache %s (slab %p)", who, p,
		      c->name, (const void *)s);
	if (!kmem_slab_live(s, i))
		panic("%s: %p in cache %s is free (double free or use after free)",
		      who, p, c->name);
	return i;
}

/*
 * Hand out one object of c, growing c if needed; NULL if out of memory.
 * flags: KM_NOFAIL passes PMM_NOFAIL to the pmm.
 */
static void *kmem_alloc_obj(struct kmem_cache *c, unsigned flags)
{
	struct kmem_slab *s;
	struct list *l;
	unsigned i;
	char *obj;

	spin_lock(&c->lock);
	while (list_empty(&c->lists[KMEM_PARTIAL]) &&
	       list_empty(&c->lists[KMEM_EMPTY])) {
		spin_unlock(&c->lock);
		s = kmem_slab_new(c, (flags & KM_NOFAIL) ? PMM_NOFAIL : 0);
		if (!s)
			return NULL;
		spin_lock(&c->lock);
		list_add_head(&c->lists[KMEM_EMPTY], &s->link);
		c->nslabs[KMEM_EMPTY]++;
	}
	l = &c->lists[KMEM_PARTIAL];
	if (list_empty(l))
		l = &c->lists[KMEM_EMPTY];
	s = kmem_slab_of(l->next);
	i = kmem_slab_first_free(c, s);
	obj = s->objs + (size_t)i * c->stride;
	if (KMEM_DEBUG) {
		kmem_check_poison(c, obj);
		kmem_check_redzone(c, obj);
	}
	kmem_slab_mark(s, i, true);
	s->inuse++;
	c->inuse++;
	c->allocs++;
	kmem_slab_file(c, s);
	spin_unlock(&c->lock);
	return obj;
}

/*
 * Return p to its slab s.  Panics if p is not live in s or, with expect
 * set, if s does not belong to expect.
 */
static void kmem_free_obj(struct kmem_slab *s, void *p, const char *who,
			  const struct kmem_cache *expect)
{
	struct kmem_cache *c = s->cache;
	struct kmem_slab *spare = NULL;
	size_t i;

	if (expect && c != expect)
		panic("%s: %p belongs to cache %s, not %s", who, p, c->name,
		      expect->name);
	spin_lock(&c->lock);
	i = kmem_obj_index(s, p, who);
	if (KMEM_DEBUG) {
		kmem_check_redzone(c, p);
		memset(p, KMEM_POISON_FREE, c->obj_size);
	}
	kmem_slab_mark(s, i, false);
	s->inuse--;
	c->inuse--;
	c->frees++;
	kmem_slab_file(c, s);
	if (s->inuse == 0 && c->nslabs[KMEM_EMPTY] > KMEM_EMPTY_RESERVE) {
		list_remove(&s->link);
		c->nslabs[KMEM_EMPTY]--;
		spare = s;
	}
	spin_unlock(&c->lock);
	if (spare)
		kmem_slab_release(spare);
}

/* ---------------------------------------------------------- caches */

/*
 * Lay out c's slabs for objects of size bytes aligned to align: the
 * smallest slab order that wastes at most 1/KMEM_WASTE_DIV of the slab,
 * else the order that fits the most objects.  -EINVAL if none fits one.
 */
static int kmem_geometry(struct kmem_cache *c, size_t size, size_t align)
{
	size_t stride = ALIGN_UP(size + KMEM_REDZONE, align);
	size_t off = ALIGN_UP(sizeof(struct kmem_slab), align);
	unsigned best = 0, best_n = 0;

	for (unsigned order = 0; order <= KMEM_SLAB_MAX_ORDER; order++) {
		size_t bytes = KMEM_PAGE_SIZE << order;
		size_t n = bytes > off ? (bytes - off) / stride : 0;

		n = MIN(n, (size_t)KMEM_SLAB_MAX_OBJS);
		if (n == 0)
			continue;
		if (n > best_n) {
			best = order;
			best_n = (unsigned)n;
		}
		if ((bytes - off - n * stride) * KMEM_WASTE_DIV <= bytes)
			break;
	}
	if (best_n == 0)
		return -EINVAL;
	c->obj_size = size;
	c->align = align;
	c->stride = stride;
	c->objs_off = off;
	c->order = best;
	c->nobjs = best_n;
	return 0;
}

/* Fill in and register the zeroed cache c; 0 or -EINVAL. */
static int kmem_cache_setup(struct kmem_cache *c, const char *name,
			    size_t size, size_t align, bool builtin)
{
	int err = kmem_geometry(c, size, align);

	if (err)
		return err;
	strlcpy(c->name, name, sizeof(c->name));
	spin_init(&c->lock, "kmem_cache");
	for (unsigned l = 0; l < KMEM_NLISTS; l++)
		list_init(&c->lists[l]);
	c->builtin = builtin;
	c->magic = KMEM_CACHE_MAGIC;
	spin_lock(&kmem_caches_lock);
	list_add_head(kmem_caches.prev, &c->all);
	kmem_ncaches++;
	spin_unlock(&kmem_caches_lock);
	return 0;
}

/* Create the cache of caches and the size classes.  See kmalloc.h. */
void kmalloc_init(void)
{
	char name[KMEM_NAME_MAX];

	assert(!kmem_ready);
	if (kmem_cache_setup(&kmem_cache_cache, "kmem_cache",
			     sizeof(struct kmem_cache), KMALLOC_MIN_ALIGN, true))
		panic("kmalloc_init: cannot lay out the cache of caches");
	for (size_t i = 0; i < KMALLOC_NCLASSES; i++) {
		snprintf(name, sizeof(name), "kmalloc-%zu", kmalloc_sizes[i]);
		if (kmem_cache_setup(&kmalloc_caches[i], name, kmalloc_sizes[i],
				     KMALLOC_MIN_ALIGN, true))
			panic("kmalloc_init: cannot lay out cache %s", name);
	}
	kmem_ready = true;
}

/* See kmalloc.h. */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align)
{
	struct kmem_cache probe = { .magic = 0 };
	struct kmem_cache *c;

	assert(kmem_ready);
	if (align == 0)
		align = KMALLOC_MIN_ALIGN;
	if (!name || size == 0 || (align & (align - 1)) != 0 ||
	    align > KMEM_PAGE_SIZE)
		return NULL;
	align = MAX(align, (size_t)KMALLOC_MIN_ALIGN);
	if (kmem_geometry(&probe, size, align))
		return NULL;
	c = kmem_alloc_obj(&kmem_cache_cache, 0);
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	if (kmem_cache_setup(c, name, size, align, false)) {
		kmem_cache_free(&kmem_cache_cache, c);
		return NULL;
	}
	return c;
}

/* See kmalloc.h. */
int kmem_cache_destroy(struct kmem_cache *c)
{
	struct list spare;
	int err = 0;

	assert(c && c->magic == KMEM_CACHE_MAGIC);
	if (c->builtin)
		return -EPERM;
	list_init(&spare);
	spin_lock(&kmem_caches_lock);
	spin_lock(&c->lock);
	if (c->inuse != 0) {
		err = -EBUSY;
		goto out_unlock;
	}
	kmem_take_empty(c, &spare);
	list_remove(&c->all);
	kmem_ncaches--;
	kmem_retired_allocs += c->allocs;
	kmem_retired_frees += c->frees;
	c->magic = 0;
out_unlock:
	spin_unlock(&c->lock);
	spin_unlock(&kmem_caches_lock);
	if (err)
		return err;
	kmem_release_list(&spare);
	kmem_cache_free(&kmem_cache_cache, c);
	return 0;
}

/* See kmalloc.h. */
void *kmem_cache_alloc(struct kmem_cache *c, unsigned flags)
{
	void *obj;

	assert(c && c->magic == KMEM_CACHE_MAGIC);
	if (!(flags & KM_NOFAIL) && fail_should(FAIL_HEAP))
		return NULL;
	obj = kmem_alloc_obj(c, flags);
	if (!obj)
		return NULL;
	if (flags & KM_ZERO)
		memset(obj, 0, c->obj_size);
	else if (KMEM_DEBUG)
		memset(obj, KMEM_POISON_ALLOC, c->obj_size);
	return obj;
}

/* See kmalloc.h. */
void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct page *large = NULL;
	struct kmem_slab *s;

	assert(c && c->magic == KMEM_CACHE_MAGIC);
	if (!obj)
		return;
	s = kmem_lookup(obj, "kmem_cache_free", &large);
	if (!s)
		panic("kmem_cache_free: %p is a large kmalloc block, not an object of %s",
		      obj, c->name);
	kmem_free_obj(s, obj, "kmem_cache_free", c);
}

/* ---------------------------------------------------------- kmalloc */

static unsigned kmem_large_order(size_t size)
{
	size_t pages = DIV_ROUND_UP(size, KMEM_PAGE_SIZE);
	unsigned order = 0;

	while ((1ul << order) < pages)
		order++;
	return order;
}

static void *kmalloc_large(size_t size, unsigned flags)
{
	unsigned order = kmem_large_order(size);
	struct page *pg;
	void *p;

	if (!(flags & KM_NOFAIL) && fail_should(FAIL_HEAP))
		return NULL;
	p = pmm_alloc_pages(order, ((flags & KM_ZERO) ? PMM_ZERO : 0) |
			    ((flags & KM_NOFAIL) ? PMM_NOFAIL : 0));
	if (!p)
		return NULL;
	pg = pmm_virt_to_page(p);
	pg->order = (uint8_t)order;
	pg->flags |= PG_SLAB;
	pg->slab = KMEM_LARGE;
	__atomic_fetch_add(&kmem_large_pages, 1ul << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kmem_large_allocs, 1, __ATOMIC_RELAXED);
	if (KMEM_DEBUG && !(flags & KM_ZERO))
		memset(p, KMEM_POISON_ALLOC, KMEM_PAGE_SIZE << order);
	return p;
}

/* Free the large block whose head page is pg (claimed atomically). */
static void kfree_large(void *p, struct page *pg)
{
	unsigned order = pg->order;

	if (__atomic_exchange_n(&pg->slab, NULL, __ATOMIC_ACQ_REL) != KMEM_LARGE)
		panic("kfree: double free of large block %p", p);
	pg->flags &= ~PG_SLAB;
	__atomic_fetch_sub(&kmem_large_pages, 1ul << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kmem_large_frees, 1, __ATOMIC_RELAXED);
	pmm_free_pages(p, order);
}

/* See kmalloc.h. */
void *kmalloc(size_t size, unsigned flags)
{
	assert(kmem_ready);
	if (size == 0 || size > KMALLOC_MAX_SIZE)
		return NULL;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(size, flags);
	for (size_t i = 0; i < KMALLOC_NCLASSES; i++)
		if (size <= kmalloc_sizes[i])
			return kmem_cache_alloc(&kmalloc_caches[i], flags);
	BUG();
}

/* See kmalloc.h. */
void *kzalloc(size_t size)
{
	return kmalloc(size, KM_ZERO);
}

/* See kmalloc.h. */
void kfree(void *p)
{
	struct page *large = NULL;
	struct kmem_slab *s;

	if (!p)
		return;
	s = kmem_lookup(p, "kfree", &large);
	if (!s)
		kfree_large(p, large);
	else
		kmem_free_obj(s, p, "kfree", NULL);
}

/* See kmalloc.h. */
size_t kmalloc_usable_size(const void *p)
{
	struct page *large = NULL;
	struct kmem_slab *s;

	if (!p)
		return 0;
	s = kmem_lookup(p, "kmalloc_usable_size", &large);
	if (!s)
		return KMEM_PAGE_SIZE << large->order;
	spin_lock(&s->cache->lock);
	kmem_obj_index(s, p, "kmalloc_usable_size");
	spin_unlock(&s->cache->lock);
	return s->cache->obj_size;
}

/* ---------------------------------------------------------- whole heap */

/* See kmalloc.h. */
void kmalloc_shrink(void)
{
	struct list spare;
	struct list *n;

	list_init(&spare);
	spin_lock(&kmem_caches_lock);
	for (n = kmem_caches.next; n != &kmem_caches; n = n->next) {
		struct kmem_cache *c = kmem_cache_of(n);

		spin_lock(&c->lock);
		kmem_take_empty(c, &spare);
		spin_unlock(&c->lock);
	}
	spin_unlock(&kmem_caches_lock);
	kmem_release_list(&spare);
}

/* See kmalloc.h. */
void kmalloc_stats(struct kmem_stats *st)
{
	struct list *n;

	memset(st, 0, sizeof(*st));
	spin_lock(&kmem_caches_lock);
	st->caches = kmem_ncaches;
	st->allocs = kmem_retired_allocs;
	st->frees = kmem_retired_frees;
	for (n = kmem_caches.next; n != &kmem_caches; n = n->next) {
		struct kmem_cache *c = kmem_cache_of(n);
		uint64_t slabs;

		spin_lock(&c->lock);
		slabs = c->nslabs[KMEM_PARTIAL] + c->nslabs[KMEM_FULL] +
			c->nslabs[KMEM_EMPTY];
		st->bytes_in_use += c->inuse * c->obj_size;
		st->pages_in_use += slabs << c->order;
		st->allocs += c->allocs;
		st->frees += c->frees;
		spin_unlock(&c->lock);
	}
	spin_unlock(&kmem_caches_lock);
	st->pages_in_use += __atomic_load_n(&kmem_large_pages, __ATOMIC_RELAXED);
	st->bytes_in_use += __atomic_load_n(&kmem_large_pages, __ATOMIC_RELAXED) *
			    KMEM_PAGE_SIZE;
	st->allocs += __atomic_load_n(&kmem_large_allocs, __ATOMIC_RELAXED);
	st->frees += __atomic_load_n(&kmem_large_frees, __ATOMIC_RELAXED);
}

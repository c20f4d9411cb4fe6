/*
 * kmalloc_check.c - kmalloc_check(): walks every cache and slab of the
 * kernel heap and verifies its invariants (headers, list membership, live
 * counts against the bitmaps, red zones and free-object poison in debug
 * builds).  Prints each problem; never panics.
 */
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/pmm.h>
#include <lib/errno.h>
#include "kmalloc_internal.h"

static const char *const kmem_list_names[KMEM_NLISTS] = {
	[KMEM_PARTIAL] = "partial", [KMEM_FULL] = "full", [KMEM_EMPTY] = "empty",
};

/* Debug: check every object's red zone and every free object's poison. */
static int kmem_check_objects(const struct kmem_cache *c,
			      const struct kmem_slab *s)
{
	int bad = 0;

	for (unsigned i = 0; i < c->nobjs; i++) {
		const char *obj = s->objs + (size_t)i * c->stride;
		size_t rz = c->stride - c->obj_size;
		size_t off = kmem_mismatch(obj + c->obj_size, rz,
					   KMEM_REDZONE_BYTE);

		if (off < rz) {
			klog(LOG_ERR, "kmem check: cache %s: object %p: red zone overwritten at byte %zu\n",
			     c->name, obj, c->obj_size + off);
			bad++;
		}
		if (kmem_slab_live(s, i))
			continue;
		off = kmem_mismatch(obj, c->obj_size, KMEM_POISON_FREE);
		if (off < c->obj_size) {
			klog(LOG_ERR, "kmem check: cache %s: free object %p written after free at byte %zu\n",
			     c->name, obj, off);
			bad++;
		}
	}
	return bad;
}

/* Check one slab found on list l of c; returns the number of problems. */
static int kmem_check_slab(const struct kmem_cache *c,
			   const struct kmem_slab *s, enum kmem_list_id l)
{
	unsigned live = 0;
	bool fill_ok;

	if (s->magic != KMEM_SLAB_MAGIC || s->cache != c) {
		klog(LOG_ERR, "kmem check: cache %s: slab %p: bad header\n",
		     c->name, (const void *)s);
		return 1;	/* nothing else in it can be trusted */
	}
	for (size_t i = 0; i < (1ul << s->order); i++) {
		struct page *pg = pmm_virt_to_page((const char *)s +
						   i * KMEM_PAGE_SIZE);

		if (!pg || !(pg->flags & PG_SLAB) || pg->slab != s) {
			klog(LOG_ERR, "kmem check: cache %s: slab %p: page %zu not marked\n",
			     c->name, (const void *)s, i);
			return 1;
		}
	}
	for (unsigned w = 0; w < KMEM_MAP_WORDS; w++)
		live += bit_count64(s->map[w]);
	fill_ok = l == KMEM_EMPTY ? live == 0 :
		  l == KMEM_FULL  ? live == c->nobjs :
				    live > 0 && live < c->nobjs;
	if (live != s->inuse || s->list != l || !fill_ok ||
	    s->objs != (const char *)s + c->objs_off) {
		klog(LOG_ERR, "kmem check: cache %s: slab %p on %s list: %u live, inuse %u\n",
		     c->name, (const void *)s, kmem_list_names[l], live,
		     s->inuse);
		return 1;
	}
	return KMEM_DEBUG ? kmem_check_objects(c, s) : 0;
}

/* Check cache c (its lock held); returns the number of problems. */
static int kmem_check_cache(struct kmem_cache *c)
{
	uint64_t live = 0;
	int bad = 0;

	spin_assert_held(&c->lock);
	for (unsigned l = 0; l < KMEM_NLISTS; l++) {
		const struct list *h = &c->lists[l], *n;
		unsigned count = 0;

		for (n = h->next; n != h && count <= c->nslabs[l]; n = n->next) {
			const struct kmem_slab *s = kmem_slab_of(n);

			count++;
			if (n->next->prev != n) {
				klog(LOG_ERR, "kmem check: cache %s: %s list broken at %p\n",
				     c->name, kmem_list_names[l], (const void *)s);
				bad++;
				break;
			}
			bad += kmem_check_slab(c, s, l);
			live += s->inuse;
		}
		if (count != c->nslabs[l]) {
			klog(LOG_ERR, "kmem check: cache %s: %s list holds %u slabs, expected %u\n",
			     c->name, kmem_list_names[l], count, c->nslabs[l]);
			bad++;
		}
	}
	if (!bad && live != c->inuse) {
		klog(LOG_ERR, "kmem check: cache %s: %llu live objects, counter says %llu\n",
		     c->name, (unsigned long long)live,
		     (unsigned long long)c->inuse);
		bad++;
	}
	return bad;
}

/* See kmalloc.h. */
int kmalloc_check(void)
{
	struct list *n;
	int bad = 0;

	spin_lock(&kmem_caches_lock);
	for (n = kmem_caches.next; n != &kmem_caches; n = n->next) {
		struct kmem_cache *c = kmem_cache_of(n);

		if (c->magic != KMEM_CACHE_MAGIC) {
			klog(LOG_ERR, "kmem check: cache %p: bad magic\n",
			     (void *)c);
			bad++;
			continue;
		}
		spin_lock(&c->lock);
		bad += kmem_check_cache(c);
		spin_unlock(&c->lock);
	}
	spin_unlock(&kmem_caches_lock);
	return bad ? -EINVAL : 0;
}

/*
 * test_kmalloc.c - host unit tests for the kernel heap (kernel/mm/kmalloc.c).
 *
 * The heap runs on the fakes in fake_pmm.c (pages from aligned_alloc) and
 * fake_kernel.c (spinlocks that check discipline, a panic() that tests
 * can catch).  The build defines KEEL_DEBUG=1, so poisoning and red zones
 * are on (with KEEL_DEBUG=0 the debug-only checks are skipped).
 * kmalloc_init() runs once for the whole binary; every test leaves the
 * heap as it found it (apart from empty reserve slabs) and checks that no
 * spinlock is left held and that kmalloc_check() passes.
 * The stress test keeps a shadow pattern for every live block to prove
 * no allocation ever overlaps another.
 */
#include <stdlib.h>

#include "fake_kernel.h"
#include "htest.h"
#include <arch/layout.h>
#include <keel/kmalloc.h>
#include <keel/pmm.h>
#include <lib/errno.h>
#include <lib/string.h>

static void tk_init(void)
{
	static bool done;

	if (!done) {
		kmalloc_init();
		done = true;
	}
	fake_log_clear();
}

/* Pages the heap holds beyond its empty reserves, after a shrink. */
static uint64_t tk_baseline(void)
{
	kmalloc_shrink();
	return fake_pmm_frames_in_use();
}

static void tk_done(uint64_t baseline)
{
	HCHECK_EQ(fake_locks_held(), 0);
	HCHECK_EQ(kmalloc_check(), 0);
	HCHECK_EQ(tk_baseline(), baseline);
}

static bool tk_all(const void *p, size_t n, uint8_t byte)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != byte)
			return false;
	return true;
}

/* Small deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t tk_rand_state;

static uint64_t tk_rand(void)
{
	tk_rand_state ^= tk_rand_state >> 12;
	tk_rand_state ^= tk_rand_state << 25;
	tk_rand_state ^= tk_rand_state >> 27;
	return tk_rand_state * 0x2545F4914F6CDD1DULL;
}

/* ---------------------------------------------------------------- basics */

HTEST(kmalloc_size_classes)
{
	static const size_t sizes[][2] = {	/* request, usable size */
		{ 1, 16 }, { 15, 16 }, { 16, 16 }, { 17, 32 }, { 32, 32 },
		{ 33, 64 }, { 64, 64 }, { 65, 96 }, { 96, 96 }, { 97, 128 },
		{ 128, 128 }, { 129, 192 }, { 192, 192 }, { 193, 256 },
		{ 256, 256 }, { 257, 512 }, { 512, 512 }, { 513, 1024 },
		{ 1024, 1024 }, { 1025, 2048 }, { 2047, 2048 }, { 2048, 2048 },
	};
	uint64_t base;

	tk_init();
	base = tk_baseline();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *p = kmalloc(sizes[i][0], 0);

		HCHECK(p != NULL);
		if (!p)
			continue;
		HCHECK(IS_ALIGNED((uintptr_t)p, KMALLOC_MIN_ALIGN));
		HCHECK_EQ(kmalloc_usable_size(p), sizes[i][1]);
		HCHECK(!KEEL_DEBUG || tk_all(p, sizes[i][1], KMEM_POISON_ALLOC));
		memset(p, 0x11, kmalloc_usable_size(p));	/* all of it is ours */
		HCHECK_EQ(kmalloc_check(), 0);
		kfree(p);
	}
	tk_done(base);
}

HTEST(kmalloc_bad_sizes_and_null)
{
	struct kmem_stats before, after;

	tk_init();
	kmalloc_stats(&before);
	HCHECK(kmalloc(0, 0) == NULL);
	HCHECK(kzalloc(0) == NULL);
	HCHECK(kmalloc(KMALLOC_MAX_SIZE + 1, 0) == NULL);
	HCHECK(kmalloc(SIZE_MAX, KM_ZERO) == NULL);
	HCHECK(kmalloc(SIZE_MAX / 2, 0) == NULL);
	kfree(NULL);
	HCHECK_EQ(kmalloc_usable_size(NULL), 0);
	kmalloc_stats(&after);
	HCHECK_EQ(after.allocs, before.allocs);
	HCHECK_EQ(after.frees, before.frees);
	HCHECK_EQ(fake_locks_held(), 0);
}

HTEST(kmalloc_kzalloc_zeroes)
{
	uint64_t base;

	tk_init();
	base = tk_baseline();
	for (size_t sz = 1; sz <= 3 * PAGE_SIZE; sz = sz * 3 + 1) {
		uint8_t *p = kmalloc(sz, 0);
		uint8_t *z;

		HCHECK(p != NULL);
		memset(p, 0xee, sz);
		kfree(p);
		z = kzalloc(sz);
		HCHECK(z != NULL);
		HCHECK(tk_all(z, kmalloc_usable_size(z), 0));
		kfree(z);
		z = kmalloc(sz, KM_ZERO);
		HCHECK(tk_all(z, sz, 0));
		kfree(z);
	}
	tk_done(base);
}

HTEST(kmalloc_distinct_objects)
{
	enum { N = 3000 };
	static uint8_t *p[N];
	uint64_t base;

	tk_init();
	base = tk_baseline();
	for (int i = 0; i < N; i++) {
		p[i] = kmalloc(48, 0);
		HCHECK(p[i] != NULL);
		memset(p[i], (uint8_t)i, 48);
	}
	for (int i = 0; i < N; i++)
		HCHECK(tk_all(p[i], 48, (uint8_t)i));
	HCHECK_EQ(kmalloc_check(), 0);
	for (int i = 0; i < N; i += 2)
		kfree(p[i]);
	for (int i = 1; i < N; i += 2)
		HCHECK(tk_all(p[i], 48, (uint8_t)i));
	for (int i = 1; i < N; i += 2)
		kfree(p[i]);
	tk_done(base);
}

HTEST(kmalloc_large_blocks)
{
	static const size_t sizes[][2] = {	/* bytes, order */
		{ 2049, 0 }, { PAGE_SIZE, 0 }, { PAGE_SIZE + 1, 1 },
		{ 2 * PAGE_SIZE, 1 }, { 3 * PAGE_SIZE + 1, 2 },
		{ 5 * PAGE_SIZE, 3 }, { MiB, 8 }, { 4 * MiB, 10 },
	};
	uint64_t base;

	tk_init();
	base = tk_baseline();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t before = fake_pmm_frames_in_use();
		size_t bytes = PAGE_SIZE << sizes[i][1];
		uint8_t *p = kmalloc(sizes[i][0], 0);
		uint8_t *z;

		HCHECK(p != NULL);
		if (!p)
			continue;
		HCHECK(IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
		HCHECK_EQ(kmalloc_usable_size(p), bytes);
		HCHECK_EQ(fake_pmm_frames_in_use() - before, 1u << sizes[i][1]);
		HCHECK_EQ(pmm_virt_to_page(p)->order, sizes[i][1]);
		memset(p, 0x5c, bytes);
		z = kzalloc(sizes[i][0]);
		HCHECK(z != NULL && tk_all(z, bytes, 0));
		kfree(z);
		HCHECK(tk_all(p, bytes, 0x5c));
		kfree(p);
		HCHECK_EQ(fake_pmm_frames_in_use(), before);
	}
	/* More than the pmm's largest block (BUDDY_MAX_ORDER) fails cleanly. */
	HCHECK(kmalloc(8 * MiB, 0) == NULL);
	tk_done(base);
}

HTEST(kmalloc_stats_track)
{
	struct kmem_stats a, b, c;
	void *small, *large;

	tk_init();
	kmalloc_stats(&a);
	HCHECK_EQ(a.caches, 11);	/* kmem_cache + 10 size classes */
	small = kmalloc(100, 0);
	large = kmalloc(3 * PAGE_SIZE, 0);
	kmalloc_stats(&b);
	HCHECK_EQ(b.allocs - a.allocs, 2);
	HCHECK_EQ(b.bytes_in_use - a.bytes_in_use, 128 + 4 * PAGE_SIZE);
	HCHECK(b.pages_in_use >= a.pages_in_use + 4);
	kfree(small);
	kfree(large);
	kmalloc_stats(&c);
	HCHECK_EQ(c.frees - a.frees, 2);
	HCHECK_EQ(c.bytes_in_use, a.bytes_in_use);
	HCHECK_EQ(fake_locks_held(), 0);
}

/* ---------------------------------------------------------------- caches */

HTEST(kmalloc_cache_create_alloc_free)
{
	enum { N = 500 };
	static uint8_t *p[N];
	struct kmem_stats st0, st1;
	struct kmem_cache *c;
	uint64_t base;

	tk_init();
	base = tk_baseline();
	kmalloc_stats(&st0);
	c = kmem_cache_create("test_thread", 200, 64);
	HCHECK(c != NULL);
	if (!c)
		return;
	kmalloc_stats(&st1);
	HCHECK_EQ(st1.caches, st0.caches + 1);
	for (int i = 0; i < N; i++) {
		p[i] = kmem_cache_alloc(c, i % 2 ? KM_ZERO : 0);
		HCHECK(p[i] != NULL);
		HCHECK(IS_ALIGNED((uintptr_t)p[i], 64));
		if (i % 2)
			HCHECK(tk_all(p[i], 200, 0));
		else
			HCHECK(!KEEL_DEBUG || tk_all(p[i], 200, KMEM_POISON_ALLOC));
		HCHECK_EQ(kmalloc_usable_size(p[i]), 200);
		memset(p[i], (uint8_t)i, 200);
	}
	for (int i = 0; i < N; i++)
		HCHECK(tk_all(p[i], 200, (uint8_t)i));
	HCHECK_EQ(kmalloc_check(), 0);
	HCHECK_EQ(kmem_cache_destroy(c), -EBUSY);
	for (int i = 0; i < N; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_free(c, NULL);
	p[0] = kmem_cache_alloc(c, 0);
	kfree(p[0]);			/* kfree works on any heap object */
	HCHECK_EQ(kmem_cache_destroy(c), 0);
	kmalloc_stats(&st1);
	HCHECK_EQ(st1.caches, st0.caches);
	tk_done(base);
}

HTEST(kmalloc_cache_args)
{
	struct kmem_cache *c;

	tk_init();
	HCHECK(kmem_cache_create("zero", 0, 0) == NULL);
	HCHECK(kmem_cache_create("npot", 32, 24) == NULL);
	HCHECK(kmem_cache_create("bigalign", 32, 2 * PAGE_SIZE) == NULL);
	HCHECK(kmem_cache_create("huge", MiB, 0) == NULL);
	HCHECK(kmem_cache_create(NULL, 32, 0) == NULL);

	c = kmem_cache_create("a_rather_long_cache_name_that_gets_cut", 1, 8);
	HCHECK(c != NULL);
	for (int i = 0; c && i < 100; i++) {
		void *o = kmem_cache_alloc(c, 0);

		HCHECK(IS_ALIGNED((uintptr_t)o, KMALLOC_MIN_ALIGN));
		kmem_cache_free(c, o);
	}
	if (c)
		HCHECK_EQ(kmem_cache_destroy(c), 0);

	c = kmem_cache_create("page", PAGE_SIZE, PAGE_SIZE);
	HCHECK(c != NULL);
	if (c) {
		void *o = kmem_cache_alloc(c, KM_ZERO);

		HCHECK(IS_ALIGNED((uintptr_t)o, PAGE_SIZE));
		HCHECK(tk_all(o, PAGE_SIZE, 0));
		kmem_cache_free(c, o);
		HCHECK_EQ(kmem_cache_destroy(c), 0);
	}
	HCHECK_EQ(fake_locks_held(), 0);
	HCHECK_EQ(kmalloc_check(), 0);
}

HTEST(kmalloc_out_of_memory)
{
	struct kmem_cache *c;
	uint64_t base;

	tk_init();
	base = tk_baseline();
	c = kmem_cache_create("oom", 512, 0);
	HCHECK(c != NULL);
	if (!c)
		return;
	fake_pmm_set_limit(fake_pmm_frames_in_use());
	HCHECK(kmem_cache_alloc(c, 0) == NULL);
	HCHECK(kmalloc(10000, 0) == NULL);
	fake_pmm_set_limit(0);
	HCHECK_EQ(kmem_cache_destroy(c), 0);
	tk_done(base);
}

/* ---------------------------------------------------------------- debug checks */

HTEST(kmalloc_use_after_free_detected)
{
	struct kmem_cache *c;
	uint8_t *a, *b, *p;
	uint64_t base;

	if (!KEEL_DEBUG)
		return;		/* poison and red zones are debug-only */
	tk_init();
	base = tk_baseline();
	c = kmem_cache_create("uaf_test", 64, 0);
	HCHECK(c != NULL);
	if (!c)
		return;
	a = kmem_cache_alloc(c, 0);
	b = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, a);
	a[10] = 0x42;			/* write after free */

	fake_log_quiet = true;
	HCHECK_EQ(kmalloc_check(), -EINVAL);
	fake_log_quiet = false;
	HCHECK(strstr(fake_log, "uaf_test") != NULL);
	HCHECK(strstr(fake_log, "written after free") != NULL);

	/* a is the first free slot, so the next allocation finds the damage. */
	HCHECK(FAKE_PANICS(p = kmem_cache_alloc(c, 0)));
	HCHECK(strstr(fake_panic_msg, "uaf_test") != NULL);
	HCHECK(strstr(fake_panic_msg, "written after free") != NULL);
	HCHECK(strstr(fake_panic_msg, "byte 10 ") != NULL);
	HCHECK_EQ(fake_locks_held(), 0);

	a[10] = KMEM_POISON_FREE;	/* repair, and the heap is whole again */
	HCHECK_EQ(kmalloc_check(), 0);
	p = kmem_cache_alloc(c, 0);
	HCHECK(p == a);
	kmem_cache_free(c, p);
	kmem_cache_free(c, b);
	HCHECK_EQ(kmem_cache_destroy(c), 0);
	tk_done(base);
}

HTEST(kmalloc_redzone_overrun_detected)
{
	struct kmem_cache *c;
	uint8_t *p, *q;
	char addr[32];
	uint64_t base;

	if (!KEEL_DEBUG)
		return;		/* poison and red zones are debug-only */
	tk_init();
	base = tk_baseline();

	p = kmalloc(64, 0);
	HCHECK(p != NULL);
	p[64] = 'x';			/* one byte past the end */
	fake_log_quiet = true;
	HCHECK_EQ(kmalloc_check(), -EINVAL);
	fake_log_quiet = false;
	HCHECK(strstr(fake_log, "kmalloc-64") != NULL);
	HCHECK(strstr(fake_log, "red zone") != NULL);

	HCHECK(FAKE_PANICS(kfree(p)));
	snprintf(addr, sizeof(addr), "%p", (void *)p);
	HCHECK(strstr(fake_panic_msg, "kmalloc-64") != NULL);
	HCHECK(strstr(fake_panic_msg, "red zone") != NULL);
	HCHECK(strstr(fake_panic_msg, addr) != NULL);
	HCHECK_EQ(fake_locks_held(), 0);
	p[64] = KMEM_REDZONE_BYTE;	/* repair: the object is still live */
	HCHECK_EQ(kmalloc_usable_size(p), 64);
	kfree(p);

	/* An odd-sized cache: the red zone starts right at obj_size. */
	c = kmem_cache_create("rz_odd", 40, 0);

	q = kmem_cache_alloc(c, 0);
	q[40 + KMEM_REDZONE_MIN - 1] = 0;
	HCHECK(FAKE_PANICS(kmem_cache_free(c, q)));
	HCHECK(strstr(fake_panic_msg, "rz_odd") != NULL);
	q[40 + KMEM_REDZONE_MIN - 1] = KMEM_REDZONE_BYTE;
	kmem_cache_free(c, q);
	HCHECK_EQ(kmem_cache_destroy(c), 0);
	tk_done(base);
}

HTEST(kmalloc_bad_frees_detected)
{
	struct kmem_cache *c1, *c2;
	uint8_t *p, *large, *o;
	int local;
	uint64_t base;

	tk_init();
	base = tk_baseline();
	p = kmalloc(32, 0);

	kfree(p);
	HCHECK(FAKE_PANICS(kfree(p)));
	HCHECK(strstr(fake_panic_msg, "double free") != NULL);
	HCHECK(strstr(fake_panic_msg, "kmalloc-32") != NULL);

	HCHECK(FAKE_PANICS(kfree(&local)));
	HCHECK(strstr(fake_panic_msg, "not a heap pointer") != NULL);

	p = kmalloc(32, 0);
	HCHECK(FAKE_PANICS(kfree(p + 8)));
	HCHECK(strstr(fake_panic_msg, "not an object of cache kmalloc-32") != NULL);
	HCHECK(FAKE_PANICS(kmalloc_usable_size(p + 1)));
	kfree(p);
	HCHECK(FAKE_PANICS(kmalloc_usable_size(p)));	/* freed */

	large = kmalloc(3 * PAGE_SIZE, 0);
	HCHECK(FAKE_PANICS(kfree(large + 16)));
	HCHECK(strstr(fake_panic_msg, "inside a large block") != NULL);
	HCHECK(FAKE_PANICS(kfree(large + PAGE_SIZE)));
	HCHECK(strstr(fake_panic_msg, "not a heap pointer") != NULL);
	kfree(large);
	/* The fake pmm forgot the block, so it is no heap pointer now either. */
	HCHECK(FAKE_PANICS(kfree(large)));

	c1 = kmem_cache_create("c1", 64, 0);
	c2 = kmem_cache_create("c2", 64, 0);
	o = kmem_cache_alloc(c1, 0);
	HCHECK(FAKE_PANICS(kmem_cache_free(c2, o)));
	HCHECK(strstr(fake_panic_msg, "belongs to cache c1, not c2") != NULL);
	kmem_cache_free(c1, o);
	HCHECK(FAKE_PANICS(kmem_cache_free(c1, o)));
	HCHECK(strstr(fake_panic_msg, "double free") != NULL);
	HCHECK_EQ(kmem_cache_destroy(c1), 0);
	HCHECK_EQ(kmem_cache_destroy(c2), 0);
	tk_done(base);
}

/* ---------------------------------------------------------------- stress */

struct tk_slot {
	uint8_t *p;
	size_t size;
	uint8_t seed;
	struct kmem_cache *cache;	/* NULL: kmalloc */
};

static uint8_t tk_byte(const struct tk_slot *s, size_t i)
{
	return (uint8_t)(s->seed + i * 7 + (i >> 8));
}

static bool tk_slot_intact(const struct tk_slot *s)
{
	for (size_t i = 0; i < s->size; i++)
		if (s->p[i] != tk_byte(s, i))
			return false;
	return true;
}

static size_t tk_rand_size(void)
{
	uint64_t r = tk_rand() % 100;

	if (r < 70)
		return 1 + tk_rand() % 256;
	if (r < 90)
		return 257 + tk_rand() % (KMALLOC_MAX_CACHE_SIZE - 256);
	if (r < 98)
		return KMALLOC_MAX_CACHE_SIZE + 1 + tk_rand() % (4 * PAGE_SIZE);
	return 1 + tk_rand() % (16 * PAGE_SIZE);
}

static void tk_slot_fill(struct tk_slot *s, struct kmem_cache *caches[],
			 size_t cache_sizes[])
{
	uint64_t kind = tk_rand() % 8;
	bool zero = tk_rand() % 4 == 0;

	if (kind < 2) {
		s->cache = caches[kind];
		s->size = cache_sizes[kind];
		s->p = kmem_cache_alloc(s->cache, zero ? KM_ZERO : 0);
	} else {
		s->cache = NULL;
		s->size = tk_rand_size();
		s->p = kmalloc(s->size, zero ? KM_ZERO : 0);
	}
	HCHECK(s->p != NULL);
	if (!s->p)
		return;
	if (zero)
		HCHECK(tk_all(s->p, s->size, 0));
	HCHECK(kmalloc_usable_size(s->p) >= s->size);
	s->seed = (uint8_t)tk_rand();
	for (size_t i = 0; i < s->size; i++)
		s->p[i] = tk_byte(s, i);
}

static void tk_slot_free(struct tk_slot *s)
{
	HCHECK(tk_slot_intact(s));
	if (s->cache)
		kmem_cache_free(s->cache, s->p);
	else
		kfree(s->p);
	s->p = NULL;
}

HTEST(kmalloc_stress)
{
	enum { NSLOTS = 1024, NOPS = 100000, CHECK_EVERY = 10000 };
	static struct tk_slot slots[NSLOTS];
	struct kmem_cache *caches[2];
	size_t cache_sizes[2] = { 24, 200 };
	struct kmem_stats st0, st1;
	uint64_t base, nallocs = 0;
	unsigned bad = 0;

	tk_init();
	base = tk_baseline();
	kmalloc_stats(&st0);
	caches[0] = kmem_cache_create("stress_small", cache_sizes[0], 8);
	caches[1] = kmem_cache_create("stress_big", cache_sizes[1], 64);
	HCHECK(caches[0] && caches[1]);
	if (!caches[0] || !caches[1])
		return;
	tk_rand_state = 0x6b65656c6b6d656dull;
	for (int op = 1; op <= NOPS; op++) {
		struct tk_slot *s = &slots[tk_rand() % NSLOTS];

		if (s->p) {
			tk_slot_free(s);
		} else {
			tk_slot_fill(s, caches, cache_sizes);
			nallocs++;
		}
		if (op % CHECK_EVERY)
			continue;
		for (int i = 0; i < NSLOTS; i++)
			if (slots[i].p && !tk_slot_intact(&slots[i]))
				bad++;
		HCHECK_EQ(kmalloc_check(), 0);
	}
	HCHECK_EQ(bad, 0);
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].p)
			tk_slot_free(&slots[i]);
	HCHECK_EQ(kmem_cache_destroy(caches[0]), 0);
	HCHECK_EQ(kmem_cache_destroy(caches[1]), 0);
	kmalloc_stats(&st1);
	HCHECK_EQ(st1.bytes_in_use, st0.bytes_in_use);
	HCHECK_EQ(st1.allocs - st0.allocs, st1.frees - st0.frees);
	/* The two struct kmem_cache objects count too. */
	HCHECK_EQ(st1.allocs - st0.allocs, nallocs + 2);
	HCHECK(nallocs > NOPS / 3);
	tk_done(base);
}

HTEST(kmalloc_pages_return)
{
	enum { N = 4000 };
	static void *p[N];
	uint64_t base, peak;

	tk_init();
	base = tk_baseline();
	for (int i = 0; i < N; i++)
		p[i] = kmalloc(16 + (size_t)(i % 2000), 0);
	peak = fake_pmm_frames_in_use();
	HCHECK(peak > base + 100);
	for (int i = 0; i < N; i++)
		kfree(p[i]);
	/* Without a shrink at most one reserve slab per cache stays. */
	HCHECK(fake_pmm_frames_in_use() - base <= 11 * 8);
	tk_done(base);
}

/*
 * test_pmap.c - in-kernel tests of user page tables (keel/pmap.h) and of
 * the user-memory copies (keel/uaccess.h).
 *
 * The tests run in a kernel thread, so loading a pmap keeps the kernel
 * half and execution simply continues; every test leaves the bootstrap
 * tables loaded on every CPU (pmap_activate(NULL)) and destroys its
 * pmaps.  Frames come from pmm_alloc_page with one reference per mapping,
 * as the VM will do.  The shootdown test is meaningful with -smp 2 or more.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/cpu.h>
#include <keel/smp.h>
#include <keel/pmap.h>
#include <keel/pmm.h>
#include <keel/uaccess.h>
#include <keel/failinject.h>
#include <lib/string.h>
#include <lib/errno.h>
#include <arch/arch.h>
#include <arch/uaccess.h>

#define UVA_A          0x00400000ul             /* two pages, then a hole */
#define UVA_FAR        0x7fff000ul              /* another PT */
#define UVA_HIGH       0x40000000000ul          /* another PML4 slot */
#define UVA_TOP_PAGE   (USER_TOP - PAGE_SIZE)   /* the last user page */
#define UVA_BIG        0x10000000ul             /* many pages: more than a batch */
#define BIG_PAGES      200
#define SPREAD_PTS     11      /* one page in each of more PTs than one copy step */
#define PT_SPAN        0x200000ul               /* what one page table maps */
#define TLB_OLD        0x01d01d01d01d01d0ull
#define TLB_NEW        0x5eed5eed5eed5eedull

static paddr_t test_frame(uint8_t fill)
{
	void *p = pmm_alloc_page(0);

	if (!p)
		return 0;
	memset(p, fill, PAGE_SIZE);
	return arch_virt_to_phys(p);
}

static uint8_t *frame_ptr(paddr_t pa)
{
	return arch_phys_to_virt(pa);
}

static void put_frame(paddr_t pa, void *ctx)
{
	pmm_page_put(pa);
	if (ctx)
		(*(unsigned *)ctx)++;
}

/* Map a fresh frame (filled with fill) at va; its pa, 0 on failure. */
static paddr_t map_new(struct ktest_ctx *t, struct pmap *pm, uintptr_t va, uint8_t fill,
		       unsigned prot)
{
	paddr_t pa = test_frame(fill);

	KT_CHECK(t, pa != 0);
	if (!pa)
		return 0;
	int err = pmap_enter(pm, va, pa, prot, NULL);
	KT_CHECK_EQ(t, err, 0);
	if (err) {
		pmm_page_put(pa);
		return 0;
	}
	return pa;
}

/* Unmap everything, drop the frames and destroy pm. */
static void teardown(struct pmap *pm)
{
	pmap_remove_range(pm, 0, USER_TOP, put_frame, NULL);
	pmap_destroy(pm);
}

/* The pmap slab and its page exist before a test counts free frames. */
static void warm_up(void)
{
	struct pmap *pm = pmap_create();

	if (pm)
		pmap_destroy(pm);
}

struct walk_log {
	unsigned n, stop_after;
	uintptr_t va[8];
	paddr_t pa[8];
};

static int walk_record(uintptr_t va, paddr_t pa, unsigned prot, void *ctx)
{
	struct walk_log *w = ctx;

	if (w->n < ARRAY_SIZE(w->va)) {
		w->va[w->n] = va;
		w->pa[w->n] = pa;
	}
	w->n++;
	return w->stop_after && w->n == w->stop_after ? 7 : 0;
}

KTEST(pmap_enter_lookup_walk_remove)
{
	static const uintptr_t vas[] = { UVA_A, UVA_A + PAGE_SIZE, UVA_FAR, UVA_HIGH,
					 UVA_TOP_PAGE };
	static const unsigned prots[] = { PMAP_READ | PMAP_WRITE, PMAP_READ,
					  PMAP_READ | PMAP_EXEC, PMAP_READ | PMAP_WRITE,
					  PMAP_READ };
	paddr_t pas[ARRAY_SIZE(vas)];
	unsigned released = 0;

	warm_up();
	uint64_t before = pmm_free_frames();
	struct pmap *pm = pmap_create();
	KT_CHECK(t, pm != NULL);
	if (!pm)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++)
		pas[i] = map_new(t, pm, vas[i], (uint8_t)i, prots[i]);
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++) {
		paddr_t pa = 0;
		unsigned prot = 0;
		KT_CHECK(t, pmap_lookup(pm, vas[i] + 123, &pa, &prot));
		KT_CHECK_EQ(t, pa, pas[i]);
		KT_CHECK(t, prot & PMAP_READ);
		KT_CHECK_EQ(t, prot & PMAP_WRITE, prots[i] & PMAP_WRITE);
		if (prots[i] & PMAP_EXEC)
			KT_CHECK(t, prot & PMAP_EXEC);
	}
	KT_CHECK(t, !pmap_lookup(pm, UVA_A + 2 * PAGE_SIZE, NULL, NULL));
	KT_CHECK(t, !pmap_lookup(pm, 0, NULL, NULL));

	/* The walk sees exactly the mapped pages, in address order. */
	struct walk_log w = { 0 };
	KT_CHECK_EQ(t, pmap_walk(pm, 0, USER_TOP, walk_record, &w), 0);
	KT_CHECK_EQ(t, w.n, ARRAY_SIZE(vas));
	for (unsigned i = 0; i < ARRAY_SIZE(vas) && i < w.n; i++) {
		KT_CHECK_EQ(t, w.va[i], vas[i]);
		KT_CHECK_EQ(t, w.pa[i], pas[i]);
	}
	w = (struct walk_log){ 0 };
	pmap_walk(pm, UVA_A + PAGE_SIZE, UVA_HIGH, walk_record, &w);
	KT_CHECK_EQ(t, w.n, 2);
	KT_CHECK_EQ(t, w.va[0], UVA_A + PAGE_SIZE);
	KT_CHECK_EQ(t, w.va[1], UVA_FAR);
	w = (struct walk_log){ .stop_after = 2 };
	KT_CHECK_EQ(t, pmap_walk(pm, 0, USER_TOP, walk_record, &w), 7);
	KT_CHECK_EQ(t, w.n, 2);

	/* Replacing a mapping hands back the old frame. */
	paddr_t fresh = test_frame(0x77), old = 0;
	KT_CHECK(t, fresh != 0);
	if (fresh) {
		KT_CHECK_EQ(t, pmap_enter(pm, UVA_A, fresh, PMAP_READ, &old), 0);
		KT_CHECK_EQ(t, old, pas[0]);
		pmm_page_put(old);
	}

	pmap_remove_range(pm, 0, USER_TOP, put_frame, &released);
	KT_CHECK_EQ(t, released, ARRAY_SIZE(vas));
	w = (struct walk_log){ 0 };
	pmap_walk(pm, 0, USER_TOP, walk_record, &w);
	KT_CHECK_EQ(t, w.n, 0);
	KT_CHECK(t, !pmap_lookup(pm, UVA_FAR, NULL, NULL));
	pmap_destroy(pm);
	KT_CHECK_EQ(t, pmm_free_frames(), before);
}

/* Empty page-table pages are freed as soon as their last page goes. */
KTEST(pmap_remove_frees_tables)
{
	unsigned released = 0;

	warm_up();
	uint64_t before = pmm_free_frames();
	struct pmap *pm = pmap_create();
	KT_CHECK(t, pm != NULL);
	if (!pm)
		return;
	uint64_t empty = pmm_free_frames();
	paddr_t a = map_new(t, pm, UVA_A, 1, PMAP_READ);
	paddr_t b = map_new(t, pm, UVA_HIGH, 2, PMAP_READ);
	KT_CHECK_EQ(t, pmap_remove(pm, UVA_A + PAGE_SIZE), 0);
	KT_CHECK_EQ(t, pmap_remove(pm, UVA_A), a);
	pmm_page_put(a);
	KT_CHECK_EQ(t, pmap_remove(pm, UVA_HIGH), b);
	pmm_page_put(b);
	KT_CHECK_EQ(t, pmm_free_frames(), empty);

	/* More pages than one unmap batch, across a PT boundary. */
	uintptr_t base = UVA_BIG - 100 * PAGE_SIZE;
	for (unsigned i = 0; i < BIG_PAGES; i++)
		map_new(t, pm, base + i * PAGE_SIZE, (uint8_t)i, PMAP_READ | PMAP_WRITE);
	pmap_remove_range(pm, base, base + BIG_PAGES * PAGE_SIZE, put_frame, &released);
	KT_CHECK_EQ(t, released, BIG_PAGES);
	KT_CHECK_EQ(t, pmm_free_frames(), empty);
	pmap_destroy(pm);
	KT_CHECK_EQ(t, pmm_free_frames(), before);
}

/* Copy src's pages in [lo, hi) into dst with pmap_copy_some's steps. */
static int copy_all(struct pmap *dst, struct pmap *src, uintptr_t lo, uintptr_t hi, bool cow,
		    unsigned *steps)
{
	int err = 0;

	*steps = 0;
	while (lo < hi && !err) {
		lo = pmap_copy_some(dst, src, lo, hi, cow, &err);
		(*steps)++;
	}
	return err;
}

/* fork's copy: same frames, one more reference each, write access gone. */
KTEST(pmap_copy_cow_and_shared)
{
	static const uintptr_t vas[] = { UVA_A, UVA_A + PAGE_SIZE, UVA_A + 3 * PAGE_SIZE,
					 UVA_FAR, UVA_HIGH, UVA_TOP_PAGE };
	static const unsigned prots[] = { PMAP_READ | PMAP_WRITE, PMAP_READ, 0,
					  PMAP_READ | PMAP_EXEC, PMAP_READ | PMAP_WRITE,
					  PMAP_READ | PMAP_WRITE };
	paddr_t pas[ARRAY_SIZE(vas)], spread[SPREAD_PTS];
	struct pmap *src, *cow = NULL, *shared = NULL, *part = NULL;
	unsigned steps, prot;
	paddr_t pa;

	warm_up();
	uint64_t before = pmm_free_frames();
	src = pmap_create();
	KT_CHECK(t, src != NULL);
	if (!src)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++)
		pas[i] = map_new(t, src, vas[i], (uint8_t)i, prots[i]);
	for (unsigned i = 0; i < SPREAD_PTS; i++)
		spread[i] = map_new(t, src, UVA_BIG + i * PT_SPAN,
				    (uint8_t)(0x40 + i), PMAP_READ | PMAP_WRITE);
	cow = pmap_create();
	shared = pmap_create();
	part = pmap_create();
	KT_CHECK(t, cow && shared && part);
	if (!cow || !shared || !part)
		goto out;

	/* Shared first: write access stays in both. */
	KT_CHECK_EQ(t, copy_all(shared, src, 0, USER_TOP, false, &steps), 0);
	KT_CHECK(t, steps > 1);         /* more PTs than one step takes */
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++) {
		KT_CHECK(t, pmap_lookup(shared, vas[i], &pa, &prot));
		KT_CHECK_EQ(t, pa, pas[i]);
		KT_CHECK_EQ(t, prot & ~PMAP_EXEC, prots[i] ? (prots[i] | PMAP_READ) & ~PMAP_EXEC : 0);
		KT_CHECK_EQ(t, pmm_page_refs(pas[i]), 2);
	}

	/* Copy-on-write: both lose write access, nothing else changes. */
	KT_CHECK_EQ(t, copy_all(cow, src, 0, USER_TOP, true, &steps), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++) {
		unsigned sprot;
		KT_CHECK(t, pmap_lookup(cow, vas[i], &pa, &prot));
		KT_CHECK(t, pmap_lookup(src, vas[i], NULL, &sprot));
		KT_CHECK_EQ(t, pa, pas[i]);
		KT_CHECK_EQ(t, prot & PMAP_WRITE, 0);
		KT_CHECK_EQ(t, prot == 0, prots[i] == 0);
		KT_CHECK_EQ(t, sprot, prot);
		KT_CHECK_EQ(t, pmm_page_refs(pas[i]), 3);
	}
	for (unsigned i = 0; i < SPREAD_PTS; i++) {
		KT_CHECK(t, pmap_lookup(cow, UVA_BIG + i * PT_SPAN, &pa,
					&prot));
		KT_CHECK_EQ(t, pa, spread[i]);
		KT_CHECK_EQ(t, pmm_page_refs(spread[i]), 3);
	}
	KT_CHECK(t, !pmap_lookup(cow, UVA_A + 2 * PAGE_SIZE, NULL, NULL));
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);

	/* A sub-range copies only what is inside it. */
	KT_CHECK_EQ(t, copy_all(part, src, UVA_A + PAGE_SIZE, UVA_FAR, true, &steps), 0);
	KT_CHECK(t, !pmap_lookup(part, UVA_A, NULL, NULL));
	KT_CHECK(t, pmap_lookup(part, UVA_A + PAGE_SIZE, NULL, NULL));
	KT_CHECK(t, pmap_lookup(part, UVA_A + 3 * PAGE_SIZE, NULL, &prot));
	KT_CHECK_EQ(t, prot, 0);
	KT_CHECK(t, !pmap_lookup(part, UVA_FAR, NULL, NULL));
	KT_CHECK_EQ(t, pmap_resident(part), 2 + 3);     /* two pages, three tables */
	teardown(part);

	/* Out of memory for the copy's tables: an error, and what was copied
	 * is held and unmapped as usual. */
	part = pmap_create();
	KT_CHECK(t, part != NULL);
	if (part) {
		int err = 0;
		failinject_test_begin(FAIL_MASK(FAIL_FRAME), FAIL_SCALE);
		uintptr_t stop = pmap_copy_some(part, src, 0, USER_TOP, true, &err);
		failinject_test_end();
		KT_CHECK_EQ(t, err, -ENOMEM);
		KT_CHECK_EQ(t, stop, UVA_A);
		KT_CHECK_EQ(t, pmap_resident(part), 0);
		KT_CHECK_EQ(t, pmm_page_refs(pas[0]), 3);
	}
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
out:
	if (part)
		teardown(part);
	if (shared)
		teardown(shared);
	if (cow)
		teardown(cow);
	teardown(src);
	KT_CHECK_EQ(t, pmm_free_frames(), before);
}

KTEST(uaccess_copy)
{
	static const char msg[] = "hello, user world";
	char out[64];
	uint64_t kvar = 0x1234, zero = 0;

	struct pmap *pm = pmap_create();
	KT_CHECK(t, pm != NULL);
	if (!pm)
		return;
	paddr_t a = map_new(t, pm, UVA_A, 0, PMAP_READ | PMAP_WRITE);
	paddr_t b = map_new(t, pm, UVA_A + PAGE_SIZE, 0, PMAP_READ | PMAP_WRITE);
	paddr_t ro = map_new(t, pm, UVA_FAR, 0x52, PMAP_READ);
	paddr_t top = map_new(t, pm, UVA_TOP_PAGE, 0x54, PMAP_READ | PMAP_WRITE);
	if (!a || !b || !ro || !top)
		goto out;
	pmap_activate(pm);
	KT_CHECK(t, pmap_current() == pm);

	/* A copy across the two pages, both ways. */
	char __user *u = (char __user *)(UVA_A + PAGE_SIZE - 8);
	KT_CHECK_EQ(t, copy_to_user(u, msg, sizeof(msg)), 0);
	KT_CHECK(t, memcmp(frame_ptr(a) + PAGE_SIZE - 8, msg, 8) == 0);
	KT_CHECK(t, memcmp(frame_ptr(b), msg + 8, sizeof(msg) - 8) == 0);
	memset(out, 0, sizeof(out));
	KT_CHECK_EQ(t, copy_from_user(out, u, sizeof(msg)), 0);
	KT_CHECK(t, memcmp(out, msg, sizeof(msg)) == 0);
	KT_CHECK_EQ(t, copy_from_user(out, u, 0), 0);

	/* Unmapped; partly mapped (the uncopied tail of out is zeroed). */
	uintptr_t hole = UVA_A + 2 * PAGE_SIZE;
	memset(out, 0xee, sizeof(out));
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)hole, 8), -EFAULT);
	KT_CHECK_EQ(t, out[0], 0);
	memset(frame_ptr(b) + PAGE_SIZE - 4, 'z', 4);
	memset(out, 0xee, sizeof(out));
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)(hole - 4), 8), -EFAULT);
	KT_CHECK(t, memcmp(out, "zzzz\0\0\0\0", 8) == 0);
	KT_CHECK_EQ(t, copy_to_user((void __user *)(hole - 4), "abcdefgh", 8), -EFAULT);
	KT_CHECK(t, memcmp(frame_ptr(b) + PAGE_SIZE - 4, "abcd", 4) == 0);
	/* Odd sizes and offsets: the quadword copy's fault falls back to
	 * bytes, which stop exactly at the hole (arch_copy_user's count). */
	memset(frame_ptr(b) + PAGE_SIZE - 8, '.', 8);
	KT_CHECK_EQ(t, arch_copy_user((void *)(hole - 5), "abcdefghijklm", 13), 8);
	KT_CHECK(t, memcmp(frame_ptr(b) + PAGE_SIZE - 8, "...abcde", 8) == 0);
	memset(out, 0xee, sizeof(out));
	KT_CHECK_EQ(t, arch_copy_user(out, (const void *)(hole - 21), 29), 8);
	KT_CHECK(t, memcmp(out + 16, "abcde", 5) == 0);
	KT_CHECK_EQ(t, arch_clear_user((void *)(hole - 3), 19), 16);
	KT_CHECK(t, memcmp(frame_ptr(b) + PAGE_SIZE - 8, "...ab\0\0\0", 8) == 0);
	KT_CHECK_EQ(t, copy_from_user(out, NULL, 8), -EFAULT);
	KT_CHECK_EQ(t, clear_user((void __user *)hole, 8), -EFAULT);

	/* Kernel addresses as user pointers: refused, never touched. */
	KT_CHECK_EQ(t, copy_to_user((void __user *)&kvar, &zero, sizeof(zero)), -EFAULT);
	KT_CHECK_EQ(t, clear_user((void __user *)&kvar, sizeof(kvar)), -EFAULT);
	KT_CHECK_EQ(t, kvar, 0x1234);
	KT_CHECK_EQ(t, copy_from_user(out, (const void __user *)&kvar, 8), -EFAULT);
	KT_CHECK_EQ(t, copy_to_user((void __user *)&kvar, &zero, 0), -EFAULT);

	/* Ranges that wrap around or cross USER_TOP. */
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)(UINTPTR_MAX - 3), 8), -EFAULT);
	/* (copy_from_user zeroes dst on failure: dst must really hold n bytes.) */
	KT_CHECK_EQ(t, copy_to_user((void __user *)UVA_A, msg, SIZE_MAX), -EFAULT);
	KT_CHECK_EQ(t, clear_user((void __user *)(UVA_A + 8), SIZE_MAX - 4), -EFAULT);
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)(USER_TOP - 4), 8), -EFAULT);
	KT_CHECK_EQ(t, copy_to_user((void __user *)(USER_TOP - 4), &zero, 8), -EFAULT);
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)(USER_TOP - 8), 8), 0);
	KT_CHECK_EQ(t, out[0], 0x54);
	KT_CHECK(t, user_range_ok(USER_TOP, 0));
	KT_CHECK(t, user_range_ok(0, USER_TOP));
	KT_CHECK(t, !user_range_ok(USER_TOP, 1));
	KT_CHECK(t, !user_range_ok(1, USER_TOP));
	KT_CHECK(t, !user_range_ok(UVA_A, SIZE_MAX));

	/* Read-only pages: readable, not writable. */
	KT_CHECK_EQ(t, copy_to_user((void __user *)UVA_FAR, &zero, 8), -EFAULT);
	KT_CHECK_EQ(t, frame_ptr(ro)[0], 0x52);
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)UVA_FAR, 8), 0);
	KT_CHECK_EQ(t, out[7], 0x52);

	/* pmap_protect takes write access away and gives it back. */
	KT_CHECK_EQ(t, copy_to_user((void __user *)UVA_A, &zero, 8), 0);
	pmap_protect(pm, UVA_A, UVA_A + 2 * PAGE_SIZE, PMAP_READ);
	KT_CHECK_EQ(t, copy_to_user((void __user *)UVA_A, msg, 8), -EFAULT);
	KT_CHECK_EQ(t, copy_to_user((void __user *)(UVA_A + PAGE_SIZE), msg, 8), -EFAULT);
	KT_CHECK_EQ(t, clear_user((void __user *)UVA_A, 8), -EFAULT);
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)UVA_A, 8), 0);
	/* prot 0 (PROT_NONE): no access at all, but the frame stays mapped. */
	pmap_protect(pm, UVA_A, UVA_A + 2 * PAGE_SIZE, 0);
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)UVA_A, 8), -EFAULT);
	paddr_t got = 0;
	unsigned prot = PMAP_READ;
	KT_CHECK(t, pmap_lookup(pm, UVA_A, &got, &prot));
	KT_CHECK_EQ(t, got, a);
	KT_CHECK_EQ(t, prot, 0);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
	pmap_protect(pm, UVA_A, UVA_A + 2 * PAGE_SIZE, PMAP_READ | PMAP_WRITE);
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)(UVA_A + PAGE_SIZE - 8), 8), 0);
	KT_CHECK(t, memcmp(out, msg, 8) == 0);
	memset(frame_ptr(a), 0xff, 64);
	KT_CHECK_EQ(t, clear_user((void __user *)UVA_A, 64), 0);
	KT_CHECK_EQ(t, frame_ptr(a)[0], 0);
	KT_CHECK_EQ(t, frame_ptr(a)[63], 0);

	pmap_activate(NULL);
	KT_CHECK(t, pmap_current() == NULL);
	/* No pmap loaded: the user half is empty. */
	KT_CHECK_EQ(t, copy_from_user(out, (void __user *)UVA_A, 8), -EFAULT);
out:
	teardown(pm);
}

KTEST(uaccess_strncpy)
{
	char dst[64];

	struct pmap *pm = pmap_create();
	KT_CHECK(t, pm != NULL);
	if (!pm)
		return;
	paddr_t a = map_new(t, pm, UVA_A, 'x', PMAP_READ);     /* no NUL anywhere */
	paddr_t top = map_new(t, pm, UVA_TOP_PAGE, 'y', PMAP_READ);
	if (!a || !top)
		goto out;
	uint8_t *pa = frame_ptr(a), *ptop = frame_ptr(top);
	memcpy(pa, "keel", 5);
	pa[100] = '\0';
	memcpy(pa + PAGE_SIZE - 4, "abc", 4);      /* NUL in the page's last byte */
	pmap_activate(pm);

	const char __user *s = (const char __user *)UVA_A;
	KT_CHECK_EQ(t, strncpy_from_user(dst, s, sizeof(dst)), 4);
	KT_CHECK(t, strcmp(dst, "keel") == 0);
	memset(dst, 0xee, sizeof(dst));
	KT_CHECK_EQ(t, strncpy_from_user(dst, s, 5), 4);            /* exact fit */
	KT_CHECK(t, strcmp(dst, "keel") == 0);
	KT_CHECK_EQ(t, strncpy_from_user(dst, s, 4), -ENAMETOOLONG);
	KT_CHECK_EQ(t, strncpy_from_user(dst, s, 0), -ENAMETOOLONG);
	KT_CHECK_EQ(t, strncpy_from_user(dst, s + 100, sizeof(dst)), 0);
	KT_CHECK_EQ(t, dst[0], '\0');

	/* Ends right at the end of the page before a hole: no read-ahead fault. */
	uintptr_t end = UVA_A + PAGE_SIZE;
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)(end - 4), sizeof(dst)), 3);
	KT_CHECK(t, strcmp(dst, "abc") == 0);
	/* Runs into the hole: a fault; limited before the hole: too long. */
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)(end - 12), sizeof(dst)), 11);
	pa[PAGE_SIZE - 1] = 'x';
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)(end - 12), sizeof(dst)),
		    -EFAULT);
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)(end - 12), 12), -ENAMETOOLONG);
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)end, sizeof(dst)), -EFAULT);
	KT_CHECK_EQ(t, strncpy_from_user(dst, NULL, sizeof(dst)), -EFAULT);

	/* The last user page: a string ending at USER_TOP, and one running past it. */
	const char __user *t4 = (const char __user *)(USER_TOP - 4);
	KT_CHECK_EQ(t, strncpy_from_user(dst, t4, sizeof(dst)), -EFAULT);
	KT_CHECK_EQ(t, strncpy_from_user(dst, t4, 4), -ENAMETOOLONG);
	memcpy(ptop + PAGE_SIZE - 4, "top", 4);
	KT_CHECK_EQ(t, strncpy_from_user(dst, t4, sizeof(dst)), 3);
	KT_CHECK(t, strcmp(dst, "top") == 0);

	/* Kernel strings are not user strings. */
	static const char kstr[] = "kernel";
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)kstr, sizeof(dst)), -EFAULT);
	KT_CHECK_EQ(t, strncpy_from_user(dst, (const char __user *)USER_TOP, sizeof(dst)),
		    -EFAULT);
	pmap_activate(NULL);
out:
	teardown(pm);
}

static paddr_t extra_pa;

static unsigned one_extra_ref(paddr_t pa)
{
	return pa == extra_pa;
}

KTEST(pmap_check_refcounts)
{
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
	struct pmap *pm = pmap_create();
	KT_CHECK(t, pm != NULL);
	if (!pm)
		return;
	paddr_t a = map_new(t, pm, UVA_A, 1, PMAP_READ);
	paddr_t b = map_new(t, pm, UVA_HIGH, 2, PMAP_READ | PMAP_WRITE);
	if (!a || !b)
		goto out;
	/* One frame mapped twice holds two references. */
	pmm_page_get(b);
	KT_CHECK_EQ(t, pmap_enter(pm, UVA_FAR, b, PMAP_READ, NULL), 0);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);

	kprintf("ktest: pmap_check_refcounts: one refcount error expected:\n");
	pmm_page_get(a);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 1);
	extra_pa = a;       /* a reference held elsewhere, declared */
	KT_CHECK_EQ(t, pmap_check_all(one_extra_ref), 0);
	pmm_page_put(a);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
out:
	teardown(pm);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
}

KTEST(pmap_no_shared_page_tables)
{
	paddr_t t1[4], t2[4];

	struct pmap *p1 = pmap_create(), *p2 = pmap_create();
	KT_CHECK(t, p1 && p2);
	if (!p1 || !p2)
		goto out;
	paddr_t a = map_new(t, p1, UVA_A, 1, PMAP_READ);
	if (a) {
		pmm_page_get(a);      /* the same frame in both: one ref each */
		KT_CHECK_EQ(t, pmap_enter(p2, UVA_A, a, PMAP_READ, NULL), 0);
	}
	KT_CHECK_EQ(t, pmap_table_pages(p1, UVA_A, t1, 4), 4);
	KT_CHECK_EQ(t, pmap_table_pages(p2, UVA_A, t2, 4), 4);
	KT_CHECK_EQ(t, t1[0], pmap_root(p1));
	for (unsigned i = 0; i < 4; i++)
		for (unsigned j = 0; j < 4; j++)
			KT_CHECK(t, t1[i] != t2[j]);
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);

	/*
	 * The checker catches the JOS seed bug: p2's top-level entry pointing
	 * at p1's tables (the entry is swapped back at once; p2 is not loaded
	 * anywhere).  Its PDPT, PD and PT are then each reported once.
	 */
	uint64_t *top1 = arch_phys_to_virt(pmap_root(p1));
	uint64_t *top2 = arch_phys_to_virt(pmap_root(p2));
	uint64_t saved = top2[0];
	kprintf("ktest: pmap_no_shared_page_tables: three shared tables expected:\n");
	top2[0] = top1[0];
	KT_CHECK_EQ(t, pmap_check_all(NULL), 3);
	top2[0] = saved;
	KT_CHECK_EQ(t, pmap_check_all(NULL), 0);
out:
	if (p1)
		teardown(p1);
	if (p2)
		teardown(p2);
}

struct tlb_ctx {
	struct pmap *pm;
	uintptr_t va;
	uint64_t seen[MAX_CPUS];
	int err[MAX_CPUS];
	bool loaded[MAX_CPUS];
};

static void tlb_activate(void *arg)
{
	pmap_activate(((struct tlb_ctx *)arg)->pm);
}

static void tlb_deactivate(void *arg)
{
	pmap_activate(NULL);
}

/*
 * Runs in the call-function interrupt, where nothing may sleep: the raw
 * arch copy (a fault on it ends the copy), not copy_from_user(), whose
 * might_sleep() refuses interrupt context.
 */
static void tlb_read(void *arg)
{
	struct tlb_ctx *c = arg;
	unsigned id = this_cpu()->id;

	c->loaded[id] = pmap_current() == c->pm;
	c->err[id] = arch_copy_user(&c->seen[id], (const void *)c->va,
				    sizeof(uint64_t)) ? -EFAULT : 0;
}

/* Every CPU reads val (or fails with err) through the pmap. */
static void tlb_expect(struct ktest_ctx *t, struct tlb_ctx *c, int err, uint64_t val)
{
	cpumask_t online = smp_online_mask();

	memset(c->seen, 0, sizeof(c->seen));
	smp_call_all(tlb_read, c);
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!(online & CPUMASK_CPU(i)))
			continue;
		KT_CHECK(t, c->loaded[i]);
		KT_CHECK_EQ(t, c->err[i], err);
		if (!err)
			KT_CHECK_EQ(t, c->seen[i], val);
	}
}

/* A user mapping changed on one CPU is seen changed on every CPU. */
KTEST(pmap_tlb_shootdown)
{
	struct tlb_ctx c = { .va = UVA_A };
	paddr_t old = 0;

	c.pm = pmap_create();
	KT_CHECK(t, c.pm != NULL);
	if (!c.pm)
		return;
	paddr_t a = map_new(t, c.pm, UVA_A, 0, PMAP_READ | PMAP_WRITE);
	paddr_t b = test_frame(0);
	if (!a || !b)
		goto out;
	*(uint64_t *)frame_ptr(a) = TLB_OLD;
	*(uint64_t *)frame_ptr(b) = TLB_NEW;

	smp_call_all(tlb_activate, &c);
	tlb_expect(t, &c, 0, TLB_OLD);
	/* Replace the frame; a stale TLB would still read the (live) old one. */
	KT_CHECK_EQ(t, pmap_enter(c.pm, UVA_A, b, PMAP_READ, &old), 0);
	KT_CHECK_EQ(t, old, a);
	tlb_expect(t, &c, 0, TLB_NEW);
	/* Unmap: every CPU faults now. */
	KT_CHECK_EQ(t, pmap_remove(c.pm, UVA_A), b);
	tlb_expect(t, &c, -EFAULT, 0);
	pmm_page_put(b);
	b = 0;
	smp_call_all(tlb_deactivate, NULL);
	pmm_page_put(a);
out:
	if (b)
		pmm_page_put(b);
	smp_call_all(tlb_deactivate, NULL);
	teardown(c.pm);
}

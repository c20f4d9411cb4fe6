/*
 * test_mm.c - in-kernel tests of the physical allocator, the heap and
 * kernel stacks, run on the real machine state after boot.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/kstack.h>
#include <keel/ksyms.h>
#include <lib/string.h>
#include <arch/arch.h>

#define TEST_ORDERS 11

KTEST(pmm_alloc_free_orders)
{
	uint64_t before = pmm_free_frames();
	void *blocks[TEST_ORDERS];

	for (unsigned o = 0; o < TEST_ORDERS; o++) {
		blocks[o] = pmm_alloc_pages(o, 0);
		KT_CHECK(t, blocks[o] != NULL);
		if (!blocks[o])
			continue;
		/* Blocks are aligned to their size (physically). */
		KT_CHECK(t, IS_ALIGNED(arch_virt_to_phys(blocks[o]), PAGE_SIZE << o));
		KT_CHECK(t, refcount_read(&pmm_virt_to_page(blocks[o])->refcount) == 1);
		memset(blocks[o], 0x5a, PAGE_SIZE << o);
	}
	for (unsigned o = 0; o < TEST_ORDERS; o++)
		if (blocks[o])
			pmm_free_pages(blocks[o], o);
	KT_CHECK_EQ(t, pmm_free_frames(), before);
	KT_CHECK_EQ(t, pmm_check(), 0);
}

/* The leak report names blocks allocated after a mark, and their allocator. */
KTEST(pmm_report_since_mark)
{
	uint64_t mark = pmm_alloc_seq();
	void *a = pmm_alloc_page(0);
	void *b = pmm_alloc_pages(1, 0);

	KT_CHECK(t, a && b);
	if (!a || !b)
		goto out;
	KT_CHECK(t, pmm_virt_to_page(a)->alloc_seq > mark);
	KT_CHECK(t, pmm_virt_to_page(b)->alloc_seq > pmm_virt_to_page(a)->alloc_seq);
	/* The allocator recorded is this function, not pmm_alloc_pages. */
	uintptr_t off;
	const char *who = ksym_lookup(pmm_virt_to_page(b)->alloc_pc, &off);
	KT_CHECK(t, who && strcmp(who, __func__) == 0);
	/* Other CPUs may allocate meanwhile: at least our 3 frames. */
	KT_CHECK(t, pmm_report_since(mark, 0) >= 3);
out:
	if (a)
		pmm_free_page(a);
	if (b)
		pmm_free_pages(b, 1);
}

/* Regression: the kernel image and low memory must never be allocatable. */
KTEST(pmm_reserved_frames_never_free)
{
	extern char _kernel_start[], _kernel_end[];
	uint64_t first = arch_virt_to_phys(_kernel_start) / PAGE_SIZE;
	uint64_t last = arch_virt_to_phys(_kernel_end) / PAGE_SIZE;
	unsigned bad = 0;

	for (uint64_t pfn = 0; pfn < last; pfn++)
		if ((pfn < (1ull << 20) / PAGE_SIZE || pfn >= first) && pmm_frame_is_free(pfn))
			bad++;
	KT_CHECK_EQ(t, bad, 0);
}

KTEST(pmm_zeroed)
{
	uint8_t *p = pmm_alloc_pages(2, 0);
	KT_CHECK(t, p != NULL);
	if (!p)
		return;
	memset(p, 0xff, 4 * PAGE_SIZE);
	pmm_free_pages(p, 2);
	p = pmm_alloc_pages(2, PMM_ZERO);
	KT_CHECK(t, p != NULL);
	if (!p)
		return;
	bool zero = true;
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		zero &= p[i] == 0;
	KT_CHECK(t, zero);
	pmm_free_pages(p, 2);
}

/* Take every free frame, check they are distinct, give them all back. */
KTEST(pmm_exhaust_and_restore)
{
	uint64_t before, n = 0;
	void *head = NULL;
	void *p;

	pmm_drain_caches();     /* frames cached on other CPUs count as free */
	before = pmm_free_frames();

	while ((p = pmm_alloc_page(0)) != NULL) {
		*(void **)p = head;     /* chain through the pages themselves */
		head = p;
		n++;
	}
	KT_CHECK_EQ(t, n, before);
	KT_CHECK_EQ(t, pmm_free_frames(), 0);
	while (head) {
		p = head;
		head = *(void **)p;
		pmm_free_page(p);
	}
	KT_CHECK_EQ(t, pmm_free_frames(), before);
	KT_CHECK_EQ(t, pmm_check(), 0);
}

KTEST(kmalloc_sizes_and_alignment)
{
	static const size_t sizes[] = { 1, 8, 16, 17, 100, 500, 1000, 2048, 2049,
					4096, 10000, 100000 };
	void *ptrs[ARRAY_SIZE(sizes)];
	uint64_t frames;

	kmalloc_shrink();        /* drop reserves other tests left behind */
	frames = pmm_free_frames();

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ptrs[i] = kmalloc(sizes[i], 0);
		KT_CHECK(t, ptrs[i] != NULL);
		KT_CHECK(t, IS_ALIGNED((uintptr_t)ptrs[i], KMALLOC_MIN_ALIGN));
		KT_CHECK(t, kmalloc_usable_size(ptrs[i]) >= sizes[i]);
		memset(ptrs[i], (int)i, sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		const uint8_t *b = ptrs[i];
		KT_CHECK(t, b[0] == i && b[sizes[i] - 1] == i);
		kfree(ptrs[i]);
	}
	KT_CHECK(t, kmalloc(0, 0) == NULL);
	KT_CHECK(t, kmalloc(KMALLOC_MAX_SIZE + 1, 0) == NULL);
	kfree(NULL);
	KT_CHECK_EQ(t, kmalloc_check(), 0);
	kmalloc_shrink();
	KT_CHECK_EQ(t, pmm_free_frames(), frames);
}

KTEST(kmalloc_zero_and_cache)
{
	struct kmem_cache *c = kmem_cache_create("ktest-obj", 72, 64);
	void *objs[100];

	KT_CHECK(t, c != NULL);
	if (!c)
		return;
	for (int i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(c, KM_ZERO);
		KT_CHECK(t, objs[i] && IS_ALIGNED((uintptr_t)objs[i], 64));
		KT_CHECK(t, objs[i] && ((uint8_t *)objs[i])[71] == 0);
	}
	for (int i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	KT_CHECK_EQ(t, kmem_cache_destroy(c), 0);
	KT_CHECK_EQ(t, kmalloc_check(), 0);
}

KTEST(kstack_guard_page)
{
	uint64_t frames = pmm_free_frames();
	uintptr_t top = kstack_alloc();
	uint64_t pa;

	KT_CHECK(t, top != 0);
	if (!top)
		return;
	uintptr_t bottom = top - KSTACK_PAGES * PAGE_SIZE;
	KT_CHECK(t, arch_kernel_lookup(bottom, &pa));
	KT_CHECK(t, arch_kernel_lookup(top - 1, &pa));
	KT_CHECK(t, !arch_kernel_lookup(bottom - 1, &pa));
	KT_CHECK(t, kstack_is_guard(bottom - 1));
	KT_CHECK(t, !kstack_is_guard(bottom));
	memset((void *)bottom, 0x33, KSTACK_PAGES * PAGE_SIZE);
	kstack_free(top);
	KT_CHECK(t, !arch_kernel_lookup(bottom, &pa));
	KT_CHECK_EQ(t, pmm_free_frames(), frames);
}

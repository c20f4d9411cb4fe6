/*
 * fake_pmm.c - a host stand-in for the physical memory manager
 * (<keel/pmm.h>): pmm_alloc_pages(), pmm_free_pages(), pmm_virt_to_page(),
 * pmm_free_frames() and pmm_total_frames(), backed by aligned_alloc().
 *
 * Each block of 2^order frames is naturally aligned, like a buddy block,
 * and gets its own array of struct page; a chained hash from frame number
 * to struct page answers pmm_virt_to_page() (NULL for memory this fake did
 * not hand out, which the real pmm cannot promise).  Freeing checks the
 * head page, the order and that no PG_SLAB mark was left behind, and
 * panics otherwise.  Test hooks: fake_kernel.h.  Single-threaded.
 */
#include <stdlib.h>

#include <arch/layout.h>
#include <keel/panic.h>
#include <keel/pmm.h>
#include <lib/string.h>

#include "fake_kernel.h"

#define FAKE_PMM_TOTAL	(1ull << 20)	/* pretend 4 GiB of frames */
#define FAKE_PMM_BUCKETS 4096

struct fake_frame {
	uint64_t pfn;			/* va >> PAGE_SHIFT */
	struct page *page;
	struct fake_frame *next;	/* hash chain */
};

static struct fake_frame *fake_pmm_hash[FAKE_PMM_BUCKETS];
static uint64_t fake_pmm_in_use;
static uint64_t fake_pmm_limit;

static struct fake_frame **fake_pmm_slot(uint64_t pfn)
{
	return &fake_pmm_hash[pfn % FAKE_PMM_BUCKETS];
}

static struct fake_frame *fake_pmm_find(uint64_t pfn)
{
	for (struct fake_frame *f = *fake_pmm_slot(pfn); f; f = f->next)
		if (f->pfn == pfn)
			return f;
	return NULL;
}

static void fake_pmm_insert(uint64_t pfn, struct page *pg)
{
	struct fake_frame *f = malloc(sizeof(*f));

	if (!f)
		abort();
	f->pfn = pfn;
	f->page = pg;
	f->next = *fake_pmm_slot(pfn);
	*fake_pmm_slot(pfn) = f;
}

static void fake_pmm_remove(uint64_t pfn)
{
	for (struct fake_frame **fp = fake_pmm_slot(pfn); *fp;
	     fp = &(*fp)->next) {
		if ((*fp)->pfn == pfn) {
			struct fake_frame *f = *fp;

			*fp = f->next;
			free(f);
			return;
		}
	}
	abort();
}

void *pmm_alloc_pages(unsigned order, unsigned flags)
{
	size_t n = (size_t)1 << order;
	size_t bytes = n * PAGE_SIZE;
	struct page *pages;
	char *va;

	if (order > BUDDY_MAX_ORDER)
		return NULL;
	if (fake_pmm_limit && fake_pmm_in_use + n > fake_pmm_limit)
		return NULL;
	va = aligned_alloc(bytes, bytes);
	pages = calloc(n, sizeof(*pages));
	if (!va || !pages)
		abort();
	if (flags & PMM_ZERO)
		memset(va, 0, bytes);
	else
		memset(va, 0xdd, bytes);	/* stale garbage */
	pages[0].flags = PG_HEAD;
	pages[0].order = (uint8_t)order;
	for (size_t i = 0; i < n; i++) {
		refcount_init(&pages[i].refcount, 1);
		fake_pmm_insert(((uintptr_t)va >> PAGE_SHIFT) + i, &pages[i]);
	}
	fake_pmm_in_use += n;
	return va;
}

void pmm_free_pages(void *va, unsigned order)
{
	uint64_t pfn = (uintptr_t)va >> PAGE_SHIFT;
	struct fake_frame *f = fake_pmm_find(pfn);
	struct page *pages;
	size_t n = (size_t)1 << order;

	if (!f || !IS_ALIGNED((uintptr_t)va, PAGE_SIZE) ||
	    !(f->page->flags & PG_HEAD))
		panic("fake pmm_free_pages(%p): not an allocated block", va);
	pages = f->page;
	if (pages[0].order != order)
		panic("fake pmm_free_pages(%p, %u): allocated with order %u",
		      va, order, pages[0].order);
	for (size_t i = 0; i < n; i++) {
		if (pages[i].flags & PG_SLAB || pages[i].slab)
			panic("fake pmm_free_pages(%p): page %zu still PG_SLAB",
			      va, i);
		fake_pmm_remove(pfn + i);
	}
	fake_pmm_in_use -= n;
	free(pages);
	free(va);
}

struct page *pmm_virt_to_page(const void *va)
{
	struct fake_frame *f = fake_pmm_find((uintptr_t)va >> PAGE_SHIFT);

	return f ? f->page : NULL;
}

uint64_t pmm_free_frames(void)
{
	return FAKE_PMM_TOTAL - fake_pmm_in_use;
}

uint64_t pmm_total_frames(void)
{
	return FAKE_PMM_TOTAL;
}

uint64_t fake_pmm_frames_in_use(void)
{
	return fake_pmm_in_use;
}

void fake_pmm_set_limit(uint64_t limit)
{
	fake_pmm_limit = limit;
}

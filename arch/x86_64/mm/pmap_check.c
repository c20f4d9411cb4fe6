/*
 * pmap_check.c - the page-table hygiene checker, pmap_check_all() (contract
 * in keel/pmap.h), used by debug builds after boot and by in-kernel tests.
 * It only reads page tables and never changes them.
 *
 * It works in three steps.  A census records every user page-table page
 * and every mapped user frame of every pmap (struct pmap_rec), taking each
 * pmap's lock in turn through pmap_for_each_locked().  The records are
 * sorted by physical address.  Then each run of records of one page is
 * checked against the frame allocator: a page-table page is referenced
 * exactly once, every page is a known, allocated, unreserved frame, and a
 * user frame's reference count is its number of mappings plus what the
 * caller's extra_refs() says is held elsewhere.  A leaf marked as device
 * memory (PTE_SW_IO, a VMA_IO mapping of a PCI BAR) is the exception: its
 * page must NOT be an allocatable frame (it is outside the page map or
 * reserved), it holds no reference, and the same page mapped both ways is
 * a problem.
 *
 * Lock order: pmap_registry_lock -> pmap (inside pmap_for_each_locked).
 * The record array is allocated with no lock held; when the pmaps grew
 * between the count and the fill, the census is taken again.
 */
#include <keel/pmap.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <lib/errno.h>
#include "pmap_internal.h"

/* One page-table page or one mapping of a user frame, found by the census. */
struct pmap_rec {
	paddr_t pa;
	paddr_t root; /* the pmap it was found in */
	uintptr_t va; /* the mapping's va, or the first va a table covers */
	bool table;
	bool io; /* a device-memory leaf (PTE_SW_IO) */
};

struct pmap_census {
	struct pmap_rec *recs;
	size_t n, cap; /* n counts every record, even past cap */
	unsigned problems;
};

static void pmap_census_add(struct pmap_census *c, paddr_t pa, paddr_t root, uintptr_t va,
			    bool table, bool io)
{
	if (c->n < c->cap)
		c->recs[c->n] = (struct pmap_rec){ pa, root, va, table, io };
	c->n++;
}

/* Record the frames the leaves of one page table map. */
static void pmap_census_leaves(struct pmap_census *c, paddr_t root, const pte_t *pt, uintptr_t base)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		pte_t e = pt[i];

		if (pmap_leaf_mapped(e))
			pmap_census_add(c, e & PTE_ADDR_MASK, root,
					base + ((uintptr_t)i << PT_SHIFT), false, e & PTE_SW_IO);
	}
}

/*
 * Record the n entries of a table whose entries cover 2^s bytes each from
 * base, and everything below them: tables are followed down to the leaves.
 */
static void pmap_census_level(struct pmap_census *c, paddr_t root, const pte_t *t, unsigned s,
			      uintptr_t base, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uintptr_t va = base + ((uintptr_t)i << s);
		pte_t e = t[i];
		paddr_t pa = e & PTE_ADDR_MASK;

		if (!(e & PTE_P))
			continue;
		if (e & PTE_PS) {
			klog(LOG_ERR, "pmap_check: pmap %lx va %lx: large page in the user half",
			     root, va);
			c->problems++;
			continue;
		}
		pmap_census_add(c, pa, root, va, true, false);
		if (s - PT_LEVEL_SHIFT == PT_SHIFT)
			pmap_census_leaves(c, root, pmap_table(pa), va);
		else
			pmap_census_level(c, root, pmap_table(pa), s - PT_LEVEL_SHIFT, va,
					  PT_ENTRIES);
	}
}

/* Record the user half of one pmap (pmap_for_each_locked callback). */
static void pmap_census_one(struct pmap *pm, void *arg)
{
	struct pmap_census *c = arg;
	paddr_t root = pmap_root(pm);

	pmap_census_add(c, root, root, 0, true, false);
	pmap_census_level(c, root, pmap_table(root), PML4_SHIFT, 0, PML4_KERNEL_FIRST);
}

/*
 * Take a complete census into c (empty on entry): count, allocate with no
 * lock held, fill; again if it grew meanwhile.  Returns 0, or -ENOMEM with
 * c->recs NULL and c->cap the size that could not be allocated.
 */
static int pmap_census_take(struct pmap_census *c)
{
	for (;;) {
		c->n = 0;
		c->problems = 0;
		pmap_for_each_locked(pmap_census_one, c);
		if (c->n <= c->cap)
			return 0;
		kfree(c->recs);
		c->cap = c->n + c->n / 4 + 16;
		c->recs = kmalloc(c->cap * sizeof(*c->recs), 0);
		if (!c->recs)
			return -ENOMEM;
	}
}

static void pmap_rec_swap(struct pmap_rec *a, struct pmap_rec *b)
{
	struct pmap_rec t = *a;

	*a = *b;
	*b = t;
}

static void pmap_rec_sift_down(struct pmap_rec *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1].pa > a[child].pa)
			child++;
		if (a[root].pa >= a[child].pa)
			return;
		pmap_rec_swap(&a[root], &a[child]);
		root = child;
	}
}

/* Heapsort by pa: O(n log n), no recursion, no extra memory. */
static void pmap_rec_sort(struct pmap_rec *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		pmap_rec_sift_down(a, i, n);
	for (size_t i = n; i-- > 1;) {
		pmap_rec_swap(&a[0], &a[i]);
		pmap_rec_sift_down(a, 0, i);
	}
}

static void pmap_check_print_run(const struct pmap_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		klog(LOG_ERR, "pmap_check:   in pmap %lx at va %lx as %s", r[i].root, r[i].va,
		     r[i].table ? "page table" : (r[i].io ? "device page" : "user page"));
}

/*
 * A page-table page is referenced once: by its parent entry (or, for a
 * PML4, by its pmap).  Returns the problems found in the run r[0..n-1].
 */
static unsigned pmap_check_table_refs(const struct pmap_rec *r, size_t n, unsigned tables)
{
	if (!tables || n == 1)
		return 0;
	klog(LOG_ERR, "pmap_check: page-table page %lx is referenced %zu times", r->pa, n);
	pmap_check_print_run(r, n);
	return 1;
}

/*
 * The page r->pa is in the page map and allocated, and not reserved.
 * Adds what is wrong to *problems; returns false when the page is not an
 * allocated frame at all, so its reference count means nothing.
 */
static bool pmap_check_frame(const struct pmap_rec *r, unsigned *problems)
{
	uint64_t pfn = r->pa / PAGE_SIZE;
	struct page *pg = pmm_pfn_to_page(pfn);

	if (!pg) {
		klog(LOG_ERR, "pmap_check: page %lx (pmap %lx va %lx) is outside the page map",
		     r->pa, r->root, r->va);
		(*problems)++;
		return false;
	}
	if (pmm_frame_is_free(pfn)) {
		klog(LOG_ERR, "pmap_check: free page %lx in use by pmap %lx at va %lx", r->pa,
		     r->root, r->va);
		(*problems)++;
		return false;
	}
	if (pg->flags & PG_RESERVED) {
		klog(LOG_ERR, "pmap_check: reserved page %lx in use by pmap %lx at va %lx", r->pa,
		     r->root, r->va);
		(*problems)++;
	}
	return true;
}

/* A user frame's reference count is its n mappings plus extra_refs(pa). */
static unsigned pmap_check_refcount(const struct pmap_rec *r, size_t n,
				    unsigned (*extra_refs)(paddr_t))
{
	unsigned extra = extra_refs ? extra_refs(r->pa) : 0;
	uint32_t refs = pmm_page_refs(r->pa);

	if (refs == n + extra)
		return 0;
	klog(LOG_ERR, "pmap_check: frame %lx has %u references, expected %zu mappings + %u", r->pa,
	     refs, n, extra);
	pmap_check_print_run(r, n);
	return 1;
}

/*
 * A page mapped only as device memory (n records, all io): it must not be
 * an allocatable RAM frame.  Returns the problems found.
 */
static unsigned pmap_check_io_page(const struct pmap_rec *r, size_t n, size_t io)
{
	struct page *pg = pmm_pfn_to_page(r->pa / PAGE_SIZE);

	if (io != n) {
		klog(LOG_ERR, "pmap_check: page %lx is mapped both as device memory and otherwise",
		     r->pa);
		pmap_check_print_run(r, n);
		return 1;
	}
	if (pg && !(pg->flags & PG_RESERVED)) {
		klog(LOG_ERR, "pmap_check: RAM frame %lx mapped as device memory", r->pa);
		pmap_check_print_run(r, n);
		return 1;
	}
	return 0;
}

/* Check the n records of one physical page; returns the problems found. */
static unsigned pmap_check_page(const struct pmap_rec *r, size_t n, unsigned (*extra_refs)(paddr_t))
{
	unsigned tables = 0, problems;
	size_t io = 0;

	for (size_t i = 0; i < n; i++) {
		tables += r[i].table;
		io += r[i].io;
	}
	if (io)
		return pmap_check_io_page(r, n, io);
	problems = pmap_check_table_refs(r, n, tables);
	if (!pmap_check_frame(r, &problems) || tables)
		return problems;
	return problems + pmap_check_refcount(r, n, extra_refs);
}

/* Check each run of records of one page in a sorted census. */
static unsigned pmap_check_runs(const struct pmap_rec *recs, size_t n,
				unsigned (*extra_refs)(paddr_t))
{
	unsigned problems = 0;

	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && recs[j].pa == recs[i].pa; j++)
			;
		problems += pmap_check_page(&recs[i], j - i, extra_refs);
	}
	return problems;
}

unsigned pmap_check_all(unsigned (*extra_refs)(paddr_t pa))
{
	struct pmap_census c = { NULL, 0, 0, 0 };
	unsigned problems;

	if (pmap_census_take(&c)) {
		klog(LOG_ERR, "pmap_check: no memory for %zu records", c.cap);
		return 1;
	}
	problems = c.problems;
	pmap_rec_sort(c.recs, c.n);
	problems += pmap_check_runs(c.recs, c.n, extra_refs);
	kfree(c.recs);
	return problems;
}

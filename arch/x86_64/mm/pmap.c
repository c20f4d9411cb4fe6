/*
 * pmap.c - user page tables on x86-64: the machine-dependent half of an
 * address space (interface and contract in keel/pmap.h).
 *
 * A pmap is a PML4 page of its own.  Entries 256..511 (the kernel half) are
 * copies of the kernel PML4's, which point at PDPTs allocated once at boot
 * and never changed, so the kernel half is shared and never freed here.
 * Entries 0..255 lead to page-table pages (PDPT, PD, PT) that belong to
 * this pmap alone: they are allocated on demand by pmap_enter(), freed by
 * pmap_remove_range() when they become empty, and by pmap_destroy().  User
 * pages are 4 KiB only; intermediate user entries are P|W|U and the leaf
 * decides the access (W only for PMAP_WRITE, NX unless PMAP_EXEC).  A page
 * mapped with prot 0 (PROT_NONE) keeps its frame in a not-present leaf
 * marked PTE_SW_NONE: the MMU ignores it, pmap treats it as mapped.
 * Device memory (PMAP_IO) is a leaf marked PTE_SW_IO, uncached (PCD|PWT)
 * when accessible: it is counted in pm->io instead of pm->resident, and
 * unmapping it hands no frame to the caller's release callback.
 *
 * TLB consistency.  pm->active is the set of CPUs that have pm loaded in
 * CR3.  pmap_activate() sets the new CPU's bit *before* loading CR3 and
 * clears the old pmap's bit after; a change that removes or restricts a
 * mapping stores the new entry, then (full fence) reads pm->active and
 * flushes the range on those CPUs.  A CPU that loads pm after that read
 * loads CR3 after the store and so cannot cache the old entry; a CPU that
 * left pm meanwhile gets a harmless extra flush.  The shootdown runs after
 * pm->lock is dropped (a CPU spinning on it has interrupts off and could
 * not answer the IPI), and frames and page-table pages that were unmapped
 * are handed back only after it: until then a stale TLB or paging-structure
 * cache entry may still reach them.  Without PCIDs, a CR3 load flushes all
 * non-global entries, so a CPU keeps nothing of a pmap it switched away from.
 *
 * Lock order: pmap_registry_lock -> pmap -> pmm.  One pmap lock at a
 * time, except in pmap_copy_some(): the source's, then the destination's
 * (subclass PMAP_SUBCLASS_COPY), which no CPU has loaded and which only
 * the copying thread and the registry walk below can reach.
 * pmap_for_each_locked() takes the registry lock and each pmap's lock in
 * turn, for the hygiene checker (pmap_check.c), which allocates its arrays
 * with no pmap lock held.
 */
#include <keel/pmap.h>
#include "pmap_internal.h"
#include <keel/cpu.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/kmalloc.h>
#include <keel/list.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <arch/mmu.h>
#include <arch/arch.h>
#include <lib/string.h>
#include <lib/errno.h>

/* Flags of every user-half intermediate entry: the leaf decides access. */
#define PTE_USER_TABLE  (PTE_P | PTE_W | PTE_U)
#define PMAP_PROT_ALL   (PMAP_READ | PMAP_WRITE | PMAP_EXEC)
/* Frames unmapped per lock hold and shootdown (pmap_remove_some). */
#define PMAP_BATCH      64       /* frames per shootdown, on the stack */
#define PMAP_BATCH_BIG  (PAGE_SIZE / sizeof(paddr_t))   /* with a page to hold them */
#define PMAP_PROTECT_PTS 16      /* page tables per pmap_protect_some() */
#define PMAP_COPY_PTS   8        /* page tables per pmap_copy_some() */
/* spin_lock_nested() subclass of the destination pmap in pmap_copy_some(). */
#define PMAP_SUBCLASS_COPY 1
/* Table levels: index into a struct pmap_path. */
#define PMAP_LEVELS     4

/*
 * Lock key: [L] pm->lock, [A] atomic, [I] immutable after pmap_create,
 * [R] pmap_registry_lock.
 */
struct pmap {
	struct spinlock lock;
	paddr_t root;            /* [I] physical address of the PML4 */
	cpumask_t active;        /* [A] CPUs that have this pmap in CR3 */
	unsigned long resident;  /* [L] user pages mapped (RAM frames) */
	unsigned long io;        /* [L] device pages mapped (PMAP_IO) */
	unsigned long tables;    /* [A] page-table pages below the PML4 */
	struct list node;        /* [R] in pmap_registry */
};

static struct spinlock pmap_registry_lock = SPINLOCK_INIT("pmap_registry");
static struct list pmap_registry = LIST_INIT(pmap_registry);   /* [R] */
/* The pmap in each CPU's CR3; [C] (own CPU, interrupts off). */
static struct pmap *pmap_loaded[MAX_CPUS];

/* The tables on the way to one PT: tbl[0] is the PML4, tbl[3] the PT. */
struct pmap_path {
	pte_t *tbl[PMAP_LEVELS];
};

/* Start of the next 2^shift-aligned block after va's (va < USER_TOP). */
static uintptr_t pmap_next_boundary(uintptr_t va, unsigned shift)
{
	return (va | ((1ul << shift) - 1)) + 1;
}

static pte_t pmap_leaf(paddr_t pa, unsigned prot)
{
	pte_t io = (prot & PMAP_IO) ? PTE_SW_IO : 0;
	pte_t e = pa | PTE_P | PTE_U | io;

	prot &= ~PMAP_IO;
	assert(!(prot & ~PMAP_PROT_ALL));
	if (!prot)
		return pa | PTE_SW_NONE | io;
	if (io)
		e |= PTE_IO_CACHE;
	if (prot & PMAP_WRITE)
		e |= PTE_W;
	if (!(prot & PMAP_EXEC) && cpu_has_nx)
		e |= PTE_NX;
	return e;
}

static unsigned pmap_leaf_prot(pte_t e)
{
	unsigned io = (e & PTE_SW_IO) ? PMAP_IO : 0;
	unsigned prot = PMAP_READ | io;

	if (!(e & PTE_P))
		return io;
	if (e & PTE_W)
		prot |= PMAP_WRITE;
	if (!(e & PTE_NX))
		prot |= PMAP_EXEC;
	return prot;
}

/* Count a leaf in (delta 1) or out of (-1) pm's pages.  Needs pm->lock. */
static void pmap_count(struct pmap *pm, pte_t e, long delta)
{
	spin_assert_held(&pm->lock);
	if (!pmap_leaf_mapped(e))
		return;
	if (e & PTE_SW_IO)
		pm->io += (unsigned long)delta;
	else
		pm->resident += (unsigned long)delta;
}

static bool pmap_table_empty(const pte_t *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (t[i])       /* unmapping always stores 0 */
			return false;
	return true;
}

/*
 * The PT entry for va, allocating missing page-table pages (zeroed, owned
 * by pm); NULL if one could not be allocated.  Needs pm->lock.
 */
static pte_t *pmap_pte_alloc(struct pmap *pm, uintptr_t va)
{
	pte_t *t = pmap_table(pm->root);

	spin_assert_held(&pm->lock);
	for (unsigned s = PML4_SHIFT; s > PT_SHIFT; s -= PT_LEVEL_SHIFT) {
		pte_t *e = &t[PT_INDEX(va, s)];
		if (!(*e & PTE_P)) {
			/* User memory: held to the kernel's reserve, like the pages. */
			void *page = pmm_alloc_page(PMM_ZERO | PMM_USER);
			if (!page)
				return NULL;
			*e = arch_virt_to_phys(page) | PTE_USER_TABLE;
			__atomic_fetch_add(&pm->tables, 1, __ATOMIC_RELAXED);
		}
		assert(!(*e & PTE_PS));
		t = pmap_table(*e & PTE_ADDR_MASK);
	}
	return &t[PT_INDEX(va, PT_SHIFT)];
}

/* The PT entry for va, or NULL if no PT covers it.  Needs pm->lock. */
static pte_t *pmap_pte(struct pmap *pm, uintptr_t va)
{
	pte_t *t = pmap_table(pm->root);

	spin_assert_held(&pm->lock);
	for (unsigned s = PML4_SHIFT; s > PT_SHIFT; s -= PT_LEVEL_SHIFT) {
		pte_t e = t[PT_INDEX(va, s)];
		if (!(e & PTE_P))
			return NULL;
		assert(!(e & PTE_PS));
		t = pmap_table(e & PTE_ADDR_MASK);
	}
	return &t[PT_INDEX(va, PT_SHIFT)];
}

/*
 * Find the first PT that covers an address in [*va, end), skipping holes
 * in the upper levels; fill path and advance *va to the first address it
 * covers.  False if there is none.  Needs pm->lock.
 */
static bool pmap_next_pt(struct pmap *pm, uintptr_t *vap, uintptr_t end, struct pmap_path *p)
{
	uintptr_t va = *vap;

	spin_assert_held(&pm->lock);
	while (va < end) {
		pte_t *t = pmap_table(pm->root);
		unsigned s = PML4_SHIFT;
		for (unsigned lvl = 0;; lvl++, s -= PT_LEVEL_SHIFT) {
			p->tbl[lvl] = t;
			if (s == PT_SHIFT) {
				*vap = va;
				return true;
			}
			pte_t e = t[PT_INDEX(va, s)];
			if (!(e & PTE_P))
				break;
			assert(!(e & PTE_PS));
			t = pmap_table(e & PTE_ADDR_MASK);
		}
		va = pmap_next_boundary(va, s);
	}
	*vap = va;
	return false;
}

/* The first present leaf in [*va, end): its address in *va and its entry. */
static bool pmap_next_leaf(struct pmap *pm, uintptr_t *vap, uintptr_t end, pte_t *leaf)
{
	struct pmap_path p;
	uintptr_t va = *vap;

	while (pmap_next_pt(pm, &va, end, &p)) {
		uintptr_t pt_end = MIN(end, pmap_next_boundary(va, PD_SHIFT));
		for (; va < pt_end; va += PAGE_SIZE) {
			pte_t e = p.tbl[PMAP_LEVELS - 1][PT_INDEX(va, PT_SHIFT)];
			if (pmap_leaf_mapped(e)) {
				*vap = va;
				*leaf = e;
				return true;
			}
		}
	}
	return false;
}

/* ---------------------------------------------------------------- TLB */

/*
 * Flush [va, va+len) on every CPU that has pm loaded, after its entries
 * were changed.  Any flush also drops the CPU's paging-structure caches
 * (invlpg and CR3 loads both do), so page-table pages unlinked before it
 * may be freed after it.  Call with no spinlock held.
 */
static void pmap_shootdown(struct pmap *pm, uintptr_t va, size_t len)
{
	cpumask_t mask;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* entry stores before the read */
	mask = __atomic_load_n(&pm->active, __ATOMIC_SEQ_CST);
	if (mask)
		tlb_shootdown_mask(mask, va, len);
}

/* ---------------------------------------------------------------- create, destroy */

struct pmap *pmap_create(void)
{
	const pte_t *kpml4 = pmap_table(mmu_kernel_pml4());
	struct pmap *pm = kmalloc(sizeof(*pm), KM_ZERO);
	pte_t *pml4;

	if (!pm)
		return NULL;
	pml4 = pmm_alloc_page(PMM_ZERO);
	if (!pml4) {
		kfree(pm);
		return NULL;
	}
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		pml4[i] = kpml4[i];
	spin_init(&pm->lock, "pmap");
	pm->root = arch_virt_to_phys(pml4);
	pm->active = 0;
	pm->resident = 0;
	spin_lock(&pmap_registry_lock);
	list_add_tail(&pmap_registry, &pm->node);
	spin_unlock(&pmap_registry_lock);
	return pm;
}

/* Free the tables below t (entries [0, n) of a table at level shift s). */
static void pmap_free_level(struct pmap *pm, pte_t *t, unsigned s, uintptr_t base, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uintptr_t va = base + ((uintptr_t)i << s);
		if (!t[i])
			continue;
		if (s == PT_SHIFT)
			panic("pmap_destroy: pmap %lx still maps va %lx -> %lx", pm->root, va,
			      (paddr_t)(t[i] & PTE_ADDR_MASK));
		pte_t *next = pmap_table(t[i] & PTE_ADDR_MASK);
		pmap_free_level(pm, next, s - PT_LEVEL_SHIFT, va, PT_ENTRIES);
		t[i] = 0;
		pmm_free_page(next);
	}
}

void pmap_destroy(struct pmap *pm)
{
	cpumask_t active = __atomic_load_n(&pm->active, __ATOMIC_SEQ_CST);

	if (active)
		panic("pmap_destroy: pmap %lx still loaded on cpus %lx", pm->root, active);
	if (pm->resident || pm->io)
		panic("pmap_destroy: pmap %lx still has %lu pages (%lu device pages) mapped",
		      pm->root, pm->resident, pm->io);
	spin_lock(&pmap_registry_lock);
	list_remove(&pm->node);
	spin_unlock(&pmap_registry_lock);
	/* No CPU has it loaded and none can load it now: no lock, no flush. */
	pmap_free_level(pm, pmap_table(pm->root), PML4_SHIFT, 0, PML4_KERNEL_FIRST);
	pmm_free_page(pmap_table(pm->root));
	kfree(pm);
}

unsigned long pmap_resident(struct pmap *pm)
{
	return READ_ONCE(pm->resident) + __atomic_load_n(&pm->tables, __ATOMIC_RELAXED);
}

paddr_t pmap_root(struct pmap *pm)
{
	return pm->root;
}

unsigned pmap_table_pages(struct pmap *pm, uintptr_t va, paddr_t *tables, unsigned max)
{
	paddr_t pa = pm->root;
	unsigned n = 0;

	if (va >= USER_TOP)
		return 0;
	spin_lock(&pm->lock);
	for (unsigned s = PML4_SHIFT; n < max; s -= PT_LEVEL_SHIFT) {
		tables[n++] = pa;
		if (s == PT_SHIFT)
			break;
		pte_t e = pmap_table(pa)[PT_INDEX(va, s)];
		if (!(e & PTE_P))
			break;
		pa = e & PTE_ADDR_MASK;
	}
	spin_unlock(&pm->lock);
	return n;
}

/* ---------------------------------------------------------------- mapping */

int pmap_enter(struct pmap *pm, uintptr_t va, paddr_t pa, unsigned prot, paddr_t *old_pa)
{
	pte_t new = pmap_leaf(pa, prot), old;
	pte_t *e;

	assert(IS_ALIGNED(va, PAGE_SIZE) && va < USER_TOP && IS_ALIGNED(pa, PAGE_SIZE));
	if (old_pa)
		*old_pa = 0;
	spin_lock(&pm->lock);
	e = pmap_pte_alloc(pm, va);
	if (!e) {
		spin_unlock(&pm->lock);
		return -ENOMEM;
	}
	old = __atomic_exchange_n(e, new, __ATOMIC_SEQ_CST);
	pmap_count(pm, old, -1);
	pmap_count(pm, new, 1);
	spin_unlock(&pm->lock);
	if (!pmap_leaf_mapped(old))
		return 0;
	if (old & PTE_P)        /* x86 never caches a not-present entry */
		pmap_shootdown(pm, va, PAGE_SIZE);
	if (old_pa && !(old & PTE_SW_IO))       /* device memory: no frame */
		*old_pa = old & PTE_ADDR_MASK;
	return 0;
}

/* Unmapped frames and unlinked tables waiting for the shootdown. */
struct pmap_batch {
	paddr_t *frames;         /* cap entries */
	unsigned cap;
	unsigned nframes;
	void *tables;            /* list linked through each page's first word */
	uintptr_t lo, hi;        /* range to flush; empty if lo >= hi */
};

static void pmap_batch_range(struct pmap_batch *b, uintptr_t lo, uintptr_t hi)
{
	if (b->lo >= b->hi) {
		b->lo = lo;
		b->hi = hi;
		return;
	}
	b->lo = MIN(b->lo, lo);
	b->hi = MAX(b->hi, hi);
}

/*
 * If the PT on path p (covering va) is empty, unlink it from its PD and
 * queue it on b for freeing after the shootdown; then the PD and the PDPT
 * in turn, never the PML4.  Needs the lock of the pmap p was found in
 * (its only caller, pmap_unmap_some, holds it: pmap_next_pt asserts it).
 */
static void pmap_prune(struct pmap_path *p, uintptr_t va, struct pmap_batch *b)
{
	unsigned shift = PD_SHIFT;      /* span of one PT */

	for (unsigned lvl = PMAP_LEVELS - 1; lvl > 0; lvl--, shift += PT_LEVEL_SHIFT) {
		pte_t *t = p->tbl[lvl];
		if (!pmap_table_empty(t, PT_ENTRIES))
			return;
		p->tbl[lvl - 1][PT_INDEX(va, shift)] = 0;
		*(void **)t = b->tables;   /* bit 0 clear: still "not present" */
		b->tables = t;
		uintptr_t base = ALIGN_DOWN(va, 1ul << shift);
		pmap_batch_range(b, base, base + (1ul << shift));
	}
}

/* Unmap from va on until end or the batch is full; returns where it stopped. */
static uintptr_t pmap_unmap_some(struct pmap *pm, uintptr_t va, uintptr_t end,
				 struct pmap_batch *b)
{
	struct pmap_path p;

	while (b->nframes < b->cap && pmap_next_pt(pm, &va, end, &p)) {
		uintptr_t pt_va = va;
		uintptr_t pt_end = MIN(end, pmap_next_boundary(va, PD_SHIFT));
		pte_t *pt = p.tbl[PMAP_LEVELS - 1];
		for (; va < pt_end && b->nframes < b->cap; va += PAGE_SIZE) {
			pte_t e = __atomic_exchange_n(&pt[PT_INDEX(va, PT_SHIFT)], 0,
						      __ATOMIC_SEQ_CST);
			if (!pmap_leaf_mapped(e))
				continue;
			pmap_count(pm, e, -1);
			if (!(e & PTE_SW_IO))   /* device memory: no frame to hand back */
				b->frames[b->nframes++] = e & PTE_ADDR_MASK;
			if (e & PTE_P)
				pmap_batch_range(b, va, va + PAGE_SIZE);
		}
		pmap_prune(&p, pt_va, b);
	}
	return va;
}

/* Flush, then hand back the batch's frames and free its tables. */
static void pmap_batch_finish(struct pmap *pm, struct pmap_batch *b,
			      void (*release)(paddr_t pa, void *ctx), void *ctx)
{
	if (b->lo < b->hi)
		pmap_shootdown(pm, b->lo, b->hi - b->lo);
	for (unsigned i = 0; i < b->nframes; i++)
		release(b->frames[i], ctx);
	while (b->tables) {
		void *t = b->tables;
		b->tables = *(void **)t;
		pmm_free_page(t);
		__atomic_fetch_sub(&pm->tables, 1, __ATOMIC_RELAXED);
	}
	b->nframes = 0;
	b->lo = b->hi = 0;
}

uintptr_t pmap_remove_some(struct pmap *pm, uintptr_t start, uintptr_t end,
			   void (*release)(paddr_t pa, void *ctx), void *ctx)
{
	paddr_t local[PMAP_BATCH];
	struct pmap_batch b = { .frames = local, .cap = PMAP_BATCH, .nframes = 0,
				.tables = NULL, .lo = 0, .hi = 0 };
	paddr_t *big = NULL;
	uintptr_t va;

	assert(IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(end, PAGE_SIZE));
	assert(start <= end && end <= USER_TOP);
	if (start == end)
		return end;
	/*
	 * A long range: collect up to a page of frames per shootdown, so that
	 * other CPUs running this address space are interrupted 8 times less
	 * (each round trip costs far more under an overcommitted host).
	 */
	if ((end - start) / PAGE_SIZE > PMAP_BATCH && (big = pmm_alloc_page(0))) {
		b.frames = big;
		b.cap = PMAP_BATCH_BIG;
	}
	spin_lock(&pm->lock);
	va = pmap_unmap_some(pm, start, end, &b);
	spin_unlock(&pm->lock);
	pmap_batch_finish(pm, &b, release, ctx);
	if (big)
		pmm_free_page(big);
	return va;
}

void pmap_remove_range(struct pmap *pm, uintptr_t start, uintptr_t end,
		       void (*release)(paddr_t pa, void *ctx), void *ctx)
{
	while (start < end)
		start = pmap_remove_some(pm, start, end, release, ctx);
}

static void pmap_take_frame(paddr_t pa, void *ctx)
{
	*(paddr_t *)ctx = pa;
}

paddr_t pmap_remove(struct pmap *pm, uintptr_t va)
{
	paddr_t pa = 0;

	pmap_remove_range(pm, va, va + PAGE_SIZE, pmap_take_frame, &pa);
	return pa;
}

uintptr_t pmap_protect_some(struct pmap *pm, uintptr_t start, uintptr_t end, unsigned prot)
{
	struct pmap_path p;
	uintptr_t va = start, lo = 0, hi = 0;
	unsigned pts = 0;

	assert(IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(end, PAGE_SIZE));
	assert(start <= end && end <= USER_TOP);
	spin_lock(&pm->lock);
	while (pts++ < PMAP_PROTECT_PTS && pmap_next_pt(pm, &va, end, &p)) {
		uintptr_t pt_end = MIN(end, pmap_next_boundary(va, PD_SHIFT));
		pte_t *pt = p.tbl[PMAP_LEVELS - 1];
		for (; va < pt_end; va += PAGE_SIZE) {
			pte_t *e = &pt[PT_INDEX(va, PT_SHIFT)];
			pte_t old = __atomic_load_n(e, __ATOMIC_RELAXED);
			if (!pmap_leaf_mapped(old))
				continue;
			pte_t new = pmap_leaf(old & PTE_ADDR_MASK,
					      prot | ((old & PTE_SW_IO) ? PMAP_IO : 0));
			if (new & PTE_P)
				new |= old & (PTE_A | PTE_D);
			old = __atomic_exchange_n(e, new, __ATOMIC_SEQ_CST);
			if (!(old & PTE_P) || (old & ~(PTE_A | PTE_D)) == (new & ~(PTE_A | PTE_D)))
				continue;       /* nothing cached, or nothing changed */
			if (lo >= hi)
				lo = va;
			hi = va + PAGE_SIZE;
		}
	}
	spin_unlock(&pm->lock);
	/* Flush gains too: nothing handles a spurious fault on a stale entry. */
	if (lo < hi)
		pmap_shootdown(pm, lo, hi - lo);
	return MIN(va, end);
}

void pmap_protect(struct pmap *pm, uintptr_t start, uintptr_t end, unsigned prot)
{
	while (start < end)
		start = pmap_protect_some(pm, start, end, prot);
}

/*
 * Copy one PT's leaves in [va, pt_end) from spt into dst, taking a frame
 * reference per RAM leaf; with cow, the source leaf loses PTE_W first and
 * the copy is taken from what is left.  Widens [*lo, *hi) over source
 * leaves whose write access went.  Returns 0 or -ENOMEM (a page-table
 * page of dst); *vap is where it stopped.  Needs both pmaps' locks.
 */
static int pmap_copy_pt(struct pmap *dst, pte_t *spt, uintptr_t *vap, uintptr_t pt_end,
			bool cow, uintptr_t *lo, uintptr_t *hi)
{
	pte_t *dpt = NULL;
	uintptr_t va = *vap;
	int err = 0;

	spin_assert_held(&dst->lock);
	for (; va < pt_end; va += PAGE_SIZE) {
		pte_t *se = &spt[PT_INDEX(va, PT_SHIFT)];
		pte_t e = __atomic_load_n(se, __ATOMIC_RELAXED);
		if (!pmap_leaf_mapped(e))
			continue;
		if (!dpt) {
			pte_t *de = pmap_pte_alloc(dst, va);
			if (!de) {
				err = -ENOMEM;
				break;
			}
			dpt = de - PT_INDEX(va, PT_SHIFT);
		}
		if (cow && (e & PTE_W)) {
			/* Atomic: the MMU may set A or D on another CPU meanwhile. */
			e = __atomic_and_fetch(se, ~(pte_t)PTE_W, __ATOMIC_SEQ_CST);
			if (*lo >= *hi)
				*lo = va;
			*hi = va + PAGE_SIZE;
		}
		pte_t *de = &dpt[PT_INDEX(va, PT_SHIFT)];
		assert(!*de);   /* dst is a fresh copy: nothing mapped here yet */
		*de = e;
		pmap_count(dst, e, 1);
		if (!(e & PTE_SW_IO))   /* device memory: no frame to count */
			pmm_page_get(e & PTE_ADDR_MASK);
	}
	*vap = va;
	return err;
}

uintptr_t pmap_copy_some(struct pmap *dst, struct pmap *src, uintptr_t start, uintptr_t end,
			 bool cow, int *err)
{
	struct pmap_path p;
	uintptr_t va = start, lo = 0, hi = 0;
	unsigned pts = 0;

	assert(IS_ALIGNED(start, PAGE_SIZE) && IS_ALIGNED(end, PAGE_SIZE));
	assert(start <= end && end <= USER_TOP && dst != src);
	assert(!__atomic_load_n(&dst->active, __ATOMIC_SEQ_CST));
	*err = 0;
	spin_lock(&src->lock);
	spin_lock_nested(&dst->lock, PMAP_SUBCLASS_COPY);
	while (pts++ < PMAP_COPY_PTS && pmap_next_pt(src, &va, end, &p)) {
		uintptr_t pt_end = MIN(end, pmap_next_boundary(va, PD_SHIFT));
		*err = pmap_copy_pt(dst, p.tbl[PMAP_LEVELS - 1], &va, pt_end, cow, &lo, &hi);
		if (*err)
			break;
	}
	spin_unlock(&dst->lock);
	spin_unlock(&src->lock);
	/* Before anything can rely on the source pages being read-only. */
	if (lo < hi)
		pmap_shootdown(src, lo, hi - lo);
	return MIN(va, end);
}

bool pmap_lookup(struct pmap *pm, uintptr_t va, paddr_t *pa, unsigned *prot)
{
	pte_t e = 0;

	if (va >= USER_TOP)
		return false;
	spin_lock(&pm->lock);
	pte_t *pte = pmap_pte(pm, ALIGN_DOWN(va, PAGE_SIZE));
	if (pte)
		e = *pte;
	spin_unlock(&pm->lock);
	if (!pmap_leaf_mapped(e))
		return false;
	if (pa)
		*pa = e & PTE_ADDR_MASK;
	if (prot)
		*prot = pmap_leaf_prot(e);
	return true;
}

int pmap_walk(struct pmap *pm, uintptr_t start, uintptr_t end,
	      int (*fn)(uintptr_t va, paddr_t pa, unsigned prot, void *ctx), void *ctx)
{
	uintptr_t va = ALIGN_DOWN(start, PAGE_SIZE);

	end = MIN(end, USER_TOP);
	while (va < end) {
		pte_t e;
		spin_lock(&pm->lock);
		bool found = pmap_next_leaf(pm, &va, end, &e);
		spin_unlock(&pm->lock);
		if (!found)
			return 0;
		int ret = fn(va, e & PTE_ADDR_MASK, pmap_leaf_prot(e), ctx);
		if (ret)
			return ret;
		va += PAGE_SIZE;
	}
	return 0;
}

/* ---------------------------------------------------------------- per CPU */

void pmap_activate(struct pmap *pm)
{
	irq_push_off();
	unsigned id = this_cpu()->id;
	struct pmap *old = pmap_loaded[id];
	cpumask_t me = CPUMASK_CPU(id);

	if (old != pm) {
		if (pm)
			__atomic_fetch_or(&pm->active, me, __ATOMIC_SEQ_CST);
		write_cr3(pm ? pm->root : mmu_kernel_pml4());
		if (old)
			__atomic_fetch_and(&old->active, ~me, __ATOMIC_SEQ_CST);
		pmap_loaded[id] = pm;
	}
	irq_pop_off();
}

struct pmap *pmap_current(void)
{
	irq_push_off();
	struct pmap *pm = pmap_loaded[this_cpu()->id];
	irq_pop_off();
	return pm;
}

/* ---------------------------------------------------------------- registry */

/* See pmap_internal.h. */
void pmap_for_each_locked(void (*fn)(struct pmap *pm, void *arg), void *arg)
{
	struct list *l;

	spin_lock(&pmap_registry_lock);
	list_for_each(l, &pmap_registry) {
		struct pmap *pm = list_entry(l, struct pmap, node);

		spin_lock(&pm->lock);
		fn(pm, arg);
		spin_unlock(&pm->lock);
	}
	spin_unlock(&pmap_registry_lock);
}

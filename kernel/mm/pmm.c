/*
 * pmm.c - physical memory manager (see keel/pmm.h).
 *
 * Boot happens in two steps:
 *   1. pmm_early_init() records what must never be handed out: the first
 *      1 MiB (firmware, future AP trampoline), the kernel image, the boot
 *      modules.  pmm_early_alloc() then bump-allocates page-table pages and
 *      the page map from usable memory outside those ranges, below a limit
 *      that is 1 GiB while only the boot identity map exists.
 *   2. pmm_init() allocates the page map (one struct page per frame up to
 *      the highest usable address), hands every usable frame that is not
 *      reserved or early-allocated to the buddy core, and closes the early
 *      allocator for good.
 *
 * Per-CPU frame caches: once pmm_pcp_enable() has run, single frames are
 * allocated from and freed to a small cache of the running CPU (at most
 * PMM_PCP_HIGH frames, refilled and drained PMM_PCP_BATCH at a time under
 * one pmm_lock round trip), so that page faults and unmaps on many CPUs do
 * not hand the global lock around for every frame.  That handoff is what
 * convoys when the host does not run every virtual CPU.  A cached frame is
 * free (PG_PCP, refcount 0): it counts in pmm_free_frames() and
 * pmm_frame_is_free(), and freeing it again is caught as a double free.
 * Frames cached on one CPU are not handed to another: when the buddy is
 * empty an allocation fails although up to PMM_PCP_HIGH frames per CPU
 * may still sit in caches (Linux drains them with IPIs; an allocator that
 * may run under spinlocks cannot wait for other CPUs here).
 *
 * Locking: pmm_lock protects pmm_buddy (every buddy_* call).  A CPU's cache
 * is [C]: its own CPU with interrupts off.  The page map array itself is
 * [I]; each struct page's fields are described in pmm.h.
 */
#include <keel/pmm.h>
#include <keel/smp.h>
#include <keel/bootinfo.h>
#include <keel/spinlock.h>
#include <keel/cpu.h>
#include <keel/panic.h>
#include <keel/klog.h>
#include <keel/ksyms.h>
#include <keel/failinject.h>
#include <lib/string.h>
#include <arch/arch.h>

#define PMM_LOW_RESERVED   (1ull << 20)      /* first 1 MiB */
#define PMM_MAX_RESERVED   (BOOTINFO_MAX_MODULES + 8)
#define PMM_EARLY_LIMIT    (1ull << 30)      /* boot identity map */
#define PMM_DEBUG_POISON   0xdb
/* The kernel's reserve: 1/128 of memory, within [2 MiB, 64 MiB]. */
#define PMM_USER_RESERVE_SHARE 128
#define PMM_USER_RESERVE_MIN   (2 * MiB / PAGE_SIZE)
#define PMM_USER_RESERVE_MAX   (64 * MiB / PAGE_SIZE)

struct pmm_range {
	uint64_t start, end;
};

extern char _kernel_start[], _kernel_end[], _boot_start[], _boot_end[];

static const struct bootinfo *pmm_bi;           /* [I] boot CPU, boot only */
static struct pmm_range pmm_reserved[PMM_MAX_RESERVED];   /* [I] */
static unsigned pmm_nreserved;                  /* [I] */
static struct pmm_range pmm_early;              /* [I] early-allocated span */
static uint64_t pmm_early_limit = PMM_EARLY_LIMIT;
static bool pmm_early_closed;

static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct buddy pmm_buddy;                  /* [pmm_lock] */
static struct page *pmm_page_map;               /* [I] */
static uint64_t pmm_max_pfn;                    /* [I] */
static uint64_t pmm_total;                      /* [I] frames given to the buddy */
static uint64_t pmm_user_reserve;               /* [I] frames PMM_USER may not take */
static uint64_t pmm_seq;                        /* [A] allocations so far */

#define PMM_PCP_HIGH  64        /* frames a CPU may keep */
#define PMM_PCP_BATCH 32        /* frames moved to or from the buddy at once */

struct pmm_pcp {
	uint64_t pfn[PMM_PCP_HIGH];     /* [C] */
	unsigned n;                     /* [C] */
};
static struct pmm_pcp pmm_pcps[MAX_CPUS];
static bool pmm_pcp_on;                         /* [I] after pmm_pcp_enable() */
static uint64_t pmm_pcp_frames;                 /* [A] frames in every cache */

static void pmm_reserve(uint64_t start, uint64_t end)
{
	if (pmm_nreserved == PMM_MAX_RESERVED)
		panic("pmm: too many reserved ranges");
	pmm_reserved[pmm_nreserved++] = (struct pmm_range){
		ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE)
	};
}

/* The lowest-starting reserved range overlapping [start, end), or NULL. */
static const struct pmm_range *pmm_overlap_reserved(uint64_t start, uint64_t end)
{
	const struct pmm_range *best = NULL;

	for (unsigned i = 0; i < pmm_nreserved; i++) {
		const struct pmm_range *r = &pmm_reserved[i];
		if (r->start < end && r->end > start && (!best || r->start < best->start))
			best = r;
	}
	return best;
}

/* Like pmm_overlap_reserved, also counting the current early span. */
static const struct pmm_range *pmm_overlap(uint64_t start, uint64_t end)
{
	const struct pmm_range *r = pmm_overlap_reserved(start, end);

	if (pmm_early.start < end && pmm_early.end > start &&
	    (!r || pmm_early.start < r->start))
		return &pmm_early;
	return r;
}

void pmm_early_init(const struct bootinfo *bi)
{
	pmm_bi = bi;
	pmm_reserve(0, PMM_LOW_RESERVED);
	pmm_reserve((uintptr_t)_boot_start, (uintptr_t)_boot_end);
	pmm_reserve(arch_virt_to_phys(_kernel_start), arch_virt_to_phys(_kernel_end));
	for (unsigned i = 0; i < bi->mod_count; i++)
		pmm_reserve(bi->mod[i].start, bi->mod[i].end);
	if (bi->info_end > bi->info_start)
		pmm_reserve(bi->info_start, bi->info_end);
}

void pmm_early_set_limit(uint64_t limit)
{
	pmm_early_limit = limit;
}

/*
 * Lowest address >= from with `bytes` (page multiple) of usable memory
 * that overlaps no reserved range and ends below the early limit; 0 if none.
 */
static uint64_t pmm_early_find(uint64_t from, uint64_t bytes)
{
	for (unsigned i = 0; i < pmm_bi->mem_count; i++) {
		const struct boot_mem_region *r = &pmm_bi->mem[i];
		uint64_t start = ALIGN_UP(MAX(r->base, from), PAGE_SIZE);
		uint64_t end = MIN(ALIGN_DOWN(r->base + r->len, PAGE_SIZE), pmm_early_limit);

		if (r->type != BOOT_MEM_USABLE)
			continue;
		while (start + bytes <= end) {
			const struct pmm_range *o = pmm_overlap_reserved(start, start + bytes);
			if (!o)
				return start;
			start = o->end;
		}
	}
	return 0;
}

/*
 * Bump-allocate zeroed boot memory (never freed).  Allocations grow one
 * span (pmm_early) upward; when the next piece cannot follow it, the span
 * is moved to the reserved list and a new one starts.  Panics when memory
 * runs out: the kernel cannot boot without page tables and a page map.
 */
paddr_t pmm_early_alloc(size_t bytes)
{
	uint64_t pa;

	assert(!pmm_early_closed);
	bytes = ALIGN_UP(bytes, PAGE_SIZE);
	pa = pmm_early_find(pmm_early.end ? pmm_early.end : PMM_LOW_RESERVED, bytes);
	if (!pmm_early.end || pa != pmm_early.end) {
		if (pmm_early.end)
			pmm_reserve(pmm_early.start, pmm_early.end);
		pmm_early = (struct pmm_range){ 0, 0 };
		if (!pa)
			pa = pmm_early_find(PMM_LOW_RESERVED, bytes);
		if (!pa)
			panic("keel: not enough memory for boot allocations (%zu bytes)", bytes);
		pmm_early = (struct pmm_range){ pa, pa };
	}
	pmm_early.end = pa + bytes;
	memset(arch_phys_to_virt(pa), 0, bytes);
	return pa;
}

/* Give the usable part of [start, end) that is not reserved to the buddy. */
static void pmm_add_usable(uint64_t start, uint64_t end)
{
	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	while (start < end) {
		const struct pmm_range *o = pmm_overlap(start, end);
		uint64_t stop = end;
		if (o && o->start <= start) {
			start = o->end;
			continue;
		}
		if (o)
			stop = o->start;
		buddy_add_range(&pmm_buddy, start / PAGE_SIZE, (stop - start) / PAGE_SIZE);
		pmm_total += (stop - start) / PAGE_SIZE;
		start = stop;
	}
}

void pmm_init(const struct bootinfo *bi)
{
	uint64_t map_bytes;

	pmm_max_pfn = bootinfo_max_usable_addr(bi) / PAGE_SIZE;
	map_bytes = pmm_max_pfn * sizeof(struct page);
	pmm_page_map = arch_phys_to_virt(pmm_early_alloc(map_bytes));
	pmm_early_closed = true;

	buddy_init(&pmm_buddy, 0, pmm_max_pfn, pmm_page_map, sizeof(struct page),
		   offsetof(struct page, buddy));
	for (uint64_t pfn = 0; pfn < pmm_max_pfn; pfn++)
		pmm_page_map[pfn].flags = PG_RESERVED;
	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		if (r->type == BOOT_MEM_USABLE)
			pmm_add_usable(r->base, r->base + r->len);
	}
	for (uint64_t pfn = 0; pfn < pmm_max_pfn; pfn++)
		if (buddy_is_free(&pmm_buddy, pfn))
			pmm_page_map[pfn].flags = 0;
	pmm_user_reserve = MIN(MAX(pmm_total / PMM_USER_RESERVE_SHARE,
				   (uint64_t)PMM_USER_RESERVE_MIN),
			       (uint64_t)PMM_USER_RESERVE_MAX);
	klog(LOG_INFO, "pmm: %lu MiB usable, %lu KiB page map, %lu KiB boot tables",
	     pmm_total * PAGE_SIZE / MiB, map_bytes / KiB,
	     (pmm_early.end - pmm_early.start - ALIGN_UP(map_bytes, PAGE_SIZE)) / KiB);
}

/* Free frames in the buddy and the caches, without the lock (a snapshot). */
static uint64_t pmm_free_frames_racy(void)
{
	return READ_ONCE(pmm_buddy.free_pages) +
	       __atomic_load_n(&pmm_pcp_frames, __ATOMIC_RELAXED);
}

/* Move up to n frames from this CPU's cache back to the buddy.  [C] */
static void pmm_pcp_drain(struct pmm_pcp *c, unsigned n)
{
	int err = 0;

	assert(!arch_irqs_enabled() && c == &pmm_pcps[this_cpu()->id]);
	n = MIN(n, c->n);
	spin_lock(&pmm_lock);
	for (unsigned i = 0; i < n && !err; i++) {
		uint64_t pfn = c->pfn[--c->n];
		pmm_page_map[pfn].flags = 0;
		err = buddy_free(&pmm_buddy, pfn, 0);
	}
	spin_unlock(&pmm_lock);
	__atomic_fetch_sub(&pmm_pcp_frames, n, __ATOMIC_RELAXED);
	if (err)
		panic("pmm: a cached frame was free in the buddy too");
}

/* A frame from this CPU's cache, refilled from the buddy; -1 if none. */
static int64_t pmm_pcp_take(void)
{
	struct pmm_pcp *c;
	int64_t pfn = -1;

	irq_push_off();
	c = &pmm_pcps[this_cpu()->id];
	if (c->n == 0) {
		unsigned got = 0;
		spin_lock(&pmm_lock);
		while (got < PMM_PCP_BATCH && (pfn = buddy_alloc(&pmm_buddy, 0)) >= 0) {
			pmm_page_map[pfn].flags = PG_PCP;
			c->pfn[c->n++] = (uint64_t)pfn;
			got++;
		}
		spin_unlock(&pmm_lock);
		__atomic_fetch_add(&pmm_pcp_frames, got, __ATOMIC_RELAXED);
	}
	pfn = -1;
	if (c->n) {
		pfn = (int64_t)c->pfn[--c->n];
		pmm_page_map[pfn].flags = 0;
		__atomic_fetch_sub(&pmm_pcp_frames, 1, __ATOMIC_RELAXED);
	}
	irq_pop_off();
	return pfn;
}

/* Give a free frame (flags clear, refcount 0) to this CPU's cache. */
static void pmm_pcp_put(uint64_t pfn)
{
	struct pmm_pcp *c;

	irq_push_off();
	c = &pmm_pcps[this_cpu()->id];
	if (c->n == PMM_PCP_HIGH)
		pmm_pcp_drain(c, PMM_PCP_BATCH);
	pmm_page_map[pfn].flags = PG_PCP;
	c->pfn[c->n++] = pfn;
	__atomic_fetch_add(&pmm_pcp_frames, 1, __ATOMIC_RELAXED);
	irq_pop_off();
}

/* smp_call function: this CPU's whole cache back to the buddy. */
static void pmm_pcp_drain_this(void *arg)
{
	struct pmm_pcp *c;

	irq_push_off();
	c = &pmm_pcps[this_cpu()->id];
	pmm_pcp_drain(c, c->n);
	irq_pop_off();
}

void pmm_drain_caches(void)
{
	if (READ_ONCE(pmm_pcp_on))
		smp_call_all(pmm_pcp_drain_this, NULL);
}

void pmm_pcp_enable(void)
{
	WRITE_ONCE(pmm_pcp_on, true);
}

void *pmm_alloc_pages(unsigned order, unsigned flags)
{
	int64_t pfn;
	struct page *pg;
	uint64_t seq;
	void *va;

	if (!(flags & PMM_NOFAIL) && fail_should(FAIL_FRAME))
		return NULL;
	/* User memory leaves the reserve to the kernel (see PMM_USER). */
	if ((flags & PMM_USER) && pmm_free_frames_racy() < pmm_user_reserve + (1ull << order))
		return NULL;
	if (order == 0 && READ_ONCE(pmm_pcp_on)) {
		pfn = pmm_pcp_take();
	} else {
		spin_lock(&pmm_lock);
		pfn = buddy_alloc(&pmm_buddy, order);
		spin_unlock(&pmm_lock);
	}
	if (pfn < 0)
		return NULL;
	seq = __atomic_add_fetch(&pmm_seq, 1, __ATOMIC_RELAXED);
	pg = &pmm_page_map[pfn];
	assert(refcount_read(&pg->refcount) == 0 && !(pg->flags & PG_RESERVED));
	refcount_init(&pg->refcount, 1);
	pg->flags = PG_HEAD;
	pg->order = order;
	pg->slab = NULL;
	pg->alloc_pc = (uintptr_t)__builtin_return_address(0);
	pg->alloc_seq = seq;
	va = arch_phys_to_virt((uint64_t)pfn * PAGE_SIZE);
	if (flags & PMM_ZERO)
		memset(va, 0, PAGE_SIZE << order);
	return va;
}

void pmm_free_pages(void *va, unsigned order)
{
	uint64_t pfn = arch_virt_to_phys(va) / PAGE_SIZE;
	struct page *pg = pmm_pfn_to_page(pfn);
	int err;

	if (!pg || !(pg->flags & PG_HEAD) || pg->order != order)
		panic("pmm: bad free of %p (order %u)", va, order);
	refcount_init(&pg->refcount, 0);
	pg->flags = 0;
#if KEEL_DEBUG
	memset(va, PMM_DEBUG_POISON, PAGE_SIZE << order);
#endif
	if (order == 0 && READ_ONCE(pmm_pcp_on)) {
		pmm_pcp_put(pfn);
		return;
	}
	spin_lock(&pmm_lock);
	err = buddy_free(&pmm_buddy, pfn, order);
	spin_unlock(&pmm_lock);
	if (err)
		panic("pmm: double or invalid free of pfn %lx (order %u)", pfn, order);
}

void pmm_page_get(paddr_t pa)
{
	struct page *pg = pmm_pfn_to_page(pa / PAGE_SIZE);

	assert(pg && (pg->flags & PG_HEAD) && pg->order == 0);
	refcount_get(&pg->refcount);
}

void pmm_page_put_many(const paddr_t *pas, unsigned n)
{
	uint64_t pfns[PMM_PUT_MANY_MAX];
	unsigned nfree = 0;
	int err = 0;

	assert(n <= PMM_PUT_MANY_MAX);
	for (unsigned i = 0; i < n; i++) {
		uint64_t pfn = pas[i] / PAGE_SIZE;
		struct page *pg = pmm_pfn_to_page(pfn);

		assert(pg && (pg->flags & PG_HEAD) && pg->order == 0);
		if (!refcount_put(&pg->refcount))
			continue;
		pg->flags = 0;
#if KEEL_DEBUG
		memset(arch_phys_to_virt(pas[i]), PMM_DEBUG_POISON, PAGE_SIZE);
#endif
		pfns[nfree++] = pfn;
	}
	if (!nfree)
		return;
	if (READ_ONCE(pmm_pcp_on)) {
		for (unsigned i = 0; i < nfree; i++)
			pmm_pcp_put(pfns[i]);
		return;
	}
	/* One lock round trip for the lot: the lock is shared by every CPU. */
	spin_lock(&pmm_lock);
	for (unsigned i = 0; i < nfree && !err; i++)
		err = buddy_free(&pmm_buddy, pfns[i], 0);
	spin_unlock(&pmm_lock);
	if (err)
		panic("pmm: double or invalid free in a batch of %u frames", nfree);
}

void pmm_page_put(paddr_t pa)
{
	struct page *pg = pmm_pfn_to_page(pa / PAGE_SIZE);

	assert(pg && (pg->flags & PG_HEAD) && pg->order == 0);
	if (refcount_put(&pg->refcount)) {
		refcount_init(&pg->refcount, 1);   /* pmm_free_pages expects the owner's ref */
		pmm_free_pages(arch_phys_to_virt(pa), 0);
	}
}

uint32_t pmm_page_refs(paddr_t pa)
{
	struct page *pg = pmm_pfn_to_page(pa / PAGE_SIZE);

	return pg ? refcount_read(&pg->refcount) : 0;
}

struct page *pmm_pfn_to_page(uint64_t pfn)
{
	return pfn < pmm_max_pfn ? &pmm_page_map[pfn] : NULL;
}

struct page *pmm_virt_to_page(const void *va)
{
	return pmm_pfn_to_page(arch_virt_to_phys(va) / PAGE_SIZE);
}

uint64_t pmm_free_frames(void)
{
	uint64_t n;

	spin_lock(&pmm_lock);
	n = buddy_free_pages(&pmm_buddy);
	spin_unlock(&pmm_lock);
	return n + __atomic_load_n(&pmm_pcp_frames, __ATOMIC_RELAXED);
}

bool pmm_frame_is_free(uint64_t pfn)
{
	bool free;

	if (pfn >= pmm_max_pfn)
		return false;
	if (READ_ONCE(pmm_page_map[pfn].flags) & PG_PCP)
		return true;            /* in a CPU's cache */
	spin_lock(&pmm_lock);
	free = buddy_is_free(&pmm_buddy, pfn);
	spin_unlock(&pmm_lock);
	return free;
}

uint64_t pmm_total_frames(void)
{
	return pmm_total;
}

uint64_t pmm_user_reserve_frames(void)
{
	return pmm_user_reserve;
}

uint64_t pmm_alloc_seq(void)
{
	return __atomic_load_n(&pmm_seq, __ATOMIC_RELAXED);
}

uint64_t pmm_report_since(uint64_t mark, unsigned max)
{
	uint64_t frames = 0;
	unsigned shown = 0;

	for (uint64_t pfn = 0; pfn < pmm_max_pfn; pfn++) {
		const struct page *pg = &pmm_page_map[pfn];
		uint16_t flags = READ_ONCE(pg->flags);
		if (!(flags & PG_HEAD) || (flags & PG_SLAB) || READ_ONCE(pg->alloc_seq) <= mark)
			continue;
		frames += 1ull << pg->order;
		if (shown++ < max) {
			uintptr_t off = 0;
			const char *who = ksym_lookup(pg->alloc_pc, &off);
			kprintf("pmm: pfn %lx order %u refs %u allocated by %s+0x%lx\n", pfn,
				pg->order, refcount_read(&pg->refcount), who ? who : "?", off);
		}
	}
	return frames;
}

/* Debug: the buddy invariants hold (0) or not (-EINVAL). */
int pmm_check(void)
{
	int err;

	spin_lock(&pmm_lock);
	err = buddy_check(&pmm_buddy);
	spin_unlock(&pmm_lock);
	return err;
}

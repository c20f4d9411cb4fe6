/*
 * keel/pmm.h - the physical memory manager: 4 KiB frames, buddy-allocated.
 *
 * Every physical frame below the highest usable address has a struct page
 * in one array (the "page map").  Free frames live in buddy blocks (see
 * lib/buddy.c); pmm_lock protects the buddy lists.  A frame handed out by
 * pmm_alloc_pages() has refcount 1; pmm_page_put() drops a reference and
 * frees the block when it reaches 0 (used by the VM for shared frames).
 * The count is a refcount_t (keel/refcount.h) with one difference from
 * other objects: a frame outlives its count, so a free frame sits at 0 and
 * the allocator starts it again at 1 (refcount_init) when it hands the
 * frame out anew.
 * Allocated memory is reached through the direct map (phys_to_virt).
 *
 * Lock key (tags as in docs/locking.md): [pmm_lock]; [A] atomic; [C] the
 * owner of the allocated block (whoever allocated it, until it frees it);
 * [I] immutable after boot.
 */
#ifndef KEEL_PMM_H
#define KEEL_PMM_H

#include <keel/compiler.h>
#include <keel/refcount.h>
#include <lib/buddy.h>

#define PMM_ZERO        (1u << 0)       /* zero-fill the block */
/*
 * User memory (page faults, copy-on-write copies, shared objects): fails
 * while fewer than pmm_user_reserve_frames() frames would stay free, so
 * the kernel (page tables, stacks, heap) keeps working - and the
 * out-of-memory killer's victim can exit - when user space has taken
 * everything else.
 */
#define PMM_USER        (1u << 2)
#define PMM_NOFAIL      (1u << 1)       /* never a failalloc= injected failure */

#define PG_RESERVED     (1u << 0)       /* never allocatable (firmware, kernel image) */
#define PG_SLAB         (1u << 1)       /* owned by the kernel heap; page->slab valid */
#define PG_HEAD         (1u << 2)       /* first page of an allocated block */
#define PG_PCP          (1u << 3)       /* free, in a CPU's frame cache */

struct page {
	struct buddy_node buddy;    /* [pmm_lock] buddy-core state */
	refcount_t refcount;        /* [A] users of this block; 0 when free */
	uint16_t flags;             /* [C] PG_* */
	uint8_t order;              /* [C] order of the allocated block (head page) */
	uint8_t pad;
	void *slab;                 /* [C] kmalloc's slab for PG_SLAB pages */
	uintptr_t alloc_pc;         /* [C] who allocated the block (head page) */
	uint64_t alloc_seq;         /* [C] pmm_alloc_seq() when it was allocated */
};

typedef uint64_t paddr_t;

/* Boot-time setup from the boot memory map; see kernel/mm/pmm.c. */
struct bootinfo;
void pmm_init(const struct bootinfo *bi);
/* Before pmm_init: bump-allocate zeroed, page-aligned boot memory (never freed). */
paddr_t pmm_early_alloc(size_t bytes);
/* Record the loader's reserved ranges; first call, before any early alloc. */
void pmm_early_init(const struct bootinfo *bi);
/* Early allocations must lie below limit (physical) until the direct map exists. */
void pmm_early_set_limit(uint64_t limit);

/* Boot CPU, once every CPU runs: single frames go through per-CPU caches. */
void pmm_pcp_enable(void);
/*
 * Give every CPU's cached frames back to the buddy (a cross-CPU call to
 * each online CPU; thread context, no spinlock held), so that one CPU can
 * allocate every free frame, as Linux's drain_all_pages.
 */
void pmm_drain_caches(void);
/* Allocate 2^order contiguous frames; direct-map address or NULL. */
void *pmm_alloc_pages(unsigned order, unsigned flags);
/* Free a block from pmm_alloc_pages (same order). Panics on a double free. */
void pmm_free_pages(void *va, unsigned order);
static inline void *pmm_alloc_page(unsigned flags) { return pmm_alloc_pages(0, flags); }
static inline void pmm_free_page(void *va) { pmm_free_pages(va, 0); }

/* Take one more reference to the (allocated, order-0) frame at pa. */
void pmm_page_get(paddr_t pa);
/* pmm_page_put() for n frames (n <= PMM_PUT_MANY_MAX), taking pmm_lock once. */
#define PMM_PUT_MANY_MAX 64
void pmm_page_put_many(const paddr_t *pas, unsigned n);
/* Drop a reference; the frame is freed when the last one goes. */
void pmm_page_put(paddr_t pa);
/* Current reference count of the frame at pa (diagnostics, COW). */
uint32_t pmm_page_refs(paddr_t pa);

struct page *pmm_virt_to_page(const void *va);
struct page *pmm_pfn_to_page(uint64_t pfn);
/* Number of free frames right now. */
uint64_t pmm_free_frames(void);
uint64_t pmm_total_frames(void);
/* Frames that only kernel allocations may take (see PMM_USER). */
uint64_t pmm_user_reserve_frames(void);
/* True if frame pfn is in the free pool right now. */
bool pmm_frame_is_free(uint64_t pfn);
/* Allocations so far: a mark for pmm_report_since(). */
uint64_t pmm_alloc_seq(void);
/*
 * Diagnostics: print (up to max) blocks allocated after mark that are still
 * allocated and not kernel-heap slabs, with their allocator; returns how
 * many frames such blocks hold.  Reads the page map without locks.
 */
uint64_t pmm_report_since(uint64_t mark, unsigned max);
/* Debug: check the allocator invariants; 0 or -EINVAL. */
int pmm_check(void);

#endif

/*
 * buddy.h - the pure core of the physical frame allocator: a binary buddy
 * system over page frame numbers (pfns).
 *
 * The caller (kernel/mm/pmm.c) owns one metadata record per frame in an array
 * and embeds a struct buddy_node in each; this core only links and marks
 * those nodes.  It never allocates memory, never sleeps and takes no locks:
 * the caller serialises every call on one struct buddy with its own lock.
 *
 * A block of order k is 2^k frames starting at a pfn that is a multiple of
 * 2^k in absolute terms (so an order-9 block is a 2 MiB-aligned 2 MiB
 * region usable as a large page), lying entirely inside
 * [base_pfn, base_pfn + npages).  base_pfn itself need not be aligned.
 *
 * Frame states (struct buddy_node.state):
 *   BUDDY_RESERVED    not managed: a hole, firmware or kernel memory, or a
 *                     frame never handed to buddy_add_range().  Never
 *                     allocated, never merged with.
 *   BUDDY_FREE_HEAD   first frame of a free block of 2^order frames; the
 *                     node is on free_list[order].
 *   BUDDY_ALLOC_HEAD  first frame of an allocated block of 2^order frames,
 *                     as returned by buddy_alloc().
 *   BUDDY_TAIL        any other frame of a free or allocated block; its
 *                     order and links are meaningless.
 *
 * Invariants (checked by buddy_check()):
 *  - every managed frame is covered by exactly one block: the head is
 *    FREE_HEAD or ALLOC_HEAD, the other 2^order - 1 frames are TAIL;
 *  - free_list[k] holds exactly the FREE_HEAD nodes of order k and
 *    nfree[k] counts them; free_pages = sum of nfree[k] << k;
 *  - no two free buddies of order k < BUDDY_MAX_ORDER are left unmerged.
 *
 * A struct buddy holds the heads of circular lists, so it must not be
 * copied or moved after buddy_init().
 */
#ifndef KEEL_LIB_BUDDY_H
#define KEEL_LIB_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_ORDERS	11			/* orders 0..10 */
#define BUDDY_MAX_ORDER	(BUDDY_ORDERS - 1)	/* 1024 frames */
#define BUDDY_NO_PFN	(-1)			/* alloc failure */

enum buddy_state {
	BUDDY_RESERVED = 0,
	BUDDY_FREE_HEAD = 1,
	BUDDY_ALLOC_HEAD = 2,
	BUDDY_TAIL = 3,
};

/* Embedded in the caller's per-frame metadata; owned by this core. */
struct buddy_node {
	struct buddy_node *next, *prev;	/* free list; FREE_HEAD only */
	uint8_t order;			/* block order; heads only */
	uint8_t state;			/* enum buddy_state */
};

/* Node of pfn p: meta + (p - base_pfn) * stride + node_off. */
struct buddy {
	uint64_t base_pfn, npages;	/* [base_pfn, base_pfn + npages) */
	char *meta;			/* the caller's metadata array */
	size_t stride, node_off;	/* record size, node offset */
	struct buddy_node free_list[BUDDY_ORDERS]; /* circular list heads */
	uint64_t nfree[BUDDY_ORDERS];	/* blocks on free_list[k] */
	uint64_t free_pages;		/* frames in all free blocks */
};

/*
 * Set up @b to cover frames [base_pfn, base_pfn + npages), whose nodes live
 * in @meta as described in struct buddy (node_off + sizeof(struct
 * buddy_node) <= stride).  Every frame starts BUDDY_RESERVED; all npages
 * nodes are written.  base_pfn + npages must not overflow.  O(npages).
 */
void buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t npages,
		void *meta, size_t stride, size_t node_off);

/*
 * Boot time: make the reserved frames among [pfn, pfn + count) free,
 * carving them into the largest aligned blocks and merging with free
 * neighbours.  The range is clipped to the covered frames, and frames that
 * are already free or allocated are left alone, so ranges may be added in
 * any order and may even overlap.  O(count + BUDDY_ORDERS^2).
 */
void buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t count);

/*
 * Allocate a block of 2^order frames.  Returns the pfn of its first frame
 * (a multiple of 2^order), or BUDDY_NO_PFN if no block is free or
 * order > BUDDY_MAX_ORDER.  O(BUDDY_ORDERS).
 */
int64_t buddy_alloc(struct buddy *b, unsigned order);

/*
 * Free the block of 2^order frames at @pfn that buddy_alloc() returned, and
 * merge it with its free buddies.  Returns 0, or -EINVAL without changing
 * anything if @pfn is misaligned or out of range or is not the head of an
 * allocated block of exactly that order (e.g. a double free).
 * O(BUDDY_ORDERS).
 */
int buddy_free(struct buddy *b, uint64_t pfn, unsigned order);

/* Number of free frames.  O(1). */
uint64_t buddy_free_pages(const struct buddy *b);

/*
 * True if @pfn is covered and lies in a free block; false for allocated,
 * reserved or out-of-range frames.  O(BUDDY_ORDERS).
 */
bool buddy_is_free(const struct buddy *b, uint64_t pfn);

/*
 * Check every invariant listed above.  Returns 0, or -EINVAL at the first
 * violation.  A list link is validated before it is followed, so corrupted
 * links are reported, not followed.  O(npages); for tests and debug builds.
 */
int buddy_check(const struct buddy *b);

#endif /* KEEL_LIB_BUDDY_H */

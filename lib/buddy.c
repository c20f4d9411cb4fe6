/*
 * buddy.c - binary buddy allocator over page frame numbers.
 *
 * The state and invariants are described in include/lib/buddy.h.  In short:
 * every managed frame belongs to exactly one block, whose first frame (the
 * head) records the block's order and whether it is free or allocated; the
 * other frames of the block are marked BUDDY_TAIL.  Free heads sit on a
 * per-order circular doubly-linked list (LIFO).  The buddy of the block of
 * order k at pfn h is the block at h ^ 2^k; because blocks are aligned in
 * absolute pfn terms this pairing never depends on base_pfn.
 *
 * Splitting and merging only rewrite heads (a merged-away head becomes a
 * tail, a split-off half becomes a head), so alloc and free are
 * O(BUDDY_ORDERS); only buddy_add_range() writes every frame's mark, once
 * per frame it adds, which keeps boot-time setup of millions of frames
 * linear.
 *
 * Locking: none.  The caller serialises all calls on one struct buddy.
 * Allocation: none; no libc calls (no memset), so it builds freestanding.
 */
#include <lib/buddy.h>
#include <lib/errno.h>

#define BUDDY_BLOCK(order)	((uint64_t)1 << (order))
#define BUDDY_MASK(order)	(BUDDY_BLOCK(order) - 1)

static uint64_t buddy_end(const struct buddy *b)
{
	return b->base_pfn + b->npages;
}

static bool buddy_covers(const struct buddy *b, uint64_t pfn)
{
	return pfn >= b->base_pfn && pfn - b->base_pfn < b->npages;
}

/* The node of a covered frame. */
static struct buddy_node *buddy_node(const struct buddy *b, uint64_t pfn)
{
	return (struct buddy_node *)(b->meta + (pfn - b->base_pfn) * b->stride +
				     b->node_off);
}

/* The pfn of a node that is known to be one of the covered frames' nodes. */
static uint64_t buddy_pfn(const struct buddy *b, const struct buddy_node *n)
{
	return b->base_pfn +
	       ((const char *)n - b->node_off - b->meta) / b->stride;
}

/*
 * Like buddy_pfn(), but for a pointer that may be garbage: true and *pfn
 * set only if @n is exactly the node of a covered frame.  Compares
 * addresses as integers so it never dereferences or forms a wild pointer.
 */
static bool buddy_pfn_checked(const struct buddy *b,
			      const struct buddy_node *n, uint64_t *pfn)
{
	uintptr_t first = (uintptr_t)b->meta + b->node_off;
	uintptr_t addr = (uintptr_t)n;
	uintptr_t idx;

	if (addr < first || (addr - first) % b->stride != 0)
		return false;
	idx = (addr - first) / b->stride;
	if (idx >= b->npages)
		return false;
	*pfn = b->base_pfn + idx;
	return true;
}

static void buddy_list_init(struct buddy_node *head)
{
	head->next = head;
	head->prev = head;
	head->order = 0;
	head->state = BUDDY_RESERVED;
}

static void buddy_list_push(struct buddy_node *head, struct buddy_node *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void buddy_list_del(struct buddy_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = NULL;
	n->prev = NULL;
}

/* True if @pfn is covered and heads a free block of exactly @order. */
static bool buddy_is_free_head(const struct buddy *b, uint64_t pfn,
			       unsigned order)
{
	const struct buddy_node *n;

	if (!buddy_covers(b, pfn))
		return false;
	n = buddy_node(b, pfn);
	return n->state == BUDDY_FREE_HEAD && n->order == order;
}

/*
 * Put the block of @order at @pfn on the free lists, merging it with its
 * free buddy as long as there is one.  The block's tail frames must already
 * be BUDDY_TAIL; its head may be in any state.
 */
static void buddy_insert_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct buddy_node *n;

	b->free_pages += BUDDY_BLOCK(order);
	while (order < BUDDY_MAX_ORDER) {
		uint64_t bud = pfn ^ BUDDY_BLOCK(order);
		struct buddy_node *bn;

		if (!buddy_is_free_head(b, bud, order))
			break;
		bn = buddy_node(b, bud);
		buddy_list_del(bn);
		b->nfree[order]--;
		if (bud < pfn) {
			buddy_node(b, pfn)->state = BUDDY_TAIL;
			pfn = bud;
		} else {
			bn->state = BUDDY_TAIL;
		}
		order++;
	}
	n = buddy_node(b, pfn);
	n->state = BUDDY_FREE_HEAD;
	n->order = (uint8_t)order;
	buddy_list_push(&b->free_list[order], n);
	b->nfree[order]++;
}

void buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t npages,
		void *meta, size_t stride, size_t node_off)
{
	b->base_pfn = base_pfn;
	b->npages = npages;
	b->meta = meta;
	b->stride = stride;
	b->node_off = node_off;
	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		buddy_list_init(&b->free_list[k]);
		b->nfree[k] = 0;
	}
	b->free_pages = 0;
	for (uint64_t p = base_pfn; p < base_pfn + npages; p++) {
		struct buddy_node *n = buddy_node(b, p);

		n->next = NULL;
		n->prev = NULL;
		n->order = 0;
		n->state = BUDDY_RESERVED;
	}
}

/* The largest order of an aligned block starting at @pfn that ends by @end. */
static unsigned buddy_fit_order(uint64_t pfn, uint64_t end)
{
	unsigned order = 0;

	while (order < BUDDY_MAX_ORDER && (pfn & BUDDY_MASK(order + 1)) == 0 &&
	       end - pfn >= BUDDY_BLOCK(order + 1))
		order++;
	return order;
}

/* Free the reserved run [pfn, end), cut into maximal aligned blocks. */
static void buddy_add_run(struct buddy *b, uint64_t pfn, uint64_t end)
{
	while (pfn < end) {
		unsigned order = buddy_fit_order(pfn, end);

		for (uint64_t p = pfn + 1; p < pfn + BUDDY_BLOCK(order); p++)
			buddy_node(b, p)->state = BUDDY_TAIL;
		buddy_insert_free(b, pfn, order);
		pfn += BUDDY_BLOCK(order);
	}
}

void buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
	uint64_t lo = pfn, hi;

	if (count > UINT64_MAX - pfn)
		hi = UINT64_MAX;
	else
		hi = pfn + count;
	if (lo < b->base_pfn)
		lo = b->base_pfn;
	if (hi > buddy_end(b))
		hi = buddy_end(b);

	while (lo < hi) {
		uint64_t run = lo;

		while (run < hi && buddy_node(b, run)->state == BUDDY_RESERVED)
			run++;
		if (run > lo)
			buddy_add_run(b, lo, run);
		/* Skip frames that are already free or allocated. */
		while (run < hi && buddy_node(b, run)->state != BUDDY_RESERVED)
			run++;
		lo = run;
	}
}

int64_t buddy_alloc(struct buddy *b, unsigned order)
{
	struct buddy_node *n;
	unsigned k = order;
	uint64_t pfn;

	if (order > BUDDY_MAX_ORDER)
		return BUDDY_NO_PFN;
	while (k <= BUDDY_MAX_ORDER && b->nfree[k] == 0)
		k++;
	if (k > BUDDY_MAX_ORDER)
		return BUDDY_NO_PFN;

	n = b->free_list[k].next;
	buddy_list_del(n);
	b->nfree[k]--;
	pfn = buddy_pfn(b, n);
	/* Split: give back the upper half until the block is the right size. */
	while (k > order) {
		struct buddy_node *half;

		k--;
		half = buddy_node(b, pfn + BUDDY_BLOCK(k));
		half->state = BUDDY_FREE_HEAD;
		half->order = (uint8_t)k;
		buddy_list_push(&b->free_list[k], half);
		b->nfree[k]++;
	}
	n->state = BUDDY_ALLOC_HEAD;
	n->order = (uint8_t)order;
	b->free_pages -= BUDDY_BLOCK(order);
	return (int64_t)pfn;
}

int buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	struct buddy_node *n;

	if (order > BUDDY_MAX_ORDER || !buddy_covers(b, pfn) ||
	    (pfn & BUDDY_MASK(order)) != 0)
		return -EINVAL;
	n = buddy_node(b, pfn);
	if (n->state != BUDDY_ALLOC_HEAD || n->order != order)
		return -EINVAL;
	buddy_insert_free(b, pfn, order);
	return 0;
}

uint64_t buddy_free_pages(const struct buddy *b)
{
	return b->free_pages;
}

bool buddy_is_free(const struct buddy *b, uint64_t pfn)
{
	const struct buddy_node *n;

	if (!buddy_covers(b, pfn))
		return false;
	n = buddy_node(b, pfn);
	if (n->state != BUDDY_TAIL)
		return n->state == BUDDY_FREE_HEAD;
	/* A tail: find the head of the enclosing block among the aligned-down
	 * pfns; the first head found below it must be that block's head. */
	for (unsigned k = 1; k <= BUDDY_MAX_ORDER; k++) {
		uint64_t head = pfn & ~BUDDY_MASK(k);

		if (!buddy_covers(b, head))
			return false;
		n = buddy_node(b, head);
		if (n->state == BUDDY_FREE_HEAD || n->state == BUDDY_ALLOC_HEAD)
			return n->state == BUDDY_FREE_HEAD &&
			       pfn - head < BUDDY_BLOCK(n->order);
	}
	return false;
}

/* Check free_list[order] against nfree[order]; adds its frames to *pages. */
static int buddy_check_list(const struct buddy *b, unsigned order,
			    uint64_t *pages)
{
	const struct buddy_node *head = &b->free_list[order];
	const struct buddy_node *prev = head, *cur = head->next;
	uint64_t count = 0, pfn;

	while (cur != head) {
		if (count >= b->npages || !buddy_pfn_checked(b, cur, &pfn))
			return -EINVAL;
		if (cur->prev != prev || cur->state != BUDDY_FREE_HEAD ||
		    cur->order != order || (pfn & BUDDY_MASK(order)) != 0 ||
		    buddy_end(b) - pfn < BUDDY_BLOCK(order))
			return -EINVAL;
		count++;
		prev = cur;
		cur = cur->next;
	}
	if (head->prev != prev || count != b->nfree[order])
		return -EINVAL;
	*pages += count << order;
	return 0;
}

/*
 * Check the block headed at @pfn: its order, alignment and extent, that its
 * other frames are tails, and, if free, that its buddy is not also free.
 */
static int buddy_check_block(const struct buddy *b, uint64_t pfn)
{
	const struct buddy_node *n = buddy_node(b, pfn);
	unsigned order = n->order;

	if (order > BUDDY_MAX_ORDER || (pfn & BUDDY_MASK(order)) != 0 ||
	    buddy_end(b) - pfn < BUDDY_BLOCK(order))
		return -EINVAL;
	for (uint64_t p = pfn + 1; p < pfn + BUDDY_BLOCK(order); p++)
		if (buddy_node(b, p)->state != BUDDY_TAIL)
			return -EINVAL;
	if (n->state == BUDDY_FREE_HEAD && order < BUDDY_MAX_ORDER &&
	    buddy_is_free_head(b, pfn ^ BUDDY_BLOCK(order), order))
		return -EINVAL;
	return 0;
}

int buddy_check(const struct buddy *b)
{
	uint64_t heads[BUDDY_ORDERS] = { 0 };
	uint64_t pages = 0, pfn = b->base_pfn;

	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		if (buddy_check_list(b, k, &pages) != 0)
			return -EINVAL;
	if (pages != b->free_pages)
		return -EINVAL;

	/* Walk the frames block by block: every frame in exactly one block. */
	while (pfn < buddy_end(b)) {
		const struct buddy_node *n = buddy_node(b, pfn);

		switch (n->state) {
		case BUDDY_RESERVED:
			pfn++;
			break;
		case BUDDY_FREE_HEAD:
		case BUDDY_ALLOC_HEAD:
			if (buddy_check_block(b, pfn) != 0)
				return -EINVAL;
			if (n->state == BUDDY_FREE_HEAD)
				heads[n->order]++;
			pfn += BUDDY_BLOCK(n->order);
			break;
		default:	/* a tail outside any block, or garbage */
			return -EINVAL;
		}
	}
	/* Every free head is on its list: the lists hold only free heads. */
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		if (heads[k] != b->nfree[k])
			return -EINVAL;
	return 0;
}

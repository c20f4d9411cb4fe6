/*
 * test_buddy.c - host unit tests for the buddy allocator core (lib/buddy.c).
 *
 * Nodes are embedded at a non-zero offset in a larger per-frame record, as
 * kernel/mm/pmm.c does with struct page, so stride and node_off are exercised.
 * Most tests use an unaligned base_pfn and ranges with holes, and call
 * buddy_check() after every operation.  The stress test keeps a shadow
 * owner map to prove no frame is ever handed out twice.
 */
#include <stdlib.h>
#include <time.h>

#include "htest.h"
#include <lib/buddy.h>
#include <lib/errno.h>

struct tpage {
	uint64_t flags;
	struct buddy_node node;
	uint32_t refcount;
};

#define TBLOCK(order)	((uint64_t)1 << (order))
#define TMAX_BLOCK	TBLOCK(BUDDY_MAX_ORDER)

static struct tpage *tpages_new(uint64_t npages)
{
	struct tpage *pages = calloc(npages, sizeof(*pages));

	if (!pages) {
		fprintf(stderr, "  out of host memory\n");
		abort();
	}
	return pages;
}

static void tbuddy_init(struct buddy *b, struct tpage *pages, uint64_t base,
			uint64_t npages)
{
	buddy_init(b, base, npages, pages, sizeof(struct tpage),
		   offsetof(struct tpage, node));
}

/* Small deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t trand_state;

static void trand_seed(uint64_t seed)
{
	trand_state = seed;
}

static uint64_t trand(void)
{
	trand_state ^= trand_state >> 12;
	trand_state ^= trand_state << 25;
	trand_state ^= trand_state >> 27;
	return trand_state * 0x2545F4914F6CDD1DULL;
}

static bool tsame_nfree(const struct buddy *a, const struct buddy *b)
{
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		if (a->nfree[k] != b->nfree[k])
			return false;
	return true;
}

HTEST(buddy_init_all_reserved)
{
	enum { BASE = 7, N = 3000 };
	struct tpage *pages = tpages_new(N);
	struct buddy b;

	tbuddy_init(&b, pages, BASE, N);
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), 0);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		HCHECK_EQ(buddy_alloc(&b, k), BUDDY_NO_PFN);
	for (uint64_t p = 0; p < BASE + N + 10; p++)
		HCHECK(!buddy_is_free(&b, p));
	HCHECK_EQ(buddy_free(&b, BASE, 0), -EINVAL);
	HCHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

HTEST(buddy_add_ranges_with_holes)
{
	enum { BASE = 3, N = 5000 };
	static const uint64_t ranges[][2] = {
		{ 0, 100 },	  /* starts below base: clipped */
		{ 200, 1300 },
		{ 1600, 1 },	  /* a single frame */
		{ 1700, 4000 },	  /* runs past the end: clipped */
	};
	struct tpage *pages = tpages_new(N);
	bool *want = calloc(BASE + N + 100, sizeof(bool));
	uint64_t nwant = 0;
	struct buddy b;

	tbuddy_init(&b, pages, BASE, N);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		buddy_add_range(&b, ranges[i][0], ranges[i][1]);
		HCHECK_EQ(buddy_check(&b), 0);
		for (uint64_t p = ranges[i][0]; p < ranges[i][0] + ranges[i][1];
		     p++)
			if (p >= BASE && p < BASE + N && !want[p]) {
				want[p] = true;
				nwant++;
			}
	}
	HCHECK_EQ(buddy_free_pages(&b), nwant);
	for (uint64_t p = 0; p < BASE + N + 100; p++)
		HCHECK_EQ(buddy_is_free(&b, p), want[p]);

	/* Adding a range twice, or one overlapping free frames, is a no-op. */
	buddy_add_range(&b, 150, 2000);
	HCHECK_EQ(buddy_check(&b), 0);
	for (uint64_t p = 150; p < 2150; p++)
		if (!want[p]) {
			want[p] = true;
			nwant++;
		}
	HCHECK_EQ(buddy_free_pages(&b), nwant);
	buddy_add_range(&b, 0, BASE + N);
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), N);

	/* Aligned 1024-frame windows inside [3, 5003): 1024, 2048, 3072. */
	HCHECK_EQ(b.nfree[BUDDY_MAX_ORDER], 3);
	free(want);
	free(pages);
}

/* Ranges added in any order and granularity end up as fully merged. */
HTEST(buddy_add_range_any_order_merges)
{
	enum { BASE = 1021, N = 6000 };
	struct tpage *p1 = tpages_new(N), *p2 = tpages_new(N);
	struct buddy whole, parts;

	tbuddy_init(&whole, p1, BASE, N);
	buddy_add_range(&whole, BASE, N);
	HCHECK_EQ(buddy_check(&whole), 0);

	tbuddy_init(&parts, p2, BASE, N);
	/* Every third frame, from the top down, then the rest. */
	for (uint64_t p = BASE + N; p-- > BASE;)
		if (p % 3 == 0)
			buddy_add_range(&parts, p, 1);
	HCHECK_EQ(buddy_check(&parts), 0);
	for (uint64_t p = BASE; p < BASE + N; p += 7)
		buddy_add_range(&parts, p, 7);
	HCHECK_EQ(buddy_check(&parts), 0);
	HCHECK_EQ(buddy_free_pages(&parts), N);
	HCHECK(tsame_nfree(&whole, &parts));
	free(p1);
	free(p2);
}

HTEST(buddy_alloc_free_every_order)
{
	enum { BASE = 5, N = 3 * 1024 + 77 };
	struct tpage *pages = tpages_new(N);
	struct buddy b, before;

	tbuddy_init(&b, pages, BASE, N);
	buddy_add_range(&b, BASE, N);
	before = b;	/* only nfree/free_pages of the copy are read */
	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		int64_t pfn = buddy_alloc(&b, k);

		HCHECK(pfn >= BASE);
		HCHECK((uint64_t)pfn + TBLOCK(k) <= BASE + N);
		HCHECK_EQ((uint64_t)pfn & (TBLOCK(k) - 1), 0);
		HCHECK_EQ(buddy_check(&b), 0);
		HCHECK_EQ(buddy_free_pages(&b), N - TBLOCK(k));
		for (uint64_t p = pfn; p < pfn + TBLOCK(k); p++)
			HCHECK(!buddy_is_free(&b, p));
		HCHECK_EQ(buddy_free(&b, pfn, k), 0);
		HCHECK_EQ(buddy_check(&b), 0);
		HCHECK_EQ(buddy_free_pages(&b), N);
		HCHECK(tsame_nfree(&b, &before));
	}
	HCHECK_EQ(buddy_alloc(&b, BUDDY_ORDERS), BUDDY_NO_PFN);
	HCHECK_EQ(buddy_alloc(&b, 1000), BUDDY_NO_PFN);
	free(pages);
}

HTEST(buddy_exhaustion_and_full_coalesce)
{
	enum { BASE = 9, N = 4 * 1024 + 500 };
	struct tpage *pages = tpages_new(N);
	int64_t *got = malloc(N * sizeof(*got));
	unsigned *ord = malloc(N * sizeof(*ord));
	bool *owned = calloc(BASE + N, sizeof(bool));
	size_t n = 0;
	uint64_t initial[BUDDY_ORDERS];
	struct buddy b;

	tbuddy_init(&b, pages, BASE, N);
	buddy_add_range(&b, BASE, N);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		initial[k] = b.nfree[k];

	/* Mixed orders until nothing is left, then order 0 to the end. */
	trand_seed(42);
	for (;;) {
		unsigned k = trand() % 4;
		int64_t pfn = buddy_alloc(&b, k);

		if (pfn == BUDDY_NO_PFN) {
			k = 0;
			pfn = buddy_alloc(&b, k);
			if (pfn == BUDDY_NO_PFN)
				break;
		}
		for (uint64_t p = pfn; p < pfn + TBLOCK(k); p++) {
			HCHECK(!owned[p]);
			owned[p] = true;
		}
		got[n] = pfn;
		ord[n++] = k;
	}
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), 0);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		HCHECK_EQ(buddy_alloc(&b, k), BUDDY_NO_PFN);

	/* Free in a shuffled order. */
	for (size_t i = n; i > 1; i--) {
		size_t j = trand() % i;
		int64_t tp = got[i - 1];
		unsigned to = ord[i - 1];

		got[i - 1] = got[j];
		ord[i - 1] = ord[j];
		got[j] = tp;
		ord[j] = to;
	}
	for (size_t i = 0; i < n; i++)
		HCHECK_EQ(buddy_free(&b, got[i], ord[i]), 0);
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), N);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		HCHECK_EQ(b.nfree[k], initial[k]);
	/* Aligned 1024-frame windows inside [9, 4605): 1024, 2048, 3072. */
	HCHECK_EQ(b.nfree[BUDDY_MAX_ORDER], 3);
	free(owned);
	free(ord);
	free(got);
	free(pages);
}

HTEST(buddy_fragmented_no_large_block)
{
	enum { BASE = 0, N = 2048 };
	struct tpage *pages = tpages_new(N);
	struct buddy b;

	tbuddy_init(&b, pages, BASE, N);
	/* Only every other 512-frame chunk: plenty free, no order-10 block. */
	buddy_add_range(&b, 0, 512);
	buddy_add_range(&b, 1024, 512);
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), 1024);
	HCHECK_EQ(buddy_alloc(&b, BUDDY_MAX_ORDER), BUDDY_NO_PFN);
	HCHECK(buddy_alloc(&b, BUDDY_MAX_ORDER - 1) >= 0);
	HCHECK(buddy_alloc(&b, BUDDY_MAX_ORDER - 1) >= 0);
	HCHECK_EQ(buddy_alloc(&b, 0), BUDDY_NO_PFN);
	HCHECK_EQ(buddy_check(&b), 0);
	free(pages);
}

HTEST(buddy_bad_free_is_einval)
{
	enum { BASE = 3, N = 2500 };
	struct tpage *pages = tpages_new(N);
	struct buddy b;
	int64_t a, c;
	uint64_t left;

	tbuddy_init(&b, pages, BASE, N);
	buddy_add_range(&b, BASE, 2000);	/* [2003, 2503) stays reserved */
	a = buddy_alloc(&b, 3);
	c = buddy_alloc(&b, 0);
	HCHECK(a >= 0 && c >= 0);
	left = buddy_free_pages(&b);

	HCHECK_EQ(buddy_free(&b, a + 1, 0), -EINVAL);	/* tail of a block */
	HCHECK_EQ(buddy_free(&b, a + 4, 2), -EINVAL);	/* inner sub-block */
	HCHECK_EQ(buddy_free(&b, a + 1, 3), -EINVAL);	/* misaligned */
	HCHECK_EQ(buddy_free(&b, a, 2), -EINVAL);	/* wrong order */
	HCHECK_EQ(buddy_free(&b, a, 4), -EINVAL);	/* wrong order */
	HCHECK_EQ(buddy_free(&b, a, BUDDY_ORDERS), -EINVAL);
	HCHECK_EQ(buddy_free(&b, 0, 0), -EINVAL);	/* below base */
	HCHECK_EQ(buddy_free(&b, BASE + N, 0), -EINVAL);	/* past end */
	HCHECK_EQ(buddy_free(&b, UINT64_MAX, 0), -EINVAL);
	HCHECK_EQ(buddy_free(&b, 2100, 0), -EINVAL);	/* reserved */
	HCHECK_EQ(buddy_free(&b, 2048, 0), -EINVAL);	/* reserved, aligned */
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), left);

	HCHECK_EQ(buddy_free(&b, a, 3), 0);
	HCHECK_EQ(buddy_free(&b, a, 3), -EINVAL);	/* double free */
	HCHECK_EQ(buddy_free(&b, c, 0), 0);
	HCHECK_EQ(buddy_free(&b, c, 0), -EINVAL);	/* double free */
	/* A never-allocated free frame, head or tail of a free block. */
	for (uint64_t p = BASE; p < BASE + 2000; p++)
		HCHECK_EQ(buddy_free(&b, p, 0), -EINVAL);
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), 2000);
	free(pages);
}

HTEST(buddy_is_free_tracks_blocks)
{
	enum { BASE = 1, N = 2100 };
	struct tpage *pages = tpages_new(N);
	struct buddy b;
	int64_t a;

	tbuddy_init(&b, pages, BASE, N);
	buddy_add_range(&b, 1024, 1024);
	HCHECK(!buddy_is_free(&b, 1023));
	HCHECK(buddy_is_free(&b, 1024));
	HCHECK(buddy_is_free(&b, 1500));
	HCHECK(buddy_is_free(&b, 2047));
	HCHECK(!buddy_is_free(&b, 2048));
	a = buddy_alloc(&b, 5);
	HCHECK_EQ(a % 32, 0);
	for (uint64_t p = 1024; p < 2048; p++)
		HCHECK_EQ(buddy_is_free(&b, p),
			  p < (uint64_t)a || p >= (uint64_t)a + 32);
	HCHECK_EQ(buddy_free(&b, a, 5), 0);
	for (uint64_t p = 1024; p < 2048; p++)
		HCHECK(buddy_is_free(&b, p));
	HCHECK_EQ(b.nfree[BUDDY_MAX_ORDER], 1);
	free(pages);
}

HTEST(buddy_check_detects_corruption)
{
	enum { BASE = 0, N = 2048 };
	struct tpage *pages = tpages_new(N);
	struct buddy b;
	int64_t a;

	tbuddy_init(&b, pages, BASE, N);
	buddy_add_range(&b, BASE, N);
	a = buddy_alloc(&b, 0);
	HCHECK_EQ(buddy_check(&b), 0);

	b.nfree[3]++;
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	b.nfree[3]--;
	b.free_pages++;
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	b.free_pages--;

	pages[a + 1].node.state = BUDDY_RESERVED;	/* hole in a free block */
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	pages[a + 1].node.state = BUDDY_FREE_HEAD;
	HCHECK_EQ(buddy_check(&b), 0);

	pages[a].node.state = BUDDY_TAIL;		/* orphan tail */
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	pages[a].node.state = BUDDY_ALLOC_HEAD;

	pages[a].node.order = 1;			/* overlaps a free block */
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	pages[a].node.order = 0;

	/* Free head a + 1 with a wild link. */
	pages[a + 1].node.next = (struct buddy_node *)&pages[a + 1].flags;
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	pages[a + 1].node.next = &b.free_list[0];
	HCHECK_EQ(buddy_check(&b), 0);

	/* Two free order-0 buddies left unmerged. */
	pages[a].node.state = BUDDY_FREE_HEAD;
	pages[a].node.next = b.free_list[0].next;
	pages[a].node.prev = &b.free_list[0];
	b.free_list[0].next->prev = &pages[a].node;
	b.free_list[0].next = &pages[a].node;
	b.nfree[0]++;
	b.free_pages++;
	HCHECK_EQ(buddy_check(&b), -EINVAL);
	free(pages);
}

HTEST(buddy_stress_random)
{
	enum { BASE = 13, N = 3000, OPS = 100000, MAXHELD = 4096 };
	struct tpage *pages = tpages_new(N);
	int64_t *owner = malloc((BASE + N) * sizeof(*owner));
	int64_t held[MAXHELD];
	unsigned hord[MAXHELD];
	size_t nheld = 0;
	uint64_t total, used = 0;
	struct buddy b;

	for (uint64_t p = 0; p < BASE + N; p++)
		owner[p] = -1;
	tbuddy_init(&b, pages, BASE, N);
	/* Holes at [500, 600) and [2222, 2300). */
	buddy_add_range(&b, 0, 500);
	buddy_add_range(&b, 2300, N);
	buddy_add_range(&b, 600, 1622);
	total = buddy_free_pages(&b);
	HCHECK_EQ(total, N - 100 - 78);
	HCHECK_EQ(buddy_check(&b), 0);

	trand_seed(0x6b65656c);
	for (int op = 0; op < OPS; op++) {
		uint64_t r = trand();

		if (nheld < MAXHELD && (nheld == 0 || r % 100 < 52)) {
			/* Small orders mostly, occasionally large ones. */
			unsigned k = (r >> 8) % 16 == 0 ? (r >> 12) % BUDDY_ORDERS
							 : (r >> 12) % 4;
			int64_t pfn = buddy_alloc(&b, k);

			if (pfn == BUDDY_NO_PFN) {
				/* Only fragmentation may fail a big order. */
				if (k == 0)
					HCHECK_EQ(total - used, 0);
				continue;
			}
			HCHECK_EQ((uint64_t)pfn & (TBLOCK(k) - 1), 0);
			for (uint64_t p = pfn; p < pfn + TBLOCK(k); p++) {
				HCHECK(p >= BASE && p < BASE + N);
				HCHECK_EQ(owner[p], -1);
				HCHECK(!buddy_is_free(&b, p));
				owner[p] = pfn;
			}
			held[nheld] = pfn;
			hord[nheld++] = k;
			used += TBLOCK(k);
		} else if (r % 100 < 97) {
			size_t i = (r >> 8) % nheld;
			int64_t pfn = held[i];
			unsigned k = hord[i];

			HCHECK_EQ(buddy_free(&b, pfn, k), 0);
			for (uint64_t p = pfn; p < pfn + TBLOCK(k); p++) {
				HCHECK_EQ(owner[p], pfn);
				HCHECK(buddy_is_free(&b, p));
				owner[p] = -1;
			}
			held[i] = held[--nheld];
			hord[i] = hord[nheld];
			used -= TBLOCK(k);
			if (r % 1000 < 5)	/* now a double free */
				HCHECK_EQ(buddy_free(&b, pfn, k), -EINVAL);
		} else {
			/* A bogus free of a random frame and order. */
			uint64_t p = (r >> 8) % (BASE + N + 10);
			unsigned k = (r >> 40) % BUDDY_ORDERS;
			bool real = p < BASE + N && owner[p] == (int64_t)p;

			if (!real)
				HCHECK_EQ(buddy_free(&b, p, k), -EINVAL);
		}
		HCHECK_EQ(buddy_free_pages(&b), total - used);
		if (buddy_check(&b) != 0) {
			HCHECK_EQ(buddy_check(&b), 0);
			fprintf(stderr, "  after op %d\n", op);
			break;
		}
	}
	while (nheld > 0) {
		nheld--;
		HCHECK_EQ(buddy_free(&b, held[nheld], hord[nheld]), 0);
	}
	HCHECK_EQ(buddy_check(&b), 0);
	HCHECK_EQ(buddy_free_pages(&b), total);
	free(owner);
	free(pages);
}

static double tnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 16 GiB of 4 KiB frames, as the kernel sees under QEMU at boot. */
HTEST(buddy_add_range_4m_perf)
{
	const uint64_t n = (uint64_t)4 << 20, base = 0x100;
	struct tpage *pages = tpages_new(n);
	struct buddy b;
	double t0, t1, t2;

	t0 = tnow();
	tbuddy_init(&b, pages, base, n);
	t1 = tnow();
	buddy_add_range(&b, base, n);
	t2 = tnow();
	printf("  buddy: init %.1f ms, add_range of %llu frames %.1f ms\n",
	       (t1 - t0) * 1e3, (unsigned long long)n, (t2 - t1) * 1e3);
	HCHECK(t2 - t1 < 1.0);
	HCHECK_EQ(buddy_free_pages(&b), n);
	HCHECK_EQ(b.nfree[BUDDY_MAX_ORDER], n / TMAX_BLOCK - 1);
	HCHECK_EQ(buddy_check(&b), 0);

	/* The same frames as many small disjoint ranges, top down. */
	tbuddy_init(&b, pages, base, n);
	t1 = tnow();
	for (uint64_t end = base + n, start; end > base; end = start) {
		start = end - base >= 3 ? end - 3 : base;
		buddy_add_range(&b, start, end - start);
	}
	t2 = tnow();
	printf("  buddy: same as 3-frame ranges top down %.1f ms\n",
	       (t2 - t1) * 1e3);
	HCHECK(t2 - t1 < 1.0);
	HCHECK_EQ(buddy_free_pages(&b), n);
	HCHECK_EQ(b.nfree[BUDDY_MAX_ORDER], n / TMAX_BLOCK - 1);
	free(pages);
}

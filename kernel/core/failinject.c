/*
 * failinject.c - fault injection for kernel allocations (see
 * keel/failinject.h): the failalloc= option, the arm/disarm points around
 * init's life, the draw that decides one allocation, and the counts.
 *
 * A draw is the splitmix64 hash of (seed + n * golden ratio), n taken
 * from one shared counter with an atomic add, so no lock is ever taken
 * and the allocators stay callable from any context.  An allocation of
 * an armed kind fails when the top 32 bits of its draw are below the
 * threshold (FAIL_SCALE fails all, 0 none).
 *
 * Invariants: failinject_armed is a subset of the kinds failalloc= asked
 * for, except inside failinject_test_begin()/end(), where fail_thread
 * restricts injection to the testing thread.  Writers publish
 * fail_thread, then fail_threshold, then failinject_armed, and undo the
 * threshold and the mask before clearing fail_thread; failinject_roll()
 * reads fail_thread before the threshold, so a draw never pairs a test
 * threshold with "every thread".
 */
#include <keel/failinject.h>
#include <keel/klog.h>
#include <keel/proc.h>
#include <keel/kmalloc.h>
#include <keel/thread.h>
#include <lib/cmdline.h>
#include <lib/errno.h>
#include <lib/string.h>

#define FAIL_VAL_MAX        64          /* longest failalloc= value */
#define FAIL_PER_MILLE      1000
#define FAIL_DEFAULT_SEED   1
#define FAIL_SEP            ':'
#define FAIL_LIST_SEP       ','
#define FAIL_RATIO_SEP      '/'
#define FAIL_DRAW_SHIFT     32          /* a draw's top 32 bits are compared */
#define FAIL_NOINIT         "noinit"    /* option: spare init's own allocations */

/* splitmix64 (Steele, Lea, Flood 2014): increment and finalizer constants. */
#define SPLITMIX_GOLDEN     0x9e3779b97f4a7c15ull
#define SPLITMIX_MUL1       0xbf58476d1ce4e5b9ull
#define SPLITMIX_MUL2       0x94d049bb133111ebull

static const char *const fail_names[FAIL_KINDS] = {
	[FAIL_FRAME] = "frame",
	[FAIL_HEAP] = "heap",
	[FAIL_KSTACK] = "kstack",
};

unsigned failinject_armed;              /* [A] kinds injected right now */
static unsigned fail_mask;              /* [I] kinds failalloc= asked for */
static uint64_t fail_boot_threshold;    /* [I] failalloc='s threshold */
static uint64_t fail_seed;              /* [I] */
static bool fail_spare_init;            /* [I] failalloc=...:noinit */
static uint64_t fail_threshold;         /* [A] threshold in force */
static struct thread *fail_thread;      /* [A] tests: only this thread */
static uint64_t fail_draws;             /* [A] draws so far */
static uint64_t fail_counts[FAIL_KINDS];        /* [A] failures injected */
static unsigned fail_test_saved_armed;  /* test thread only */
static uint64_t fail_test_saved_threshold;      /* test thread only */

static uint64_t fail_hash(uint64_t x)
{
	x = (x ^ (x >> 30)) * SPLITMIX_MUL1;
	x = (x ^ (x >> 27)) * SPLITMIX_MUL2;
	return x ^ (x >> 31);
}

/* See failinject.h. */
bool failinject_roll(enum fail_kind kind)
{
	struct thread *only;
	uint64_t n, draw;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);        /* pairs with the arm */
	only = __atomic_load_n(&fail_thread, __ATOMIC_ACQUIRE);
	if (only && only != thread_current())
		return false;
	if (fail_spare_init && proc_init() && proc_current() == proc_init())
		return false;
	n = __atomic_fetch_add(&fail_draws, 1, __ATOMIC_RELAXED);
	draw = fail_hash(fail_seed + n * SPLITMIX_GOLDEN) >> FAIL_DRAW_SHIFT;
	if (draw >= __atomic_load_n(&fail_threshold, __ATOMIC_ACQUIRE))
		return false;
	__atomic_fetch_add(&fail_counts[kind], 1, __ATOMIC_RELAXED);
	return true;
}

/* Decimal digits from *s up to a separator or the end; -EINVAL if none. */
static int fail_parse_num(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*out = v;
	return 0;
}

/* "frame,heap" up to ':' into a mask; -EINVAL on an unknown name. */
static int fail_parse_kinds(const char **s, unsigned *mask)
{
	const char *p = *s;

	*mask = 0;
	for (;;) {
		size_t len = 0;
		bool known = false;

		while (p[len] && p[len] != FAIL_SEP && p[len] != FAIL_LIST_SEP)
			len++;
		if (len == strlen("all") && strncmp(p, "all", len) == 0) {
			*mask |= FAIL_MASK_ALL;
			known = true;
		}
		for (unsigned k = 0; k < FAIL_KINDS; k++) {
			if (len == strlen(fail_names[k]) && strncmp(p, fail_names[k], len) == 0) {
				*mask |= FAIL_MASK(k);
				known = true;
			}
		}
		if (!known)
			return -EINVAL;
		p += len;
		if (*p != FAIL_LIST_SEP)
			break;
		p++;
	}
	*s = p;
	return 0;
}

/* See failinject.h. */
int failinject_parse(const char *val, unsigned *mask, uint64_t *threshold,
		     uint64_t *seed, bool *noinit)
{
	const char *p = val;
	uint64_t num, den = FAIL_PER_MILLE;

	if (fail_parse_kinds(&p, mask) < 0 || *p++ != FAIL_SEP)
		return -EINVAL;
	if (fail_parse_num(&p, &num) < 0)
		return -EINVAL;
	if (*p == FAIL_RATIO_SEP) {
		p++;
		if (num != 1 || fail_parse_num(&p, &den) < 0 || den == 0)
			return -EINVAL;
	} else if (num > FAIL_PER_MILLE) {
		return -EINVAL;
	}
	*seed = FAIL_DEFAULT_SEED;
	if (*p == FAIL_SEP) {
		p++;
		if (fail_parse_num(&p, seed) < 0)
			return -EINVAL;
	}
	*noinit = false;
	if (*p == FAIL_SEP && strcmp(p + 1, FAIL_NOINIT) == 0) {
		*noinit = true;
		p += 1 + strlen(FAIL_NOINIT);
	}
	if (*p)
		return -EINVAL;
	/* num/den of FAIL_SCALE without overflow (num <= den, num <= 1000). */
	*threshold = num * (FAIL_SCALE / den) +
		     (num * (FAIL_SCALE % den)) / den;
	return 0;
}

/* See failinject.h. */
void failinject_init(const char *cmdline)
{
	char val[FAIL_VAL_MAX];

	if (!cmdline_get(cmdline, "failalloc", val, sizeof(val)))
		return;
	if (failinject_parse(val, &fail_mask, &fail_boot_threshold, &fail_seed,
			     &fail_spare_init) < 0) {
		klog(LOG_WARN, "failinject: bad failalloc=%s (want <frame|heap|kstack|all>"
		     ":<per-mille or 1/N>[:<seed>[:noinit]]); ignored", val);
		fail_mask = 0;
		return;
	}
	klog(LOG_INFO, "failinject: failalloc=%s: armed once init has started", val);
}

/* See failinject.h. */
void failinject_arm(void)
{
	if (!fail_mask)
		return;
	__atomic_store_n(&fail_threshold, fail_boot_threshold, __ATOMIC_RELEASE);
	__atomic_store_n(&failinject_armed, fail_mask, __ATOMIC_RELEASE);
}

/* See failinject.h. */
void failinject_disarm(void)
{
	if (!fail_mask)
		return;
	__atomic_store_n(&failinject_armed, 0, __ATOMIC_RELEASE);
	kprintf("failinject: frame %lu heap %lu kstack %lu failures injected\n",
		failinject_count(FAIL_FRAME), failinject_count(FAIL_HEAP),
		failinject_count(FAIL_KSTACK));
	/* Error paths that freed twice or wrote after free show up here. */
	if (kmalloc_check() < 0)
		klog(LOG_ERR, "failinject: kmem check failed after fault injection");
}

/* See failinject.h. */
uint64_t failinject_count(enum fail_kind kind)
{
	return __atomic_load_n(&fail_counts[kind], __ATOMIC_RELAXED);
}

/* See failinject.h. */
void failinject_test_begin(unsigned mask, uint64_t threshold)
{
	fail_test_saved_armed = __atomic_load_n(&failinject_armed, __ATOMIC_RELAXED);
	fail_test_saved_threshold = __atomic_load_n(&fail_threshold, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_thread, thread_current(), __ATOMIC_RELEASE);
	__atomic_store_n(&fail_threshold, threshold, __ATOMIC_RELEASE);
	__atomic_store_n(&failinject_armed, mask, __ATOMIC_RELEASE);
}

/* See failinject.h. */
void failinject_test_end(void)
{
	__atomic_store_n(&fail_threshold, fail_test_saved_threshold, __ATOMIC_RELEASE);
	__atomic_store_n(&failinject_armed, fail_test_saved_armed, __ATOMIC_RELEASE);
	__atomic_store_n(&fail_thread, NULL, __ATOMIC_RELEASE);
}

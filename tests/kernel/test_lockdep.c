/*
 * test_lockdep.c - in-kernel tests of the spinlock debug checks
 * (keel/lockdep.h): consistent nesting is silent, an inversion (two- and
 * three-lock cycles) and same-class nesting are reported exactly once,
 * spin_lock_nested() makes same-class nesting legal, and a lock taken with
 * spin_trylock() is tracked as held.
 *
 * Naming rule: a test that provokes lockdep violations on purpose is named
 * lockdep_expect_<what>, so the ktest runner can tell expected violations
 * from real ones (any other test that changes lockdep_violations() has hit
 * a real lock-order bug).  Such a test must check the exact number of
 * violations it caused.
 *
 * Every test uses its own locks with names of its own, so the classes it
 * creates and the order it records cannot affect other tests or the rest
 * of the kernel.  lockdep reports a pair only once per boot, so each test
 * is meant to run once per boot (test=all runs each test once).
 * Recursion (taking a held lock again) panics by design and is not tested.
 * With KEEL_DEBUG=0 lockdep does not exist and the tests only check that.
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/lockdep.h>
#include <keel/spinlock.h>
#include <keel/panic.h>

/* Skip a test in release builds, where lockdep is compiled out. */
#define LOCKDEP_TEST_NEEDED(t)                                              \
	do {                                                                \
		if (!KEEL_DEBUG) {                                          \
			KT_CHECK(t, !lockdep_enabled());                    \
			return;                                             \
		}                                                           \
		KT_CHECK(t, lockdep_enabled());                             \
	} while (0)

static struct spinlock ord_a = SPINLOCK_INIT("ktest_ord_a");
static struct spinlock ord_b = SPINLOCK_INIT("ktest_ord_b");
static struct spinlock ord_c = SPINLOCK_INIT("ktest_ord_c");

/* A -> B -> C, A -> C, released in any order: no report. */
KTEST(lockdep_consistent_order)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	for (int i = 0; i < 3; i++) {
		spin_lock(&ord_a);
		spin_lock(&ord_b);
		spin_lock(&ord_c);
		KT_CHECK(t, lockdep_is_held(&ord_a) && lockdep_is_held(&ord_c));
		spin_unlock(&ord_c);
		spin_unlock(&ord_b);
		spin_lock(&ord_c);
		spin_unlock(&ord_a);     /* out of order: allowed */
		spin_unlock(&ord_c);
		spin_lock(&ord_b);
		spin_lock(&ord_c);
		spin_unlock(&ord_c);
		spin_unlock(&ord_b);
	}
	KT_CHECK(t, !lockdep_is_held(&ord_a));
	KT_CHECK(t, !lockdep_is_held(&ord_b));
	KT_CHECK(t, !lockdep_is_held(&ord_c));
	KT_CHECK_EQ(t, lockdep_violations(), v0);
}

static struct spinlock inv_a = SPINLOCK_INIT("ktest_inv_a");
static struct spinlock inv_b = SPINLOCK_INIT("ktest_inv_b");

/* A -> B, then B -> A: one report, and none when it happens again. */
KTEST(lockdep_expect_inversion)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	spin_lock(&inv_a);
	spin_lock(&inv_b);
	spin_unlock(&inv_b);
	spin_unlock(&inv_a);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
	for (int i = 0; i < 2; i++) {
		spin_lock(&inv_b);
		spin_lock(&inv_a);
		spin_unlock(&inv_a);
		spin_unlock(&inv_b);
		KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	}
	/* The first order is still fine. */
	spin_lock(&inv_a);
	spin_lock(&inv_b);
	spin_unlock(&inv_b);
	spin_unlock(&inv_a);
	KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	KT_CHECK(t, lockdep_enabled());
}

static struct spinlock cyc_a = SPINLOCK_INIT("ktest_cyc_a");
static struct spinlock cyc_b = SPINLOCK_INIT("ktest_cyc_b");
static struct spinlock cyc_c = SPINLOCK_INIT("ktest_cyc_c");

/* Take outer then inner and release both. */
static void lockdep_test_pair(struct spinlock *outer, struct spinlock *inner)
{
	spin_lock(outer);
	spin_lock(inner);
	spin_unlock(inner);
	spin_unlock(outer);
}

/* A -> B and B -> C, never together; then C -> A closes the cycle. */
KTEST(lockdep_expect_cycle3)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	lockdep_test_pair(&cyc_a, &cyc_b);
	lockdep_test_pair(&cyc_b, &cyc_c);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
	lockdep_test_pair(&cyc_c, &cyc_a);
	KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	lockdep_test_pair(&cyc_c, &cyc_a);
	KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
}

#define NESTED_NAME "ktest_nested"

/* Two locks of one class, the inner taken with spin_lock_nested(). */
KTEST(lockdep_nested_same_class)
{
	struct spinlock x, y;
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	spin_init(&x, NESTED_NAME);
	spin_init(&y, NESTED_NAME);
	for (int i = 0; i < 2; i++) {
		spin_lock(&x);
		spin_lock_nested(&y, 1);
		KT_CHECK(t, spin_held(&x) && spin_held(&y));
		spin_unlock(&y);
		spin_unlock(&x);
		/* Either lock may be the outer one. */
		spin_lock(&y);
		spin_lock_nested(&x, 1);
		spin_unlock(&x);
		spin_unlock(&y);
	}
	KT_CHECK_EQ(t, lockdep_violations(), v0);
}

#define SAME_NAME "ktest_same"

/* Two locks of one class without spin_lock_nested(): reported once. */
KTEST(lockdep_expect_same_class)
{
	struct spinlock x, y;
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	spin_init(&x, SAME_NAME);
	spin_init(&y, SAME_NAME);
	for (int i = 0; i < 2; i++) {
		spin_lock(&x);
		spin_lock(&y);
		spin_unlock(&y);
		spin_unlock(&x);
		KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	}
}

static struct spinlock try_t = SPINLOCK_INIT("ktest_try_t");
static struct spinlock try_u = SPINLOCK_INIT("ktest_try_u");

/*
 * A trylock'ed lock is held: T (trylock) -> U records an edge, so U -> T
 * later is an inversion.  Trylock of T under U is no violation by itself.
 */
KTEST(lockdep_expect_trylock_held)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	KT_CHECK(t, spin_trylock(&try_t));
	KT_CHECK(t, lockdep_is_held(&try_t));
	spin_lock(&try_u);
	spin_unlock(&try_u);
	spin_unlock(&try_t);
	KT_CHECK(t, !lockdep_is_held(&try_t));
	KT_CHECK_EQ(t, lockdep_violations(), v0);

	spin_lock(&try_u);
	KT_CHECK(t, spin_trylock(&try_t));  /* cannot deadlock: no report */
	spin_unlock(&try_t);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
	spin_lock(&try_t);                  /* U -> T against T -> U */
	spin_unlock(&try_t);
	spin_unlock(&try_u);
	KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
}

static struct spinlock spin_report = SPINLOCK_INIT("ktest_spin_report");

/*
 * The "spinning too long" report (normally printed from spin_lock's wait
 * loop on another CPU) prints and returns, also for a lock held here.
 */
KTEST(lockdep_spin_report)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	spin_lock(&spin_report);
	lockdep_spin_warn(&spin_report, LOCK_SPIN_WARN_NS);
	lockdep_print_held();
	spin_unlock(&spin_report);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
}

/* spin_assert_held() holds inside a critical section, and IF is off. */
KTEST(lockdep_assert_held_irqs_off)
{
	spin_lock(&ord_a);
	spin_assert_held(&ord_a);
	KT_CHECK(t, spin_held(&ord_a));
	spin_unlock(&ord_a);
	KT_CHECK(t, !spin_held(&ord_a));
}

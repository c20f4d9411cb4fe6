/*
 * test_lockdep.c - in-kernel tests of the lock debug checks
 * (keel/lockdep.h, might_sleep in keel/wait.h): consistent nesting is
 * silent, an inversion (two- and three-lock cycles) and same-class nesting
 * are reported exactly once, spin_lock_nested() makes same-class nesting
 * legal, and a lock taken with spin_trylock() is tracked as held.  Mutexes
 * are in the same graph: a mutex-mutex inversion, a mutex-spinlock
 * inversion and a mutex taken under a spinlock are reported once each,
 * mutexes live on their thread's held stack (another thread's mutex is not
 * ours), and might_sleep_check() names each rule a sleeping context breaks.
 *
 * A mutex taken under a spinlock would stop the kernel in mutex_lock's
 * might_sleep(); the tests of that case call lockdep's mutex hooks
 * directly (what mutex_lock does before it could sleep), without sleeping.
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
#include <keel/mutex.h>
#include <keel/wait.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/cpu.h>
#include <keel/time.h>
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

/* ------------------------------------------------------------ mutexes */

/*
 * What mutex_lock(m) does for lockdep, without sleeping: lockdep's report
 * names this function's caller, as it names mutex_lock's.
 */
static __attribute__((noinline)) void lockdep_test_mutex_hooks(struct mutex *m)
{
	lockdep_mutex_acquire(m, 0, (uintptr_t)__builtin_return_address(0), false);
	lockdep_mutex_release(m);
}

static struct mutex mord_a = MUTEX_INIT(mord_a, "ktest_mord_a");
static struct mutex mord_b = MUTEX_INIT(mord_b, "ktest_mord_b");
static struct spinlock mord_s = SPINLOCK_INIT("ktest_mord_s");

/*
 * Mutex A -> mutex B -> spinlock S, also with trylock: no report; held
 * mutexes are on this thread's stack until unlocked.
 */
KTEST(lockdep_mutex_consistent_order)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	for (int i = 0; i < 2; i++) {
		mutex_lock(&mord_a);
		mutex_lock(&mord_b);
		spin_lock(&mord_s);
		KT_CHECK(t, lockdep_mutex_is_held(&mord_a));
		KT_CHECK(t, lockdep_mutex_is_held(&mord_b));
		KT_CHECK(t, lockdep_is_held(&mord_s));
		spin_unlock(&mord_s);
		mutex_assert_held(&mord_a);
		mutex_unlock(&mord_a);           /* out of order: allowed */
		KT_CHECK(t, !lockdep_mutex_is_held(&mord_a));
		mutex_unlock(&mord_b);
		KT_CHECK(t, mutex_trylock(&mord_a));
		KT_CHECK(t, lockdep_mutex_is_held(&mord_a));
		KT_CHECK(t, mutex_trylock(&mord_b));
		mutex_unlock(&mord_b);
		mutex_unlock(&mord_a);
	}
	KT_CHECK(t, !lockdep_mutex_is_held(&mord_a));
	KT_CHECK(t, !lockdep_mutex_is_held(&mord_b));
	KT_CHECK(t, !mutex_held(&mord_a) && !mutex_held(&mord_b));
	KT_CHECK_EQ(t, lockdep_violations(), v0);
}

static struct mutex minv_a = MUTEX_INIT(minv_a, "ktest_minv_a");
static struct mutex minv_b = MUTEX_INIT(minv_b, "ktest_minv_b");

/* Mutex A -> B, then B -> A: one report, and none when it happens again. */
KTEST(lockdep_expect_mutex_inversion)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	mutex_lock(&minv_a);
	mutex_lock(&minv_b);
	mutex_unlock(&minv_b);
	mutex_unlock(&minv_a);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
	for (int i = 0; i < 2; i++) {
		mutex_lock(&minv_b);
		mutex_lock(&minv_a);
		mutex_unlock(&minv_a);
		mutex_unlock(&minv_b);
		KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	}
	/* A trylock in the wrong order cannot deadlock: no report. */
	mutex_lock(&minv_b);
	KT_CHECK(t, mutex_trylock(&minv_a));
	mutex_unlock(&minv_a);
	mutex_unlock(&minv_b);
	KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
}

static struct mutex mspin_m = MUTEX_INIT(mspin_m, "ktest_mspin_m");
static struct spinlock mspin_s = SPINLOCK_INIT("ktest_mspin_s");

/*
 * Mutex M -> spinlock S is the legal order; S -> M (the mutex taken under
 * the spinlock) is then reported once, as an inversion.
 */
KTEST(lockdep_expect_mutex_spin_inversion)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	mutex_lock(&mspin_m);
	spin_lock(&mspin_s);
	spin_unlock(&mspin_s);
	mutex_unlock(&mspin_m);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
	for (int i = 0; i < 2; i++) {
		spin_lock(&mspin_s);
		lockdep_test_mutex_hooks(&mspin_m);
		spin_unlock(&mspin_s);
		KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	}
	KT_CHECK(t, !lockdep_mutex_is_held(&mspin_m));
}

static struct mutex mafter_m = MUTEX_INIT(mafter_m, "ktest_mafter_m");
static struct spinlock mafter_s = SPINLOCK_INIT("ktest_mafter_s");

/*
 * A mutex taken while holding a spinlock (no order known between them):
 * reported once.  A mutex_trylock under a spinlock never sleeps: silent.
 */
KTEST(lockdep_expect_mutex_after_spinlock)
{
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	spin_lock(&mafter_s);
	KT_CHECK(t, mutex_trylock(&mafter_m));
	KT_CHECK(t, lockdep_mutex_is_held(&mafter_m));
	mutex_unlock(&mafter_m);
	spin_unlock(&mafter_s);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
	for (int i = 0; i < 2; i++) {
		spin_lock(&mafter_s);
		lockdep_test_mutex_hooks(&mafter_m);
		spin_unlock(&mafter_s);
		KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	}
	/* The report added no edge: mutex -> spinlock is still fine. */
	mutex_lock(&mafter_m);
	spin_lock(&mafter_s);
	spin_unlock(&mafter_s);
	mutex_unlock(&mafter_m);
	KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
}

#define MNESTED_NAME "ktest_mnested"

/* Two mutexes of one class, the inner taken with mutex_lock_nested(). */
KTEST(lockdep_mutex_nested_same_class)
{
	struct mutex x, y;
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	mutex_init(&x, MNESTED_NAME);
	mutex_init(&y, MNESTED_NAME);
	for (int i = 0; i < 2; i++) {
		mutex_lock(&x);
		mutex_lock_nested(&y, 1);
		KT_CHECK(t, mutex_held(&x) && mutex_held(&y));
		mutex_unlock(&y);
		mutex_unlock(&x);
		mutex_lock(&y);
		mutex_lock_nested(&x, 1);
		mutex_unlock(&x);
		mutex_unlock(&y);
	}
	KT_CHECK_EQ(t, lockdep_violations(), v0);
}

#define MSAME_NAME "ktest_msame"

/* Two mutexes of one class without mutex_lock_nested(): reported once. */
KTEST(lockdep_expect_mutex_same_class)
{
	struct mutex x, y;
	unsigned v0 = lockdep_violations();

	LOCKDEP_TEST_NEEDED(t);
	mutex_init(&x, MSAME_NAME);
	mutex_init(&y, MSAME_NAME);
	for (int i = 0; i < 2; i++) {
		mutex_lock(&x);
		mutex_lock(&y);
		mutex_unlock(&y);
		mutex_unlock(&x);
		KT_CHECK_EQ(t, lockdep_violations(), v0 + 1);
	}
}

static struct mutex mthr_other = MUTEX_INIT(mthr_other, "ktest_mthr_other");
static struct mutex mthr_mine = MUTEX_INIT(mthr_mine, "ktest_mthr_mine");
static int mthr_state;                  /* [A] 0 start, 1 holding, 2 release, 3 done */

#define MTHR_WAIT_NS (5000 * NSEC_PER_MSEC)

/* Another thread: hold mthr_other, across sleeps, until told to let go. */
static void lockdep_test_holder(void *arg)
{
	mutex_lock(&mthr_other);
	__atomic_store_n(&mthr_state, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mthr_state, __ATOMIC_ACQUIRE) != 2)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	mutex_unlock(&mthr_other);
	__atomic_store_n(&mthr_state, 3, __ATOMIC_RELEASE);
}

/* Wait (sleeping) until mthr_state is want; false after MTHR_WAIT_NS. */
static bool lockdep_test_wait_state(int want)
{
	uint64_t end = time_ns() + MTHR_WAIT_NS;

	while (__atomic_load_n(&mthr_state, __ATOMIC_ACQUIRE) != want) {
		if (time_ns() > end)
			return false;
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	}
	return true;
}

/*
 * Wait until the threads are back to baseline and the reapers are done, so
 * the next test finds the holder's stack freed.
 */
static bool lockdep_test_wait_reaped(unsigned baseline)
{
	uint64_t end = time_ns() + MTHR_WAIT_NS;

	while ((thread_count() > baseline || thread_dying_count() > 0) &&
	       time_ns() < end)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	return thread_count() <= baseline && thread_dying_count() == 0;
}

/*
 * Held mutexes are per thread, not per CPU: while another thread on this
 * same CPU (asleep between its turns) holds mthr_other, it is not on this
 * thread's stack, and taking our own mutex and a spinlock records no order
 * against it.  (Same CPU also keeps the holder's freed stack in this
 * CPU's frame cache, where the pmm tests that follow expect free frames.)
 */
KTEST(lockdep_mutex_held_per_thread)
{
	unsigned v0 = lockdep_violations(), threads = thread_count();
	int cpu = (int)this_cpu()->id;

	LOCKDEP_TEST_NEEDED(t);
	__atomic_store_n(&mthr_state, 0, __ATOMIC_RELAXED);
	KT_CHECK(t, kthread_create("ktest_holder", lockdep_test_holder, NULL, cpu) != NULL);
	KT_CHECK(t, lockdep_test_wait_state(1));
	KT_CHECK(t, !mutex_held(&mthr_other));
	KT_CHECK(t, !lockdep_mutex_is_held(&mthr_other));
	KT_CHECK(t, !mutex_trylock(&mthr_other));
	mutex_lock(&mthr_mine);
	spin_lock(&mord_s);
	spin_unlock(&mord_s);
	mutex_unlock(&mthr_mine);
	__atomic_store_n(&mthr_state, 2, __ATOMIC_RELEASE);
	KT_CHECK(t, lockdep_test_wait_state(3));
	KT_CHECK(t, lockdep_test_wait_reaped(threads));
	/* Now ours: mthr_mine -> mthr_other is a new, legal order. */
	mutex_lock(&mthr_mine);
	mutex_lock(&mthr_other);
	KT_CHECK(t, lockdep_mutex_is_held(&mthr_other));
	mutex_unlock(&mthr_other);
	mutex_unlock(&mthr_mine);
	KT_CHECK_EQ(t, lockdep_violations(), v0);
}

/* ------------------------------------------------------------ might_sleep */

static struct spinlock ms_lock = SPINLOCK_INIT("ktest_ms_lock");
static struct spinlock ms_other = SPINLOCK_INIT("ktest_ms_other");

/*
 * might_sleep_check() against every rule: fine in a thread with nothing
 * held; a spinlock, an irq_push_off section and an interrupt handler are
 * refused; the lock a wait_event_locked releases is allowed, if held and
 * alone.  (Release builds cannot tell a spinlock from irq_push_off.)
 */
KTEST(lockdep_might_sleep_check)
{
	int spin_why = KEEL_DEBUG ? MIGHT_SLEEP_SPINLOCK : MIGHT_SLEEP_IRQS_OFF;
	struct cpu *c;

	KT_CHECK_EQ(t, might_sleep_check(NULL), MIGHT_SLEEP_OK);
	might_sleep();                          /* and so must not panic */

	spin_lock(&ms_lock);
	KT_CHECK_EQ(t, might_sleep_check(NULL), spin_why);
	KT_CHECK_EQ(t, might_sleep_check(&ms_lock), MIGHT_SLEEP_OK);
	spin_lock(&ms_other);
	KT_CHECK_EQ(t, might_sleep_check(&ms_lock), spin_why);
	spin_unlock(&ms_other);
	spin_unlock(&ms_lock);

	KT_CHECK_EQ(t, might_sleep_check(&ms_lock), MIGHT_SLEEP_NOT_HELD);

	irq_push_off();
	KT_CHECK_EQ(t, might_sleep_check(NULL), MIGHT_SLEEP_IRQS_OFF);
	c = this_cpu();
	c->in_irq++;                            /* as an interrupt handler */
	KT_CHECK_EQ(t, might_sleep_check(NULL), MIGHT_SLEEP_IN_IRQ);
	c->in_irq--;
	irq_pop_off();

	KT_CHECK_EQ(t, might_sleep_check(NULL), MIGHT_SLEEP_OK);
	KT_CHECK(t, might_sleep_why_str(MIGHT_SLEEP_SPINLOCK) != NULL);
}

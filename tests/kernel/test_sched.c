/*
 * test_sched.c - in-kernel tests of threads and the scheduler: kernel
 * threads that run and are reaped, wait-queue ping-pong across CPUs, mutex
 * and condition-variable stress on every CPU, sleeping, affinity, timers,
 * and the fault-loop detector on a deliberately broken mapping; wait-queue
 * callback entries (epoll's).
 */
#include <keel/ktest.h>
#include <keel/klog.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/mutex.h>
#include <keel/wait.h>
#include <keel/time.h>
#include <keel/cpu.h>
#include <keel/pmm.h>
#include <keel/kmalloc.h>
#include <keel/vm.h>
#include <keel/fault.h>
#include <keel/uaccess.h>
#include <lib/errno.h>
#include <arch/arch.h>

#define KTHREADS        100
#define WAIT_LIMIT_NS   (10000 * NSEC_PER_MSEC)
#define PINGPONG_ROUNDS 500
#define MUTEX_ROUNDS    300
#define CV_ITEMS        300

/* A completion: a counter the test waits on. */
static struct spinlock done_lock = SPINLOCK_INIT("ktest_done");
static struct waitq done_wq = WAITQ_INIT(done_wq, "ktest_done_wq");
static unsigned done_count;                     /* [done_lock] */

static void done_reset(void)
{
	spin_lock(&done_lock);
	done_count = 0;
	spin_unlock(&done_lock);
}

static void done_signal(void)
{
	spin_lock(&done_lock);
	done_count++;
	spin_unlock(&done_lock);
	wake_up(&done_wq);
}

/* Wait (sleeping) until n completions or the time limit; true if reached. */
static bool done_wait(unsigned n)
{
	uint64_t end = time_ns() + WAIT_LIMIT_NS;
	bool ok;

	for (;;) {
		spin_lock(&done_lock);
		ok = done_count >= n;
		spin_unlock(&done_lock);
		if (ok || time_ns() > end)
			return ok;
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	}
}

static bool wait_threads_back(unsigned baseline)
{
	uint64_t end = time_ns() + WAIT_LIMIT_NS;

	while ((thread_count() > baseline || thread_dying_count() > 0) && time_ns() < end)
		sched_sleep_until(time_ns() + NSEC_PER_MSEC, false);
	return thread_count() <= baseline && thread_dying_count() == 0;
}

static void kt_count(void *arg)
{
	__atomic_fetch_add((unsigned *)arg, 1, __ATOMIC_RELAXED);
	done_signal();
}

static void kthread_round(struct ktest_ctx *t, unsigned base)
{
	unsigned ran = 0;

	done_reset();
	for (int i = 0; i < KTHREADS; i++)
		KT_CHECK(t, kthread_create("ktest", kt_count, &ran, -1) != NULL);
	KT_CHECK(t, done_wait(KTHREADS));
	KT_CHECK_EQ(t, __atomic_load_n(&ran, __ATOMIC_RELAXED), KTHREADS);
	KT_CHECK(t, wait_threads_back(base));
}

/*
 * Regression: "ready" used to come as soon as every AP was online, while an
 * AP could still be creating its reaper, so the init-exit frame count
 * (taken after "ready") sometimes saw that stack as a leak.
 */
KTEST(sched_every_cpu_scheduling_at_ready)
{
	KT_CHECK_EQ(t, sched_started_cpus(), cpu_online_count());
}

/* A kernel thread is never preempted: one that spins starves its CPU. */
static void hog_spin(void *arg)
{
	uint64_t end = time_ns() + (uint64_t)(uintptr_t)arg;

	while (time_ns() < end)
		arch_cpu_relax();
	done_signal();
}

/* The run-queue wait auditor notices a thread queued behind a hog, and
 * the kernel-hog watchdog notices the hog. */
KTEST(sched_long_wait_is_logged)
{
	unsigned before = sched_long_waits(), hogs = sched_kernel_hogs();
	int cpu = (int)cpu_online_count() - 1;

	if (cpu == 0) {
		klog(LOG_INFO, "ktest: sched_long_wait_is_logged needs 2 cpus; skipped");
		return;
	}
	done_reset();
	KT_CHECK(t, kthread_create("ktest-hog", hog_spin,
				   (void *)(uintptr_t)(SCHED_WAIT_WARN_NS + 200 * NSEC_PER_MSEC),
				   cpu) != NULL);
	KT_CHECK(t, kthread_create("ktest-starved", hog_spin, (void *)0, cpu) != NULL);
	KT_CHECK(t, done_wait(2));
	KT_CHECK(t, sched_long_waits() > before);
	KT_CHECK(t, sched_kernel_hogs() > hogs);
}

KTEST(sched_kthreads_run_and_are_reaped)
{
	unsigned base;
	uint64_t frames;

	wait_threads_back(UINT32_MAX);      /* earlier tests' threads: all reaped */
	base = thread_count();
	kmalloc_shrink();
	frames = pmm_free_frames();
	kthread_round(t, base);
	kthread_round(t, base);
	kmalloc_shrink();
	KT_CHECK_EQ(t, pmm_free_frames(), frames);
}

static struct spinlock pp_lock = SPINLOCK_INIT("ktest_pingpong");
static struct waitq pp_wq = WAITQ_INIT(pp_wq, "ktest_pp_wq");
static unsigned pp_turn;                        /* [pp_lock] whose turn: 0 or 1 */
static unsigned pp_rounds[2];                   /* [pp_lock] */

static void pingpong(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;

	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		spin_lock(&pp_lock);
		wait_event_locked_uninterruptible(&pp_wq, &pp_lock, pp_turn == me);
		pp_rounds[me]++;
		pp_turn = 1 - me;
		spin_unlock(&pp_lock);
		wake_up(&pp_wq);
	}
	done_signal();
}

/* Two threads hand a token back and forth: every wakeup must arrive. */
KTEST(sched_waitq_pingpong_across_cpus)
{
	unsigned last = cpu_online_count() - 1;

	done_reset();
	pp_turn = 0;
	pp_rounds[0] = pp_rounds[1] = 0;
	KT_CHECK(t, kthread_create("ping", pingpong, (void *)0, 0) != NULL);
	KT_CHECK(t, kthread_create("pong", pingpong, (void *)1, (int)last) != NULL);
	KT_CHECK(t, done_wait(2));
	KT_CHECK_EQ(t, pp_rounds[0], PINGPONG_ROUNDS);
	KT_CHECK_EQ(t, pp_rounds[1], PINGPONG_ROUNDS);
}

static void kt_mark_cpu(void *arg)
{
	__atomic_store_n((unsigned *)arg, this_cpu()->id + 1, __ATOMIC_RELEASE);
	done_signal();
}

/*
 * An idle CPU polls for SCHED_IDLE_POLL_NS and then halts: it must halt
 * (not poll for ever), and a thread woken on it after it halted must run.
 */
KTEST(sched_idle_polls_then_halts)
{
	unsigned last = cpu_online_count() - 1;
	unsigned where = 0;

	if (last == 0)
		return;      /* needs an idle CPU besides this one */
	uint64_t halts = READ_ONCE(cpus[last].idle_halts);
	sched_sleep_until(time_ns() + 20 * NSEC_PER_MSEC, false);
	KT_CHECK(t, READ_ONCE(cpus[last].idle_halts) > halts);
	done_reset();
	KT_CHECK(t, kthread_create("ktest-idle", kt_mark_cpu, &where, (int)last) != NULL);
	KT_CHECK(t, done_wait(1));
	KT_CHECK_EQ(t, __atomic_load_n(&where, __ATOMIC_ACQUIRE), last + 1);
}

static struct mutex test_mutex = MUTEX_INIT(test_mutex, "ktest_mutex");
static unsigned mutex_counter;                  /* [test_mutex] */

static void mutex_worker(void *arg)
{
	for (int i = 0; i < MUTEX_ROUNDS; i++) {
		mutex_lock(&test_mutex);
		unsigned v = mutex_counter;
		if (i % 16 == 0)
			sched_yield();             /* hold it across a switch */
		mutex_counter = v + 1;
		mutex_unlock(&test_mutex);
	}
	done_signal();
}

KTEST(sched_mutex_stress_all_cpus)
{
	unsigned n = cpu_online_count();

	done_reset();
	mutex_counter = 0;
	for (unsigned c = 0; c < n; c++)
		KT_CHECK(t, kthread_create("mutex", mutex_worker, NULL, (int)c) != NULL);
	KT_CHECK(t, done_wait(n));
	KT_CHECK_EQ(t, mutex_counter, n * MUTEX_ROUNDS);
	KT_CHECK(t, !mutex_held(&test_mutex));
}

static struct mutex cv_mutex = MUTEX_INIT(cv_mutex, "ktest_cv_mutex");
static struct condvar cv_nonempty, cv_nonfull;
static unsigned cv_items, cv_produced, cv_consumed;   /* [cv_mutex] */
#define CV_CAPACITY 4

static void cv_producer(void *arg)
{
	for (int i = 0; i < CV_ITEMS; i++) {
		mutex_lock(&cv_mutex);
		while (cv_items == CV_CAPACITY)
			condvar_wait(&cv_nonfull, &cv_mutex);
		cv_items++;
		cv_produced++;
		condvar_signal(&cv_nonempty);
		mutex_unlock(&cv_mutex);
	}
	done_signal();
}

static void cv_consumer(void *arg)
{
	for (int i = 0; i < CV_ITEMS; i++) {
		mutex_lock(&cv_mutex);
		while (cv_items == 0)
			condvar_wait(&cv_nonempty, &cv_mutex);
		cv_items--;
		cv_consumed++;
		condvar_signal(&cv_nonfull);
		mutex_unlock(&cv_mutex);
	}
	done_signal();
}

KTEST(sched_condvar_producer_consumer)
{
	condvar_init(&cv_nonempty, "ktest_cv_nonempty");
	condvar_init(&cv_nonfull, "ktest_cv_nonfull");
	cv_items = cv_produced = cv_consumed = 0;
	done_reset();
	KT_CHECK(t, kthread_create("producer", cv_producer, NULL, -1) != NULL);
	KT_CHECK(t, kthread_create("consumer", cv_consumer, NULL, -1) != NULL);
	KT_CHECK(t, done_wait(2));
	KT_CHECK_EQ(t, cv_produced, CV_ITEMS);
	KT_CHECK_EQ(t, cv_consumed, CV_ITEMS);
	KT_CHECK_EQ(t, cv_items, 0);
}

KTEST(sched_sleep_accuracy)
{
	uint64_t t0 = time_ns();

	KT_CHECK_EQ(t, sched_sleep_until(t0 + 100 * NSEC_PER_MSEC, true), 0);
	uint64_t slept = time_ns() - t0;
	kprintf("ktest:   slept %lu ms for 100 ms\n", slept / NSEC_PER_MSEC);
	KT_CHECK(t, slept >= 100 * NSEC_PER_MSEC);
	KT_CHECK(t, slept < 2000 * NSEC_PER_MSEC);
}

static unsigned affinity_seen[MAX_CPUS];

static void report_cpu(void *arg)
{
	affinity_seen[(uintptr_t)arg] = this_cpu()->id + 1;
	done_signal();
}

KTEST(sched_affinity_places_threads)
{
	unsigned n = cpu_online_count();

	done_reset();
	for (unsigned c = 0; c < n; c++) {
		affinity_seen[c] = 0;
		KT_CHECK(t, kthread_create("pinned", report_cpu, (void *)(uintptr_t)c, (int)c));
	}
	KT_CHECK(t, done_wait(n));
	for (unsigned c = 0; c < n; c++)
		KT_CHECK_EQ(t, affinity_seen[c], c + 1);
	/* The current thread moves when its own affinity excludes its CPU. */
	unsigned last = n - 1;
	KT_CHECK_EQ(t, sched_set_affinity(thread_current(), CPUMASK_CPU(last)), 0);
	KT_CHECK_EQ(t, this_cpu()->id, last);
	KT_CHECK_EQ(t, sched_set_affinity(thread_current(), CPUMASK_ALL), 0);
	KT_CHECK_EQ(t, sched_set_affinity(thread_current(), 0), -EINVAL);
}

static unsigned timer_fired;

static void timer_fn(struct timer *tm)
{
	__atomic_fetch_add(&timer_fired, 1, __ATOMIC_RELAXED);
}

KTEST(sched_timers_fire_and_cancel)
{
	struct timer a, b;

	timer_fired = 0;
	timer_init(&a, timer_fn);
	timer_init(&b, timer_fn);
	timer_arm(&a, time_ns() + 20 * NSEC_PER_MSEC);
	timer_arm(&b, time_ns() + 30 * NSEC_PER_MSEC);
	KT_CHECK(t, timer_cancel(&b));
	sched_sleep_until(time_ns() + 100 * NSEC_PER_MSEC, false);
	KT_CHECK_EQ(t, timer_fired, 1);
	KT_CHECK(t, !timer_cancel(&a));
}

/*
 * The Twizzler seed bug, on purpose: the fault handler updates the thread's
 * address space (mm A) while the CPU has another one loaded (B), so the
 * access faults again and again.  The detector must stop it and name both.
 */
KTEST(fault_loop_detector_names_both_spaces)
{
	struct thread *me = thread_current();
	struct mm *a = vm_create(), *b = vm_create();
	uintptr_t va;
	uint64_t word = 0;
	unsigned before = fault_loop_detections();

	KT_CHECK(t, a && b);
	if (!a || !b)
		goto out;
	va = (uintptr_t)vm_map(a, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, 0, false);
	KT_CHECK(t, (long)va > 0);
	me->mm = a;
	arch_irq_disable();
	vm_switch(b);                       /* the wrong tables */
	arch_irq_enable();
	KT_CHECK_EQ(t, copy_from_user(&word, (void *)va, sizeof(word)), -EFAULT);
	arch_irq_disable();
	vm_switch(NULL);
	me->mm = NULL;
	arch_irq_enable();
	KT_CHECK_EQ(t, fault_loop_detections(), before + 1);
out:
	if (a)
		vm_put(a);
	if (b)
		vm_put(b);
}

/* ---------------------------------------------------------------- callbacks */

struct kt_wcb {
	struct wait_callback cb;
	int calls;
};

static void kt_wcb_fn(struct wait_callback *cb)
{
	container_of(cb, struct kt_wcb, cb)->calls++;
}

/*
 * Callback entries (what epoll hangs on files' queues): every wake-up
 * calls them and leaves them queued, wake_up_one does not count them as
 * the one it wakes, and after waitq_remove_callback none is called.
 */
KTEST(sched_waitq_callback_entries)
{
	struct waitq wq;
	struct kt_wcb a = { .calls = 0 }, b = { .calls = 0 };

	waitq_init(&wq, "ktest_cb_wq");
	waitq_add_callback(&wq, &a.cb, kt_wcb_fn);
	waitq_add_callback(&wq, &b.cb, kt_wcb_fn);
	wake_up(&wq);
	KT_CHECK_EQ(t, a.calls, 1);
	KT_CHECK_EQ(t, b.calls, 1);
	wake_up_one(&wq);
	KT_CHECK_EQ(t, a.calls, 2);
	KT_CHECK_EQ(t, b.calls, 2);
	wake_up_nested(&wq, 1);
	KT_CHECK_EQ(t, a.calls, 3);
	waitq_remove_callback(&wq, &a.cb);
	wake_up(&wq);
	KT_CHECK_EQ(t, a.calls, 3);
	KT_CHECK_EQ(t, b.calls, 4);
	waitq_remove_callback(&wq, &b.cb);
	KT_CHECK(t, list_empty(&wq.waiters));
}

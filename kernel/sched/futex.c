/*
 * futex.c - futexes: FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET,
 * FUTEX_WAKE_BITSET, private and shared, with timeouts.
 *
 * Waiters hang in a hash of buckets keyed by (mm, address) for private
 * futexes and by the physical address of the word for shared ones.  A
 * waiter queues itself under the bucket lock *before* it reads the futex
 * word, and a waker changes the word before it takes the bucket lock, so a
 * wakeup between the read and the sleep is never lost.  The word is read
 * with copy_from_user outside the bucket lock (it may fault).  The
 * futex(2) system call that decodes operations and timeouts is in
 * kernel/sys/sys_futex.c.
 */
#include <keel/futex.h>
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/signal.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <keel/pmap.h>
#include <keel/spinlock.h>
#include <keel/list.h>
#include <keel/wait.h>
#include <lib/errno.h>

#define FUTEX_BUCKETS         64

struct futex_waiter {
	struct futex_key key;
	uint32_t bitset;
	struct thread *thread;
	struct list node;         /* [bucket lock] */
	bool woken;               /* [bucket lock] */
};

struct futex_bucket {
	struct spinlock lock;
	struct list waiters;      /* [lock] */
};

static struct futex_bucket futex_buckets[FUTEX_BUCKETS];
static bool futex_ready;      /* buckets initialised (first use is single-threaded boot) */

void futex_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		spin_init(&futex_buckets[i].lock, "futex_bucket");
		list_init(&futex_buckets[i].waiters);
	}
	futex_ready = true;
}

static struct futex_bucket *futex_bucket(const struct futex_key *k)
{
	uintptr_t h = (k->addr >> 2) ^ (k->space >> 6);

	return &futex_buckets[(h ^ (h >> 7)) % FUTEX_BUCKETS];
}

/*
 * A shared futex is keyed by its frame only in MAP_SHARED memory (the only
 * memory two processes really share); in private memory, where a
 * copy-on-write would change the frame, by (mm, address) like a private one.
 */
int futex_make_key(struct mm *mm, uintptr_t uaddr, bool private, struct futex_key *k)
{
	uint32_t probe;
	uint64_t pa;

	if (!IS_ALIGNED(uaddr, sizeof(uint32_t)) || !user_range_ok(uaddr, sizeof(uint32_t)))
		return -EINVAL;
	if (private || !vm_is_shared(mm, uaddr)) {
		*k = (struct futex_key){ (uintptr_t)mm, uaddr };
		return 0;
	}
	if (copy_from_user(&probe, (const void *)uaddr, sizeof(probe)))
		return -EFAULT;         /* also faults the page in */
	if (!vm_translate(mm, uaddr, &pa))
		return -EFAULT;
	*k = (struct futex_key){ 0, pa };
	return 0;
}

int futex_wake_key(const struct futex_key *k, int n, uint32_t bitset)
{
	struct futex_bucket *b = futex_bucket(k);
	struct list *pos, *tmp;
	int woken = 0;

	if (!futex_ready)
		return 0;
	spin_lock(&b->lock);
	list_for_each_safe(pos, tmp, &b->waiters) {
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, node);
		if (woken >= n)
			break;
		if (w->key.space != k->space || w->key.addr != k->addr || !(w->bitset & bitset))
			continue;
		list_remove(&w->node);
		w->woken = true;
		sched_wake(w->thread);
		woken++;
	}
	spin_unlock(&b->lock);
	return woken;
}

int futex_wake_address(struct mm *mm, uintptr_t addr, int n)
{
	struct futex_key k = { (uintptr_t)mm, addr };

	/*
	 * Thread exit (CLONE_CHILD_CLEARTID): the word is in private memory,
	 * where private and shared waiters are both keyed by (mm, address)
	 * (musl waits on it with a shared FUTEX_WAIT).  A word in MAP_SHARED
	 * memory would be keyed by its frame and is not woken here.
	 */
	return futex_wake_key(&k, n, FUTEX_BITSET_ANY);
}

static void futex_timeout(struct timer *tm)
{
	sched_wake(container_of(tm, struct thread, timer));
}

long futex_wait(const struct futex_key *k, uint32_t __user *uaddr, uint32_t val,
		       uint64_t deadline, uint32_t bitset)
{
	struct thread *t = thread_current();
	struct futex_bucket *b = futex_bucket(k);
	struct futex_waiter w = { *k, bitset, t, LIST_INIT(w.node), false };
	uint32_t cur;
	long ret = 0;

	might_sleep();
	spin_lock(&b->lock);
	list_add_tail(&b->waiters, &w.node);
	spin_unlock(&b->lock);
	if (copy_from_user(&cur, uaddr, sizeof(cur))) {
		ret = -EFAULT;
		goto out;
	}
	if (cur != val) {
		ret = -EAGAIN;
		goto out;
	}
	timer_init(&t->timer, futex_timeout);
	for (;;) {
		spin_lock(&b->lock);
		bool woken = w.woken;
		if (!woken)
			WRITE_ONCE(t->state, THREAD_SLEEPING);
		spin_unlock(&b->lock);
		if (woken)
			break;
		if (signal_pending()) {
			ret = -EINTR;
			break;
		}
		if (deadline && time_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		if (deadline)
			timer_arm(&t->timer, deadline);
		schedule();
		timer_cancel(&t->timer);
	}
	WRITE_ONCE(t->state, THREAD_RUNNING);
out:
	spin_lock(&b->lock);
	if (w.woken)
		ret = 0;                 /* a wakeup wins over timeout/signal */
	list_remove(&w.node);
	spin_unlock(&b->lock);
	return ret;
}

/*
 * thread.c - thread allocation, kernel threads, thread exit and the
 * per-CPU reapers that free dead threads.
 *
 * A thread cannot free its own kernel stack while running on it, nor its
 * address space while the CPU may still use it.  thread_exit() only marks
 * the thread dead and switches away (schedule() loads the next context's
 * address space first); the switch epilogue hands the thread to this
 * CPU's reaper kernel thread, which frees it later.
 * Locks: reaper.lock protects each reaper's list; thread_count is atomic.
 */
#include <keel/thread.h>
#include <keel/sched.h>
#include <keel/kstack.h>
#include <keel/kmalloc.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/cpu.h>
#include <keel/wait.h>
#include <keel/proc.h>
#include <keel/kcov.h>
#include <lib/string.h>

#define THREAD_ALIGN 64

struct reaper {
	struct spinlock lock;
	struct list dead;            /* [lock] struct thread.dead_node */
	struct waitq wq;
	struct thread *thread;       /* [I] */
};

static struct reaper reapers[MAX_CPUS];
static struct kmem_cache *thread_cache;   /* [I] */
static int thread_next_tid = 1;           /* [A] */
static unsigned thread_live;              /* [A] */
static unsigned thread_dying;             /* [A] dead, not yet freed by a reaper */

/* A thread struct without a stack (boot contexts). */
struct thread *thread_struct_alloc(const char *name)
{
	struct thread *t;

	if (!thread_cache)
		thread_cache = kmem_cache_create("thread", sizeof(struct thread), THREAD_ALIGN);
	if (!thread_cache)
		return NULL;
	t = kmem_cache_alloc(thread_cache, KM_ZERO);
	if (!t)
		return NULL;
	strlcpy(t->name, name, sizeof(t->name));
	spin_init(&t->pi_lock, "thread_pi");
	t->tid = __atomic_fetch_add(&thread_next_tid, 1, __ATOMIC_RELAXED);
	t->state = THREAD_RUNNING;
	t->prio = SCHED_PRIO_DEFAULT;
	t->affinity = CPUMASK_ALL;
	list_init(&t->rq_node);
	list_init(&t->proc_node);
	list_init(&t->dead_node);
	timer_init(&t->timer, NULL);
	__atomic_fetch_add(&thread_live, 1, __ATOMIC_RELAXED);
	return t;
}

struct thread *thread_alloc(const char *name)
{
	struct thread *t = thread_struct_alloc(name);

	if (!t)
		return NULL;
	t->kstack_top = kstack_alloc();
	if (!t->kstack_top) {
		kmem_cache_free(thread_cache, t);
		__atomic_fetch_sub(&thread_live, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	return t;
}

void thread_free(struct thread *t)
{
	if (t->kstack_top)
		kstack_free(t->kstack_top);
	kmem_cache_free(thread_cache, t);
	__atomic_fetch_sub(&thread_live, 1, __ATOMIC_RELAXED);
}

unsigned thread_count(void)
{
	return __atomic_load_n(&thread_live, __ATOMIC_RELAXED);
}

void thread_note_dying(void)
{
	__atomic_fetch_add(&thread_dying, 1, __ATOMIC_RELAXED);
}

unsigned thread_dying_count(void)
{
	return __atomic_load_n(&thread_dying, __ATOMIC_ACQUIRE);
}

struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	struct thread *t = thread_alloc(name);

	if (!t)
		return NULL;
	t->kfn = fn;
	t->karg = arg;
	if (cpu >= 0) {
		t->affinity = CPUMASK_CPU(cpu);
		t->cpu = cpu;
	} else {
		t->cpu = this_cpu()->id;
	}
	arch_thread_init(t, t->kstack_top);
	sched_start_thread(t);
	return t;
}

void thread_exit(void)
{
	struct thread *t = thread_current();

	assert(t);
	kcov_thread_exit(t);
	if (t->proc)
		proc_thread_exiting(t);
	thread_note_dying();
	arch_irq_disable();
	WRITE_ONCE(t->state, THREAD_DEAD);
	schedule();
	panic("thread_exit: dead thread %d was scheduled", t->tid);
}

/* Called from the switch epilogue on the CPU the thread died on. */
void reaper_enqueue(struct thread *t)
{
	struct reaper *r = &reapers[this_cpu()->id];

	spin_lock(&r->lock);
	list_add_tail(&r->dead, &t->dead_node);
	spin_unlock(&r->lock);
	wake_up(&r->wq);
}

static void reaper_main(void *arg)
{
	struct reaper *r = arg;

	for (;;) {
		struct thread *t;
		spin_lock(&r->lock);
		wait_event_locked_uninterruptible(&r->wq, &r->lock, !list_empty(&r->dead));
		t = list_first(&r->dead, struct thread, dead_node);
		list_remove(&t->dead_node);
		spin_unlock(&r->lock);
		/* The thread is off every CPU: on_cpu was cleared before it came here. */
		assert(!__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE));
		proc_thread_reap(t);       /* drops the address space, if any */
		thread_free(t);
		__atomic_fetch_sub(&thread_dying, 1, __ATOMIC_RELEASE);
	}
}

void reaper_init(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		spin_init(&reapers[i].lock, "reaper");
		list_init(&reapers[i].dead);
		waitq_init(&reapers[i].wq, "reaper_wq");
	}
}

/* Start this CPU's reaper (each CPU once, after its idle context exists). */
void reaper_start_cpu(unsigned cpu)
{
	reapers[cpu].thread = kthread_create("reaper", reaper_main, &reapers[cpu], (int)cpu);
	if (!reapers[cpu].thread)
		panic("sched: cannot start the reaper of cpu %u", cpu);
	reapers[cpu].thread->prio = 0;
}

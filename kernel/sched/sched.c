/*
 * sched.c - per-CPU run queues, context switching, wakeups, load balancing
 * and sleeping (see keel/sched.h and keel/thread.h for the rules).
 *
 * Switch protocol.  schedule() takes this CPU's run-queue lock with
 * interrupts off and keeps it across arch_context_switch(); the context
 * that resumes (sched_finish_switch) clears the previous thread's on_cpu,
 * drops the lock, and hands a dead previous thread to the reaper.  So:
 *   - a thread found in a run queue (under its lock) is never on a CPU;
 *   - sched_wake() of a thread that has dequeued itself waits for on_cpu
 *     to clear before enqueueing it, so a thread never runs on two CPUs;
 *   - the address space is switched before the stacks, so a CPU never
 *     keeps running on page tables of a thread it no longer runs (the
 *     Twizzler seed bug); the idle context uses the bootstrap tables.
 *
 * Load balancing: an idle CPU steals a queued thread from the busiest CPU;
 * and every SCHED_BALANCE_TICKS each busy CPU pulls one thread when the
 * busiest CPU has at least two more runnable threads than it has.
 *
 * Lock order: thread pi_lock -> run-queue lock; a CPU holding its own
 * run-queue lock only ever trylocks another (work stealing).
 */
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <keel/kmalloc.h>
#include <keel/panic.h>
#include <keel/proc.h>
#include <keel/signal.h>
#include <keel/time.h>
#include <keel/vm.h>
#include <keel/wait.h>
#include <keel/ksyms.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <arch/arch.h>

struct runqueue {
	struct spinlock lock;
	struct list queue[SCHED_PRIOS];   /* [lock] runnable, not running */
	unsigned nr_queued;               /* [lock] threads in queue[] */
	unsigned nr_running;              /* [lock] on_rq threads of this CPU */
	struct thread *idle;              /* [I] this CPU's idle context */
	uint64_t switch_ns;               /* [C] when curr was switched in */
	uint64_t nr_switches;             /* [C] context switches (/proc/stat ctxt) */
	uint64_t sched_ns;                /* [C] when this CPU last ran schedule() */
	uint64_t sched_ticks;             /* [C] this CPU's tick count then */
	uint64_t tick_ns;                 /* [C] when this CPU took its last tick */
	bool hog_reported;                /* [C] the kernel hog of now was logged */
	bool balance;                     /* [C] pull work at the next schedule() */
	unsigned balance_ticks;           /* [C] ticks until the next balance check */
};

static struct runqueue runqueues[MAX_CPUS];
static bool sched_running;                /* [I] sched_init done */
static unsigned sched_cpus_started;       /* [A] CPUs whose scheduler runs */

static struct runqueue *rq_of(unsigned cpu)
{
	return &runqueues[cpu];
}

/* Queue t (on_rq already decided by the caller) at the tail of its level. */
static void rq_enqueue(struct runqueue *rq, struct thread *t)
{
	spin_assert_held(&rq->lock);
	list_add_tail(&rq->queue[t->prio], &t->rq_node);
	rq->nr_queued++;
	t->queued_ns = time_ns();
}

/*
 * Auditor: t leaves a run queue to run; warn (a few times per boot) if it
 * waited far longer than round-robin allows, which is a scheduler bug or a
 * host that stalled a virtual CPU (the log line tells which CPU).
 */
static unsigned rq_long_waits;   /* [A] */
static unsigned sched_hogs;      /* [A] kernel hogs seen (see sched_check_hog) */
static unsigned sched_stalls;    /* [A] ticks that came SCHED_STALL_NS late */
/* A hog must have taken at least half the ticks of its time on its CPU. */
#define SCHED_HOG_MIN_TICKS (SCHED_HOG_WARN_NS / 2 / (NSEC_PER_SEC / TICK_HZ))
static uint64_t rq_max_wait;     /* [A] longest run-queue wait audited, ns */
static uint64_t rq_audit_from;   /* [A] 0, or: audit threads queued since (after boot) */

static void rq_check_wait(struct thread *t, unsigned cpu)
{
	uint64_t from = __atomic_load_n(&rq_audit_from, __ATOMIC_RELAXED);
	/* Signed: TSCs of two CPUs may differ a little. */
	int64_t waited = (int64_t)(time_ns() - t->queued_ns);

	if (!from || t->queued_ns < from)
		return;         /* queued during boot (the clock may not even run) */
	uint64_t max = __atomic_load_n(&rq_max_wait, __ATOMIC_RELAXED);
	while (waited > (int64_t)max &&
	       !__atomic_compare_exchange_n(&rq_max_wait, &max, (uint64_t)waited, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	if (waited > (int64_t)SCHED_WAIT_WARN_NS &&
	    __atomic_fetch_add(&rq_long_waits, 1, __ATOMIC_RELAXED) < SCHED_WAIT_WARN_MAX)
		klog(LOG_NOTICE, "sched: thread %d (%s) waited %ld ms in a run queue, then ran on cpu %u",
		     t->tid, t->name, waited / (int64_t)NSEC_PER_MSEC, cpu);
}

static struct thread *rq_pick(struct runqueue *rq)
{
	for (int p = 0; p < SCHED_PRIOS; p++) {
		struct thread *t = list_first(&rq->queue[p], struct thread, rq_node);
		if (t) {
			list_remove(&t->rq_node);
			rq->nr_queued--;
			rq_check_wait(t, this_cpu()->id);
			return t;
		}
	}
	return NULL;
}

/* The online CPU other than me with the most queued threads, or me. */
static unsigned rq_busiest(unsigned me)
{
	unsigned best = me, best_n = 0;

	for (unsigned c = 0; c < MAX_CPUS; c++) {
		unsigned n = READ_ONCE(rq_of(c)->nr_queued);
		if (c != me && cpus[c].online && n > best_n) {
			best = c;
			best_n = n;
		}
	}
	return best;
}

/* Take one queued thread that may run on `me` from the busiest other CPU. */
static struct thread *rq_steal(unsigned me)
{
	struct runqueue *mine = rq_of(me);
	unsigned best = rq_busiest(me);

	if (best == me)
		return NULL;
	struct runqueue *rq = rq_of(best);
	if (!spin_trylock(&rq->lock))
		return NULL;
	struct thread *found = NULL;
	for (int p = SCHED_PRIOS - 1; p >= 0 && !found; p--) {
		struct list *pos;
		list_for_each(pos, &rq->queue[p]) {
			struct thread *t = list_entry(pos, struct thread, rq_node);
			if (t->affinity & CPUMASK_CPU(me)) {
				found = t;
				break;
			}
		}
	}
	if (found) {
		list_remove(&found->rq_node);
		rq_check_wait(found, me);
		rq->nr_queued--;
		rq->nr_running--;
		found->cpu = me;
		mine->nr_running++;
	}
	spin_unlock(&rq->lock);
	return found;
}

/* Pick a CPU for a thread that becomes runnable. */
static unsigned sched_select_cpu(struct thread *t)
{
	unsigned best = t->cpu, best_load = UINT32_MAX;

	if ((t->affinity & CPUMASK_CPU(t->cpu)) && cpus[t->cpu].online &&
	    READ_ONCE(rq_of(t->cpu)->nr_running) == 0)
		return t->cpu;
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (!(t->affinity & CPUMASK_CPU(c)) || !cpus[c].online)
			continue;
		unsigned load = READ_ONCE(rq_of(c)->nr_running);
		if (load < best_load) {
			best = c;
			best_load = load;
		}
	}
	return best;
}

/* Make t (not on any run queue, not on a CPU) runnable on cpu. */
static void sched_enqueue_on(struct thread *t, unsigned cpu)
{
	struct runqueue *rq = rq_of(cpu);
	struct cpu *target = &cpus[cpu];
	bool kick;

	spin_lock(&rq->lock);
	t->cpu = cpu;
	t->on_rq = true;
	t->slice = SCHED_SLICE_TICKS;
	rq->nr_running++;
	rq_enqueue(rq, t);
	struct thread *curr = READ_ONCE(target->curr);
	kick = curr == rq->idle || (curr && curr->prio > t->prio);
	if (kick)
		WRITE_ONCE(target->need_resched, true);
	spin_unlock(&rq->lock);
	if (kick && cpu != this_cpu()->id)
		arch_send_ipi(cpu, ARCH_IPI_RESCHED);
}

void sched_start_thread(struct thread *t)
{
	assert(t->state == THREAD_RUNNING && !t->on_rq);
	sched_enqueue_on(t, sched_select_cpu(t));
}

bool sched_wake(struct thread *t)
{
	bool woke = false;

	spin_lock(&t->pi_lock);
	if (READ_ONCE(t->state) != THREAD_SLEEPING)
		goto out;
	for (;;) {
		unsigned cpu = READ_ONCE(t->cpu);
		struct runqueue *rq = rq_of(cpu);
		spin_lock(&rq->lock);
		if (t->cpu != cpu) {            /* moved meanwhile: retry */
			spin_unlock(&rq->lock);
			continue;
		}
		if (t->on_rq) {
			/* Still running (about to sleep): it will see RUNNING. */
			WRITE_ONCE(t->state, THREAD_RUNNING);
			spin_unlock(&rq->lock);
			woke = true;
			goto out;
		}
		spin_unlock(&rq->lock);
		break;
	}
	/* It left its run queue; wait until its CPU is off its stack. */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	WRITE_ONCE(t->state, THREAD_RUNNING);
	sched_enqueue_on(t, sched_select_cpu(t));
	woke = true;
out:
	spin_unlock(&t->pi_lock);
	return woke;
}

/*
 * The second half of every switch, run by the context that resumes: see
 * the file comment.  Interrupts are off; the run-queue lock is held.
 */
static void sched_finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->sched_prev;
	bool dead = prev->state == THREAD_DEAD;
	bool migrate = prev->migrate;

	spin_assert_held(&rq_of(c->id)->lock);
	prev->migrate = false;
	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	spin_unlock(&rq_of(c->id)->lock);
	if (dead)
		reaper_enqueue(prev);
	else if (migrate)
		sched_enqueue_on(prev, sched_select_cpu(prev));
}

void schedule(void)
{
	struct cpu *c = this_cpu();
	bool was_on = arch_irqs_enabled();
	struct runqueue *rq;
	struct thread *prev, *next;

	arch_irq_disable();
	c = this_cpu();
	if (c->irq_off_depth != 0)
		panic("schedule() called while holding a spinlock");
	rq = rq_of(c->id);
	prev = c->curr;
	spin_lock(&rq->lock);
	c->need_resched = false;
	rq->sched_ns = time_ns();
	rq->sched_ticks = c->ticks;
	rq->hog_reported = false;
	if (prev != rq->idle) {
		if (prev->state == THREAD_RUNNING && (prev->affinity & CPUMASK_CPU(c->id))) {
			rq_enqueue(rq, prev);
		} else {
			prev->on_rq = false;
			rq->nr_running--;
			if (prev->state == THREAD_RUNNING)
				prev->migrate = true;    /* affinity changed */
		}
	}
	if (rq->balance) {
		/* Periodic balancing: pull one thread from the busiest CPU. */
		struct thread *pulled = rq_steal(c->id);
		rq->balance = false;
		if (pulled)
			rq_enqueue(rq, pulled);
	}
	next = rq_pick(rq);
	if (!next)
		next = rq_steal(c->id);
	if (!next)
		next = rq->idle;
	if (next == prev) {
		spin_unlock(&rq->lock);
		goto out;
	}
	uint64_t now = time_ns();
	prev->run_ns += now - rq->switch_ns;
	if (prev != rq->idle)           /* a sleep, or preempted/yielding */
		__atomic_fetch_add(prev->state == THREAD_RUNNING ? &prev->nivcsw :
				   &prev->nvcsw, 1, __ATOMIC_RELAXED);
	rq->switch_ns = now;
	rq->nr_switches++;
	next->slice = SCHED_SLICE_TICKS;
	__atomic_store_n(&next->on_cpu, 1, __ATOMIC_RELAXED);
	c->curr = next;
	c->thread = next == rq->idle ? NULL : next;
	c->sched_prev = prev;
	vm_switch(next->mm);          /* address space first, then stacks */
	arch_context_switch(prev, next);
	sched_finish_switch();
out:
	if (was_on)
		arch_irq_enable();
}

bool sched_cpu_otherwise_idle(void)
{
	return READ_ONCE(rq_of(this_cpu()->id)->nr_queued) == 0;
}

unsigned sched_nr_running(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (READ_ONCE(cpus[i].online))
			n += READ_ONCE(rq_of(i)->nr_running);
	}
	return n;
}

uint64_t sched_nr_switches(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		n += READ_ONCE(rq_of(i)->nr_switches);
	return n;
}

uint64_t sched_max_wait_ns(void)
{
	return __atomic_load_n(&rq_max_wait, __ATOMIC_RELAXED);
}

unsigned sched_long_waits(void)
{
	return __atomic_load_n(&rq_long_waits, __ATOMIC_RELAXED);
}

uint64_t sched_thread_run_ns(struct thread *t)
{
	bool was_on = arch_irqs_enabled();
	uint64_t ns;

	arch_irq_disable();
	if (t == this_cpu()->curr) {
		/* Add the slice it is running now. */
		ns = t->run_ns + time_ns() - rq_of(this_cpu()->id)->switch_ns;
		goto out;
	}
	for (;;) {
		/* run_ns, curr and switch_ns change under t's run-queue lock. */
		unsigned cpu = READ_ONCE(t->cpu);
		struct runqueue *rq = rq_of(cpu);
		spin_lock(&rq->lock);
		if (READ_ONCE(t->cpu) != cpu) {         /* moved meanwhile: retry */
			spin_unlock(&rq->lock);
			continue;
		}
		ns = t->run_ns;
		if (cpus[cpu].curr == t)
			ns += time_ns() - rq->switch_ns;
		spin_unlock(&rq->lock);
		break;
	}
out:
	if (was_on)
		arch_irq_enable();
	return ns;
}

void sched_yield(void)
{
	schedule();
}

/* First code of every new thread (from the arch trampoline). */
void sched_thread_entry(void)
{
	struct thread *t;

	sched_finish_switch();
	t = this_cpu()->curr;        /* the idle context starts here too */
	arch_irq_enable();
	t->kfn(t->karg);
	thread_exit();
}

/*
 * Watchdog: a thread that has been in the kernel for SCHED_HOG_WARN_NS
 * without passing through schedule() is a kernel path without a
 * scheduling point (a loop that should call signal_checkpoint; or a kernel
 * thread that spins).  Logged with the system call and the interrupted
 * kernel code, a few times per boot.  Only if this CPU also took the ticks
 * of that time: under QEMU a host that does not run a virtual CPU for a
 * while makes time jump with no tick in between (a stall, counted apart:
 * sched_host_stalls()), which is not the kernel's doing.
 */
static void sched_check_hog(struct runqueue *rq, struct thread *curr, uintptr_t pc,
			    uintptr_t fp)
{
	uint64_t ran = time_ns() - rq->sched_ns;
	uintptr_t off = 0;
	const char *sym;

	if (rq->hog_reported || ran < SCHED_HOG_WARN_NS ||
	    this_cpu()->ticks - rq->sched_ticks < SCHED_HOG_MIN_TICKS)
		return;
	rq->hog_reported = true;
	if (__atomic_fetch_add(&sched_hogs, 1, __ATOMIC_RELAXED) >= SCHED_HOG_WARN_MAX)
		return;
	sym = ksym_lookup(pc, &off);
	if (curr->proc)
		klog(LOG_WARN, "sched: cpu %u: thread %d (%s) has run %lu ms in the kernel "
		     "without a scheduling point (system call %lu), at %s+%#lx", this_cpu()->id,
		     curr->tid, curr->name, (unsigned long)(ran / NSEC_PER_MSEC),
		     (unsigned long)curr->syscall_nr, sym ? sym : "?", (unsigned long)off);
	else
		klog(LOG_WARN, "sched: cpu %u: kernel thread %s has run %lu ms without a "
		     "scheduling point, at %s+%#lx", this_cpu()->id, curr->name,
		     (unsigned long)(ran / NSEC_PER_MSEC), sym ? sym : "?", (unsigned long)off);
	backtrace_print(fp);         /* the interrupted code's callers */
}

unsigned sched_kernel_hogs(void)
{
	return __atomic_load_n(&sched_hogs, __ATOMIC_RELAXED);
}

unsigned sched_host_stalls(void)
{
	return __atomic_load_n(&sched_stalls, __ATOMIC_RELAXED);
}

void sched_tick(uintptr_t pc, uintptr_t fp, bool from_user)
{
	struct cpu *c = this_cpu();
	struct thread *curr = c->curr;
	struct runqueue *rq = rq_of(c->id);

	if (!sched_running || !curr)
		return;
	uint64_t now = time_ns();
	if (rq->tick_ns && now - rq->tick_ns > SCHED_STALL_NS)
		__atomic_fetch_add(&sched_stalls, 1, __ATOMIC_RELAXED);
	rq->tick_ns = now;
	if (curr != rq->idle && !from_user && c->in_irq <= 1)
		sched_check_hog(rq, curr, pc, fp);
	if (curr != rq->idle) {
		if (--curr->slice <= 0)
			c->need_resched = true;
		if (++rq->balance_ticks >= SCHED_BALANCE_TICKS) {
			unsigned busiest = rq_busiest(c->id);
			rq->balance_ticks = 0;
			if (busiest != c->id && READ_ONCE(rq_of(busiest)->nr_running) >=
						    READ_ONCE(rq->nr_running) + 2) {
				rq->balance = true;
				c->need_resched = true;
			}
		}
		return;
	}
	/* Idle: look for work queued elsewhere (stolen in schedule()). */
	for (unsigned o = 0; o < MAX_CPUS; o++) {
		if (o != c->id && cpus[o].online && READ_ONCE(rq_of(o)->nr_queued) > 0) {
			c->need_resched = true;
			return;
		}
	}
}

void sched_cond_resched(void)
{
	/* No kernel preemption: this CPU's flag cannot change under us but by
	 * its own interrupts, which only ever set it.  Never from an interrupt,
	 * the idle context or under a spinlock (shared helpers may be). */
	struct cpu *c = this_cpu();

	if (READ_ONCE(c->need_resched) && c->thread && !c->in_irq && c->irq_off_depth == 0)
		schedule();
}

void sched_return_to_user(void)
{
	while (this_cpu()->need_resched)
		schedule();
}

static bool sched_idle_has_work(struct cpu *c)
{
	return READ_ONCE(c->need_resched) || READ_ONCE(rq_of(c->id)->nr_queued) > 0;
}

static void sched_idle_loop(void *arg)
{
	for (;;) {
		struct cpu *c = this_cpu();
		/* Poll first (interrupts on: a wakeup's IPI is taken at once). */
		uint64_t until = time_ns() + SCHED_IDLE_POLL_NS;
		while (!sched_idle_has_work(c) && time_ns() < until)
			arch_cpu_relax();
		arch_irq_disable();
		if (sched_idle_has_work(c)) {
			arch_irq_enable();
			schedule();
			continue;
		}
		WRITE_ONCE(c->idle_halts, c->idle_halts + 1);
		arch_wait_for_interrupt();     /* sti; hlt: no wakeup lost */
	}
}

static void sleep_timer_fn(struct timer *tm)
{
	sched_wake(container_of(tm, struct thread, timer));
}

int sched_sleep_until(uint64_t deadline, bool interruptible)
{
	struct thread *t = thread_current();
	int ret = 0;

	might_sleep();
	assert(t);
	timer_init(&t->timer, sleep_timer_fn);
	while (time_ns() < deadline) {
		WRITE_ONCE(t->state, THREAD_SLEEPING);     /* before the check */
		if (interruptible && signal_pending()) {
			WRITE_ONCE(t->state, THREAD_RUNNING);
			ret = -EINTR;
			break;
		}
		timer_arm(&t->timer, deadline);
		schedule();
		timer_cancel(&t->timer);
		WRITE_ONCE(t->state, THREAD_RUNNING);
	}
	return ret;
}

int sched_set_affinity(struct thread *t, cpumask_t mask)
{
	struct runqueue *rq;
	bool requeue = false, kick = false;
	unsigned cpu;

	mask &= smp_online_mask();
	if (!mask)
		return -EINVAL;
	spin_lock(&t->pi_lock);
	t->affinity = mask;
	cpu = t->cpu;
	rq = rq_of(cpu);
	spin_lock(&rq->lock);
	if (t->on_rq && !(mask & CPUMASK_CPU(cpu))) {
		if (!__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) && t != cpus[cpu].curr) {
			/* Queued on a CPU it may no longer use: move it. */
			list_remove(&t->rq_node);
			rq->nr_queued--;
			rq->nr_running--;
			t->on_rq = false;
			requeue = true;
		} else {
			/* Running there: schedule() migrates it at its next switch. */
			WRITE_ONCE(cpus[cpu].need_resched, true);
			kick = cpu != this_cpu()->id;
		}
	}
	spin_unlock(&rq->lock);
	if (requeue)
		sched_enqueue_on(t, sched_select_cpu(t));
	spin_unlock(&t->pi_lock);
	if (kick)
		arch_send_ipi(cpu, ARCH_IPI_RESCHED);
	if (t == thread_current() && !(mask & CPUMASK_CPU(this_cpu()->id)))
		schedule();                    /* migrates in sched_finish_switch */
	return 0;
}

/* Set up this CPU's idle context (a thread that is never queued). */
static struct thread *sched_make_idle(unsigned cpu)
{
	struct thread *idle = thread_alloc("idle");

	if (!idle)
		panic("sched: no memory for the idle thread of cpu %u", cpu);
	idle->kfn = sched_idle_loop;
	idle->cpu = cpu;
	idle->affinity = CPUMASK_CPU(cpu);
	idle->prio = SCHED_PRIOS;          /* below everything */
	arch_thread_init(idle, idle->kstack_top);
	return idle;
}

void sched_init(void)
{
	struct cpu *c = this_cpu();
	struct thread *boot;

	timers_init();
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		spin_init(&runqueues[i].lock, "runqueue");
		for (int p = 0; p < SCHED_PRIOS; p++)
			list_init(&runqueues[i].queue[p]);
	}
	/* The code running now (kmain) becomes the thread "main". */
	boot = thread_struct_alloc("main");
	if (!boot)
		panic("sched: no memory for the boot thread");
	boot->cpu = c->id;
	boot->on_rq = true;
	boot->on_cpu = 1;
	rq_of(c->id)->nr_running = 1;
	rq_of(c->id)->idle = sched_make_idle(c->id);
	c->curr = c->thread = boot;
	reaper_init();
	sched_running = true;
	reaper_start_cpu(c->id);
	__atomic_store_n(&sched_cpus_started, 1, __ATOMIC_RELEASE);
}

unsigned sched_started_cpus(void)
{
	return __atomic_load_n(&sched_cpus_started, __ATOMIC_ACQUIRE);
}

void sched_wait_all_cpus(void)
{
	uint64_t deadline = time_ns() + SCHED_START_WAIT_NS;

	while (sched_started_cpus() < cpu_online_count()) {
		if (time_ns() > deadline)
			panic("sched: %u cpus online but only %u scheduling after %lu ms",
			      cpu_online_count(), sched_started_cpus(),
			      SCHED_START_WAIT_NS / NSEC_PER_MSEC);
		arch_cpu_relax();
	}
	__atomic_store_n(&rq_audit_from, time_ns(), __ATOMIC_RELAXED);
}

void sched_start_cpu(void)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = rq_of(c->id);
	struct thread *boot_ctx = thread_struct_alloc("ap-boot");

	if (!boot_ctx)
		panic("sched: no memory on cpu %u", c->id);
	rq->idle = sched_make_idle(c->id);
	reaper_start_cpu(c->id);
	/* Leave the AP boot context for good: switch into the idle context. */
	thread_note_dying();
	/* Counted after the allocations above and the dying note: see sched_wait_all_cpus. */
	__atomic_fetch_add(&sched_cpus_started, 1, __ATOMIC_RELEASE);
	boot_ctx->state = THREAD_DEAD;
	boot_ctx->cpu = c->id;
	boot_ctx->on_cpu = 1;
	arch_irq_disable();
	spin_lock(&rq->lock);
	c->curr = rq->idle;
	c->thread = NULL;
	c->sched_prev = boot_ctx;
	rq->idle->on_cpu = 1;
	vm_switch(NULL);
	arch_context_switch(boot_ctx, rq->idle);
	panic("sched: AP boot context resumed");
}

/*
 * smp.c - cross-CPU function calls and kernel TLB shootdown (see
 * keel/smp.h).
 *
 * A call is a struct smp_call_req on the caller's stack with a count of
 * CPUs still to run it; each target gets a node (also on the caller's
 * stack) in its queue and an IPI.  A target takes the node off its queue,
 * runs fn, and decrements the count as its very last access to the
 * caller's memory; the caller returns only when the count is zero.
 */
#include <keel/smp.h>
#include <keel/cpu.h>
#include <keel/spinlock.h>
#include <keel/panic.h>
#include <arch/arch.h>

struct smp_call_req {
	smp_call_fn fn;
	void *arg;
	unsigned pending;             /* [A] targets that have not finished */
};

struct smp_call_node {
	struct smp_call_req *req;
	struct smp_call_node *next;   /* [queue lock] */
};

struct smp_call_queue {
	struct spinlock lock;
	struct smp_call_node *head;   /* [lock] */
	struct smp_call_node **tail;  /* [lock] */
};

static struct smp_call_queue smp_queues[MAX_CPUS];

static struct smp_call_queue *smp_queue(unsigned cpu)
{
	return &smp_queues[cpu];
}

void smp_init(void)
{
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		spin_init(&smp_queues[c].lock, "smp_call_queue");
		smp_queues[c].head = NULL;
		smp_queues[c].tail = &smp_queues[c].head;
	}
}

cpumask_t smp_online_mask(void)
{
	cpumask_t m = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			m |= CPUMASK_CPU(i);
	return m;
}

void smp_call_handle(void)
{
	struct smp_call_queue *q = smp_queue(this_cpu()->id);
	struct smp_call_node *n;

	for (;;) {
		spin_lock(&q->lock);
		n = q->head;
		if (n) {
			q->head = n->next;
			if (!q->head)
				q->tail = &q->head;
		}
		spin_unlock(&q->lock);
		if (!n)
			return;
		struct smp_call_req *req = n->req;   /* n is dead after the decrement */
		req->fn(req->arg);
		__atomic_fetch_sub(&req->pending, 1, __ATOMIC_RELEASE);
	}
}

void smp_call_mask(cpumask_t mask, smp_call_fn fn, void *arg)
{
	unsigned me = this_cpu()->id;
	struct smp_call_req req = { fn, arg, 0 };
	struct smp_call_node nodes[MAX_CPUS];
	cpumask_t targets = mask & smp_online_mask() & ~CPUMASK_CPU(me);

	req.pending = bit_count64(targets);
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (!(targets & CPUMASK_CPU(c)))
			continue;
		struct smp_call_queue *q = smp_queue(c);
		nodes[c] = (struct smp_call_node){ &req, NULL };
		spin_lock(&q->lock);
		*q->tail = &nodes[c];
		q->tail = &nodes[c].next;
		spin_unlock(&q->lock);
		arch_send_ipi(c, ARCH_IPI_CALL);
	}
	if (mask & CPUMASK_CPU(me)) {
		irq_push_off();
		fn(arg);
		irq_pop_off();
	}
	while (__atomic_load_n(&req.pending, __ATOMIC_ACQUIRE)) {
		smp_call_handle();
		arch_cpu_relax();
	}
}

void smp_call_all(smp_call_fn fn, void *arg)
{
	smp_call_mask(CPUMASK_ALL, fn, arg);
}

struct tlb_range {
	uintptr_t va;
	size_t len;
};

static void tlb_flush_one(void *arg)
{
	struct tlb_range *r = arg;

	arch_flush_tlb_range(r->va, r->len);
}

void tlb_shootdown_mask(cpumask_t mask, uintptr_t va, size_t len)
{
	struct tlb_range r = { va, len };

	smp_call_mask(mask, tlb_flush_one, &r);
}

void tlb_shootdown_kernel(uintptr_t va, size_t len)
{
	tlb_shootdown_mask(CPUMASK_ALL, va, len);
}

/*
 * kbench.c - runs the in-kernel benchmarks in the .kbench section (see
 * keel/kbench.h), and the benchmarks of kernel primitives themselves:
 * spinlocks, cross-CPU calls and TLB shootdown.
 */
#include <keel/kbench.h>
#include <keel/klog.h>
#include <keel/cpu.h>
#include <keel/smp.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/cmdline.h>
#include <arch/arch.h>

#define BENCH_LOCK_OPS     200000
#define BENCH_CONTEND_NS   (200 * NSEC_PER_MSEC)
#define BENCH_IPI_OPS      2000
#define BENCH_MILLI        1000

extern const struct kbench _kbench_start[], _kbench_end[];

void kbench_report(const char *name, uint64_t milli_value, const char *unit)
{
	kprintf("bench: %s %lu.%03lu %s\n", name, milli_value / BENCH_MILLI,
		milli_value % BENCH_MILLI, unit);
}

void kbench_run(const char *list)
{
	kprintf("bench: cpus %u debug %d\n", cpu_online_count(), KEEL_DEBUG);
	for (const struct kbench *b = _kbench_start; b < _kbench_end; b++)
		if (cmdline_list_contains(list, b->name))
			b->fn();
}

static struct spinlock bench_lock = SPINLOCK_INIT("bench");
static uint64_t bench_counter;            /* [bench_lock] */

KBENCH(lock_uncontended)
{
	uint64_t t0 = time_ns();

	for (int i = 0; i < BENCH_LOCK_OPS; i++) {
		spin_lock(&bench_lock);
		bench_counter++;
		spin_unlock(&bench_lock);
	}
	kbench_report("lock_uncontended", (time_ns() - t0) * BENCH_MILLI / BENCH_LOCK_OPS,
		      "ns/lock+unlock");
}

struct contend_arg {
	uint64_t end;
	uint64_t ops[MAX_CPUS];
};

static void contend(void *p)
{
	struct contend_arg *a = p;
	uint64_t n = 0;

	while (time_ns() < a->end) {
		spin_lock(&bench_lock);
		bench_counter++;
		spin_unlock(&bench_lock);
		n++;
	}
	a->ops[this_cpu()->id] = n;
}

KBENCH(lock_contended)
{
	static struct contend_arg a;   /* too big for the stack with MAX_CPUS */
	uint64_t total = 0;
	unsigned n = cpu_online_count();

	a = (struct contend_arg){ 0 };
	a.end = time_ns() + BENCH_CONTEND_NS;
	smp_call_all(contend, &a);
	for (unsigned c = 0; c < n; c++)
		total += a.ops[c];
	kbench_report(n == 1 ? "lock_contended_1cpu" : n == 2 ? "lock_contended_2cpu" :
		      n == 4 ? "lock_contended_4cpu" : "lock_contended_ncpu",
		      total * NSEC_PER_SEC / BENCH_CONTEND_NS * BENCH_MILLI / 1000,
		      "k-acquisitions/s");
}

static void bench_nop(void *arg)
{
}

KBENCH(ipi_roundtrip)
{
	if (cpu_online_count() < 2)
		return;
	uint64_t t0 = time_ns();
	for (int i = 0; i < BENCH_IPI_OPS; i++)
		smp_call_mask(CPUMASK_CPU(1), bench_nop, NULL);
	kbench_report("ipi_roundtrip", (time_ns() - t0) * BENCH_MILLI / BENCH_IPI_OPS / 1000,
		      "us");
}

KBENCH(tlb_shootdown)
{
	static volatile uint64_t page[PAGE_SIZE / sizeof(uint64_t)] __aligned(PAGE_SIZE);
	uint64_t t0 = time_ns();

	for (int i = 0; i < BENCH_IPI_OPS; i++)
		tlb_shootdown_kernel((uintptr_t)page, PAGE_SIZE);
	kbench_report(cpu_online_count() == 1 ? "tlb_shootdown_local" : "tlb_shootdown_all",
		      (time_ns() - t0) * BENCH_MILLI / BENCH_IPI_OPS / 1000, "us");
}

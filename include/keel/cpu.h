/*
 * keel/cpu.h - per-CPU state.
 *
 * Each CPU owns one struct cpu in cpus[]; this_cpu() returns the running
 * CPU's.  Lock key (tags as in docs/locking.md): [C] touched only by
 * their own CPU, with interrupts off; [I] immutable once the CPU is
 * online; [A] atomic.
 */
#ifndef KEEL_CPU_H
#define KEEL_CPU_H

#include <keel/compiler.h>
#include <arch/percpu.h>

#define MAX_CPUS 64

struct thread;

struct cpu {
	struct cpu *self;        /* [I] must stay first: %gs:0 */
	uintptr_t entry_scratch[2]; /* [C] arch entry code's scratch (fixed offsets 8, 16) */
	unsigned id;             /* [I] logical CPU number, 0 = boot CPU */
	bool online;             /* [A] set once the CPU runs kernel code */
	struct thread *thread;   /* [C] running thread, NULL when none (idle) */
	struct thread *curr;     /* [C] context running now: a thread or the idle context */
	struct thread *sched_prev; /* [C] context switched away from, for the switch epilogue */
	bool need_resched;       /* [C] reschedule at the next opportunity */
	int irq_off_depth;       /* [C] irq_push_off nesting */
	bool irq_was_on;         /* [C] IF before the outermost irq_push_off */
	int in_irq;              /* [C] interrupt nesting depth */
	uint64_t ticks;          /* [C] timer ticks seen by this CPU */
	uint64_t ipis_resched;   /* [C] rescheduling IPIs taken (/proc/interrupts) */
	uint64_t ipis_call;      /* [C] function-call IPIs taken (incl. TLB shootdowns) */
	uint64_t idle_halts;     /* [C] times the idle loop halted after polling
				  * (others may READ_ONCE it: a statistic) */
	struct arch_cpu arch;    /* arch-private part */
};

extern struct cpu cpus[MAX_CPUS];
/* Number of CPUs online ([A]). */
unsigned cpu_online_count(void);

static inline struct cpu *this_cpu(void)
{
	return arch_this_cpu();
}

/*
 * The thread running on this CPU (cpu->thread), NULL when none: one load,
 * so right for the caller wherever it runs next (thread_current()).
 */
static inline struct thread *cpu_thread(void)
{
	return (struct thread *)arch_this_cpu_word(offsetof(struct cpu, thread));
}

#endif

/*
 * keel/sched.h - the scheduler.
 *
 * Each CPU has a run queue (its own spinlock) with SCHED_PRIOS round-robin
 * priority levels; the LAPIC timer of each CPU ends time slices.  A CPU
 * whose queue is empty steals work from the busiest other queue before it
 * idles (hlt).  sched_wake() puts a thread on a CPU it may run on (its last
 * one if idle there, else the least loaded) and sends that CPU a
 * reschedule IPI if it is idle or runs lower-priority work.
 *
 * Preemption happens on the way back to user mode and in the idle loop:
 * kernel code runs until it sleeps, yields or returns to user space, so
 * per-CPU data read with interrupts on stays valid (no kernel preemption).
 * Never call schedule() holding a spinlock.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/compiler.h>
#include <keel/smp.h>

#define SCHED_PRIOS        3
#define SCHED_PRIO_DEFAULT 1
/* A runnable thread that waits this long to run is logged (at most MAX times). */
#define SCHED_WAIT_WARN_NS  (1000ull * 1000 * 1000)
#define SCHED_WAIT_WARN_MAX 8
#define SCHED_SLICE_TICKS  2        /* 20 ms at 100 Hz */
#define SCHED_BALANCE_TICKS 4       /* busy CPUs check the balance every 40 ms */
/*
 * An idle CPU polls its run queue this long before halting (Linux's
 * cpuidle-haltpoll for guests does the same): a thread woken within the
 * window runs at once, without waiting for the host to wake a halted
 * virtual CPU, which costs tens of microseconds under QEMU.
 */
#define SCHED_IDLE_POLL_NS  (100 * NSEC_PER_USEC)

struct thread;

/* Boot CPU, once: run queues, turns the running boot code into a thread. */
void sched_init(void);
/* Each CPU, once, from its boot path: becomes this CPU's idle loop; never returns. */
void sched_start_cpu(void) __noreturn;
/*
 * Boot CPU, after the APs are online: wait until every online CPU runs its
 * scheduler (idle context, reaper, boot context handed to the reaper), so
 * memory and thread counts taken afterwards are stable; panics if one
 * never gets there.  sched_started_cpus() counts those CPUs.
 */
#define SCHED_START_WAIT_NS (10000 * NSEC_PER_MSEC)   /* a bug, not a slow host */
void sched_wait_all_cpus(void);
unsigned sched_started_cpus(void);
/* Threads that waited over SCHED_WAIT_WARN_NS in a run queue, since boot. */
unsigned sched_long_waits(void);
/* The longest a runnable thread has waited in a run queue since boot, ns. */
uint64_t sched_max_wait_ns(void);
/* CPU time t has used, including the slice it runs now if it is current. */
uint64_t sched_thread_run_ns(struct thread *t);
/* Runnable threads on all CPUs, running ones included (racy sum: statistics). */
unsigned sched_nr_running(void);
/* Nothing else waits to run on this CPU (a hint: racy, for spin-or-sleep
 * decisions).  Thread context. */
bool sched_cpu_otherwise_idle(void);
/* Context switches on all CPUs since boot (racy sum: statistics). */
uint64_t sched_nr_switches(void);
/* Make a new (never run) thread runnable. */
void sched_start_thread(struct thread *t);
/* Wake a sleeping thread; false if it was not sleeping. Any context. */
bool sched_wake(struct thread *t);
/* Give the CPU to another runnable thread, if any. */
void sched_yield(void);
/*
 * Sleep until time_ns() >= deadline; 0, or -EINTR if a signal interrupts.
 * A thread with no spinlock held and interrupts on (might_sleep()).
 */
int sched_sleep_until(uint64_t deadline, bool interruptible);
/*
 * A scheduling point in a long kernel loop: switch if this CPU's slice is
 * over or better work waits.  Does nothing in an interrupt, in the idle
 * context or under a spinlock, so shared helpers may call it.  Most
 * loops want signal_checkpoint() (keel/signal.h), which also says when to
 * stop for a fatal signal.
 */
void sched_cond_resched(void);
/*
 * Timer tick on this CPU (interrupt context); pc and fp are where the tick
 * interrupted, from_user whether that was user mode (the kernel-hog
 * watchdog reports kernel code that runs too long without a scheduling point).
 */
#define SCHED_HOG_WARN_NS   (200 * NSEC_PER_MSEC)
#define SCHED_HOG_WARN_MAX  8
void sched_tick(uintptr_t pc, uintptr_t fp, bool from_user);
/* Kernel hogs the watchdog has seen since boot. */
unsigned sched_kernel_hogs(void);
/*
 * Ticks that arrived over SCHED_STALL_NS after the previous one on their
 * CPU: interrupts off that long, or (under QEMU) a virtual CPU the host did
 * not run.  The kernel-hog watchdog does not blame the kernel for these.
 */
#define SCHED_STALL_NS      (100 * NSEC_PER_MSEC)
unsigned sched_host_stalls(void);
/* On the way back to user mode, interrupts off: switch if a reschedule is due. */
void sched_return_to_user(void);
/* Restrict t to the CPUs in mask (non-empty subset of online CPUs); 0 or -EINVAL. */
int sched_set_affinity(struct thread *t, cpumask_t mask);

/*
 * Internal to the scheduler, wait queues and thread code: give up the CPU
 * until woken (the caller queued itself and marked itself sleeping, or is
 * dying); never with a spinlock held.
 */
void schedule(void);
/* First code of every new thread (from the arch trampoline, switch.S). */
void sched_thread_entry(void) __noreturn;

#endif

/*
 * keel/smp.h - running functions on other CPUs, and TLB shootdown.
 *
 * smp_call_mask() runs fn(arg) on every online CPU in mask (including the
 * caller's if it is in mask) and returns once all of them have finished.
 * It may be called with interrupts on or off: while waiting, the caller
 * keeps serving calls queued to itself, so two CPUs calling each other
 * cannot deadlock.  fn runs in interrupt context on the other CPUs: it
 * must not sleep and should be short.
 * Each CPU's queue is protected by its own smp_call_queue lock.
 */
#ifndef KEEL_SMP_H
#define KEEL_SMP_H

#include <keel/compiler.h>

typedef uint64_t cpumask_t;
#define CPUMASK_CPU(c)  (1ull << (c))
#define CPUMASK_ALL     (~0ull)

typedef void (*smp_call_fn)(void *arg);

/* Set up the call queues (boot CPU, before any other CPU starts). */
void smp_init(void);
void smp_call_mask(cpumask_t mask, smp_call_fn fn, void *arg);
/* Run fn on every online CPU, the caller's included. */
void smp_call_all(smp_call_fn fn, void *arg);
/* Serve calls queued to this CPU (the IPI handler; waiters). */
void smp_call_handle(void);
/* Mask of online CPUs. */
cpumask_t smp_online_mask(void);
/* Flush a kernel virtual range from every CPU's TLB (after changing it). */
void tlb_shootdown_kernel(uintptr_t va, size_t len);
/* Flush [va, va+len) on the CPUs in mask (this one included if set), and wait. */
void tlb_shootdown_mask(cpumask_t mask, uintptr_t va, size_t len);

#endif

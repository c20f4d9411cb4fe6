/*
 * fake_sched.h - test hooks of tests/host/fake_sched.c: host stand-ins for
 * the scheduler-side services the file layer uses (mutexes, wait queues,
 * user copies, the current process, signals, the console, the clock).
 *
 * Single-threaded: a mutex is a flag (taking a held one panics), a wait
 * that would sleep panics (host tests exercise non-blocking paths only);
 * wake_up() marks woken, and unlinks, the entries a test's poll table put
 * on a wait queue.
 * "User" memory is ordinary memory, except that addresses below
 * FAKE_USER_BAD_LIMIT fault (-EFAULT), so tests can pass bad pointers.
 */
#ifndef FAKE_SCHED_H
#define FAKE_SCHED_H

#include <stdint.h>

struct proc;

#define FAKE_USER_BAD_LIMIT 0x10000

/* What proc_current() returns (NULL: a kernel thread). */
extern struct proc *fake_current_proc;
/* Signals raised with signal_raise_current(), as a bit mask (bit sig-1). */
extern uint64_t fake_signals_raised;
/* Signals sent to process groups (bit sig-1), and the last group. */
extern uint64_t fake_pgrp_signals;
extern int fake_pgrp_signalled;
/* Bytes the fake console received, and input it will hand out (to the
 * serial line's input handler, the terminal, once one is attached). */
extern char fake_console_out[4096];
extern unsigned fake_console_out_len;
void fake_console_feed(const char *s);

#endif

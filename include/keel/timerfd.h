/*
 * keel/timerfd.h - timers as open files (kernel/fs/timerfd.c): a read
 * returns how many times the timer expired since the last read (8 bytes),
 * waiting for the first; pollable.  Linux's timerfd_create(2) semantics.
 */
#ifndef KEEL_TIMERFD_H
#define KEEL_TIMERFD_H

#include <keel/compiler.h>

/* Clocks a timerfd may use (Linux clockid_t values). */
#define TIMERFD_CLOCK_REALTIME  0
#define TIMERFD_CLOCK_MONOTONIC 1
#define TIMERFD_CLOCK_BOOTTIME  7

#define TFD_TIMER_ABSTIME       1
#define TFD_TIMER_CANCEL_ON_SET 2

struct file;

/* A timer setting in nanoseconds: first expiry (0: disarmed), period. */
struct timerfd_spec {
	uint64_t value;
	uint64_t interval;
};

/*
 * A new disarmed timerfd on clock (one of the above; the caller checked
 * it) with file flags (O_NONBLOCK): one reference in *out.  0 or -ENOMEM.
 */
int timerfd_create_file(int clock, unsigned flags, struct file **out);
/* True if f is a timerfd. */
bool timerfd_file_is(const struct file *f);
/*
 * Arm (value != 0) or disarm f's timer: value is relative, or with
 * TFD_TIMER_ABSTIME a time of f's clock; the expiration count starts
 * again at 0.  *old gets the setting before (time left, period).  May
 * sleep.  0 or -EINTR.
 */
int timerfd_settime_file(struct file *f, unsigned flags, const struct timerfd_spec *spec,
			 struct timerfd_spec *old);
/* The time left to the next expiry (0: disarmed) and the period. */
void timerfd_gettime_file(struct file *f, struct timerfd_spec *cur);

#endif

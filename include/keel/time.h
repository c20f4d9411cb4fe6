/*
 * keel/time.h - kernel time: a monotonic nanosecond clock and the periodic
 * tick (TICK_HZ per second on every CPU).
 */
#ifndef KEEL_TIME_H
#define KEEL_TIME_H

#include <keel/compiler.h>

#define TICK_HZ       100
#define NSEC_PER_SEC  1000000000ul
#define NSEC_PER_MSEC 1000000ul
#define NSEC_PER_USEC 1000ul

/* struct timespec and struct timeval as system calls pass them (Linux). */
struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* Nanoseconds since boot, monotonic, any context. */
uint64_t time_ns(void);
/*
 * Wall-clock time (CLOCK_REALTIME): nanoseconds since the Unix epoch, the
 * RTC's reading at boot plus time_ns(), moved by time_set_real_ns.  Any
 * context.
 */
uint64_t time_real_ns(void);
/* Set the wall clock to ns since the epoch (settimeofday). */
void time_set_real_ns(uint64_t ns);
/* Read the wall clock from the hardware (arch_rtc_read_epoch) once at boot. */
void time_init_real(void);
/* Ticks seen by the boot CPU since boot. */
uint64_t time_ticks(void);
/* Busy-wait for ns nanoseconds (boot code and tests only). */
void time_delay_ns(uint64_t ns);

#endif

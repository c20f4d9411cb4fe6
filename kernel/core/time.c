/*
 * time.c - generic timekeeping on top of the arch clock and tick.
 * Each CPU counts its own ticks in struct cpu ([C], kernel/sched/tick.c);
 * the boot CPU's count is the system tick count.
 *
 * The wall clock is the monotonic clock plus an offset: time_init_real
 * sets it from the real-time clock at boot (arch_rtc_read_epoch), and
 * settimeofday/clock_settime move it (time_set_real_ns).
 *
 * Lock key: [A] atomic (time_real_offset is one 64-bit word, read and
 * written whole, so a reader sees the old or the new offset).
 */
#include <keel/time.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <arch/arch.h>

static int64_t time_real_offset; /* [A] wall clock minus time_ns() */

uint64_t time_ns(void)
{
	return arch_clock_ns();
}

uint64_t time_ticks(void)
{
	return READ_ONCE(cpus[0].ticks);
}

void time_delay_ns(uint64_t ns)
{
	uint64_t end = time_ns() + ns;

	while (time_ns() < end)
		arch_cpu_relax();
}

uint64_t time_real_ns(void)
{
	int64_t off = __atomic_load_n(&time_real_offset, __ATOMIC_RELAXED);

	return time_ns() + (uint64_t)off;
}

void time_set_real_ns(uint64_t ns)
{
	__atomic_store_n(&time_real_offset, (int64_t)(ns - time_ns()), __ATOMIC_RELAXED);
}

void time_init_real(void)
{
	int64_t epoch = arch_rtc_read_epoch();

	if (epoch < 0) {
		klog(LOG_WARN, "time: no real-time clock; the wall clock starts at 1970");
		return;
	}
	time_set_real_ns((uint64_t)epoch * NSEC_PER_SEC);
	klog(LOG_INFO, "time: wall clock from the RTC: %lld s since the epoch", (long long)epoch);
}

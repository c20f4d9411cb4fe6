/*
 * lib/rtc.h - decoding a CMOS real-time clock reading into Unix time.
 *
 * The MC146818-style RTC keeps seconds, minutes, hours, day, month and
 * year (two digits) in registers whose format status register B chooses:
 * BCD or binary, 12-hour (bit 7 of the hour = PM) or 24-hour.  The century
 * is in a register the ACPI FADT names, if any.  Pure functions: no state,
 * no locks, no hardware access (arch/x86_64/dev/rtc.c reads the registers).
 */
#ifndef LIB_RTC_H
#define LIB_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_B_24H      0x02 /* status B: 24-hour mode */
#define RTC_B_BINARY   0x04 /* status B: binary, not BCD */
#define RTC_HOUR_PM    0x80 /* hour register, 12-hour mode: PM */
#define RTC_NO_CENTURY 0xff /* no century register: assume 20xx */

/* The raw registers of one reading. */
struct rtc_raw {
	uint8_t sec, min, hour, mday, mon, year;
	uint8_t century; /* raw register, or RTC_NO_CENTURY */
	uint8_t status_b;
};

/* Seconds since 1970-01-01 00:00 UTC of a proleptic Gregorian UTC date
 * (mon 1..12, mday 1..31); dates before 1970 give negative values. */
int64_t rtc_civil_to_epoch(int64_t year, unsigned mon, unsigned mday, unsigned hour, unsigned min,
			   unsigned sec);
/*
 * Decode r into seconds since the epoch in *epoch: true, or false if a
 * field is out of range (a clock that is not set, or garbage).
 */
bool rtc_decode(const struct rtc_raw *r, int64_t *epoch);

#endif

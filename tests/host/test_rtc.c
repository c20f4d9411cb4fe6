/*
 * test_rtc.c - host unit tests for lib/rtc.c: the civil-date conversion
 * against known instants, and CMOS readings in BCD and binary, 12- and
 * 24-hour modes, with and without a century register, and garbage.
 */
#include <lib/rtc.h>
#include "htest.h"

HTEST(rtc_civil_known_dates)
{
	HCHECK(rtc_civil_to_epoch(1970, 1, 1, 0, 0, 0) == 0);
	HCHECK(rtc_civil_to_epoch(2000, 3, 1, 0, 0, 0) == 951868800);
	HCHECK(rtc_civil_to_epoch(2024, 2, 29, 12, 34, 56) == 1709210096);
	HCHECK(rtc_civil_to_epoch(2038, 1, 19, 3, 14, 8) == 2147483648ll);
	HCHECK(rtc_civil_to_epoch(1969, 12, 31, 23, 59, 59) == -1);
	HCHECK(rtc_civil_to_epoch(2100, 3, 1, 0, 0, 0) == 4107542400ll);
}

HTEST(rtc_decode_bcd_24h)
{
	struct rtc_raw r = { .sec = 0x56,
			     .min = 0x34,
			     .hour = 0x12,
			     .mday = 0x29,
			     .mon = 0x02,
			     .year = 0x24,
			     .century = RTC_NO_CENTURY,
			     .status_b = RTC_B_24H };
	int64_t t;

	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 1709210096);
	r.century = 0x20;
	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 1709210096);
}

HTEST(rtc_decode_binary_12h)
{
	struct rtc_raw r = { .sec = 56,
			     .min = 34,
			     .hour = 12,
			     .mday = 29,
			     .mon = 2,
			     .year = 24,
			     .century = RTC_NO_CENTURY,
			     .status_b = RTC_B_BINARY };
	int64_t t;

	/* 12 AM is midnight, 12 PM noon, 1 PM is 13:00. */
	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 1709210096 - 12 * 3600);
	r.hour = 12 | RTC_HOUR_PM;
	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 1709210096);
	r.hour = 1 | RTC_HOUR_PM;
	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 1709210096 + 3600);
}

HTEST(rtc_decode_bcd_12h_pm)
{
	struct rtc_raw r = { .sec = 0x08,
			     .min = 0x14,
			     .hour = 0x03,
			     .mday = 0x19,
			     .mon = 0x01,
			     .year = 0x38,
			     .century = 0x20,
			     .status_b = 0 };
	int64_t t;

	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 2147483648ll);
	r.hour = 0x11 | RTC_HOUR_PM; /* 11 PM */
	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 2147483648ll + 20 * 3600);
}

HTEST(rtc_decode_rejects_garbage)
{
	struct rtc_raw r = { .sec = 0x00,
			     .min = 0x00,
			     .hour = 0x00,
			     .mday = 0x01,
			     .mon = 0x01,
			     .year = 0x70,
			     .century = 0x19,
			     .status_b = RTC_B_24H };
	int64_t t;

	HCHECK(rtc_decode(&r, &t));
	HCHECK(t == 0);
	r.sec = 0x5a; /* not BCD */
	HCHECK(!rtc_decode(&r, &t));
	r.sec = 0;
	r.mon = 0x13;
	HCHECK(!rtc_decode(&r, &t));
	r.mon = 0x02;
	r.mday = 0x30; /* 30 February */
	HCHECK(!rtc_decode(&r, &t));
	r.mday = 0x01;
	r.hour = 0x24;
	HCHECK(!rtc_decode(&r, &t));
	r.status_b = 0;
	r.hour = 0x00; /* hour 0 in 12-hour mode */
	HCHECK(!rtc_decode(&r, &t));
	r.status_b = RTC_B_BINARY | RTC_B_24H;
	r.hour = 0;
	r.mday = 0;
	HCHECK(!rtc_decode(&r, &t));
}

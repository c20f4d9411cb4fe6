/*
 * lib/rtc.c - decoding a CMOS real-time clock reading (see <lib/rtc.h>).
 *
 * Fields are converted from BCD when status B says so, the hour from
 * 12-hour mode (12 AM is 0, 12 PM is 12), then checked against the
 * calendar before the date is turned into days since the epoch with the
 * usual era arithmetic (400-year cycles of 146097 days, March-based years
 * so that the leap day is last).  Pure functions: no state, no locks.
 */
#include <lib/rtc.h>

#define RTC_BCD_DIGIT        10
#define RTC_HOURS_HALF       12
#define RTC_DEFAULT_CENTURY  20
#define RTC_YEARS_CENTURY    100
#define RTC_SECS_DAY         86400
#define RTC_SECS_HOUR        3600
#define RTC_SECS_MIN         60
#define RTC_MAX_HOUR         23
#define RTC_MAX_MIN          59
#define RTC_MAX_SEC          59
#define RTC_MONTHS           12
#define ERA_YEARS            400
#define ERA_DAYS             146097
#define EPOCH_ERA_DAYS       719468 /* days from 0000-03-01 to 1970-01-01 */
#define MARCH_MONTH_DAYS_NUM 153    /* days in 5 months from March: (153m+2)/5 */
#define MARCH_MONTHS_NUM     5

static bool rtc_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % ERA_YEARS == 0;
}

static unsigned rtc_month_days(int64_t year, unsigned mon)
{
	static const uint8_t days[RTC_MONTHS] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mon == 2 && rtc_is_leap(year))
		return 29;
	return days[mon - 1];
}

int64_t rtc_civil_to_epoch(int64_t year, unsigned mon, unsigned mday, unsigned hour, unsigned min,
			   unsigned sec)
{
	int64_t y = mon <= 2 ? year - 1 : year;
	int64_t era = (y >= 0 ? y : y - (ERA_YEARS - 1)) / ERA_YEARS;
	int64_t yoe = y - era * ERA_YEARS;
	int64_t mp = mon > 2 ? mon - 3 : mon + 9;
	int64_t doy = (MARCH_MONTH_DAYS_NUM * mp + 2) / MARCH_MONTHS_NUM + mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * ERA_DAYS + doe - EPOCH_ERA_DAYS;

	return days * RTC_SECS_DAY + hour * RTC_SECS_HOUR + min * RTC_SECS_MIN + sec;
}

/* A BCD byte's value, or -1 if a digit is not decimal. */
static int rtc_bcd(uint8_t v)
{
	if ((v & 0xf) >= RTC_BCD_DIGIT || (v >> 4) >= RTC_BCD_DIGIT)
		return -1;
	return (v >> 4) * RTC_BCD_DIGIT + (v & 0xf);
}

static int rtc_field(uint8_t v, bool binary)
{
	return binary ? v : rtc_bcd(v);
}

bool rtc_decode(const struct rtc_raw *r, int64_t *epoch)
{
	bool bin = r->status_b & RTC_B_BINARY;
	bool pm = !(r->status_b & RTC_B_24H) && (r->hour & RTC_HOUR_PM);
	int sec = rtc_field(r->sec, bin), min = rtc_field(r->min, bin);
	int hour = rtc_field(r->status_b & RTC_B_24H ? r->hour : (uint8_t)(r->hour & ~RTC_HOUR_PM),
			     bin);
	int mday = rtc_field(r->mday, bin), mon = rtc_field(r->mon, bin);
	int year = rtc_field(r->year, bin);
	int century = r->century == RTC_NO_CENTURY ? RTC_DEFAULT_CENTURY :
						     rtc_field(r->century, bin);

	if (sec < 0 || min < 0 || hour < 0 || mday < 0 || mon < 0 || year < 0 || century < 0)
		return false;
	if (!(r->status_b & RTC_B_24H)) {
		if (hour < 1 || hour > RTC_HOURS_HALF)
			return false;
		hour %= RTC_HOURS_HALF;
		if (pm)
			hour += RTC_HOURS_HALF;
	}
	year += century * RTC_YEARS_CENTURY;
	if (sec > RTC_MAX_SEC || min > RTC_MAX_MIN || hour > RTC_MAX_HOUR ||
	    year >= RTC_YEARS_CENTURY * RTC_YEARS_CENTURY || mon < 1 || mon > RTC_MONTHS ||
	    mday < 1 || (unsigned)mday > rtc_month_days(year, (unsigned)mon))
		return false;
	*epoch = rtc_civil_to_epoch(year, (unsigned)mon, (unsigned)mday, (unsigned)hour,
				    (unsigned)min, (unsigned)sec);
	return true;
}

/*
 * rtc.c - the CMOS real-time clock, read once at boot for the wall clock
 * (arch_rtc_read_epoch; the decoding is lib/rtc.c's).
 *
 * The clock updates its registers once a second; a reading taken during
 * an update can mix two seconds.  So the reader waits until status A
 * shows no update in progress, reads every register, and repeats until
 * two readings agree (bounded: a clock that never settles is no clock).
 * QEMU's RTC keeps UTC.  No century register is known (Keel does not read
 * the ACPI FADT), so years are 20xx.
 *
 * Lock key: [rtc_lock] the CMOS index/data port pair (a spinlock,
 * interrupts off while held).
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/rtc.h>
#include <keel/spinlock.h>
#include <lib/rtc.h>
#include <lib/string.h>

#define RTC_UIP_POLLS  1000000 /* an update lasts under 2 ms */
#define RTC_READ_TRIES 10

static struct spinlock rtc_lock = SPINLOCK_INIT("rtc");

static uint8_t rtc_cmos_read(uint8_t reg)
{
	spin_assert_held(&rtc_lock);
	outb(CMOS_INDEX_PORT, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA_PORT);
}

/* One reading, taken outside an update: false if the update never ends. */
static bool rtc_read_raw(struct rtc_raw *r)
{
	unsigned polls = 0;

	while (rtc_cmos_read(RTC_REG_A) & RTC_A_UIP)
		if (++polls >= RTC_UIP_POLLS)
			return false;
	r->sec = rtc_cmos_read(RTC_REG_SEC);
	r->min = rtc_cmos_read(RTC_REG_MIN);
	r->hour = rtc_cmos_read(RTC_REG_HOUR);
	r->mday = rtc_cmos_read(RTC_REG_MDAY);
	r->mon = rtc_cmos_read(RTC_REG_MON);
	r->year = rtc_cmos_read(RTC_REG_YEAR);
	r->century = RTC_NO_CENTURY;
	r->status_b = rtc_cmos_read(RTC_REG_B);
	return true;
}

int64_t arch_rtc_read_epoch(void)
{
	struct rtc_raw a, b;
	int64_t epoch = -1;
	bool same = false;

	spin_lock(&rtc_lock);
	if (!rtc_read_raw(&a))
		goto out;
	for (unsigned i = 0; i < RTC_READ_TRIES && !same; i++) {
		if (!rtc_read_raw(&b))
			goto out;
		same = memcmp(&a, &b, sizeof(a)) == 0;
		a = b;
	}
	if (same && !rtc_decode(&a, &epoch))
		epoch = -1;
out:
	spin_unlock(&rtc_lock);
	return epoch;
}

/* arch/rtc.h - the CMOS real-time clock (MC146818 compatible) registers. */
#ifndef ARCH_RTC_H
#define ARCH_RTC_H

#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT  0x71
#define CMOS_NMI_OFF    0x80 /* index bit 7: NMIs stay disabled */

#define RTC_REG_SEC  0x00
#define RTC_REG_MIN  0x02
#define RTC_REG_HOUR 0x04
#define RTC_REG_MDAY 0x07
#define RTC_REG_MON  0x08
#define RTC_REG_YEAR 0x09
#define RTC_REG_A    0x0a
#define RTC_REG_B    0x0b
#define RTC_A_UIP    0x80 /* status A: update in progress */

#endif

/* arch/lapic.h - local APIC registers (xAPIC offsets; x2APIC MSR = 0x800 + offset/16) and the timer. */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdint.h>

#define LAPIC_ID          0x020
#define LAPIC_VERSION     0x030
#define LAPIC_TPR         0x080
#define LAPIC_EOI         0x0b0
#define LAPIC_SVR         0x0f0
#define LAPIC_ESR         0x280
#define LAPIC_ICR_LO      0x300
#define LAPIC_ICR_HI      0x310
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_INIT  0x380
#define LAPIC_TIMER_CUR   0x390
#define LAPIC_TIMER_DIV   0x3e0
#define LAPIC_MMIO_SIZE   0x1000

#define LAPIC_SVR_ENABLE        (1u << 8)
#define LAPIC_LVT_MASKED        (1u << 16)
#define LAPIC_LVT_PERIODIC      (1u << 17)
#define LAPIC_LVT_EXTINT        (7u << 8)
#define LAPIC_LVT_NMI           (4u << 8)
#define LAPIC_TIMER_DIV_16      0x3
#define LAPIC_ICR_FIXED         (0u << 8)
#define LAPIC_ICR_NMI           (4u << 8)
#define LAPIC_ICR_INIT          (5u << 8)
#define LAPIC_ICR_STARTUP       (6u << 8)
#define LAPIC_ICR_PENDING       (1u << 12)
#define LAPIC_ICR_ASSERT        (1u << 14)
#define LAPIC_ICR_LEVEL         (1u << 15)
#define LAPIC_ICR_ALL_BUT_SELF  (3u << 18)
#define LAPIC_ICR_DEST_SHIFT    24
#define X2APIC_ICR_DEST_SHIFT   32
#define LAPIC_ID_SHIFT          24

void lapic_init(void);
void lapic_eoi(void);
void lapic_timer_calibrate(void);
void lapic_timer_start(unsigned hz);
/* The TSC's rate measured by lapic_timer_calibrate (0 before it ran). */
uint64_t lapic_tsc_hz(void);
/* Send an IPI (ICR low word icr_lo) to the CPU with local APIC id apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo);
/* Send an IPI to every CPU but this one. */
void lapic_send_ipi_all_but_self(uint32_t icr_lo);

#endif

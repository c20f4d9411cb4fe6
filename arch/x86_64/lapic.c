/*
 * lapic.c - the local APIC in xAPIC (MMIO) mode, its periodic timer, and
 * the TSC clock.
 *
 * At boot the TSC and the LAPIC timer are calibrated together against a
 * PIT channel-2 countdown.  arch_clock_ns() converts TSC ticks since boot
 * to nanoseconds with a precomputed 32.32 fixed-point multiplier.  The
 * calibration results are written once by the boot CPU ([I]).
 */
#include <arch/lapic.h>
#include <arch/msr.h>
#include <arch/cpu.h>
#include <arch/pit.h>
#include <arch/trap.h>
#include <arch/irq.h>
#include <arch/arch.h>
#include <keel/cpu.h>
#include <keel/klog.h>
#include <keel/panic.h>
#include <keel/time.h>
#include <keel/spinlock.h>

#define LAPIC_CALIBRATE_US  10000u
#define FIXED_SHIFT         32

static volatile uint32_t *lapic_base;     /* [I] MMIO mapping */
static uint64_t lapic_timer_hz;           /* [I] timer ticks/s at divide 16 */
static uint64_t tsc_hz;                   /* [I] */
static uint64_t tsc_boot;                 /* [I] TSC at calibration */
static uint64_t tsc_ns_mult;              /* [I] ns per tick, 32.32 fixed point */

static inline uint32_t lapic_read(unsigned reg)
{
	return lapic_base[reg / 4];
}

static inline void lapic_write(unsigned reg, uint32_t v)
{
	lapic_base[reg / 4] = v;
	(void)lapic_base[LAPIC_ID / 4];   /* order the write */
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> LAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void lapic_timer_irq(struct trapframe *tf)
{
	lapic_eoi();
	time_tick();
}

/* Enable this CPU's LAPIC; the boot CPU also maps it and takes PIC ExtINT. */
void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!lapic_base) {
		lapic_base = arch_ioremap(base & MSR_APIC_BASE_ADDR_MASK,
					  LAPIC_MMIO_SIZE);
		if (!lapic_base)
			panic("lapic: cannot map the local APIC");
		vector_register(VEC_LAPIC_TIMER, lapic_timer_irq, "lapic-timer");
	}
	wrmsr(MSR_APIC_BASE, base | MSR_APIC_BASE_ENABLE);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	if (base & MSR_APIC_BASE_BSP)
		lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_EXTINT);
	else
		lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_NMI);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();
	this_cpu()->arch.apic_id = lapic_id();
}

/* Measure the TSC and LAPIC timer rates against the PIT (boot CPU). */
void lapic_timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t lapic_elapsed;

	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	pit_ch2_start(LAPIC_CALIBRATE_US);
	lapic_write(LAPIC_TIMER_INIT, UINT32_MAX);
	t0 = rdtsc();
	while (!pit_ch2_done())
		cpu_relax();
	t1 = rdtsc();
	lapic_elapsed = UINT32_MAX - lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);

	lapic_timer_hz = (uint64_t)lapic_elapsed * 1000000u / LAPIC_CALIBRATE_US;
	tsc_hz = (t1 - t0) * 1000000u / LAPIC_CALIBRATE_US;
	if (!tsc_hz || !lapic_timer_hz)
		panic("lapic: calibration failed (tsc %lu Hz, lapic %lu Hz)",
		      tsc_hz, lapic_timer_hz);
	tsc_ns_mult = (NSEC_PER_SEC << FIXED_SHIFT) / tsc_hz;
	tsc_boot = t0;
	klog(LOG_INFO, "time: tsc %lu MHz, lapic timer %lu kHz", tsc_hz / 1000000,
	     lapic_timer_hz / 1000);
}

/* Start this CPU's periodic timer at hz interrupts per second. */
void lapic_timer_start(unsigned hz)
{
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(lapic_timer_hz / hz));
}

static void lapic_icr_wait(void)
{
	while (lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING)
		cpu_relax();
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	irq_push_off();          /* ICR_HI/ICR_LO must not be split by an IRQ */
	lapic_icr_wait();
	lapic_write(LAPIC_ICR_HI, apic_id << LAPIC_ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	lapic_icr_wait();
	irq_pop_off();
}

void lapic_send_ipi_all_but_self(uint32_t icr_lo)
{
	irq_push_off();
	lapic_icr_wait();
	lapic_write(LAPIC_ICR_LO, icr_lo | LAPIC_ICR_ALL_BUT_SELF);
	lapic_icr_wait();
	irq_pop_off();
}

uint64_t arch_clock_ns(void)
{
	if (!tsc_ns_mult)
		return 0;
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_boot) *
			   tsc_ns_mult) >> FIXED_SHIFT);
}

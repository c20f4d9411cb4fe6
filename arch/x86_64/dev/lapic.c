/*
 * lapic.c - the local APIC, its periodic timer, and the TSC clock.
 * x2APIC mode (registers as MSRs, 32-bit ids) is used when the CPU has it,
 * xAPIC (MMIO) otherwise.  QEMU 7.2's TCG offers only xAPIC, so the
 * x2APIC path is not exercised by the test suite on our machines.
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
#include <keel/tick.h>
#include <keel/spinlock.h>

#define LAPIC_CALIBRATE_US  10000u
#define FIXED_SHIFT         32

#define CPUID_FEATURES_LEAF  1
#define CPUID_ECX_X2APIC     (1u << 21)
#define X2APIC_MSR_BASE      0x800
#define X2APIC_REG_SHIFT     4

static volatile uint32_t *lapic_base;     /* [I] MMIO mapping (xAPIC mode) */
static bool lapic_x2;                     /* [I] x2APIC mode: registers are MSRs */
static uint64_t lapic_timer_hz;           /* [I] timer ticks/s at divide 16 */
static uint64_t tsc_hz;                   /* [I] */
static uint64_t tsc_boot;                 /* [I] TSC at calibration */
static uint64_t tsc_ns_mult;              /* [I] ns per tick, 32.32 fixed point */

static inline uint32_t lapic_read(unsigned reg)
{
	if (lapic_x2)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> X2APIC_REG_SHIFT));
	return lapic_base[reg / 4];
}

static inline void lapic_write(unsigned reg, uint32_t v)
{
	if (lapic_x2) {
		wrmsr(X2APIC_MSR_BASE + (reg >> X2APIC_REG_SHIFT), v);
		return;
	}
	lapic_base[reg / 4] = v;
	(void)lapic_base[LAPIC_ID / 4];   /* order the write */
}

static uint32_t lapic_id(void)
{
	if (lapic_x2)
		return lapic_read(LAPIC_ID);   /* the full 32-bit x2APIC id */
	return lapic_read(LAPIC_ID) >> LAPIC_ID_SHIFT;
}

static bool cpu_has_x2apic(void)
{
	uint32_t a, b, c, d;

	cpuid_count(CPUID_FEATURES_LEAF, 0, &a, &b, &c, &d);
	return c & CPUID_ECX_X2APIC;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void lapic_timer_irq(struct trapframe *tf)
{
	lapic_eoi();
	tick_handle(tf->rip, tf->rbp, trap_from_user(tf));
}

/* Enable this CPU's LAPIC; the boot CPU also maps it and takes PIC ExtINT. */
void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (this_cpu()->id == 0) {
		lapic_x2 = cpu_has_x2apic();
		if (!lapic_x2) {
			lapic_base = arch_ioremap(base & MSR_APIC_BASE_ADDR_MASK,
						  LAPIC_MMIO_SIZE);
			if (!lapic_base)
				panic("lapic: cannot map the local APIC");
		}
		vector_register(VEC_LAPIC_TIMER, lapic_timer_irq, "lapic-timer");
		klog(LOG_INFO, "lapic: %s mode", lapic_x2 ? "x2APIC" : "xAPIC");
	}
	/* xAPIC -> x2APIC must go through "enabled" first (SDM 10.12.5). */
	base |= MSR_APIC_BASE_ENABLE;
	wrmsr(MSR_APIC_BASE, base);
	if (lapic_x2)
		wrmsr(MSR_APIC_BASE, base | MSR_APIC_BASE_X2APIC);
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

uint64_t lapic_tsc_hz(void)
{
	return tsc_hz;
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
	if (lapic_x2)
		return;          /* x2APIC has no delivery-status bit */
	while (lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING)
		cpu_relax();
}

/* Write the interrupt command register: one MSR in x2APIC mode, two MMIO words otherwise. */
static void lapic_icr_write(uint32_t dest, uint32_t icr_lo)
{
	if (lapic_x2) {
		wrmsr(X2APIC_MSR_BASE + (LAPIC_ICR_LO >> X2APIC_REG_SHIFT),
		      ((uint64_t)dest << X2APIC_ICR_DEST_SHIFT) | icr_lo);
		return;
	}
	lapic_write(LAPIC_ICR_HI, dest << LAPIC_ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LO, icr_lo);
}

/*
 * Send an IPI.  Like Linux, wait for the previous one to leave the ICR
 * before writing, but not for this one to be delivered: under emulation
 * delivery can take as long as the target vCPU takes to run.
 */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	irq_push_off();          /* ICR_HI/ICR_LO must not be split by an IRQ */
	lapic_icr_wait();
	lapic_icr_write(apic_id, icr_lo);
	irq_pop_off();
}

void lapic_send_ipi_all_but_self(uint32_t icr_lo)
{
	irq_push_off();
	lapic_icr_wait();
	lapic_icr_write(0, icr_lo | LAPIC_ICR_ALL_BUT_SELF);
	irq_pop_off();
}

uint64_t arch_clock_ns(void)
{
	if (!tsc_ns_mult)
		return 0;
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_boot) *
			   tsc_ns_mult) >> FIXED_SHIFT);
}

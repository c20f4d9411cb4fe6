/*
 * pit.c - one-shot countdown on PIT channel 2 (gated by port 0x61, not
 * wired to an interrupt), used as a known-rate reference to calibrate the
 * TSC and the LAPIC timer at boot.  Boot CPU only, before SMP.
 */
#include <arch/pit.h>
#include <arch/cpu.h>

void pit_ch2_start(unsigned us)
{
	uint32_t count = (uint64_t)PIT_HZ * us / 1000000u;
	uint8_t gate = inb(PIT_GATE_PORT);

	gate = (gate & ~PIT_SPEAKER) & ~PIT_GATE_CH2;
	outb(PIT_GATE_PORT, gate);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, (count >> 8) & 0xff);
	outb(PIT_GATE_PORT, gate | PIT_GATE_CH2);   /* rising gate starts it */
}

int pit_ch2_done(void)
{
	return (inb(PIT_GATE_PORT) & PIT_CH2_OUT) != 0;
}

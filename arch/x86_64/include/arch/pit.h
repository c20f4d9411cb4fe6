/* arch/pit.h - the 8253/8254 PIT, used only to calibrate other clocks. */
#ifndef ARCH_PIT_H
#define ARCH_PIT_H

#include <stdint.h>

#define PIT_HZ            1193182u
#define PIT_CH2_DATA      0x42
#define PIT_CMD           0x43
#define PIT_CMD_CH2_MODE0_LOHI 0xb0  /* channel 2, lo/hi byte, mode 0 */
#define PIT_GATE_PORT     0x61
#define PIT_GATE_CH2      0x01
#define PIT_SPEAKER       0x02
#define PIT_CH2_OUT       0x20

/* Busy-wait for us microseconds on PIT channel 2 (interrupts irrelevant). */
void pit_ch2_start(unsigned us);
int pit_ch2_done(void);

#endif
